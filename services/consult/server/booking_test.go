package server_test

import (
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// reason returns the ErrorInfo reason of a status error.
func reason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

func wantErr(t *testing.T, err error, code codes.Code, why consultv1.ErrorReason) {
	t.Helper()
	if status.Code(err) != code {
		t.Fatalf("code %v (%v), want %v", status.Code(err), err, code)
	}
	if why != 0 && reason(err) != why.String() {
		t.Fatalf("reason %q (%v), want %v", reason(err), err, why)
	}
}

// nextWeekAt returns Tuesday of next week at 09:00 China time plus d.
func nextWeekAt(d time.Duration) time.Time {
	return domain.WeekStart(time.Now()).AddDate(0, 0, 8).Add(9*time.Hour + d)
}

// TestBookingRace: 50 firms race over gRPC for one slot; exactly one gets
// it, the 49 others get ABORTED / SLOT_TAKEN, and nothing of theirs stays
// taken — their quota units come back, the expert's week counts one session.
func TestBookingRace(t *testing.T) {
	h := newHarness(t)
	const racers = 50
	firms := make([]string, racers)
	cases := make([]string, racers)
	for i := range racers {
		firms[i] = h.newFirm(t, commonv1.District_DISTRICT_XIAOSHAN, h.assocA)
		c, err := h.svc.App.CreateConsultation(h.system, consultationMessage(firms[i]))
		if err != nil {
			t.Fatal(err)
		}
		cases[i] = c.GetId()
	}
	start := nextWeekAt(0)
	sl := h.newSlot(t, h.expertA, start, time.Now())
	bureau := h.callers[roleBureau]

	errs := make([]error, racers)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			_, errs[i] = h.consult.BookConsultation(h.ctx(t, bureau), &consultv1.BookConsultationRequest{Id: cases[i], SlotId: sl.GetId()})
		}()
	}
	close(gate)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("racers %d and %d both booked the slot", winner, i)
			}
			winner = i
		case status.Code(err) != codes.Aborted || reason(err) != consultv1.ErrorReason_ERROR_REASON_SLOT_TAKEN.String():
			t.Errorf("racer %d: %v (reason %q), want ABORTED SLOT_TAKEN", i, err, reason(err))
		}
	}
	if winner < 0 {
		t.Fatal("nobody booked the slot")
	}
	got, err := h.svc.App.GetConsultation(h.system, cases[winner])
	if err != nil || got.GetStatus() != domain.Scheduled || domain.CurrentSession(got).GetSlotId() != sl.GetId() {
		t.Fatalf("winner's consultation %v (%v), want SCHEDULED in the slot", got.GetStatus(), err)
	}
	slots, _, _, err := h.svc.App.ListSlots(h.system, &consultv1.ListSlotsRequest{ExpertId: h.expertA, StartAfter: nil})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		if s.GetId() == sl.GetId() && (s.GetStatus() != consultv1.SlotStatus_SLOT_STATUS_BOOKED || s.GetConsultationId() != cases[winner]) {
			t.Errorf("slot %v booked by %q, want BOOKED by the winner", s.GetStatus(), s.GetConsultationId())
		}
	}
	for i := range racers {
		q, err := h.svc.App.GetFirmQuota(h.system, firms[i], start)
		if err != nil {
			t.Fatal(err)
		}
		want := int32(0)
		if i == winner {
			want = 1
		}
		if q.GetUsed() != want {
			t.Errorf("firm %d quota used %d, want %d", i, q.GetUsed(), want)
		}
		if i != winner {
			c, _ := h.svc.App.GetConsultation(h.system, cases[i])
			if c.GetStatus() != domain.Requested || len(c.GetSessions()) != 0 {
				t.Errorf("loser %d: status %v with %d sessions, want REQUESTED without sessions", i, c.GetStatus(), len(c.GetSessions()))
			}
		}
	}
	capa, err := h.svc.App.GetExpertCapacity(h.system, h.expertA, start)
	if err != nil || capa.GetBooked() != 1 {
		t.Errorf("expert week booked %d (%v), want 1", capa.GetBooked(), err)
	}
}

