package server_test

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
)

// accessEntry is one row of the access matrix: one RPC on one kind of
// object (variant), e.g. UpdatePolicy on a draft.
type accessEntry struct {
	// variant names the kind of object or request, e.g. "draft"; empty
	// when the RPC has one row.
	variant string
	// want is the expected code per role and target, written
	// "anon | bureau | officer | assoc | firm | expert", each "own/other" or
	// one code for both (see parseWant).
	want string
	// call makes the RPC as c against the object of tg and returns its
	// error. It may create fresh objects first (as the system) and may
	// check a successful response further with t.Errorf.
	call func(t *testing.T, h *harness, c *caller, tg target) error
}

// Rows shared by several RPCs. The contract (CatalogService comment) and the
// access spec of issue 3:
//   - reading published (and withdrawn, expired) policies and published
//     belts is public; drafts and archived belts only for their editors,
//     NOT_FOUND to everyone else;
//   - writing: a bureau admin any object; the XIAOSHAN officer the
//     district-level policies of exactly XIAOSHAN and XIAOSHAN's belts,
//     PERMISSION_DENIED for another district's readable objects and
//     NOT_FOUND for its drafts; every other role PERMISSION_DENIED, whatever
//     the object (a role that can never write is told so, without a lookup);
//     anonymous UNAUTHENTICATED.
const (
	rowPublic          = "OK | OK | OK | OK | OK | OK"
	rowEditorsOnlyRead = "NF | OK/OK | OK/NF | NF | NF | NF"
	rowWriteReadable   = "U | OK/OK | OK/PD | PD | PD | PD"
	rowWriteDraft      = "U | OK/OK | OK/NF | PD | PD | PD"
)

