package app

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/match/docs"
	"github.com/qihang-hz/qihang/services/match/index"
)

// scored is a candidate with its reasons; the score is their sum.
type scored struct {
	id      string
	doc     index.Document
	reasons []*matchv1.Reason
	score   float64
	// tier orders before the score (e.g. the verdict, own-district belts).
	tier int
}

// add appends a reason contributing weight × strength (strength in [0, 1]).
func (c *scored) add(code matchv1.ReasonCode, weight, strength float64, text string, values ...string) {
	if strength <= 0 && weight > 0 {
		return
	}
	contrib := weight * math.Min(strength, 1)
	c.reasons = append(c.reasons, &matchv1.Reason{Code: code, Text: text, MatchedValues: values, Contribution: round(contrib)})
	c.score += contrib
}

func round(v float64) float64 { return math.Round(v*10000) / 10000 }

// finish rounds the score and orders the reasons, largest first.
func (c *scored) finish() {
	c.score = round(math.Min(c.score, 1))
	sort.SliceStable(c.reasons, func(i, j int) bool { return c.reasons[i].Contribution > c.reasons[j].Contribution })
}

// rank orders candidates by tier, then score, then id.
func rank(cs []*scored) {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].tier != cs[j].tier {
			return cs[i].tier < cs[j].tier
		}
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return cs[i].id < cs[j].id
	})
}

