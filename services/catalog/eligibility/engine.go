// Package eligibility is the catalog service's eligibility engine: it
// compiles policy criteria (CEL expressions over the variables `firm`,
// qihang.profiles.v1.Firm, and `facts`, qihang.catalog.v1.FirmFacts), checks
// them when a policy is saved, and evaluates firms against them with the
// firm's own values and the fields that would settle an unknown result. It is
// pure: no storage, no RPC.
//
// # Unknown fields
//
// A profile field the firm has not filled in is unknown, not zero. Unknown
// are:
//   - firm.annual_export_value_fen when absent (0 is known: no exports);
//   - enum fields (district, industry, revenue_band, employees_band, stage)
//     at their UNSPECIFIED value;
//   - string fields (uscc, name, name_en, main_products, address, website)
//     when empty;
//   - the lists hs_codes, target_markets and needs when empty, and platforms
//     when empty unless the stage is NONE or EXPLORING (a firm that does not
//     sell cross-border yet is known to sell on no platform);
//   - facts.annual_export_value_wan_yuan when the export value is unknown,
//     facts.exporting when the stage is, facts.hs_chapters when hs_codes is,
//     and facts.industry_belt_ids when the district or the industry is.
//
// facts.programme_member and facts.association_ids are always known (an
// empty list means no association). A criterion reading an unknown field is
// evaluated partially (CEL partial evaluation with attribute patterns): if
// its value depends on the unknown field it is UNKNOWN and names the profile
// fields that would settle it (for facts, the firm fields they derive from);
// if not (`false && x`, `true || x`) it passes or fails. has() on an unknown
// field is itself unknown.
//
// # Performance
//
// Compile once per policy version (CompilePolicy) and keep the rules;
// prepare a Subject once per firm and request. Evaluation then avoids work
// per criterion:
//   - the implicit district, industry and stage criteria are checked in Go;
//   - criteria of the common shapes (comparisons, membership, size,
//     exists/all over a constant list, and !, &&, || of those; see
//     native.go) run on a small Go evaluator with the same three-valued
//     logic as CEL's partial evaluation, which a test checks against CEL;
//   - other criteria run on CEL, reading `firm` and `facts` from values
//     converted once per subject (see provider.go), without partial
//     evaluation unless a field they read is unknown;
//   - while the subject's lists and strings are within the size bounds the
//     static cost estimate assumed, the estimate (at most the cost limit)
//     bounds the run, so no runtime cost tracking and no context run; the
//     time limit is checked between criteria. Beyond the bounds (an unsaved
//     "what if" profile with 500 markets, say) every criterion reading such
//     a field runs on CEL with the runtime cost limit, and comprehensions
//     check the context every 100 iterations.
package eligibility

import (
	"context"
	"fmt"
	"time"

	"github.com/google/cel-go/cel"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
)

// Container is the CEL container criteria are compiled in, so enum values
// can be written `District.DISTRICT_XIAOSHAN`.
const Container = "qihang.common.v1"

// MaxExpressionRunes is the longest expression accepted, in characters.
const MaxExpressionRunes = 2000

// MaxCriteria is the most explicit criteria a policy may have.
const MaxCriteria = 30

// Defaults for Options.
const (
	DefaultCostLimit = 10_000
	DefaultTimeLimit = 2 * time.Second
)

// interruptEvery is how many comprehension iterations run between checks of
// the context.
const interruptEvery = 100

// Options configures an Engine. Zero values take the defaults.
type Options struct {
	// CostLimit is the cost limit per criterion in CEL cost units, applied
	// to the static estimate on Compile and to the actual cost when
	// evaluating. Default 10,000.
	CostLimit uint64
	// TimeLimit bounds one evaluation request: EvaluateMany applies it, and
	// callers of Evaluate and EvaluateOne derive their context with
	// RequestContext. Default 2 s.
	TimeLimit time.Duration
}

// Engine compiles and evaluates criteria. It is safe for concurrent use.
type Engine struct {
	opts Options
	env  *cel.Env
	reg  *provider
}

