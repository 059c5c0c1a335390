package eligibility

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

const (
	pass    = catalogv1.CriterionOutcome_CRITERION_OUTCOME_PASS
	fail    = catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL
	unknown = catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN
	errored = catalogv1.CriterionOutcome_CRITERION_OUTCOME_ERROR
)

// fullFirm is a Xiaoshan apparel exporter with every field filled in.
func fullFirm() *profilesv1.Firm {
	return &profilesv1.Firm{
		Id: "firm-1", Uscc: "91330100799655058B", Name: "杭州雅琪服饰有限公司", NameEn: "Yaqi Apparel",
		District: commonv1.District_DISTRICT_XIAOSHAN, Industry: commonv1.Industry_INDUSTRY_APPAREL,
		MainProducts: "女装连衣裙、针织衫", HsCodes: []string{"620442", "611030", "62044300"},
		RevenueBand:          commonv1.RevenueBand_REVENUE_BAND_20M_TO_100M,
		AnnualExportValueFen: proto.Int64(320_500_000), // 320.5万元
		EmployeesBand:        commonv1.EmployeesBand_EMPLOYEES_BAND_100_TO_299,
		Stage:                commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		Platforms:            []commonv1.SalesPlatform{commonv1.SalesPlatform_SALES_PLATFORM_AMAZON, commonv1.SalesPlatform_SALES_PLATFORM_SHEIN},
		TargetMarkets:        []string{"US", "DE"},
		Needs:                []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE},
		Memberships: []*profilesv1.Membership{
			{AssociationId: "assoc-1", AssociationName: "杭州市服装行业协会"}, {AssociationId: "assoc-2"},
		},
		Address: "杭州市萧山区新塘街道", Website: "https://yaqi.example.cn",
	}
}

func subjectOf(e *Engine, f *profilesv1.Firm) *Subject {
	return e.NewSubject(f, Facts(f, map[string]bool{"assoc-1": true}, []string{"belt-xiaoshan-apparel"}))
}

// compileCEL compiles expr with the native evaluator off, so it runs on CEL.
func compileCEL(t testing.TB, e *Engine, expr string) *Compiled {
	t.Helper()
	c, issues := e.Compile(expr)
	if c == nil {
		t.Fatalf("Compile(%q): %v", expr, issues)
	}
	c.native = nil
	return c
}

func paths(refs []*catalogv1.FieldRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.GetPath())
	}
	return out
}

