package server_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
)

// matchmakingFixture is a published matchmaking event of tg's district with
// 3 slots and 2 tables, firm A and firm B (registered) as FIRM participants
// and two buyers and a platform, the second buyer blocking slot 0.
type matchmakingFixture struct {
	event                  *eventsv1.Event
	set                    *eventsv1.MatchmakingSettings
	firmA, firmB           *eventsv1.Participant
	buyer1, buyer2, platfm *eventsv1.Participant
}

func (h *harness) matchmaking(t *testing.T, tg target) *matchmakingFixture {
	t.Helper()
	a := h.eventsSvc.App
	msg := h.eventMessage(tg, eventsv1.EventKind_EVENT_KIND_MATCHMAKING)
	// Slots start in 30 minutes, so requests are still open now.
	e, err := a.CreateEvent(h.system, msg)
	if err != nil {
		t.Fatal(err)
	}
	if e, err = a.PublishEvent(h.system, e.GetId(), ""); err != nil {
		t.Fatal(err)
	}
	start := msg.GetStartTime().AsTime()
	var slots []*eventsv1.Slot
	for i := range 3 {
		s := start.Add(time.Duration(i) * 20 * time.Minute)
		slots = append(slots, &eventsv1.Slot{StartTime: timestamppb.New(s), EndTime: timestamppb.New(s.Add(20 * time.Minute)), Label: fmt.Sprintf("第%d轮", i+1)})
	}
	set, err := a.GetMatchmakingSettings(h.system, e.GetId())
	if err != nil {
		t.Fatal(err)
	}
	set, err = a.UpdateMatchmakingSettings(h.system, &eventsv1.MatchmakingSettings{
		EventId: e.GetId(), Etag: set.GetEtag(), Slots: slots,
		Tables: []*eventsv1.Table{{Name: "A01"}, {Name: "A02"}},
	}, []string{"slots", "tables"})
	if err != nil {
		t.Fatalf("settings: %v", err)
	}
	f := &matchmakingFixture{event: e, set: set}
	for _, firm := range []string{h.firmA, h.firmB} {
		h.register(t, e.GetId(), firm, "")
	}
	add := func(p *eventsv1.Participant) *eventsv1.Participant {
		out, err := a.CreateParticipant(h.system, e.GetId(), p)
		if err != nil {
			t.Fatalf("participant: %v", err)
		}
		return out
	}
	f.firmA = add(&eventsv1.Participant{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_FIRM, FirmId: h.firmA})
	f.firmB = add(&eventsv1.Participant{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_FIRM, FirmId: h.firmB})
	f.buyer1 = add(&eventsv1.Participant{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, DisplayName: "Acme Home Inc.", ProfileLine: "美国家居采购商"})
	f.buyer2 = add(&eventsv1.Participant{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, DisplayName: "Nordic Living AB", BlockedSlotIds: []string{set.GetSlots()[0].GetId()}})
	f.platfm = add(&eventsv1.Participant{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_PLATFORM, DisplayName: "亚马逊全球开店"})
	return f
}

