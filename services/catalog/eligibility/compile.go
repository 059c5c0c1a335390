package eligibility

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common"
	"github.com/google/cel-go/common/ast"
	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

// Compiled is a criterion expression that type-checked, returns bool and is
// within the cost limit, ready to evaluate. It is safe for concurrent use and
// must not be copied; compile once per policy version and keep it.
type Compiled struct {
	// Expression is the source text.
	Expression string
	// CostEstimate is the upper bound of the static cost estimate.
	CostEstimate uint64
	// Fields are the fields the expression reads, in order of first
	// appearance. Shared: do not modify.
	Fields []*catalogv1.FieldRef

	reads   fieldSet
	readIdx []int
	// loops is true when the expression has a comprehension, the only
	// construct whose run time grows with its input; beyond the size
	// bounds such an expression watches the context while it runs.
	loops bool

	// fast and partial run without and with partial evaluation; neither
	// tracks the runtime cost, which the static estimate bounds while the
	// subject's lists and strings are within the estimator's size bounds.
	// The cost-tracking variants, for subjects beyond the bounds, are built
	// on first use.
	fast, partial, tracked, trackedPart lazyProgram
	engine                              *Engine
	// native evaluates the expression in Go when it has a shape the native
	// evaluator handles (see native.go); the CEL programs are then built
	// only if a subject is beyond the size bounds.
	native *node
}

// Compile type-checks expr and builds its programs. On failure it returns nil
// and every problem found, in Chinese where the problem is this package's
// rule and in the compiler's words otherwise, with 1-based line and column
// where known.
func (e *Engine) Compile(expr string) (*Compiled, []*catalogv1.ExpressionIssue) {
	if strings.TrimSpace(expr) == "" {
		return nil, []*catalogv1.ExpressionIssue{{Message: "条件表达式不能为空"}}
	}
	if n := utf8.RuneCountInString(expr); n > MaxExpressionRunes {
		return nil, []*catalogv1.ExpressionIssue{{
			Message: fmt.Sprintf("条件表达式不能超过%d个字符，当前为%d个", MaxExpressionRunes, n)}}
	}
	if !utf8.ValidString(expr) {
		return nil, []*catalogv1.ExpressionIssue{{Message: "条件表达式含有无效的UTF-8字符"}}
	}
	checked, iss := e.env.Compile(expr)
	if iss.Err() != nil {
		return nil, celIssues(expr, iss.Errors())
	}
	native := checked.NativeRep()
	w := &fieldWalker{info: native.SourceInfo(), refs: native.ReferenceMap()}
	w.walk(native.Expr())
	if len(w.issues) > 0 {
		return nil, w.issues
	}
	if !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, []*catalogv1.ExpressionIssue{{
			Message: fmt.Sprintf("条件须返回布尔值（true 或 false），该表达式返回 %s", checked.OutputType()),
			Line:    1, Column: 1,
		}}
	}
	est, err := e.env.EstimateCost(checked, sizeEstimator{})
	if err != nil {
		return nil, []*catalogv1.ExpressionIssue{{Message: "无法估算计算成本：" + err.Error()}}
	}
	if est.Max > e.opts.CostLimit {
		return nil, []*catalogv1.ExpressionIssue{{
			Message: fmt.Sprintf("表达式预计计算成本最高为%s，超过上限%d；请减少对列表的嵌套遍历或字符串运算", costText(est.Max), e.opts.CostLimit),
		}}
	}

	c := &Compiled{Expression: expr, CostEstimate: est.Max, reads: w.reads, loops: w.loops, engine: e}
	for _, i := range w.order {
		c.readIdx = append(c.readIdx, i)
		c.Fields = append(c.Fields, fieldRef(i))
	}
	c.native = (&nativeBuilder{refs: native.ReferenceMap()}).build(native.Expr())
	if c.native == nil {
		// Build now, so a program that cannot be built fails the save.
		_, err = c.fast.get(func() (cel.Program, error) { return e.program(checked, false, false) })
		if err == nil {
			_, err = c.partial.get(func() (cel.Program, error) { return e.program(checked, true, false) })
		}
	}
	if err != nil {
		return nil, []*catalogv1.ExpressionIssue{{Message: "表达式无法编译：" + err.Error()}}
	}
	return c, nil
}

