package server_test

import (
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
)

const (
	confirmed  = eventsv1.RegistrationStatus_REGISTRATION_STATUS_CONFIRMED
	waitlisted = eventsv1.RegistrationStatus_REGISTRATION_STATUS_WAITLISTED
	pendingSt  = eventsv1.RegistrationStatus_REGISTRATION_STATUS_PENDING_APPROVAL
	cancelled  = eventsv1.RegistrationStatus_REGISTRATION_STATUS_CANCELLED
)

// raceLastSeat fills all but one seat, then sends 200 registrations at once
// through the real gRPC server as the firm user, and returns the codes and
// registrations.
func raceLastSeat(t *testing.T, h *harness, waitlist bool) (*eventsv1.Event, map[codes.Code]int, []*eventsv1.Registration) {
	t.Helper()
	const capacity, racers = 5, 200
	e := h.newEvent(t, own, true, func(e *eventsv1.Event) { e.Capacity, e.WaitlistEnabled = capacity, waitlist })
	for range capacity - 1 {
		h.register(t, e.GetId(), h.firmA, "")
	}
	var mu sync.Mutex
	got := map[codes.Code]int{}
	var regs []*eventsv1.Registration
	var wg sync.WaitGroup
	start := make(chan struct{})
	attendees := make([]*commonv1.Contact, racers)
	for i := range attendees {
		attendees[i] = h.attendee()
	}
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := h.as(t, roleFirm)
			<-start
			resp, err := h.events.CreateRegistration(ctx, &eventsv1.CreateRegistrationRequest{
				EventId: e.GetId(), Registration: &eventsv1.Registration{FirmId: h.firmA, Attendee: attendees[i]},
			})
			mu.Lock()
			defer mu.Unlock()
			got[status.Code(err)]++
			if err == nil {
				regs = append(regs, resp.GetRegistration())
			} else if status.Code(err) != codes.ResourceExhausted {
				t.Errorf("racer %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return e, got, regs
}

func countStatus(regs []*eventsv1.Registration, st eventsv1.RegistrationStatus) int {
	n := 0
	for _, r := range regs {
		if r.GetStatus() == st {
			n++
		}
	}
	return n
}

// TestLastSeatRaceWithWaitlist: 200 simultaneous registrations for the last
// seat: exactly one is confirmed, the other 199 are wait-listed with
// distinct positions 1..199, and the event counts agree.
func TestLastSeatRaceWithWaitlist(t *testing.T) {
	h := newHarness(t)
	e, got, regs := raceLastSeat(t, h, true)
	if got[codes.OK] != 200 {
		t.Fatalf("codes %v, want 200 OK", got)
	}
	if n := countStatus(regs, confirmed); n != 1 {
		t.Errorf("%d confirmed, want exactly 1", n)
	}
	if n := countStatus(regs, waitlisted); n != 199 {
		t.Errorf("%d wait-listed, want 199", n)
	}
	ev, err := h.events.GetEvent(h.as(t, roleBureau), &eventsv1.GetEventRequest{Id: e.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if c, w := ev.GetEvent().GetConfirmedCount(), ev.GetEvent().GetWaitlistedCount(); c != 5 || w != 199 {
		t.Errorf("event counts confirmed %d waitlisted %d, want 5 and 199", c, w)
	}
	wl, err := h.events.ListWaitlist(h.as(t, roleBureau), &eventsv1.ListWaitlistRequest{EventId: e.GetId(), PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if wl.GetTotalSize() != 199 || wl.GetSeatsLeft() != 0 {
		t.Errorf("waitlist total %d seats left %d, want 199 and 0", wl.GetTotalSize(), wl.GetSeatsLeft())
	}
	for i, r := range wl.GetRegistrations() {
		if r.GetWaitlistPosition() != int32(i+1) {
			t.Errorf("waitlist entry %d has position %d", i, r.GetWaitlistPosition())
			break
		}
	}
}

// TestLastSeatRaceWithoutWaitlist: without a waiting list exactly one of 200
// wins and 199 are refused with RESOURCE_EXHAUSTED; nothing else is stored.
func TestLastSeatRaceWithoutWaitlist(t *testing.T) {
	h := newHarness(t)
	e, got, regs := raceLastSeat(t, h, false)
	if got[codes.OK] != 1 || got[codes.ResourceExhausted] != 199 {
		t.Fatalf("codes %v, want 1 OK and 199 ResourceExhausted", got)
	}
	if regs[0].GetStatus() != confirmed || regs[0].GetCheckInCode() == "" {
		t.Errorf("winner %v without check-in code %q", regs[0].GetStatus(), regs[0].GetCheckInCode())
	}
	list, err := h.events.ListRegistrations(h.as(t, roleBureau), &eventsv1.ListRegistrationsRequest{EventId: e.GetId(), PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if list.GetTotalSize() != 5 {
		t.Errorf("%d registrations stored, want 5", list.GetTotalSize())
	}
}

// TestWaitlistPromotion: cancelling a confirmed registration promotes the
// first wait-listed one at once (with a check-in code); concurrent
// cancellations promote exactly as many as seats freed, in order.
func TestWaitlistPromotion(t *testing.T) {
	h := newHarness(t)
	e := h.newEvent(t, own, true, func(e *eventsv1.Event) { e.Capacity = 3 })
	var seated, waiting []*eventsv1.Registration
	for range 3 {
		seated = append(seated, h.register(t, e.GetId(), h.firmA, ""))
	}
	for range 4 {
		r := h.register(t, e.GetId(), h.firmA, "")
		if r.GetStatus() != waitlisted {
			t.Fatalf("4th+ registration %v, want WAITLISTED", r.GetStatus())
		}
		waiting = append(waiting, r)
	}
	bureau := h.as(t, roleBureau)
	// The firm user cancels one of its own confirmed registrations.
	if _, err := h.events.DeleteRegistration(h.as(t, roleFirm), &eventsv1.DeleteRegistrationRequest{
		EventId: e.GetId(), RegistrationId: seated[0].GetId(), Etag: seated[0].GetEtag(),
	}); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	first, err := h.events.GetRegistration(bureau, &eventsv1.GetRegistrationRequest{EventId: e.GetId(), RegistrationId: waiting[0].GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if first.GetRegistration().GetStatus() != confirmed || first.GetRegistration().GetCheckInCode() == "" {
		t.Errorf("first wait-listed after a cancel: %v code %q, want CONFIRMED with a code", first.GetRegistration().GetStatus(), first.GetRegistration().GetCheckInCode())
	}
	// Two concurrent cancels free two seats: waiting[1] and waiting[2] move up.
	var wg sync.WaitGroup
	for _, r := range seated[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.events.DeleteRegistration(h.as(t, roleBureau), &eventsv1.DeleteRegistrationRequest{EventId: e.GetId(), RegistrationId: r.GetId(), Reason: "测试"}); err != nil {
				t.Errorf("cancel: %v", err)
			}
		}()
	}
	wg.Wait()
	want := []eventsv1.RegistrationStatus{confirmed, confirmed, confirmed, waitlisted}
	for i, w := range waiting {
		r, err := h.events.GetRegistration(bureau, &eventsv1.GetRegistrationRequest{EventId: e.GetId(), RegistrationId: w.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if r.GetRegistration().GetStatus() != want[i] {
			t.Errorf("waiting[%d] = %v, want %v", i, r.GetRegistration().GetStatus(), want[i])
		}
		if i == 3 && r.GetRegistration().GetWaitlistPosition() != 1 {
			t.Errorf("last wait-listed position %d, want 1", r.GetRegistration().GetWaitlistPosition())
		}
	}
	ev, _ := h.events.GetEvent(bureau, &eventsv1.GetEventRequest{Id: e.GetId()})
	if ev.GetEvent().GetConfirmedCount() != 3 || ev.GetEvent().GetWaitlistedCount() != 1 {
		t.Errorf("counts %d/%d, want 3 confirmed 1 waitlisted", ev.GetEvent().GetConfirmedCount(), ev.GetEvent().GetWaitlistedCount())
	}
	// Raising the capacity promotes the rest at once.
	cur, _ := h.events.GetEvent(bureau, &eventsv1.GetEventRequest{Id: e.GetId()})
	upd := &eventsv1.Event{Id: e.GetId(), Etag: cur.GetEvent().GetEtag(), Capacity: 10}
	if _, err := h.events.UpdateEvent(bureau, &eventsv1.UpdateEventRequest{Event: upd, UpdateMask: mask("capacity")}); err != nil {
		t.Fatalf("raise capacity: %v", err)
	}
	r, _ := h.events.GetRegistration(bureau, &eventsv1.GetRegistrationRequest{EventId: e.GetId(), RegistrationId: waiting[3].GetId()})
	if r.GetRegistration().GetStatus() != confirmed {
		t.Errorf("after raising capacity the last wait-listed is %v", r.GetRegistration().GetStatus())
	}
	// Lowering below the confirmed count is refused.
	cur, _ = h.events.GetEvent(bureau, &eventsv1.GetEventRequest{Id: e.GetId()})
	upd = &eventsv1.Event{Id: e.GetId(), Etag: cur.GetEvent().GetEtag(), Capacity: 2}
	if _, err := h.events.UpdateEvent(bureau, &eventsv1.UpdateEventRequest{Event: upd, UpdateMask: mask("capacity")}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("lower capacity below confirmed: %v, want FailedPrecondition", err)
	}
}

// TestQuotasAndNominations: an association's quota counts its delegates and
// nominations; the organiser approves or declines; a nomination of a firm
// that is not a member is refused.
func TestQuotasAndNominations(t *testing.T) {
	h := newHarness(t)
	quota := int32(2)
	e := h.newEvent(t, own, true, func(e *eventsv1.Event) {
		e.RegistrationMode = eventsv1.RegistrationMode_REGISTRATION_MODE_NOMINATION
		e.AssociationQuota = &quota
		e.Capacity = 1
		e.WaitlistEnabled = true
	})
	assoc := h.as(t, roleAssoc)
	nominate := func(firm, assocID string) (*eventsv1.Registration, error) {
		resp, err := h.events.CreateNomination(assoc, &eventsv1.CreateNominationRequest{EventId: e.GetId(), Registration: &eventsv1.Registration{
			FirmId: firm, AssociationId: assocID, Attendee: h.attendee(),
		}})
		return resp.GetRegistration(), err
	}
	n1, err := nominate(h.firmA, "")
	if err != nil || n1.GetStatus() != pendingSt || n1.GetNominatingAssociationId() != h.assocA {
		t.Fatalf("nominate member firm: %v %v", n1, err)
	}
	if _, err := nominate(h.firmB, ""); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("nominate a non-member firm: %v, want FailedPrecondition", err)
	}
	n2, err := nominate("", h.assocA)
	if err != nil {
		t.Fatalf("nominate own delegate: %v", err)
	}
	if _, err := nominate(h.firmA, ""); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("third nomination over quota 2: %v, want ResourceExhausted", err)
	}
	// Self-registration is refused in NOMINATION mode.
	if _, err := h.events.CreateRegistration(h.as(t, roleFirm), &eventsv1.CreateRegistrationRequest{EventId: e.GetId(), Registration: &eventsv1.Registration{Attendee: h.attendee()}}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("self-registration in nomination mode: %v, want FailedPrecondition", err)
	}
	bureau := h.as(t, roleBureau)
	a1, err := h.events.ApproveRegistration(bureau, &eventsv1.ApproveRegistrationRequest{EventId: e.GetId(), RegistrationId: n1.GetId(), Etag: n1.GetEtag()})
	if err != nil || a1.GetRegistration().GetStatus() != confirmed {
		t.Fatalf("approve: %v %v", a1, err)
	}
	a2, err := h.events.ApproveRegistration(bureau, &eventsv1.ApproveRegistrationRequest{EventId: e.GetId(), RegistrationId: n2.GetId()})
	if err != nil || a2.GetRegistration().GetStatus() != waitlisted {
		t.Fatalf("approve into a full event: %v %v, want WAITLISTED", a2, err)
	}
	if _, err := h.events.ApproveRegistration(bureau, &eventsv1.ApproveRegistrationRequest{EventId: e.GetId(), RegistrationId: n2.GetId()}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("approve twice: %v, want FailedPrecondition", err)
	}
	q, err := h.events.ListAssociationQuotas(assoc, &eventsv1.ListAssociationQuotasRequest{EventId: e.GetId()})
	if err != nil || len(q.GetAssociationQuotas()) != 1 || q.GetAssociationQuotas()[0].GetUsed() != 2 || q.GetAssociationQuotas()[0].GetQuota() != 2 {
		t.Errorf("quotas %v %v, want used 2 of 2", q, err)
	}
	// Cancelling frees the quota place for a new nomination, which the
	// organiser declines.
	if _, err := h.events.DeleteRegistration(assoc, &eventsv1.DeleteRegistrationRequest{EventId: e.GetId(), RegistrationId: n2.GetId()}); err != nil {
		t.Fatalf("cancel nomination: %v", err)
	}
	n3, err := nominate(h.firmA, "")
	if err != nil {
		t.Fatalf("nominate after a cancel: %v", err)
	}
	d, err := h.events.DeclineRegistration(bureau, &eventsv1.DeclineRegistrationRequest{EventId: e.GetId(), RegistrationId: n3.GetId(), Reason: "名额有限"})
	if err != nil || d.GetRegistration().GetStatus() != eventsv1.RegistrationStatus_REGISTRATION_STATUS_DECLINED {
		t.Errorf("decline: %v %v", d, err)
	}
}

// TestRegistrationBadInput: closed windows, cancelled events, duplicates and
// bad fields are refused with clear codes and nothing is stored.
func TestRegistrationBadInput(t *testing.T) {
	h := newHarness(t)
	firm := h.as(t, roleFirm)
	reg := func(eventID string, a *commonv1.Contact) error {
		_, err := h.events.CreateRegistration(firm, &eventsv1.CreateRegistrationRequest{EventId: eventID, Registration: &eventsv1.Registration{Attendee: a}})
		return err
	}
	open := h.newEvent(t, own, true, func(e *eventsv1.Event) { e.MaxAttendeesPerParty = 2 })
	a := h.attendee()
	if err := reg(open.GetId(), a); err != nil {
		t.Fatal(err)
	}
	if err := reg(open.GetId(), &commonv1.Contact{Name: "王五", Phone: a.GetPhone()}); status.Code(err) != codes.AlreadyExists {
		t.Errorf("same phone twice: %v, want AlreadyExists", err)
	}
	if err := reg(open.GetId(), h.attendee()); err != nil {
		t.Fatal(err)
	}
	if err := reg(open.GetId(), h.attendee()); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("third attendee of a firm with max 2: %v, want ResourceExhausted", err)
	}
	if err := reg(open.GetId(), &commonv1.Contact{Name: "", Phone: "12345"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad attendee: %v, want InvalidArgument", err)
	}
	later := h.newEvent(t, own, true, func(e *eventsv1.Event) {
		e.RegistrationOpenTime = timestamppb.New(time.Now().Add(30 * time.Minute))
	})
	if err := reg(later.GetId(), h.attendee()); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("before the window: %v, want FailedPrecondition", err)
	}
	gone := h.newEvent(t, own, true, nil)
	if _, err := h.events.CancelEvent(h.as(t, roleOfficer), &eventsv1.CancelEventRequest{Id: gone.GetId(), Reason: "因台风预警延期"}); err != nil {
		t.Fatal(err)
	}
	if err := reg(gone.GetId(), h.attendee()); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("cancelled event: %v, want FailedPrecondition", err)
	}
	firmsOnly := h.newEvent(t, own, true, func(e *eventsv1.Event) { e.Audience = eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS })
	if err := reg(firmsOnly.GetId(), h.attendee()); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("firm at an associations-only event: %v, want FailedPrecondition", err)
	}
	list, err := h.events.ListRegistrations(firm, &eventsv1.ListRegistrationsRequest{EventId: "-"})
	if err != nil || list.GetTotalSize() != 2 {
		t.Errorf("firm's registrations %d (%v), want 2", list.GetTotalSize(), err)
	}
	for _, r := range list.GetRegistrations() {
		if !r.GetAttendee().GetMasked() {
			t.Errorf("attendee not masked: %v", r.GetAttendee())
		}
	}
}

// TestCheckIn: a code checks in once; a wrong or reused code is refused; a
// session is attended once; a scanned code alone finds its registration.
func TestCheckIn(t *testing.T) {
	h := newHarness(t)
	msg := h.eventMessage(own, eventsv1.EventKind_EVENT_KIND_TRAINING)
	e, err := h.eventsSvc.App.CreateEvent(h.system, msg)
	if err != nil {
		t.Fatal(err)
	}
	if e, err = h.eventsSvc.App.PublishEvent(h.system, e.GetId(), ""); err != nil {
		t.Fatal(err)
	}
	r := h.register(t, e.GetId(), h.firmA, "")
	officer := h.as(t, roleOfficer)
	check := func(id, code, session string) (*eventsv1.Registration, error) {
		resp, err := h.events.CheckInRegistration(officer, &eventsv1.CheckInRegistrationRequest{EventId: e.GetId(), RegistrationId: id, Code: code, SessionId: session})
		return resp.GetRegistration(), err
	}
	if _, err := check(r.GetId(), "WRONG234", ""); status.Code(err) != codes.InvalidArgument {
		t.Errorf("wrong code: %v, want InvalidArgument", err)
	}
	if _, err := check("", "ZZZZ2345", ""); status.Code(err) != codes.NotFound {
		t.Errorf("unknown code: %v, want NotFound", err)
	}
	got, err := check("", r.GetCheckInCode(), "")
	if err != nil || got.GetCheckInTime() == nil {
		t.Fatalf("check in by scanned code: %v %v", got, err)
	}
	if _, err := check(r.GetId(), r.GetCheckInCode(), ""); status.Code(err) != codes.AlreadyExists {
		t.Errorf("reused code: %v, want AlreadyExists", err)
	}
	s1 := e.GetSessions()[0].GetId()
	if got, err := check(r.GetId(), r.GetCheckInCode(), s1); err != nil || len(got.GetAttendance()) != 1 {
		t.Fatalf("session check-in: %v %v", got, err)
	}
	if _, err := check(r.GetId(), r.GetCheckInCode(), s1); status.Code(err) != codes.AlreadyExists {
		t.Errorf("session twice: %v, want AlreadyExists", err)
	}
	resp, err := h.events.RecordSessionAttendance(officer, &eventsv1.RecordSessionAttendanceRequest{
		EventId: e.GetId(), SessionId: e.GetSessions()[1].GetId(), RegistrationIds: []string{r.GetId()}, Attended: true,
	})
	if err != nil || resp.GetChangedCount() != 1 {
		t.Errorf("record attendance: %v %v", resp, err)
	}
	if _, err := check(r.GetId(), "", ""); status.Code(err) != codes.AlreadyExists {
		t.Errorf("manual check-in of a checked-in registration: %v, want AlreadyExists", err)
	}
}

func TestEventLifecycle(t *testing.T) {
	h := newHarness(t)
	officer := h.as(t, roleOfficer)
	msg := h.eventMessage(own, eventsv1.EventKind_EVENT_KIND_BRAND_EVENT)
	msg.IndustryBeltIds = nil
	created, err := h.events.CreateEvent(officer, &eventsv1.CreateEventRequest{Event: msg})
	if err != nil {
		t.Fatal(err)
	}
	e := created.GetEvent()
	if e.GetStatus() != eventsv1.EventStatus_EVENT_STATUS_DRAFT {
		t.Errorf("new event %v", e.GetStatus())
	}
	// Drafts are invisible to anyone but organisers.
	if _, err := h.events.GetEvent(h.ctx(t, nil), &eventsv1.GetEventRequest{Id: e.GetId()}); status.Code(err) != codes.NotFound {
		t.Errorf("anonymous reads a draft: %v", err)
	}
	_, err = h.events.PublishEvent(officer, &eventsv1.PublishEventRequest{Id: e.GetId()})
	if v := violations(err); status.Code(err) != codes.InvalidArgument || v["event.industry_belt_ids"] == "" {
		t.Errorf("publish a brand event without a belt: %v", err)
	}
	upd, err := h.events.UpdateEvent(officer, &eventsv1.UpdateEventRequest{
		Event: &eventsv1.Event{Id: e.GetId(), Etag: e.GetEtag(), IndustryBeltIds: []string{"belt-1"}}, UpdateMask: mask("industry_belt_ids"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.events.PublishEvent(officer, &eventsv1.PublishEventRequest{Id: e.GetId(), Etag: e.GetEtag()}); status.Code(err) != codes.Aborted {
		t.Errorf("publish with a stale etag: %v, want Aborted", err)
	}
	pub, err := h.events.PublishEvent(officer, &eventsv1.PublishEventRequest{Id: e.GetId(), Etag: upd.GetEvent().GetEtag()})
	if err != nil || pub.GetEvent().GetStatus() != eventsv1.EventStatus_EVENT_STATUS_PUBLISHED {
		t.Fatalf("publish: %v %v", pub, err)
	}
	if _, err := h.events.DeleteEvent(officer, &eventsv1.DeleteEventRequest{Id: e.GetId(), Etag: pub.GetEvent().GetEtag()}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("delete a published event: %v", err)
	}
	list, err := h.events.ListEvents(h.ctx(t, nil), &eventsv1.ListEventsRequest{Kind: eventsv1.EventKind_EVENT_KIND_BRAND_EVENT, IndustryBeltId: "belt-1", District: district(own)})
	if err != nil || list.GetTotalSize() != 1 {
		t.Errorf("anonymous list by belt: %v %v", list, err)
	}
	closed, err := h.events.CloseRegistration(officer, &eventsv1.CloseRegistrationRequest{Id: e.GetId()})
	if err != nil || closed.GetEvent().GetStatus() != eventsv1.EventStatus_EVENT_STATUS_REGISTRATION_CLOSED {
		t.Fatalf("close: %v %v", closed, err)
	}
	list, err = h.events.ListEvents(h.ctx(t, nil), &eventsv1.ListEventsRequest{Status: eventsv1.EventStatus_EVENT_STATUS_REGISTRATION_CLOSED, IndustryBeltId: "belt-1"})
	if err != nil || list.GetTotalSize() != 1 {
		t.Errorf("list closed: %v %v", list, err)
	}
	c, err := h.events.CancelEvent(officer, &eventsv1.CancelEventRequest{Id: e.GetId(), Reason: "因台风预警延期举办"})
	if err != nil || c.GetEvent().GetStatus() != eventsv1.EventStatus_EVENT_STATUS_CANCELLED {
		t.Fatalf("cancel: %v %v", c, err)
	}
	if _, err := h.events.CancelEvent(officer, &eventsv1.CancelEventRequest{Id: e.GetId(), Reason: "again"}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("cancel twice: %v", err)
	}
	// Bad input names each field.
	bad := &eventsv1.Event{Kind: eventsv1.EventKind_EVENT_KIND_EXPO, District: district(own)}
	_, err = h.events.CreateEvent(officer, &eventsv1.CreateEventRequest{Event: bad})
	v := violations(err)
	for _, f := range []string{"event.title", "event.organiser", "event.start_time", "event.audience"} {
		if v[f] == "" {
			t.Errorf("no violation for %s in %v", f, err)
		}
	}
}
