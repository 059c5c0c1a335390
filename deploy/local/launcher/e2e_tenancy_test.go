package launcher_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"testing"
)

// TestEndToEndTenancyAndImportRules covers the rules that keep one
// association's hands off another's firms, and the import edge cases around
// them, over real HTTP.
func TestEndToEndTenancyAndImportRules(t *testing.T) {
	s := start(t, t.TempDir(), true)
	admin := s.login(t, "admin", demoPassword)
	a1 := s.login(t, "assoc-admin", demoPassword)
	a2 := s.login(t, "assoc-admin2", demoPassword)
	own1 := s.do(t, "GET", "/v1/me", a1, nil).str("account", "association_id")
	own2 := s.do(t, "GET", "/v1/me", a2, nil).str("account", "association_id")

	// A firm association 2 registered.
	r := s.do(t, "GET", "/v1/associations/"+own2+"/firms?page_size=1", admin, nil)
	want(t, r, 200)
	f2 := r.body["firms"].([]any)[0].(map[string]any)
	f2ID, f2USCC := f2["id"].(string), f2["uscc"].(string)
	f2Stage := f2["stage"]

	t.Run("adding another association's firm by USCC gives a read-only, masked view", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/associations/"+own1+"/memberships", a1, map[string]string{"firm_uscc": f2USCC})
		want(t, r, 200)
		r = s.do(t, "GET", "/v1/firms/"+f2ID, a1, nil)
		want(t, r, 200)
		if !bytes.Contains(r.raw, []byte(`"masked":true`)) {
			t.Errorf("linked firm read without masking: %.300s", r.raw)
		}
		for _, m := range r.body["firm"].(map[string]any)["memberships"].([]any) {
			mm := m.(map[string]any)
			if here, _ := mm["registered_here"].(bool); here != (mm["association_id"] == own2) {
				t.Errorf("registered_here wrong on %v", mm)
			}
		}
		want(t, s.do(t, "POST", "/v1/firms/"+f2ID+":revealContacts", a1, map[string]string{"reason": "探测"}), 403)
		etag := r.str("firm", "etag")
		want(t, s.do(t, "PATCH", "/v1/firms/"+f2ID, a1, map[string]any{"etag": etag, "main_products": "改写"}), 403)
		want(t, s.do(t, "POST", "/v1/accounts", a1, map[string]any{
			"account": map[string]any{"username": "takeover1", "role": "ROLE_FIRM_USER", "firm_id": f2ID}, "password": "takeover-pass-1",
		}), 403)
		// The registering association still keeps the profile.
		want(t, s.do(t, "POST", "/v1/firms/"+f2ID+":revealContacts", a2, map[string]string{"reason": "回访"}), 200)
	})

	t.Run("re-importing a firm another association keeps never changes its profile", func(t *testing.T) {
		csv := fmt.Sprintf("统一社会信用代码,企业名称,所在区县,所属行业,跨境电商阶段\n%s,%s,桐庐县,制笔文具,尚未开展\n", f2USCC, f2["name"])
		path := "/v1/associations/" + own1 + "/firms:import"
		for round := range 2 {
			r := s.do(t, "POST", path, a1, []byte(csv), "Content-Type", "text/csv")
			want(t, r, 200)
			if r.body["unchanged"] != float64(1) {
				t.Errorf("round %d: %s", round, r.raw)
			}
		}
		r := s.do(t, "GET", "/v1/firms/"+f2ID, admin, nil)
		if got := r.body["firm"].(map[string]any)["stage"]; got != f2Stage {
			t.Errorf("stage changed by another association's import: %v → %v", f2Stage, got)
		}
	})

	t.Run("an import with some contact columns keeps the rest of the contact", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/associations/"+own1+"/firms?page_size=1", admin, nil)
		f1 := r.body["firms"].([]any)[0].(map[string]any)
		id := f1["id"].(string)
		before := s.do(t, "POST", "/v1/firms/"+id+":revealContacts", admin, map[string]string{"reason": "测试"})
		phone := before.body["contacts"].([]any)[0].(map[string]any)["phone"].(string)
		csv := fmt.Sprintf("统一社会信用代码,企业名称,所在区县,所属行业,联系人,邮箱\n%s,%s,%s,%s,张三,zhang@example.com\n",
			f1["uscc"], f1["name"], "萧山区", "羽绒制品")
		r = s.do(t, "POST", "/v1/associations/"+own1+"/firms:import", a1, []byte(csv), "Content-Type", "text/csv")
		want(t, r, 200)
		after := s.do(t, "POST", "/v1/firms/"+id+":revealContacts", admin, map[string]string{"reason": "测试"})
		c := after.body["contacts"].([]any)[0].(map[string]any)
		if c["name"] != "张三" || c["email"] != "zhang@example.com" || c["phone"] != phone {
			t.Errorf("contact after import = %v, want 张三 / zhang@example.com with phone %s kept", c, phone)
		}
	})

	t.Run("an export with contacts audits a reveal per firm, whole only where allowed", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/associations/"+own1+"/firms:export?reveal_contacts=true", a1, nil)
		want(t, r, 200)
		if len(r.raw) == 0 {
			t.Fatal("empty export")
		}
		r = s.do(t, "GET", "/v1/audit-records?page_size=100&object_type=firm", a1, nil)
		want(t, r, 200)
		reveals := 0
		for _, rec := range r.body["records"].([]any) {
			m := rec.(map[string]any)
			if m["action"] != "firm.reveal_contacts" || m["detail"] != "导出名单时查看完整联系方式" {
				continue
			}
			reveals++
			if m["object_id"] == f2ID {
				t.Error("the linked firm's contacts were revealed in the export")
			}
		}
		if reveals < 2 {
			t.Errorf("export with contacts left %d reveal records", reveals)
		}
	})

	t.Run("page 2 of a list filtered by joined_programme", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/associations?page_size=5&joined_programme=true", admin, nil)
		want(t, r, 200)
		next := r.str("next_page_token")
		if next == "" {
			t.Fatal("no second page")
		}
		want(t, s.do(t, "GET", "/v1/associations?page_size=5&joined_programme=true&page_token="+next, admin, nil), 200)
	})

	t.Run("uploads: no token is 401 before reading, too large is 413", func(t *testing.T) {
		path := "/v1/associations/" + own1 + "/firms:import"
		want(t, s.do(t, "POST", path, "", []byte("a,b\n"), "Content-Type", "text/csv"), 401)
		big := bytes.Repeat([]byte("x"), 21<<20)
		want(t, s.do(t, "POST", path, a1, big, "Content-Type", "text/csv"), 413)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "big.csv")
		_, _ = fw.Write(big)
		_ = mw.Close()
		want(t, s.do(t, "POST", path, a1, body.Bytes(), "Content-Type", mw.FormDataContentType()), 413)
	})

	t.Run("repeated wrong passwords lock the username for a while", func(t *testing.T) {
		for range 5 {
			want(t, s.do(t, "POST", "/v1/auth:login", "", map[string]string{"username": "firm-user2", "password": "wrong-password"}), 401)
		}
		r := s.do(t, "POST", "/v1/auth:login", "", map[string]string{"username": "firm-user2", "password": demoPassword})
		want(t, r, 429)
		// Unknown usernames are limited the same way.
		for range 5 {
			s.do(t, "POST", "/v1/auth:login", "", map[string]string{"username": "nobody-at-all", "password": "wrong-password"})
		}
		want(t, s.do(t, "POST", "/v1/auth:login", "", map[string]string{"username": "nobody-at-all", "password": "wrong-password"}), 429)
	})
}