// program builds one variant of a checked expression's program.
func (e *Engine) program(checked *cel.Ast, partial, tracked bool) (cel.Program, error) {
	eval := []cel.EvalOption{cel.OptOptimize}
	if partial {
		eval = append(eval, cel.OptPartialEval)
	}
	opts := []cel.ProgramOption{cel.EvalOptions(eval...)}
	if tracked {
		opts = append(opts, cel.CostLimit(e.opts.CostLimit), cel.InterruptCheckFrequency(interruptEvery))
	}
	return e.env.Program(checked, opts...)
}

// lazyProgram is a program built on first use.
type lazyProgram struct {
	once sync.Once
	prg  cel.Program
	err  error
}

func (l *lazyProgram) get(build func() (cel.Program, error)) (cel.Program, error) {
	l.once.Do(func() { l.prg, l.err = build() })
	return l.prg, l.err
}

// program returns the variant for a subject: partial when a field it reads
// is unknown, cost-tracked when a field it reads is beyond the size bounds.
// Variants not built at compile time are built on first use from the
// expression, which compiled before; keeping the checked AST for them would
// cost more memory than compiling again the rare time one is needed.
func (c *Compiled) program(partial, tracked bool) (cel.Program, error) {
	l := &c.fast
	switch {
	case partial && tracked:
		l = &c.trackedPart
	case partial:
		l = &c.partial
	case tracked:
		l = &c.tracked
	}
	return l.get(func() (cel.Program, error) {
		checked, iss := c.engine.env.Compile(c.Expression)
		if iss.Err() != nil {
			return nil, iss.Err()
		}
		return c.engine.program(checked, partial, tracked)
	})
}

func costText(n uint64) string {
	if n == 1<<64-1 {
		return "无上限（遍历的列表或字符串长度未知）"
	}
	return fmt.Sprint(n)
}

// celIssues converts the compiler's errors; CEL columns are 0-based code
// points. A misspelt enum value ("CrossBorderStage.FIRST_ORDER") is reported
// by CEL as an undeclared reference to the enum; it is said plainly instead.
func celIssues(expr string, errs []*common.Error) []*catalogv1.ExpressionIssue {
	out := make([]*catalogv1.ExpressionIssue, 0, len(errs))
	for _, e := range errs {
		is := &catalogv1.ExpressionIssue{Message: e.Message}
		if e.Location != nil && e.Location.Line() > 0 {
			is.Line = int32(e.Location.Line())
			is.Column = int32(e.Location.Column() + 1)
			if msg := enumHint(expr, e); msg != "" {
				is.Message = msg
			}
		}
		out = append(out, is)
	}
	return out
}

// enumTypes are the enums criteria name in the container, with their code
// lists.
var enumTypes = map[string]struct {
	desc     protoreflect.EnumDescriptor
	codeList string
}{
	"District":         {commonv1.District(0).Descriptor(), "district"},
	"Industry":         {commonv1.Industry(0).Descriptor(), "industry"},
	"CrossBorderStage": {commonv1.CrossBorderStage(0).Descriptor(), "cross_border_stage"},
	"SalesPlatform":    {commonv1.SalesPlatform(0).Descriptor(), "sales_platform"},
	"NeedTag":          {commonv1.NeedTag(0).Descriptor(), "need_tag"},
	"RevenueBand":      {commonv1.RevenueBand(0).Descriptor(), "revenue_band"},
	"EmployeesBand":    {commonv1.EmployeesBand(0).Descriptor(), "employees_band"},
}

