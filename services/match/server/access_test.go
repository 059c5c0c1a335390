package server_test

import (
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/internal/accesstest"
)

// accessAllEngines runs the access matrix on every engine; by default it
// runs on Bleve only, since access does not depend on the engine and the
// matrix makes many calls.
var accessAllEngines = flag.Bool("match.access-all-engines", false, "run the match access matrix on Meilisearch too")

// accessCell makes one RPC as c against the object of tg and returns its
// error. It may check a successful response further with t.Errorf.
type accessCell func(t *testing.T, h *harness, c *caller, tg target) error

// accessEntry is one row of the access matrix: one RPC, possibly one
// variant of its request.
type accessEntry struct {
	// variant names the request variant, e.g. "kinds=FIRM"; empty when
	// the RPC has one row.
	variant string
	// want is the expected code per role and target, written
	// "anon | bureau | officer | assoc | firm | expert", each "own/other" or
	// one code for both (accesstest.ParseWant).
	want string
	// wantCode replaces want for codes the accesstest vocabulary has no
	// name for (UNAVAILABLE, UNIMPLEMENTED).
	wantCode func(role string, tg target) codes.Code
	call     accessCell
}

// The rows shared by several RPCs, from the MatchService and SearchService
// comments and the app code:
//   - firm matches read the firm from profiles with the caller's token;
//     profiles answers NOT_FOUND for a firm the caller may not read (the
//     contract says PERMISSION_DENIED; the catalog's matrix records the
//     same divergence for EvaluatePolicies): bureau any firm, the XIAOSHAN
//     officer its district's firms, assocA's admin its members, the firm
//     user its own firm, the expert none;
//   - prospects: bureau any association, the officer its district's, the
//     association admin its own, others PERMISSION_DENIED;
//   - index administration: bureau admin only.
const (
	rowFirmMatch  = "U | OK | OK/NF | OK/NF | OK/NF | NF"
	rowProspects  = "U | OK | OK/PD | OK/PD | PD | PD"
	rowBureauOnly = "U | OK | PD | PD | PD | PD"
	rowPublic     = "OK | OK | OK | OK | OK | OK"
	rowSignedIn   = "U | OK | OK | OK | OK | OK"
)

// accessFixture holds what the cells need besides the harness's
// associations and firms: a city-wide policy and a XIAOSHAN apparel belt
// every firm of the harness fits.
type accessFixture struct {
	policy string
	belt   string
}

// accessFixtures are the fixtures of the harnesses the matrix runs on
// (one per engine, one after the other).
var accessFixtures = map[*harness]*accessFixture{}

func (h *harness) firmOf(tg target) string  { return accesstest.Pick(tg, h.firmA, h.firmB) }
func (h *harness) assocOf(tg target) string { return accesstest.Pick(tg, h.assocA, h.assocB) }

func districtOf(tg target) commonv1.District {
	return accesstest.Pick(tg, commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU)
}

// firmsVisible are the harness firms each role may find or match: its
// tenancy (profiles' FirmScopeFor).
func (h *harness) firmsVisible(role string) []string {
	switch role {
	case roleBureau:
		return []string{h.firmA, h.firmB}
	case roleOfficer, roleAssoc, roleFirm:
		return []string{h.firmA}
	}
	return nil
}

