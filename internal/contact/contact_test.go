package contact

import (
	"strings"
	"testing"
)

func TestNormalizeAndValidatePhone(t *testing.T) {
	tests := []struct {
		in, norm string
		valid    bool
	}{
		{"13812345678", "13812345678", true},
		{" 138 1234 5678 ", "13812345678", true},
		{"+86 13812345678", "13812345678", true},
		{"0086-13812345678", "13812345678", true},
		{"１３８１２３４５６７８", "13812345678", true},
		{"0571-87654321", "0571-87654321", true},
		{"(0571)87654321", "057187654321", true},
		{"0571－87654321－801", "0571-87654321-801", true},
		{"12812345678", "12812345678", false},
		{"1381234567", "1381234567", false},
		{"138123456789", "138123456789", false},
		{"0571-8765", "0571-8765", false},
		{"电话13812345678", "电话13812345678", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got := NormalizePhone(tt.in)
		if got != tt.norm {
			t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.norm)
		}
		if rule := ValidatePhone(got); (rule == "") != tt.valid {
			t.Errorf("ValidatePhone(%q) = %q, want valid=%v", got, rule, tt.valid)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13812345678":       "138****5678",
		"0571-87654321":     "0571-****4321",
		"0571-87654321-801": "0571-****4321",
		"057187654321":      "0571****4321",
		"12":                "**",
		"":                  "",
	} {
		got := MaskPhone(in)
		if got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
		if in != "" && len(in) > 4 && !IsMaskedPhone(got) {
			t.Errorf("IsMaskedPhone(%q) = false", got)
		}
	}
}

func TestEmail(t *testing.T) {
	for in, valid := range map[string]bool{
		"wang@example.cn":       true,
		"li.na+trade@hz.gov.cn": true,
		"王丽 <wang@example.cn>":  false,
		"wang@localhost":        false,
		"wang":                  false,
		"":                      false,
	} {
		if got := ValidateEmail(in) == ""; got != valid {
			t.Errorf("ValidateEmail(%q) valid = %v, want %v", in, got, valid)
		}
	}
	if got := MaskEmail("wang@example.cn"); got != "w***@example.cn" {
		t.Errorf("MaskEmail = %q", got)
	}
	if !IsMaskedEmail(MaskEmail("wang@example.cn")) {
		t.Error("IsMaskedEmail(MaskEmail(x)) = false")
	}
}

// FuzzPhone checks that normalizing is idempotent, validation never panics,
// and a valid phone's mask hides its middle digits.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138 1234 5678", "0571-87654321-801", "（0571）87654321", "", "—"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizePhone(s)
		if NormalizePhone(n) != n {
			t.Fatalf("NormalizePhone not idempotent on %q: %q then %q", s, n, NormalizePhone(n))
		}
		if ValidatePhone(n) == "" {
			m := MaskPhone(n)
			if m == n || !IsMaskedPhone(m) {
				t.Fatalf("MaskPhone(%q) = %q does not mask", n, m)
			}
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, m)
			if len(digits) > 8 {
				t.Fatalf("MaskPhone(%q) = %q shows %d digits", n, m, len(digits))
			}
		}
	})
}
