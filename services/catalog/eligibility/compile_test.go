package eligibility

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
)

func newTestEngine(t testing.TB, o Options) *Engine {
	t.Helper()
	e, err := NewEngine(o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCompileRejects(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct {
		name string
		expr string
		want *catalogv1.ExpressionIssue // Message is matched as a substring
	}{
		{"empty", "", &catalogv1.ExpressionIssue{Message: "条件表达式不能为空"}},
		{"only blanks", " \n\t ", &catalogv1.ExpressionIssue{Message: "条件表达式不能为空"}},
		{"over 2000 characters", strings.Repeat("true && ", 250) + "true",
			&catalogv1.ExpressionIssue{Message: "条件表达式不能超过2000个字符，当前为2004个"}},
		{"over 2000 Chinese characters", "'" + strings.Repeat("萧", 1999) + "' == firm.name",
			&catalogv1.ExpressionIssue{Message: "不能超过2000个字符"}},
		{"syntax error with line and column", "firm.stage >= 1 &&\n  (facts.exporting ||",
			&catalogv1.ExpressionIssue{Message: "Syntax error", Line: 2, Column: 22}},
		{"unknown field", "firm.export_value > 1",
			&catalogv1.ExpressionIssue{Message: "undefined field 'export_value'", Line: 1, Column: 5}},
		{"unknown facts field", "facts.exported",
			&catalogv1.ExpressionIssue{Message: "undefined field 'exported'", Line: 1, Column: 6}},
		{"column counts characters, not bytes", "'中文中文' == firm.nme",
			&catalogv1.ExpressionIssue{Message: "undefined field 'nme'", Line: 1, Column: 15}},
		{"not bool", "firm.name",
			&catalogv1.ExpressionIssue{Message: "条件须返回布尔值（true 或 false），该表达式返回 string", Line: 1, Column: 1}},
		{"not bool int", "facts.annual_export_value_wan_yuan + 1",
			&catalogv1.ExpressionIssue{Message: "该表达式返回 int"}},
		{"unknown enum value", "firm.stage >= CrossBorderStage.FIRST_ORDER",
			&catalogv1.ExpressionIssue{Message: "未知的枚举值 CrossBorderStage.FIRST_ORDER：可用的值如 CrossBorderStage.CROSS_BORDER_STAGE_NONE，全部取值见代码表 cross_border_stage", Line: 1, Column: 15}},
		{"unknown enum", "firm.stage == Stage.FIRST_ORDER",
			&catalogv1.ExpressionIssue{Message: "undeclared reference to 'Stage'", Line: 1, Column: 15}},
		{"undeclared variable", "profile.stage > 1",
			&catalogv1.ExpressionIssue{Message: "undeclared reference to 'profile'", Line: 1, Column: 1}},
		{"type mismatch", "firm.name > 1",
			&catalogv1.ExpressionIssue{Message: "found no matching overload for '_>_'"}},
		{"field not offered to criteria", "size(firm.contacts) > 0",
			&catalogv1.ExpressionIssue{Message: "字段 firm.contacts 不能用于资格条件", Line: 1, Column: 10}},
		{"membership list not offered", "firm.memberships.exists(m, m.association_id == 'a')",
			&catalogv1.ExpressionIssue{Message: "字段 firm.memberships 不能用于资格条件"}},
		{"variable used whole", "firm == firm",
			&catalogv1.ExpressionIssue{Message: "firm 须通过字段使用，如 firm.stage", Line: 1, Column: 1}},
		{"loop variable shadows firm", "firm.platforms.exists(firm, firm == 1)",
			&catalogv1.ExpressionIssue{Message: "不能用 firm 作循环变量名"}},
		{"nested comprehension over the cost limit",
			"firm.hs_codes.all(a, firm.target_markets.all(b, firm.needs.all(c, a + b != '')))",
			&catalogv1.ExpressionIssue{Message: "表达式预计计算成本最高为90123，超过上限10000"}},
		{"string repetition over the cost limit",
			"firm.target_markets.exists(a, firm.target_markets.exists(b, firm.hs_codes.exists(c, firm.main_products.contains(a + b + c))))",
			&catalogv1.ExpressionIssue{Message: "超过上限10000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, issues := e.Compile(tt.expr)
			if c != nil {
				t.Fatalf("Compile(%q) succeeded, want %q", tt.expr, tt.want.Message)
			}
			if len(issues) == 0 {
				t.Fatalf("Compile(%q) = nil with no issues", tt.expr)
			}
			got := issues[0]
			if !strings.Contains(got.GetMessage(), tt.want.Message) {
				t.Errorf("message = %q, want it to contain %q", got.GetMessage(), tt.want.Message)
			}
			if tt.want.Line != 0 && (got.GetLine() != tt.want.Line || got.GetColumn() != tt.want.Column) {
				t.Errorf("position = %d:%d, want %d:%d", got.GetLine(), got.GetColumn(), tt.want.Line, tt.want.Column)
			}
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct {
		name       string
		expr       string
		wantFields []string
		wantNative bool
	}{
		{"threshold in wan yuan", "facts.annual_export_value_wan_yuan >= 500", []string{"facts.annual_export_value_wan_yuan"}, true},
		{"fields in order of appearance",
			"facts.annual_export_value_wan_yuan >= 500 && firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER",
			[]string{"facts.annual_export_value_wan_yuan", "firm.stage"}, true},
		{"enum with full name", "firm.district == qihang.common.v1.District.DISTRICT_XIAOSHAN", []string{"firm.district"}, true},
		{"platform membership", "SalesPlatform.SALES_PLATFORM_AMAZON in firm.platforms", []string{"firm.platforms"}, true},
		{"exists over markets", "firm.target_markets.exists(m, m in ['US', 'DE'])", []string{"firm.target_markets"}, true},
		{"all platforms", "firm.platforms.all(p, p == SalesPlatform.SALES_PLATFORM_TEMU)", []string{"firm.platforms"}, true},
		{"presence test", "has(firm.annual_export_value_fen)", []string{"firm.annual_export_value_fen"}, false},
		{"string function", "firm.uscc.startsWith('91')", []string{"firm.uscc"}, false},
		{"double threshold compares across types", "firm.annual_export_value_fen >= 5e8", []string{"firm.annual_export_value_fen"}, false},
		{"constant", "true", nil, true},
		{"same field twice counts once", "firm.stage >= 4 && firm.stage <= 5", []string{"firm.stage"}, true},
		{"comment and newlines", "// 出口额\nfacts.annual_export_value_wan_yuan >= 100 ||\n  facts.programme_member", []string{"facts.annual_export_value_wan_yuan", "facts.programme_member"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, issues := e.Compile(tt.expr)
			if c == nil {
				t.Fatalf("Compile(%q): %v", tt.expr, issues)
			}
			var got []string
			for _, f := range c.Fields {
				got = append(got, f.GetPath())
				if f.GetLabel() == "" {
					t.Errorf("field %s has no label", f.GetPath())
				}
			}
			if diff := cmp.Diff(tt.wantFields, got); diff != "" {
				t.Errorf("Fields (-want +got):\n%s", diff)
			}
			if c.CostEstimate > e.CostLimit() || (tt.wantFields != nil && c.CostEstimate == 0) {
				t.Errorf("CostEstimate = %d", c.CostEstimate)
			}
			if (c.native != nil) != tt.wantNative {
				t.Errorf("native = %v, want %v", c.native != nil, tt.wantNative)
			}
		})
	}
}

func TestEnvironmentDescribesEveryFieldAndItsExamplesCompile(t *testing.T) {
	e := newTestEngine(t, Options{})
	env := e.Environment()
	if env.GetContainer() != "qihang.common.v1" || env.GetCostLimit() != 10_000 || env.GetTimeLimitMillis() != 2000 {
		t.Errorf("container, limits = %q, %d, %d", env.GetContainer(), env.GetCostLimit(), env.GetTimeLimitMillis())
	}
	if n := len(env.GetExamples()); n < 6 || n > 10 {
		t.Errorf("%d examples, want 6 to 10", n)
	}
	ids := map[string]bool{}
	for _, ex := range env.GetExamples() {
		if ex.GetDescription() == "" || ids[ex.GetId()] || checkCriterionID(ex.GetId()) != "" {
			t.Errorf("example %q: bad id or description", ex.GetId())
		}
		ids[ex.GetId()] = true
		if _, issues := e.Compile(ex.GetExpression()); issues != nil {
			t.Errorf("example %q does not compile: %v", ex.GetExpression(), issues)
		}
	}
	messages := map[string]protoreflect.MessageDescriptor{
		"firm":  (&profilesv1.Firm{}).ProtoReflect().Descriptor(),
		"facts": (&catalogv1.FirmFacts{}).ProtoReflect().Descriptor(),
	}
	if len(env.GetFields()) != numFields {
		t.Errorf("%d fields, want %d", len(env.GetFields()), numFields)
	}
	for _, f := range env.GetFields() {
		owner, name, _ := strings.Cut(f.GetPath(), ".")
		fd := messages[owner].Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			t.Errorf("%s is not a field", f.GetPath())
			continue
		}
		want := map[protoreflect.Kind]string{
			protoreflect.StringKind: "string", protoreflect.Int64Kind: "int", protoreflect.BoolKind: "bool",
		}[fd.Kind()]
		if fd.Kind() == protoreflect.EnumKind {
			want = string(fd.Enum().FullName())
		}
		if fd.IsList() {
			want = "list(" + want + ")"
		}
		if f.GetType() != want {
			t.Errorf("%s: type %q, want %q", f.GetPath(), f.GetType(), want)
		}
		if f.GetLabel() == "" || f.GetDescription() == "" {
			t.Errorf("%s: no label or description", f.GetPath())
		}
		if (fd.Kind() == protoreflect.EnumKind) != (f.GetCodeList() != "" && f.GetCodeList() != "market") {
			t.Errorf("%s: code list %q", f.GetPath(), f.GetCodeList())
		}
		// Every field must compile in a criterion.
		expr := f.GetPath() + " == " + f.GetPath()
		if _, issues := e.Compile(expr); issues != nil {
			t.Errorf("%s: %v", expr, issues)
		}
	}
}

func TestCompilePolicyAssignsIDs(t *testing.T) {
	e := newTestEngine(t, Options{})
	p := &catalogv1.Policy{Criteria: []*catalogv1.Criterion{
		{Description: "出口额达标", Expression: "facts.annual_export_value_wan_yuan >= 100"},
		{Id: "c1", Description: "已出单", Expression: "facts.exporting"},
		{Description: "协会会员", Expression: "facts.programme_member"},
		{Id: "c3x", Description: "亚马逊", Expression: "SalesPlatform.SALES_PLATFORM_AMAZON in firm.platforms"},
	}}
	rules, verr := e.CompilePolicy(p)
	if verr != nil {
		t.Fatal(verr)
	}
	want := []string{"c2", "c1", "c3", "c3x"}
	var got, stored []string
	for i, r := range rules.Criteria {
		got = append(got, r.ID)
		stored = append(stored, p.Criteria[i].GetId())
		if r.Compiled == nil || r.Description != p.Criteria[i].GetDescription() {
			t.Errorf("rule %d = %+v", i, r)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("ids set on the policy (-want +got):\n%s", diff)
	}
}

func TestCompilePolicyViolationsNameTheCriterion(t *testing.T) {
	e := newTestEngine(t, Options{})
	ok := func(id string) *catalogv1.Criterion {
		return &catalogv1.Criterion{Id: id, Description: "已出单", Expression: "facts.exporting"}
	}
	tests := []struct {
		name     string
		criteria []*catalogv1.Criterion
		want     []apperr.FieldViolation
	}{
		{"expression that does not compile", []*catalogv1.Criterion{
			ok("a"), ok("b"), {Id: "c", Description: "出口额", Expression: "firm.export_value > 1"}},
			[]apperr.FieldViolation{{Field: "policy.criteria[2].expression", Description: "第1行第5列：undefined field 'export_value'"}}},
		{"expression not bool", []*catalogv1.Criterion{{Description: "名称", Expression: "firm.name"}},
			[]apperr.FieldViolation{{Field: "policy.criteria[0].expression", Description: "第1行第1列：条件须返回布尔值（true 或 false），该表达式返回 string"}}},
		{"empty expression", []*catalogv1.Criterion{{Description: "空"}},
			[]apperr.FieldViolation{{Field: "policy.criteria[0].expression", Description: "条件表达式不能为空"}}},
		{"upper-case id", []*catalogv1.Criterion{ok("C1")},
			[]apperr.FieldViolation{{Field: "policy.criteria[0].id", Description: "条件编号须为1至32位小写字母、数字或下划线，且不能以下划线开头（下划线开头的编号留给区县、行业、阶段等隐含条件）"}}},
		{"reserved id", []*catalogv1.Criterion{ok("x"), ok("_district")},
			[]apperr.FieldViolation{{Field: "policy.criteria[1].id", Description: "条件编号须为1至32位小写字母、数字或下划线，且不能以下划线开头（下划线开头的编号留给区县、行业、阶段等隐含条件）"}}},
		{"id over 32 characters", []*catalogv1.Criterion{ok(strings.Repeat("a", 33))},
			[]apperr.FieldViolation{{Field: "policy.criteria[0].id", Description: "条件编号须为1至32位小写字母、数字或下划线，且不能以下划线开头（下划线开头的编号留给区县、行业、阶段等隐含条件）"}}},
		{"duplicate id", []*catalogv1.Criterion{ok("export"), ok("member"), ok("export")},
			[]apperr.FieldViolation{{Field: "policy.criteria[2].id", Description: "条件编号“export”与第1条条件重复"}}},
		{"empty description", []*catalogv1.Criterion{{Id: "a", Description: "  ", Expression: "true"}},
			[]apperr.FieldViolation{{Field: "policy.criteria[0].description", Description: "条件说明不能为空"}}},
		{"description over 200 characters", []*catalogv1.Criterion{{Id: "a", Description: strings.Repeat("字", 201), Expression: "true"}},
			[]apperr.FieldViolation{{Field: "policy.criteria[0].description", Description: "条件说明不能超过200个字，当前为201个"}}},
		{"several problems in one criterion", []*catalogv1.Criterion{{Id: "A", Expression: "1"}},
			[]apperr.FieldViolation{
				{Field: "policy.criteria[0].id", Description: "条件编号须为1至32位小写字母、数字或下划线，且不能以下划线开头（下划线开头的编号留给区县、行业、阶段等隐含条件）"},
				{Field: "policy.criteria[0].description", Description: "条件说明不能为空"},
				{Field: "policy.criteria[0].expression", Description: "第1行第1列：条件须返回布尔值（true 或 false），该表达式返回 int"},
			}},
		{"more than 30 criteria", func() []*catalogv1.Criterion {
			var cs []*catalogv1.Criterion
			for i := range 31 {
				cs = append(cs, ok(fmt.Sprintf("c%d", i+1)))
			}
			return cs
		}(), []apperr.FieldViolation{{Field: "policy.criteria", Description: "资格条件最多30条，当前为31条"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, verr := e.CompilePolicy(&catalogv1.Policy{Criteria: tt.criteria})
			if rules != nil {
				t.Errorf("rules = %v, want nil", rules)
			}
			if verr == nil {
				t.Fatal("no violations")
			}
			if diff := cmp.Diff(tt.want, verr.Violations); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			if verr.Err() == nil {
				t.Error("Err() = nil")
			}
		})
	}
}

func TestCompilePolicyWithOnlyImplicitCriteria(t *testing.T) {
	e := newTestEngine(t, Options{})
	rules, verr := e.CompilePolicy(&catalogv1.Policy{Districts: districts(5)})
	if verr != nil {
		t.Fatal(verr)
	}
	if len(rules.Criteria) != 0 || len(rules.implicit) != 1 {
		t.Errorf("rules = %+v", rules)
	}
	rules, verr = e.CompilePolicy(nil)
	if verr != nil || rules == nil {
		t.Fatalf("CompilePolicy(nil) = %v, %v", rules, verr)
	}
}

// FuzzCompile: no input panics; whatever compiles returns bool for any
// subject, and whatever fails says why.
func FuzzCompile(f *testing.F) {
	for _, ex := range examples {
		f.Add(ex.expression)
	}
	for _, s := range []string{
		"", "firm.", "firm.stage >=", "firm.name", "[1,2].map(x, x)", "'\\xff' == firm.name", "\xff",
		"firm.hs_codes.all(a, firm.target_markets.all(b, a != b))", "has(firm.annual_export_value_fen)",
		"1/0 == 1", "firm == firm", "facts.hs_chapters.exists(c, c == '62') && !facts.programme_member",
		"dyn(firm.stage) == 1", "firm.platforms.exists(firm, true)", "(((((((((((((((1)))))))))))))) == 1",
	} {
		f.Add(s)
	}
	e := newTestEngine(f, Options{})
	subjects := []*Subject{e.NewSubject(&profilesv1.Firm{}, nil), e.NewSubject(fullFirm(), nil)}
	f.Fuzz(func(t *testing.T, expr string) {
		c, issues := e.Compile(expr)
		if c == nil {
			if len(issues) == 0 {
				t.Fatalf("Compile(%q) = nil without issues", expr)
			}
			for _, is := range issues {
				if is.GetMessage() == "" || is.GetLine() < 0 || is.GetColumn() < 0 {
					t.Fatalf("Compile(%q): bad issue %v", expr, is)
				}
			}
			return
		}
		if len(issues) != 0 || c.Expression != expr || c.CostEstimate > e.CostLimit() {
			t.Fatalf("Compile(%q) = %+v, %v", expr, c, issues)
		}
		for _, s := range subjects {
			r := e.EvaluateOne(context.Background(), s, c)
			if r.GetOutcome() == catalogv1.CriterionOutcome_CRITERION_OUTCOME_ERROR && strings.HasPrefix(r.GetError(), "条件未返回布尔值") {
				t.Fatalf("%q: %v", expr, r)
			}
			if r.GetOutcome() == catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN && len(r.GetMissingFields()) == 0 {
				t.Fatalf("%q: unknown without missing fields: %v", expr, r)
			}
		}
	})
}
