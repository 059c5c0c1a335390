package launcher_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/qihang-hz/qihang/deploy/local/demo"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/profiles/domain"
	"github.com/qihang-hz/qihang/services/profiles/sheets"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

const demoPassword = "qihang-demo"

func validUSCC(prefix string, n int) string {
	first := fmt.Sprintf("%s%0*d", prefix, 17-len(prefix), n)
	c, _ := uscc.CheckChar(first)
	return first + string(c)
}

func newAssociation(code string) map[string]any {
	return map[string]any{
		"uscc": code, "name": "杭州市测试跨境电商协会", "type": "ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION",
		"district": "DISTRICT_BINJIANG", "industries": []string{"INDUSTRY_DIGITAL_HARDWARE"},
		"cross_border_contact": map[string]string{"name": "赵敏", "phone": "13800005678"},
	}
}

func newFirm(code string) map[string]any {
	return map[string]any{
		"uscc": code, "name": "杭州测试数码科技有限公司", "district": "DISTRICT_BINJIANG",
		"industry": "INDUSTRY_DIGITAL_HARDWARE", "main_products": "智能插座、路由器",
		"hs_codes": []string{"851762"}, "stage": "CROSS_BORDER_STAGE_FIRST_STORE_OPENED",
		"platforms": []string{"SALES_PLATFORM_AMAZON"}, "target_markets": []string{"US", "DE"},
		"needs":    []string{"NEED_TAG_LOGISTICS"},
		"contacts": []map[string]string{{"name": "钱进", "title": "外贸经理", "phone": "13800001111", "email": "qian@example.com"}},
	}
}