// enumHint explains "undeclared reference to 'CrossBorderStage'" at
// "CrossBorderStage.NOPE" as an unknown enum value, or returns "".
func enumHint(expr string, e *common.Error) string {
	const prefix = "undeclared reference to '"
	rest, ok := strings.CutPrefix(e.Message, prefix)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "'")
	et, ok := enumTypes[name]
	if !ok {
		return ""
	}
	lines := strings.Split(expr, "\n")
	if e.Location.Line() > len(lines) {
		return ""
	}
	line := []rune(lines[e.Location.Line()-1])
	col := e.Location.Column()
	if col < 0 || col > len(line) {
		return ""
	}
	after, ok := strings.CutPrefix(string(line[col:]), name+".")
	if !ok {
		return ""
	}
	end := strings.IndexFunc(after, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	if end >= 0 {
		after = after[:end]
	}
	example := et.desc.Values().Get(1).Name()
	return fmt.Sprintf("未知的枚举值 %s.%s：可用的值如 %s.%s，全部取值见代码表 %s", name, after, name, example, et.codeList)
}

// fieldWalker collects the fields an expression reads and rejects uses of
// `firm` and `facts` other than reading an offered field, so the field set is
// exact: the unknown check and firm_value depend on it.
type fieldWalker struct {
	info   *ast.SourceInfo
	refs   map[int64]*ast.ReferenceInfo
	reads  fieldSet
	order  []int // fields in order of first appearance
	loops  bool
	issues []*catalogv1.ExpressionIssue
}

func (w *fieldWalker) issue(id int64, format string, args ...any) {
	is := &catalogv1.ExpressionIssue{Message: fmt.Sprintf(format, args...)}
	if loc := w.info.GetStartLocation(id); loc.Line() > 0 {
		is.Line, is.Column = int32(loc.Line()), int32(loc.Column()+1)
	}
	w.issues = append(w.issues, is)
}

// variable returns "firm" or "facts" when e is a reference to that variable.
func (w *fieldWalker) variable(e ast.Expr) string {
	if e.Kind() != ast.IdentKind {
		return ""
	}
	name := e.AsIdent()
	if r, ok := w.refs[e.ID()]; ok && r.Value == nil {
		name = r.Name
	}
	if name == "firm" || name == "facts" {
		return name
	}
	return ""
}

func (w *fieldWalker) walk(e ast.Expr) {
	switch e.Kind() {
	case ast.IdentKind:
		if v := w.variable(e); v != "" {
			w.issue(e.ID(), "%s 须通过字段使用，如 %s", v, map[string]string{"firm": "firm.stage", "facts": "facts.programme_member"}[v])
		}
	case ast.SelectKind:
		sel := e.AsSelect()
		if v := w.variable(sel.Operand()); v != "" {
			path := v + "." + sel.FieldName()
			if i, ok := fieldByPath[path]; ok {
				if !w.reads.has(i) {
					w.reads |= 1 << uint(i)
					w.order = append(w.order, i)
				}
			} else {
				w.issue(e.ID(), "字段 %s 不能用于资格条件（可用字段见条件环境说明）", path)
			}
			return
		}
		w.walk(sel.Operand())
	case ast.CallKind:
		call := e.AsCall()
		if call.IsMemberFunction() {
			w.walk(call.Target())
		}
		for _, a := range call.Args() {
			w.walk(a)
		}
	case ast.ComprehensionKind:
		w.loops = true
		c := e.AsComprehension()
		for _, v := range []string{c.IterVar(), c.IterVar2(), c.AccuVar()} {
			if v == "firm" || v == "facts" {
				w.issue(e.ID(), "不能用 %s 作循环变量名", v)
			}
		}
		for _, x := range []ast.Expr{c.IterRange(), c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()} {
			w.walk(x)
		}
	case ast.ListKind:
		for _, x := range e.AsList().Elements() {
			w.walk(x)
		}
	case ast.MapKind:
		for _, en := range e.AsMap().Entries() {
			m := en.AsMapEntry()
			w.walk(m.Key())
			w.walk(m.Value())
		}
	case ast.StructKind:
		for _, en := range e.AsStruct().Fields() {
			w.walk(en.AsStructField().Value())
		}
	}
}

// sizeEstimator gives the static cost estimate the size bounds of the
// environment's lists and strings.
type sizeEstimator struct{}

func (sizeEstimator) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	p := n.Path()
	if len(p) < 2 {
		return nil
	}
	if m, ok := sizeBounds[strings.Join(p, ".")]; ok {
		return &checker.SizeEstimate{Min: 0, Max: m}
	}
	return nil
}

func (sizeEstimator) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}
