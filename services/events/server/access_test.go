package server_test

import (
	"testing"
	"time"

	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/accesstest"
	"github.com/qihang-hz/qihang/services/events/app"
)

// accessFixture holds, per target, the objects the matrix acts on: own is
// XIAOSHAN (the officer's district) with firm A of association A, other is
// XIHU with firm B of association B.
type accessFixture struct {
	training [2]*eventsv1.Event // published trainings starting in an hour
	draft    [2]*eventsv1.Event
	started  [2]*eventsv1.Event // began an hour ago; the target's firm is registered
	mm       [2]*matchmakingFixture
	meeting  [2]string          // a placed meeting of the target's firm
	expo     [2]*eventsv1.Event // published expos with one application of the target's firm
	// ended is a training that ended an hour ago; endedReg the target's
	// firm's registration there (nominated by its association, present at
	// both sessions), holding a certificate.
	ended    [2]*eventsv1.Event
	endedReg [2]string
	// feedbackReg is the registration at started that has feedback.
	feedbackReg [2]string
}

type accessCall func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error

// Rows: "anon | bureau | officer | assoc | firm | expert", own/other.
const (
	rowPublic     = "OK | OK | OK | OK | OK | OK"
	rowSignedIn   = "U | OK | OK | OK | OK | OK"
	rowOrganiser  = "U | OK | OK/PD | PD | PD | PD"
	rowDraft      = "U | OK | OK/NF | PD | PD | PD"
	rowRegistrant = "U | OK | OK/NF | OK/NF | OK/NF | NF"
	rowOrgReg     = "U | OK | OK/NF | PD | PD | PD"
	rowMMRead     = "U | OK | OK/PD | PD | OK/PD | PD"
)

// rowApplicant: the applicant (the firm's users, its association's admins)
// and organisers; NOT_FOUND for everyone else, as for registrations.
const rowApplicant = rowRegistrant

// rowAttendee: organisers and registrants read what is theirs; an officer of
// another district and experts are refused.
const rowAttendee = "U | OK | OK/PD | OK | OK | PD"

func (h *harness) pendingNomination(t *testing.T, e *eventsv1.Event, tg target) *eventsv1.Registration {
	t.Helper()
	r, err := h.eventsSvc.App.CreateNomination(h.system, e.GetId(), &eventsv1.Registration{
		FirmId: h.firm(tg), NominatingAssociationId: h.association(tg), Attendee: h.attendee(),
	})
	if err != nil {
		t.Fatalf("fixture nomination: %v", err)
	}
	return r
}

func (h *harness) outcome(t *testing.T, fx *accessFixture, tg target) *eventsv1.Outcome {
	t.Helper()
	o, err := h.eventsSvc.App.CreateOutcome(h.system, fx.started[tg].GetId(), &eventsv1.Outcome{
		FirmId: h.firm(tg), Kind: eventsv1.OutcomeKind_OUTCOME_KIND_INTENT, OccurTime: timestamppb.New(time.Now().Add(-time.Minute)),
	})
	if err != nil {
		t.Fatalf("fixture outcome: %v", err)
	}
	return o
}

func (h *harness) buyer(t *testing.T, f *matchmakingFixture) *eventsv1.Participant {
	t.Helper()
	p, err := h.eventsSvc.App.CreateParticipant(h.system, f.event.GetId(), &eventsv1.Participant{
		Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, DisplayName: "矩阵采购商",
	})
	if err != nil {
		t.Fatalf("fixture buyer: %v", err)
	}
	return p
}

// pendingRequest is a request from the target's firm participant to a fresh
// buyer.
func (h *harness) pendingRequest(t *testing.T, fx *accessFixture, tg target) *eventsv1.MeetingRequest {
	t.Helper()
	f := fx.mm[tg]
	r, err := h.eventsSvc.App.CreateMeetingRequest(h.system, f.event.GetId(), &eventsv1.MeetingRequest{
		RequesterParticipantId: pick(tg, f.firmA, f.firmB).GetId(), RecipientParticipantId: h.buyer(t, f).GetId(),
	})
	if err != nil {
		t.Fatalf("fixture request: %v", err)
	}
	return r
}