func TestEvaluateOneOutcomes(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct {
		name        string
		mutate      func(*profilesv1.Firm)
		expr        string
		want        catalogv1.CriterionOutcome
		wantMissing []string
		wantValue   string // checked when not empty
	}{
		{name: "export value above the threshold passes", expr: "facts.annual_export_value_wan_yuan >= 300",
			want: pass, wantValue: "上年出口额：320万元"},
		{name: "export value below the threshold fails", expr: "facts.annual_export_value_wan_yuan >= 500", want: fail},
		{name: "unset export value is unknown",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil },
			expr:   "facts.annual_export_value_wan_yuan >= 500", want: unknown,
			wantMissing: []string{"firm.annual_export_value_fen"}, wantValue: "上年出口额：未填写"},
		{name: "unset export value in fen is unknown",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil },
			expr:   "firm.annual_export_value_fen >= 500000000", want: unknown,
			wantMissing: []string{"firm.annual_export_value_fen"}},
		{name: "zero export value is known",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = proto.Int64(0) },
			expr:   "firm.annual_export_value_fen > 0", want: fail, wantValue: "上年出口额：0万元"},
		{name: "UNSPECIFIED stage is unknown",
			mutate: func(f *profilesv1.Firm) { f.Stage = 0 },
			expr:   "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER", want: unknown,
			wantMissing: []string{"firm.stage"}, wantValue: "跨境电商阶段：未填写"},
		{name: "stage NONE is known",
			mutate: func(f *profilesv1.Firm) { f.Stage = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE },
			expr:   "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER", want: fail, wantValue: "跨境电商阶段：尚未开展"},
		{name: "exporting derived from an unknown stage is unknown",
			mutate: func(f *profilesv1.Firm) { f.Stage = 0 },
			expr:   "facts.exporting", want: unknown, wantMissing: []string{"firm.stage"}, wantValue: "已跨境出单：未填写"},
		{name: "exporting", expr: "facts.exporting", want: pass, wantValue: "已跨境出单：是"},
		{name: "empty platforms are unknown",
			mutate: func(f *profilesv1.Firm) { f.Platforms = nil },
			expr:   "SalesPlatform.SALES_PLATFORM_AMAZON in firm.platforms", want: unknown,
			wantMissing: []string{"firm.platforms"}, wantValue: "销售平台：未填写"},
		{name: "empty platforms before any store mean none",
			mutate: func(f *profilesv1.Firm) {
				f.Platforms = nil
				f.Stage = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING
			},
			expr: "SalesPlatform.SALES_PLATFORM_AMAZON in firm.platforms", want: fail, wantValue: "销售平台：无"},
		{name: "exists over empty platforms is unknown",
			mutate: func(f *profilesv1.Firm) { f.Platforms = nil },
			expr:   "firm.platforms.exists(p, p == SalesPlatform.SALES_PLATFORM_TEMU)", want: unknown,
			wantMissing: []string{"firm.platforms"}},
		{name: "platform labels", expr: "SalesPlatform.SALES_PLATFORM_AMAZON in firm.platforms",
			want: pass, wantValue: "销售平台：亚马逊、SHEIN"},
		{name: "size of platforms", expr: "size(firm.platforms) >= 3", want: fail},
		{name: "HS chapters derived from empty HS codes are unknown",
			mutate: func(f *profilesv1.Firm) { f.HsCodes = nil },
			expr:   "'62' in facts.hs_chapters", want: unknown, wantMissing: []string{"firm.hs_codes"}, wantValue: "HS章号：未填写"},
		{name: "HS chapters without duplicates", expr: "facts.hs_chapters.exists(c, c in ['61', '63'])",
			want: pass, wantValue: "HS章号：62、61"},
		{name: "belts are unknown when the district is, naming only the district",
			mutate: func(f *profilesv1.Firm) { f.District = 0 },
			expr:   "size(facts.industry_belt_ids) > 0", want: unknown, wantMissing: []string{"firm.district"}},
		{name: "belts", expr: "'belt-xiaoshan-apparel' in facts.industry_belt_ids", want: pass,
			wantValue: "所在产业带：belt-xiaoshan-apparel"},
		{name: "empty string is unknown",
			mutate: func(f *profilesv1.Firm) { f.MainProducts = "" },
			expr:   "firm.main_products.contains('羽绒')", want: unknown,
			wantMissing: []string{"firm.main_products"}, wantValue: "主营产品：未填写"},
		{name: "empty markets are unknown",
			mutate: func(f *profilesv1.Firm) { f.TargetMarkets = nil },
			expr:   "'US' in firm.target_markets", want: unknown, wantMissing: []string{"firm.target_markets"}},
		{name: "market names", expr: "firm.target_markets.exists(m, m in ['US', 'GB'])", want: pass,
			wantValue: "目标市场：美国、德国"},
		{name: "empty needs are unknown",
			mutate: func(f *profilesv1.Firm) { f.Needs = nil },
			expr:   "NeedTag.NEED_TAG_LOGISTICS in firm.needs", want: unknown, wantMissing: []string{"firm.needs"}},
		{name: "need labels", expr: "NeedTag.NEED_TAG_LOGISTICS in firm.needs", want: fail, wantValue: "需求：海外仓"},
		{name: "UNSPECIFIED employees band is unknown",
			mutate: func(f *profilesv1.Firm) { f.EmployeesBand = 0 },
			expr:   "firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_100_TO_299", want: unknown,
			wantMissing: []string{"firm.employees_band"}, wantValue: "员工人数：未填写"},
		{name: "false && unknown fails",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil },
			expr:   "firm.stage == CrossBorderStage.CROSS_BORDER_STAGE_NONE && facts.annual_export_value_wan_yuan >= 1", want: fail,
			wantValue: "跨境电商阶段：已出单；上年出口额：未填写"},
		{name: "true || unknown passes",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil },
			expr:   "facts.annual_export_value_wan_yuan >= 1000 || firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER", want: pass,
			wantValue: "上年出口额：未填写；跨境电商阶段：已出单"},
		{name: "literal false && unknown fails",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil },
			expr:   "false && facts.annual_export_value_wan_yuan >= 1", want: fail},
		{name: "literal true || unknown passes",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil },
			expr:   "true || facts.annual_export_value_wan_yuan >= 1", want: pass},
		{name: "unknown || false is unknown",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil },
			expr:   "facts.annual_export_value_wan_yuan >= 1000 || firm.stage == CrossBorderStage.CROSS_BORDER_STAGE_NONE", want: unknown,
			wantMissing: []string{"firm.annual_export_value_fen"}},
		{name: "missing names only the unknowns the result depends on",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil; f.Stage = 0 },
			expr:   "(firm.stage == CrossBorderStage.CROSS_BORDER_STAGE_NONE && false) || facts.annual_export_value_wan_yuan >= 1", want: unknown,
			wantMissing: []string{"firm.annual_export_value_fen"}},
		{name: "two unknowns name both",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil; f.Stage = 0 },
			expr:   "facts.annual_export_value_wan_yuan >= 1 || firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER", want: unknown,
			wantMissing: []string{"firm.annual_export_value_fen", "firm.stage"}},
		{name: "negated unknown is unknown",
			mutate: func(f *profilesv1.Firm) { f.Stage = 0 },
			expr:   "!facts.exporting", want: unknown, wantMissing: []string{"firm.stage"}},
		{name: "has() on an unknown field is unknown",
			mutate: func(f *profilesv1.Firm) { f.AnnualExportValueFen = nil },
			expr:   "has(firm.annual_export_value_fen)", want: unknown, wantMissing: []string{"firm.annual_export_value_fen"}},
		{name: "has() on a known field", expr: "has(firm.annual_export_value_fen)", want: pass},
		{name: "runtime error", expr: "1 / (firm.employees_band - firm.employees_band) == 1", want: errored},
		{name: "programme member", expr: "facts.programme_member", want: pass, wantValue: "百社千企协会会员：是"},
		{name: "association names where known", expr: "'assoc-2' in facts.association_ids", want: pass,
			wantValue: "所属协会：杭州市服装行业协会、assoc-2"},
		{name: "no association is known",
			mutate: func(f *profilesv1.Firm) { f.Memberships = nil },
			expr:   "'assoc-1' in facts.association_ids", want: fail, wantValue: "所属协会：无"},
		{name: "export value in fen shown in wan yuan", expr: "firm.annual_export_value_fen >= 300000000", want: pass,
			wantValue: "上年出口额：320.5万元"},
		{name: "one label shown once", expr: "firm.annual_export_value_fen > 0 && facts.annual_export_value_wan_yuan > 0",
			want: pass, wantValue: "上年出口额：320.5万元"},
		{name: "enum labels", expr: "firm.district == District.DISTRICT_XIAOSHAN && firm.revenue_band >= RevenueBand.REVENUE_BAND_5M_TO_20M",
			want: pass, wantValue: "所在区县：萧山区；营业收入：2000万-1亿元"},
		{name: "constant reads no field", expr: "true", want: pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			firm := fullFirm()
			if tt.mutate != nil {
				tt.mutate(firm)
			}
			s := subjectOf(e, firm)
			c, issues := e.Compile(tt.expr)
			if c == nil {
				t.Fatalf("Compile: %v", issues)
			}
			got := e.EvaluateOne(context.Background(), s, c)
			if got.GetOutcome() != tt.want {
				t.Errorf("outcome = %v, want %v (%v)", got.GetOutcome(), tt.want, got)
			}
			if diff := cmp.Diff(tt.wantMissing, paths(got.GetMissingFields())); diff != "" {
				t.Errorf("missing fields (-want +got):\n%s", diff)
			}
			if tt.wantValue != "" && got.GetFirmValue() != tt.wantValue {
				t.Errorf("firm value = %q, want %q", got.GetFirmValue(), tt.wantValue)
			}
			if got.GetExpression() != tt.expr {
				t.Errorf("expression = %q", got.GetExpression())
			}
			if tt.want == errored && !strings.HasPrefix(got.GetError(), "表达式运行出错：") {
				t.Errorf("error = %q", got.GetError())
			}
			// CEL, partial where needed, must agree with the native evaluator.
			viaCEL := e.EvaluateOne(context.Background(), s, compileCEL(t, e, tt.expr))
			if diff := cmp.Diff(got, viaCEL, protocmp.Transform()); diff != "" {
				t.Errorf("native and CEL differ (-native +CEL):\n%s", diff)
			}
		})
	}
}

