package refdata

import (
	"strings"
	"testing"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

func TestLabel(t *testing.T) {
	if got := Label(commonv1.District_DISTRICT_XIAOSHAN); got != "萧山区" {
		t.Errorf("Label(XIAOSHAN) = %q", got)
	}
	if got := Label(commonv1.District(99)); got != "99" {
		t.Errorf("Label(undefined) = %q, want the number", got)
	}
}

func TestEveryEnumValueHasAChineseLabel(t *testing.T) {
	fd := commonv1.File_qihang_common_v1_common_proto
	for i := 0; i < fd.Enums().Len(); i++ {
		ed := fd.Enums().Get(i)
		for _, c := range EnumCodes(ed) {
			if c.Label == c.Code {
				t.Errorf("%s.%s has no label", ed.Name(), c.Code)
			}
		}
	}
	if n := len(EnumCodes(commonv1.District(0).Descriptor())); n != 13 {
		t.Errorf("Hangzhou has 13 county-level divisions, contract lists %d", n)
	}
}

func TestParseEnum(t *testing.T) {
	ed := commonv1.District(0).Descriptor()
	for _, in := range []string{"萧山区", "DISTRICT_XIAOSHAN", "xiaoshan", " 萧山区 "} {
		n, ok := ParseEnum(ed, in)
		if !ok || commonv1.District(n) != commonv1.District_DISTRICT_XIAOSHAN {
			t.Errorf("ParseEnum(%q) = %v, %v", in, n, ok)
		}
	}
	for _, in := range []string{"", "未指定", "UNSPECIFIED", "萧山", "DISTRICT_NOWHERE"} {
		if n, ok := ParseEnum(ed, in); ok {
			t.Errorf("ParseEnum(%q) = %v, want no match", in, n)
		}
	}
}

func TestMarkets(t *testing.T) {
	if n := len(Markets()); n != 249 {
		t.Errorf("ISO 3166-1 assigns 249 alpha-2 codes, have %d", n)
	}
	for in, want := range map[string]string{"us": "US", "UK": "GB", "美国": "US", "德国": "DE", "中国台湾": "TW", " jp ": "JP"} {
		if got, ok := ParseMarket(in); !ok || got != want {
			t.Errorf("ParseMarket(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"EU", "XX", "", "USA", "美"} {
		if got, ok := ParseMarket(in); ok {
			t.Errorf("ParseMarket(%q) = %q, want no match", in, got)
		}
	}
	if MarketName("DE") != "德国" {
		t.Errorf("MarketName(DE) = %q", MarketName("DE"))
	}
}

func TestValidateHSCode(t *testing.T) {
	tests := []struct {
		code, want string
	}{
		{"620442", ""},
		{"6204420000", ""},
		{"85176299", ""},
		{"62044", "6至10位"},
		{"62044200001", "6至10位"},
		{"62O442", "非数字"},
		{"000000", "章号"},
		{"980000", "章号"},
		{"770000", "章号"},
	}
	for _, tt := range tests {
		got := ValidateHSCode(tt.code)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("ValidateHSCode(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func FuzzValidateHSCode(f *testing.F) {
	for _, s := range []string{"620442", "6204420000", "x", "", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateHSCode(s) == "" {
			if len(s) < 6 || len(s) > 10 || strings.Trim(s, "0123456789") != "" {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}
