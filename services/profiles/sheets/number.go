package sheets

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// maxWan is the largest export value in 万元 (domain.MaxExportValueFen).
const maxWan = domain.MaxExportValueFen / FenPerWan

// maxExponent bounds the exponent of "1.5E+3"-style numbers, which workbooks
// use for raw numeric cells; anything larger is out of range anyway.
const maxExponent = 30

// parseWanYuan converts a cell holding an amount in 万元 into fen, exactly:
// "12.5" → 12,500,000. It accepts full-width digits, thousands separators in
// groups of three ("1,234.5"), a trailing "万" or "万元", a leading "¥", and
// an exponent. fromXLSX marks a workbook's raw numeric text, which is rounded
// to 15 significant digits first as Excel shows it ("1234.5600000000001" is
// 1234.56). It returns the rule broken, in Chinese, or "".
func parseWanYuan(s string, fromXLSX bool) (int64, string) {
	orig := s
	bad := func(why string) (int64, string) {
		return 0, fmt.Sprintf("%s“%s”不是有效数字：%s", ColExportValue, clip(orig), why)
	}
	s = strings.TrimSpace(width.Narrow.String(s))
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "万元"), "万"))
	s = strings.TrimSpace(strings.TrimPrefix(s, "¥"))
	if strings.HasSuffix(s, "元") || strings.HasSuffix(s, "亿") || strings.HasSuffix(s, "千") {
		return bad("请以万元为单位只填写数字，如“12.5”表示12.5万元")
	}
	if s == "" {
		return bad("请填写以万元为单位的数字，如“12.5”；未知请留空")
	}
	negative := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		negative = true
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−")
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if fromXLSX && !negative {
		s = roundExcelDigits(s)
	}

	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > maxExponent || e < -maxExponent || strings.Contains(s[:i], ",") {
			return bad("请填写以万元为单位的数字，如“12.5”")
		}
		mant, exp = s[:i], e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		for i, g := range groups {
			if !isASCIIDigits(g) || (i == 0 && len(g) > 3) || (i > 0 && len(g) != 3) {
				return bad("千位分隔符“,”须每三位一个，小数点请用“.”")
			}
		}
		intPart = strings.Join(groups, "")
	}
	if (intPart != "" && !isASCIIDigits(intPart)) || (frac != "" && !isASCIIDigits(frac)) ||
		(intPart == "" && frac == "") {
		return bad("请填写以万元为单位的数字，如“12.5”；未知请留空，没有出口请填0")
	}

	// Shift the decimal point by the exponent, then split again.
	digits := intPart + frac
	point := len(intPart) + exp
	switch {
	case point < 0:
		digits = strings.Repeat("0", -point) + digits
		point = 0
	case point > len(digits):
		digits += strings.Repeat("0", point-len(digits))
	}
	whole := strings.TrimLeft(digits[:point], "0")
	fraction := strings.TrimRight(digits[point:], "0")

	if negative && (whole != "" || fraction != "") {
		return 0, fmt.Sprintf("%s不能为负数", ColExportValue)
	}
	if len(fraction) > ExportValueMaxDecimals {
		return 0, fmt.Sprintf("%s“%s”小数位过多：最多%d位小数（精确到分）", ColExportValue, clip(orig), ExportValueMaxDecimals)
	}
	if len(whole) > len(strconv.FormatInt(maxWan, 10)) {
		return 0, fmt.Sprintf("%s不能超过%d（即1万亿元），请确认单位是万元", ColExportValue, int64(maxWan))
	}
	var w, f int64
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64) // at most 9 digits
	}
	if fraction != "" {
		f, _ = strconv.ParseInt(fraction+strings.Repeat("0", ExportValueMaxDecimals-len(fraction)), 10, 64)
	}
	fen := w*FenPerWan + f
	if fen > domain.MaxExportValueFen {
		return 0, fmt.Sprintf("%s不能超过%d（即1万亿元），请确认单位是万元", ColExportValue, int64(maxWan))
	}
	return fen, ""
}

// roundExcelDigits rounds a plain number with more than 15 significant digits
// to 15, the precision Excel keeps and shows; other text is returned as is.
func roundExcelDigits(s string) string {
	sig := 0
	started := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '1' && c <= '9', c == '0' && started:
			started = true
			sig++
		case c == '0', c == '.':
		case c == 'e' || c == 'E':
			i = len(s) // count only the mantissa
		default:
			return s // not a plain number
		}
	}
	if sig <= 15 {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// fenToWan converts fen to 万元 for a numeric cell. Every value up to
// domain.MaxExportValueFen has at most 15 significant digits in 万元, so the
// float64 prints back as the exact decimal and re-imports to the same fen.
func fenToWan(fen int64) float64 { return float64(fen) / FenPerWan }

// looksLikeFloat reports whether s is a number in scientific notation, as a
// long digit string becomes when Excel stores it as a number
// ("9.14403001922038E+17").
func looksLikeFloat(s string) bool {
	mant, exp, ok := strings.Cut(strings.ToUpper(s), "E+")
	if !ok || !isASCIIDigits(exp) {
		return false
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	return isASCIIDigits(intPart) && (frac == "" || isASCIIDigits(frac))
}

func isASCIIDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
