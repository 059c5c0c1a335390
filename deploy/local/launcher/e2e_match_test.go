package launcher_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func matchList(m map[string]any, key string) []map[string]any {
	raw, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, x := range raw {
		if mm, ok := x.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}

func matchStr(m map[string]any, key string) string { s, _ := m[key].(string); return s }

// checkMatches checks what every match result carries: kind, id, title,
// 1-based ranks in order, a score in [0, 1] equal to the sum of its
// reasons' contributions, and readable reasons.
func checkMatches(t *testing.T, what string, r response, kind string) []map[string]any {
	t.Helper()
	ms := matchList(r.body, "matches")
	for i, m := range ms {
		score, _ := m["score"].(float64)
		var sum float64
		for _, rs := range matchList(m, "reasons") {
			if matchStr(rs, "text") == "" || matchStr(rs, "code") == "" {
				t.Errorf("%s: reason without text or code: %v", what, rs)
			}
			c, _ := rs["contribution"].(float64)
			sum += c
		}
		// A policy the firm is not eligible for may have nothing in its
		// favour: its evaluation says why.
		if (kind != "" && matchStr(m, "kind") != kind) || matchStr(m, "id") == "" || matchStr(m, "title") == "" ||
			m["rank"] != float64(i+1) || score < 0 || score > 1 || (score > 0) != (len(matchList(m, "reasons")) > 0) {
			t.Errorf("%s: match %d = %.300v", what, i, m)
		}
		if d := sum - score; d > 0.002 || d < -0.002 {
			t.Errorf("%s: match %d score %.4f but reasons sum to %.4f", what, i, score, sum)
		}
	}
	return ms
}

// TestEndToEndMatch drives matching and search through the running launcher
// over real HTTP, on the demo data indexed by the embedded engine.
func TestEndToEndMatch(t *testing.T) {
	s := start(t, t.TempDir(), true)
	admin := s.login(t, "admin", demoPassword)
	firm := s.login(t, "firm-user", demoPassword)
	assoc := s.login(t, "assoc-admin", demoPassword)
	me := s.do(t, "GET", "/v1/me", firm, nil)
	want(t, me, 200)
	firmID := me.str("account", "firm_id")
	assocID := s.do(t, "GET", "/v1/me", assoc, nil).str("account", "association_id")
	otherFirm := s.do(t, "GET", "/v1/me", s.login(t, "firm-user2", demoPassword), nil).str("account", "firm_id")
	if firmID == "" || assocID == "" || otherFirm == "" {
		t.Fatalf("demo accounts: firm %q, association %q, other firm %q", firmID, assocID, otherFirm)
	}

	t.Run("a firm's policies, associations and belts, with reasons", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/firms/"+firmID+"/matches/policies?page_size=50", firm, nil)
		want(t, r, 200)
		ps := checkMatches(t, "policies", r, "DOCUMENT_KIND_POLICY")
		if len(ps) == 0 || len(matchList(r.body, "verdict_counts")) == 0 {
			t.Fatalf("no policy matches for the demo firm: %.500s", r.raw)
		}
		for _, p := range ps {
			ev, _ := p["evaluation"].(map[string]any)
			pol, _ := p["policy"].(map[string]any)
			if matchStr(ev, "verdict") == "" || matchStr(pol, "status") != "POLICY_STATUS_PUBLISHED" {
				t.Errorf("policy match without a verdict or not published: %.300v", p)
			}
		}

		r = s.do(t, "GET", "/v1/firms/"+firmID+"/matches/associations", firm, nil)
		want(t, r, 200)
		as := checkMatches(t, "associations", r, "DOCUMENT_KIND_ASSOCIATION")
		if len(as) == 0 {
			t.Fatalf("no association matches: %.300s", r.raw)
		}
		if strings.Contains(string(r.raw), "phone") || strings.Contains(string(r.raw), "cross_border_contact") {
			t.Errorf("association matches carry contacts: %.300s", r.raw)
		}

		r = s.do(t, "GET", "/v1/firms/"+firmID+"/matches/belts", firm, nil)
		want(t, r, 200)
		checkMatches(t, "belts", r, "DOCUMENT_KIND_INDUSTRY_BELT")

		r = s.do(t, "GET", "/v1/firms/"+firmID+"/matches/experts?online_only=true&on_site_only=true", firm, nil)
		want(t, r, 400)
	})

	t.Run("access: another firm, anonymous, prospects", func(t *testing.T) {
		for _, kind := range []string{"policies", "associations", "belts", "experts"} {
			if r := s.do(t, "GET", "/v1/firms/"+otherFirm+"/matches/"+kind, firm, nil); r.code != 404 && r.code != 403 {
				t.Errorf("firm user on another firm's %s matches: HTTP %d", kind, r.code)
			}
			want(t, s.do(t, "GET", "/v1/firms/"+firmID+"/matches/"+kind, "", nil), 401)
		}
		r := s.do(t, "GET", "/v1/associations/"+assocID+"/prospects?page_size=30", assoc, nil)
		want(t, r, 200)
		ps := checkMatches(t, "prospects", r, "DOCUMENT_KIND_FIRM")
		if len(ps) == 0 {
			t.Fatalf("no prospects for the demo association: %.300s", r.raw)
		}
		if strings.Contains(string(r.raw), "contacts") || strings.Contains(string(r.raw), "annual_export_value") {
			t.Errorf("prospects carry contacts or export figures: %.300s", r.raw)
		}
		r = s.do(t, "GET", "/v1/associations/"+assocID+"/prospects?membership=PROSPECT_MEMBERSHIP_NON_MEMBERS", assoc, nil)
		want(t, r, 200)
		for _, p := range matchList(r.body, "matches") {
			if p["member"] == true {
				t.Errorf("non-member list has a member: %v", p["id"])
			}
		}
		want(t, s.do(t, "GET", "/v1/associations/"+assocID+"/prospects", firm, nil), 403)
		other := s.login(t, "assoc-admin2", demoPassword)
		want(t, s.do(t, "GET", "/v1/associations/"+assocID+"/prospects", other, nil), 403)
		want(t, s.do(t, "GET", "/v1/associations/"+assocID+"/prospects", admin, nil), 200)
	})

	t.Run("event invitees: organisers and associations, registered left out", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/events?page_size=50", admin, nil)
		want(t, r, 200)
		var open, done string
		for _, e := range matchList(r.body, "events") {
			switch matchStr(e, "status") {
			case "EVENT_STATUS_PUBLISHED":
				if open == "" && matchStr(e, "audience") != "EVENT_AUDIENCE_ASSOCIATIONS" {
					open = matchStr(e, "id")
				}
			case "EVENT_STATUS_COMPLETED":
				done = matchStr(e, "id")
			}
		}
		if open == "" || done == "" {
			t.Fatalf("demo events lack a published and a completed one: %.300s", r.raw)
		}
		r = s.do(t, "GET", "/v1/events/"+open+"/invitees?page_size=50", admin, nil)
		want(t, r, 200)
		for _, m := range checkMatches(t, "invitees", r, "") {
			if m["registered"] == true {
				t.Errorf("invitee %v is registered already", m["id"])
			}
		}
		r = s.do(t, "GET", "/v1/events/"+open+"/invitees?page_size=50", assoc, nil)
		want(t, r, 200)
		for _, m := range matchList(r.body, "matches") {
			if matchStr(m, "kind") != "DOCUMENT_KIND_FIRM" {
				t.Errorf("an association admin is offered a %s", matchStr(m, "kind"))
			}
		}
		want(t, s.do(t, "GET", "/v1/events/"+open+"/invitees", firm, nil), 403)
		want(t, s.do(t, "GET", "/v1/events/"+done+"/invitees", admin, nil), 400)
	})

	t.Run("search: public kinds, tenancy, facets, highlights", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/search?q="+url.QueryEscape("跨境电商")+"&facets=SEARCH_FACET_KIND", "", nil)
		want(t, r, 200)
		hits := matchList(r.body, "hits")
		if len(hits) == 0 {
			t.Fatalf("anonymous search found nothing: %.300s", r.raw)
		}
		for _, h := range hits {
			if k := matchStr(h, "kind"); k != "DOCUMENT_KIND_POLICY" && k != "DOCUMENT_KIND_INDUSTRY_BELT" {
				t.Errorf("anonymous search returned a %s", k)
			}
		}
		if len(matchList(r.body, "facets")) != 1 {
			t.Errorf("facets = %.300s", r.raw)
		}
		want(t, s.do(t, "GET", "/v1/search?kinds=DOCUMENT_KIND_FIRM", "", nil), 401)

		r = s.do(t, "GET", "/v1/search?kinds=DOCUMENT_KIND_FIRM&page_size=100", firm, nil)
		want(t, r, 200)
		if hs := matchList(r.body, "hits"); len(hs) != 1 || matchStr(hs[0], "id") != firmID {
			t.Errorf("a firm user's firm search = %d hits, want only its own firm", len(hs))
		}
		r = s.do(t, "GET", "/v1/search?q="+url.QueryEscape("羽绒")+"&kinds=DOCUMENT_KIND_INDUSTRY_BELT", firm, nil)
		want(t, r, 200)
		if hs := matchList(r.body, "hits"); len(hs) == 0 || len(matchList(hs[0], "highlights")) == 0 {
			t.Errorf("belt search for 羽绒: %.400s", r.raw)
		}
	})

	t.Run("bad input is 400 naming the field", func(t *testing.T) {
		for _, c := range []struct{ query, field string }{
			{"q=" + strings.Repeat("跨", 2000), "q"},
			{"page_size=101", "page_size"},
			{"markets=" + url.QueryEscape(`US" OR district = "x`), "markets[0]"},
			{"hs_chapters=6a", "hs_chapters[0]"},
			{"facets=99", "facets"},
		} {
			r := s.do(t, "GET", "/v1/search?"+c.query, admin, nil)
			if r.code != 400 || !strings.Contains(strings.Join(r.violations(), ","), c.field) {
				t.Errorf("search?%.40s: HTTP %d, violations %v; want 400 naming %s", c.query, r.code, r.violations(), c.field)
			}
		}
	})

	t.Run("index administration and freshness through the API", func(t *testing.T) {
		want(t, s.do(t, "GET", "/v1/index/status", firm, nil), 403)
		r := s.do(t, "GET", "/v1/index/status", admin, nil)
		want(t, r, 200)
		if ix := matchList(r.body, "indexes"); len(ix) < 4 || matchStr(r.body, "engine") != "SEARCH_ENGINE_BLEVE" {
			t.Errorf("index status: %.400s", r.raw)
		}
		want(t, s.do(t, "POST", "/v1/index:rebuild", firm, map[string]any{}), 403)
		r = s.do(t, "POST", "/v1/index:rebuild", admin, map[string]any{"index": "belts"})
		want(t, r, 200)
		want(t, s.do(t, "POST", "/v1/index:rebuild", admin, map[string]any{"index": "nope"}), 404)

		name := fmt.Sprintf("杭州端到端检索测试%d贸易有限公司", time.Now().UnixNano()%100000)
		body := map[string]any{
			"uscc": validUSCC("91330109", int(time.Now().UnixNano()%1_000_000_000)), "name": name, "district": "DISTRICT_XIAOSHAN", "industry": "INDUSTRY_APPAREL",
			"main_products": "羽绒服", "stage": "CROSS_BORDER_STAGE_EXPLORING",
		}
		r = s.do(t, "POST", "/v1/firms", admin, body)
		want(t, r, 200)
		start := time.Now()
		for {
			r = s.do(t, "GET", "/v1/search?kinds=DOCUMENT_KIND_FIRM&q="+url.QueryEscape(name), admin, nil)
			if hs := matchList(r.body, "hits"); len(hs) > 0 && matchStr(hs[0], "title") == name {
				break
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("a firm created through the API was not searchable within 2 s: %.300s", r.raw)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