// accessMatrix says, for every RPC of the catalog contract, what each role
// gets on an object of its own district (XIAOSHAN) and of another (XIHU).
// TestAccessMatrix fails for an RPC without an entry here.
var accessMatrix = map[string][]accessEntry{
	// CatalogSyncService: service tokens only (sync_test.go covers them).
	catalogv1.CatalogSyncService_ListCatalogChanges_FullMethodName: {{
		want: "U | PD | PD | PD | PD | PD",
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			_, err := h.sync.ListCatalogChanges(h.ctx(t, c), &catalogv1.ListCatalogChangesRequest{Source: catalogv1.CatalogSource_CATALOG_SOURCE_POLICIES})
			return err
		},
	}},
	catalogv1.CatalogSyncService_ScanCatalog_FullMethodName: {{
		want: "U | PD | PD | PD | PD | PD",
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			stream, err := h.sync.ScanCatalog(h.ctx(t, c), &catalogv1.ScanCatalogRequest{Source: catalogv1.CatalogSource_CATALOG_SOURCE_BELTS})
			if err != nil {
				return err
			}
			_, err = stream.Recv()
			return err
		},
	}},

	catalogv1.CatalogService_GetCriterionEnvironment_FullMethodName: {{
		want: rowPublic,
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			resp, err := h.catalog.GetCriterionEnvironment(h.ctx(t, c), &catalogv1.GetCriterionEnvironmentRequest{})
			if err == nil && (len(resp.GetEnvironment().GetFields()) == 0 || resp.GetEnvironment().GetCostLimit() == 0) {
				t.Errorf("environment without fields or cost limit: %v", resp.GetEnvironment())
			}
			return err
		},
	}},

	catalogv1.CatalogService_ValidateCriterion_FullMethodName: {
		{
			variant: "expression only",
			want:    "U | OK | OK | PD | PD | PD",
			call: func(t *testing.T, h *harness, c *caller, _ target) error {
				resp, err := h.catalog.ValidateCriterion(h.ctx(t, c), &catalogv1.ValidateCriterionRequest{Expression: stageCriterion})
				if err == nil && !resp.GetValid() {
					t.Errorf("ValidateCriterion(%q) = invalid: %v", stageCriterion, resp.GetIssues())
				}
				return err
			},
		},
		{
			// Trying the expression on a saved firm needs the right to
			// evaluate that firm, "as in EvaluatePolicies" (see there).
			variant: "trial on firm fa/fb",
			want:    "U | OK/OK | OK/NF | PD | PD | PD",
			call: func(t *testing.T, h *harness, c *caller, tg target) error {
				resp, err := h.catalog.ValidateCriterion(h.ctx(t, c), &catalogv1.ValidateCriterionRequest{Expression: stageCriterion, FirmId: h.firm(tg)})
				if err == nil && resp.GetTrialResult().GetOutcome() != catalogv1.CriterionOutcome_CRITERION_OUTCOME_PASS {
					t.Errorf("trial result = %v, want PASS", resp.GetTrialResult())
				}
				return err
			},
		},
	},

	catalogv1.CatalogService_CreatePolicy_FullMethodName: {{
		want: rowWriteReadable,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.catalog.CreatePolicy(h.ctx(t, c), &catalogv1.CreatePolicyRequest{Policy: h.policyMessage(tg)})
			if err == nil && (resp.GetPolicy().GetStatus() != draft || resp.GetPolicy().GetVersion() != 1) {
				t.Errorf("created policy status %v version %d, want DRAFT 1", resp.GetPolicy().GetStatus(), resp.GetPolicy().GetVersion())
			}
			return err
		},
	}},

	catalogv1.CatalogService_GetPolicy_FullMethodName: {
		{variant: "published", want: rowPublic, call: getPolicy(published)},
		{variant: "withdrawn", want: rowPublic, call: getPolicy(withdrawn)},
		{variant: "draft", want: rowEditorsOnlyRead, call: getPolicy(draft)},
	},

	catalogv1.CatalogService_ListPolicies_FullMethodName: {
		{
			variant: "district filter",
			want:    rowPublic,
			call: func(t *testing.T, h *harness, c *caller, tg target) error {
				list, err := h.listPolicies(t, c, &catalogv1.ListPoliciesRequest{District: district(tg)})
				if err == nil {
					h.checkPolicyList(t, c.role, tg, list, false)
				}
				return err
			},
		},
		{
			// Asking for drafts by status gives a reader none of them.
			variant: "status=DRAFT",
			want:    rowPublic,
			call: func(t *testing.T, h *harness, c *caller, tg target) error {
				list, err := h.listPolicies(t, c, &catalogv1.ListPoliciesRequest{District: district(tg), Status: draft})
				if err == nil {
					h.checkPolicyList(t, c.role, tg, list, true)
				}
				return err
			},
		},
	},

	catalogv1.CatalogService_UpdatePolicy_FullMethodName: {
		{variant: "published", want: rowWriteReadable, call: updatePolicy(published)},
		{variant: "draft", want: rowWriteDraft, call: updatePolicy(draft)},
	},

	catalogv1.CatalogService_DeletePolicy_FullMethodName: {
		{variant: "draft", want: rowWriteDraft, call: deletePolicy(draft)},
		{variant: "withdrawn", want: rowWriteReadable, call: deletePolicy(withdrawn)},
		// A published policy must be withdrawn first; the access check
		// comes before that rule.
		{variant: "published", want: "U | FP/FP | FP/PD | PD | PD | PD", call: deletePolicy(published)},
	},

	catalogv1.CatalogService_PublishPolicy_FullMethodName: {
		{variant: "draft", want: rowWriteDraft, call: publishPolicy(draft)},
		{variant: "withdrawn (republish)", want: rowWriteReadable, call: publishPolicy(withdrawn)},
		{variant: "already published", want: "U | FP/FP | FP/PD | PD | PD | PD", call: publishPolicy(published)},
	},

	catalogv1.CatalogService_WithdrawPolicy_FullMethodName: {
		{variant: "published", want: rowWriteReadable, call: withdrawPolicy(published)},
		{variant: "draft", want: "U | FP/FP | FP/NF | PD | PD | PD", call: withdrawPolicy(draft)},
	},

	catalogv1.CatalogService_ListPolicyVersions_FullMethodName: {
		{variant: "published", want: rowPublic, call: listPolicyVersions(published)},
		{variant: "draft", want: rowEditorsOnlyRead, call: listPolicyVersions(draft)},
	},

	catalogv1.CatalogService_GetPolicyVersion_FullMethodName: {
		// The fixture's published policy: version 1 is the draft as
		// created, version 2 its publication.
		{variant: "published policy, published version", want: rowPublic, call: getPolicyVersion(published, 2)},
		{variant: "published policy, draft version", want: rowEditorsOnlyRead, call: getPolicyVersion(published, 1)},
		{variant: "draft policy", want: rowEditorsOnlyRead, call: getPolicyVersion(draft, 1)},
	},

	catalogv1.CatalogService_EvaluatePolicies_FullMethodName: {
		{
			// A saved firm: the bureau any, the officer XIAOSHAN's firms,
			// the association admin A's members, the firm user fa. The
			// contract comment says PERMISSION_DENIED for a firm the caller
			// may not read; the spec of this matrix (and the code, which
			// reads the firm from the profiles service with the caller's
			// token) says NOT_FOUND, as profiles' GetFirm hides firms the
			// caller may not read. See the report on the divergence.
			variant: "saved firm fa/fb",
			want:    "U | OK/OK | OK/NF | OK/NF | OK/NF | NF/NF",
			call: func(t *testing.T, h *harness, c *caller, tg target) error {
				pid := h.policies[published][tg].GetId()
				resp, err := h.catalog.EvaluatePolicies(h.ctx(t, c), &catalogv1.EvaluatePoliciesRequest{
					Subject:   &catalogv1.EvaluatePoliciesRequest_FirmId{FirmId: h.firm(tg)},
					PolicyIds: []string{pid},
				})
				if err == nil {
					checkEvaluatedOne(t, resp, pid, h.firm(tg))
				}
				return err
			},
		},
		{
			variant: "unsaved firm, every published policy",
			want:    rowPublic,
			call: func(t *testing.T, h *harness, c *caller, tg target) error {
				resp, err := h.catalog.EvaluatePolicies(h.ctx(t, c), &catalogv1.EvaluatePoliciesRequest{
					Subject: &catalogv1.EvaluatePoliciesRequest_Firm{Firm: inlineFirm(tg)}, PageSize: 100,
				})
				if err == nil && !slices.ContainsFunc(resp.GetEvaluations(), func(e *catalogv1.PolicyEvaluation) bool {
					return e.GetPolicyId() == h.policies[published][tg].GetId()
				}) {
					t.Errorf("evaluating every published policy lacks the published fixture policy of %v", district(tg))
				}
				return err
			},
		},
		{
			// "A policy id the caller cannot see is NOT_FOUND; editors may
			// list their drafts by id to try them out."
			variant: "unsaved firm, draft policy id",
			want:    rowEditorsOnlyRead,
			call: func(t *testing.T, h *harness, c *caller, tg target) error {
				pid := h.policies[draft][tg].GetId()
				resp, err := h.catalog.EvaluatePolicies(h.ctx(t, c), &catalogv1.EvaluatePoliciesRequest{
					Subject: &catalogv1.EvaluatePoliciesRequest_Firm{Firm: inlineFirm(tg)}, PolicyIds: []string{pid},
				})
				if err == nil {
					checkEvaluatedOne(t, resp, pid, "")
				}
				return err
			},
		},
	},

	catalogv1.CatalogService_CreateIndustryBelt_FullMethodName: {{
		want: rowWriteReadable,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.catalog.CreateIndustryBelt(h.ctx(t, c), &catalogv1.CreateIndustryBeltRequest{
				IndustryBelt: h.beltMessage(tg, catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_UNSPECIFIED),
			})
			if err == nil && resp.GetIndustryBelt().GetStatus() != beltDraft {
				t.Errorf("created belt status %v, want DRAFT (the default)", resp.GetIndustryBelt().GetStatus())
			}
			return err
		},
	}},

	catalogv1.CatalogService_GetIndustryBelt_FullMethodName: {
		{variant: "published", want: rowPublic, call: getBelt(beltPublished)},
		{variant: "draft", want: rowEditorsOnlyRead, call: getBelt(beltDraft)},
		{variant: "archived", want: rowEditorsOnlyRead, call: getBelt(beltArchived)},
	},

	catalogv1.CatalogService_ListIndustryBelts_FullMethodName: {{
		variant: "district filter",
		want:    rowPublic,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			list, err := h.listBelts(t, c, &catalogv1.ListIndustryBeltsRequest{District: district(tg)})
			if err == nil {
				h.checkBeltList(t, c.role, tg, list)
			}
			return err
		},
	}},

	catalogv1.CatalogService_UpdateIndustryBelt_FullMethodName: {
		{variant: "published", want: rowWriteReadable, call: updateBelt(beltPublished)},
		{variant: "draft", want: rowWriteDraft, call: updateBelt(beltDraft)},
	},

	catalogv1.CatalogService_DeleteIndustryBelt_FullMethodName: {
		{variant: "published", want: rowWriteReadable, call: deleteBelt(beltPublished)},
		{variant: "draft", want: rowWriteDraft, call: deleteBelt(beltDraft)},
	},
}

