package launcher_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEndToEndCatalog drives the catalog (support policies, eligibility
// evaluation, industry belts) through the running launcher over real HTTP,
// with the demo policies and belts deploy/local/demo loads.
func TestEndToEndCatalog(t *testing.T) {
	s := start(t, t.TempDir(), true)
	admin := s.login(t, "admin", demoPassword)
	officer := s.login(t, "xiaoshan", demoPassword)

	t.Run("criterion environment is public", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/criterion-environment", "", nil)
		want(t, r, 200)
		env, _ := r.body["environment"].(map[string]any)
		if env["container"] != "qihang.common.v1" || env["cost_limit"] == nil || env["time_limit_millis"] == nil {
			t.Errorf("environment = %.400s", r.raw)
		}
		var paths []string
		for _, f := range catList(env, "fields") {
			paths = append(paths, catStr(f, "path"))
		}
		for _, p := range []string{"firm.stage", "firm.district", "facts.annual_export_value_wan_yuan", "facts.programme_member"} {
			if !slices.Contains(paths, p) {
				t.Errorf("environment fields lack %s (have %v)", p, paths)
			}
		}
		if len(catList(env, "examples")) == 0 {
			t.Error("environment has no example criteria")
		}
	})

	t.Run("validate criterion: editors only, problems in the response", func(t *testing.T) {
		want(t, s.do(t, "POST", "/v1/policies:validateCriterion", "", map[string]string{"expression": "facts.exporting"}), 401)
		firmUser := s.login(t, "firm-user", demoPassword)
		want(t, s.do(t, "POST", "/v1/policies:validateCriterion", firmUser, map[string]string{"expression": "facts.exporting"}), 403)
		r := s.do(t, "POST", "/v1/policies:validateCriterion", officer, map[string]string{"expression": "firm.name"})
		want(t, r, 200)
		if r.body["valid"] == true || len(catList(r.body, "issues")) == 0 {
			t.Errorf("non-bool expression: %s", r.raw)
		}
		r = s.do(t, "POST", "/v1/policies:validateCriterion", officer, map[string]string{"expression": "facts.annual_export_value_wan_yuan >= 100"})
		want(t, r, 200)
		if r.body["valid"] != true || len(catList(r.body, "referenced_fields")) != 1 {
			t.Errorf("valid expression: %s", r.raw)
		}
	})

	t.Run("anonymous lists published policies with filters; drafts are 404", func(t *testing.T) {
		all := catPolicies(t, s, "", "")
		if len(all) < 20 {
			t.Fatalf("anonymous sees %d demo policies, want a few dozen", len(all))
		}
		seen := map[string]int{}
		for _, p := range all {
			seen[catStr(p, "status")]++
			if catStr(p, "full_text") != "" {
				t.Errorf("list carries the full text of %s", catStr(p, "title"))
			}
		}
		if seen["POLICY_STATUS_DRAFT"] != 0 || seen["POLICY_STATUS_PUBLISHED"] == 0 || seen["POLICY_STATUS_EXPIRED"] == 0 || seen["POLICY_STATUS_WITHDRAWN"] == 0 {
			t.Errorf("anonymous list statuses = %v; want published, expired and withdrawn, no drafts", seen)
		}

		for _, f := range []struct {
			query string
			ok    func(p map[string]any) bool
		}{
			{"category=POLICY_CATEGORY_TAX", func(p map[string]any) bool { return slices.Contains(catStrs(p, "categories"), "POLICY_CATEGORY_TAX") }},
			{"level=POLICY_LEVEL_DISTRICT", func(p map[string]any) bool { return catStr(p, "level") == "POLICY_LEVEL_DISTRICT" }},
			{"district=DISTRICT_XIAOSHAN", func(p map[string]any) bool {
				ds := catStrs(p, "districts")
				return len(ds) == 0 || slices.Contains(ds, "DISTRICT_XIAOSHAN")
			}},
			{"status=POLICY_STATUS_PUBLISHED", func(p map[string]any) bool { return catStr(p, "status") == "POLICY_STATUS_PUBLISHED" }},
			{"status=POLICY_STATUS_EXPIRED", func(p map[string]any) bool { return catStr(p, "status") == "POLICY_STATUS_EXPIRED" }},
			{"status=POLICY_STATUS_WITHDRAWN", func(p map[string]any) bool { return catStr(p, "status") == "POLICY_STATUS_WITHDRAWN" }},
			{"level=POLICY_LEVEL_DISTRICT&district=DISTRICT_XIAOSHAN&category=POLICY_CATEGORY_FUNDING", func(p map[string]any) bool {
				return catStr(p, "level") == "POLICY_LEVEL_DISTRICT" && slices.Equal(catStrs(p, "districts"), []string{"DISTRICT_XIAOSHAN"}) &&
					slices.Contains(catStrs(p, "categories"), "POLICY_CATEGORY_FUNDING")
			}},
		} {
			got := catPolicies(t, s, "", f.query)
			if len(got) == 0 || len(got) == len(all) {
				t.Errorf("%s: %d of %d policies; want a proper subset", f.query, len(got), len(all))
			}
			for _, p := range got {
				if !f.ok(p) {
					t.Errorf("%s returns %s (%v %v %v %v)", f.query, catStr(p, "title"), p["status"], p["level"], p["districts"], p["categories"])
				}
			}
		}
		if got := catPolicies(t, s, "", "status=POLICY_STATUS_DRAFT"); len(got) != 0 {
			t.Errorf("anonymous status=DRAFT lists %d drafts", len(got))
		}
		want(t, s.do(t, "GET", "/v1/policies?district=999", "", nil), 400)

		pub := catFind(t, catPolicies(t, s, "", "district=DISTRICT_XIAOSHAN&level=POLICY_LEVEL_DISTRICT&status=POLICY_STATUS_PUBLISHED"), "萧山区传统产业跨境电商转型扶持")
		r := s.do(t, "GET", "/v1/policies/"+catStr(pub, "id"), "", nil)
		want(t, r, 200)
		if r.str("policy", "full_text") == "" || r.str("policy", "status") != "POLICY_STATUS_PUBLISHED" {
			t.Errorf("published policy read anonymously: %.300s", r.raw)
		}

		drafts := catPolicies(t, s, admin, "status=POLICY_STATUS_DRAFT")
		xsDraft := catFind(t, drafts, "萧山区海外仓及海外展示中心建设补助（征求意见稿）")
		var otherDraft map[string]any
		for _, d := range drafts {
			if !slices.Contains(catStrs(d, "districts"), "DISTRICT_XIAOSHAN") {
				otherDraft = d
			}
		}
		if otherDraft == nil {
			t.Fatal("the demo data has no draft outside XIAOSHAN")
		}
		firmUser := s.login(t, "firm-user", demoPassword)
		for _, c := range []struct {
			who, token string
			draft      map[string]any
			code       int
		}{
			{"anonymous", "", xsDraft, 404}, {"firm user", firmUser, xsDraft, 404},
			{"XIAOSHAN officer", officer, xsDraft, 200}, {"admin", admin, xsDraft, 200},
			{"XIAOSHAN officer", officer, otherDraft, 404}, {"admin", admin, otherDraft, 200},
		} {
			r := s.do(t, "GET", "/v1/policies/"+catStr(c.draft, "id"), c.token, nil)
			if r.code != c.code {
				t.Errorf("GET draft %s as %s: HTTP %d, want %d: %.200s", catStr(c.draft, "title"), c.who, r.code, c.code, r.raw)
			}
			if r.code == 404 && strings.Contains(string(r.raw), catStr(c.draft, "title")) {
				t.Errorf("404 body leaks the draft's title: %s", r.raw)
			}
		}
		if got := catPolicies(t, s, officer, "status=POLICY_STATUS_DRAFT"); len(got) != 1 || catStr(got[0], "id") != catStr(xsDraft, "id") {
			t.Errorf("XIAOSHAN officer's drafts = %d, want only XIAOSHAN's", len(got))
		}
	})

	t.Run("create policy: bad input is 400 naming the field; nothing is stored", func(t *testing.T) {
		before := catTotal(t, s, admin, "/v1/policies")
		for _, c := range []struct {
			name   string
			edit   func(p map[string]any)
			field  string
			phrase string // in the field's description
		}{
			{"criterion with an unknown field", func(p map[string]any) { catCriterion(p, 0)["expression"] = "firm.export_value > 1" },
				"policy.criteria[0].expression", "undefined field 'export_value'"},
			{"criterion with a syntax error", func(p map[string]any) { catCriterion(p, 1)["expression"] = "facts.exporting &&" },
				"policy.criteria[1].expression", "Syntax error"},
			{"criterion that is not boolean", func(p map[string]any) { catCriterion(p, 0)["expression"] = "firm.name" },
				"policy.criteria[0].expression", "布尔"},
			{"criterion over the cost limit", func(p map[string]any) {
				catCriterion(p, 1)["expression"] = "firm.hs_codes.all(a, firm.target_markets.all(b, firm.needs.all(c, a + b != '')))"
			}, "policy.criteria[1].expression", "超过上限"},
			{"validity ending before it starts", func(p map[string]any) { p["validity"] = catWindow(365, -365) },
				"policy.validity.end_time", ""},
			{"application window ending before it starts", func(p map[string]any) { p["application_window"] = catWindow(30, 10) },
				"policy.application_window.end_time", ""},
			{"unknown district number", func(p map[string]any) {
				p["level"], p["districts"] = "POLICY_LEVEL_DISTRICT", []any{"DISTRICT_XIAOSHAN", 999}
			}, "policy.districts[1]", ""},
			{"unknown category number", func(p map[string]any) { p["categories"] = []any{"POLICY_CATEGORY_FUNDING", 77} },
				"policy.categories[1]", ""},
			{"district-level policy without districts", func(p map[string]any) { p["level"] = "POLICY_LEVEL_DISTRICT" },
				"policy.districts", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := catPolicyBody("跨境电商测试政策（错误输入）")
				c.edit(p)
				for _, validateOnly := range []bool{false, true} {
					path := "/v1/policies"
					if validateOnly {
						path += "?validate_only=true"
					}
					r := s.do(t, "POST", path, admin, p)
					want(t, r, 400)
					desc, ok := catViolation(r, c.field)
					if !ok {
						t.Errorf("violations %v lack %s: %s", r.violations(), c.field, r.raw)
					} else if !strings.Contains(desc, c.phrase) {
						t.Errorf("%s: %q lacks %q", c.field, desc, c.phrase)
					}
				}
			})
		}
		t.Run("unknown district name", func(t *testing.T) {
			p := catPolicyBody("跨境电商测试政策（错误输入）")
			p["level"], p["districts"] = "POLICY_LEVEL_DISTRICT", []string{"DISTRICT_ATLANTIS"}
			r := s.do(t, "POST", "/v1/policies", admin, p)
			want(t, r, 400)
			if v := r.violations(); !slices.ContainsFunc(v, func(f string) bool { return strings.Contains(f, "districts") }) {
				t.Errorf("violations %v do not name districts: %s", v, r.raw)
			}
		})
		r := s.do(t, "POST", "/v1/policies?validate_only=true", admin, catPolicyBody("跨境电商测试政策（仅校验）"))
		want(t, r, 200)
		if after := catTotal(t, s, admin, "/v1/policies"); after != before {
			t.Errorf("policies %v → %v after rejected and validate-only creates", before, after)
		}
	})

	var id, etag string
	t.Run("create a draft, edit it with its etag", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/policies", admin, catPolicyBody("跨境电商端到端测试扶持政策"))
		want(t, r, 200)
		id, etag = r.str("policy", "id"), r.str("policy", "etag")
		p := r.body["policy"].(map[string]any)
		if catStr(p, "status") != "POLICY_STATUS_DRAFT" || p["version"] != float64(1) || etag == "" {
			t.Errorf("created policy: %.300s", r.raw)
		}
		if ids := []string{catStr(catCriterion(p, 0), "id"), catStr(catCriterion(p, 1), "id")}; !slices.Equal(ids, []string{"c1", "c2"}) {
			t.Errorf("criterion ids = %v, want [c1 c2]", ids)
		}
		want(t, s.do(t, "GET", "/v1/policies/"+id, "", nil), 404)

		r = s.do(t, "PATCH", "/v1/policies/"+id, admin, map[string]any{"etag": etag, "summary": "修改后的摘要：已出单且出口额100万元以上的企业可获奖励。"})
		want(t, r, 200)
		if r.body["policy"].(map[string]any)["version"] != float64(2) || r.str("policy", "etag") == etag {
			t.Errorf("after PATCH: %.300s", r.raw)
		}
		stale := etag
		etag = r.str("policy", "etag")
		r = s.do(t, "PATCH", "/v1/policies/"+id, admin, map[string]any{"etag": stale, "summary": "过期的修改"})
		want(t, r, 409)
		r = s.do(t, "PATCH", "/v1/policies/"+id, admin, map[string]any{"summary": "没有etag的修改"})
		want(t, r, 400)
		if !slices.Contains(r.violations(), "policy.etag") {
			t.Errorf("PATCH without etag: violations %v", r.violations())
		}
		r = s.do(t, "PATCH", "/v1/policies/"+id, admin, map[string]any{"etag": etag, "status": "POLICY_STATUS_PUBLISHED"})
		want(t, r, 400)
		r = s.do(t, "GET", "/v1/policies/"+id, admin, nil)
		if r.str("policy", "etag") != etag || r.str("policy", "status") != "POLICY_STATUS_DRAFT" {
			t.Errorf("after refused PATCHes: %.300s", r.raw)
		}
	})

	t.Run("publishing a policy with no criteria is 400 naming policy.criteria", func(t *testing.T) {
		p := catPolicyBody("跨境电商测试政策（无申报条件）")
		delete(p, "criteria")
		r := s.do(t, "POST", "/v1/policies", admin, p)
		want(t, r, 200)
		bare := r.str("policy", "id")
		r = s.do(t, "POST", "/v1/policies/"+bare+":publish", admin, map[string]any{})
		want(t, r, 400)
		if !slices.Contains(r.violations(), "policy.criteria") {
			t.Errorf("violations %v lack policy.criteria: %s", r.violations(), r.raw)
		}
		if r := s.do(t, "GET", "/v1/policies/"+bare, admin, nil); r.str("policy", "status") != "POLICY_STATUS_DRAFT" {
			t.Errorf("after refused publish: %.200s", r.raw)
		}
		want(t, s.do(t, "GET", "/v1/policies/"+bare, "", nil), 404)
	})

	t.Run("publish, then edit: the published version stays readable", func(t *testing.T) {
		if id == "" {
			t.Skip("no policy created")
		}
		r := s.do(t, "POST", "/v1/policies/"+id+":publish", admin, map[string]any{"etag": etag, "note": "端到端测试发布"})
		want(t, r, 200)
		if r.str("policy", "status") != "POLICY_STATUS_PUBLISHED" || r.body["policy"].(map[string]any)["version"] != float64(3) {
			t.Fatalf("published: %.300s", r.raw)
		}
		etag = r.str("policy", "etag")
		want(t, s.do(t, "GET", "/v1/policies/"+id, "", nil), 200)
		// Already published: FAILED_PRECONDITION, which grpc-gateway
		// answers with HTTP 400.
		r = s.do(t, "POST", "/v1/policies/"+id+":publish", admin, map[string]any{})
		want(t, r, 400)
		if r.body["code"] != float64(9) {
			t.Errorf("publishing twice: code %v, want 9 (FAILED_PRECONDITION)", r.body["code"])
		}

		// Anonymous readers see the published history only; the admin
		// sees the drafts' versions too.
		if got := catVersions(t, s, "", id); !slices.Equal(got, []float64{3}) {
			t.Errorf("anonymous versions = %v, want [3]", got)
		}
		if got := catVersions(t, s, admin, id); !slices.Equal(got, []float64{3, 2, 1}) {
			t.Errorf("admin versions = %v, want [3 2 1]", got)
		}

		p := catPolicyBody("")
		catCriterion(p, 1)["id"], catCriterion(p, 0)["id"] = "c2", "c1"
		catCriterion(p, 1)["description"], catCriterion(p, 1)["expression"] = "上年出口额不低于200万元", "facts.annual_export_value_wan_yuan >= 200"
		r = s.do(t, "PATCH", "/v1/policies/"+id+"?change_note="+url.QueryEscape("提高出口额门槛"), admin, map[string]any{"etag": etag, "criteria": p["criteria"]})
		want(t, r, 200)
		if r.str("policy", "status") != "POLICY_STATUS_PUBLISHED" || r.body["policy"].(map[string]any)["version"] != float64(4) {
			t.Errorf("edited published policy: %.300s", r.raw)
		}
		etag = r.str("policy", "etag")
		if got := catVersions(t, s, "", id); !slices.Equal(got, []float64{4, 3}) {
			t.Errorf("anonymous versions after the edit = %v, want [4 3]", got)
		}
		for _, v := range []struct {
			n    int
			expr string
		}{{3, "facts.annual_export_value_wan_yuan >= 100"}, {4, "facts.annual_export_value_wan_yuan >= 200"}} {
			r := s.do(t, "GET", fmt.Sprintf("/v1/policies/%s/versions/%d", id, v.n), "", nil)
			want(t, r, 200)
			snap, _ := r.body["policy_version"].(map[string]any)["policy"].(map[string]any)
			if got := catStr(catCriterion(snap, 1), "expression"); got != v.expr {
				t.Errorf("version %d: criterion c2 = %q, want %q", v.n, got, v.expr)
			}
		}
		r = s.do(t, "GET", "/v1/policies/"+id+"/versions/4", "", nil)
		if r.str("policy_version", "note") != "提高出口额门槛" || r.str("policy_version", "change") != "POLICY_CHANGE_UPDATED" {
			t.Errorf("version 4: %.300s", r.raw)
		}
		want(t, s.do(t, "GET", "/v1/policies/"+id+"/versions/1", "", nil), 404)
		want(t, s.do(t, "GET", "/v1/policies/"+id+"/versions/1", admin, nil), 200)
		want(t, s.do(t, "GET", "/v1/policies/"+id+"/versions/9", admin, nil), 404)
	})

	t.Run("district officer writes only its district's district-level policies", func(t *testing.T) {
		p := catPolicyBody("萧山区端到端测试政策")
		p["level"], p["districts"] = "POLICY_LEVEL_DISTRICT", []string{"DISTRICT_XIAOSHAN"}
		r := s.do(t, "POST", "/v1/policies", officer, p)
		want(t, r, 200)
		own := r.str("policy", "id")
		want(t, s.do(t, "POST", "/v1/policies/"+own+":publish", officer, map[string]any{}), 200)
		p["districts"] = []string{"DISTRICT_XIHU"}
		want(t, s.do(t, "POST", "/v1/policies", officer, p), 403)
		delete(p, "districts")
		p["level"] = "POLICY_LEVEL_MUNICIPAL"
		want(t, s.do(t, "POST", "/v1/policies", officer, p), 403)
		if id != "" {
			r := s.do(t, "PATCH", "/v1/policies/"+id, officer, map[string]any{"etag": etag, "summary": "区县专员的修改"})
			want(t, r, 403)
		}
	})

	t.Run("evaluate a saved firm: verdicts, per-criterion results, unknowns", func(t *testing.T) {
		if id == "" {
			t.Skip("no policy created")
		}
		firm := map[string]any{
			"uscc": validUSCC("91330109", 991001), "name": "杭州萧山端到端测试羽绒制品有限公司",
			"district": "DISTRICT_XIAOSHAN", "industry": "INDUSTRY_DOWN_PRODUCTS", "main_products": "羽绒服、羽绒被",
			"stage":    "CROSS_BORDER_STAGE_FIRST_ORDER",
			"contacts": []map[string]string{{"name": "孙悦", "phone": "13800003333"}},
		}
		r := s.do(t, "POST", "/v1/firms", admin, firm)
		want(t, r, 200)
		fid := r.str("firm", "id")
		r = s.do(t, "POST", "/v1/accounts", admin, map[string]any{
			"account":  map[string]any{"username": "e2e-catalog-firm", "display_name": "孙悦", "role": "ROLE_FIRM_USER", "firm_id": fid},
			"password": "e2e-catalog-password",
		})
		want(t, r, 200)
		user := s.login(t, "e2e-catalog-firm", "e2e-catalog-password")

		open := map[string]bool{}
		for _, p := range catPolicies(t, s, "", "status=POLICY_STATUS_PUBLISHED") {
			open[catStr(p, "id")] = true
		}
		r = s.do(t, "POST", "/v1/policies:evaluate", user, map[string]any{"firm_id": fid, "policy_ids": []string{}, "page_size": 100})
		want(t, r, 200)
		evals := catList(r.body, "evaluations")
		if r.body["total_size"] != float64(len(open)) || len(evals) != len(open) {
			t.Errorf("evaluated %v policies (%d on the page), want every published one (%d)", r.body["total_size"], len(evals), len(open))
		}
		if len(catList(r.body, "verdict_counts")) == 0 || r.body["facts"] == nil {
			t.Errorf("no verdict counts or facts: %.300s", r.raw)
		}
		var mine map[string]any
		for _, e := range evals {
			if !open[catStr(e, "policy_id")] {
				t.Errorf("evaluated %s (%s), which is not published and in force", catStr(e, "policy_title"), catStr(e, "policy_id"))
			}
			if catStr(e, "firm_id") != fid || len(catList(e, "criteria")) == 0 || catStr(e, "verdict") == "" {
				t.Errorf("evaluation of %s: %v", catStr(e, "policy_title"), e)
			}
			if catStr(e, "policy_id") == id {
				mine = e
			}
		}
		if mine == nil {
			t.Fatalf("the published test policy %s is not evaluated", id)
		}
		catCheckLikely(t, mine)

		r = s.do(t, "POST", "/v1/policies:evaluate", user, map[string]any{"firm_id": fid, "policy_ids": []string{id}})
		want(t, r, 200)
		if evals := catList(r.body, "evaluations"); len(evals) != 1 || catStr(evals[0], "policy_id") != id {
			t.Errorf("evaluate by id: %.300s", r.raw)
		}

		// Another firm: the demo firm user's. The contract comment says
		// PERMISSION_DENIED (403) for a firm the caller may not read; the
		// service answers as the profiles service does, NOT_FOUND (404),
		// which is what issue 3 allows ("403/404") and what this test
		// expects. A firm that does not exist is 404 too.
		other := s.do(t, "GET", "/v1/me", s.login(t, "firm-user", demoPassword), nil).str("account", "firm_id")
		if other == "" || other == fid {
			t.Fatalf("demo firm user's firm = %q", other)
		}
		r = s.do(t, "POST", "/v1/policies:evaluate", user, map[string]any{"firm_id": other, "policy_ids": []string{}})
		want(t, r, 404)
		missing := fid[:len(fid)-1] + string("0123456789abcdefghjkmnpqrstvwxyz"[(strings.IndexByte("0123456789abcdefghjkmnpqrstvwxyz", fid[len(fid)-1])+1)%32])
		want(t, s.do(t, "POST", "/v1/policies:evaluate", admin, map[string]any{"firm_id": missing}), 404)
		want(t, s.do(t, "POST", "/v1/policies:evaluate", "", map[string]any{"firm_id": fid}), 401)

		// A draft named by id: its editors may try it, others get 404.
		drafts := catPolicies(t, s, admin, "status=POLICY_STATUS_DRAFT&district=DISTRICT_XIAOSHAN&level=POLICY_LEVEL_DISTRICT")
		xsDraft := catStr(catFind(t, drafts, "萧山区海外仓及海外展示中心建设补助（征求意见稿）"), "id")
		want(t, s.do(t, "POST", "/v1/policies:evaluate", user, map[string]any{"firm_id": fid, "policy_ids": []string{xsDraft}}), 404)
		want(t, s.do(t, "POST", "/v1/policies:evaluate", officer, map[string]any{"firm_id": fid, "policy_ids": []string{xsDraft}}), 200)
	})

	t.Run("anonymous quick check with an unsaved firm", func(t *testing.T) {
		if id == "" {
			t.Skip("no policy created")
		}
		quick := map[string]any{"district": "DISTRICT_XIAOSHAN", "industry": "INDUSTRY_DOWN_PRODUCTS", "stage": "CROSS_BORDER_STAGE_FIRST_ORDER"}
		r := s.do(t, "POST", "/v1/policies:evaluate", "", map[string]any{"firm": quick, "policy_ids": []string{id}})
		want(t, r, 200)
		evals := catList(r.body, "evaluations")
		if len(evals) != 1 {
			t.Fatalf("quick check: %.300s", r.raw)
		}
		if catStr(evals[0], "firm_id") != "" {
			t.Errorf("quick check names a firm: %v", evals[0])
		}
		catCheckLikely(t, evals[0])
		r = s.do(t, "POST", "/v1/policies:evaluate", "", map[string]any{"firm": quick, "page_size": 5})
		want(t, r, 200)
		if len(catList(r.body, "evaluations")) != 5 || r.str("next_page_token") == "" {
			t.Errorf("quick check against every published policy, page of 5: %.300s", r.raw)
		}
		want(t, s.do(t, "POST", "/v1/policies:evaluate", "", map[string]any{}), 400)
	})

	t.Run("belts: public reads, admin and officer writes", func(t *testing.T) {
		xs := catBelts(t, s, "", "district=DISTRICT_XIAOSHAN")
		if len(xs) < 3 {
			t.Errorf("XIAOSHAN has %d demo belts, want at least 3", len(xs))
		}
		for _, b := range xs {
			if catStr(b, "district") != "DISTRICT_XIAOSHAN" || catStr(b, "status") != "INDUSTRY_BELT_STATUS_PUBLISHED" {
				t.Errorf("district=XIAOSHAN lists %s (%v, %v)", catStr(b, "brand_name"), b["district"], b["status"])
			}
		}
		down := catFindBelt(t, xs, "萧山羽绒")
		r := s.do(t, "GET", "/v1/belts/"+catStr(down, "id"), "", nil)
		want(t, r, 200)
		if r.str("industry_belt", "brand_name") != "萧山羽绒" || len(catStrs(r.body["industry_belt"].(map[string]any), "hs_chapters")) == 0 {
			t.Errorf("GET belt: %.300s", r.raw)
		}
		xihu := catFindBelt(t, catBelts(t, s, "", "district=DISTRICT_XIHU"), "西湖龙井")
		want(t, s.do(t, "GET", "/v1/belts?district=999", "", nil), 400)

		belt := map[string]any{
			"district": "DISTRICT_XIAOSHAN", "industry": "INDUSTRY_BAGS_LUGGAGE", "brand_name": "萧山端到端箱包",
			"description": "端到端测试用的产业带。", "key_products": []string{"拉杆箱", "背包"},
			"hs_chapters": []string{"77"}, "target_markets": []string{"US"},
		}
		before := catTotal(t, s, admin, "/v1/belts")
		r = s.do(t, "POST", "/v1/belts", admin, belt)
		want(t, r, 400)
		if !slices.Contains(r.violations(), "industry_belt.hs_chapters[0]") {
			t.Errorf("HS chapter 77: violations %v", r.violations())
		}
		belt["hs_chapters"] = []string{"42"}
		belt["district"] = 999
		r = s.do(t, "POST", "/v1/belts", admin, belt)
		want(t, r, 400)
		if !slices.Contains(r.violations(), "industry_belt.district") {
			t.Errorf("district 999: violations %v", r.violations())
		}
		belt["district"] = "DISTRICT_XIAOSHAN"
		belt["brand_name"] = "萧山羽绒"
		r = s.do(t, "POST", "/v1/belts", admin, belt)
		want(t, r, 409)
		if after := catTotal(t, s, admin, "/v1/belts"); after != before {
			t.Errorf("belts %v → %v after rejected creates", before, after)
		}

		belt["brand_name"] = "萧山端到端箱包"
		want(t, s.do(t, "POST", "/v1/belts", s.login(t, "assoc-admin", demoPassword), belt), 403)
		belt["district"] = "DISTRICT_XIHU"
		want(t, s.do(t, "POST", "/v1/belts", officer, belt), 403)
		belt["district"] = "DISTRICT_XIAOSHAN"
		r = s.do(t, "POST", "/v1/belts", officer, belt)
		want(t, r, 200)
		bid, betag := r.str("industry_belt", "id"), r.str("industry_belt", "etag")
		if r.str("industry_belt", "status") != "INDUSTRY_BELT_STATUS_DRAFT" {
			t.Errorf("new belt: %.300s", r.raw)
		}
		want(t, s.do(t, "GET", "/v1/belts/"+bid, "", nil), 404)
		for _, b := range catBelts(t, s, "", "district=DISTRICT_XIAOSHAN") {
			if catStr(b, "id") == bid {
				t.Error("anonymous belt list shows the draft belt")
			}
		}

		r = s.do(t, "PATCH", "/v1/belts/"+bid, officer, map[string]any{
			"etag": betag, "status": "INDUSTRY_BELT_STATUS_PUBLISHED", "key_products": []string{"拉杆箱", "背包", "旅行收纳"},
		})
		want(t, r, 200)
		if r.str("industry_belt", "status") != "INDUSTRY_BELT_STATUS_PUBLISHED" || len(catStrs(r.body["industry_belt"].(map[string]any), "key_products")) != 3 {
			t.Errorf("PATCH belt: %.300s", r.raw)
		}
		want(t, s.do(t, "PATCH", "/v1/belts/"+bid, officer, map[string]any{"etag": betag, "description": "过期的修改"}), 409)
		want(t, s.do(t, "GET", "/v1/belts/"+bid, "", nil), 200)
		want(t, s.do(t, "PATCH", "/v1/belts/"+bid, officer, map[string]any{"etag": r.str("industry_belt", "etag"), "district": "DISTRICT_XIHU"}), 403)
		r = s.do(t, "GET", "/v1/belts/"+catStr(xihu, "id"), "", nil)
		want(t, s.do(t, "PATCH", "/v1/belts/"+catStr(xihu, "id"), officer, map[string]any{"etag": r.str("industry_belt", "etag"), "description": "越权修改"}), 403)
		r = s.do(t, "PATCH", "/v1/belts/"+catStr(xihu, "id"), admin, map[string]any{"etag": r.str("industry_belt", "etag"), "hs_chapters": []string{"09", "77"}})
		want(t, r, 400)
		if !slices.Contains(r.violations(), "industry_belt.hs_chapters[1]") {
			t.Errorf("PATCH with HS chapter 77: violations %v", r.violations())
		}
	})
}