// TestEndToEnd drives the running launcher (embedded store, services,
// gateway, demo data) over real HTTP the way clients would.
func TestEndToEnd(t *testing.T) {
	s := start(t, t.TempDir(), true)

	t.Run("health, readiness and OpenAPI", func(t *testing.T) {
		want(t, s.do(t, "GET", "/healthz", "", nil), 200)
		r := s.do(t, "GET", "/readyz", "", nil)
		want(t, r, 200)
		r = s.do(t, "GET", "/openapi.json", "", nil)
		want(t, r, 200)
		for _, path := range []string{`"/v1/firms/{id}"`, `"/v1/associations/{association_id}/firms:import"`, `"/v1/auth:login"`, `"/v1/policies:evaluate"`, `"/v1/events/{event_id}/registrations"`} {
			if !bytes.Contains(r.raw, []byte(path)) {
				t.Errorf("OpenAPI document lacks %s", path)
			}
		}
	})

	t.Run("authentication", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/auth:login", "", map[string]string{"username": "admin", "password": "wrong-password"})
		want(t, r, 401)
		if got := s.do(t, "POST", "/v1/auth:login", "", map[string]string{"username": "nobody", "password": "wrong-password"}); got.str("message") != r.str("message") {
			t.Errorf("unknown user and wrong password answer differently: %q vs %q", got.str("message"), r.str("message"))
		}
		want(t, s.do(t, "GET", "/v1/firms", "", nil), 401)
		r = s.do(t, "GET", "/v1/firms", "not.a.token", nil)
		want(t, r, 401)
		if c := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(c, "Bearer") {
			t.Errorf("WWW-Authenticate = %q", c)
		}
		want(t, s.do(t, "GET", "/v1/reference-data", "", nil), 200)
		tok := s.login(t, "admin", demoPassword)
		r = s.do(t, "GET", "/v1/me", tok, nil)
		want(t, r, 200)
		if r.str("account", "role") != "ROLE_BUREAU_ADMIN" {
			t.Errorf("me = %s", r.raw)
		}
	})

	admin := s.login(t, "admin", demoPassword)

	t.Run("reference data lists the 13 districts with Chinese labels", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/reference-data", "", nil)
		want(t, r, 200)
		if !bytes.Contains(r.raw, []byte("萧山区")) || !bytes.Contains(r.raw, []byte("DISTRICT_JIANDE")) {
			t.Errorf("reference data lacks districts: %.300s", r.raw)
		}
	})

	assocCode := validUSCC("51330108", 4242)
	var assocID string
	t.Run("create association: bad input, success, duplicate", func(t *testing.T) {
		bad := newAssociation(assocCode[:17] + "0")
		if assocCode[17] == '0' {
			bad = newAssociation(assocCode[:17] + "1")
		}
		r := s.do(t, "POST", "/v1/associations", admin, bad)
		want(t, r, 400)
		if v := r.violations(); !slices.Contains(v, "association.uscc") {
			t.Errorf("violations = %v, want association.uscc", v)
		}
		enumBad := newAssociation(assocCode)
		enumBad["district"] = "DISTRICT_ATLANTIS"
		r = s.do(t, "POST", "/v1/associations", admin, enumBad)
		want(t, r, 400)
		if v := r.violations(); len(v) != 1 || v[0] != "district" {
			t.Errorf("unknown district name: violations = %v (%s)", v, r.raw)
		}
		r = s.do(t, "POST", "/v1/associations", admin, newAssociation(assocCode))
		want(t, r, 200)
		assocID = r.str("association", "id")
		if got := r.str("association", "cross_border_contact", "phone"); got != "138****5678" {
			t.Errorf("contact phone = %q, want masked", got)
		}
		r = s.do(t, "POST", "/v1/associations", admin, newAssociation(assocCode))
		want(t, r, 409)
		if r.body["code"].(float64) != 6 {
			t.Errorf("duplicate USCC code = %v, want 6 (ALREADY_EXISTS)", r.body["code"])
		}
	})

	firmCode := validUSCC("91330108", 777001)
	var firmID, etag string
	t.Run("create firm: bad HS code, unknown platform, success", func(t *testing.T) {
		f := newFirm(firmCode)
		f["hs_codes"] = []string{"85176"}
		f["platforms"] = []int{999}
		r := s.do(t, "POST", "/v1/associations/"+assocID+"/firms", admin, f)
		want(t, r, 400)
		v := r.violations()
		for _, field := range []string{"firm.hs_codes[0]", "firm.platforms[0]"} {
			if !slices.Contains(v, field) {
				t.Errorf("violations %v lack %s", v, field)
			}
		}
		r = s.do(t, "POST", "/v1/associations/"+assocID+"/firms", admin, newFirm(firmCode))
		want(t, r, 200)
		firmID, etag = r.str("firm", "id"), r.str("firm", "etag")
		if r.str("firm", "memberships") != "" {
			t.Errorf("memberships decoded oddly")
		}
	})

	t.Run("read masks contacts; reveal is whole and audited", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/firms/"+firmID, admin, nil)
		want(t, r, 200)
		if !bytes.Contains(r.raw, []byte(`"138****1111"`)) || bytes.Contains(r.raw, []byte("13800001111")) {
			t.Errorf("firm read leaks or misses the masked phone: %s", r.raw)
		}
		r = s.do(t, "POST", "/v1/firms/"+firmID+":revealContacts", admin, map[string]string{"reason": "回访"})
		want(t, r, 200)
		if !bytes.Contains(r.raw, []byte("13800001111")) {
			t.Errorf("reveal = %s", r.raw)
		}
		r = s.do(t, "GET", "/v1/audit-records?object_id="+firmID, admin, nil)
		want(t, r, 200)
		if !bytes.Contains(r.raw, []byte("firm.reveal_contacts")) || !bytes.Contains(r.raw, []byte("firm.create")) {
			t.Errorf("audit log lacks create/reveal: %s", r.raw)
		}
	})

	t.Run("optimistic concurrency: stale etag is 409 and loses nothing", func(t *testing.T) {
		r := s.do(t, "PATCH", "/v1/firms/"+firmID, admin, map[string]any{"etag": etag, "main_products": "智能插座"})
		want(t, r, 200)
		newEtag := r.str("firm", "etag")
		r = s.do(t, "PATCH", "/v1/firms/"+firmID, admin, map[string]any{"etag": etag, "main_products": "过期的修改"})
		want(t, r, 409)
		if r.body["code"].(float64) != 10 {
			t.Errorf("stale etag code = %v, want 10 (ABORTED)", r.body["code"])
		}
		r = s.do(t, "GET", "/v1/firms/"+firmID, admin, nil)
		if r.str("firm", "main_products") != "智能插座" || r.str("firm", "etag") != newEtag {
			t.Errorf("after stale update: %s", r.raw)
		}
		r = s.do(t, "PATCH", "/v1/firms/"+firmID, admin, map[string]any{"main_products": "无etag"})
		want(t, r, 400)
		if !slices.Contains(r.violations(), "firm.etag") {
			t.Errorf("missing etag: violations %v", r.violations())
		}
	})

	t.Run("limits: page size, body size, unknown routes", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/firms?page_size=101", admin, nil)
		want(t, r, 400)
		if !slices.Contains(r.violations(), "page_size") {
			t.Errorf("violations %v", r.violations())
		}
		r = s.do(t, "GET", "/v1/firms?page_size=abc", admin, nil)
		want(t, r, 400)
		big := newFirm(validUSCC("91330108", 777002))
		big["main_products"] = strings.Repeat("大", 1<<20)
		r = s.do(t, "POST", "/v1/associations/"+assocID+"/firms", admin, big)
		want(t, r, 413)
		want(t, s.do(t, "GET", "/v1/nothing-here", admin, nil), 404)
	})

	t.Run("association admin sees only its own members", func(t *testing.T) {
		tok := s.login(t, "assoc-admin", demoPassword)
		r := s.do(t, "GET", "/v1/firms/"+firmID, tok, nil)
		want(t, r, 404)
		if bytes.Contains(r.raw, []byte("杭州测试数码")) {
			t.Errorf("404 body leaks the firm: %s", r.raw)
		}
		me := s.do(t, "GET", "/v1/me", tok, nil)
		own := me.str("account", "association_id")
		r = s.do(t, "GET", "/v1/firms?page_size=100", tok, nil)
		want(t, r, 200)
		firms, _ := r.body["firms"].([]any)
		if len(firms) == 0 {
			t.Fatal("association admin sees no members")
		}
		for _, f := range firms {
			ms := f.(map[string]any)["memberships"].([]any)
			member := false
			for _, m := range ms {
				member = member || m.(map[string]any)["association_id"] == own
			}
			if !member {
				t.Errorf("association admin sees a non-member: %v", f.(map[string]any)["name"])
			}
		}
		want(t, s.do(t, "GET", "/v1/associations/"+assocID+"/firms", tok, nil), 403)
		want(t, s.do(t, "POST", "/v1/associations/"+assocID+"/firms", tok, newFirm(validUSCC("91330108", 777003))), 403)
	})

	t.Run("import: bad rows reported, valid rows saved, re-import changes nothing", func(t *testing.T) {
		var firms []*domain.Firm
		for i := range 20 {
			firms = append(firms, &domain.Firm{
				USCC: validUSCC("91330108", 880000+i), Name: fmt.Sprintf("杭州导入测试%02d有限公司", i),
				District: commonv1.District_DISTRICT_BINJIANG, Industry: commonv1.Industry_INDUSTRY_DIGITAL_HARDWARE,
				HSCodes: []string{"851762"}, TargetMarkets: []string{"US"},
				Contacts: []domain.Contact{{Name: "测试", Phone: "13800002222"}},
			})
		}
		firms[3].HSCodes = []string{"12"}
		firms[7].USCC = firms[7].USCC[:17] + "I"
		var buf bytes.Buffer
		if err := sheets.WriteFirms(&buf, firms, sheets.ExportOptions{RevealContacts: true}); err != nil {
			t.Fatal(err)
		}
		path := "/v1/associations/" + assocID + "/firms:import"
		r := s.do(t, "POST", path, admin, buf.Bytes(), "Content-Type", sheets.ContentTypeXLSX)
		want(t, r, 200)
		if r.body["created"].(float64) != 18 || r.body["failed"].(float64) != 2 {
			t.Fatalf("import report: %s", r.raw)
		}
		rows := r.body["rows"].([]any)
		gotRows := []float64{rows[0].(map[string]any)["row"].(float64), rows[1].(map[string]any)["row"].(float64)}
		if !slices.Equal(gotRows, []float64{5, 9}) {
			t.Errorf("failed rows = %v, want spreadsheet rows 5 and 9", gotRows)
		}
		cols := fmt.Sprint(rows[0].(map[string]any)["errors"], rows[1].(map[string]any)["errors"])
		if !strings.Contains(cols, "HS编码") || !strings.Contains(cols, "统一社会信用代码") {
			t.Errorf("row errors do not name the columns: %s", cols)
		}
		r = s.do(t, "POST", path, admin, buf.Bytes(), "Content-Type", sheets.ContentTypeXLSX)
		want(t, r, 200)
		if r.body["unchanged"].(float64) != 18 || r.body["created"] != nil || r.body["updated"] != nil {
			t.Errorf("re-import changed something: %s", r.raw)
		}
		r = s.do(t, "POST", path, admin, []byte("统一社会信用代码,名字\n1,2\n"), "Content-Type", "text/csv")
		want(t, r, 400)
		if !slices.Contains(r.violations(), "content") {
			t.Errorf("wrong headers: %s", r.raw)
		}
	})

	t.Run("template and export download as files and parse back", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/firms:importTemplate", "", nil)
		want(t, r, 200)
		if ct := r.header.Get("Content-Type"); ct != sheets.ContentTypeXLSX {
			t.Errorf("template Content-Type = %q", ct)
		}
		if !strings.Contains(r.header.Get("Content-Disposition"), "filename*=UTF-8''") {
			t.Errorf("Content-Disposition = %q", r.header.Get("Content-Disposition"))
		}
		r = s.do(t, "GET", "/v1/associations/"+assocID+"/firms:export", admin, nil)
		want(t, r, 200)
		parsed, err := sheets.ParseFirms(r.raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(parsed.Rows) != 19 { // one created by hand, 18 imported
			t.Errorf("export has %d rows, want 19", len(parsed.Rows))
		}
		r = s.do(t, "GET", "/v1/associations/"+assocID+"/firms:export", admin, nil, "Accept", "application/json")
		want(t, r, 200)
		if r.str("file", "name") != sheets.ExportFileName {
			t.Errorf("JSON export = %.200s", r.raw)
		}
	})

	t.Run("demo accounts can all sign in", func(t *testing.T) {
		for _, a := range demo.Accounts() {
			s.login(t, a.Username, demoPassword)
		}
	})
}

// TestRestartKeepsData stops the launcher and starts it again on the same
// data directory: what was written is still there and the demo data is not
// loaded twice.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, true)
	admin := s.login(t, "admin", demoPassword)
	code := validUSCC("91330108", 990001)
	r := s.do(t, "POST", "/v1/firms", admin, newFirm(code))
	want(t, r, 200)
	id := r.str("firm", "id")
	before := s.do(t, "GET", "/v1/firms?page_size=1", admin, nil).body["total_size"]
	s.stop()

	s = start(t, dir, true)
	admin = s.login(t, "admin", demoPassword) // the signing key survived too
	r = s.do(t, "GET", "/v1/firms/"+id, admin, nil)
	want(t, r, 200)
	if r.str("firm", "uscc") != code {
		t.Errorf("firm after restart: %s", r.raw)
	}
	if after := s.do(t, "GET", "/v1/firms?page_size=1", admin, nil).body["total_size"]; after != before {
		t.Errorf("firm count changed across restart: %v → %v", before, after)
	}
}
