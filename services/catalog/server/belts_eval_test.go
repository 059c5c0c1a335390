package server_test

import (
	"testing"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
)

// Evaluation reads the published belts from memory; a belt published or
// archived through this instance counts in the very next evaluation.
func TestEvaluationFollowsBeltWrites(t *testing.T) {
	h := newHarness(t)
	a := h.catalogSvc.App
	msg := h.policyMessage(own)
	msg.Criteria = []*catalogv1.Criterion{{Description: "位于至少两个产业带", Expression: "size(facts.industry_belt_ids) >= 2"}}
	p, err := a.CreatePolicy(h.system, msg, false)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = a.PublishPolicy(h.system, p.GetId(), p.GetEtag(), "产业带测试：发布"); err != nil {
		t.Fatal(err)
	}
	verdict := func(what string, want catalogv1.Verdict) {
		t.Helper()
		resp, err := h.catalog.EvaluatePolicies(h.ctx(t, h.callers[roleBureau]), &catalogv1.EvaluatePoliciesRequest{
			Subject: &catalogv1.EvaluatePoliciesRequest_Firm{Firm: inlineFirm(own)}, PolicyIds: []string{p.GetId()},
		})
		if err != nil {
			t.Fatalf("%s: EvaluatePolicies: %v", what, err)
		}
		if got := resp.GetEvaluations()[0].GetVerdict(); got != want {
			t.Errorf("%s: verdict %v, want %v", what, got, want)
		}
	}
	verdict("one published belt of the firm's district and industry", catalogv1.Verdict_VERDICT_NOT_ELIGIBLE)

	second := h.newBelt(t, own, beltPublished)
	verdict("a second belt published", catalogv1.Verdict_VERDICT_ELIGIBLE)

	patch := &catalogv1.IndustryBelt{Id: second.GetId(), Etag: second.GetEtag(), Status: beltArchived}
	if _, err := a.UpdateIndustryBelt(h.system, patch, []string{"status"}); err != nil {
		t.Fatal(err)
	}
	verdict("the second belt archived", catalogv1.Verdict_VERDICT_NOT_ELIGIBLE)
}
