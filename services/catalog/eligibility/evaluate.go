package eligibility

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
)

// Error texts of ERROR outcomes.
const (
	ErrTextCostLimit = "超出计算成本上限"
	ErrTextTimeout   = "评估超时"
	ErrTextCancelled = "评估已取消"
)

// Evaluate checks a subject against one policy's rules: the implicit
// criteria first (_district, _industry, _stage, those the policy sets, each
// UNKNOWN when the firm's field is UNSPECIFIED), then the explicit criteria in
// order. It returns the results and the criteria verdict (see
// CriteriaVerdict). ctx should carry the request's time limit (see
// RequestContext); criteria not evaluated before it ends are ERROR.
// Results of one subject share their missing_fields FieldRefs: treat the
// results as read-only (MissingUnion returns fresh ones).
func (e *Engine) Evaluate(ctx context.Context, s *Subject, r *PolicyRules) ([]*catalogv1.CriterionResult, catalogv1.Verdict) {
	if r == nil {
		return nil, catalogv1.Verdict_VERDICT_ELIGIBLE
	}
	imp := r.implicit
	if imp == nil {
		imp = r.prepareImplicit()
	}
	n := len(imp) + len(r.Criteria)
	if n == 0 {
		return nil, catalogv1.Verdict_VERDICT_ELIGIBLE
	}
	// One allocation for all results of the policy.
	store := make([]catalogv1.CriterionResult, n)
	out := make([]*catalogv1.CriterionResult, n)
	for i := range imp {
		res := &store[i]
		s.evalImplicit(&imp[i], res)
		out[i] = res
	}
	for j := range r.Criteria {
		rule := &r.Criteria[j]
		res := &store[len(imp)+j]
		res.CriterionId = rule.ID
		res.Description = rule.Description
		e.evalInto(ctx, s, rule.Compiled, res)
		out[len(imp)+j] = res
	}
	return out, CriteriaVerdict(out)
}

// EvaluateOne evaluates one compiled expression for a subject, e.g. for
// ValidateCriterion's trial result; criterion_id and description are empty.
func (e *Engine) EvaluateOne(ctx context.Context, s *Subject, c *Compiled) *catalogv1.CriterionResult {
	res := &catalogv1.CriterionResult{}
	e.evalInto(ctx, s, c, res)
	return res
}

// PolicyResult is one policy's results in EvaluateMany.
type PolicyResult struct {
	Criteria []*catalogv1.CriterionResult
	// Verdict is the criteria verdict.
	Verdict catalogv1.Verdict
}

// manyChunk is how many policies a worker takes at a time.
const manyChunk = 64

// EvaluateMany evaluates a subject against many policies under the engine's
// time limit, on up to GOMAXPROCS goroutines; results are in the order of
// rules. A nil entry has no criteria.
func (e *Engine) EvaluateMany(ctx context.Context, s *Subject, rules []*PolicyRules) []PolicyResult {
	ctx, cancel := e.RequestContext(ctx)
	defer cancel()
	out := make([]PolicyResult, len(rules))
	run := func(i int) { out[i].Criteria, out[i].Verdict = e.Evaluate(ctx, s, rules[i]) }
	workers := min(runtime.GOMAXPROCS(0), (len(rules)+manyChunk-1)/manyChunk)
	if workers <= 1 {
		for i := range rules {
			run(i)
		}
		return out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(manyChunk)) - manyChunk
				if start >= len(rules) {
					return
				}
				for i := start; i < min(start+manyChunk, len(rules)); i++ {
					run(i)
				}
			}
		})
	}
	wg.Wait()
	return out
}

// CriteriaVerdict is the verdict of criteria results alone: any FAIL →
// NOT_ELIGIBLE, else any ERROR (or unspecified outcome) → UNDETERMINED, else
// any UNKNOWN → LIKELY, else ELIGIBLE (also when there are no criteria).
func CriteriaVerdict(results []*catalogv1.CriterionResult) catalogv1.Verdict {
	var errs, unknowns bool
	for _, r := range results {
		switch r.GetOutcome() {
		case catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL:
			return catalogv1.Verdict_VERDICT_NOT_ELIGIBLE
		case catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN:
			unknowns = true
		case catalogv1.CriterionOutcome_CRITERION_OUTCOME_PASS:
		default:
			errs = true
		}
	}
	switch {
	case errs:
		return catalogv1.Verdict_VERDICT_UNDETERMINED
	case unknowns:
		return catalogv1.Verdict_VERDICT_LIKELY
	}
	return catalogv1.Verdict_VERDICT_ELIGIBLE
}