// TestMatchmakingFlow: requests under the rules, answers, a scheduler run
// that places every accepted meeting and passes the verifier, a manual move
// the verifier refuses and one it accepts, agendas before and after
// publication, and the export.
func TestMatchmakingFlow(t *testing.T) {
	h := newHarness(t)
	f := h.matchmaking(t, own)
	firm := h.as(t, roleFirm)
	bureau := h.as(t, roleBureau)
	eid := f.event.GetId()
	request := func(from, to *eventsv1.Participant) (*eventsv1.MeetingRequest, error) {
		resp, err := h.mm.CreateMeetingRequest(firm, &eventsv1.CreateMeetingRequestRequest{EventId: eid, MeetingRequest: &eventsv1.MeetingRequest{
			RequesterParticipantId: from.GetId(), RecipientParticipantId: to.GetId(), Message: "希望了解贵司北美渠道的采购需求",
		}})
		return resp.GetMeetingRequest(), err
	}
	if _, err := request(f.firmA, f.firmA); status.Code(err) != codes.InvalidArgument {
		t.Errorf("request to oneself: %v", err)
	}
	if _, err := request(f.firmA, f.firmB); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("firm to firm: %v", err)
	}
	if _, err := request(f.firmB, f.buyer1); status.Code(err) != codes.PermissionDenied {
		t.Errorf("firm user for another firm: %v", err)
	}
	var accepted []string
	for _, to := range []*eventsv1.Participant{f.buyer1, f.buyer2, f.platfm} {
		r, err := request(f.firmA, to)
		if err != nil {
			t.Fatalf("request to %s: %v", to.GetDisplayName(), err)
		}
		if r.GetStatus() != eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_PENDING || r.GetRecipientName() != to.GetDisplayName() {
			t.Errorf("new request %v", r)
		}
		acc, err := h.mm.AcceptMeetingRequest(bureau, &eventsv1.AcceptMeetingRequestRequest{EventId: eid, MeetingRequestId: r.GetId()})
		if err != nil || acc.GetMeetingRequest().GetStatus() != eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_ACCEPTED {
			t.Fatalf("accept: %v %v", acc, err)
		}
		accepted = append(accepted, r.GetId())
	}
	if _, err := request(f.firmA, f.buyer1); status.Code(err) != codes.AlreadyExists {
		t.Errorf("duplicate request: %v", err)
	}
	// Organisers request on firm B's behalf; declining ends it.
	rb, err := h.mm.CreateMeetingRequest(bureau, &eventsv1.CreateMeetingRequestRequest{EventId: eid, MeetingRequest: &eventsv1.MeetingRequest{
		RequesterParticipantId: f.firmB.GetId(), RecipientParticipantId: f.buyer1.GetId(),
	}})
	if err != nil || !rb.GetMeetingRequest().GetCreatedByOrganiser() {
		t.Fatalf("organiser request: %v %v", rb, err)
	}
	if _, err := h.mm.DeclineMeetingRequest(firm, &eventsv1.DeclineMeetingRequestRequest{EventId: eid, MeetingRequestId: rb.GetMeetingRequest().GetId()}); status.Code(err) != codes.NotFound {
		t.Errorf("firm A declines a request between others: %v", err)
	}
	if _, err := h.mm.DeclineMeetingRequest(bureau, &eventsv1.DeclineMeetingRequestRequest{EventId: eid, MeetingRequestId: rb.GetMeetingRequest().GetId(), Message: "时间已满"}); err != nil {
		t.Fatal(err)
	}

	run, err := h.mm.ScheduleMeetings(bureau, &eventsv1.ScheduleMeetingsRequest{EventId: eid, Seed: 7})
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	sc := run.GetSchedule()
	if sc.GetPlacedCount() != 3 || sc.GetUnplacedCount() != 0 || !sc.GetLastRun().GetVerification().GetValid() || sc.GetLastRun().GetUpperBound() != 3 {
		t.Fatalf("schedule placed %d unplaced %d run %v", sc.GetPlacedCount(), sc.GetUnplacedCount(), sc.GetLastRun())
	}
	slot0 := f.set.GetSlots()[0].GetId()
	var buyer2Meeting, other *eventsv1.Meeting
	for _, m := range sc.GetMeetings() {
		if m.GetRecipientParticipantId() == f.buyer2.GetId() {
			buyer2Meeting = m
			if m.GetSlotId() == slot0 {
				t.Errorf("meeting placed in the slot buyer 2 blocked")
			}
		} else if other == nil {
			other = m
		}
	}
	// Moving buyer 2's meeting into its blocked slot is refused by the
	// verifier, and nothing changes.
	_, err = h.mm.MoveMeeting(bureau, &eventsv1.MoveMeetingRequest{EventId: eid, MeetingId: buyer2Meeting.GetId(), SlotId: slot0, TableId: f.set.GetTables()[1].GetId()})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("move into a blocked slot: %v", err)
	}
	// Moving a meeting onto firm A's other meeting's slot is a double booking.
	_, err = h.mm.MoveMeeting(bureau, &eventsv1.MoveMeetingRequest{EventId: eid, MeetingId: other.GetId(), SlotId: buyer2Meeting.GetSlotId(), TableId: f.set.GetTables()[1].GetId()})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("double booking by hand: %v", err)
	}
	moved, err := h.mm.MoveMeeting(bureau, &eventsv1.MoveMeetingRequest{EventId: eid, MeetingId: other.GetId(), Etag: sc.GetEtag()})
	if err != nil || !moved.GetMeeting().GetLocked() || moved.GetMeeting().GetUnplacedReason() != eventsv1.UnplacedReason_UNPLACED_REASON_REMOVED_BY_ORGANISER {
		t.Fatalf("take out by hand: %v %v", moved, err)
	}
	// A re-run keeps the taken-out meeting out (locked).
	run, err = h.mm.ScheduleMeetings(bureau, &eventsv1.ScheduleMeetingsRequest{EventId: eid})
	if err != nil || run.GetSchedule().GetPlacedCount() != 2 {
		t.Fatalf("re-run: %v %v", run.GetSchedule(), err)
	}
	// Agendas show meetings to participants only once published.
	ag, err := h.mm.GetAgenda(firm, &eventsv1.GetAgendaRequest{EventId: eid, ParticipantId: f.firmA.GetId()})
	if err != nil || len(ag.GetAgenda().GetItems()) != 3 || ag.GetAgenda().GetPublished() {
		t.Fatalf("agenda: %v %v", ag, err)
	}
	for _, it := range ag.GetAgenda().GetItems() {
		if it.GetMeeting() != nil {
			t.Errorf("unpublished agenda shows a meeting")
		}
	}
	if _, err := h.mm.PublishSchedule(bureau, &eventsv1.PublishScheduleRequest{EventId: eid}); err != nil {
		t.Fatal(err)
	}
	ag, _ = h.mm.GetAgenda(firm, &eventsv1.GetAgendaRequest{EventId: eid, ParticipantId: f.firmA.GetId()})
	meetings := 0
	for _, it := range ag.GetAgenda().GetItems() {
		if it.GetKind() == eventsv1.AgendaItemKind_AGENDA_ITEM_KIND_MEETING {
			meetings++
		}
	}
	if meetings != 2 {
		t.Errorf("published agenda has %d meetings, want 2", meetings)
	}
	if _, err := h.mm.GetAgenda(firm, &eventsv1.GetAgendaRequest{EventId: eid, ParticipantId: f.firmB.GetId()}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("firm A reads firm B's agenda: %v", err)
	}
	exp, err := h.mm.ExportSchedule(bureau, &eventsv1.ExportScheduleRequest{EventId: eid})
	if err != nil {
		t.Fatal(err)
	}
	rows := readSheet(t, exp.GetFile().GetContent(), "排程总表")
	if len(rows) != 4 || rows[0][1] != "A01" {
		t.Errorf("grid sheet rows %v", rows)
	}
	if len(accepted) != 3 {
		t.Errorf("accepted %d", len(accepted))
	}
}