// accessMatrix says, for every RPC of the match contract, what each role
// gets on an object of its own scope (XIAOSHAN, assocA, firmA) and of
// another (XIHU, assocB, firmB). TestAccessMatrix fails for an RPC without
// an entry.
var accessMatrix = map[string][]accessEntry{
	matchv1.MatchService_ListFirmPolicyMatches_FullMethodName: {{
		want: rowFirmMatch,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.matchC.ListFirmPolicyMatches(h.ctx(t, c.role), &matchv1.ListFirmPolicyMatchesRequest{FirmId: h.firmOf(tg)})
			if err == nil {
				// The catalog evaluates with the caller's token too.
				if len(resp.GetMatches()) != 1 || resp.GetMatches()[0].GetId() != accessFixtures[h].policy ||
					resp.GetMatches()[0].GetEvaluation().GetFirmId() != h.firmOf(tg) {
					t.Errorf("policy matches %v, want the city-wide policy evaluated for %s", resp.GetMatches(), h.firmOf(tg))
				}
			}
			return err
		},
	}},
	matchv1.MatchService_ListFirmAssociationMatches_FullMethodName: {{
		want: rowFirmMatch,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.matchC.ListFirmAssociationMatches(h.ctx(t, c.role), &matchv1.ListFirmAssociationMatchesRequest{FirmId: h.firmOf(tg)})
			if err == nil {
				// Both associations are apparel: the firm gets the other
				// one, never its own.
				var got []string
				for _, m := range resp.GetMatches() {
					got = append(got, m.GetId())
				}
				if want := []string{h.assocOf(1 - tg)}; !slices.Equal(got, want) {
					t.Errorf("association matches %v, want %v", got, want)
				}
			}
			return err
		},
	}},
	matchv1.MatchService_ListFirmIndustryBeltMatches_FullMethodName: {{
		want: rowFirmMatch,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.matchC.ListFirmIndustryBeltMatches(h.ctx(t, c.role), &matchv1.ListFirmIndustryBeltMatchesRequest{FirmId: h.firmOf(tg)})
			if err == nil && (len(resp.GetMatches()) != 1 || resp.GetMatches()[0].GetId() != accessFixtures[h].belt) {
				t.Errorf("belt matches %v, want the apparel belt", resp.GetMatches())
			}
			return err
		},
	}},
	matchv1.MatchService_ListFirmExpertMatches_FullMethodName: {{
		// No consult service in this deployment: nobody to suggest, but
		// the firm is still read with the caller's rights.
		want: rowFirmMatch,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.matchC.ListFirmExpertMatches(h.ctx(t, c.role), &matchv1.ListFirmExpertMatchesRequest{FirmId: h.firmOf(tg)})
			if err == nil && len(resp.GetMatches()) != 0 {
				t.Errorf("expert matches %v without an expert source", resp.GetMatches())
			}
			return err
		},
	}},
	matchv1.MatchService_ListAssociationProspects_FullMethodName: {{
		want: rowProspects,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			assoc := h.assocOf(tg)
			resp, err := h.matchC.ListAssociationProspects(h.ctx(t, c.role), &matchv1.ListAssociationProspectsRequest{AssociationId: assoc})
			if err == nil {
				// Both apparel firms are prospects; the association's own
				// member is flagged.
				members := map[string]bool{}
				for _, m := range resp.GetMatches() {
					members[m.GetId()] = m.GetMember()
				}
				if len(members) != 2 || !members[h.firmOf(tg)] || members[h.firmOf(1-tg)] {
					t.Errorf("prospects of %s: member flags %v, want %s a member and %s not", assoc, members, h.firmOf(tg), h.firmOf(1-tg))
				}
			}
			return err
		},
	}},
	matchv1.MatchService_ListEventInvitees_FullMethodName: {{
		// The harness wires no events service (server.Conns.Events is
		// nil): the roles that may list invitees get UNAVAILABLE, the
		// others PERMISSION_DENIED before that, anonymous callers
		// UNAUTHENTICATED from the authenticator. accesstest has no name
		// for UNAVAILABLE, hence wantCode. Once the harness serves events,
		// this becomes a ParseWant row with own/other events.
		wantCode: func(role string, _ target) codes.Code {
			switch role {
			case roleAnonymous:
				return codes.Unauthenticated
			case roleFirm, roleExpert:
				return codes.PermissionDenied
			}
			return codes.Unavailable
		},
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			_, err := h.matchC.ListEventInvitees(h.ctx(t, c.role), &matchv1.ListEventInviteesRequest{EventId: accesstest.Pick(tg, "ev-own", "ev-other")})
			return err
		},
	}},

	matchv1.SearchService_Search_FullMethodName: {
		{
			// Empty kinds: the kinds the caller may see; own/other is the
			// district filter.
			variant: "every visible kind",
			want:    rowPublic,
			call:    searchCell(nil),
		},
		{variant: "kinds=FIRM", want: "U | OK | OK | OK | OK | PD", call: searchCell([]matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_FIRM})},
		{variant: "kinds=ASSOCIATION", want: rowSignedIn, call: searchCell([]matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION})},
		{variant: "kinds=EXPERT", want: rowSignedIn, call: searchCell([]matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_EXPERT})},
		{variant: "kinds=POLICY", want: rowPublic, call: searchCell([]matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_POLICY})},
		{variant: "kinds=INDUSTRY_BELT", want: rowPublic, call: searchCell([]matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT})},
		{
			// Asking for firms among other kinds is refused as a whole.
			variant: "kinds=POLICY,FIRM",
			want:    "U | OK | OK | OK | OK | PD",
			call: searchCell([]matchv1.DocumentKind{
				matchv1.DocumentKind_DOCUMENT_KIND_POLICY, matchv1.DocumentKind_DOCUMENT_KIND_FIRM,
			}),
		},
		{
			// The association filter never widens a tenancy: own/other is
			// the association asked for.
			variant: "association_id filter",
			want:    rowPublic,
			call: func(t *testing.T, h *harness, c *caller, tg target) error {
				resp, err := h.searchC.Search(h.ctx(t, c.role), &matchv1.SearchRequest{AssociationId: h.assocOf(tg), PageSize: 100})
				if err == nil {
					checkSearchTenancy(t, h, c.role, resp, func(id string) bool { return id == h.firmOf(tg) })
				}
				return err
			},
		},
	},

	matchv1.SearchService_ListIndexes_FullMethodName: {{
		want: rowBureauOnly,
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			resp, err := h.searchC.ListIndexes(h.ctx(t, c.role), &matchv1.ListIndexesRequest{})
			if err == nil {
				var ids []string
				for _, ix := range resp.GetIndexes() {
					ids = append(ids, ix.GetId())
				}
				if want := []string{"firms", "associations", "policies", "belts"}; !slices.Equal(ids, want) || resp.GetEngine() == 0 {
					t.Errorf("indexes %v on engine %v, want %v", ids, resp.GetEngine(), want)
				}
			}
			return err
		},
	}},
	matchv1.SearchService_RebuildIndex_FullMethodName: {{
		// own/other: two different indexes.
		want: rowBureauOnly,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			ix := accesstest.Pick(tg, "associations", "belts")
			resp, err := h.searchC.RebuildIndex(h.ctx(t, c.role), &matchv1.RebuildIndexRequest{Index: ix})
			if err == nil && (len(resp.GetRebuilds()) != 1 || resp.GetRebuilds()[0].GetIndex() != ix || resp.GetRebuilds()[0].GetRequestedBy() == "") {
				t.Errorf("rebuild of %s: %v", ix, resp.GetRebuilds())
			}
			return err
		},
	}},
	matchv1.SearchService_ReindexDocument_FullMethodName: {{
		want: rowBureauOnly,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.searchC.ReindexDocument(h.ctx(t, c.role), &matchv1.ReindexDocumentRequest{Index: "firms", DocumentId: h.firmOf(tg)})
			if err == nil && (resp.GetVersion() < 1 || (resp.GetOutcome() != matchv1.ReindexOutcome_REINDEX_OUTCOME_UNCHANGED &&
				resp.GetOutcome() != matchv1.ReindexOutcome_REINDEX_OUTCOME_UPSERTED)) {
				t.Errorf("reindex of %s: %v", h.firmOf(tg), resp)
			}
			return err
		},
	}},
}