// evalImplicit checks the firm's district, industry or stage against the
// policy's list.
func (s *Subject) evalImplicit(r *implicitRule, res *catalogv1.CriterionResult) {
	res.CriterionId = r.id
	res.Description = r.description
	res.Expression = r.expression
	res.FirmValue = s.vals.parts[r.field]
	var v int32
	switch r.field {
	case fDistrict:
		v = int32(s.firm.GetDistrict())
	case fIndustry:
		v = int32(s.firm.GetIndustry())
	case fStage:
		v = int32(s.firm.GetStage())
	}
	switch {
	case v == 0:
		res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN
		res.MissingFields = s.single[r.field]
	case r.allowed.has(v):
		res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_PASS
	default:
		res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL
	}
}

// evalInto runs one compiled criterion and fills in expression, outcome,
// firm_value, missing_fields and error.
func (e *Engine) evalInto(ctx context.Context, s *Subject, c *Compiled, res *catalogv1.CriterionResult) {
	if c == nil {
		res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_ERROR
		res.Error = "条件未编译"
		return
	}
	res.Expression = c.Expression
	res.FirmValue = s.firmValue(c)
	if err := ctx.Err(); err != nil {
		res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_ERROR
		res.Error = ctxText(err)
		return
	}

	oversized := c.reads&s.vals.oversized != 0
	if c.native != nil && !oversized {
		t, deps := c.native.eval(s.raw, s.vals.unknown)
		switch t {
		case triTrue:
			res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_PASS
		case triFalse:
			res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL
		default:
			res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN
			res.MissingFields = s.settle(c, deps)
		}
		return
	}
	partial := c.reads&s.vals.unknown != 0
	// Within the size bounds the static estimate (at most the limit) bounds
	// the actual cost and so the run time: no cost tracking, no context.
	// Beyond them the cost is tracked and loops watch the context.
	var act interpreter.Activation = s.act
	if partial {
		act = s.partialAct
	}
	prg, err := c.program(partial, oversized)
	var val ref.Val
	switch {
	case err != nil:
	case oversized && c.loops:
		val, _, err = prg.ContextEval(ctx, act)
	default:
		val, _, err = prg.Eval(act)
	}
	if err != nil {
		res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_ERROR
		res.Error = errText(ctx, err)
		return
	}
	switch v := val.(type) {
	case types.Bool:
		if v {
			res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_PASS
		} else {
			res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL
		}
	case *types.Unknown:
		res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN
		res.MissingFields = s.settle(c, unknownDeps(v))
	default:
		res.Outcome = catalogv1.CriterionOutcome_CRITERION_OUTCOME_ERROR
		res.Error = fmt.Sprintf("条件未返回布尔值（返回了%s）", val.Type().TypeName())
	}
}

func ctxText(err error) string {
	if errors.Is(err, context.Canceled) {
		return ErrTextCancelled
	}
	return ErrTextTimeout
}

func errText(ctx context.Context, err error) string {
	var cancelled interpreter.EvalCancelledError
	if errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded {
		return ErrTextCostLimit
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxText(ctxErr)
	}
	if errors.As(err, &cancelled) || errors.Is(err, interpreter.InterruptError{}) {
		return ErrTextTimeout
	}
	return "表达式运行出错：" + err.Error()
}

// unknownDeps returns the fields an unknown result depends on, from its
// attribute trails.
func unknownDeps(unk *types.Unknown) fieldSet {
	var deps fieldSet
	for _, id := range unk.IDs() {
		trails, _ := unk.GetAttributeTrails(id)
		for _, t := range trails {
			q := t.QualifierPath()
			if len(q) == 0 {
				continue
			}
			if name, ok := q[0].(string); ok {
				if i, ok := fieldByPath[t.Variable()+"."+name]; ok {
					deps |= 1 << uint(i)
				}
			}
		}
	}
	return deps
}