func newAccessFixture(t *testing.T, h *harness) *accessFixture {
	fx := &accessFixture{}
	for _, tg := range accesstest.Targets {
		msg := h.eventMessage(tg, eventsv1.EventKind_EVENT_KIND_TRAINING)
		e, err := h.eventsSvc.App.CreateEvent(h.system, msg)
		if err != nil {
			t.Fatal(err)
		}
		if fx.training[tg], err = h.eventsSvc.App.PublishEvent(h.system, e.GetId(), ""); err != nil {
			t.Fatal(err)
		}
		fx.draft[tg] = h.newEvent(t, tg, false, nil)
		fx.started[tg] = h.newEvent(t, tg, true, func(e *eventsv1.Event) {
			e.StartTime = timestamppb.New(time.Now().Add(-time.Hour))
			e.RegistrationOpenTime = timestamppb.New(time.Now().Add(-2 * time.Hour))
		})
		h.register(t, fx.started[tg].GetId(), h.firm(tg), "")
		fx.mm[tg] = h.matchmaking(t, tg)
		f := fx.mm[tg]
		if tg == other {
			// Firm A takes no part in the other district's meeting.
			a := h.eventsSvc.App
			if err := a.DeleteParticipant(h.system, f.event.GetId(), f.firmA.GetId(), f.firmA.GetEtag()); err != nil {
				t.Fatal(err)
			}
			regs, _, _, err := a.ListRegistrations(h.system, app.RegistrationFilter{EventID: f.event.GetId(), FirmID: h.firmA}, 100, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range regs {
				if _, err := a.DeleteRegistration(h.system, f.event.GetId(), r.GetId(), "", ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		r, err := h.eventsSvc.App.CreateMeetingRequest(h.system, f.event.GetId(), &eventsv1.MeetingRequest{
			RequesterParticipantId: pick(tg, f.firmA, f.firmB).GetId(), RecipientParticipantId: f.buyer1.GetId(),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.eventsSvc.App.AcceptMeetingRequest(h.system, f.event.GetId(), r.GetId(), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := h.eventsSvc.App.ScheduleMeetings(h.system, &eventsv1.ScheduleMeetingsRequest{EventId: f.event.GetId()}); err != nil {
			t.Fatal(err)
		}
		fx.meeting[tg] = r.GetId()

		fx.expo[tg] = h.newEvent(t, tg, true, nil)
		if _, err := h.eventsSvc.App.CreateBoothApplication(h.system, fx.expo[tg].GetId(), boothMessage(h.firm(tg), h.association(tg))); err != nil {
			t.Fatal(err)
		}
		fx.ended[tg] = h.endedTraining(t, tg, 2, func(e *eventsv1.Event) {
			reg := h.approvedNomination(t, e.GetId(), tg)
			h.checkIn(t, reg, e.GetSessions()[0].GetId())
			h.checkIn(t, reg, e.GetSessions()[1].GetId())
			fx.endedReg[tg] = reg.GetId()
		})
		if res, err := h.eventsSvc.App.IssueCertificates(h.system, fx.ended[tg].GetId(), nil); err != nil || len(res.Issued) != 1 {
			t.Fatalf("fixture certificates: %v %v", res, err)
		}
		fb := h.checkIn(t, h.approvedNomination(t, fx.started[tg].GetId(), tg), "")
		if _, err := h.eventsSvc.App.CreateFeedback(h.system, fb.GetEventId(), &eventsv1.Feedback{RegistrationId: fb.GetId(), Rating: 4}); err != nil {
			t.Fatal(err)
		}
		fx.feedbackReg[tg] = fb.GetId()
	}
	return fx
}

func ev(fx *accessFixture, tg target) string { return fx.training[tg].GetId() }

var accessMatrix = map[string]struct {
	want string
	call accessCall
}{
	eventsv1.EventsService_CreateEvent_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		_, err := h.events.CreateEvent(h.ctx(t, c), &eventsv1.CreateEventRequest{Event: h.eventMessage(tg, eventsv1.EventKind_EVENT_KIND_EXPO)})
		return err
	}},
	eventsv1.EventsService_GetEvent_FullMethodName: {rowPublic, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.events.GetEvent(h.ctx(t, c), &eventsv1.GetEventRequest{Id: ev(fx, tg)})
		return err
	}},
	eventsv1.EventsService_ListEvents_FullMethodName: {rowPublic, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		resp, err := h.events.ListEvents(h.ctx(t, c), &eventsv1.ListEventsRequest{District: district(tg), PageSize: 100})
		for _, e := range resp.GetEvents() {
			if e.GetId() == fx.draft[tg].GetId() && c.role != roleBureau && !(c.role == roleOfficer && tg == own) {
				t.Errorf("ListEvents as %s leaks a draft", c.role)
			}
		}
		return err
	}},
	eventsv1.EventsService_UpdateEvent_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		e, _ := h.eventsSvc.App.GetEvent(h.system, ev(fx, tg))
		_, err := h.events.UpdateEvent(h.ctx(t, c), &eventsv1.UpdateEventRequest{Event: &eventsv1.Event{Id: e.GetId(), Etag: e.GetEtag(), Summary: "更新简介"}, UpdateMask: mask("summary")})
		return err
	}},
	eventsv1.EventsService_DeleteEvent_FullMethodName: {rowDraft, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		e := h.newEvent(t, tg, false, nil)
		_, err := h.events.DeleteEvent(h.ctx(t, c), &eventsv1.DeleteEventRequest{Id: e.GetId(), Etag: e.GetEtag()})
		return err
	}},
	eventsv1.EventsService_PublishEvent_FullMethodName: {rowDraft, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		e := h.newEvent(t, tg, false, nil)
		_, err := h.events.PublishEvent(h.ctx(t, c), &eventsv1.PublishEventRequest{Id: e.GetId()})
		return err
	}},
	eventsv1.EventsService_CloseRegistration_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		e := h.newEvent(t, tg, true, nil)
		_, err := h.events.CloseRegistration(h.ctx(t, c), &eventsv1.CloseRegistrationRequest{Id: e.GetId()})
		return err
	}},
	eventsv1.EventsService_CancelEvent_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		e := h.newEvent(t, tg, true, nil)
		_, err := h.events.CancelEvent(h.ctx(t, c), &eventsv1.CancelEventRequest{Id: e.GetId(), Reason: "测试取消"})
		return err
	}},
	eventsv1.EventsService_CreateRegistration_FullMethodName: {"U | OK | OK/PD | OK/PD | OK/PD | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := &eventsv1.Registration{Attendee: h.attendee()}
		switch c.role {
		case roleFirm:
			r.FirmId = h.firm(tg)
		case roleAssoc:
			r.AssociationId = h.association(tg)
		default:
			r.FirmId = h.firm(tg)
		}
		_, err := h.events.CreateRegistration(h.ctx(t, c), &eventsv1.CreateRegistrationRequest{EventId: ev(fx, own), Registration: r})
		if c.role == roleBureau || c.role == roleOfficer {
			_, err = h.events.CreateRegistration(h.ctx(t, c), &eventsv1.CreateRegistrationRequest{EventId: ev(fx, tg), Registration: &eventsv1.Registration{FirmId: h.firm(tg), Attendee: h.attendee()}})
		}
		return err
	}},
	eventsv1.EventsService_GetRegistration_FullMethodName: {rowRegistrant, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.pendingNomination(t, fx.training[tg], tg)
		_, err := h.events.GetRegistration(h.ctx(t, c), &eventsv1.GetRegistrationRequest{EventId: r.GetEventId(), RegistrationId: r.GetId()})
		return err
	}},
	eventsv1.EventsService_ListRegistrations_FullMethodName: {rowSignedIn, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		h.pendingNomination(t, fx.training[tg], tg)
		resp, err := h.events.ListRegistrations(h.ctx(t, c), &eventsv1.ListRegistrationsRequest{EventId: ev(fx, tg), PageSize: 100})
		for _, r := range resp.GetRegistrations() {
			mine := (c.role == roleFirm && r.GetFirmId() == h.firmA) || (c.role == roleAssoc && (r.GetNominatingAssociationId() == h.assocA || r.GetAssociationId() == h.assocA))
			if !mine && c.role != roleBureau && !(c.role == roleOfficer && tg == own) {
				t.Errorf("ListRegistrations as %s leaks %s", c.role, r.GetId())
			}
		}
		return err
	}},
	eventsv1.EventsService_UpdateRegistration_FullMethodName: {rowRegistrant, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.pendingNomination(t, fx.training[tg], tg)
		_, err := h.events.UpdateRegistration(h.ctx(t, c), &eventsv1.UpdateRegistrationRequest{Registration: &eventsv1.Registration{
			EventId: r.GetEventId(), Id: r.GetId(), Etag: r.GetEtag(), Note: "素食"}, UpdateMask: mask("note")})
		return err
	}},
	eventsv1.EventsService_DeleteRegistration_FullMethodName: {rowRegistrant, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.pendingNomination(t, fx.training[tg], tg)
		_, err := h.events.DeleteRegistration(h.ctx(t, c), &eventsv1.DeleteRegistrationRequest{EventId: r.GetEventId(), RegistrationId: r.GetId()})
		return err
	}},
	eventsv1.EventsService_CreateNomination_FullMethodName: {"U | OK | OK/PD | OK/PD | PD | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.events.CreateNomination(h.ctx(t, c), &eventsv1.CreateNominationRequest{EventId: ev(fx, tg), Registration: &eventsv1.Registration{
			FirmId: h.firm(tg), NominatingAssociationId: h.association(tg), Attendee: h.attendee()}})
		return err
	}},
	eventsv1.EventsService_ApproveRegistration_FullMethodName: {rowOrgReg, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.pendingNomination(t, fx.training[tg], tg)
		_, err := h.events.ApproveRegistration(h.ctx(t, c), &eventsv1.ApproveRegistrationRequest{EventId: r.GetEventId(), RegistrationId: r.GetId()})
		return err
	}},
	eventsv1.EventsService_DeclineRegistration_FullMethodName: {rowOrgReg, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.pendingNomination(t, fx.training[tg], tg)
		_, err := h.events.DeclineRegistration(h.ctx(t, c), &eventsv1.DeclineRegistrationRequest{EventId: r.GetEventId(), RegistrationId: r.GetId(), Reason: "名额有限"})
		return err
	}},
	eventsv1.EventsService_ListWaitlist_FullMethodName: {"U | OK | OK/PD | OK | OK | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.events.ListWaitlist(h.ctx(t, c), &eventsv1.ListWaitlistRequest{EventId: ev(fx, tg)})
		return err
	}},
	eventsv1.EventsService_ListAssociationQuotas_FullMethodName: {"U | OK | OK/PD | OK | PD | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.events.ListAssociationQuotas(h.ctx(t, c), &eventsv1.ListAssociationQuotasRequest{EventId: ev(fx, tg)})
		return err
	}},
	eventsv1.EventsService_CheckInRegistration_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.register(t, ev(fx, tg), h.firm(tg), "")
		_, err := h.events.CheckInRegistration(h.ctx(t, c), &eventsv1.CheckInRegistrationRequest{EventId: r.GetEventId(), RegistrationId: r.GetId(), Code: r.GetCheckInCode()})
		return err
	}},
	eventsv1.EventsService_RecordSessionAttendance_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.register(t, ev(fx, tg), h.firm(tg), "")
		_, err := h.events.RecordSessionAttendance(h.ctx(t, c), &eventsv1.RecordSessionAttendanceRequest{
			EventId: r.GetEventId(), SessionId: fx.training[tg].GetSessions()[0].GetId(), RegistrationIds: []string{r.GetId()}, Attended: true})
		return err
	}},
	eventsv1.EventsService_CreateBoothApplication_FullMethodName: {"U | OK | OK/PD | OK/PD | OK/PD | PD", func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		e := h.newEvent(t, tg, true, nil)
		_, err := h.events.CreateBoothApplication(h.ctx(t, c), &eventsv1.CreateBoothApplicationRequest{EventId: e.GetId(),
			BoothApplication: boothMessage(h.firm(tg), h.association(tg))})
		return err
	}},
	eventsv1.EventsService_ListBoothApplications_FullMethodName: {rowAttendee, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		resp, err := h.events.ListBoothApplications(h.ctx(t, c), &eventsv1.ListBoothApplicationsRequest{EventId: fx.expo[tg].GetId(), PageSize: 100})
		for _, b := range resp.GetBoothApplications() {
			if b.GetFirmId() != h.firmA && c.role != roleBureau && !(c.role == roleOfficer && tg == own) {
				t.Errorf("ListBoothApplications as %s leaks %s", c.role, b.GetId())
			}
			if !b.GetContact().GetMasked() {
				t.Errorf("ListBoothApplications as %s shows the booth contact unmasked", c.role)
			}
		}
		if err == nil && resp.GetTotalSize() != 1 && (c.role == roleBureau || tg == own) {
			t.Errorf("ListBoothApplications as %s on %s: %d applications, want 1", c.role, tg, resp.GetTotalSize())
		}
		return err
	}},
	eventsv1.EventsService_UpdateBoothApplication_FullMethodName: {rowApplicant, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		b := h.boothApplication(t, tg)
		_, err := h.events.UpdateBoothApplication(h.ctx(t, c), &eventsv1.UpdateBoothApplicationRequest{BoothApplication: &eventsv1.BoothApplication{
			EventId: b.GetEventId(), Id: b.GetId(), Etag: b.GetEtag(), Exhibits: "羽绒服、户外睡袋"}, UpdateMask: mask("exhibits")})
		return err
	}},
	eventsv1.EventsService_ApproveBoothApplication_FullMethodName: {rowOrgReg, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		b := h.boothApplication(t, tg)
		_, err := h.events.ApproveBoothApplication(h.ctx(t, c), &eventsv1.ApproveBoothApplicationRequest{EventId: b.GetEventId(), BoothApplicationId: b.GetId()})
		return err
	}},
	eventsv1.EventsService_DeclineBoothApplication_FullMethodName: {rowOrgReg, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		b := h.boothApplication(t, tg)
		_, err := h.events.DeclineBoothApplication(h.ctx(t, c), &eventsv1.DeclineBoothApplicationRequest{EventId: b.GetEventId(), BoothApplicationId: b.GetId(), Reason: "展位已满"})
		return err
	}},
	eventsv1.EventsService_WithdrawBoothApplication_FullMethodName: {rowApplicant, func(t *testing.T, h *harness, _ *accessFixture, c *caller, tg target) error {
		b := h.boothApplication(t, tg)
		_, err := h.events.WithdrawBoothApplication(h.ctx(t, c), &eventsv1.WithdrawBoothApplicationRequest{EventId: b.GetEventId(), BoothApplicationId: b.GetId()})
		return err
	}},
	eventsv1.EventsService_IssueCertificates_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		resp, err := h.events.IssueCertificates(h.ctx(t, c), &eventsv1.IssueCertificatesRequest{EventId: fx.ended[tg].GetId()})
		if err == nil && (len(resp.GetCertificates()) != 0 || resp.GetAlreadyIssuedCount() != 1) {
			t.Errorf("IssueCertificates again as %s: issued %d, already %d; want 0 and 1", c.role, len(resp.GetCertificates()), resp.GetAlreadyIssuedCount())
		}
		return err
	}},
	eventsv1.EventsService_ListCertificates_FullMethodName: {rowSignedIn, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		resp, err := h.events.ListCertificates(h.ctx(t, c), &eventsv1.ListCertificatesRequest{EventId: "-", PageSize: 100})
		seen := false
		for _, cert := range resp.GetCertificates() {
			if cert.GetRegistrationId() == fx.endedReg[other] && c.role != roleBureau {
				t.Errorf("ListCertificates as %s leaks %s", c.role, cert.GetNumber())
			}
			seen = seen || cert.GetRegistrationId() == fx.endedReg[tg]
		}
		if mayRead := c.role == roleBureau || (tg == own && c.role != roleExpert && c.role != roleAnonymous); mayRead && err == nil && !seen {
			t.Errorf("ListCertificates as %s misses the %s certificate", c.role, tg)
		}
		return err
	}},
	eventsv1.EventsService_CreateFeedback_FullMethodName: {"U | PD | PD | OK/NF | OK/NF | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.checkIn(t, h.approvedNomination(t, fx.started[tg].GetId(), tg), "")
		_, err := h.events.CreateFeedback(h.ctx(t, c), &eventsv1.CreateFeedbackRequest{EventId: r.GetEventId(), Feedback: &eventsv1.Feedback{
			RegistrationId: r.GetId(), Rating: 5, Comment: "对接效率高"}})
		return err
	}},
	eventsv1.EventsService_ListFeedback_FullMethodName: {rowAttendee, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		resp, err := h.events.ListFeedback(h.ctx(t, c), &eventsv1.ListFeedbackRequest{EventId: fx.started[tg].GetId(), PageSize: 100})
		for _, f := range resp.GetFeedback() {
			if f.GetRegistrationId() == fx.feedbackReg[other] && c.role != roleBureau {
				t.Errorf("ListFeedback as %s leaks %s", c.role, f.GetId())
			}
		}
		if err == nil && resp.GetTotalSize() > 0 && resp.AverageRating == nil {
			t.Errorf("ListFeedback as %s: no average rating", c.role)
		}
		return err
	}},
	eventsv1.EventsService_CreateOutcome_FullMethodName: {"U | OK | OK/PD | OK/PD | OK/PD | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.events.CreateOutcome(h.ctx(t, c), &eventsv1.CreateOutcomeRequest{EventId: fx.started[tg].GetId(), Outcome: &eventsv1.Outcome{
			FirmId: h.firm(tg), Kind: eventsv1.OutcomeKind_OUTCOME_KIND_INTENT, OccurTime: timestamppb.New(time.Now().Add(-time.Minute))}})
		return err
	}},
	eventsv1.EventsService_ListOutcomes_FullMethodName: {rowSignedIn, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		h.outcome(t, fx, tg)
		resp, err := h.events.ListOutcomes(h.ctx(t, c), &eventsv1.ListOutcomesRequest{EventId: "-", PageSize: 100})
		for _, o := range resp.GetOutcomes() {
			if o.GetFirmId() != h.firmA && c.role != roleBureau {
				t.Errorf("ListOutcomes as %s leaks firm %s", c.role, o.GetFirmId())
			}
		}
		return err
	}},
	eventsv1.EventsService_UpdateOutcome_FullMethodName: {"U | OK | OK/NF | OK/NF | OK/NF | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		o := h.outcome(t, fx, tg)
		_, err := h.events.UpdateOutcome(h.ctx(t, c), &eventsv1.UpdateOutcomeRequest{Outcome: &eventsv1.Outcome{
			EventId: o.GetEventId(), Id: o.GetId(), Etag: o.GetEtag(), Description: "补充说明"}, UpdateMask: mask("description")})
		return err
	}},
	eventsv1.EventsService_DeleteOutcome_FullMethodName: {"U | OK | OK/NF | OK/NF | OK/NF | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		o := h.outcome(t, fx, tg)
		_, err := h.events.DeleteOutcome(h.ctx(t, c), &eventsv1.DeleteOutcomeRequest{EventId: o.GetEventId(), OutcomeId: o.GetId(), Etag: o.GetEtag()})
		return err
	}},
	eventsv1.EventsService_ExportRegistrations_FullMethodName: {rowSignedIn, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.events.ExportRegistrations(h.ctx(t, c), &eventsv1.ExportRegistrationsRequest{EventId: ev(fx, tg)})
		return err
	}},
	eventsv1.EventsService_ExportAttendance_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.events.ExportAttendance(h.ctx(t, c), &eventsv1.ExportAttendanceRequest{EventId: ev(fx, tg)})
		return err
	}},
	eventsv1.EventsService_ExportOutcomes_FullMethodName: {rowSignedIn, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.events.ExportOutcomes(h.ctx(t, c), &eventsv1.ExportOutcomesRequest{EventId: "-", District: district(tg)})
		return err
	}},

	eventsv1.MatchmakingService_GetMatchmakingSettings_FullMethodName: {rowMMRead, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.mm.GetMatchmakingSettings(h.ctx(t, c), &eventsv1.GetMatchmakingSettingsRequest{EventId: fx.mm[tg].event.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_UpdateMatchmakingSettings_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		set, _ := h.eventsSvc.App.GetMatchmakingSettings(h.system, fx.mm[tg].event.GetId())
		_, err := h.mm.UpdateMatchmakingSettings(h.ctx(t, c), &eventsv1.UpdateMatchmakingSettingsRequest{Settings: &eventsv1.MatchmakingSettings{
			EventId: set.GetEventId(), Etag: set.GetEtag(), MaxRequestsPerParticipant: 20}, UpdateMask: mask("max_requests_per_participant")})
		return err
	}},
	eventsv1.MatchmakingService_CreateParticipant_FullMethodName: {"U | OK | OK/PD | PD | AE/FP | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		p := &eventsv1.Participant{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, DisplayName: "新采购商"}
		if c.role == roleFirm {
			p = &eventsv1.Participant{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_FIRM}
		}
		_, err := h.mm.CreateParticipant(h.ctx(t, c), &eventsv1.CreateParticipantRequest{EventId: fx.mm[tg].event.GetId(), Participant: p})
		return err
	}},
	eventsv1.MatchmakingService_ListParticipants_FullMethodName: {rowMMRead, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.mm.ListParticipants(h.ctx(t, c), &eventsv1.ListParticipantsRequest{EventId: fx.mm[tg].event.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_UpdateParticipant_FullMethodName: {rowMMRead, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		f := fx.mm[tg]
		p, _, _, _ := h.eventsSvc.App.ListParticipants(h.system, f.event.GetId(), 0, h.firm(tg), "", 1, "")
		_, err := h.mm.UpdateParticipant(h.ctx(t, c), &eventsv1.UpdateParticipantRequest{Participant: &eventsv1.Participant{
			EventId: f.event.GetId(), Id: p[0].GetId(), Etag: p[0].GetEtag(), ProfileLine: "寻找欧洲采购商"}, UpdateMask: mask("profile_line")})
		return err
	}},
	eventsv1.MatchmakingService_DeleteParticipant_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		b := h.buyer(t, fx.mm[tg])
		_, err := h.mm.DeleteParticipant(h.ctx(t, c), &eventsv1.DeleteParticipantRequest{EventId: b.GetEventId(), ParticipantId: b.GetId(), Etag: b.GetEtag()})
		return err
	}},
	eventsv1.MatchmakingService_CreateMeetingRequest_FullMethodName: {rowMMRead, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		f := fx.mm[tg]
		_, err := h.mm.CreateMeetingRequest(h.ctx(t, c), &eventsv1.CreateMeetingRequestRequest{EventId: f.event.GetId(), MeetingRequest: &eventsv1.MeetingRequest{
			RequesterParticipantId: pick(tg, f.firmA, f.firmB).GetId(), RecipientParticipantId: h.buyer(t, f).GetId()}})
		return err
	}},
	eventsv1.MatchmakingService_ListMeetingRequests_FullMethodName: {rowMMRead, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.mm.ListMeetingRequests(h.ctx(t, c), &eventsv1.ListMeetingRequestsRequest{EventId: fx.mm[tg].event.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_AcceptMeetingRequest_FullMethodName: {"U | OK | OK/NF | PD | PD/NF | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.pendingRequest(t, fx, tg)
		_, err := h.mm.AcceptMeetingRequest(h.ctx(t, c), &eventsv1.AcceptMeetingRequestRequest{EventId: r.GetEventId(), MeetingRequestId: r.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_DeclineMeetingRequest_FullMethodName: {"U | OK | OK/NF | PD | PD/NF | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.pendingRequest(t, fx, tg)
		_, err := h.mm.DeclineMeetingRequest(h.ctx(t, c), &eventsv1.DeclineMeetingRequestRequest{EventId: r.GetEventId(), MeetingRequestId: r.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_CancelMeetingRequest_FullMethodName: {"U | OK | OK/NF | PD | OK/NF | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		r := h.pendingRequest(t, fx, tg)
		_, err := h.mm.CancelMeetingRequest(h.ctx(t, c), &eventsv1.CancelMeetingRequestRequest{EventId: r.GetEventId(), MeetingRequestId: r.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_ScheduleMeetings_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.mm.ScheduleMeetings(h.ctx(t, c), &eventsv1.ScheduleMeetingsRequest{EventId: fx.mm[tg].event.GetId(), DryRun: true})
		return err
	}},
	eventsv1.MatchmakingService_GetSchedule_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.mm.GetSchedule(h.ctx(t, c), &eventsv1.GetScheduleRequest{EventId: fx.mm[tg].event.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_PublishSchedule_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.mm.PublishSchedule(h.ctx(t, c), &eventsv1.PublishScheduleRequest{EventId: fx.mm[tg].event.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_MoveMeeting_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		f := fx.mm[tg]
		sc, _ := h.eventsSvc.App.GetSchedule(h.system, f.event.GetId())
		var slot, table string
		for _, m := range sc.GetMeetings() {
			if m.GetId() == fx.meeting[tg] {
				slot, table = m.GetSlotId(), m.GetTableId()
			}
		}
		_, err := h.mm.MoveMeeting(h.ctx(t, c), &eventsv1.MoveMeetingRequest{EventId: f.event.GetId(), MeetingId: fx.meeting[tg], SlotId: slot, TableId: table})
		return err
	}},
	eventsv1.MatchmakingService_RecordNoShow_FullMethodName: {"U | FP | FP/NF | PD | FP/NF | PD", func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		f := fx.mm[tg]
		_, err := h.mm.RecordNoShow(h.ctx(t, c), &eventsv1.RecordNoShowRequest{EventId: f.event.GetId(), MeetingId: fx.meeting[tg], AbsentParticipantId: f.buyer1.GetId()})
		return err
	}},
	eventsv1.MatchmakingService_GetAgenda_FullMethodName: {rowMMRead, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		f := fx.mm[tg]
		_, err := h.mm.GetAgenda(h.ctx(t, c), &eventsv1.GetAgendaRequest{EventId: f.event.GetId(), ParticipantId: pick(tg, f.firmA, f.firmB).GetId()})
		return err
	}},
	eventsv1.MatchmakingService_ExportSchedule_FullMethodName: {rowOrganiser, func(t *testing.T, h *harness, fx *accessFixture, c *caller, tg target) error {
		_, err := h.mm.ExportSchedule(h.ctx(t, c), &eventsv1.ExportScheduleRequest{EventId: fx.mm[tg].event.GetId()})
		return err
	}},
}

// TestAccessMatrix walks every RPC of the events contract × role × own/other
// object and fails for an RPC without an entry.
func TestAccessMatrix(t *testing.T) {
	h := newHarness(t)
	fx := newAccessFixture(t, h)
	for _, m := range accesstest.ContractMethods(eventsv1.File_qihang_events_v1_events_proto, eventsv1.File_qihang_events_v1_matchmaking_proto) {
		name := accesstest.ShortName(m)
		e, ok := accessMatrix[m]
		if !ok {
			t.Errorf("%s has no access-matrix entry", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			want, err := accesstest.ParseWant(e.want)
			if err != nil {
				t.Fatalf("bad row %q: %v", e.want, err)
			}
			for _, role := range accesstest.Roles {
				for _, tg := range accesstest.Targets {
					err := e.call(t, h, fx, h.callers[role], tg)
					if got := status.Code(err); got != want[role][tg] {
						t.Errorf("%s as %s on %s: %v (%q), want %v", name, role, tg, got, status.Convert(err).Message(), want[role][tg])
					}
				}
			}
		})
	}
}