// NewEngine builds the CEL environment once.
func NewEngine(o Options) (*Engine, error) {
	if o.CostLimit == 0 {
		o.CostLimit = DefaultCostLimit
	}
	if o.TimeLimit <= 0 {
		o.TimeLimit = DefaultTimeLimit
	}
	reg, err := newProvider()
	if err != nil {
		return nil, fmt.Errorf("eligibility: type registry: %w", err)
	}
	env, err := cel.NewEnv(
		cel.Container(Container),
		cel.CustomTypeProvider(reg),
		cel.CustomTypeAdapter(reg),
		cel.Variable("firm", cel.ObjectType(firmTypeName)),
		cel.Variable("facts", cel.ObjectType(factsTypeName)),
		cel.CrossTypeNumericComparisons(true),
		cel.ParserExpressionSizeLimit(MaxExpressionRunes),
	)
	if err != nil {
		return nil, fmt.Errorf("eligibility: build CEL environment: %w", err)
	}
	return &Engine{opts: o, env: env, reg: reg}, nil
}

// CostLimit returns the cost limit per criterion.
func (e *Engine) CostLimit() uint64 { return e.opts.CostLimit }

// TimeLimit returns the time limit per request.
func (e *Engine) TimeLimit() time.Duration { return e.opts.TimeLimit }

// RequestContext bounds ctx by the engine's time limit, for one evaluation
// request. EvaluateMany does this itself.
func (e *Engine) RequestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, e.opts.TimeLimit)
}

// Environment describes every readable field, the container, the limits and
// example criteria (which all compile).
func (e *Engine) Environment() *catalogv1.CriterionEnvironment {
	env := &catalogv1.CriterionEnvironment{
		Container:       Container,
		CostLimit:       int64(min(e.opts.CostLimit, uint64(1<<63-1))),
		TimeLimitMillis: int32(min(e.opts.TimeLimit.Milliseconds(), 1<<31-1)),
	}
	for i := range fields {
		f := &fields[i]
		env.Fields = append(env.Fields, &catalogv1.CriterionField{
			Path:        f.path,
			Label:       f.label,
			Type:        f.celType,
			Description: f.description,
			UnknownWhen: f.unknownWhen,
			CodeList:    f.codeList,
		})
	}
	for _, ex := range examples {
		env.Examples = append(env.Examples, &catalogv1.Criterion{Id: ex.id, Description: ex.description, Expression: ex.expression})
	}
	return env
}

// examples are shown in the policy editor; a test compiles every one.
var examples = []struct{ id, description, expression string }{
	{"export_500", "上年出口额不低于500万元",
		"facts.annual_export_value_wan_yuan >= 500"},
	{"first_order", "已实现跨境电商出单",
		"firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER"},
	{"starting", "尚未开展或正在了解跨境电商业务",
		"firm.stage in [CrossBorderStage.CROSS_BORDER_STAGE_NONE, CrossBorderStage.CROSS_BORDER_STAGE_EXPLORING]"},
	{"member", "为加入“百社千企 跨境启航”行动的协会的会员企业",
		"facts.programme_member"},
	{"platform", "已入驻亚马逊或速卖通",
		"SalesPlatform.SALES_PLATFORM_AMAZON in firm.platforms || SalesPlatform.SALES_PLATFORM_ALIEXPRESS in firm.platforms"},
	{"sme", "员工人数300人以下的中小微企业",
		"firm.employees_band <= EmployeesBand.EMPLOYEES_BAND_100_TO_299"},
	{"belt", "萧山区羽绒制品或家纺布艺企业",
		"firm.district == District.DISTRICT_XIAOSHAN && firm.industry in [Industry.INDUSTRY_DOWN_PRODUCTS, Industry.INDUSTRY_HOME_TEXTILES]"},
	{"textiles", "出口商品属纺织服装类（HS第61、62、63章）",
		"facts.hs_chapters.exists(c, c in ['61', '62', '63'])"},
	{"asean", "目标市场包括东盟国家",
		"firm.target_markets.exists(m, m in ['SG', 'MY', 'TH', 'VN', 'ID', 'PH'])"},
	{"scale", "营业收入2000万元以上，或上年出口额不低于1000万元",
		"firm.revenue_band >= RevenueBand.REVENUE_BAND_20M_TO_100M || facts.annual_export_value_wan_yuan >= 1000"},
}