type cellFunc = func(t *testing.T, h *harness, c *caller, tg target) error

func getPolicy(st catalogv1.PolicyStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		want := h.policies[st][tg]
		resp, err := h.catalog.GetPolicy(h.ctx(t, c), &catalogv1.GetPolicyRequest{Id: want.GetId()})
		if err == nil && (resp.GetPolicy().GetStatus() != st || resp.GetPolicy().GetFullText() == "") {
			t.Errorf("GetPolicy: status %v, full text %q; want %v with its full text", resp.GetPolicy().GetStatus(), resp.GetPolicy().GetFullText(), st)
		}
		return err
	}
}

func updatePolicy(st catalogv1.PolicyStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		p := h.newPolicy(t, tg, st)
		summary := "由" + c.role + "修改的摘要"
		resp, err := h.catalog.UpdatePolicy(h.ctx(t, c), &catalogv1.UpdatePolicyRequest{
			Policy:     &catalogv1.Policy{Id: p.GetId(), Etag: p.GetEtag(), Summary: summary},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"summary"}},
			ChangeNote: "矩阵测试修改",
		})
		if err == nil {
			got := resp.GetPolicy()
			if got.GetSummary() != summary || got.GetStatus() != st || got.GetVersion() != p.GetVersion()+1 {
				t.Errorf("updated policy: summary %q status %v version %d; want %q, %v, %d",
					got.GetSummary(), got.GetStatus(), got.GetVersion(), summary, st, p.GetVersion()+1)
			}
		}
		return err
	}
}

