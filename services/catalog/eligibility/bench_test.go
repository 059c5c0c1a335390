package eligibility

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

// benchPolicies builds n policies of the shapes the programme publishes:
// about half limited to one to three districts, a third to a few industries,
// a third to stages, each with two to four explicit criteria over export
// value, stage, platforms, membership, size, HS chapters and markets.
func benchPolicies(tb testing.TB, e *Engine, n int) []*PolicyRules {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(from []string, n int) string {
		q := make([]string, 0, n)
		for _, k := range r.Perm(len(from))[:n] {
			q = append(q, "'"+from[k]+"'")
		}
		return strings.Join(q, ", ")
	}
	markets := []string{"US", "DE", "FR", "GB", "IT", "ES", "NL", "JP", "KR", "SG", "MY", "TH", "VN", "ID", "PH", "AE", "SA", "BR", "MX", "AU", "CA", "RU", "PL", "TR"}
	chapters := []string{"42", "61", "62", "63", "64", "65", "73", "82", "84", "85", "87", "90", "94", "95", "96", "09", "20", "33", "39", "40"}
	// Thresholds, ids and lists vary, so nearly every expression is
	// distinct, as in hand-written policies.
	shapes := []func() (string, string){
		func() (string, string) {
			v := 10 * (1 + r.IntN(500))
			return fmt.Sprintf("上年出口额不低于%d万元", v), fmt.Sprintf("facts.annual_export_value_wan_yuan >= %d", v)
		},
		func() (string, string) {
			st := []string{"FIRST_STORE_OPENED", "FIRST_ORDER", "REPEAT_EXPORTS"}[r.IntN(3)]
			return "跨境电商阶段达到要求", "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_" + st
		},
		func() (string, string) {
			a, b := 1+r.IntN(16), 1+r.IntN(16)
			return "已入驻指定平台", fmt.Sprintf("%d in firm.platforms || SalesPlatform.SALES_PLATFORM_TEMU in firm.platforms || %d in firm.platforms", a, b)
		},
		func() (string, string) { return "为百社千企参与协会会员", "facts.programme_member" },
		func() (string, string) {
			return "员工人数300人以下", fmt.Sprintf("firm.employees_band <= %d && firm.employees_band >= EmployeesBand.EMPLOYEES_BAND_UNDER_20", 2+r.IntN(3))
		},
		func() (string, string) {
			return "出口指定章别商品", fmt.Sprintf("facts.hs_chapters.exists(c, c in [%s])", pick(chapters, 2+r.IntN(4)))
		},
		func() (string, string) {
			return "目标市场包括指定国家", fmt.Sprintf("firm.target_markets.exists(m, m in [%s])", pick(markets, 2+r.IntN(6)))
		},
		func() (string, string) {
			v := 100 * (1 + r.IntN(50))
			return "营业收入或出口额达标", fmt.Sprintf("firm.revenue_band >= RevenueBand.REVENUE_BAND_20M_TO_100M || facts.annual_export_value_wan_yuan >= %d", v)
		},
		func() (string, string) {
			return "为指定协会会员", fmt.Sprintf("'assoc-%d' in facts.association_ids", r.IntN(1000))
		},
		func() (string, string) {
			return "已出单且在多个平台销售", fmt.Sprintf("facts.exporting && size(firm.platforms) >= %d", 1+r.IntN(3))
		},
		// Two shapes only CEL runs.
		func() (string, string) {
			return "出口指定编码商品", fmt.Sprintf("firm.hs_codes.exists(c, c.startsWith('%s%02d'))", chapters[r.IntN(len(chapters))], r.IntN(100))
		},
		func() (string, string) {
			w := []string{"羽绒", "服装", "茶", "笔", "五金", "家纺"}[r.IntN(6)]
			return "主营产品属指定品类", fmt.Sprintf("firm.main_products.contains('%s') || facts.annual_export_value_wan_yuan >= %d", w, 100*(1+r.IntN(30)))
		},
	}
	out := make([]*PolicyRules, n)
	for i := range n {
		p := &catalogv1.Policy{}
		if r.IntN(2) == 0 {
			for range 1 + r.IntN(3) {
				p.Districts = append(p.Districts, commonv1.District(1+r.IntN(13)))
			}
		}
		if r.IntN(3) == 0 {
			for range 1 + r.IntN(4) {
				p.Industries = append(p.Industries, commonv1.Industry(1+r.IntN(27)))
			}
		}
		if r.IntN(3) == 0 {
			lo := 1 + r.IntN(4)
			for s := lo; s <= lo+1+r.IntN(2) && s <= 6; s++ {
				p.Stages = append(p.Stages, commonv1.CrossBorderStage(s))
			}
		}
		for range 2 + r.IntN(3) {
			d, x := shapes[r.IntN(len(shapes))]()
			p.Criteria = append(p.Criteria, &catalogv1.Criterion{Description: d, Expression: x})
		}
		rules, verr := e.CompilePolicy(p)
		if verr != nil {
			tb.Fatal(verr)
		}
		out[i] = rules
	}
	return out
}

