package server_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/match/index/bleveindex"
)

// fieldViolations returns the fields named by the google.rpc.BadRequest
// details of err, each with a non-empty description.
func fieldViolations(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, d := range status.Convert(err).Details() {
		br, ok := d.(*errdetails.BadRequest)
		if !ok {
			continue
		}
		for _, fv := range br.GetFieldViolations() {
			if strings.TrimSpace(fv.GetDescription()) == "" {
				t.Errorf("field violation %q without a description", fv.GetField())
			}
			out = append(out, fv.GetField())
		}
	}
	return out
}

// wantInvalid checks that err is INVALID_ARGUMENT naming field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("code %v (%v), want InvalidArgument naming %s", status.Code(err), err, field)
		return
	}
	if got := fieldViolations(t, err); !slices.Contains(got, field) {
		t.Errorf("field violations %v (%q), want one naming %s", got, status.Convert(err).Message(), field)
	}
}

// newBleveHarness is a harness on an in-memory Bleve index with its sync
// running, after setup (if any) has written its fixture.
func newBleveHarness(t *testing.T, setup func(*testing.T, *harness)) *harness {
	t.Helper()
	e, err := bleveindex.New(bleveindex.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	h := newHarness(t, e)
	if setup != nil {
		setup(t, h)
	}
	h.startSync(t)
	return h
}

// TestBadInput: malformed requests fail with INVALID_ARGUMENT and a field
// violation naming the field; missing subjects with NOT_FOUND; a page token
// used with other filters with INVALID_ARGUMENT on page_token.
func TestBadInput(t *testing.T) {
	h := newBleveHarness(t, nil)
	search := func(t *testing.T, req *matchv1.SearchRequest) error {
		_, err := h.searchC.Search(h.ctx(t, roleBureau), req)
		return err
	}
	invalid := []struct {
		name  string
		field string
		call  func(t *testing.T) error
	}{
		{"q of 2,000 characters", "q", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{Q: strings.Repeat("羽绒", 1000)})
		}},
		{"q of 201 characters", "q", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{Q: strings.Repeat("a", 201)}) }},
		{"unknown facet 99", "facets[0]", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{Facets: []matchv1.SearchFacet{99}})
		}},
		{"unspecified facet", "facets[1]", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{Facets: []matchv1.SearchFacet{matchv1.SearchFacet_SEARCH_FACET_KIND, 0}})
		}},
		{"page_size 101", "page_size", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{PageSize: 101}) }},
		{"page_size -1", "page_size", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{PageSize: -1}) }},
		{"market with quotes and operators", "markets[0]", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{Markets: []string{`US" OR district = "x`}})
		}},
		{"market in lower case", "markets[1]", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{Markets: []string{"US", "de"}})
		}},
		{"hs chapter 6a", "hs_chapters[0]", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{HsChapters: []string{"6a"}}) }},
		{"hs chapter 99", "hs_chapters[0]", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{HsChapters: []string{"99"}}) }},
		{"hs chapter 00", "hs_chapters[0]", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{HsChapters: []string{"00"}}) }},
		{"hs chapter of one digit", "hs_chapters[1]", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{HsChapters: []string{"62", "9"}})
		}},
		{"hs code instead of a chapter", "hs_chapters[0]", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{HsChapters: []string{"620193"}})
		}},
		{"association_id with quotes", "association_id", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{AssociationId: `a" OR association_ids != "`})
		}},
		{"unknown kind 99", "kinds[0]", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{Kinds: []matchv1.DocumentKind{99}}) }},
		{"unspecified kind", "kinds[0]", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{Kinds: []matchv1.DocumentKind{0}}) }},
		{"unknown district", "districts[0]", func(t *testing.T) error {
			return search(t, &matchv1.SearchRequest{Districts: []commonv1.District{99}})
		}},
		{"garbage page token", "page_token", func(t *testing.T) error { return search(t, &matchv1.SearchRequest{PageToken: "%%%"}) }},
		{"expert matches online_only with on_site_only", "on_site_only", func(t *testing.T) error {
			_, err := h.matchC.ListFirmExpertMatches(h.ctx(t, roleBureau), &matchv1.ListFirmExpertMatchesRequest{FirmId: h.firmA, OnlineOnly: true, OnSiteOnly: true})
			return err
		}},
		{"expert matches market USA", "markets[0]", func(t *testing.T) error {
			_, err := h.matchC.ListFirmExpertMatches(h.ctx(t, roleBureau), &matchv1.ListFirmExpertMatchesRequest{FirmId: h.firmA, Markets: []string{"USA"}})
			return err
		}},
		{"policy matches page_size 101", "page_size", func(t *testing.T) error {
			_, err := h.matchC.ListFirmPolicyMatches(h.ctx(t, roleBureau), &matchv1.ListFirmPolicyMatchesRequest{FirmId: h.firmA, PageSize: 101})
			return err
		}},
		{"policy matches unknown category", "categories[0]", func(t *testing.T) error {
			_, err := h.matchC.ListFirmPolicyMatches(h.ctx(t, roleBureau), &matchv1.ListFirmPolicyMatchesRequest{FirmId: h.firmA, Categories: []catalogv1.PolicyCategory{999}})
			return err
		}},
		{"policy matches without firm_id", "firm_id", func(t *testing.T) error {
			_, err := h.matchC.ListFirmPolicyMatches(h.ctx(t, roleBureau), &matchv1.ListFirmPolicyMatchesRequest{})
			return err
		}},
		{"association matches unknown district", "districts[0]", func(t *testing.T) error {
			_, err := h.matchC.ListFirmAssociationMatches(h.ctx(t, roleBureau), &matchv1.ListFirmAssociationMatchesRequest{FirmId: h.firmA, Districts: []commonv1.District{99}})
			return err
		}},
		{"belt matches page_size 101", "page_size", func(t *testing.T) error {
			_, err := h.matchC.ListFirmIndustryBeltMatches(h.ctx(t, roleBureau), &matchv1.ListFirmIndustryBeltMatchesRequest{FirmId: h.firmA, PageSize: 101})
			return err
		}},
		{"prospects without association_id", "association_id", func(t *testing.T) error {
			_, err := h.matchC.ListAssociationProspects(h.ctx(t, roleBureau), &matchv1.ListAssociationProspectsRequest{})
			return err
		}},
		{"prospects unknown membership", "membership", func(t *testing.T) error {
			_, err := h.matchC.ListAssociationProspects(h.ctx(t, roleBureau), &matchv1.ListAssociationProspectsRequest{AssociationId: h.assocA, Membership: 7})
			return err
		}},
		{"invitees of a policy kind", "kinds[0]", func(t *testing.T) error {
			_, err := h.matchC.ListEventInvitees(h.ctx(t, roleBureau), &matchv1.ListEventInviteesRequest{
				EventId: "e1", Kinds: []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_POLICY},
			})
			return err
		}},
		{"reindex a document id with quotes", "document_id", func(t *testing.T) error {
			_, err := h.searchC.ReindexDocument(h.ctx(t, roleBureau), &matchv1.ReindexDocumentRequest{Index: "firms", DocumentId: `x" OR 1=1`})
			return err
		}},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) { wantInvalid(t, c.call(t), c.field) })
	}

	missing := ids.New()
	notFound := []struct {
		name string
		call func(t *testing.T) error
	}{
		{"policy matches of a firm that does not exist", func(t *testing.T) error {
			_, err := h.matchC.ListFirmPolicyMatches(h.ctx(t, roleBureau), &matchv1.ListFirmPolicyMatchesRequest{FirmId: missing})
			return err
		}},
		{"association matches of a firm that does not exist", func(t *testing.T) error {
			_, err := h.matchC.ListFirmAssociationMatches(h.ctx(t, roleBureau), &matchv1.ListFirmAssociationMatchesRequest{FirmId: missing})
			return err
		}},
		{"belt matches of a firm that does not exist", func(t *testing.T) error {
			_, err := h.matchC.ListFirmIndustryBeltMatches(h.ctx(t, roleBureau), &matchv1.ListFirmIndustryBeltMatchesRequest{FirmId: missing})
			return err
		}},
		{"expert matches of a firm that does not exist", func(t *testing.T) error {
			_, err := h.matchC.ListFirmExpertMatches(h.ctx(t, roleBureau), &matchv1.ListFirmExpertMatchesRequest{FirmId: missing})
			return err
		}},
		{"prospects of an association that does not exist", func(t *testing.T) error {
			_, err := h.matchC.ListAssociationProspects(h.ctx(t, roleBureau), &matchv1.ListAssociationProspectsRequest{AssociationId: missing})
			return err
		}},
		{"rebuild of an unknown index", func(t *testing.T) error {
			_, err := h.searchC.RebuildIndex(h.ctx(t, roleBureau), &matchv1.RebuildIndexRequest{Index: "firmz"})
			return err
		}},
		{"reindex in an unknown index", func(t *testing.T) error {
			_, err := h.searchC.ReindexDocument(h.ctx(t, roleBureau), &matchv1.ReindexDocumentRequest{Index: "firmz", DocumentId: h.firmA})
			return err
		}},
		{"reindex of an object neither at the source nor indexed", func(t *testing.T) error {
			_, err := h.searchC.ReindexDocument(h.ctx(t, roleBureau), &matchv1.ReindexDocumentRequest{Index: "firms", DocumentId: missing})
			return err
		}},
	}
	for _, c := range notFound {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(t); status.Code(err) != codes.NotFound {
				t.Errorf("code %v (%v), want NotFound", status.Code(err), err)
			}
		})
	}

	t.Run("search page token reused with other filters", func(t *testing.T) {
		first, err := h.searchC.Search(h.ctx(t, roleBureau), &matchv1.SearchRequest{PageSize: 1})
		if err != nil || first.GetNextPageToken() == "" {
			t.Fatalf("first page: %v, next token %q", err, first.GetNextPageToken())
		}
		wantInvalid(t, search(t, &matchv1.SearchRequest{PageSize: 1, PageToken: first.GetNextPageToken(), Q: "羽绒"}), "page_token")
		wantInvalid(t, search(t, &matchv1.SearchRequest{PageSize: 1, PageToken: first.GetNextPageToken(),
			Kinds: []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_FIRM}}), "page_token")
		// The same filters take it.
		if err := search(t, &matchv1.SearchRequest{PageSize: 1, PageToken: first.GetNextPageToken()}); err != nil {
			t.Errorf("the token with its own filters: %v", err)
		}
	})
	t.Run("prospects page token reused with other filters", func(t *testing.T) {
		first, err := h.matchC.ListAssociationProspects(h.ctx(t, roleBureau), &matchv1.ListAssociationProspectsRequest{AssociationId: h.assocA, PageSize: 1})
		if err != nil || first.GetNextPageToken() == "" {
			t.Fatalf("first page: %v, next token %q", err, first.GetNextPageToken())
		}
		_, err = h.matchC.ListAssociationProspects(h.ctx(t, roleBureau), &matchv1.ListAssociationProspectsRequest{
			AssociationId: h.assocA, PageSize: 1, PageToken: first.GetNextPageToken(), Membership: matchv1.ProspectMembership_PROSPECT_MEMBERSHIP_MEMBERS,
		})
		wantInvalid(t, err, "page_token")
		// Another association's list does not take it either.
		_, err = h.matchC.ListAssociationProspects(h.ctx(t, roleBureau), &matchv1.ListAssociationProspectsRequest{
			AssociationId: h.assocB, PageSize: 1, PageToken: first.GetNextPageToken(),
		})
		wantInvalid(t, err, "page_token")
	})
}

