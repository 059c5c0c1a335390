package server_test

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/server"
)

// TestMatching builds one labelled fixture, indexes it with a match service
// per engine (Bleve and a real Meilisearch, following the same profiles and
// catalog, so the ids are the same), and checks on each engine that results
// and reasons are explainable and as the contract says; then that both
// engines rank every structured match call identically, with the same
// scores and reasons.
func TestMatching(t *testing.T) {
	ecs := engines()
	opened := make([]index.Engine, len(ecs))
	for i, ec := range ecs {
		opened[i] = ec.open(t)
	}
	h := newHarness(t, opened[0])
	fx := buildMatchFixture(t, h)
	svcs := make([]*server.Service, len(ecs))
	for i := range ecs {
		svcs[i] = h.runService(t, opened[i], true)
	}
	observed := make([]map[string][]string, len(ecs))
	for i, ec := range ecs {
		t.Run(ec.name, func(t *testing.T) {
			h.cur.Store(svcs[i])
			m := &matchChecks{h: h, fx: fx, seen: map[string][]string{}}
			t.Run("belts", m.belts)
			t.Run("associations", m.associations)
			t.Run("policies", m.policies)
			t.Run("prospects", m.prospects)
			t.Run("paging", m.paging)
			t.Run("search text", m.searchText)
			t.Run("search facets", m.searchFacets)
			t.Run("search tenancy", m.searchTenancy)
			observed[i] = m.seen
		})
	}
	for i := 1; i < len(ecs); i++ {
		if diff := cmp.Diff(observed[0], observed[i]); diff != "" {
			t.Errorf("%s and %s answer differently (-%s +%s):\n%s", ecs[0].name, ecs[i].name, ecs[0].name, ecs[i].name, diff)
		}
	}
}

// matchChecks runs the checks on the engine the harness serves now and
// records what each call returned, for the comparison across engines.
type matchChecks struct {
	h    *harness
	fx   *matchFixture
	seen map[string][]string
}

// ranked is one result of any match call, as checked and compared.
type ranked struct {
	id      string
	rank    int32
	score   float64
	reasons []*matchv1.Reason
}

func (m *matchChecks) record(key string, rs []ranked) {
	var lines []string
	for _, r := range rs {
		var rsn []string
		for _, x := range r.reasons {
			rsn = append(rsn, fmt.Sprintf("%s=%.4f%v", strings.TrimPrefix(x.GetCode().String(), "REASON_CODE_"), x.GetContribution(), x.GetMatchedValues()))
		}
		lines = append(lines, fmt.Sprintf("#%d %s %.4f %s", r.rank, m.fx.label(m.h, r.id)[0], r.score, strings.Join(rsn, " ")))
	}
	m.seen[key] = lines
}

func (m *matchChecks) ids(rs []ranked) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.id
	}
	return m.fx.label(m.h, out...)
}

// checkExplained: the score is in [0, 1] and the sum of the contributions
// (±0.001), the reasons are ordered by contribution, largest first, and
// ranks count from 1 in order.
func checkExplained(t *testing.T, rs []ranked, firstRank int32) {
	t.Helper()
	for i, r := range rs {
		if r.rank != firstRank+int32(i) {
			t.Errorf("result %d (%s) has rank %d, want %d", i, r.id, r.rank, firstRank+int32(i))
		}
		if r.score < 0 || r.score > 1 {
			t.Errorf("%s: score %v outside [0, 1]", r.id, r.score)
		}
		var sum float64
		for j, x := range r.reasons {
			sum += x.GetContribution()
			if x.GetContribution() < 0 || x.GetContribution() > 1 {
				t.Errorf("%s: reason %v contributes %v", r.id, x.GetCode(), x.GetContribution())
			}
			if j > 0 && x.GetContribution() > r.reasons[j-1].GetContribution() {
				t.Errorf("%s: reason %v (%v) after %v (%v): not ordered by contribution", r.id, x.GetCode(), x.GetContribution(),
					r.reasons[j-1].GetCode(), r.reasons[j-1].GetContribution())
			}
			if x.GetText() == "" {
				t.Errorf("%s: reason %v without text", r.id, x.GetCode())
			}
		}
		if math.Abs(sum-r.score) > 0.001 {
			t.Errorf("%s: score %v but contributions sum to %v (%v)", r.id, r.score, sum, r.reasons)
		}
	}
}

// reason returns the reason with code, or nil.
func reason(rs []*matchv1.Reason, code matchv1.ReasonCode) *matchv1.Reason {
	for _, r := range rs {
		if r.GetCode() == code {
			return r
		}
	}
	return nil
}

// wantReason checks a reason's presence, matched values and contribution.
func wantReason(t *testing.T, what string, rs []*matchv1.Reason, code matchv1.ReasonCode, contribution float64, values ...string) {
	t.Helper()
	r := reason(rs, code)
	if r == nil {
		t.Errorf("%s: no %v reason among %v", what, code, rs)
		return
	}
	if math.Abs(r.GetContribution()-contribution) > 0.0001 {
		t.Errorf("%s: %v contributes %v, want %v", what, code, r.GetContribution(), contribution)
	}
	if values != nil && !slices.Equal(r.GetMatchedValues(), values) {
		t.Errorf("%s: %v matched values %v, want %v", what, code, r.GetMatchedValues(), values)
	}
}