// TestQuotaUnderConcurrency: one firm at a quota of 3 books 10 slots at
// once; exactly 3 bookings succeed, the rest are RESOURCE_EXHAUSTED /
// FIRM_QUOTA_EXHAUSTED with the slots left open.
func TestQuotaUnderConcurrency(t *testing.T) {
	h := newHarness(t)
	h.setQuota(t, consultv1.QuotaPeriod_QUOTA_PERIOD_YEAR, 3)
	const n = 10
	cases, slots := make([]string, n), make([]string, n)
	for i := range n {
		c, err := h.svc.App.CreateConsultation(h.system, consultationMessage(h.firmA))
		if err != nil {
			t.Fatal(err)
		}
		cases[i] = c.GetId()
		expert := h.newExpert(t, 40).GetId()
		slots[i] = h.newSlot(t, expert, nextWeekAt(0), time.Now()).GetId()
	}
	firm := h.callers[roleFirm]
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.consult.BookConsultation(h.ctx(t, firm), &consultv1.BookConsultationRequest{Id: cases[i], SlotId: slots[i]})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		if err == nil {
			ok++
			continue
		}
		if status.Code(err) != codes.ResourceExhausted || reason(err) != consultv1.ErrorReason_ERROR_REASON_FIRM_QUOTA_EXHAUSTED.String() {
			t.Errorf("booking %d: %v, want RESOURCE_EXHAUSTED FIRM_QUOTA_EXHAUSTED", i, err)
		}
	}
	if ok != 3 {
		t.Errorf("%d bookings succeeded, want exactly the quota of 3", ok)
	}
	q, err := h.consult.GetFirmQuota(h.ctx(t, firm), &consultv1.GetFirmQuotaRequest{FirmId: h.firmA})
	if err != nil || q.GetQuota().GetUsed() != 3 || q.GetQuota().GetRemaining() != 0 {
		t.Errorf("quota %v (%v), want used 3 remaining 0", q.GetQuota(), err)
	}
	// With the quota used up, filing a new request is refused too.
	_, err = h.consult.CreateConsultation(h.ctx(t, firm), &consultv1.CreateConsultationRequest{Consultation: consultationMessage(h.firmA)})
	wantErr(t, err, codes.ResourceExhausted, consultv1.ErrorReason_ERROR_REASON_FIRM_QUOTA_EXHAUSTED)
}

// TestCapacityUnderConcurrency: an expert with a weekly capacity of 2 gets
// 8 concurrent bookings of 8 slots in one week: exactly 2 succeed, the others
// are RESOURCE_EXHAUSTED / EXPERT_CAPACITY_REACHED, their slots reopen and
// their firms' quota units come back.
func TestCapacityUnderConcurrency(t *testing.T) {
	h := newHarness(t)
	expert := h.newExpert(t, 2).GetId()
	const n = 8
	cases, slots := make([]string, n), make([]string, n)
	for i := range n {
		c, err := h.svc.App.CreateConsultation(h.system, consultationMessage(h.firmA))
		if err != nil {
			t.Fatal(err)
		}
		cases[i] = c.GetId()
		slots[i] = h.newSlot(t, expert, nextWeekAt(time.Duration(i)*90*time.Minute), time.Now()).GetId()
	}
	bureau := h.callers[roleBureau]
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.consult.BookConsultation(h.ctx(t, bureau), &consultv1.BookConsultationRequest{Id: cases[i], SlotId: slots[i]})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		if err == nil {
			ok++
			continue
		}
		if status.Code(err) != codes.ResourceExhausted || reason(err) != consultv1.ErrorReason_ERROR_REASON_EXPERT_CAPACITY_REACHED.String() {
			t.Errorf("booking %d: %v, want RESOURCE_EXHAUSTED EXPERT_CAPACITY_REACHED", i, err)
		}
	}
	if ok != 2 {
		t.Errorf("%d bookings succeeded, want exactly the capacity of 2", ok)
	}
	capa, err := h.experts.GetExpertCapacity(h.ctx(t, bureau), &consultv1.GetExpertCapacityRequest{ExpertId: expert, Time: nil})
	_ = capa
	if err != nil {
		t.Fatal(err)
	}
	q, err := h.svc.App.GetFirmQuota(h.system, h.firmA, nextWeekAt(0))
	if err != nil || q.GetUsed() != 2 {
		t.Errorf("firm quota used %d (%v), want 2: the refused bookings give their units back", q.GetUsed(), err)
	}
	open, _, _, err := h.svc.App.ListSlots(h.system, &consultv1.ListSlotsRequest{ExpertId: expert, Status: consultv1.SlotStatus_SLOT_STATUS_OPEN})
	if err != nil || len(open) != n-2 {
		t.Errorf("%d open slots (%v), want %d", len(open), err, n-2)
	}
}
