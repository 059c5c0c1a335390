package launcher_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func consultList(m map[string]any, key string) []map[string]any {
	raw, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, x := range raw {
		if mm, ok := x.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}

func consultStr(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// TestEndToEndConsult drives the consultation flow of every role through
// the running launcher over real HTTP, on the demo data.
func TestEndToEndConsult(t *testing.T) {
	s := start(t, t.TempDir(), true)
	admin := s.login(t, "admin", demoPassword)
	officer := s.login(t, "xiaoshan", demoPassword)
	assoc := s.login(t, "assoc-admin", demoPassword)
	firm := s.login(t, "firm-user", demoPassword)
	firm2 := s.login(t, "firm-user2", demoPassword)
	expert := s.login(t, "expert", demoPassword)

	me := s.do(t, "GET", "/v1/me", firm, nil)
	want(t, me, 200)
	firmID := consultStr(me.body["account"].(map[string]any), "firm_id")

	t.Run("demo data: experts, open slots, every lifecycle state", func(t *testing.T) {
		want(t, s.do(t, "GET", "/v1/experts", "", nil), 401)
		r := s.do(t, "GET", "/v1/experts?need=NEED_TAG_PLATFORM_ONBOARDING&page_size=100", firm, nil)
		want(t, r, 200)
		var ids []string
		for _, e := range consultList(r.body, "experts") {
			ids = append(ids, consultStr(e, "id"))
			if e["sample"] != true {
				t.Errorf("demo expert %s not marked as sample", consultStr(e, "id"))
			}
		}
		if !slices.Contains(ids, "demo-expert-1") {
			t.Errorf("experts for platform onboarding %v lack demo-expert-1", ids)
		}
		r = s.do(t, "GET", "/v1/consultations?page_size=100", admin, nil)
		want(t, r, 200)
		seen := map[string]bool{}
		for _, c := range consultList(r.body, "consultations") {
			seen[consultStr(c, "status")] = true
		}
		for _, st := range []string{"REQUESTED", "ASSIGNED", "SCHEDULED", "HELD", "FOLLOW_UP_DUE", "CLOSED", "CANCELLED", "NO_SHOW"} {
			if !seen["CONSULTATION_STATUS_"+st] {
				t.Errorf("demo consultations lack status %s (have %v)", st, seen)
			}
		}
	})

	var caseID, slotID string
	t.Run("firm: files, gets suggestions, books; a taken slot is 409", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/consultations", firm, map[string]any{
			"firm_id": firmID, "needs": []string{"NEED_TAG_PLATFORM_ONBOARDING"}, "markets": []string{"US"},
			"description": "想开亚马逊美国站，需要了解入驻和选品。",
		})
		want(t, r, 200)
		caseID = consultStr(r.body["consultation"].(map[string]any), "id")
		if st := consultStr(r.body["consultation"].(map[string]any), "status"); st != "CONSULTATION_STATUS_REQUESTED" {
			t.Fatalf("new consultation status %s", st)
		}
		r = s.do(t, "POST", "/v1/consultations/"+caseID+":suggestExperts", firm, map[string]any{})
		want(t, r, 200)
		sug := consultList(r.body, "suggestions")
		// The launcher wires the match service in, so suggestions come
		// from its experts index.
		if len(sug) == 0 || consultStr(r.body, "source") != "SUGGESTION_SOURCE_MATCH" {
			t.Fatalf("suggestions: %.500s", r.raw)
		}
		var chosen map[string]any
		for _, x := range sug {
			if consultStr(x["expert"].(map[string]any), "id") == "demo-expert-1" {
				chosen = x
			}
		}
		if chosen == nil || len(consultList(chosen, "next_slots")) == 0 || len(chosen["reasons"].([]any)) == 0 {
			t.Fatalf("demo-expert-1 not suggested with reasons and slots: %.800s", r.raw)
		}
		slotID = consultStr(consultList(chosen, "next_slots")[0], "id")
		r = s.do(t, "POST", "/v1/consultations/"+caseID+":book", firm, map[string]any{"slot_id": slotID})
		want(t, r, 200)
		if st := consultStr(r.body["consultation"].(map[string]any), "status"); st != "CONSULTATION_STATUS_SCHEDULED" {
			t.Fatalf("booked consultation status %s", st)
		}
		// Another firm's request cannot take the same slot.
		me2 := s.do(t, "GET", "/v1/me", firm2, nil)
		r = s.do(t, "POST", "/v1/consultations", firm2, map[string]any{
			"firm_id": consultStr(me2.body["account"].(map[string]any), "firm_id"), "needs": []string{"NEED_TAG_PLATFORM_ONBOARDING"},
		})
		want(t, r, 200)
		other := consultStr(r.body["consultation"].(map[string]any), "id")
		want(t, s.do(t, "POST", "/v1/consultations/"+other+":book", firm2, map[string]any{"slot_id": slotID}), 409)
	})

	t.Run("firms never read another firm's case; notes are not theirs to write", func(t *testing.T) {
		want(t, s.do(t, "GET", "/v1/consultations/"+caseID, firm2, nil), 403)
		r := s.do(t, "GET", "/v1/consultations?page_size=100", firm2, nil)
		want(t, r, 200)
		for _, c := range consultList(r.body, "consultations") {
			if consultStr(c, "firm_id") == firmID {
				t.Errorf("firm-user2 lists a consultation of firm-user's firm")
			}
		}
		want(t, s.do(t, "POST", "/v1/consultations/"+caseID+"/notes", firm, map[string]any{"summary": "x"}), 403)
		want(t, s.do(t, "GET", "/v1/consultations/"+caseID+"/notes", assoc, nil), 403)
	})

	t.Run("association and officer see the member's case; expert sees its case", func(t *testing.T) {
		want(t, s.do(t, "GET", "/v1/consultations/"+caseID, assoc, nil), 200)
		want(t, s.do(t, "GET", "/v1/consultations/"+caseID, officer, nil), 200)
		r := s.do(t, "GET", "/v1/consultations/"+caseID, expert, nil)
		want(t, r, 200)
		c := r.body["consultation"].(map[string]any)
		if ct, _ := c["contact"].(map[string]any); ct != nil && ct["phone"] != nil && !bytes.Contains([]byte(consultStr(ct, "phone")), []byte("****")) {
			t.Errorf("contact phone not masked: %v", ct)
		}
		// The session has not started: no case note yet.
		want(t, s.do(t, "POST", "/v1/consultations/"+caseID+"/notes", expert, map[string]any{"summary": "提前写"}), 400)
		want(t, s.do(t, "POST", "/v1/consultations/"+caseID+":markHeld", expert, map[string]any{}), 400)
		want(t, s.do(t, "GET", "/v1/consultations:queue", officer, nil), 200)
		want(t, s.do(t, "GET", "/v1/consultations:queue", firm, nil), 403)
	})

	t.Run("bad input: unknown specialty, overlapping and past slots", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/experts", admin, map[string]any{
			"name": "测试专家", "organisation": "测试机构", "specialties": []int{99}, "stages": []string{"CROSS_BORDER_STAGE_EXPLORING"},
			"online": true, "weekly_capacity": 5,
		})
		want(t, r, 400)
		if v := r.violations(); !slices.Contains(v, "expert.specialties[0]") {
			t.Errorf("violations %v, want expert.specialties[0]", v)
		}
		want(t, s.do(t, "POST", "/v1/experts", firm, map[string]any{"name": "x"}), 403)
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		r = s.do(t, "POST", "/v1/experts/demo-expert-1/slots", expert, map[string]any{
			"start_time": past, "end_time": time.Now().UTC().Format(time.RFC3339), "mode": "SESSION_MODE_ONLINE",
		})
		want(t, r, 400)
		if v := r.violations(); !slices.Contains(v, "slot.start_time") {
			t.Errorf("violations %v, want slot.start_time", v)
		}
		slot := s.do(t, "GET", "/v1/experts/demo-expert-1/slots?page_size=100", expert, nil)
		want(t, slot, 200)
		first := consultList(slot.body, "slots")[0]
		r = s.do(t, "POST", "/v1/experts/demo-expert-1/slots", expert, map[string]any{
			"start_time": first["start_time"], "end_time": first["end_time"], "mode": "SESSION_MODE_ONLINE",
		})
		want(t, r, 400)
		if consultStr(r.body, "message") == "" || !bytes.Contains(r.raw, []byte("ERROR_REASON_SLOT_OVERLAP")) {
			t.Errorf("overlap error: %s", r.raw)
		}
		want(t, s.do(t, "POST", "/v1/experts/demo-expert-2/slots", expert, map[string]any{"mode": "SESSION_MODE_ONLINE"}), 403)
	})

	t.Run("firm cancels; the slot reopens and the quota unit comes back", func(t *testing.T) {
		before := s.do(t, "GET", "/v1/firms/"+firmID+"/consultation-quota", firm, nil)
		want(t, before, 200)
		r := s.do(t, "POST", "/v1/consultations/"+caseID+":cancel", firm, map[string]any{"reason": "时间冲突"})
		want(t, r, 200)
		if st := consultStr(r.body["consultation"].(map[string]any), "status"); st != "CONSULTATION_STATUS_CANCELLED" {
			t.Fatalf("status after cancel %s", st)
		}
		want(t, s.do(t, "POST", "/v1/consultations/"+caseID+":cancel", firm, map[string]any{"reason": "再取消"}), 400)
		after := s.do(t, "GET", "/v1/firms/"+firmID+"/consultation-quota", firm, nil)
		q0, q1 := before.body["quota"].(map[string]any), after.body["quota"].(map[string]any)
		if q0["used"] == q1["used"] {
			t.Errorf("quota used %v before and %v after cancelling", q0["used"], q1["used"])
		}
		slots := s.do(t, "GET", "/v1/experts/demo-expert-1/slots?page_size=100", firm, nil)
		found := false
		for _, sl := range consultList(slots.body, "slots") {
			if consultStr(sl, "id") == slotID {
				found = true
			}
		}
		if !found {
			t.Errorf("slot %s not open again after the cancellation", slotID)
		}
	})

	t.Run("exports: bureau everything, association without advice, firm refused", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/consultations:export", admin, nil)
		want(t, r, 200)
		f, err := excelize.OpenReader(bytes.NewReader(r.raw))
		if err != nil {
			t.Fatalf("export is not an xlsx: %v (%.200s)", err, r.raw)
		}
		rows, _ := f.GetRows("咨询明细")
		if len(rows) < 10 || !slices.Contains(rows[0], "建议") {
			t.Errorf("bureau export: %d rows, header %v", len(rows), rows[0])
		}
		r = s.do(t, "GET", "/v1/associations/x/consultations:export", assoc, nil)
		want(t, r, 200)
		f, err = excelize.OpenReader(bytes.NewReader(r.raw))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ = f.GetRows("咨询明细")
		if len(rows) == 0 || slices.Contains(rows[0], "建议") {
			t.Errorf("association export header %v: advice columns must be left out", rows)
		}
		want(t, s.do(t, "GET", "/v1/consultations:export", firm, nil), 403)
		want(t, s.do(t, "GET", "/v1/experts/demo-expert-1/consultations:export", expert, nil), 200)
	})
}