// filterFixture adds firms with markets and HS codes to both associations
// of the harness, and a belt, for the filter checks.
func filterFixture(t *testing.T, h *harness) {
	t.Helper()
	h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_XIAOSHAN, assoc: h.assocA, products: "羽绒服", hs: []string{"620193"}, markets: []string{"US", "DE"}})
	h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_XIHU, assoc: h.assocB, products: "羽绒被", hs: []string{"940490"}, markets: []string{"JP", "US"}})
	h.newBelt(t, "萧山羽绒（筛选测试）", commonv1.District_DISTRICT_XIAOSHAN, commonv1.Industry_INDUSTRY_DOWN_PRODUCTS, []string{"62", "94"}, h.assocA)
	h.newPolicy(t, "跨境电商海外仓补助（筛选测试）", 0, catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE, 1_000_000)
}

var hsChapterPattern = regexp.MustCompile(`^[0-9]{2}$`)

// checkSearchFilterValues searches with market, chapter and association
// (each skipped when empty) and text q, as the bureau and as assocA's
// admin. Either the request is INVALID_ARGUMENT naming a field whose value
// is malformed, or it succeeds and every hit satisfies every filter, within
// the caller's tenancy, never more than the same text finds unfiltered.
func checkSearchFilterValues(t *testing.T, h *harness, market, chapter, assoc, q string) {
	t.Helper()
	// Protobuf strings are UTF-8; the client refuses anything else.
	market, chapter, assoc, q = strings.ToValidUTF8(market, "?"), strings.ToValidUTF8(chapter, "?"), strings.ToValidUTF8(assoc, "?"), strings.ToValidUTF8(q, "?")
	req := &matchv1.SearchRequest{Q: q, AssociationId: assoc, PageSize: 100}
	if market != "" {
		req.Markets = []string{market}
	}
	if chapter != "" {
		req.HsChapters = []string{chapter}
	}
	bad := map[string]bool{
		"q":              utf8.RuneCountInString(strings.TrimSpace(q)) > 200,
		"markets[0]":     market != "" && !refdata.ValidMarket(market),
		"hs_chapters[0]": chapter != "" && (!hsChapterPattern.MatchString(chapter) || chapter < "01" || chapter > "97"),
		"association_id": assoc != "" && !ids.Valid(assoc),
	}
	anyBad := false
	for _, b := range bad {
		anyBad = anyBad || b
	}
	for _, role := range []string{roleBureau, roleAssoc} {
		resp, err := h.searchC.Search(h.ctx(t, role), req)
		if err != nil {
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("Search(%q) as %s: code %v (%v), want OK or InvalidArgument", req, role, status.Code(err), err)
			}
			for _, f := range fieldViolations(t, err) {
				if !bad[f] {
					t.Errorf("Search(%q) as %s: violation on %s, whose value is well-formed", req, role, f)
				}
			}
			if !anyBad {
				t.Errorf("Search(%q) as %s refused well-formed values: %v", req, role, err)
			}
			continue
		}
		if anyBad {
			t.Fatalf("Search(%q) as %s accepted a malformed value (%v): %d hits", req, role, bad, len(resp.GetHits()))
		}
		base, err := h.searchC.Search(h.ctx(t, role), &matchv1.SearchRequest{Q: q, PageSize: 100})
		if err != nil {
			t.Fatalf("unfiltered Search(%q) as %s: %v", q, role, err)
		}
		if len(resp.GetHits()) > len(base.GetHits()) || resp.GetTotalSize() > base.GetTotalSize() {
			t.Errorf("Search(%q) as %s: %d hits (total %d), more than the %d (total %d) without filters",
				req, role, len(resp.GetHits()), resp.GetTotalSize(), len(base.GetHits()), base.GetTotalSize())
		}
		for _, x := range resp.GetHits() {
			checkHitSatisfies(t, h, role, req, x)
		}
	}
}

