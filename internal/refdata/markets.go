package refdata

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// exceptional are two-letter codes the language tables know but ISO 3166-1 does
// not assign to a country (exceptionally reserved, transitional or
// user-assigned).
var exceptional = map[string]bool{
	"AC": true, "CP": true, "CQ": true, "DG": true, "EA": true, "EU": true, "EZ": true,
	"IC": true, "TA": true, "UK": true, "UN": true, "XK": true, "QO": true, "ZZ": true,
}

// nameOverrides gives the names used in the programme's documents where the
// generic Chinese display names differ.
var nameOverrides = map[string]string{
	"TW": "中国台湾",
	"HK": "中国香港",
	"MO": "中国澳门",
	"AE": "阿联酋",
	"GB": "英国",
	"US": "美国",
	"MK": "北马其顿",
	"PS": "巴勒斯坦",
}

// marketAliases maps common non-ISO inputs to ISO codes.
var marketAliases = map[string]string{
	"UK":  "GB",
	"英国":  "GB",
	"美国":  "US",
	"阿联酋": "AE",
	"台湾":  "TW",
	"香港":  "HK",
	"澳门":  "MO",
}

// markets maps every ISO 3166-1 alpha-2 country code to its Chinese name;
// byName maps the names back.
var markets, marketsByName = buildMarkets()

func buildMarkets() (map[string]string, map[string]string) {
	names := display.Regions(language.SimplifiedChinese)
	byCode := make(map[string]string, 260)
	byName := make(map[string]string, 260)
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if exceptional[code] {
				continue
			}
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code || r.Canonicalize() != r {
				continue
			}
			name := nameOverrides[code]
			if name == "" {
				name = names.Name(r)
			}
			if name == "" { // withdrawn codes (AN, CS, SU, YU…) have no name
				continue
			}
			byCode[code] = name
			byName[name] = code
		}
	}
	return byCode, byName
}

// MarketName returns the Chinese name of an ISO 3166-1 alpha-2 code, or "".
func MarketName(code string) string { return markets[code] }

// ValidMarket reports whether code is an assigned ISO 3166-1 alpha-2 code in
// canonical upper case.
func ValidMarket(code string) bool {
	_, ok := markets[code]
	return ok
}

// ParseMarket accepts an ISO code in any case, "UK", or a Chinese country
// name ("美国", "德国") and returns the ISO code.
func ParseMarket(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if code, ok := marketAliases[strings.ToUpper(s)]; ok {
		return code, true
	}
	if code, ok := marketAliases[s]; ok {
		return code, true
	}
	if up := strings.ToUpper(s); ValidMarket(up) {
		return up, true
	}
	if code, ok := marketsByName[s]; ok {
		return code, true
	}
	return "", false
}

// Markets lists every market, sorted by code.
func Markets() []Code { return sortedCodes(markets) }