// randomFirm fills each field at random, often leaving it unknown.
func randomFirm(r *rand.Rand) *profilesv1.Firm {
	f := &profilesv1.Firm{}
	maybe := func() bool { return r.IntN(3) > 0 }
	if maybe() {
		f.District = commonv1.District(1 + r.IntN(13))
	}
	if maybe() {
		f.Industry = []commonv1.Industry{1, 3, 6, 99}[r.IntN(4)]
	}
	f.Stage = commonv1.CrossBorderStage(r.IntN(7))
	f.RevenueBand = commonv1.RevenueBand(r.IntN(6))
	f.EmployeesBand = commonv1.EmployeesBand(r.IntN(6))
	if maybe() {
		f.AnnualExportValueFen = proto.Int64([]int64{0, 99_999_999, 320_500_000, 500_000_000, 10_000_000_000}[r.IntN(5)])
	}
	subset := func(from []string) []string {
		var out []string
		for _, s := range from {
			if r.IntN(2) == 0 {
				out = append(out, s)
			}
		}
		return out
	}
	f.HsCodes = subset([]string{"620442", "611030", "950300", "090210"})
	f.TargetMarkets = subset([]string{"US", "DE", "MY", "JP"})
	for _, p := range []commonv1.SalesPlatform{1, 4, 5, 6, 99} {
		if r.IntN(3) == 0 {
			f.Platforms = append(f.Platforms, p)
		}
	}
	for _, n := range []commonv1.NeedTag{1, 4, 9} {
		if r.IntN(3) == 0 {
			f.Needs = append(f.Needs, n)
		}
	}
	for _, a := range subset([]string{"assoc-1", "assoc-2", "assoc-3"}) {
		f.Memberships = append(f.Memberships, &profilesv1.Membership{AssociationId: a})
	}
	if maybe() {
		f.Name = "杭州某某有限公司"
	}
	if maybe() {
		f.MainProducts = "羽绒服"
	}
	if maybe() {
		f.Uscc = "91330100799655058B"
	}
	return f
}