func deletePolicy(st catalogv1.PolicyStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		p := h.newPolicy(t, tg, st)
		_, err := h.catalog.DeletePolicy(h.ctx(t, c), &catalogv1.DeletePolicyRequest{Id: p.GetId(), Etag: p.GetEtag()})
		if err == nil {
			if _, gerr := h.catalogSvc.App.GetPolicy(h.system, p.GetId()); !apperr.IsKind(gerr, apperr.KindNotFound) {
				t.Errorf("deleted policy still readable by the system: %v", gerr)
			}
		}
		return err
	}
}

func publishPolicy(st catalogv1.PolicyStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		p := h.newPolicy(t, tg, st)
		resp, err := h.catalog.PublishPolicy(h.ctx(t, c), &catalogv1.PublishPolicyRequest{Id: p.GetId(), Etag: p.GetEtag(), Note: "矩阵测试发布"})
		if err == nil && resp.GetPolicy().GetStatus() != published {
			t.Errorf("published policy has status %v", resp.GetPolicy().GetStatus())
		}
		return err
	}
}

func withdrawPolicy(st catalogv1.PolicyStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		p := h.newPolicy(t, tg, st)
		resp, err := h.catalog.WithdrawPolicy(h.ctx(t, c), &catalogv1.WithdrawPolicyRequest{Id: p.GetId(), Etag: p.GetEtag(), Reason: "矩阵测试撤回"})
		if err == nil && resp.GetPolicy().GetStatus() != withdrawn {
			t.Errorf("withdrawn policy has status %v", resp.GetPolicy().GetStatus())
		}
		return err
	}
}