// checkHitSatisfies fails when hit x does not satisfy req's market, HS
// chapter and association filters, or lies outside role's tenancy.
func checkHitSatisfies(t *testing.T, h *harness, role string, req *matchv1.SearchRequest, x *matchv1.SearchHit) {
	t.Helper()
	market, chapter, assoc := first(req.GetMarkets()), first(req.GetHsChapters()), req.GetAssociationId()
	switch x.GetKind() {
	case matchv1.DocumentKind_DOCUMENT_KIND_FIRM:
		f, err := h.profiles.App.GetFirm(h.system, x.GetId())
		if err != nil {
			t.Fatalf("read hit firm %s: %v", x.GetId(), err)
		}
		if market != "" && !slices.Contains(f.TargetMarkets, market) {
			t.Errorf("market %q finds firm %s with markets %v", market, x.GetId(), f.TargetMarkets)
		}
		if chapter != "" && !slices.ContainsFunc(f.HSCodes, func(c string) bool { return strings.HasPrefix(c, chapter) }) {
			t.Errorf("chapter %q finds firm %s with HS codes %v", chapter, x.GetId(), f.HSCodes)
		}
		if assoc != "" && !f.MemberOf(assoc) {
			t.Errorf("association %q finds firm %s, not a member", assoc, x.GetId())
		}
		if role == roleAssoc && !f.MemberOf(h.assocA) {
			t.Errorf("assocA's admin finds firm %s of another tenant", x.GetId())
		}
	case matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT:
		b := x.GetIndustryBelt()
		if assoc != "" {
			t.Errorf("association filter finds belt %s (belts have no members)", x.GetId())
		}
		if market != "" && !slices.Contains(b.GetTargetMarkets(), market) {
			t.Errorf("market %q finds belt %s with markets %v", market, x.GetId(), b.GetTargetMarkets())
		}
		if chapter != "" && !slices.Contains(b.GetHsChapters(), chapter) {
			t.Errorf("chapter %q finds belt %s with chapters %v", chapter, x.GetId(), b.GetHsChapters())
		}
	default:
		// Policies, associations and experts have no market, chapter or
		// membership field: any of these filters leaves them out.
		if market != "" || chapter != "" || assoc != "" {
			t.Errorf("filters market=%q chapter=%q association=%q find a %v (%s)", market, chapter, assoc, x.GetKind(), x.GetId())
		}
	}
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// hostileFilterValues are filter values that try to change an engine
// filter's meaning, or are just malformed.
var hostileFilterValues = []string{
	`US" OR district = "x`, `US' OR '1'='1`, `US OR hs_chapters = 62`, "US)", "(US", `\"`, "US\x00", " US", "US ", "us", "UK",
	"62 OR 1", "6\u0662", "62\n", "０１", "-1", "97", "01", "62", "98", "NOT 62", "*", "%", "?", "", "\u202eSU",
}

// TestSearchHostileFilterValues runs the fuzz target's check over a table of
// hostile values on one harness (the fuzz target builds a harness per
// input), with the real ids of the harness's associations among them.
func TestSearchHostileFilterValues(t *testing.T) {
	h := newBleveHarness(t, filterFixture)
	assocs := []string{"", h.assocA, h.assocB, ids.New(), `"` + h.assocA + `"`, h.assocA + `" OR 1=1`, strings.ToUpper(h.assocA)}
	for _, v := range hostileFilterValues {
		checkSearchFilterValues(t, h, v, "", "", "")
		checkSearchFilterValues(t, h, "", v, "", "")
		checkSearchFilterValues(t, h, "", "", v, "")
	}
	for _, a := range assocs {
		checkSearchFilterValues(t, h, "US", "62", a, "")
		checkSearchFilterValues(t, h, "US", "", a, "羽绒")
		checkSearchFilterValues(t, h, "", "94", a, "")
	}
	checkSearchFilterValues(t, h, "US", "62", "", strings.Repeat("羽", 201))
	checkSearchFilterValues(t, h, "JP", "", "", `羽绒" OR "1`)
}

// FuzzSearchFilterValues feeds arbitrary strings as a market, an HS
// chapter, an association id and the query into Search over gRPC on
// Bleve. Each input gets a fresh harness (newHarness takes a *testing.T),
// so the seed corpus stays at a few entries; TestSearchHostileFilterValues
// covers a longer table on one harness.
func FuzzSearchFilterValues(f *testing.F) {
	f.Add("US", "62", "", "羽绒")
	f.Add(`US" OR district = "x`, "6a", `a" OR 1=1`, "")
	f.Add("JP", "94", "0123456789abcdefghjk", `"*"`)
	f.Fuzz(func(t *testing.T, market, chapter, assoc, q string) {
		h := newBleveHarness(t, filterFixture)
		checkSearchFilterValues(t, h, market, chapter, assoc, q)
	})
}