// The native evaluator must give exactly CEL's results: outcome, missing
// fields and firm value, on many subjects and every shape it handles.
func TestNativeEvaluatorAgreesWithCEL(t *testing.T) {
	e := newTestEngine(t, Options{})
	exprs := []string{
		"firm.stage != CrossBorderStage.CROSS_BORDER_STAGE_NONE",
		"CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER <= firm.stage",
		"500 < facts.annual_export_value_wan_yuan",
		"firm.annual_export_value_fen == 0",
		"firm.district in [District.DISTRICT_XIAOSHAN, District.DISTRICT_BINJIANG]",
		"!(firm.industry in [Industry.INDUSTRY_APPAREL]) || facts.programme_member",
		"firm.name == '杭州某某有限公司' && firm.uscc != ''",
		"firm.platforms.size() > 1 && size(firm.target_markets) < 3",
		"firm.platforms.all(p, p in [SalesPlatform.SALES_PLATFORM_AMAZON, SalesPlatform.SALES_PLATFORM_TEMU])",
		"firm.target_markets.all(m, m == 'US')",
		"facts.hs_chapters.exists(c, '95' == c) || !facts.exporting",
		"'assoc-2' in facts.association_ids && !('assoc-3' in facts.association_ids)",
		"(firm.revenue_band >= RevenueBand.REVENUE_BAND_20M_TO_100M || firm.employees_band >= 3) && firm.stage > 2",
		"NeedTag.NEED_TAG_FINANCING in firm.needs || 9 in firm.needs",
		"size(facts.industry_belt_ids) == 0 || facts.exporting && facts.programme_member",
		"false || !true || firm.stage < 3",
	}
	for _, ex := range examples {
		exprs = append(exprs, ex.expression)
	}
	for _, rules := range benchPolicies(t, e, 100) {
		for _, r := range rules.Criteria {
			exprs = append(exprs, r.Compiled.Expression)
		}
	}
	type pair struct{ native, cel *Compiled }
	var pairs []pair
	for _, x := range exprs {
		c, issues := e.Compile(x)
		if c == nil {
			t.Fatalf("Compile(%q): %v", x, issues)
		}
		if c.native != nil {
			pairs = append(pairs, pair{c, compileCEL(t, e, x)})
		}
	}
	if len(pairs) < 100 {
		t.Fatalf("only %d expressions ran natively", len(pairs))
	}
	r := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	outcomes := map[catalogv1.CriterionOutcome]int{}
	for range 300 {
		firm := randomFirm(r)
		s := e.NewSubject(firm, Facts(firm, map[string]bool{"assoc-1": true}, []string{"belt-1"}))
		for _, p := range pairs {
			n, c := e.EvaluateOne(ctx, s, p.native), e.EvaluateOne(ctx, s, p.cel)
			outcomes[n.GetOutcome()]++
			if !proto.Equal(c, n) {
				t.Fatalf("%q on %v: (-CEL +native):\n%s", p.native.Expression, firm, cmp.Diff(c, n, protocmp.Transform()))
			}
		}
	}
	if outcomes[pass] == 0 || outcomes[fail] == 0 || outcomes[unknown] == 0 {
		t.Errorf("outcomes not all exercised: %v", outcomes)
	}
}