// listPolicyVersions lists the fixture policy's versions: its editors see
// every version, everyone else only those whose status is not DRAFT.
func listPolicyVersions(st catalogv1.PolicyStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		p := h.policies[st][tg]
		resp, err := h.catalog.ListPolicyVersions(h.ctx(t, c), &catalogv1.ListPolicyVersionsRequest{PolicyId: p.GetId(), PageSize: 100})
		if err != nil {
			return err
		}
		var got []int32
		for _, v := range resp.GetVersions() {
			got = append(got, v.GetVersion())
			if v.GetStatus() == draft && !mayEditPolicy(c.role, p) {
				t.Errorf("ListPolicyVersions as %s shows draft version %d", c.role, v.GetVersion())
			}
			if v.GetPolicy() != nil {
				t.Errorf("ListPolicyVersions carries the snapshot of version %d", v.GetVersion())
			}
		}
		want := []int32{2, 1} // newest first
		if !mayEditPolicy(c.role, p) {
			want = []int32{2}
		}
		if st == draft {
			want = []int32{1}
		}
		if !slices.Equal(got, want) {
			t.Errorf("ListPolicyVersions as %s = versions %v, want %v", c.role, got, want)
		}
		return nil
	}
}

func getPolicyVersion(st catalogv1.PolicyStatus, n int32) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		p := h.policies[st][tg]
		resp, err := h.catalog.GetPolicyVersion(h.ctx(t, c), &catalogv1.GetPolicyVersionRequest{PolicyId: p.GetId(), Version: n})
		if err == nil && (resp.GetPolicyVersion().GetVersion() != n || resp.GetPolicyVersion().GetPolicy().GetTitle() != p.GetTitle()) {
			t.Errorf("GetPolicyVersion(%d) = version %d with snapshot titled %q", n, resp.GetPolicyVersion().GetVersion(), resp.GetPolicyVersion().GetPolicy().GetTitle())
		}
		return err
	}
}

// checkEvaluatedOne checks a response evaluating exactly policy pid, with
// the stage criterion passing.
func checkEvaluatedOne(t *testing.T, resp *catalogv1.EvaluatePoliciesResponse, pid, firmID string) {
	t.Helper()
	evals := resp.GetEvaluations()
	if len(evals) != 1 || evals[0].GetPolicyId() != pid || evals[0].GetFirmId() != firmID {
		t.Errorf("evaluations = %v, want exactly policy %s for firm %q", evals, pid, firmID)
		return
	}
	found := false
	for _, cr := range evals[0].GetCriteria() {
		if cr.GetExpression() == stageCriterion {
			found = true
			if cr.GetOutcome() != catalogv1.CriterionOutcome_CRITERION_OUTCOME_PASS || cr.GetFirmValue() == "" {
				t.Errorf("stage criterion: outcome %v, firm value %q; want PASS with the firm's value", cr.GetOutcome(), cr.GetFirmValue())
			}
		}
	}
	if !found {
		t.Errorf("evaluation lacks the stage criterion: %v", evals[0].GetCriteria())
	}
}