// benchFirm is a realistic apparel exporter in Xiaoshan; with unknowns its
// export value, platforms and needs are not filled in.
func benchFirm(unknowns bool) *profilesv1.Firm {
	f := &profilesv1.Firm{
		Uscc: "91330100799655058B", Name: "杭州雅琪服饰有限公司",
		District: commonv1.District_DISTRICT_XIAOSHAN, Industry: commonv1.Industry_INDUSTRY_APPAREL,
		MainProducts: "女装连衣裙、针织衫", HsCodes: []string{"620442", "611030"},
		RevenueBand: commonv1.RevenueBand_REVENUE_BAND_20M_TO_100M, EmployeesBand: commonv1.EmployeesBand_EMPLOYEES_BAND_100_TO_299,
		Stage:         commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		TargetMarkets: []string{"US", "GB", "MY"},
		Memberships:   []*profilesv1.Membership{{AssociationId: "assoc-7", AssociationName: "杭州市服装行业协会"}},
	}
	if !unknowns {
		f.AnnualExportValueFen = proto.Int64(320_000_000)
		f.Platforms = []commonv1.SalesPlatform{commonv1.SalesPlatform_SALES_PLATFORM_AMAZON, commonv1.SalesPlatform_SALES_PLATFORM_SHEIN}
		f.Needs = []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE}
	}
	return f
}

func benchmarkEvaluateAll(b *testing.B, unknowns, parallel, celOnly bool) {
	e, err := NewEngine(Options{})
	if err != nil {
		b.Fatal(err)
	}
	rules := benchPolicies(b, e, 5000)
	firm := benchFirm(unknowns)
	facts := Facts(firm, map[string]bool{"assoc-7": true}, []string{"belt-xiaoshan-apparel"})
	ctx := context.Background()
	if celOnly {
		for _, r := range rules {
			for _, c := range r.Criteria {
				c.Compiled.native = nil
			}
		}
		e.EvaluateMany(ctx, e.NewSubject(firm, facts), rules) // build the programs
	}
	runtime.GC() // the compile garbage is not the evaluation's
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		// One firm per request: the subject is part of the measured work.
		s := e.NewSubject(firm, facts)
		if parallel {
			e.EvaluateMany(ctx, s, rules)
			continue
		}
		rctx, cancel := e.RequestContext(ctx)
		for _, r := range rules {
			e.Evaluate(rctx, s, r)
		}
		cancel()
	}
}

// BenchmarkEvaluateAll5000 evaluates one firm with unknown fields against
// 5,000 published policies, sequentially (Evaluate in a loop) and with
// EvaluateMany on GOMAXPROCS workers, including NewSubject. The budget is
// 20 ms per firm. cel-only runs every explicit criterion on CEL (the native
// evaluator off), the worst case of policies whose criteria all have shapes
// the native evaluator does not handle.
func BenchmarkEvaluateAll5000(b *testing.B) {
	b.Run("sequential", func(b *testing.B) { benchmarkEvaluateAll(b, true, false, false) })
	b.Run("many", func(b *testing.B) { benchmarkEvaluateAll(b, true, true, false) })
	b.Run("many/cel-only", func(b *testing.B) { benchmarkEvaluateAll(b, true, true, true) })
}

// BenchmarkEvaluateAll5000NoUnknowns is the same with a complete profile,
// where no criterion needs partial evaluation.
func BenchmarkEvaluateAll5000NoUnknowns(b *testing.B) {
	b.Run("sequential", func(b *testing.B) { benchmarkEvaluateAll(b, false, false, false) })
	b.Run("many", func(b *testing.B) { benchmarkEvaluateAll(b, false, true, false) })
	b.Run("many/cel-only", func(b *testing.B) { benchmarkEvaluateAll(b, false, true, true) })
}

// BenchmarkCompilePolicy compiles one policy of three criteria (with an
// implicit district), as on every save and, for each published policy, at
// start-up.
func BenchmarkCompilePolicy(b *testing.B) {
	e, err := NewEngine(Options{})
	if err != nil {
		b.Fatal(err)
	}
	p := &catalogv1.Policy{
		Districts: []commonv1.District{commonv1.District_DISTRICT_XIAOSHAN},
		Criteria: []*catalogv1.Criterion{
			{Description: "上年出口额不低于500万元", Expression: "facts.annual_export_value_wan_yuan >= 500"},
			{Description: "已入驻亚马逊或Temu", Expression: "SalesPlatform.SALES_PLATFORM_AMAZON in firm.platforms || SalesPlatform.SALES_PLATFORM_TEMU in firm.platforms"},
			{Description: "出口指定编码商品", Expression: "firm.hs_codes.exists(c, c.startsWith('6204'))"},
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range p.Criteria {
			c.Id = ""
		}
		if _, verr := e.CompilePolicy(p); verr != nil {
			b.Fatal(verr)
		}
	}
}