func TestRuntimeCostLimit(t *testing.T) {
	for _, expr := range []string{
		"firm.target_markets.exists(m, m.startsWith('X'))",
		"firm.target_markets.exists(m, m in ['XX'])", // native shape
	} {
		t.Run(expr, func(t *testing.T) {
			c0, _ := newTestEngine(t, Options{}).Compile(expr)
			// The static estimate (for at most 50 markets) is exactly the limit.
			e := newTestEngine(t, Options{CostLimit: c0.CostEstimate})
			c, issues := e.Compile(expr)
			if c == nil {
				t.Fatalf("Compile: %v", issues)
			}
			within := fullFirm()
			got := e.EvaluateOne(context.Background(), subjectOf(e, within), c)
			if got.GetOutcome() != fail {
				t.Errorf("within the bounds: %v", got)
			}
			beyond := fullFirm()
			beyond.TargetMarkets = nil
			for i := range 500 {
				beyond.TargetMarkets = append(beyond.TargetMarkets, fmt.Sprintf("%c%c", 'A'+i/26%26, 'A'+i%26))
			}
			got = e.EvaluateOne(context.Background(), subjectOf(e, beyond), c)
			if got.GetOutcome() != errored || got.GetError() != "超出计算成本上限" {
				t.Errorf("beyond the bounds: %v", got)
			}
		})
	}
}

func TestTimeLimit(t *testing.T) {
	e := newTestEngine(t, Options{})
	rules, verr := e.CompilePolicy(&catalogv1.Policy{
		Districts: districts(5),
		Criteria:  []*catalogv1.Criterion{{Description: "已出单", Expression: "facts.exporting"}},
	})
	if verr != nil {
		t.Fatal(verr)
	}
	s := subjectOf(e, fullFirm())

	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	results, verdict := e.Evaluate(expired, s, rules)
	if results[0].GetOutcome() != pass || results[1].GetOutcome() != errored || results[1].GetError() != "评估超时" {
		t.Errorf("after the deadline: %v", results)
	}
	if verdict != catalogv1.Verdict_VERDICT_UNDETERMINED {
		t.Errorf("verdict = %v", verdict)
	}

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	results, _ = e.Evaluate(cancelled, s, rules)
	if results[1].GetError() != "评估已取消" {
		t.Errorf("cancelled: %v", results[1])
	}
}