// catCheckLikely checks the evaluation of the test policy for a firm at
// stage FIRST_ORDER without an export value: c1 (stage) passes with the
// firm's value beside it, c2 (export value) is unknown and names
// firm.annual_export_value_fen, so the verdict is LIKELY.
func catCheckLikely(t *testing.T, e map[string]any) {
	t.Helper()
	if catStr(e, "verdict") != "VERDICT_LIKELY" || catStr(e, "criteria_verdict") != "VERDICT_LIKELY" {
		t.Errorf("verdict = %v / %v, want LIKELY: %v", e["verdict"], e["criteria_verdict"], e)
	}
	crit := map[string]map[string]any{}
	for _, c := range catList(e, "criteria") {
		crit[catStr(c, "criterion_id")] = c
	}
	if c := crit["c1"]; catStr(c, "outcome") != "CRITERION_OUTCOME_PASS" || !strings.Contains(catStr(c, "firm_value"), "已出单") {
		t.Errorf("c1 = %v, want PASS with the firm's stage as firm_value", c)
	}
	c := crit["c2"]
	if catStr(c, "outcome") != "CRITERION_OUTCOME_UNKNOWN" || catStr(c, "firm_value") == "" {
		t.Errorf("c2 = %v, want UNKNOWN with a firm_value", c)
	}
	missing := func(m map[string]any) []string {
		var out []string
		for _, f := range catList(m, "missing_fields") {
			out = append(out, catStr(f, "path"))
		}
		return out
	}
	if got := missing(c); !slices.Equal(got, []string{"firm.annual_export_value_fen"}) {
		t.Errorf("c2 missing fields = %v, want [firm.annual_export_value_fen]", got)
	}
	if got := missing(e); !slices.Contains(got, "firm.annual_export_value_fen") {
		t.Errorf("evaluation missing fields = %v, want firm.annual_export_value_fen", got)
	}
}