func getBelt(st catalogv1.IndustryBeltStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		b := h.belts[st][tg]
		resp, err := h.catalog.GetIndustryBelt(h.ctx(t, c), &catalogv1.GetIndustryBeltRequest{Id: b.GetId()})
		if err == nil && resp.GetIndustryBelt().GetBrandName() != b.GetBrandName() {
			t.Errorf("GetIndustryBelt = %q, want %q", resp.GetIndustryBelt().GetBrandName(), b.GetBrandName())
		}
		return err
	}
}

func updateBelt(st catalogv1.IndustryBeltStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		b := h.newBelt(t, tg, st)
		products := []string{"由" + c.role + "修改", "围巾"}
		resp, err := h.catalog.UpdateIndustryBelt(h.ctx(t, c), &catalogv1.UpdateIndustryBeltRequest{
			IndustryBelt: &catalogv1.IndustryBelt{Id: b.GetId(), Etag: b.GetEtag(), KeyProducts: products},
			UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"key_products"}},
		})
		if err == nil && !slices.Equal(resp.GetIndustryBelt().GetKeyProducts(), products) {
			t.Errorf("updated belt key products = %v, want %v", resp.GetIndustryBelt().GetKeyProducts(), products)
		}
		return err
	}
}

func deleteBelt(st catalogv1.IndustryBeltStatus) cellFunc {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		b := h.newBelt(t, tg, st)
		_, err := h.catalog.DeleteIndustryBelt(h.ctx(t, c), &catalogv1.DeleteIndustryBeltRequest{Id: b.GetId(), Etag: b.GetEtag()})
		if err == nil {
			if _, gerr := h.catalogSvc.App.GetIndustryBelt(h.system, b.GetId()); !apperr.IsKind(gerr, apperr.KindNotFound) {
				t.Errorf("deleted belt still readable by the system: %v", gerr)
			}
		}
		return err
	}
}

// TestAccessMatrix walks every catalog RPC × role × own/other object through
// a real gRPC server and checks the status code; it fails for an RPC of the
// contract (or served by the server) that has no entry.
func TestAccessMatrix(t *testing.T) {
	methods := contractMethods()
	if len(methods) == 0 {
		t.Fatal("no RPCs found in the catalog file descriptor")
	}
	known := map[string]bool{}
	for _, m := range methods {
		known[m] = true
	}
	for m := range accessMatrix {
		if !known[m] {
			t.Errorf("access matrix has an entry for %s, which the contract does not declare", m)
		}
	}

	h := newHarness(t)
	for svc, info := range h.grpc.GetServiceInfo() {
		if !strings.HasPrefix(svc, "qihang.catalog.") {
			continue // profiles (its own matrix), health, reflection
		}
		for _, m := range info.Methods {
			if full := "/" + svc + "/" + m.Name; len(accessMatrix[full]) == 0 {
				t.Errorf("the server serves %s, which has no access matrix entry", full)
			}
		}
	}

	for _, m := range methods {
		entries := accessMatrix[m]
		if len(entries) == 0 {
			t.Errorf("RPC %s has no access matrix entry: add one to accessMatrix in access_test.go", m)
			continue
		}
		for _, e := range entries {
			name := shortName(m)
			if e.variant != "" {
				name += " " + e.variant
			}
			t.Run(name, func(t *testing.T) {
				want, err := parseWant(e.want)
				if err != nil {
					t.Fatalf("bad expectation row %q: %v", e.want, err)
				}
				for _, role := range matrixRoles {
					c := h.callers[role]
					t.Run(role, func(t *testing.T) {
						for _, tg := range []target{own, other} {
							t.Run(tg.String(), func(t *testing.T) {
								err := e.call(t, h, c, tg)
								if got := status.Code(err); got != want[role][tg] {
									t.Errorf("%s as %s on %s object: code %v (%q), want %v",
										name, role, tg, got, status.Convert(err).Message(), want[role][tg])
								}
							})
						}
					})
				}
			})
		}
	}
}