// TestScheduleLimits: no slots is FAILED_PRECONDITION; more accepted
// meetings than the hard limit is RESOURCE_EXHAUSTED and writes nothing.
func TestScheduleLimits(t *testing.T) {
	h := newHarness(t)
	a := h.eventsSvc.App
	e, err := a.CreateEvent(h.system, h.eventMessage(own, eventsv1.EventKind_EVENT_KIND_MATCHMAKING))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.mm.ScheduleMeetings(h.as(t, roleBureau), &eventsv1.ScheduleMeetingsRequest{EventId: e.GetId()}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("schedule without slots: %v", err)
	}
	f := h.matchmaking(t, own)
	for _, to := range []*eventsv1.Participant{f.buyer1, f.platfm} {
		r, err := a.CreateMeetingRequest(h.system, f.event.GetId(), &eventsv1.MeetingRequest{RequesterParticipantId: f.firmA.GetId(), RecipientParticipantId: to.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.AcceptMeetingRequest(h.system, f.event.GetId(), r.GetId(), ""); err != nil {
			t.Fatal(err)
		}
	}
	limited := a.WithMaxMeetings(1)
	_, err = limited.ScheduleMeetings(h.system, &eventsv1.ScheduleMeetingsRequest{EventId: f.event.GetId()})
	if got := func() codes.Code { st, _ := apperr.ToStatus(err); return st.Code() }(); got != codes.ResourceExhausted {
		t.Errorf("over the hard limit: %v", err)
	}
	sc, err := a.GetSchedule(h.system, f.event.GetId())
	if err != nil || sc.GetLastRun() != nil || sc.GetEtag() != "" {
		t.Errorf("a refused run wrote a schedule: %v %v", sc, err)
	}
}

// TestExports: the three exports open in excelize with the expected rows;
// contacts are masked unless revealed by an organiser.
func TestExports(t *testing.T) {
	h := newHarness(t)
	e := h.newEvent(t, own, true, nil)
	r := h.register(t, e.GetId(), h.firmA, "")
	h.register(t, e.GetId(), "", h.assocA)
	bureau := h.as(t, roleBureau)
	exp, err := h.events.ExportRegistrations(bureau, &eventsv1.ExportRegistrationsRequest{EventId: e.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	rows := readSheet(t, exp.GetFile().GetContent(), "报名名单")
	if len(rows) != 3 || rows[0][7] != "电话" {
		t.Fatalf("registrations sheet %v", rows)
	}
	if rows[1][7] == "" || rows[1][7][3:7] != "****" {
		t.Errorf("phone not masked: %q", rows[1][7])
	}
	exp, err = h.events.ExportRegistrations(bureau, &eventsv1.ExportRegistrationsRequest{EventId: e.GetId(), RevealContacts: true})
	if err != nil {
		t.Fatal(err)
	}
	rows = readSheet(t, exp.GetFile().GetContent(), "报名名单")
	if rows[1][7] == "" || rows[1][7][3:7] == "****" {
		t.Errorf("revealed phone is masked: %q", rows[1][7])
	}
	if _, err := h.events.ExportRegistrations(h.as(t, roleFirm), &eventsv1.ExportRegistrationsRequest{EventId: e.GetId(), RevealContacts: true}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("firm reveals contacts: %v", err)
	}
	exp, err = h.events.ExportRegistrations(h.as(t, roleFirm), &eventsv1.ExportRegistrationsRequest{EventId: "-"})
	if err != nil || len(readSheet(t, exp.GetFile().GetContent(), "报名名单")) != 2 {
		t.Errorf("firm's own export: %v", err)
	}
	if _, err := h.events.CheckInRegistration(bureau, &eventsv1.CheckInRegistrationRequest{EventId: e.GetId(), RegistrationId: r.GetId(), Code: r.GetCheckInCode()}); err != nil {
		t.Fatal(err)
	}
	att, err := h.events.ExportAttendance(bureau, &eventsv1.ExportAttendanceRequest{EventId: e.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if rows := readSheet(t, att.GetFile().GetContent(), "出勤"); len(rows) != 3 || rows[0][3] != "签到时间" {
		t.Errorf("attendance sheet %v", rows)
	}
	// An outcome needs the event to have started: move it into the past.
	past := h.newEvent(t, own, true, func(e *eventsv1.Event) {
		e.StartTime = timestamppb.New(time.Now().Add(-2 * time.Hour))
		e.RegistrationOpenTime = timestamppb.New(time.Now().Add(-3 * time.Hour))
	})
	h.register(t, past.GetId(), h.firmA, "")
	value := int64(1_250_000_00)
	if _, err := h.events.CreateOutcome(h.as(t, roleFirm), &eventsv1.CreateOutcomeRequest{EventId: past.GetId(), Outcome: &eventsv1.Outcome{
		Kind: eventsv1.OutcomeKind_OUTCOME_KIND_CONTRACT_SIGNED, CounterpartName: "Acme Home Inc.", ValueFen: &value,
		OccurTime: timestamppb.New(time.Now().Add(-time.Hour)), Market: "US", Description: "首批2000件户外折叠椅",
	}}); err != nil {
		t.Fatalf("outcome: %v", err)
	}
	if _, err := h.events.CreateOutcome(h.as(t, roleFirm), &eventsv1.CreateOutcomeRequest{EventId: past.GetId(), Outcome: &eventsv1.Outcome{
		Kind: eventsv1.OutcomeKind_OUTCOME_KIND_CONTRACT_SIGNED, OccurTime: timestamppb.New(time.Now().Add(-time.Hour)),
	}}); violations(err)["outcome.value_fen"] == "" {
		t.Errorf("contract without value: %v", err)
	}
	list, err := h.events.ListOutcomes(h.as(t, roleAssoc), &eventsv1.ListOutcomesRequest{EventId: "-"})
	if err != nil || list.GetTotals().GetContractValueFen() != value || list.GetTotals().GetFirms() != 1 {
		t.Errorf("association's ledger: %v %v", list, err)
	}
	out, err := h.events.ExportOutcomes(bureau, &eventsv1.ExportOutcomesRequest{EventId: "-"})
	if err != nil {
		t.Fatal(err)
	}
	rows = readSheet(t, out.GetFile().GetContent(), "成果台账")
	if len(rows) != 2 || rows[1][2] != "签约" || rows[1][5] != "1250000" {
		t.Errorf("outcomes sheet %v", rows)
	}
}

func readSheet(t *testing.T, content []byte, name string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(name)
	if err != nil {
		t.Fatalf("sheet %s: %v", name, err)
	}
	return rows
}
