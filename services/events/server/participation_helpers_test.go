package server_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
)

// boothMessage is a valid booth application for firm (with assoc when set).
func boothMessage(firm, assoc string) *eventsv1.BoothApplication {
	return &eventsv1.BoothApplication{
		FirmId: firm, AssociationId: assoc, Exhibits: "羽绒服、羽绒被", BoothsRequested: 2,
		Contact: &commonv1.Contact{Name: "周敏", Phone: "13912345678"}, Note: "希望靠近主通道",
	}
}

// boothApplication creates a fresh published expo of tg's district and a
// SUBMITTED application on it for tg's firm exhibiting with tg's
// association, as the system.
func (h *harness) boothApplication(t *testing.T, tg target) *eventsv1.BoothApplication {
	t.Helper()
	e := h.newEvent(t, tg, true, nil)
	b, err := h.eventsSvc.App.CreateBoothApplication(h.system, e.GetId(), boothMessage(h.firm(tg), h.association(tg)))
	if err != nil {
		t.Fatalf("fixture booth application: %v", err)
	}
	return b
}

// approvedNomination nominates tg's firm through tg's association at event
// id and approves it, so both the firm's users and the association's admins
// are its registrants.
func (h *harness) approvedNomination(t *testing.T, eventID string, tg target) *eventsv1.Registration {
	t.Helper()
	a := h.eventsSvc.App
	r, err := a.CreateNomination(h.system, eventID, &eventsv1.Registration{
		FirmId: h.firm(tg), NominatingAssociationId: h.association(tg), Attendee: h.attendee(),
	})
	if err != nil {
		t.Fatalf("fixture nomination: %v", err)
	}
	if r, err = a.ApproveRegistration(h.system, eventID, r.GetId(), ""); err != nil {
		t.Fatalf("fixture approval: %v", err)
	}
	return r
}

// checkIn checks r in (with sessionID, its attendance of that session).
func (h *harness) checkIn(t *testing.T, r *eventsv1.Registration, sessionID string) *eventsv1.Registration {
	t.Helper()
	out, err := h.eventsSvc.App.CheckInRegistration(h.system, r.GetEventId(), r.GetId(), r.GetCheckInCode(), sessionID)
	if err != nil {
		t.Fatalf("fixture check-in: %v", err)
	}
	return out
}

// shiftBack moves an event that has not ended, with its sessions, back by d
// (so what was recorded while it was upcoming belongs to a past event), as
// the demo loader does.
func (h *harness) shiftBack(t *testing.T, id string, d time.Duration) *eventsv1.Event {
	t.Helper()
	a := h.eventsSvc.App
	cur, err := a.GetEvent(h.system, id)
	if err != nil {
		t.Fatal(err)
	}
	back := func(ts *timestamppb.Timestamp) *timestamppb.Timestamp { return timestamppb.New(ts.AsTime().Add(-d)) }
	patch := &eventsv1.Event{Id: id, Etag: cur.GetEtag(), StartTime: back(cur.GetStartTime()), EndTime: back(cur.GetEndTime()),
		RegistrationCloseTime: back(cur.GetStartTime())}
	paths := []string{"start_time", "end_time", "registration_close_time"}
	if len(cur.GetSessions()) > 0 {
		for _, s := range cur.GetSessions() {
			s.StartTime, s.EndTime = back(s.GetStartTime()), back(s.GetEndTime())
		}
		patch.Sessions = cur.GetSessions()
		paths = append(paths, "sessions")
	}
	out, err := a.UpdateEvent(h.system, patch, paths)
	if err != nil {
		t.Fatalf("fixture shift back: %v", err)
	}
	return out
}

// newTraining is a published training of tg's district starting in an hour.
func (h *harness) newTraining(t *testing.T, tg target) *eventsv1.Event {
	t.Helper()
	a := h.eventsSvc.App
	e, err := a.CreateEvent(h.system, h.eventMessage(tg, eventsv1.EventKind_EVENT_KIND_TRAINING))
	if err != nil {
		t.Fatal(err)
	}
	if e, err = a.PublishEvent(h.system, e.GetId(), ""); err != nil {
		t.Fatal(err)
	}
	return e
}

// endedTraining is a training of tg's district that ended an hour ago (two
// sessions; certificate_min_sessions from minSessions); before it is moved
// into the past, setup may register and check people in.
func (h *harness) endedTraining(t *testing.T, tg target, minSessions int32, setup func(e *eventsv1.Event)) *eventsv1.Event {
	t.Helper()
	a := h.eventsSvc.App
	msg := h.eventMessage(tg, eventsv1.EventKind_EVENT_KIND_TRAINING)
	msg.CertificateMinSessions = minSessions
	e, err := a.CreateEvent(h.system, msg)
	if err != nil {
		t.Fatal(err)
	}
	if e, err = a.PublishEvent(h.system, e.GetId(), ""); err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(e)
	}
	return h.shiftBack(t, e.GetId(), 6*time.Hour)
}
