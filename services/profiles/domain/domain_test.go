package domain

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
)

func validFirm() *Firm {
	export := int64(12_000_000_00)
	return &Firm{
		USCC: " 91330100799655058b ", Name: " 杭州雅琪服饰有限公司 ", District: commonv1.District_DISTRICT_XIAOSHAN,
		Industry: commonv1.Industry_INDUSTRY_APPAREL, HSCodes: []string{"6204.42", "620442", "610910"},
		AnnualExportValueFen: &export, TargetMarkets: []string{"us", "德国", "UK"},
		Platforms: []commonv1.SalesPlatform{commonv1.SalesPlatform_SALES_PLATFORM_AMAZON, commonv1.SalesPlatform_SALES_PLATFORM_AMAZON},
		Contacts:  []Contact{{Name: "王丽", Phone: "+86 138 1234 5678"}},
		Website:   "https://yaqi.example.com",
	}
}

func TestNormalizeFirm(t *testing.T) {
	f := validFirm()
	NormalizeFirm(f)
	if f.USCC != "91330100799655058B" || f.Name != "杭州雅琪服饰有限公司" {
		t.Errorf("identity not normalized: %q %q", f.USCC, f.Name)
	}
	if diff := cmp.Diff([]string{"620442", "610910"}, f.HSCodes); diff != "" {
		t.Errorf("hs codes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"US", "DE", "GB"}, f.TargetMarkets); diff != "" {
		t.Errorf("markets (-want +got):\n%s", diff)
	}
	if len(f.Platforms) != 1 || f.Contacts[0].Phone != "13812345678" {
		t.Errorf("platforms %v phone %q", f.Platforms, f.Contacts[0].Phone)
	}
	if v := ValidateFirm(f); v.Err() != nil {
		t.Errorf("normalized valid firm rejected: %v", v)
	}
}

func TestValidateFirmNamesEveryBrokenField(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Firm)
		fields []string
	}{
		{"bad check character", func(f *Firm) { f.USCC = "91330100799655059B" }, []string{"uscc"}},
		{"missing name and district", func(f *Firm) { f.Name, f.District = "", 0 }, []string{"name", "district"}},
		{"unknown district number", func(f *Firm) { f.District = 42 }, []string{"district"}},
		{"short HS code", func(f *Firm) { f.HSCodes = []string{"620442", "6204"} }, []string{"hs_codes[1]"}},
		{"reserved HS chapter", func(f *Firm) { f.HSCodes = []string{"770000"} }, []string{"hs_codes[0]"}},
		{"unknown platform", func(f *Firm) { f.Platforms = []commonv1.SalesPlatform{999} }, []string{"platforms[0]"}},
		{"unspecified need", func(f *Firm) { f.Needs = []commonv1.NeedTag{0} }, []string{"needs[0]"}},
		{"market not ISO", func(f *Firm) { f.TargetMarkets = []string{"XX"} }, []string{"target_markets[0]"}},
		{"negative export value", func(f *Firm) { v := int64(-1); f.AnnualExportValueFen = &v }, []string{"annual_export_value_fen"}},
		{"bad phone and email", func(f *Firm) { f.Contacts = []Contact{{Name: "王", Phone: "12345", Email: "x@"}} }, []string{"contacts[0].phone", "contacts[0].email"}},
		{"contact without a way to reach", func(f *Firm) { f.Contacts = []Contact{{Name: "王"}} }, []string{"contacts[0].phone"}},
		{"masked phone sent back", func(f *Firm) { f.Contacts = []Contact{{Name: "王", Phone: "138****5678"}} }, []string{"contacts[0].phone"}},
		{"too many contacts", func(f *Firm) {
			f.Contacts = slices.Repeat([]Contact{{Name: "王", Phone: "13812345678"}}, 6)
		}, []string{"contacts"}},
		{"ftp website", func(f *Firm) { f.Website = "ftp://x.example.com" }, []string{"website"}},
		{"huge products", func(f *Firm) { f.MainProducts = strings.Repeat("布", MaxProductsRunes+1) }, []string{"main_products"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFirm()
			NormalizeFirm(f)
			tt.mutate(f)
			v := ValidateFirm(f)
			var got []string
			for _, fv := range v.Violations {
				got = append(got, fv.Field)
				if fv.Description == "" {
					t.Errorf("%s: empty rule", fv.Field)
				}
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateAssociation(t *testing.T) {
	a := &Association{
		USCC: "91330100799655058B", Name: "杭州市服装行业协会", Type: profilesv1.AssociationType_ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION,
		District: commonv1.District_DISTRICT_SHANGCHENG, Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL},
	}
	if err := ValidateAssociation(a).Err(); err != nil {
		t.Fatalf("valid association rejected: %v", err)
	}
	a.Industries, a.Type, a.MemberCount = nil, 0, -3
	var got []string
	for _, fv := range ValidateAssociation(a).Violations {
		got = append(got, fv.Field)
	}
	if diff := cmp.Diff([]string{"type", "industries", "member_count"}, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

func TestCheckMask(t *testing.T) {
	if v := CheckMask("update_mask", []string{"name", "stage"}, FirmPatchPaths()); v.Err() != nil {
		t.Errorf("valid mask rejected: %v", v)
	}
	for _, bad := range [][]string{nil, {"memberships"}, {"nme"}, {"create_time"}} {
		if CheckMask("update_mask", bad, FirmPatchPaths()).Err() == nil {
			t.Errorf("mask %v accepted", bad)
		}
	}
}

func TestApplyFirmPatchKeepsMaskedContacts(t *testing.T) {
	stored := validFirm()
	NormalizeFirm(stored)
	stored.Contacts = append(stored.Contacts, Contact{Name: "李强", Phone: "0571-87654321", Email: "li@example.com"})
	patch := &Firm{Contacts: []Contact{
		{Name: "王丽", Title: "总经理", Phone: "138****5678"},
		{Name: "李强", Phone: "0571-****4321", Email: "l***@example.com"},
		{Name: "新人", Phone: "13900001111"},
	}, Stage: commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS}
	got := stored.Clone()
	ApplyFirmPatch(got, patch, []string{"contacts"})
	want := []Contact{
		{Name: "王丽", Title: "总经理", Phone: "13812345678"},
		{Name: "李强", Phone: "0571-87654321", Email: "li@example.com"},
		{Name: "新人", Phone: "13900001111"},
	}
	if diff := cmp.Diff(want, got.Contacts); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	if got.Stage != stored.Stage {
		t.Error("a field outside the mask changed")
	}
	if !SameProfile(stored, stored.Clone()) || SameProfile(stored, got) {
		t.Error("SameProfile disagrees with the patch")
	}
}

func TestScopes(t *testing.T) {
	xs := commonv1.District_DISTRICT_XIAOSHAN
	f := &Firm{ID: "f1", District: xs, Memberships: []Membership{{AssociationID: "a1"}}}
	other := &Firm{ID: "f2", District: commonv1.District_DISTRICT_XIHU, Memberships: []Membership{{AssociationID: "a2"}}}
	principals := map[string]auth.Principal{
		"bureau":  {AccountID: "1", Role: auth.RoleBureauAdmin},
		"officer": {AccountID: "2", Role: auth.RoleDistrictOfficer, District: xs},
		"assoc":   {AccountID: "3", Role: auth.RoleAssociationAdmin, AssociationID: "a1"},
		"firm":    {AccountID: "4", Role: auth.RoleFirmUser, FirmID: "f1"},
		"expert":  {AccountID: "5", Role: auth.RoleExpert, ExpertID: "e1"},
		"anon":    {},
	}
	want := map[string][2]bool{ // read own, read other
		"bureau": {true, true}, "officer": {true, false}, "assoc": {true, false},
		"firm": {true, false}, "expert": {false, false}, "anon": {false, false},
	}
	for name, p := range principals {
		got := [2]bool{CanReadFirm(p, f), CanReadFirm(p, other)}
		if got != want[name] {
			t.Errorf("%s: read own/other = %v, want %v", name, got, want[name])
		}
		if FirmScopeFor(p).Empty() != (name == "expert" || name == "anon") {
			t.Errorf("%s: scope emptiness wrong", name)
		}
	}
	if CanEditFirm(principals["officer"], f) {
		t.Error("district officers only read")
	}
}
