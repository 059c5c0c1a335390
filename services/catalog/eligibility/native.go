package eligibility

import (
	"github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/overloads"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

// The native evaluator runs the shapes most criteria have directly in Go:
// boolean fields, comparisons of an int, enum or string field with a
// constant, membership of a constant in a list field or of a field in a
// constant list, size(list) compared with a constant, list.exists and
// list.all with `x in [constants]` or `x == constant`, and !, && and || over
// those. Everything else runs on CEL. None of these shapes can fail at run
// time, and && and || follow CEL's rules with unknowns (false && unknown is
// false, true || unknown is true, otherwise unknown with the unknowns of both
// sides), so the results are the same as CEL's partial evaluation; a test
// compares the two on many subjects.

// tri is a three-valued truth value.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

type nodeKind uint8

const (
	nConst     nodeKind = iota
	nBoolField          // field
	nCmpInt             // field op k
	nCmpStr             // field op str (== and != only)
	nSizeCmp            // size(field) op k
	nHasInt             // k in list field
	nHasStr             // str in list field
	nInInts             // field in ints
	nInStrs             // field in strs
	nAnyIn              // field.exists(x, x in consts)
	nAllIn              // field.all(x, x in consts)
	nNot
	nAnd
	nOr
)

type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

var cmpOps = map[string]cmpOp{
	operators.Equals: opEq, operators.NotEquals: opNe,
	operators.Less: opLt, operators.LessEquals: opLe,
	operators.Greater: opGt, operators.GreaterEquals: opGe,
}

// flipped is the operator with its operands swapped (k < x is x > k).
var flipped = [...]cmpOp{opEq: opEq, opNe: opNe, opLt: opGt, opLe: opGe, opGt: opLt, opGe: opLe}

type node struct {
	kind  nodeKind
	op    cmpOp
	field int
	b     bool
	k     int64
	s     string
	ints  []int64
	strs  []string
	kids  []*node
}

// fieldKind is how the native evaluator reads a field.
type fieldKind uint8

const (
	kindInt fieldKind = iota + 1
	kindBool
	kindString
	kindIntList
	kindStringList
)

var fieldKinds = [numFields]fieldKind{
	fUSCC: kindString, fName: kindString, fNameEN: kindString, fDistrict: kindInt, fIndustry: kindInt,
	fMainProducts: kindString, fHSCodes: kindStringList, fRevenueBand: kindInt, fExportValueFen: kindInt,
	fEmployeesBand: kindInt, fStage: kindInt, fPlatforms: kindIntList, fTargetMarkets: kindStringList,
	fNeeds: kindIntList, fAddress: kindString, fWebsite: kindString, fProgrammeMember: kindBool,
	fAssociationIDs: kindStringList, fExportValueWanYuan: kindInt, fExporting: kindBool,
	fHSChapters: kindStringList, fIndustryBeltIDs: kindStringList,
}

// nativeBuilder turns a checked expression into a node tree, or fails.
type nativeBuilder struct {
	refs map[int64]*ast.ReferenceInfo
}

// build returns nil when e is not of a supported shape.
func (b *nativeBuilder) build(e ast.Expr) *node {
	if v, ok := b.constant(e); ok {
		if bv, ok := v.(types.Bool); ok {
			return &node{kind: nConst, b: bool(bv)}
		}
		return nil
	}
	if i, ok := b.field(e); ok {
		if fieldKinds[i] == kindBool {
			return &node{kind: nBoolField, field: i}
		}
		return nil
	}
	if e.Kind() == ast.ComprehensionKind {
		return b.quantifier(e.AsComprehension())
	}
	if e.Kind() != ast.CallKind {
		return nil
	}
	call := e.AsCall()
	args := call.Args()
	fn := call.FunctionName()
	switch fn {
	case operators.LogicalNot:
		if len(args) != 1 {
			return nil
		}
		if k := b.build(args[0]); k != nil {
			return &node{kind: nNot, kids: []*node{k}}
		}
		return nil
	case operators.LogicalAnd, operators.LogicalOr:
		n := &node{kind: nAnd}
		if fn == operators.LogicalOr {
			n.kind = nOr
		}
		for _, a := range args {
			k := b.build(a)
			if k == nil {
				return nil
			}
			n.kids = append(n.kids, k)
		}
		return n
	case operators.In:
		if len(args) != 2 {
			return nil
		}
		return b.in(args[0], args[1])
	}
	op, isCmp := cmpOps[fn]
	if !isCmp || len(args) != 2 {
		return nil
	}
	l, r := args[0], args[1]
	if _, ok := b.constant(l); ok {
		l, r = r, l
		op = flipped[op]
	}
	k, ok := b.constant(r)
	if !ok {
		return nil
	}
	if i, ok := b.field(l); ok {
		switch kv := k.(type) {
		case types.Int:
			if fieldKinds[i] == kindInt {
				return &node{kind: nCmpInt, op: op, field: i, k: int64(kv)}
			}
		case types.String:
			if fieldKinds[i] == kindString && (op == opEq || op == opNe) {
				return &node{kind: nCmpStr, op: op, field: i, s: string(kv)}
			}
		}
		return nil
	}
	if i, ok := b.sizeOf(l); ok {
		if kv, ok := k.(types.Int); ok {
			return &node{kind: nSizeCmp, op: op, field: i, k: int64(kv)}
		}
	}
	return nil
}

// in handles `k in list_field` and `field in [k1, k2]`.
func (b *nativeBuilder) in(x, list ast.Expr) *node {
	if i, ok := b.field(list); ok {
		k, ok := b.constant(x)
		if !ok {
			return nil
		}
		switch kv := k.(type) {
		case types.Int:
			if fieldKinds[i] == kindIntList {
				return &node{kind: nHasInt, field: i, k: int64(kv)}
			}
		case types.String:
			if fieldKinds[i] == kindStringList {
				return &node{kind: nHasStr, field: i, s: string(kv)}
			}
		}
		return nil
	}
	i, ok := b.field(x)
	if !ok || list.Kind() != ast.ListKind || len(list.AsList().OptionalIndices()) > 0 {
		return nil
	}
	n := &node{field: i}
	switch fieldKinds[i] {
	case kindInt:
		n.kind = nInInts
	case kindString:
		n.kind = nInStrs
	default:
		return nil
	}
	for _, el := range list.AsList().Elements() {
		k, ok := b.constant(el)
		if !ok {
			return nil
		}
		switch kv := k.(type) {
		case types.Int:
			if n.kind != nInInts {
				return nil
			}
			n.ints = append(n.ints, int64(kv))
		case types.String:
			if n.kind != nInStrs {
				return nil
			}
			n.strs = append(n.strs, string(kv))
		default:
			return nil
		}
	}
	return n
}

// quantifier handles list_field.exists(x, P) and list_field.all(x, P) where
// P is `x in [k1, k2]` or `x == k`, as the exists and all macros expand them.
func (b *nativeBuilder) quantifier(c ast.ComprehensionExpr) *node {
	if c.HasIterVar2() {
		return nil
	}
	i, ok := b.field(c.IterRange())
	if !ok || (fieldKinds[i] != kindIntList && fieldKinds[i] != kindStringList) {
		return nil
	}
	init, ok := b.constant(c.AccuInit())
	if !ok {
		return nil
	}
	n := &node{field: i}
	step := operators.LogicalOr // exists: false || P || …
	switch init {
	case types.False:
		n.kind = nAnyIn
	case types.True:
		n.kind = nAllIn
		step = operators.LogicalAnd
	default:
		return nil
	}
	accu := c.AccuVar()
	isIdent := func(e ast.Expr, name string) bool { return e.Kind() == ast.IdentKind && e.AsIdent() == name }
	if !isIdent(c.Result(), accu) || c.LoopStep().Kind() != ast.CallKind {
		return nil
	}
	call := c.LoopStep().AsCall()
	if call.FunctionName() != step || len(call.Args()) != 2 {
		return nil
	}
	var pred ast.Expr
	switch args := call.Args(); {
	case isIdent(args[0], accu):
		pred = args[1]
	case isIdent(args[1], accu):
		pred = args[0]
	default:
		return nil
	}
	if pred.Kind() != ast.CallKind {
		return nil
	}
	v := c.IterVar()
	pc := pred.AsCall()
	pargs := pc.Args()
	if len(pargs) != 2 {
		return nil
	}
	var consts []ast.Expr
	switch pc.FunctionName() {
	case operators.In:
		if !isIdent(pargs[0], v) || pargs[1].Kind() != ast.ListKind || len(pargs[1].AsList().OptionalIndices()) > 0 {
			return nil
		}
		consts = pargs[1].AsList().Elements()
	case operators.Equals:
		switch {
		case isIdent(pargs[0], v):
			consts = pargs[1:]
		case isIdent(pargs[1], v):
			consts = pargs[:1]
		default:
			return nil
		}
	default:
		return nil
	}
	for _, el := range consts {
		k, ok := b.constant(el)
		if !ok {
			return nil
		}
		switch kv := k.(type) {
		case types.Int:
			if fieldKinds[i] != kindIntList {
				return nil
			}
			n.ints = append(n.ints, int64(kv))
		case types.String:
			if fieldKinds[i] != kindStringList {
				return nil
			}
			n.strs = append(n.strs, string(kv))
		default:
			return nil
		}
	}
	return n
}

// constant returns the value of a literal or an enum constant.
func (b *nativeBuilder) constant(e ast.Expr) (ref.Val, bool) {
	if e.Kind() == ast.LiteralKind {
		return e.AsLiteral(), true
	}
	if r, ok := b.refs[e.ID()]; ok && r.Value != nil {
		return r.Value, true
	}
	return nil, false
}

// field returns the index of a `firm.x` or `facts.x` selection (not a
// presence test).
func (b *nativeBuilder) field(e ast.Expr) (int, bool) {
	if e.Kind() != ast.SelectKind || e.AsSelect().IsTestOnly() {
		return 0, false
	}
	sel := e.AsSelect()
	op := sel.Operand()
	if op.Kind() != ast.IdentKind {
		return 0, false
	}
	name := op.AsIdent()
	if r, ok := b.refs[op.ID()]; ok && r.Value == nil {
		name = r.Name
	}
	i, ok := fieldByPath[name+"."+sel.FieldName()]
	return i, ok
}

// sizeOf matches size(list_field) and list_field.size().
func (b *nativeBuilder) sizeOf(e ast.Expr) (int, bool) {
	if e.Kind() != ast.CallKind || e.AsCall().FunctionName() != overloads.Size {
		return 0, false
	}
	call := e.AsCall()
	var arg ast.Expr
	switch {
	case call.IsMemberFunction() && len(call.Args()) == 0:
		arg = call.Target()
	case !call.IsMemberFunction() && len(call.Args()) == 1:
		arg = call.Args()[0]
	default:
		return 0, false
	}
	i, ok := b.field(arg)
	if !ok || (fieldKinds[i] != kindIntList && fieldKinds[i] != kindStringList) {
		return 0, false
	}
	return i, true
}

// rawValues are a subject's field values as the native evaluator reads
// them.
type rawValues struct {
	ints     [numFields]int64
	bools    [numFields]bool
	strs     [numFields]string
	intLists [numFields][]int64
	strLists [numFields][]string
}

// eval evaluates n; for an unknown result it also returns the unknown
// fields the result depends on.
func (n *node) eval(raw *rawValues, unknown fieldSet) (tri, fieldSet) {
	switch n.kind {
	case nConst:
		return triOf(n.b), 0
	case nNot:
		t, u := n.kids[0].eval(raw, unknown)
		switch t {
		case triTrue:
			return triFalse, 0
		case triFalse:
			return triTrue, 0
		}
		return triUnknown, u
	case nAnd, nOr:
		decisive := triFalse // false decides &&, true decides ||
		if n.kind == nOr {
			decisive = triTrue
		}
		var deps fieldSet
		undecided := false
		for _, k := range n.kids {
			t, u := k.eval(raw, unknown)
			if t == decisive {
				return decisive, 0
			}
			if t == triUnknown {
				undecided = true
				deps |= u
			}
		}
		if undecided {
			return triUnknown, deps
		}
		return 1 - decisive, 0 // the other of triTrue, triFalse
	}
	if unknown.has(n.field) {
		return triUnknown, 1 << uint(n.field)
	}
	switch n.kind {
	case nBoolField:
		return triOf(raw.bools[n.field]), 0
	case nCmpInt:
		return triOf(compare(n.op, raw.ints[n.field], n.k)), 0
	case nCmpStr:
		return triOf((raw.strs[n.field] == n.s) == (n.op == opEq)), 0
	case nSizeCmp:
		size := len(raw.intLists[n.field]) + len(raw.strLists[n.field])
		return triOf(compare(n.op, int64(size), n.k)), 0
	case nHasInt:
		return triOf(containsInt(raw.intLists[n.field], n.k)), 0
	case nHasStr:
		return triOf(containsStr(raw.strLists[n.field], n.s)), 0
	case nInInts:
		return triOf(containsInt(n.ints, raw.ints[n.field])), 0
	case nInStrs:
		return triOf(containsStr(n.strs, raw.strs[n.field])), 0
	case nAnyIn, nAllIn:
		all := n.kind == nAllIn
		for _, x := range raw.intLists[n.field] {
			if containsInt(n.ints, x) != all {
				return triOf(!all), 0
			}
		}
		for _, x := range raw.strLists[n.field] {
			if containsStr(n.strs, x) != all {
				return triOf(!all), 0
			}
		}
		return triOf(all), 0
	}
	return triUnknown, 0
}

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

func compare(op cmpOp, a, b int64) bool {
	switch op {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opLe:
		return a <= b
	case opGt:
		return a > b
	default:
		return a >= b
	}
}

func containsInt(xs []int64, x int64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func containsStr(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// rawOf extracts the values the native evaluator reads.
func rawOf(firm *profilesv1.Firm, facts *catalogv1.FirmFacts) *rawValues {
	r := &rawValues{}
	r.strs[fUSCC] = firm.GetUscc()
	r.strs[fName] = firm.GetName()
	r.strs[fNameEN] = firm.GetNameEn()
	r.ints[fDistrict] = int64(firm.GetDistrict())
	r.ints[fIndustry] = int64(firm.GetIndustry())
	r.strs[fMainProducts] = firm.GetMainProducts()
	r.strLists[fHSCodes] = firm.GetHsCodes()
	r.ints[fRevenueBand] = int64(firm.GetRevenueBand())
	r.ints[fExportValueFen] = firm.GetAnnualExportValueFen()
	r.ints[fEmployeesBand] = int64(firm.GetEmployeesBand())
	r.ints[fStage] = int64(firm.GetStage())
	r.intLists[fPlatforms] = enumInts(firm.GetPlatforms())
	r.strLists[fTargetMarkets] = firm.GetTargetMarkets()
	r.intLists[fNeeds] = enumInts(firm.GetNeeds())
	r.strs[fAddress] = firm.GetAddress()
	r.strs[fWebsite] = firm.GetWebsite()
	r.bools[fProgrammeMember] = facts.GetProgrammeMember()
	r.strLists[fAssociationIDs] = facts.GetAssociationIds()
	r.ints[fExportValueWanYuan] = facts.GetAnnualExportValueWanYuan()
	r.bools[fExporting] = facts.GetExporting()
	r.strLists[fHSChapters] = facts.GetHsChapters()
	r.strLists[fIndustryBeltIDs] = facts.GetIndustryBeltIds()
	return r
}