// catPolicyBody is a complete, publishable municipal policy.
func catPolicyBody(title string) map[string]any {
	return map[string]any{
		"title": title, "issuer": "杭州市商务局", "level": "POLICY_LEVEL_MUNICIPAL",
		"categories": []string{"POLICY_CATEGORY_FUNDING"},
		"summary":    "已出单且上年出口额100万元以上的企业，可申请一次性奖励。",
		"full_text":  "第一条 为鼓励企业开展跨境电商出口，制定本办法。\n\n第二条 奖励标准……",
		"benefit":    map[string]any{"description": "一次性奖励5万元。", "max_amount_fen": "5000000"},
		"validity":   catWindow(-365, 365),
		"criteria": []any{
			map[string]any{"description": "已实现跨境电商出单", "expression": "firm.stage >= CrossBorderStage.CROSS_BORDER_STAGE_FIRST_ORDER"},
			map[string]any{"description": "上年出口额不低于100万元", "expression": "facts.annual_export_value_wan_yuan >= 100"},
		},
	}
}

// catWindow is a time window from now+startDays to now+endDays.
func catWindow(startDays, endDays int) map[string]string {
	now := time.Now().UTC()
	return map[string]string{
		"start_time": now.AddDate(0, 0, startDays).Format(time.RFC3339),
		"end_time":   now.AddDate(0, 0, endDays).Format(time.RFC3339),
	}
}