// settle names the profile fields that would settle an unknown result which
// depends on the unknown fields deps (or, failing that, on every unknown
// field c reads): facts map to the firm fields they derive from.
func (s *Subject) settle(c *Compiled, deps fieldSet) []*catalogv1.FieldRef {
	deps &= s.vals.unknown
	if deps == 0 {
		deps = c.reads & s.vals.unknown
	}
	var settle fieldSet
	for i := range numFields {
		if deps.has(i) {
			for _, j := range s.vals.missing[i] {
				settle |= 1 << uint(j)
			}
		}
	}
	if settle&(settle-1) == 0 { // one field, the usual case: shared
		for i := range numFields {
			if settle.has(i) {
				return s.single[i]
			}
		}
		return nil
	}
	var out []*catalogv1.FieldRef
	for i := range numFields {
		if settle.has(i) {
			out = append(out, s.single[i][0])
		}
	}
	return out
}

// firmValue joins the rendered values of the fields c reads, once per label
// (firm.annual_export_value_fen and facts.annual_export_value_wan_yuan both
// show as 上年出口额).
func (s *Subject) firmValue(c *Compiled) string {
	switch len(c.readIdx) {
	case 0:
		return ""
	case 1:
		return s.vals.parts[c.readIdx[0]]
	}
	var b strings.Builder
	for k, i := range c.readIdx {
		dup := false
		for _, j := range c.readIdx[:k] {
			if fields[j].display == fields[i].display {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("；")
		}
		b.WriteString(s.vals.parts[i])
	}
	return b.String()
}

// MissingUnion is the union of the results' missing fields, without
// duplicates, in order of first appearance.
func MissingUnion(results []*catalogv1.CriterionResult) []*catalogv1.FieldRef {
	var out []*catalogv1.FieldRef
	seen := make(map[string]bool)
	for _, r := range results {
		for _, f := range r.GetMissingFields() {
			if !seen[f.GetPath()] {
				seen[f.GetPath()] = true
				out = append(out, &catalogv1.FieldRef{Path: f.GetPath(), Label: f.GetLabel()})
			}
		}
	}
	return out
}

// VerdictReason explains a verdict in one Chinese line, e.g. "全部5项条件均符合",
// "有2项条件待补充信息：上年出口额、销售平台", "不符合1项条件：上年跨境电商出口额不低于500万元";
// for NOT_OPEN it is openReason (from OpenAt).
func VerdictReason(v catalogv1.Verdict, results []*catalogv1.CriterionResult, openReason string) string {
	count := func(o catalogv1.CriterionOutcome) int {
		n := 0
		for _, r := range results {
			if r.GetOutcome() == o {
				n++
			}
		}
		return n
	}
	describe := func(keep func(*catalogv1.CriterionResult) bool, withError bool) string {
		var parts []string
		for _, r := range results {
			if !keep(r) {
				continue
			}
			d := r.GetDescription()
			if d == "" {
				d = r.GetExpression()
			}
			if withError && r.GetError() != "" {
				d += "（" + r.GetError() + "）"
			}
			parts = append(parts, d)
		}
		return strings.Join(parts, "；")
	}
	switch v {
	case catalogv1.Verdict_VERDICT_NOT_OPEN:
		if openReason == "" {
			return "当前不在申报期"
		}
		return openReason
	case catalogv1.Verdict_VERDICT_ELIGIBLE:
		if len(results) == 0 {
			return "该政策没有资格条件限制"
		}
		return fmt.Sprintf("全部%d项条件均符合", len(results))
	case catalogv1.Verdict_VERDICT_LIKELY:
		n := count(catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN)
		var labels []string
		for _, f := range MissingUnion(results) {
			labels = append(labels, f.GetLabel())
		}
		if len(labels) == 0 {
			return fmt.Sprintf("有%d项条件待补充信息", n)
		}
		return fmt.Sprintf("有%d项条件待补充信息：%s", n, strings.Join(labels, "、"))
	case catalogv1.Verdict_VERDICT_NOT_ELIGIBLE:
		n := count(catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL)
		return fmt.Sprintf("不符合%d项条件：%s", n, describe(func(r *catalogv1.CriterionResult) bool {
			return r.GetOutcome() == catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL
		}, false))
	case catalogv1.Verdict_VERDICT_UNDETERMINED:
		isErr := func(r *catalogv1.CriterionResult) bool {
			o := r.GetOutcome()
			return o != catalogv1.CriterionOutcome_CRITERION_OUTCOME_PASS &&
				o != catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL &&
				o != catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN
		}
		n := 0
		for _, r := range results {
			if isErr(r) {
				n++
			}
		}
		return fmt.Sprintf("有%d项条件无法判定：%s", n, describe(isErr, true))
	}
	return ""
}
