package uscc

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		wantRule string // substring of the rule; empty means valid
	}{
		{name: "valid company code", code: "91330100799655058B"},
		{name: "valid code with numeric check", code: "914403001922038216"},
		{name: "valid social organisation code", code: "51330100" + "501234567"[:9] + checkFor(t, "51330100501234567")},
		{name: "check character outside the alphabet", code: "91350100M000100Y4Z", wantRule: "第18位"},
		{name: "wrong check character", code: "91350100M000100Y4A", wantRule: "校验位"},
		{name: "one digit mistyped", code: "91330100799655059B", wantRule: "校验位"},
		{name: "empty", code: "", wantRule: "不能为空"},
		{name: "too short", code: "9133010079965505", wantRule: "18位"},
		{name: "too long", code: "91330100799655058BB", wantRule: "18位"},
		{name: "forbidden letter I", code: "91330100I99655058B", wantRule: "第9位"},
		{name: "lower case is not normalized here", code: "91330100799655058b", wantRule: "第18位"},
		{name: "letter in division code", code: "9133A100799655058B", wantRule: "行政区划码"},
		{name: "full-width digits", code: "９１330100799655058", wantRule: "18位"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.code)
			if tt.wantRule == "" {
				if err != nil {
					t.Fatalf("Validate(%q) = %v, want valid", tt.code, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%q) = nil, want error containing %q", tt.code, tt.wantRule)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *uscc.Error", err)
			}
			if !strings.Contains(e.Rule, tt.wantRule) {
				t.Errorf("rule %q does not mention %q", e.Rule, tt.wantRule)
			}
		})
	}
}

func checkFor(t *testing.T, first17 string) string {
	t.Helper()
	c, ok := CheckChar(first17)
	if !ok {
		t.Fatalf("CheckChar(%q) failed", first17)
	}
	return string(c)
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		" 91330100799655058b ":       "91330100799655058B",
		"\u300091330100799655058B\t": "91330100799655058B",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckCharAgreesWithValidate(t *testing.T) {
	for _, code := range []string{"91330100799655058B", "914403001922038216"} {
		c, ok := CheckChar(code[:17])
		if !ok || c != code[17] {
			t.Errorf("CheckChar(%q) = %q, %v; want %q", code[:17], c, ok, code[17])
		}
	}
	if _, ok := CheckChar("9133010079965505I"); ok {
		t.Error("CheckChar accepted a forbidden letter")
	}
}

// FuzzValidate checks that Validate never panics, accepts only 18-character
// codes over the alphabet, and that every accepted code stops validating when
// its check character changes.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"91330100799655058B", "914403001922038216", "91350100M000100Y4Z", "", "ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := Validate(s)
		if err == nil {
			if len(s) != Length {
				t.Fatalf("accepted %q of length %d", s, len(s))
			}
			for i := 0; i < len(s); i++ {
				if strings.IndexByte(alphabet, s[i]) < 0 {
					t.Fatalf("accepted %q with character %q", s, s[i])
				}
			}
			for _, c := range []byte(alphabet) {
				if c == s[Length-1] {
					continue
				}
				if Valid(s[:Length-1] + string(c)) {
					t.Fatalf("%q and a different check character %q both valid", s, c)
				}
			}
		}
		if Valid(Normalize(s)) != (Validate(Normalize(s)) == nil) {
			t.Fatal("Valid and Validate disagree")
		}
	})
}