// overlap returns the values of want found in have, in want's order.
func overlap(want, have []string) []string {
	var out []string
	for _, w := range want {
		if w != "" && slices.Contains(have, w) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// label returns the Chinese label of a stored keyword: an enum value name,
// an ISO market code or an HS chapter.
func label(field, value string) string {
	switch field {
	case docs.FMarkets:
		if n := refdata.MarketName(value); n != "" {
			return n
		}
		return value
	case docs.FHSChapters:
		return value + "章"
	}
	if l, ok := enumLabelByName[value]; ok {
		return l
	}
	return value
}

// enumLabelByName maps enum value names of the vocabularies match shows to
// their labels.
var enumLabelByName = func() map[string]string {
	m := map[string]string{}
	add := func(codes []refdata.Code) {
		for _, c := range codes {
			m[c.Code] = c.Label
		}
	}
	add(refdata.EnumCodes(commonv1.District(0).Descriptor()))
	add(refdata.EnumCodes(commonv1.Industry(0).Descriptor()))
	add(refdata.EnumCodes(commonv1.CrossBorderStage(0).Descriptor()))
	add(refdata.EnumCodes(commonv1.SalesPlatform(0).Descriptor()))
	add(refdata.EnumCodes(commonv1.NeedTag(0).Descriptor()))
	add(refdata.EnumCodes(catalogv1.PolicyCategory(0).Descriptor()))
	add(refdata.EnumCodes(profilesv1.AssociationServiceKind(0).Descriptor()))
	return m
}()

func labels(field string, values []string) string {
	ls := make([]string, len(values))
	for i, v := range values {
		ls[i] = label(field, v)
	}
	return strings.Join(ls, "、")
}

// needsOfCategory maps policy categories to the firm needs they serve.
// General funding serves no need in particular (it would otherwise "cover"
// every need and crowd out the targeted policies).
var needsOfCategory = map[catalogv1.PolicyCategory][]commonv1.NeedTag{
	catalogv1.PolicyCategory_POLICY_CATEGORY_FINANCING:            {commonv1.NeedTag_NEED_TAG_FINANCING},
	catalogv1.PolicyCategory_POLICY_CATEGORY_CREDIT_INSURANCE:     {commonv1.NeedTag_NEED_TAG_FINANCING},
	catalogv1.PolicyCategory_POLICY_CATEGORY_TAX:                  {commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX},
	catalogv1.PolicyCategory_POLICY_CATEGORY_TALENT:               {commonv1.NeedTag_NEED_TAG_TALENT},
	catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE:  {commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE},
	catalogv1.PolicyCategory_POLICY_CATEGORY_BRAND_EXHIBITION:     {commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_MARKETING},
	catalogv1.PolicyCategory_POLICY_CATEGORY_PLATFORM_ONBOARDING:  {commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING},
	catalogv1.PolicyCategory_POLICY_CATEGORY_CUSTOMS_FACILITATION: {commonv1.NeedTag_NEED_TAG_CUSTOMS, commonv1.NeedTag_NEED_TAG_PAYMENT_FX},
	catalogv1.PolicyCategory_POLICY_CATEGORY_COMPLIANCE_IP:        {commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX, commonv1.NeedTag_NEED_TAG_BRAND_IP},
	catalogv1.PolicyCategory_POLICY_CATEGORY_PARK_SPACE:           {commonv1.NeedTag_NEED_TAG_LOCALISED_OPERATIONS},
}

// needsOfService maps association services to the firm needs they serve.
var needsOfService = map[profilesv1.AssociationServiceKind][]commonv1.NeedTag{
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TRAINING:                {commonv1.NeedTag_NEED_TAG_TALENT, commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_MATCHMAKING:             {commonv1.NeedTag_NEED_TAG_MARKET_PLANNING, commonv1.NeedTag_NEED_TAG_LOGISTICS},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_POLICY_BRIEFING:         {commonv1.NeedTag_NEED_TAG_FINANCING, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_GROUP_EXHIBITION:        {commonv1.NeedTag_NEED_TAG_MARKETING, commonv1.NeedTag_NEED_TAG_BRAND_IP},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_STANDARDS_CERTIFICATION: {commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_LEGAL_IP:                {commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_FINANCING_LINKAGE:       {commonv1.NeedTag_NEED_TAG_FINANCING, commonv1.NeedTag_NEED_TAG_PAYMENT_FX},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_MARKET_RESEARCH:         {commonv1.NeedTag_NEED_TAG_MARKET_PLANNING},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_LOGISTICS_LINKAGE:       {commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE, commonv1.NeedTag_NEED_TAG_CUSTOMS},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TALENT:                  {commonv1.NeedTag_NEED_TAG_TALENT},
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TRADE_DISPUTES:          {commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX, commonv1.NeedTag_NEED_TAG_LOCALISED_OPERATIONS},
}

// coveredNeeds returns the firm's needs (names) that the offered values
// (category or service names) serve.
func coveredNeeds[K ~int32](needs []string, offered []string, table map[K][]commonv1.NeedTag, parse func(string) (K, bool)) []string {
	serves := map[string]bool{}
	for _, o := range offered {
		k, ok := parse(o)
		if !ok {
			continue
		}
		for _, n := range table[k] {
			serves[docs.Name(n)] = true
		}
	}
	var out []string
	for _, n := range needs {
		if serves[n] {
			out = append(out, n)
		}
	}
	return out
}

func parseCategory(s string) (catalogv1.PolicyCategory, bool) {
	v, ok := catalogv1.PolicyCategory_value[s]
	return catalogv1.PolicyCategory(v), ok
}

func parseService(s string) (profilesv1.AssociationServiceKind, bool) {
	v, ok := profilesv1.AssociationServiceKind_value[s]
	return profilesv1.AssociationServiceKind(v), ok
}

// productTerms splits a firm's main products into terms: "女装连衣裙、针织衫"
// gives "女装连衣裙" and "针织衫".
func productTerms(products ...string) []string {
	var out []string
	for _, p := range products {
		for _, t := range strings.FieldsFunc(p, func(r rune) bool {
			return strings.ContainsRune("、，,;；/／|｜ \t\n（）()和及与等", r)
		}) {
			if utf8.RuneCountInString(t) >= 2 && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// textTerm is a term prepared for textRelevance: lower-cased, with its
// synonyms and two-character pieces, once per request rather than once per
// candidate.
type textTerm struct {
	term     string
	variants []string // the term and its synonyms, lower-cased
	pieces   []string // two-character pieces of a term of three or more
}

func prepareTerms(terms []string) []textTerm {
	out := make([]textTerm, 0, len(terms))
	for _, t := range terms {
		lt := lowerASCII(t)
		tt := textTerm{term: t, variants: []string{lt}}
		for _, syn := range index.ExpandSynonyms(t) {
			if ls := lowerASCII(syn); !slices.Contains(tt.variants, ls) {
				tt.variants = append(tt.variants, ls)
			}
		}
		if rs := []rune(lt); len(rs) >= 3 {
			for i := 0; i+1 < len(rs); i++ {
				tt.pieces = append(tt.pieces, string(rs[i:i+2]))
			}
		}
		out = append(out, tt)
	}
	return out
}

// textRelevance rates how well terms appear in text, in [0, 1], and
// returns the terms found: a term (or one of its synonyms) found whole
// counts 1; a term of three or more characters half of whose two-character
// pieces are found counts ½.
func textRelevance(terms []textTerm, text string) (float64, []string) {
	if len(terms) == 0 || text == "" {
		return 0, nil
	}
	text = lowerASCII(text)
	var sum float64
	var found []string
	for _, t := range terms {
		whole := false
		for _, v := range t.variants {
			if strings.Contains(text, v) {
				whole = true
				break
			}
		}
		if whole {
			sum++
			found = append(found, t.term)
			continue
		}
		if len(t.pieces) == 0 {
			continue
		}
		hits := 0
		for _, p := range t.pieces {
			if strings.Contains(text, p) {
				hits++
			}
		}
		if hits*2 >= len(t.pieces) {
			sum += 0.5
			found = append(found, t.term)
		}
	}
	return math.Min(sum/float64(min(len(terms), 3)), 1), found
}

// lowerASCII lower-cases the ASCII letters of s (the Latin words of the
// vocabulary: Amazon, TikTok); Chinese has no case, and strings.ToLower
// rewrote every rune of every candidate's text.
func lowerASCII(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// textReason adds a text-relevance reason when terms appear in text.
func textReason(c *scored, weight float64, terms []textTerm, text string) {
	if s, found := textRelevance(terms, text); s > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_TEXT_RELEVANCE, weight, s, "内容相关："+strings.Join(found, "、"), found...)
	}
}

func fmtFen(fen float64) string {
	if fen >= 1e6 {
		return fmt.Sprintf("最高%.0f万元", fen/1e6)
	}
	return fmt.Sprintf("最高%.0f元", fen/100)
}

// servicesFor returns the association services (names) that serve any of
// the needs.
func servicesFor(needs []string) []string {
	var out []string
	for svc, serves := range needsOfService {
		for _, n := range serves {
			if slices.Contains(needs, docs.Name(n)) {
				out = append(out, docs.Name(svc))
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// docText joins a document's title and the named text fields.
func docText(d index.Document, fields ...string) string {
	parts := []string{d.Title}
	for _, f := range fields {
		parts = append(parts, d.Text[f])
	}
	return strings.Join(parts, " ")
}