// searchCell searches kinds as c, filtered on tg's district, and checks that
// every hit is of a kind the role may see and, for firms, in its tenancy.
func searchCell(kinds []matchv1.DocumentKind) accessCell {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		resp, err := h.searchC.Search(h.ctx(t, c.role), &matchv1.SearchRequest{
			Kinds: kinds, Districts: []commonv1.District{districtOf(tg)}, PageSize: 100,
		})
		if err == nil {
			checkSearchTenancy(t, h, c.role, resp, func(id string) bool { return id == h.firmOf(tg) })
			for _, x := range resp.GetHits() {
				if len(kinds) > 0 && !slices.Contains(kinds, x.GetKind()) {
					t.Errorf("asked for %v, found a %v", kinds, x.GetKind())
				}
			}
			// The firm of the filtered district is found by every role whose
			// tenancy holds it, when firms are searched.
			if (len(kinds) == 0 || slices.Contains(kinds, matchv1.DocumentKind_DOCUMENT_KIND_FIRM)) && slices.Contains(h.firmsVisible(c.role), h.firmOf(tg)) &&
				!slices.ContainsFunc(resp.GetHits(), func(x *matchv1.SearchHit) bool { return x.GetId() == h.firmOf(tg) }) {
				t.Errorf("%s does not find %s, which its tenancy holds", c.role, h.firmOf(tg))
			}
		}
		return err
	}
}