func beltRanked(ms []*matchv1.IndustryBeltMatch) []ranked {
	out := make([]ranked, len(ms))
	for i, x := range ms {
		out[i] = ranked{x.GetId(), x.GetRank(), x.GetScore(), x.GetReasons()}
	}
	return out
}

func assocRanked(ms []*matchv1.AssociationMatch) []ranked {
	out := make([]ranked, len(ms))
	for i, x := range ms {
		out[i] = ranked{x.GetId(), x.GetRank(), x.GetScore(), x.GetReasons()}
	}
	return out
}

func policyRanked(ms []*matchv1.PolicyMatch) []ranked {
	out := make([]ranked, len(ms))
	for i, x := range ms {
		out[i] = ranked{x.GetId(), x.GetRank(), x.GetScore(), x.GetReasons()}
	}
	return out
}

func prospectRanked(ms []*matchv1.ProspectMatch) []ranked {
	out := make([]ranked, len(ms))
	for i, x := range ms {
		out[i] = ranked{x.GetId(), x.GetRank(), x.GetScore(), x.GetReasons()}
	}
	return out
}

func (m *matchChecks) belts(t *testing.T) {
	h, fx := m.h, m.fx
	resp, err := h.matchC.ListFirmIndustryBeltMatches(h.ctx(t, roleBureau), &matchv1.ListFirmIndustryBeltMatchesRequest{FirmId: fx.firm, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	rs := beltRanked(resp.GetMatches())
	m.record("belts", rs)
	checkExplained(t, rs, 1)
	// The own-district belt that fits comes first; the XIHU apparel belt
	// fits by HS chapter 62; the pen belt (market only), the XIAOSHAN
	// auto-parts belt (district only) and the archived belt are absent.
	if diff := cmp.Diff(fx.label(h, fx.beltXS, fx.beltXH), m.ids(rs)); diff != "" {
		t.Fatalf("belts for the firm (-want +got):\n%s", diff)
	}
	if resp.GetTotalSize() != 2 || resp.GetNextPageToken() != "" {
		t.Errorf("total_size %d, next_page_token %q; want 2 and none", resp.GetTotalSize(), resp.GetNextPageToken())
	}
	top := resp.GetMatches()[0]
	wantReason(t, "萧山羽绒", top.GetReasons(), matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT, 0.2, "DISTRICT_XIAOSHAN")
	wantReason(t, "萧山羽绒", top.GetReasons(), matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.25, "INDUSTRY_DOWN_PRODUCTS")
	wantReason(t, "萧山羽绒", top.GetReasons(), matchv1.ReasonCode_REASON_CODE_HS_CHAPTER_OVERLAP, 0.25, "62")
	wantReason(t, "萧山羽绒", top.GetReasons(), matchv1.ReasonCode_REASON_CODE_MARKET_OVERLAP, 0.1, "US", "DE")
	wantReason(t, "萧山羽绒", top.GetReasons(), matchv1.ReasonCode_REASON_CODE_PLATFORM_OVERLAP, 0.1, "SALES_PLATFORM_AMAZON")
	if top.GetKind() != matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT || top.GetTitle() != "萧山羽绒" ||
		top.GetIndustryBelt().GetBrandName() != "萧山羽绒" || top.GetIndustryBelt().GetDistrict() != commonv1.District_DISTRICT_XIAOSHAN {
		t.Errorf("top belt kind/title/summary: %v %q %v", top.GetKind(), top.GetTitle(), top.GetIndustryBelt())
	}
	second := resp.GetMatches()[1]
	if reason(second.GetReasons(), matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT) != nil ||
		reason(second.GetReasons(), matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY) != nil {
		t.Errorf("西湖针织服饰 claims district or industry: %v", second.GetReasons())
	}
	wantReason(t, "西湖针织服饰", second.GetReasons(), matchv1.ReasonCode_REASON_CODE_HS_CHAPTER_OVERLAP, 0.25, "62")
	wantReason(t, "西湖针织服饰", second.GetReasons(), matchv1.ReasonCode_REASON_CODE_MARKET_OVERLAP, 0.05, "US")

	// A districts filter narrows the candidates.
	resp, err = h.matchC.ListFirmIndustryBeltMatches(h.ctx(t, roleBureau), &matchv1.ListFirmIndustryBeltMatchesRequest{
		FirmId: fx.firm, Districts: []commonv1.District{commonv1.District_DISTRICT_XIHU},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fx.label(h, fx.beltXH), m.ids(beltRanked(resp.GetMatches()))); diff != "" {
		t.Errorf("belts of XIHU (-want +got):\n%s", diff)
	}
}

func (m *matchChecks) associations(t *testing.T) {
	h, fx := m.h, m.fx
	resp, err := h.matchC.ListFirmAssociationMatches(h.ctx(t, roleBureau), &matchv1.ListFirmAssociationMatchesRequest{FirmId: fx.firm, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	rs := assocRanked(resp.GetMatches())
	m.record("associations", rs)
	checkExplained(t, rs, 1)
	// assocA is the firm's own (excluded). assocB and assocE (both XIHU)
	// share neither industry nor district but offer logistics linkage,
	// which the firm needs: assocE, a chamber of commerce, fits on that
	// alone, assocB, an apparel industry association, does not.
	if diff := cmp.Diff(fx.label(h, fx.assocC, fx.assocE, fx.assocD), m.ids(rs)); diff != "" {
		t.Fatalf("associations for the firm (-want +got):\n%s", diff)
	}
	// Page by page the same ranking and total: the first page is decided
	// without reading assocE (it fits on its services alone and cannot
	// outscore assocC), the second needs it.
	var paged []string
	token := ""
	for range 5 {
		pr, err := h.matchC.ListFirmAssociationMatches(h.ctx(t, roleBureau), &matchv1.ListFirmAssociationMatchesRequest{FirmId: fx.firm, PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if pr.GetTotalSize() != 3 {
			t.Errorf("page %d: total_size %d, want 3", len(paged)+1, pr.GetTotalSize())
		}
		for _, x := range pr.GetMatches() {
			paged = append(paged, x.GetId())
			if want := int32(len(paged)); x.GetRank() != want {
				t.Errorf("%s: rank %d, want %d", fx.label(h, x.GetId())[0], x.GetRank(), want)
			}
		}
		if token = pr.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff(m.ids(rs), fx.label(h, paged...)); diff != "" {
		t.Errorf("associations one per page (-whole list +pages):\n%s", diff)
	}
	c := resp.GetMatches()[0]
	wantReason(t, "assocC", c.GetReasons(), matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.3, "INDUSTRY_DOWN_PRODUCTS")
	wantReason(t, "assocC", c.GetReasons(), matchv1.ReasonCode_REASON_CODE_NEED_COVERED, 0.15, "NEED_TAG_LOGISTICS", "NEED_TAG_OVERSEAS_WAREHOUSE")
	wantReason(t, "assocC", c.GetReasons(), matchv1.ReasonCode_REASON_CODE_MEMBERS_SAME_INDUSTRY, 0.1)
	// Its one member exports to the US (not to Germany): half the firm's
	// markets.
	wantReason(t, "assocC", c.GetReasons(), matchv1.ReasonCode_REASON_CODE_MEMBERS_EXPORT_SAME_MARKETS, 0.05, "US")
	wantReason(t, "assocC", c.GetReasons(), matchv1.ReasonCode_REASON_CODE_BELT_FIT, 0.1, fx.beltXS)
	wantReason(t, "assocC", c.GetReasons(), matchv1.ReasonCode_REASON_CODE_PROGRAMME_ASSOCIATION, 0.05)
	if reason(c.GetReasons(), matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT) != nil {
		t.Errorf("assocC (SHANGCHENG) claims SAME_DISTRICT: %v", c.GetReasons())
	}
	if got := c.GetAssociation().GetRegisteredFirmCount(); got != 1 {
		t.Errorf("assocC registered_firm_count %d, want 1", got)
	}
	d := resp.GetMatches()[2]
	wantReason(t, "assocD", d.GetReasons(), matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT, 0.15, "DISTRICT_XIAOSHAN")
	if len(d.GetReasons()) != 1 {
		t.Errorf("assocD shares only the district, reasons %v", d.GetReasons())
	}

	// firmB (XIHU apparel, member of assocB) gets the apparel and XIHU
	// associations but not its own.
	resp, err = h.matchC.ListFirmAssociationMatches(h.ctx(t, roleBureau), &matchv1.ListFirmAssociationMatchesRequest{FirmId: h.firmB, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := m.ids(assocRanked(resp.GetMatches()))
	slices.Sort(got)
	if diff := cmp.Diff(m.sortedLabels(h.assocA, fx.assocC, fx.assocE), got); diff != "" {
		t.Errorf("associations for firmB (-want +got):\n%s", diff)
	}
	// joined_programme=false leaves only assocD.
	no := false
	resp, err = h.matchC.ListFirmAssociationMatches(h.ctx(t, roleBureau), &matchv1.ListFirmAssociationMatchesRequest{FirmId: fx.firm, JoinedProgramme: &no})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fx.label(h, fx.assocD), m.ids(assocRanked(resp.GetMatches()))); diff != "" {
		t.Errorf("associations not in the programme (-want +got):\n%s", diff)
	}
}

func (m *matchChecks) policies(t *testing.T) {
	h, fx := m.h, m.fx
	resp, err := h.matchC.ListFirmPolicyMatches(h.ctx(t, roleBureau), &matchv1.ListFirmPolicyMatchesRequest{FirmId: fx.firm, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	rs := policyRanked(resp.GetMatches())
	m.record("policies", rs)
	checkExplained(t, rs, 1)
	// Withdrawn, expired, draft and the other district's policies are no
	// candidates; the rest in verdict order.
	if diff := cmp.Diff(fx.label(h, fx.polEligible, fx.polLikely, fx.polNotEligible), m.ids(rs)); diff != "" {
		t.Fatalf("policies for the firm (-want +got):\n%s", diff)
	}
	wantVerdicts := []catalogv1.Verdict{catalogv1.Verdict_VERDICT_ELIGIBLE, catalogv1.Verdict_VERDICT_LIKELY, catalogv1.Verdict_VERDICT_NOT_ELIGIBLE}
	for i, x := range resp.GetMatches() {
		e := x.GetEvaluation()
		if e.GetPolicyId() != x.GetId() || e.GetFirmId() != fx.firm || e.GetVerdict() != wantVerdicts[i] || len(e.GetCriteria()) == 0 {
			t.Errorf("%s: evaluation policy %q firm %q verdict %v with %d criteria; want %s, %s, %v",
				fx.label(h, x.GetId())[0], e.GetPolicyId(), e.GetFirmId(), e.GetVerdict(), len(e.GetCriteria()), x.GetId(), fx.firm, wantVerdicts[i])
		}
		if x.GetKind() != matchv1.DocumentKind_DOCUMENT_KIND_POLICY || x.GetTitle() == "" || x.GetPolicy().GetId() != x.GetId() {
			t.Errorf("%s: kind %v title %q summary id %q", x.GetId(), x.GetKind(), x.GetTitle(), x.GetPolicy().GetId())
		}
	}
	el := resp.GetMatches()[0]
	wantReason(t, "polEligible", el.GetReasons(), matchv1.ReasonCode_REASON_CODE_ELIGIBLE, 0.35, fx.polEligible)
	wantReason(t, "polEligible", el.GetReasons(), matchv1.ReasonCode_REASON_CODE_NEED_COVERED, 0.2, "NEED_TAG_LOGISTICS", "NEED_TAG_OVERSEAS_WAREHOUSE")
	wantReason(t, "polEligible", el.GetReasons(), matchv1.ReasonCode_REASON_CODE_BENEFIT, 0.1)
	wantReason(t, "polLikely", resp.GetMatches()[1].GetReasons(), matchv1.ReasonCode_REASON_CODE_LIKELY_ELIGIBLE, 0.21, fx.polLikely)
	if reason(resp.GetMatches()[2].GetReasons(), matchv1.ReasonCode_REASON_CODE_ELIGIBLE) != nil ||
		reason(resp.GetMatches()[2].GetReasons(), matchv1.ReasonCode_REASON_CODE_LIKELY_ELIGIBLE) != nil {
		t.Errorf("a NOT_ELIGIBLE policy claims eligibility: %v", resp.GetMatches()[2].GetReasons())
	}
	wantCounts := []*catalogv1.VerdictCount{
		{Verdict: catalogv1.Verdict_VERDICT_ELIGIBLE, Count: 1}, {Verdict: catalogv1.Verdict_VERDICT_LIKELY, Count: 1},
		{Verdict: catalogv1.Verdict_VERDICT_NOT_ELIGIBLE, Count: 1},
	}
	if !slices.EqualFunc(wantCounts, resp.GetVerdictCounts(), func(a, b *catalogv1.VerdictCount) bool { return proto.Equal(a, b) }) {
		t.Errorf("verdict_counts %v, want %v", resp.GetVerdictCounts(), wantCounts)
	}

	// The verdicts filter narrows the list but not the counts.
	resp, err = h.matchC.ListFirmPolicyMatches(h.ctx(t, roleBureau), &matchv1.ListFirmPolicyMatchesRequest{
		FirmId: fx.firm, Verdicts: []catalogv1.Verdict{catalogv1.Verdict_VERDICT_LIKELY, catalogv1.Verdict_VERDICT_NOT_ELIGIBLE},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fx.label(h, fx.polLikely, fx.polNotEligible), m.ids(policyRanked(resp.GetMatches()))); diff != "" {
		t.Errorf("verdicts filter (-want +got):\n%s", diff)
	}
	if len(resp.GetVerdictCounts()) != 3 {
		t.Errorf("verdict_counts under a verdicts filter: %v, want all three verdicts", resp.GetVerdictCounts())
	}
	// The XIHU firm gets the XIHU policy and the city-wide ones, not
	// XIAOSHAN's.
	resp, err = h.matchC.ListFirmPolicyMatches(h.ctx(t, roleBureau), &matchv1.ListFirmPolicyMatchesRequest{FirmId: fx.prospect, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := m.ids(policyRanked(resp.GetMatches()))
	slices.Sort(got)
	want := fx.label(h, fx.polEligible, fx.polNotEligible, fx.polOtherDist)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policies for the XIHU firm (-want +got):\n%s", diff)
	}
}

// contactPattern finds the fixture contacts' phone numbers (whole or
// masked as 138****5678), their names and titles, and contact fields in a
// JSON response. (A general phone pattern would also match USCC digits.)
var contactPattern = regexp.MustCompile(`13812345678|13800001234|138\*+|\*+5678|\*+1234|张伟|王丽|秘书长|"contacts?"|"phone"`)

func (m *matchChecks) prospects(t *testing.T) {
	h, fx := m.h, m.fx
	list := func(t *testing.T, role, assoc string, ms matchv1.ProspectMembership, industries ...commonv1.Industry) *matchv1.ListAssociationProspectsResponse {
		t.Helper()
		resp, err := h.matchC.ListAssociationProspects(h.ctx(t, role), &matchv1.ListAssociationProspectsRequest{
			AssociationId: assoc, Membership: ms, Industries: industries, PageSize: 100,
		})
		if err != nil {
			t.Fatal(err)
		}
		js, err := protojson.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		if found := contactPattern.FindAllString(string(js), -1); len(found) > 0 {
			t.Errorf("prospects response carries contact data %q:\n%s", found, js)
		}
		checkExplained(t, prospectRanked(resp.GetMatches()), 1)
		for _, x := range resp.GetMatches() {
			if x.GetKind() != matchv1.DocumentKind_DOCUMENT_KIND_FIRM || x.GetFirm().GetId() != x.GetId() || x.GetTitle() != x.GetFirm().GetName() {
				t.Errorf("prospect %s: kind %v, summary %v", x.GetId(), x.GetKind(), x.GetFirm())
			}
		}
		return resp
	}
	sorted := func(resp *matchv1.ListAssociationProspectsResponse) []string {
		ids := m.ids(prospectRanked(resp.GetMatches()))
		slices.Sort(ids)
		return ids
	}
	want := func(ids ...string) []string {
		l := fx.label(h, ids...)
		slices.Sort(l)
		return l
	}

	all := list(t, roleBureau, fx.assocC, 0)
	m.record("prospects assocC", prospectRanked(all.GetMatches()))
	if diff := cmp.Diff(want(fx.firm, fx.member, h.firmA, h.firmB, fx.prospect), sorted(all)); diff != "" {
		t.Errorf("prospects of assocC (its industries: down products, apparel) (-want +got):\n%s", diff)
	}
	for _, x := range all.GetMatches() {
		if x.GetMember() != (x.GetId() == fx.member) {
			t.Errorf("%s: member = %v", fx.label(h, x.GetId())[0], x.GetMember())
		}
		if x.GetId() == fx.prospect {
			wantReason(t, "prospect", x.GetReasons(), matchv1.ReasonCode_REASON_CODE_EXPORT_BASE, 0.15)
			wantReason(t, "prospect", x.GetReasons(), matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.25, "INDUSTRY_APPAREL")
		}
		if x.GetId() == fx.firm {
			// The firm fits the belt assocC carries (萧山羽绒, chapter 62).
			wantReason(t, "firm", x.GetReasons(), matchv1.ReasonCode_REASON_CODE_BELT_FIT, 0.1, fx.beltXS)
			wantReason(t, "firm", x.GetReasons(), matchv1.ReasonCode_REASON_CODE_HS_CHAPTER_OVERLAP, 0.05, "62")
			// assocC's member exports to the US, as the firm does.
			wantReason(t, "firm", x.GetReasons(), matchv1.ReasonCode_REASON_CODE_MARKET_OVERLAP, 0.05, "US")
		}
	}
	if diff := cmp.Diff(want(fx.member), sorted(list(t, roleBureau, fx.assocC, matchv1.ProspectMembership_PROSPECT_MEMBERSHIP_MEMBERS))); diff != "" {
		t.Errorf("members of assocC (-want +got):\n%s", diff)
	}
	non := list(t, roleBureau, fx.assocC, matchv1.ProspectMembership_PROSPECT_MEMBERSHIP_NON_MEMBERS)
	if diff := cmp.Diff(want(fx.firm, h.firmA, h.firmB, fx.prospect), sorted(non)); diff != "" {
		t.Errorf("non-members of assocC (-want +got):\n%s", diff)
	}
	// The association admin of assocA, for its own association, in the
	// industries it names.
	own := list(t, roleAssoc, h.assocA, matchv1.ProspectMembership_PROSPECT_MEMBERSHIP_MEMBERS,
		commonv1.Industry_INDUSTRY_APPAREL, commonv1.Industry_INDUSTRY_DOWN_PRODUCTS)
	if diff := cmp.Diff(want(h.firmA, fx.firm), sorted(own)); diff != "" {
		t.Errorf("assocA's members as its admin (-want +got):\n%s", diff)
	}
	for _, x := range own.GetMatches() {
		if !x.GetMember() {
			t.Errorf("%s listed as a member without the member flag", x.GetId())
		}
	}
}

// pageWalk is one page of any list call, reduced to what paging promises.
type pageWalk struct {
	rs    []ranked
	next  string
	total int32
}

// checkPaging walks a list with page_size 2 and compares it with one page
// of 100.
func (m *matchChecks) checkPaging(t *testing.T, name string, call func(size int32, token string) (pageWalk, error)) {
	t.Run(name, func(t *testing.T) { m.walkPages(t, name, call) })
}

func (m *matchChecks) walkPages(t *testing.T, name string, call func(size int32, token string) (pageWalk, error)) {
	big, err := call(100, "")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if big.next != "" {
		t.Fatalf("%s: more than 100 results", name)
	}
	if len(big.rs) < 3 {
		t.Fatalf("%s: %d results, too few to page", name, len(big.rs))
	}
	var walked []ranked
	token := ""
	for pages := 0; ; pages++ {
		if pages > len(big.rs) {
			t.Fatalf("%s: paging does not end", name)
		}
		p, err := call(2, token)
		if err != nil {
			t.Fatalf("%s: page %d: %v", name, pages+1, err)
		}
		if p.total != big.total {
			t.Errorf("%s: page %d total_size %d, one page says %d", name, pages+1, p.total, big.total)
		}
		if len(p.rs) > 2 || (p.next != "" && len(p.rs) != 2) {
			t.Errorf("%s: page %d has %d results (next %q)", name, pages+1, len(p.rs), p.next)
		}
		walked = append(walked, p.rs...)
		if token = p.next; token == "" {
			break
		}
	}
	line := func(rs []ranked) []string {
		var out []string
		for _, r := range rs {
			out = append(out, fmt.Sprintf("#%d %s %.4f", r.rank, m.fx.label(m.h, r.id)[0], r.score))
		}
		return out
	}
	if diff := cmp.Diff(line(big.rs), line(walked)); diff != "" {
		t.Errorf("%s: pages of 2 differ from one page (-one page +pages):\n%s", name, diff)
	}
}

func (m *matchChecks) paging(t *testing.T) {
	h, fx := m.h, m.fx
	ctx := h.ctx(t, roleBureau)
	m.checkPaging(t, "policies of firmA", func(size int32, tok string) (pageWalk, error) {
		r, err := h.matchC.ListFirmPolicyMatches(ctx, &matchv1.ListFirmPolicyMatchesRequest{FirmId: h.firmA, PageSize: size, PageToken: tok})
		return pageWalk{policyRanked(r.GetMatches()), r.GetNextPageToken(), r.GetTotalSize()}, err
	})
	m.checkPaging(t, "associations of firmB", func(size int32, tok string) (pageWalk, error) {
		r, err := h.matchC.ListFirmAssociationMatches(ctx, &matchv1.ListFirmAssociationMatchesRequest{FirmId: h.firmB, PageSize: size, PageToken: tok})
		return pageWalk{assocRanked(r.GetMatches()), r.GetNextPageToken(), r.GetTotalSize()}, err
	})
	m.checkPaging(t, "prospects of assocC", func(size int32, tok string) (pageWalk, error) {
		r, err := h.matchC.ListAssociationProspects(ctx, &matchv1.ListAssociationProspectsRequest{AssociationId: fx.assocC, PageSize: size, PageToken: tok})
		return pageWalk{prospectRanked(r.GetMatches()), r.GetNextPageToken(), r.GetTotalSize()}, err
	})
	// Browsing (empty q) is ordered by kind, then title.
	m.checkPaging(t, "search browse", func(size int32, tok string) (pageWalk, error) {
		r, err := h.searchC.Search(ctx, &matchv1.SearchRequest{PageSize: size, PageToken: tok})
		var rs []ranked
		for _, x := range r.GetHits() {
			rs = append(rs, ranked{id: x.GetId(), rank: x.GetRank(), score: x.GetScore()})
		}
		return pageWalk{rs, r.GetNextPageToken(), r.GetTotalSize()}, err
	})
}

// search runs a search as role and returns the response.
func (m *matchChecks) search(t *testing.T, role string, req *matchv1.SearchRequest) *matchv1.SearchResponse {
	t.Helper()
	if req.PageSize == 0 {
		req.PageSize = 100
	}
	resp, err := m.h.searchC.Search(m.h.ctx(t, role), req)
	if err != nil {
		t.Fatalf("Search(%v) as %s: %v", req, role, err)
	}
	return resp
}

// hitIDs returns the labels of the hits of kind (any kind when 0), sorted.
func (m *matchChecks) hitIDs(resp *matchv1.SearchResponse, kind matchv1.DocumentKind) []string {
	var ids []string
	for _, x := range resp.GetHits() {
		if kind == 0 || x.GetKind() == kind {
			ids = append(ids, x.GetId())
		}
	}
	out := m.fx.label(m.h, ids...)
	slices.Sort(out)
	return out
}

func (m *matchChecks) sortedLabels(ids ...string) []string {
	out := m.fx.label(m.h, ids...)
	slices.Sort(out)
	return out
}

// matchedText returns the matched runs of a hit's highlight of field.
func matchedText(x *matchv1.SearchHit, field string) string {
	var b strings.Builder
	for _, hl := range x.GetHighlights() {
		if hl.GetField() != field {
			continue
		}
		for _, s := range hl.GetSegments() {
			if s.GetMatched() {
				b.WriteString(s.GetText())
			}
		}
	}
	return b.String()
}

func (m *matchChecks) searchText(t *testing.T) {
	h, fx := m.h, m.fx
	firm, belt := matchv1.DocumentKind_DOCUMENT_KIND_FIRM, matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT
	resp := m.search(t, roleBureau, &matchv1.SearchRequest{Q: "羽绒", Kinds: []matchv1.DocumentKind{firm, belt}})
	m.seen["search 羽绒 firms+belts"] = m.hitIDs(resp, 0)
	byID := map[string]*matchv1.SearchHit{}
	for _, x := range resp.GetHits() {
		byID[x.GetId()] = x
		if x.GetScore() < 0 || x.GetScore() > 1 {
			t.Errorf("hit %s score %v outside [0, 1]", x.GetId(), x.GetScore())
		}
	}
	for _, c := range []struct {
		id, field string
	}{{fx.firm, "title"}, {fx.firm, "main_products"}, {fx.beltXS, "title"}, {fx.beltXS, "key_products"}} {
		x := byID[c.id]
		if x == nil {
			t.Errorf("羽绒 does not find %s", fx.label(h, c.id)[0])
			continue
		}
		if got := matchedText(x, c.field); !strings.Contains(got, "羽绒") {
			t.Errorf("%s: highlight of %s marks %q, want 羽绒 (highlights %v)", fx.label(h, c.id)[0], c.field, got, x.GetHighlights())
		}
	}
	for _, id := range []string{fx.beltTL, fx.beltXH, fx.prospect} {
		if byID[id] != nil {
			t.Errorf("羽绒 finds %s, which does not mention it", fx.label(h, id)[0])
		}
	}
	if x := byID[fx.firm]; x != nil && (x.GetFirm().GetId() != fx.firm || x.GetKind() != firm) {
		t.Errorf("firm hit summary %v kind %v", x.GetFirm(), x.GetKind())
	}

	// Anonymous: the published belt, never the archived one, never firms.
	resp = m.search(t, roleAnonymous, &matchv1.SearchRequest{Q: "羽绒"})
	got := m.hitIDs(resp, 0)
	if !slices.Contains(got, "beltXS") || slices.Contains(got, "beltArchived") {
		t.Errorf("anonymous 羽绒 finds %v; want beltXS, not beltArchived", got)
	}
	for _, x := range resp.GetHits() {
		if x.GetKind() != matchv1.DocumentKind_DOCUMENT_KIND_POLICY && x.GetKind() != belt {
			t.Errorf("anonymous search finds a %v (%s)", x.GetKind(), x.GetId())
		}
	}

	// Synonyms: the policy says 跨境电商; 跨境电子商务 finds it too.
	policy := matchv1.DocumentKind_DOCUMENT_KIND_POLICY
	short := m.hitIDs(m.search(t, roleAnonymous, &matchv1.SearchRequest{Q: "跨境电商", Kinds: []matchv1.DocumentKind{policy}}), 0)
	long := m.hitIDs(m.search(t, roleAnonymous, &matchv1.SearchRequest{Q: "跨境电子商务", Kinds: []matchv1.DocumentKind{policy}}), 0)
	m.seen["search 跨境电商"], m.seen["search 跨境电子商务"] = short, long
	if !slices.Contains(short, "polEligible") {
		t.Errorf("跨境电商 finds %v, want polEligible among them", short)
	}
	if diff := cmp.Diff(short, long); diff != "" {
		t.Errorf("跨境电商 and its synonym 跨境电子商务 find different policies (-跨境电商 +跨境电子商务):\n%s", diff)
	}
}

func (m *matchChecks) searchFacets(t *testing.T) {
	h, fx := m.h, m.fx
	facetCounts := func(fr *matchv1.FacetResult) map[string]int32 {
		out := map[string]int32{}
		for _, v := range fr.GetValues() {
			out[v.GetValue()] = v.GetCount()
			if v.GetLabel() == "" || v.GetLabel() == v.GetValue() {
				t.Errorf("facet %v value %s has label %q", fr.GetFacet(), v.GetValue(), v.GetLabel())
			}
		}
		return out
	}
	resp := m.search(t, roleBureau, &matchv1.SearchRequest{Facets: []matchv1.SearchFacet{matchv1.SearchFacet_SEARCH_FACET_KIND}})
	if len(resp.GetFacets()) != 1 || resp.GetFacets()[0].GetFacet() != matchv1.SearchFacet_SEARCH_FACET_KIND {
		t.Fatalf("facets %v, want the KIND facet", resp.GetFacets())
	}
	wantKinds := map[string]int32{
		"DOCUMENT_KIND_FIRM": fixtureFirms, "DOCUMENT_KIND_ASSOCIATION": fixtureAssociations,
		"DOCUMENT_KIND_POLICY": fixturePolicies, "DOCUMENT_KIND_INDUSTRY_BELT": fixtureBelts,
	}
	if diff := cmp.Diff(wantKinds, facetCounts(resp.GetFacets()[0])); diff != "" {
		t.Errorf("kind facet for the bureau (-want +got):\n%s", diff)
	}
	if want := int32(fixtureFirms + fixtureAssociations + fixturePolicies + fixtureBelts); resp.GetTotalSize() != want {
		t.Errorf("total_size %d, want %d", resp.GetTotalSize(), want)
	}

	// Disjunctive counts: the district facet ignores the district filter,
	// the industry facet applies it.
	resp = m.search(t, roleBureau, &matchv1.SearchRequest{
		Kinds: []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_FIRM}, Districts: []commonv1.District{commonv1.District_DISTRICT_XIAOSHAN},
		Facets: []matchv1.SearchFacet{matchv1.SearchFacet_SEARCH_FACET_DISTRICT, matchv1.SearchFacet_SEARCH_FACET_INDUSTRY},
	})
	if diff := cmp.Diff(m.sortedLabels(h.firmA, fx.firm), m.hitIDs(resp, 0)); diff != "" {
		t.Errorf("XIAOSHAN firms (-want +got):\n%s", diff)
	}
	if len(resp.GetFacets()) != 2 {
		t.Fatalf("facets %v, want DISTRICT and INDUSTRY", resp.GetFacets())
	}
	districts, industries := facetCounts(resp.GetFacets()[0]), facetCounts(resp.GetFacets()[1])
	m.seen["facet districts"] = []string{fmt.Sprint(districts)}
	m.seen["facet industries"] = []string{fmt.Sprint(industries)}
	if diff := cmp.Diff(map[string]int32{"DISTRICT_XIAOSHAN": 2, "DISTRICT_XIHU": 2, "DISTRICT_SHANGCHENG": 1}, districts); diff != "" {
		t.Errorf("district facet (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int32{"INDUSTRY_APPAREL": 1, "INDUSTRY_DOWN_PRODUCTS": 1}, industries); diff != "" {
		t.Errorf("industry facet under the XIAOSHAN filter (-want +got):\n%s", diff)
	}
	vals := resp.GetFacets()[0].GetValues()
	for i := 1; i < len(vals); i++ {
		if vals[i].GetCount() > vals[i-1].GetCount() || (vals[i].GetCount() == vals[i-1].GetCount() && vals[i].GetValue() < vals[i-1].GetValue()) {
			t.Errorf("facet values not ordered by count, then value: %v", vals)
		}
	}
}

func (m *matchChecks) searchTenancy(t *testing.T) {
	h, fx := m.h, m.fx
	firm := matchv1.DocumentKind_DOCUMENT_KIND_FIRM
	for _, c := range []struct {
		role  string
		firms []string
	}{
		{roleBureau, []string{h.firmA, h.firmB, fx.firm, fx.member, fx.prospect}},
		{roleOfficer, []string{h.firmA, fx.firm}},
		{roleAssoc, []string{h.firmA, fx.firm}},
		{roleFirm, []string{h.firmA}},
		{roleExpert, nil},
		{roleAnonymous, nil},
	} {
		resp := m.search(t, c.role, &matchv1.SearchRequest{})
		got := m.hitIDs(resp, firm)
		m.seen["tenancy firms "+c.role] = got
		if diff := cmp.Diff(m.sortedLabels(c.firms...), got); diff != "" {
			t.Errorf("firms found by %s (-want +got):\n%s", c.role, diff)
		}
		// Text finds no more: the firms' products name 羽绒 or 针织衫.
		text := m.hitIDs(m.search(t, c.role, &matchv1.SearchRequest{Q: "羽绒", Kinds: kindsFor(c.role, firm)}), firm)
		for _, id := range text {
			if !slices.Contains(m.sortedLabels(c.firms...), id) {
				t.Errorf("%s finds firm %s by text, outside its tenancy", c.role, id)
			}
		}
	}
	resp := m.search(t, roleAnonymous, &matchv1.SearchRequest{})
	for _, x := range resp.GetHits() {
		if k := x.GetKind(); k != matchv1.DocumentKind_DOCUMENT_KIND_POLICY && k != matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT {
			t.Errorf("anonymous finds a %v (%s)", k, x.GetId())
		}
	}
	if diff := cmp.Diff(m.sortedLabels(fx.polEligible, fx.polLikely, fx.polNotEligible, fx.polOtherDist), m.hitIDs(resp, matchv1.DocumentKind_DOCUMENT_KIND_POLICY)); diff != "" {
		t.Errorf("policies found anonymously: published and in force only (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(m.sortedLabels(fx.beltXS, fx.beltXH, fx.beltTL, fx.beltAuto), m.hitIDs(resp, matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT)); diff != "" {
		t.Errorf("belts found anonymously: published only (-want +got):\n%s", diff)
	}
	// An association admin filtering on another association's members
	// gets nothing (its tenancy still applies).
	resp = m.search(t, roleAssoc, &matchv1.SearchRequest{Kinds: []matchv1.DocumentKind{firm}, AssociationId: fx.assocC})
	if got := m.hitIDs(resp, firm); len(got) != 0 {
		t.Errorf("assocA's admin finds assocC's members %v", got)
	}
}

// kindsFor asks for kind when role may search it, else leaves kinds empty
// (the kinds the role may see).
func kindsFor(role string, kind matchv1.DocumentKind) []matchv1.DocumentKind {
	if role == roleAnonymous || role == roleExpert {
		return nil
	}
	return []matchv1.DocumentKind{kind}
}