// TestOfficerCannotMoveObjectsOutOfItsDistrict: the XIAOSHAN officer edits
// its own district-level policy and belt but cannot change the policy's
// districts or level, nor the belt's district; nothing changes.
func TestOfficerCannotMoveObjectsOutOfItsDistrict(t *testing.T) {
	h := newHarness(t)
	officer := h.callers[roleOfficer]
	p := h.newPolicy(t, own, published)
	for _, tt := range []struct {
		name  string
		patch *catalogv1.Policy
		path  string
	}{
		{"districts to XIHU", &catalogv1.Policy{Districts: []commonv1.District{commonv1.District_DISTRICT_XIHU}}, "districts"},
		{"districts XIAOSHAN and XIHU", &catalogv1.Policy{Districts: []commonv1.District{commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU}}, "districts"},
		{"level to municipal", &catalogv1.Policy{Level: catalogv1.PolicyLevel_POLICY_LEVEL_MUNICIPAL}, "level"},
	} {
		t.Run("policy "+tt.name, func(t *testing.T) {
			tt.patch.Id, tt.patch.Etag = p.GetId(), h.policyEtag(t, p.GetId())
			_, err := h.catalog.UpdatePolicy(h.ctx(t, officer), &catalogv1.UpdatePolicyRequest{
				Policy: tt.patch, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{tt.path}},
			})
			if got := status.Code(err); got != codes.PermissionDenied {
				t.Errorf("code %v (%v), want PermissionDenied", got, err)
			}
		})
	}
	if got := h.policyEtag(t, p.GetId()); got != p.GetEtag() {
		t.Errorf("policy etag %s → %s after refused updates", p.GetEtag(), got)
	}

	b := h.newBelt(t, own, beltPublished)
	_, err := h.catalog.UpdateIndustryBelt(h.ctx(t, officer), &catalogv1.UpdateIndustryBeltRequest{
		IndustryBelt: &catalogv1.IndustryBelt{Id: b.GetId(), Etag: b.GetEtag(), District: commonv1.District_DISTRICT_XIHU},
		UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"district"}},
	})
	if got := status.Code(err); got != codes.PermissionDenied {
		t.Errorf("belt district to XIHU: code %v (%v), want PermissionDenied", got, err)
	}
	if got := h.beltEtag(t, b.GetId()); got != b.GetEtag() {
		t.Errorf("belt etag %s → %s after a refused update", b.GetEtag(), got)
	}
}

// TestEvaluateEveryPublishedPolicyLeavesOutTheRest: with empty policy_ids,
// EvaluatePolicies evaluates every published policy and leaves out drafts,
// withdrawn and expired policies ("Empty: every published policy (expired
// and withdrawn ones are left out)"), for every caller.
func TestEvaluateEveryPublishedPolicyLeavesOutTheRest(t *testing.T) {
	h := newHarness(t)
	exp := [2]*catalogv1.Policy{h.newPolicy(t, own, expired), h.newPolicy(t, other, expired)}
	for _, role := range matrixRoles {
		t.Run(role, func(t *testing.T) {
			resp, err := h.catalog.EvaluatePolicies(h.ctx(t, h.callers[role]), &catalogv1.EvaluatePoliciesRequest{
				Subject: &catalogv1.EvaluatePoliciesRequest_Firm{Firm: inlineFirm(own)}, PageSize: 100,
			})
			if err != nil {
				t.Fatalf("EvaluatePolicies: %v", err)
			}
			got := map[string]bool{}
			for _, e := range resp.GetEvaluations() {
				got[e.GetPolicyId()] = true
			}
			for _, tg := range []target{own, other} {
				if !got[h.policies[published][tg].GetId()] {
					t.Errorf("the published policy of %v is not evaluated", district(tg))
				}
				for name, p := range map[string]*catalogv1.Policy{
					"draft": h.policies[draft][tg], "withdrawn": h.policies[withdrawn][tg], "expired": exp[tg],
				} {
					if got[p.GetId()] {
						t.Errorf("the %s policy of %v is evaluated", name, district(tg))
					}
				}
			}
		})
	}
}
