package server_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/services/consult/app"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// TestLifecycleOverGRPC walks the lifecycle through the real server and
// checks that illegal calls are refused with the contract's reasons and
// change nothing.
func TestLifecycleOverGRPC(t *testing.T) {
	h := newHarness(t)
	firm, expert, bureau := h.callers[roleFirm], h.callers[roleExpert], h.callers[roleBureau]

	c := h.newCase(t, own, domain.Requested)
	_, err := h.consult.MarkConsultationHeld(h.ctx(t, expert), &consultv1.MarkConsultationHeldRequest{Id: c.GetId()})
	wantErr(t, err, codes.PermissionDenied, 0) // not on the case yet
	_, err = h.consult.CloseConsultation(h.ctx(t, bureau), &consultv1.CloseConsultationRequest{Id: c.GetId(), Summary: "x"})
	wantErr(t, err, codes.FailedPrecondition, consultv1.ErrorReason_ERROR_REASON_ILLEGAL_TRANSITION)

	s1 := h.newSlot(t, h.expertA, h.slotTime(72*time.Hour), time.Now())
	s2 := h.newSlot(t, h.expertA, h.slotTime(72*time.Hour), time.Now())
	r, err := h.consult.BookConsultation(h.ctx(t, firm), &consultv1.BookConsultationRequest{Id: c.GetId(), SlotId: s1.GetId()})
	if err != nil || r.GetConsultation().GetStatus() != domain.Scheduled || r.GetConsultation().GetExpertId() != h.expertA {
		t.Fatalf("book from REQUESTED: %v %v", r.GetConsultation().GetStatus(), err)
	}
	_, err = h.consult.MarkConsultationHeld(h.ctx(t, expert), &consultv1.MarkConsultationHeldRequest{Id: c.GetId()})
	wantErr(t, err, codes.FailedPrecondition, consultv1.ErrorReason_ERROR_REASON_SESSION_NOT_STARTED)
	// A stale etag is refused; the current one moves the session.
	_, err = h.consult.BookConsultation(h.ctx(t, firm), &consultv1.BookConsultationRequest{Id: c.GetId(), SlotId: s2.GetId(), Etag: c.GetEtag()})
	wantErr(t, err, codes.Aborted, consultv1.ErrorReason_ERROR_REASON_ETAG_MISMATCH)
	r, err = h.consult.BookConsultation(h.ctx(t, firm), &consultv1.BookConsultationRequest{Id: c.GetId(), SlotId: s2.GetId(), Etag: r.GetConsultation().GetEtag()})
	if err != nil || len(r.GetConsultation().GetSessions()) != 2 || r.GetConsultation().GetSessions()[0].GetStatus() != consultv1.SessionStatus_SESSION_STATUS_CANCELLED {
		t.Fatalf("move: %v", err)
	}
	if q, _ := h.svc.App.GetFirmQuota(h.system, h.firmA, s2.GetStartTime().AsTime()); q.GetUsed() != 1 {
		t.Errorf("quota used %d after a move, want 1", q.GetUsed())
	}
	// Booking the reopened first slot for another case works; the second
	// is taken.
	other := h.newCase(t, own, domain.Requested)
	_, err = h.consult.BookConsultation(h.ctx(t, firm), &consultv1.BookConsultationRequest{Id: other.GetId(), SlotId: s2.GetId()})
	wantErr(t, err, codes.Aborted, consultv1.ErrorReason_ERROR_REASON_SLOT_TAKEN)
	if _, err = h.consult.BookConsultation(h.ctx(t, firm), &consultv1.BookConsultationRequest{Id: other.GetId(), SlotId: s1.GetId()}); err != nil {
		t.Fatalf("book the reopened slot: %v", err)
	}
	_, err = h.experts.DeleteSlot(h.ctx(t, expert), &consultv1.DeleteSlotRequest{Id: s1.GetId(), Etag: "1"})
	if err == nil {
		t.Error("a booked slot was deleted")
	}
	// Cancel gives everything back; a second cancel is illegal.
	r2, err := h.consult.CancelConsultation(h.ctx(t, firm), &consultv1.CancelConsultationRequest{Id: c.GetId(), Reason: "另有安排"})
	if err != nil || r2.GetConsultation().GetStatus() != domain.Cancelled {
		t.Fatalf("cancel: %v", err)
	}
	_, err = h.consult.CancelConsultation(h.ctx(t, firm), &consultv1.CancelConsultationRequest{Id: c.GetId(), Reason: "再取消"})
	wantErr(t, err, codes.FailedPrecondition, consultv1.ErrorReason_ERROR_REASON_ILLEGAL_TRANSITION)

	// A held case: notes only by the expert or coordinators; closing needs
	// a note; one rating per session; nothing after closing.
	held := h.newCase(t, own, domain.Held)
	_, err = h.consult.CloseConsultation(h.ctx(t, expert), &consultv1.CloseConsultationRequest{Id: held.GetId(), Summary: "结案"})
	wantErr(t, err, codes.FailedPrecondition, consultv1.ErrorReason_ERROR_REASON_CASE_NOTE_MISSING)
	_, err = h.consult.CreateCaseNote(h.ctx(t, firm), &consultv1.CreateCaseNoteRequest{ConsultationId: held.GetId(), CaseNote: &consultv1.CaseNote{Summary: "我写的"}})
	wantErr(t, err, codes.PermissionDenied, 0)
	_, err = h.consult.CreateCaseNote(h.ctx(t, expert), &consultv1.CreateCaseNoteRequest{ConsultationId: held.GetId(), CaseNote: &consultv1.CaseNote{
		Summary: "讨论了开店流程", PolicyIds: []string{"not-an-id"}}})
	wantErr(t, err, codes.InvalidArgument, 0)
	if _, err = h.consult.CreateCaseNote(h.ctx(t, expert), &consultv1.CreateCaseNoteRequest{ConsultationId: held.GetId(), CaseNote: &consultv1.CaseNote{
		Summary: "讨论了开店流程", Advice: "申报扶持政策", FollowUpTime: timestamppb.New(time.Now().AddDate(0, 0, 14))}}); err != nil {
		t.Fatalf("note: %v", err)
	}
	if _, err = h.consult.RateConsultation(h.ctx(t, firm), &consultv1.RateConsultationRequest{Id: held.GetId(), Score: 4}); err != nil {
		t.Fatalf("rate: %v", err)
	}
	_, err = h.consult.RateConsultation(h.ctx(t, firm), &consultv1.RateConsultationRequest{Id: held.GetId(), Score: 5})
	wantErr(t, err, codes.AlreadyExists, consultv1.ErrorReason_ERROR_REASON_ALREADY_RATED)
	if e, _ := h.svc.App.GetExpert(h.system, h.expertA); e.GetRatingCount() < 1 || e.GetSessionsHeld() < 1 {
		t.Errorf("expert rating count %d held %d", e.GetRatingCount(), e.GetSessionsHeld())
	}
	if _, err = h.consult.CloseConsultation(h.ctx(t, expert), &consultv1.CloseConsultationRequest{Id: held.GetId(), Summary: "已完成开店"}); err != nil {
		t.Fatalf("close: %v", err)
	}
	sl := h.newSlot(t, h.expertA, h.slotTime(72*time.Hour), time.Now())
	_, err = h.consult.BookConsultation(h.ctx(t, firm), &consultv1.BookConsultationRequest{Id: held.GetId(), SlotId: sl.GetId()})
	wantErr(t, err, codes.FailedPrecondition, consultv1.ErrorReason_ERROR_REASON_ILLEGAL_TRANSITION)

	// The expert misses a session: the case returns to the coordinator
	// queue, the quota unit comes back.
	missed := h.newCase(t, own, stScheduledStarted)
	ns, err := h.consult.MarkConsultationNoShow(h.ctx(t, firm), &consultv1.MarkConsultationNoShowRequest{Id: missed.GetId(), AbsentParty: consultv1.Party_PARTY_EXPERT})
	if err != nil || ns.GetConsultation().GetStatus() != domain.Requested || ns.GetConsultation().GetQueueReason() != consultv1.QueueReason_QUEUE_REASON_EXPERT_NO_SHOW {
		t.Fatalf("expert no-show: %v %v", ns.GetConsultation(), err)
	}
	q, err := h.consult.ListQueuedConsultations(h.ctx(t, h.callers[roleOfficer]), &consultv1.ListQueuedConsultationsRequest{PageSize: 100})
	if err != nil || !slices.ContainsFunc(q.GetConsultations(), func(c *consultv1.Consultation) bool { return c.GetId() == missed.GetId() }) {
		t.Errorf("queue lacks the case the expert missed (%v)", err)
	}
	// The assigned expert declines: back to the queue.
	assigned := h.newCase(t, own, domain.Assigned)
	dc, err := h.consult.DeclineConsultation(h.ctx(t, expert), &consultv1.DeclineConsultationRequest{Id: assigned.GetId(), Reason: "领域不符"})
	if err != nil || dc.GetConsultation().GetQueueReason() != consultv1.QueueReason_QUEUE_REASON_EXPERT_DECLINED || dc.GetConsultation().GetExpertId() != "" {
		t.Fatalf("decline: %v", err)
	}
	// A paused expert cannot be assigned.
	e, _ := h.svc.App.GetExpert(h.system, h.expertB)
	if _, err := h.experts.UpdateExpert(h.ctx(t, bureau), &consultv1.UpdateExpertRequest{Expert: &consultv1.Expert{Id: e.GetId(), Etag: e.GetEtag(), Paused: true}, UpdateMask: h.mask("paused")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.consult.AssignConsultation(h.ctx(t, bureau), &consultv1.AssignConsultationRequest{Id: assigned.GetId(), ExpertId: h.expertB})
	wantErr(t, err, codes.FailedPrecondition, consultv1.ErrorReason_ERROR_REASON_EXPERT_PAUSED)
}

// TestPickupDeadlineQueues: a request nobody picks up before the deadline
// returns to the coordinator queue when the server sweeps.
func TestPickupDeadlineQueues(t *testing.T) {
	h := newHarness(t)
	c := h.newCase(t, own, domain.Assigned)
	later := h.svc.App.WithClock(func() time.Time { return app.Clock().Add(100 * time.Hour) })
	if err := later.Sweep(h.system); err != nil {
		t.Fatal(err)
	}
	got, err := h.svc.App.GetConsultation(h.system, c.GetId())
	if err != nil || got.GetStatus() != domain.Requested || got.GetQueueReason() != consultv1.QueueReason_QUEUE_REASON_NOT_PICKED_UP || got.GetExpertId() != "" {
		t.Fatalf("after the deadline: %v queue %v expert %q (%v)", got.GetStatus(), got.GetQueueReason(), got.GetExpertId(), err)
	}
}

// TestSlotRules: overlapping (buffers included) and past slots are refused
// with the contract's errors.
func TestSlotRules(t *testing.T) {
	h := newHarness(t)
	expert := h.callers[roleExpert]
	start := nextWeekAt(0)
	first, err := h.experts.CreateSlot(h.ctx(t, expert), &consultv1.CreateSlotRequest{ExpertId: h.expertA, Slot: &consultv1.Slot{
		StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(time.Hour)), Mode: consultv1.SessionMode_SESSION_MODE_ONLINE}})
	if err != nil {
		t.Fatal(err)
	}
	// The expert's default buffer is 10 minutes: starting 5 minutes after
	// the end overlaps, 20 minutes after does not.
	_, err = h.experts.CreateSlot(h.ctx(t, expert), &consultv1.CreateSlotRequest{ExpertId: h.expertA, Slot: &consultv1.Slot{
		StartTime: timestamppb.New(start.Add(65 * time.Minute)), EndTime: timestamppb.New(start.Add(2 * time.Hour)), Mode: consultv1.SessionMode_SESSION_MODE_ONLINE}})
	wantErr(t, err, codes.FailedPrecondition, consultv1.ErrorReason_ERROR_REASON_SLOT_OVERLAP)
	if _, err = h.experts.CreateSlot(h.ctx(t, expert), &consultv1.CreateSlotRequest{ExpertId: h.expertA, Slot: &consultv1.Slot{
		StartTime: timestamppb.New(start.Add(80 * time.Minute)), EndTime: timestamppb.New(start.Add(2 * time.Hour)), Mode: consultv1.SessionMode_SESSION_MODE_ONLINE}}); err != nil {
		t.Errorf("slot touching the buffers: %v", err)
	}
	_, err = h.experts.CreateSlot(h.ctx(t, expert), &consultv1.CreateSlotRequest{ExpertId: h.expertA, Slot: &consultv1.Slot{
		StartTime: timestamppb.New(time.Now().Add(-time.Hour)), EndTime: timestamppb.New(time.Now()), Mode: consultv1.SessionMode_SESSION_MODE_ONLINE}})
	wantErr(t, err, codes.InvalidArgument, 0)
	_, err = h.experts.CreateExpert(h.ctx(t, h.callers[roleBureau]), &consultv1.CreateExpertRequest{Expert: &consultv1.Expert{
		Name: "未知领域", Organisation: "x", Specialties: []commonv1.NeedTag{99}, Stages: []commonv1.CrossBorderStage{2}, Online: true, WeeklyCapacity: 3}})
	wantErr(t, err, codes.InvalidArgument, 0)
	_ = first
}

// TestExportWorkbook opens the export with excelize: one row per session,
// the summary sheet, and no advice columns for association admins.
func TestExportWorkbook(t *testing.T) {
	h := newHarness(t)
	h.newCase(t, own, domain.Closed)
	h.newCase(t, own, domain.Requested)
	h.newCase(t, other, domain.Held)
	open := func(c *caller, req *consultv1.ExportConsultationsRequest) [][]string {
		t.Helper()
		r, err := h.consult.ExportConsultations(h.ctx(t, c), req)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.GetFile().GetContent()))
		if err != nil {
			t.Fatalf("not an xlsx: %v", err)
		}
		rows, err := f.GetRows(app.SheetSessions)
		if err != nil {
			t.Fatal(err)
		}
		sum, _ := f.GetRows(app.SheetSummary)
		if len(sum) != len(domain.Statuses)+2 {
			t.Errorf("summary sheet has %d rows", len(sum))
		}
		return rows
	}
	rows := open(h.callers[roleBureau], &consultv1.ExportConsultationsRequest{})
	if len(rows) != 4 || !slices.Contains(rows[0], "建议") {
		t.Fatalf("bureau export: %d rows, header %v", len(rows), rows[0])
	}
	var advice bool
	for _, r := range rows[1:] {
		if slices.Contains(r, "先完成品牌备案。") {
			advice = true
		}
	}
	if !advice {
		t.Error("bureau export lacks the case note's advice")
	}
	rows = open(h.callers[roleAssoc], &consultv1.ExportConsultationsRequest{})
	if len(rows) != 3 || slices.Contains(rows[0], "建议") {
		t.Errorf("association export: %d rows (want its 2 member cases), header %v", len(rows)-1, rows[0])
	}
	rows = open(h.callers[roleBureau], &consultv1.ExportConsultationsRequest{ExpertId: h.expertB})
	if len(rows) != 2 {
		t.Errorf("export per expert: %d rows, want 1", len(rows)-1)
	}
}