// catCriterion returns criterion i of a policy body or response.
func catCriterion(p map[string]any, i int) map[string]any {
	list, _ := p["criteria"].([]any)
	if i >= len(list) {
		return map[string]any{}
	}
	c, _ := list[i].(map[string]any)
	return c
}

// catViolation returns the description of the field violation naming field.
func catViolation(r response, field string) (string, bool) {
	details, _ := r.body["details"].([]any)
	for _, d := range details {
		dm, _ := d.(map[string]any)
		fvs, _ := dm["field_violations"].([]any)
		for _, fv := range fvs {
			if m, ok := fv.(map[string]any); ok && m["field"] == field {
				desc, _ := m["description"].(string)
				return desc, true
			}
		}
	}
	return "", false
}

// catPolicies lists every policy the token's caller sees for query.
func catPolicies(t *testing.T, s *stack, token, query string) []map[string]any {
	t.Helper()
	return catPages(t, s, token, "/v1/policies", query, "policies")
}

// catBelts lists every belt the token's caller sees for query.
func catBelts(t *testing.T, s *stack, token, query string) []map[string]any {
	t.Helper()
	return catPages(t, s, token, "/v1/belts", query, "industry_belts")
}

func catPages(t *testing.T, s *stack, token, path, query, key string) []map[string]any {
	t.Helper()
	var out []map[string]any
	pageToken := ""
	for range 100 {
		q := "page_size=100"
		if query != "" {
			q += "&" + query
		}
		if pageToken != "" {
			q += "&page_token=" + url.QueryEscape(pageToken)
		}
		r := s.do(t, "GET", path+"?"+q, token, nil)
		want(t, r, 200)
		out = append(out, catList(r.body, key)...)
		if pageToken = r.str("next_page_token"); pageToken == "" {
			return out
		}
	}
	t.Fatalf("%s?%s: paging did not end", path, query)
	return nil
}

