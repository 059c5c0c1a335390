package sheets

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/qihang-hz/qihang/services/profiles/domain"
)

func TestParseWanYuan(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		fromXLSX bool
		want     int64
		rule     string // substring of the rule; empty means accepted
	}{
		{name: "integer", in: "12", want: 12_000_000},
		{name: "one decimal", in: "12.5", want: 12_500_000},
		{name: "two decimals", in: "0.01", want: 10_000},
		{name: "thousands separators", in: "1,234.5", want: 1_234_500_000},
		{name: "several thousands groups", in: "1,234,567.89", want: 1_234_567_890_000},
		{name: "full-width digits, point and comma", in: "１，２３４．５", want: 1_234_500_000},
		{name: "zero", in: "0", want: 0},
		{name: "zero with decimals", in: "0.00", want: 0},
		{name: "negative zero is zero", in: "-0", want: 0},
		{name: "leading plus", in: "+3", want: 3_000_000},
		{name: "leading point", in: ".5", want: 500_000},
		{name: "trailing point", in: "5.", want: 5_000_000},
		{name: "unit suffix 万元", in: "12.5万元", want: 12_500_000},
		{name: "unit suffix 万 with space", in: "12.5 万", want: 12_500_000},
		{name: "yuan sign", in: "¥12.5", want: 12_500_000},
		{name: "six decimals is one fen", in: "0.000001", want: 1},
		{name: "trailing zeros beyond six decimals", in: "1.50000000", want: 1_500_000},
		{name: "exponent", in: "1.5E+3", want: 1_500_000_000},
		{name: "negative exponent", in: "1E-3", want: 1_000},
		{name: "the maximum", in: "100000000", want: domain.MaxExportValueFen},
		{name: "workbook float noise is rounded", in: "1234.5600000000001", fromXLSX: true, want: 1_234_560_000},
		{name: "workbook float noise below", in: "0.29999999999999999", fromXLSX: true, want: 300_000},
		{name: "the same noise typed into CSV is refused", in: "1234.5600000000001", rule: "最多6位小数"},
		{name: "seven decimals", in: "1.1234567", rule: "最多6位小数"},
		{name: "negative", in: "-5", rule: "不能为负数"},
		{name: "negative with unicode minus", in: "−5", rule: "不能为负数"},
		{name: "above the maximum", in: "100000000.01", rule: "不能超过100000000"},
		{name: "far above the maximum", in: "99999999999999999999", rule: "不能超过"},
		{name: "huge exponent", in: "1e31", rule: "不是有效数字"},
		{name: "huge exponent from a workbook", in: "1e300", fromXLSX: true, rule: "不是有效数字"},
		{name: "tiny exponent from a workbook", in: "1e-300", fromXLSX: true, rule: "不是有效数字"},
		{name: "exponent within bounds but too large", in: "1e20", rule: "不能超过"},
		{name: "exponent within bounds but too fine", in: "1e-20", rule: "最多6位小数"},
		{name: "decimal comma", in: "12,5", rule: "千位分隔符"},
		{name: "misplaced thousands separator", in: "1,2345", rule: "千位分隔符"},
		{name: "thousands separator and exponent", in: "1,000e3", rule: "不是有效数字"},
		{name: "two points", in: "1.2.3", rule: "不是有效数字"},
		{name: "letters", in: "abc", rule: "不是有效数字"},
		{name: "placeholder", in: "无", rule: "未知请留空"},
		{name: "dash placeholder", in: "-", rule: "不是有效数字"},
		{name: "only a unit", in: "万元", rule: "未知请留空"},
		{name: "yuan instead of 万元", in: "125000元", rule: "万元为单位"},
		{name: "亿 unit", in: "1.2亿", rule: "万元为单位"},
		{name: "NaN", in: "NaN", fromXLSX: true, rule: "不是有效数字"},
		{name: "Inf", in: "Inf", rule: "不是有效数字"},
		{name: "hex", in: "0x10", rule: "不是有效数字"},
		{name: "underscores", in: "1_000", rule: "不是有效数字"},
		{name: "a long value is quoted shortened", in: strings.Repeat("9", 60) + "x", rule: "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rule := parseWanYuan(tt.in, tt.fromXLSX)
			if tt.rule != "" {
				if rule == "" || !strings.Contains(rule, tt.rule) {
					t.Fatalf("parseWanYuan(%q) = %d, %q; want a rule containing %q", tt.in, got, rule, tt.rule)
				}
				if !strings.Contains(rule, ColExportValue) {
					t.Errorf("rule %q does not name the column", rule)
				}
				return
			}
			if rule != "" || got != tt.want {
				t.Fatalf("parseWanYuan(%q) = %d, %q; want %d", tt.in, got, rule, tt.want)
			}
		})
	}
}

// TestExportValueSurvivesTheWorkbook checks that every fen amount written as
// a numeric cell (float64 万元, formatted the way excelize stores it) reads
// back to the same fen.
func TestExportValueSurvivesTheWorkbook(t *testing.T) {
	values := []int64{0, 1, 9, 10, 99, 100, 9_999, 10_000, 999_999, 1_000_000, 1_000_001,
		12_500_000, 123_456_789, 1_234_567_891_234, domain.MaxExportValueFen - 1, domain.MaxExportValueFen}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		values = append(values, rng.Int64N(domain.MaxExportValueFen+1))
	}
	for _, fen := range values {
		cell := strconv.FormatFloat(fenToWan(fen), 'f', -1, 64)
		got, rule := parseWanYuan(cell, true)
		if rule != "" || got != fen {
			t.Fatalf("fen %d → cell %q → %d, %q", fen, cell, got, rule)
		}
	}
}

func TestLooksLikeFloat(t *testing.T) {
	for s, want := range map[string]bool{
		"9.14403001922038E+17": true,
		"9.14403001922038e+17": true,
		"9E+17":                true,
		"91330100799655058B":   false,
		"9.1E+":                false,
		"E+17":                 false,
		"":                     false,
	} {
		if got := looksLikeFloat(s); got != want {
			t.Errorf("looksLikeFloat(%q) = %v, want %v", s, got, want)
		}
	}
}
