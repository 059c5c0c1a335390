package eligibility

import (
	"context"
	"testing"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

// TestUnknownMembership: for a firm whose memberships cannot be checked,
// criteria on programme membership are UNKNOWN, not FAIL.
func TestUnknownMembership(t *testing.T) {
	e, err := NewEngine(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, issues := e.Compile("facts.programme_member")
	if c == nil {
		t.Fatalf("compile: %v", issues)
	}
	firm := &profilesv1.Firm{Name: "杭州测试有限公司"}
	known := e.EvaluateOne(context.Background(), e.NewSubject(firm, nil), c)
	if known.GetOutcome() != catalogv1.CriterionOutcome_CRITERION_OUTCOME_FAIL {
		t.Errorf("saved firm without programme associations: %v, want FAIL", known.GetOutcome())
	}
	unknown := e.EvaluateOne(context.Background(), e.NewSubjectUnknownMembership(firm, nil), c)
	if unknown.GetOutcome() != catalogv1.CriterionOutcome_CRITERION_OUTCOME_UNKNOWN || len(unknown.GetMissingFields()) == 0 {
		t.Errorf("unchecked memberships: %v missing %v, want UNKNOWN naming a field", unknown.GetOutcome(), unknown.GetMissingFields())
	}
}