// checkSearchTenancy fails for a hit of a kind role may not see, and for a
// firm outside its tenancy or not passing the request's filter (inFilter).
func checkSearchTenancy(t *testing.T, h *harness, role string, resp *matchv1.SearchResponse, inFilter func(id string) bool) {
	t.Helper()
	for _, x := range resp.GetHits() {
		switch x.GetKind() {
		case matchv1.DocumentKind_DOCUMENT_KIND_POLICY, matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT:
		case matchv1.DocumentKind_DOCUMENT_KIND_FIRM:
			if !slices.Contains(h.firmsVisible(role), x.GetId()) || !inFilter(x.GetId()) {
				t.Errorf("%s finds firm %s (visible to it: %v)", role, x.GetId(), h.firmsVisible(role))
			}
		default:
			if role == roleAnonymous {
				t.Errorf("anonymous search finds a %v (%s)", x.GetKind(), x.GetId())
			}
		}
	}
}

// accessEngines are the engines the matrix runs on.
func accessEngines() []engineCase {
	all := engines()
	if *accessAllEngines {
		return all
	}
	return all[:1]
}

// TestAccessMatrix walks every match RPC × role × own/other object through
// the real gRPC server with the production interceptors, on Bleve (every
// engine with -match.access-all-engines), and checks the status code; it
// fails for an RPC of the contract, or served by the match server, that has
// no entry.
func TestAccessMatrix(t *testing.T) {
	methods := accesstest.ContractMethods(matchv1.File_qihang_match_v1_documents_proto,
		matchv1.File_qihang_match_v1_match_proto, matchv1.File_qihang_match_v1_search_proto)
	if len(methods) == 0 {
		t.Fatal("no RPCs found in the match file descriptors")
	}
	for m := range accessMatrix {
		if !slices.Contains(methods, m) {
			t.Errorf("access matrix has an entry for %s, which the contract does not declare", m)
		}
	}
	for _, ec := range accessEngines() {
		t.Run(ec.name, func(t *testing.T) {
			h := newHarness(t, ec.open(t))
			accessFixtures[h] = &accessFixture{
				policy: h.newPolicy(t, "杭州市跨境电商物流补助（矩阵测试）", 0, catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE, 10_000_000).GetId(),
				belt:   h.newBelt(t, "萧山服饰（矩阵测试）", commonv1.District_DISTRICT_XIAOSHAN, commonv1.Industry_INDUSTRY_APPAREL, []string{"61", "62"}, h.assocA).GetId(),
			}
			t.Cleanup(func() { delete(accessFixtures, h) })
			h.startSync(t)

			// Every RPC the match server itself registers has an entry.
			g := grpc.NewServer()
			h.svc().Register(g)
			for svc, info := range g.GetServiceInfo() {
				for _, m := range info.Methods {
					if full := "/" + svc + "/" + m.Name; len(accessMatrix[full]) == 0 {
						t.Errorf("the match server serves %s, which has no access matrix entry", full)
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
					runAccessEntry(t, h, m, e)
				}
			}
		})
	}
}

func runAccessEntry(t *testing.T, h *harness, method string, e accessEntry) {
	name := accesstest.ShortName(method)
	if e.variant != "" {
		name += " " + e.variant
	}
	t.Run(name, func(t *testing.T) {
		want := e.wantCode
		if want == nil {
			row, err := accesstest.ParseWant(e.want)
			if err != nil {
				t.Fatalf("bad expectation row %q: %v", e.want, err)
			}
			want = func(role string, tg target) codes.Code { return row[role][tg] }
		}
		for _, role := range accesstest.Roles {
			c := h.callers[role]
			t.Run(role, func(t *testing.T) {
				for _, tg := range accesstest.Targets {
					err := e.call(t, h, c, tg)
					if got := status.Code(err); got != want(role, tg) {
						t.Errorf("%s as %s on %s object: code %v (%q), want %v", name, role, tg, got, status.Convert(err).Message(), want(role, tg))
					}
				}
			})
		}
	})
}

// TestAccessMatrixRows: every expectation row parses, so a typo fails here
// rather than in the middle of the matrix.
func TestAccessMatrixRows(t *testing.T) {
	for m, entries := range accessMatrix {
		for _, e := range entries {
			if (e.want == "") == (e.wantCode == nil) {
				t.Errorf("%s %s: set exactly one of want and wantCode", m, e.variant)
				continue
			}
			if e.want != "" {
				if _, err := accesstest.ParseWant(e.want); err != nil {
					t.Errorf("%s %s: %v", m, e.variant, err)
				}
			}
			if e.call == nil {
				t.Errorf("%s %s: no call", m, e.variant)
			}
		}
	}
}

// TestSearchPolicyVisibilityForEditors: "published policies in force …
// for everyone; besides, the editors of policies (as the catalog defines
// them) find their drafts, expired and withdrawn policies" (Search). The
// XIAOSHAN officer edits XIAOSHAN's district-level policies only, so it
// finds XIAOSHAN's withdrawn, expired and draft policies but not another
// district's or the city's withdrawn or expired ones; the bureau finds
// every policy; everyone else the published ones in force.
func TestSearchPolicyVisibilityForEditors(t *testing.T) {
	h := newBleveHarness(t, nil)
	xs, xh := commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU
	policy := func(title string, d commonv1.District, st catalogv1.PolicyStatus) string {
		p := &catalogv1.Policy{
			Title: title, Level: catalogv1.PolicyLevel_POLICY_LEVEL_MUNICIPAL, Summary: "可见性测试政策。",
			Categories: []catalogv1.PolicyCategory{catalogv1.PolicyCategory_POLICY_CATEGORY_FUNDING},
			Criteria:   []*catalogv1.Criterion{{Description: "已出单", Expression: "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER"}},
		}
		if d != 0 {
			p.Level, p.Districts = catalogv1.PolicyLevel_POLICY_LEVEL_DISTRICT, []commonv1.District{d}
		}
		return h.createPolicy(t, p, st)
	}
	published, withdrawn := catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED, catalogv1.PolicyStatus_POLICY_STATUS_WITHDRAWN
	expired, draft := catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED, catalogv1.PolicyStatus_POLICY_STATUS_DRAFT
	ps := map[string]string{
		"city published": policy("市级已发布", 0, published), "city withdrawn": policy("市级已撤回", 0, withdrawn),
		"city expired": policy("市级已到期", 0, expired), "city draft": policy("市级草稿", 0, draft),
		"XIAOSHAN published": policy("萧山已发布", xs, published), "XIAOSHAN withdrawn": policy("萧山已撤回", xs, withdrawn),
		"XIAOSHAN expired": policy("萧山已到期", xs, expired), "XIAOSHAN draft": policy("萧山草稿", xs, draft),
		"XIHU published": policy("西湖已发布", xh, published), "XIHU withdrawn": policy("西湖已撤回", xh, withdrawn),
		"XIHU expired": policy("西湖已到期", xh, expired), "XIHU draft": policy("西湖草稿", xh, draft),
	}
	var all []string
	for name := range ps {
		all = append(all, name)
	}
	slices.Sort(all)
	public := []string{"XIAOSHAN published", "XIHU published", "city published"}
	want := map[string][]string{
		roleAnonymous: public, roleBureau: all, roleAssoc: public, roleFirm: public, roleExpert: public,
		roleOfficer: {"XIAOSHAN draft", "XIAOSHAN expired", "XIAOSHAN published", "XIAOSHAN withdrawn", "XIHU published", "city published"},
	}
	eventually(t, 5*time.Second, "policies indexed", func() bool {
		resp, err := h.searchC.Search(h.ctx(t, roleBureau), &matchv1.SearchRequest{Kinds: []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_POLICY}, PageSize: 100})
		return err == nil && len(resp.GetHits()) == len(ps)
	})
	names := map[string]string{}
	for name, id := range ps {
		names[id] = name
	}
	for _, role := range accesstest.Roles {
		resp, err := h.searchC.Search(h.ctx(t, role), &matchv1.SearchRequest{Kinds: []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_POLICY}, PageSize: 100})
		if err != nil {
			t.Fatalf("search policies as %s: %v", role, err)
		}
		var got []string
		for _, x := range resp.GetHits() {
			got = append(got, names[x.GetId()])
		}
		slices.Sort(got)
		if diff := cmp.Diff(want[role], got); diff != "" {
			t.Errorf("policies found by %s (-want +got):\n%s", role, diff)
		}
	}
}