// A criterion running when the deadline passes is interrupted.
func TestTimeLimitInterruptsALongEvaluation(t *testing.T) {
	e := newTestEngine(t, Options{CostLimit: 1 << 40})
	c, issues := e.Compile("firm.target_markets.all(a, firm.target_markets.all(b, a != b || a == b))")
	if c == nil {
		t.Fatal(issues)
	}
	firm := fullFirm()
	firm.TargetMarkets = nil
	for i := range 20_000 { // 400 million iterations
		firm.TargetMarkets = append(firm.TargetMarkets, fmt.Sprint(i))
	}
	s := e.NewSubject(firm, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	got := e.EvaluateOne(ctx, s, c)
	if got.GetOutcome() != errored || got.GetError() != "评估超时" {
		t.Errorf("got %v", got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

func districts(ds ...commonv1.District) []commonv1.District { return ds }

func TestImplicitCriteria(t *testing.T) {
	e := newTestEngine(t, Options{})
	rules, verr := e.CompilePolicy(&catalogv1.Policy{
		Districts:  []commonv1.District{commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_BINJIANG, commonv1.District_DISTRICT_XIAOSHAN},
		Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL},
		Stages:     []commonv1.CrossBorderStage{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING},
		Criteria:   []*catalogv1.Criterion{{Id: "member", Description: "协会会员", Expression: "facts.programme_member"}},
	})
	if verr != nil {
		t.Fatal(verr)
	}
	firm := fullFirm()
	firm.Industry = 0
	results, verdict := e.Evaluate(context.Background(), subjectOf(e, firm), rules)
	want := []*catalogv1.CriterionResult{
		{CriterionId: "_district", Description: "适用区县：萧山区、滨江区",
			Expression: "firm.district in [District.DISTRICT_XIAOSHAN, District.DISTRICT_BINJIANG]",
			Outcome:    pass, FirmValue: "所在区县：萧山区"},
		{CriterionId: "_industry", Description: "适用行业：服装服饰",
			Expression: "firm.industry in [Industry.INDUSTRY_APPAREL]",
			Outcome:    unknown, FirmValue: "所属行业：未填写",
			MissingFields: []*catalogv1.FieldRef{{Path: "firm.industry", Label: "所属行业"}}},
		{CriterionId: "_stage", Description: "适用阶段：尚未开展、了解探索中",
			Expression: "firm.stage in [CrossBorderStage.CROSS_BORDER_STAGE_NONE, CrossBorderStage.CROSS_BORDER_STAGE_EXPLORING]",
			Outcome:    fail, FirmValue: "跨境电商阶段：已出单"},
		{CriterionId: "member", Description: "协会会员", Expression: "facts.programme_member",
			Outcome: pass, FirmValue: "百社千企协会会员：是"},
	}
	if diff := cmp.Diff(want, results, protocmp.Transform()); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if verdict != catalogv1.Verdict_VERDICT_NOT_ELIGIBLE {
		t.Errorf("verdict = %v", verdict)
	}
	// Each implicit generated expression means what the Go check does.
	for _, r := range results[:3] {
		c, issues := e.Compile(r.GetExpression())
		if c == nil {
			t.Fatalf("%s: %v", r.GetExpression(), issues)
		}
		if got := e.EvaluateOne(context.Background(), subjectOf(e, firm), c); got.GetOutcome() != r.GetOutcome() {
			t.Errorf("%s: CEL says %v, implicit check %v", r.GetExpression(), got.GetOutcome(), r.GetOutcome())
		}
	}

	// Only the lists the policy sets become criteria; hand-built rules work
	// too.
	hand := &PolicyRules{Stages: []commonv1.CrossBorderStage{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER}}
	results, verdict = e.Evaluate(context.Background(), subjectOf(e, fullFirm()), hand)
	if len(results) != 1 || results[0].GetCriterionId() != "_stage" || verdict != catalogv1.Verdict_VERDICT_ELIGIBLE {
		t.Errorf("stages only: %v %v", results, verdict)
	}
}

func TestEvaluatePolicyWithoutCriteriaIsEligible(t *testing.T) {
	e := newTestEngine(t, Options{})
	rules, _ := e.CompilePolicy(&catalogv1.Policy{})
	results, verdict := e.Evaluate(context.Background(), subjectOf(e, fullFirm()), rules)
	if len(results) != 0 || verdict != catalogv1.Verdict_VERDICT_ELIGIBLE {
		t.Errorf("got %v, %v", results, verdict)
	}
	if _, verdict := e.Evaluate(context.Background(), subjectOf(e, fullFirm()), nil); verdict != catalogv1.Verdict_VERDICT_ELIGIBLE {
		t.Errorf("nil rules: %v", verdict)
	}
}

func TestEvaluateManyMatchesEvaluate(t *testing.T) {
	e := newTestEngine(t, Options{})
	rules := benchPolicies(t, e, 700)
	rules = append(rules, nil)
	firm := benchFirm(true)
	s := subjectOf(e, firm)
	got := e.EvaluateMany(context.Background(), s, rules)
	if len(got) != len(rules) {
		t.Fatalf("%d results for %d policies", len(got), len(rules))
	}
	verdicts := map[catalogv1.Verdict]int{}
	for i, r := range rules {
		want, wantVerdict := e.Evaluate(context.Background(), s, r)
		if diff := cmp.Diff(want, got[i].Criteria, protocmp.Transform()); diff != "" || wantVerdict != got[i].Verdict {
			t.Fatalf("policy %d: verdict %v, want %v; (-want +got):\n%s", i, got[i].Verdict, wantVerdict, diff)
		}
		verdicts[got[i].Verdict]++
	}
	if len(verdicts) < 3 {
		t.Errorf("verdicts = %v, want a mix", verdicts)
	}
}

func outcomes(os ...catalogv1.CriterionOutcome) []*catalogv1.CriterionResult {
	var out []*catalogv1.CriterionResult
	for i, o := range os {
		out = append(out, &catalogv1.CriterionResult{CriterionId: fmt.Sprintf("c%d", i+1), Outcome: o})
	}
	return out
}

func TestCriteriaVerdict(t *testing.T) {
	tests := []struct {
		name    string
		results []*catalogv1.CriterionResult
		want    catalogv1.Verdict
	}{
		{"no criteria", nil, catalogv1.Verdict_VERDICT_ELIGIBLE},
		{"all pass", outcomes(pass, pass), catalogv1.Verdict_VERDICT_ELIGIBLE},
		{"an unknown", outcomes(pass, unknown), catalogv1.Verdict_VERDICT_LIKELY},
		{"an error beats unknowns", outcomes(unknown, errored, pass), catalogv1.Verdict_VERDICT_UNDETERMINED},
		{"a failure beats everything", outcomes(errored, unknown, fail, pass), catalogv1.Verdict_VERDICT_NOT_ELIGIBLE},
		{"an unspecified outcome is undetermined", outcomes(pass, 0), catalogv1.Verdict_VERDICT_UNDETERMINED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CriteriaVerdict(tt.results); got != tt.want {
				t.Errorf("CriteriaVerdict = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerdictReason(t *testing.T) {
	exportRef := &catalogv1.FieldRef{Path: "firm.annual_export_value_fen", Label: "上年出口额"}
	platformRef := &catalogv1.FieldRef{Path: "firm.platforms", Label: "销售平台"}
	mixed := []*catalogv1.CriterionResult{
		{CriterionId: "c1", Description: "上年跨境电商出口额不低于500万元", Outcome: unknown, MissingFields: []*catalogv1.FieldRef{exportRef}},
		{CriterionId: "c2", Description: "已入驻亚马逊", Outcome: unknown, MissingFields: []*catalogv1.FieldRef{platformRef, exportRef}},
		{CriterionId: "c3", Description: "协会会员", Outcome: pass},
	}
	tests := []struct {
		name       string
		verdict    catalogv1.Verdict
		results    []*catalogv1.CriterionResult
		openReason string
		want       string
	}{
		{"eligible", catalogv1.Verdict_VERDICT_ELIGIBLE, outcomes(pass, pass, pass, pass, pass), "", "全部5项条件均符合"},
		{"eligible without criteria", catalogv1.Verdict_VERDICT_ELIGIBLE, nil, "", "该政策没有资格条件限制"},
		{"likely names the missing fields", catalogv1.Verdict_VERDICT_LIKELY, mixed, "", "有2项条件待补充信息：上年出口额、销售平台"},
		{"not eligible names the failed criteria", catalogv1.Verdict_VERDICT_NOT_ELIGIBLE, []*catalogv1.CriterionResult{
			{Description: "上年跨境电商出口额不低于500万元", Outcome: fail}, {Description: "协会会员", Outcome: pass},
		}, "", "不符合1项条件：上年跨境电商出口额不低于500万元"},
		{"several failures", catalogv1.Verdict_VERDICT_NOT_ELIGIBLE, []*catalogv1.CriterionResult{
			{Description: "适用区县：萧山区", Outcome: fail}, {Expression: "facts.exporting", Outcome: fail},
		}, "", "不符合2项条件：适用区县：萧山区；facts.exporting"},
		{"undetermined says why", catalogv1.Verdict_VERDICT_UNDETERMINED, []*catalogv1.CriterionResult{
			{Description: "出口编码", Outcome: errored, Error: "超出计算成本上限"}, {Description: "协会会员", Outcome: pass},
		}, "", "有1项条件无法判定：出口编码（超出计算成本上限）"},
		{"not open gives the open reason", catalogv1.Verdict_VERDICT_NOT_OPEN, mixed, "申报期自2025年3月1日开始", "申报期自2025年3月1日开始"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerdictReason(tt.verdict, tt.results, tt.openReason); got != tt.want {
				t.Errorf("VerdictReason = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMissingUnion(t *testing.T) {
	a := &catalogv1.FieldRef{Path: "firm.stage", Label: "跨境电商阶段"}
	b := &catalogv1.FieldRef{Path: "firm.platforms", Label: "销售平台"}
	got := MissingUnion([]*catalogv1.CriterionResult{
		{Outcome: unknown, MissingFields: []*catalogv1.FieldRef{b}},
		{Outcome: pass},
		{Outcome: unknown, MissingFields: []*catalogv1.FieldRef{a, b}},
	})
	if diff := cmp.Diff([]*catalogv1.FieldRef{b, a}, got, protocmp.Transform()); diff != "" {
		t.Errorf("MissingUnion (-want +got):\n%s", diff)
	}
	if got[0] == b {
		t.Error("MissingUnion shares the results' FieldRefs")
	}
}

func TestFacts(t *testing.T) {
	tests := []struct {
		name      string
		firm      *profilesv1.Firm
		programme map[string]bool
		belts     []string
		want      *catalogv1.FirmFacts
	}{
		{"empty profile knows only membership", &profilesv1.Firm{}, nil, nil, &catalogv1.FirmFacts{}},
		{"member of a programme association", &profilesv1.Firm{Memberships: []*profilesv1.Membership{
			{AssociationId: "a1"}, {AssociationId: "a2"}, {AssociationId: "a1"}, {AssociationId: ""},
		}}, map[string]bool{"a2": true, "a9": true}, nil,
			&catalogv1.FirmFacts{ProgrammeMember: true, AssociationIds: []string{"a1", "a2"}}},
		{"member of no programme association", &profilesv1.Firm{Memberships: []*profilesv1.Membership{{AssociationId: "a1"}}},
			map[string]bool{"a1": false}, nil, &catalogv1.FirmFacts{AssociationIds: []string{"a1"}}},
		{"export value rounds down to wan yuan", &profilesv1.Firm{AnnualExportValueFen: proto.Int64(320_999_999)}, nil, nil,
			&catalogv1.FirmFacts{AnnualExportValueWanYuan: proto.Int64(320)}},
		{"zero export value is known", &profilesv1.Firm{AnnualExportValueFen: proto.Int64(0)}, nil, nil,
			&catalogv1.FirmFacts{AnnualExportValueWanYuan: proto.Int64(0)}},
		{"first store is not exporting", &profilesv1.Firm{Stage: commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED}, nil, nil,
			&catalogv1.FirmFacts{Exporting: proto.Bool(false)}},
		{"first order is exporting", &profilesv1.Firm{Stage: commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER}, nil, nil,
			&catalogv1.FirmFacts{Exporting: proto.Bool(true)}},
		{"overseas warehouse is exporting", &profilesv1.Firm{Stage: commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND}, nil, nil,
			&catalogv1.FirmFacts{Exporting: proto.Bool(true)}},
		{"HS chapters without duplicates, in order", &profilesv1.Firm{HsCodes: []string{"620442", "950300", "62044300", "611030"}}, nil, nil,
			&catalogv1.FirmFacts{HsChapters: []string{"62", "95", "61"}}},
		{"belts as given", &profilesv1.Firm{}, nil, []string{"b1", "b2"}, &catalogv1.FirmFacts{IndustryBeltIds: []string{"b1", "b2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Facts(tt.firm, tt.programme, tt.belts)
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("Facts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatFen(t *testing.T) {
	tests := []struct {
		fen  int64
		want string
	}{
		{0, "0万元"},
		{320_000_000, "320万元"},
		{320_500_000, "320.5万元"},
		{320_050_000, "320.05万元"},
		{320_059_999, "320.05万元"},
		{1_000_000, "1万元"},
		{10_000, "0.01万元"},
		{5_000, "50元"},
		{5_050, "50.5元"},
		{-320_500_000, "-320.5万元"},
	}
	for _, tt := range tests {
		if got := formatFen(tt.fen); got != tt.want {
			t.Errorf("formatFen(%d) = %q, want %q", tt.fen, got, tt.want)
		}
	}
}

func TestSubjectUnknownFields(t *testing.T) {
	e := newTestEngine(t, Options{})
	if got := paths(subjectOf(e, fullFirm()).UnknownFields()); len(got) != 0 {
		t.Errorf("full profile: unknown %v", got)
	}
	got := paths(e.NewSubject(&profilesv1.Firm{}, nil).UnknownFields())
	want := []string{
		"firm.uscc", "firm.name", "firm.name_en", "firm.district", "firm.industry", "firm.main_products",
		"firm.hs_codes", "firm.revenue_band", "firm.annual_export_value_fen", "firm.employees_band", "firm.stage",
		"firm.platforms", "firm.target_markets", "firm.needs", "firm.address", "firm.website",
		"facts.annual_export_value_wan_yuan", "facts.exporting", "facts.hs_chapters", "facts.industry_belt_ids",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("empty profile (-want +got):\n%s", diff)
	}
}
