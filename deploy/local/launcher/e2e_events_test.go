package launcher_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestEventsEndToEnd drives the events service over real HTTP through the
// gateway, started as `go run ./deploy/local` starts it with demo data: the
// demo events are listed to anonymous callers, an organiser creates and
// publishes an event, a firm registers, the organiser checks it in by code
// (and a reused code is refused), the demo matchmaking meeting is scheduled
// and its grid read, an outcome is recorded and the ledger exported; two
// firms apply for the last booth of a new expo and only one is granted; the
// demo training's certificates and feedback (with its average) are read, and
// bad feedback is refused field by field.
func TestEventsEndToEnd(t *testing.T) {
	s := start(t, t.TempDir(), true)
	admin := s.login(t, "admin", demoPassword)
	firm := s.login(t, "firm-user", demoPassword)

	list := s.do(t, http.MethodGet, "/v1/events?page_size=100", "", nil)
	want(t, list, http.StatusOK)
	events, _ := list.body["events"].([]any)
	if len(events) < 6 {
		t.Fatalf("anonymous sees %d demo events, want at least 6: %s", len(events), list.raw)
	}
	for _, e := range events {
		if e.(map[string]any)["status"] == "EVENT_STATUS_DRAFT" {
			t.Errorf("anonymous sees a draft: %v", e)
		}
	}

	now := time.Now().UTC()
	created := s.do(t, http.MethodPost, "/v1/events", admin, map[string]any{
		"kind": "EVENT_KIND_TRAINING", "title": "端到端测试培训", "organiser": "杭州市商务局", "venue": "线上",
		"start_time": now.Add(time.Hour).Format(time.RFC3339), "end_time": now.Add(3 * time.Hour).Format(time.RFC3339),
		"audience": "EVENT_AUDIENCE_ASSOCIATIONS_AND_FIRMS", "registration_mode": "REGISTRATION_MODE_OPEN", "capacity": 1,
		"sessions": []map[string]any{{"title": "第一课", "start_time": now.Add(time.Hour).Format(time.RFC3339), "end_time": now.Add(2 * time.Hour).Format(time.RFC3339)}},
	})
	want(t, created, http.StatusOK)
	id := created.str("event", "id")
	want(t, s.do(t, http.MethodPost, "/v1/events/"+id+":publish", admin, map[string]any{}), http.StatusOK)

	reg := s.do(t, http.MethodPost, "/v1/events/"+id+"/registrations", firm, map[string]any{"attendee": map[string]any{"name": "赵强", "phone": "13912340000"}})
	want(t, reg, http.StatusOK)
	if reg.str("registration", "status") != "REGISTRATION_STATUS_CONFIRMED" || reg.str("registration", "check_in_code") == "" {
		t.Fatalf("registration: %s", reg.raw)
	}
	// The event is full and has no waiting list: 429.
	full := s.do(t, http.MethodPost, "/v1/events/"+id+"/registrations", firm, map[string]any{"attendee": map[string]any{"name": "钱亮", "phone": "13912340001"}})
	want(t, full, http.StatusTooManyRequests)
	regID, code := reg.str("registration", "id"), reg.str("registration", "check_in_code")
	want(t, s.do(t, http.MethodPost, fmt.Sprintf("/v1/events/%s/registrations/%s:checkIn", id, regID), admin, map[string]any{"code": "AAAA2222"}), http.StatusBadRequest)
	want(t, s.do(t, http.MethodPost, fmt.Sprintf("/v1/events/%s/registrations/%s:checkIn", id, regID), admin, map[string]any{"code": code}), http.StatusOK)
	want(t, s.do(t, http.MethodPost, fmt.Sprintf("/v1/events/%s/registrations/%s:checkIn", id, regID), admin, map[string]any{"code": code}), http.StatusConflict)
	want(t, s.do(t, http.MethodDelete, fmt.Sprintf("/v1/events/%s/registrations/%s", id, regID), firm, nil), http.StatusOK)

	// The demo matchmaking meeting is ready to schedule.
	mm := s.do(t, http.MethodGet, "/v1/events?kind=EVENT_KIND_MATCHMAKING", "", nil)
	want(t, mm, http.StatusOK)
	mmEvents, _ := mm.body["events"].([]any)
	if len(mmEvents) == 0 {
		t.Fatalf("no demo matchmaking event: %s", mm.raw)
	}
	mmID := mmEvents[0].(map[string]any)["id"].(string)
	run := s.do(t, http.MethodPost, "/v1/events/"+mmID+":schedule", admin, map[string]any{"seed": 11})
	want(t, run, http.StatusOK)
	sc, _ := run.body["schedule"].(map[string]any)
	lastRun, _ := sc["last_run"].(map[string]any)
	verification, _ := lastRun["verification"].(map[string]any)
	if verification["valid"] != true || sc["placed_count"] == nil {
		t.Fatalf("schedule run: %s", run.raw)
	}
	grid := s.do(t, http.MethodGet, "/v1/events/"+mmID+"/schedule", admin, nil)
	want(t, grid, http.StatusOK)
	want(t, s.do(t, http.MethodGet, "/v1/events/"+mmID+"/schedule", firm, nil), http.StatusForbidden)

	// The outcomes ledger across events, exported.
	ledger := s.do(t, http.MethodGet, "/v1/events/-/outcomes", admin, nil)
	want(t, ledger, http.StatusOK)
	totals, _ := ledger.body["totals"].(map[string]any)
	if totals["contract_value_fen"] == nil {
		t.Errorf("ledger without contract value: %s", ledger.raw)
	}
	exp := s.do(t, http.MethodGet, "/v1/events/-/outcomes:export", admin, nil)
	want(t, exp, http.StatusOK)
	// The gateway serves files as downloads (the bytes themselves).
	content := exp.raw
	if file, ok := exp.body["file"].(map[string]any); ok {
		content, _ = base64.StdEncoding.DecodeString(fmt.Sprint(file["content"]))
	}
	if len(content) < 100 || string(content[:2]) != "PK" {
		t.Errorf("export is not an .xlsx: %d bytes", len(content))
	}

	// Booths: an expo with one booth; two firms apply, one is granted it.
	firm2 := s.login(t, "firm-user2", demoPassword)
	expo := s.do(t, http.MethodPost, "/v1/events", admin, map[string]any{
		"kind": "EVENT_KIND_EXPO", "title": "端到端测试展会", "organiser": "杭州市商务局", "venue": "杭州国际博览中心",
		"start_time": now.Add(24 * time.Hour).Format(time.RFC3339), "end_time": now.Add(30 * time.Hour).Format(time.RFC3339),
		"audience": "EVENT_AUDIENCE_FIRMS", "registration_mode": "REGISTRATION_MODE_OPEN", "booth_count": 1,
	})
	want(t, expo, http.StatusOK)
	expoID := expo.str("event", "id")
	want(t, s.do(t, http.MethodPost, "/v1/events/"+expoID+":publish", admin, map[string]any{}), http.StatusOK)
	var apps []string
	for i, tok := range []string{firm, firm2} {
		app := s.do(t, http.MethodPost, "/v1/events/"+expoID+"/booth-applications", tok, map[string]any{
			"exhibits": "羽绒服", "booths_requested": 1, "contact": map[string]any{"name": "何伟", "phone": fmt.Sprintf("1391234111%d", i)}})
		want(t, app, http.StatusOK)
		if app.str("booth_application", "status") != "BOOTH_APPLICATION_STATUS_SUBMITTED" {
			t.Fatalf("booth application: %s", app.raw)
		}
		apps = append(apps, app.str("booth_application", "id"))
	}
	bad := s.do(t, http.MethodPost, "/v1/events/"+expoID+"/booth-applications", firm, map[string]any{"booths_requested": 20})
	want(t, bad, http.StatusBadRequest)
	if v := strings.Join(bad.violations(), ","); !strings.Contains(v, "booth_application.booths_requested") || !strings.Contains(v, "booth_application.exhibits") {
		t.Errorf("bad booth application violations: %s", v)
	}
	approve := func(id, number string) response {
		return s.do(t, http.MethodPost, fmt.Sprintf("/v1/events/%s/booth-applications/%s:approve", expoID, id), admin, map[string]any{"booth_numbers": []string{number}})
	}
	want(t, approve(apps[0], "1B-101"), http.StatusOK)
	want(t, approve(apps[1], "1B-102"), http.StatusTooManyRequests)
	want(t, s.do(t, http.MethodPost, fmt.Sprintf("/v1/events/%s/booth-applications/%s:approve", expoID, apps[0]), firm, map[string]any{}), http.StatusForbidden)
	mine := s.do(t, http.MethodGet, "/v1/events/"+expoID+"/booth-applications", firm2, nil)
	want(t, mine, http.StatusOK)
	if list, _ := mine.body["booth_applications"].([]any); len(list) != 1 {
		t.Errorf("firm-user2 sees %d booth applications, want its own 1: %s", len(list), mine.raw)
	}
	ev := s.do(t, http.MethodGet, "/v1/events/"+expoID, "", nil)
	if n, _ := ev.body["event"].(map[string]any)["booths_granted"].(float64); n != 1 {
		t.Errorf("expo booths_granted: %s", ev.raw)
	}

	// The demo training ended twelve days ago: certificates and feedback.
	tr := s.do(t, http.MethodGet, "/v1/events?kind=EVENT_KIND_TRAINING&title_contains="+url.QueryEscape("精英人才培训班"), "", nil)
	want(t, tr, http.StatusOK)
	trEvents, _ := tr.body["events"].([]any)
	if len(trEvents) == 0 {
		t.Fatalf("no demo training: %s", tr.raw)
	}
	trID := trEvents[0].(map[string]any)["id"].(string)
	certs := s.do(t, http.MethodGet, "/v1/events/"+trID+"/certificates", admin, nil)
	want(t, certs, http.StatusOK)
	certList, _ := certs.body["certificates"].([]any)
	if len(certList) < 1 || !strings.HasPrefix(fmt.Sprint(certList[0].(map[string]any)["number"]), "QH-") {
		t.Errorf("demo certificates: %s", certs.raw)
	}
	reissue := s.do(t, http.MethodPost, "/v1/events/"+trID+"/certificates:issue", admin, map[string]any{})
	want(t, reissue, http.StatusOK)
	if got, _ := reissue.body["certificates"].([]any); len(got) != 0 {
		t.Errorf("re-issuing issued again: %s", reissue.raw)
	}
	fb := s.do(t, http.MethodGet, "/v1/events/"+trID+"/feedback", admin, nil)
	want(t, fb, http.StatusOK)
	if avg, _ := fb.body["average_rating"].(float64); avg < 1 || avg > 5 {
		t.Errorf("demo feedback without an average: %s", fb.raw)
	}
	badFb := s.do(t, http.MethodPost, "/v1/events/"+trID+"/feedback", firm, map[string]any{"rating": 9})
	want(t, badFb, http.StatusBadRequest)
	if v := strings.Join(badFb.violations(), ","); !strings.Contains(v, "feedback.rating") || !strings.Contains(v, "feedback.registration_id") {
		t.Errorf("bad feedback violations: %s", v)
	}
}