// catTotal returns total_size of path as the token's caller sees it.
func catTotal(t *testing.T, s *stack, token, path string) float64 {
	t.Helper()
	r := s.do(t, "GET", path+"?page_size=1", token, nil)
	want(t, r, 200)
	n, _ := r.body["total_size"].(float64)
	return n
}

// catVersions returns the version numbers of a policy as the token's caller
// sees them, newest first.
func catVersions(t *testing.T, s *stack, token, id string) []float64 {
	t.Helper()
	r := s.do(t, "GET", "/v1/policies/"+id+"/versions", token, nil)
	want(t, r, 200)
	var out []float64
	for _, v := range catList(r.body, "versions") {
		n, _ := v["version"].(float64)
		out = append(out, n)
		if catStr(v, "status") == "POLICY_STATUS_DRAFT" && token == "" {
			t.Errorf("anonymous versions of %s include draft version %v", id, n)
		}
	}
	return out
}

func catFind(t *testing.T, list []map[string]any, title string) map[string]any {
	t.Helper()
	for _, p := range list {
		if catStr(p, "title") == title {
			return p
		}
	}
	t.Fatalf("no policy titled %q among %d", title, len(list))
	return nil
}

func catFindBelt(t *testing.T, list []map[string]any, brand string) map[string]any {
	t.Helper()
	for _, b := range list {
		if catStr(b, "brand_name") == brand {
			return b
		}
	}
	t.Fatalf("no belt %q among %d", brand, len(list))
	return nil
}

func catList(m map[string]any, key string) []map[string]any {
	raw, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, v := range raw {
		if mv, ok := v.(map[string]any); ok {
			out = append(out, mv)
		}
	}
	return out
}

func catStrs(m map[string]any, key string) []string {
	raw, _ := m[key].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func catStr(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}
