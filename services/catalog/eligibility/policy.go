package eligibility

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// MaxCriterionIDLength and MaxDescriptionRunes bound a criterion's id and
// description.
const (
	MaxCriterionIDLength = 32
	MaxDescriptionRunes  = 200
)

// PolicyRules is a policy's eligibility, compiled: the implicit district,
// industry and stage lists (empty means any) and the explicit criteria in the
// policy's order. Build it with CompilePolicy, once per policy version; it is
// immutable and safe for concurrent use.
type PolicyRules struct {
	Districts  []commonv1.District
	Industries []commonv1.Industry
	Stages     []commonv1.CrossBorderStage
	Criteria   []Rule

	// implicit holds the prepared implicit criteria; nil when the rules were
	// not built by CompilePolicy, in which case Evaluate prepares them on
	// every call.
	implicit []implicitRule
}

// Rule is one explicit criterion.
type Rule struct {
	ID, Description string
	Compiled        *Compiled
}

// Implicit criterion ids.
const (
	DistrictCriterionID = "_district"
	IndustryCriterionID = "_industry"
	StageCriterionID    = "_stage"
)

// implicitRule is a district, industry or stage list checked in Go.
type implicitRule struct {
	id, description, expression string
	field                       int
	allowed                     enumSet
}

// enumSet is a set of enum numbers 0–127 (every value the contract defines).
type enumSet [2]uint64

func (s *enumSet) add(n int32) {
	if n >= 0 && n < 128 {
		s[n/64] |= 1 << uint(n%64)
	}
}

func (s enumSet) has(n int32) bool {
	return n >= 0 && n < 128 && s[n/64]&(1<<uint(n%64)) != 0
}

// CompilePolicy validates and compiles a policy's criteria. Criteria with an
// empty id get the first unused of "c1", "c2", … (set on p.Criteria too, so
// the caller stores them). Each problem is a violation named
// "policy.criteria[i].id", ".description" or ".expression" (the compiler's
// message, prefixed with the line and column); more than MaxCriteria criteria
// is a violation of "policy.criteria". On any violation the rules are nil.
//
// The district, industry and stage lists are taken as they are; validating
// their values is the caller's.
func (e *Engine) CompilePolicy(p *catalogv1.Policy) (*PolicyRules, *apperr.ValidationError) {
	v := &apperr.ValidationError{}
	if n := len(p.GetCriteria()); n > MaxCriteria {
		v.Add("policy.criteria", "资格条件最多%d条，当前为%d条", MaxCriteria, n)
	}
	used := make(map[string]int, len(p.GetCriteria()))
	for _, c := range p.GetCriteria() {
		if c != nil && c.GetId() != "" {
			if _, dup := used[c.GetId()]; !dup {
				used[c.GetId()] = -1
			}
		}
	}
	next := 1
	rules := &PolicyRules{
		Districts:  append([]commonv1.District(nil), p.GetDistricts()...),
		Industries: append([]commonv1.Industry(nil), p.GetIndustries()...),
		Stages:     append([]commonv1.CrossBorderStage(nil), p.GetStages()...),
	}
	for i, c := range p.GetCriteria() {
		field := fmt.Sprintf("policy.criteria[%d]", i)
		if c == nil {
			c = &catalogv1.Criterion{}
			p.Criteria[i] = c
		}
		if c.Id == "" {
			for {
				id := "c" + strconv.Itoa(next)
				next++
				if _, taken := used[id]; !taken {
					c.Id = id
					used[id] = -1
					break
				}
			}
		} else if msg := checkCriterionID(c.Id); msg != "" {
			v.Add(field+".id", "%s", msg)
		}
		if first, ok := used[c.Id]; ok && first >= 0 {
			v.Add(field+".id", "条件编号“%s”与第%d条条件重复", c.Id, first+1)
		} else {
			used[c.Id] = i
		}
		switch n := utf8.RuneCountInString(c.Description); {
		case strings.TrimSpace(c.Description) == "":
			v.Add(field+".description", "条件说明不能为空")
		case n > MaxDescriptionRunes:
			v.Add(field+".description", "条件说明不能超过%d个字，当前为%d个", MaxDescriptionRunes, n)
		}
		compiled, issues := e.Compile(c.Expression)
		for _, is := range issues {
			v.Add(field+".expression", "%s", IssueText(is))
		}
		rules.Criteria = append(rules.Criteria, Rule{ID: c.Id, Description: c.Description, Compiled: compiled})
	}
	if len(v.Violations) > 0 {
		return nil, v
	}
	rules.implicit = rules.prepareImplicit()
	return rules, nil
}

// IssueText renders an issue as one line, e.g. "第1行第12列：undeclared
// reference to 'x'".
func IssueText(is *catalogv1.ExpressionIssue) string {
	if is.GetLine() > 0 {
		return fmt.Sprintf("第%d行第%d列：%s", is.GetLine(), is.GetColumn(), is.GetMessage())
	}
	return is.GetMessage()
}

// checkCriterionID returns the rule an explicit id breaks, or "".
func checkCriterionID(id string) string {
	const rule = "条件编号须为1至32位小写字母、数字或下划线，且不能以下划线开头（下划线开头的编号留给区县、行业、阶段等隐含条件）"
	if len(id) > MaxCriterionIDLength || id[0] == '_' {
		return rule
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return rule
		}
	}
	return ""
}

// prepareImplicit builds the implicit criteria the policy sets, in the
// order _district, _industry, _stage.
func (r *PolicyRules) prepareImplicit() []implicitRule {
	var out []implicitRule
	if len(r.Districts) > 0 {
		out = append(out, newImplicit(DistrictCriterionID, "适用区县", fDistrict, "District", r.Districts))
	}
	if len(r.Industries) > 0 {
		out = append(out, newImplicit(IndustryCriterionID, "适用行业", fIndustry, "Industry", r.Industries))
	}
	if len(r.Stages) > 0 {
		out = append(out, newImplicit(StageCriterionID, "适用阶段", fStage, "CrossBorderStage", r.Stages))
	}
	return out
}

// newImplicit generates the description ("适用区县：萧山区、滨江区") and the
// equivalent CEL expression ("firm.district in [District.DISTRICT_XIAOSHAN,
// District.DISTRICT_BINJIANG]") of an implicit criterion.
func newImplicit[E interface {
	protoreflect.Enum
	~int32
}](id, title string, field int, enumName string, vals []E) implicitRule {
	r := implicitRule{id: id, field: field}
	var labels, names []string
	for _, v := range vals {
		if r.allowed.has(int32(v)) {
			continue
		}
		r.allowed.add(int32(v))
		labels = append(labels, refdata.Label(v))
		name := strconv.Itoa(int(v))
		if vd := v.Descriptor().Values().ByNumber(v.Number()); vd != nil {
			name = enumName + "." + string(vd.Name())
		}
		names = append(names, name)
	}
	r.description = title + "：" + strings.Join(labels, "、")
	r.expression = fields[field].path + " in [" + strings.Join(names, ", ") + "]"
	return r
}
