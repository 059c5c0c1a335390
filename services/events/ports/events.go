// Package ports serves the events use cases over gRPC. The contract's
// messages are the service's model, so handlers only unpack requests, call
// the application and pack responses; errors become statuses in the
// server's error interceptor.
package ports

import (
	"context"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/services/events/app"
)

// EventsServer implements qihang.events.v1.EventsService.
type EventsServer struct {
	eventsv1.UnimplementedEventsServiceServer
	app *app.Service
}

var _ eventsv1.EventsServiceServer = (*EventsServer)(nil)

// NewEventsServer returns the gRPC server of the events use cases.
func NewEventsServer(a *app.Service) *EventsServer { return &EventsServer{app: a} }

// PublicMethods are the RPCs callable without a token; each still decides
// what an anonymous caller may see (published events only).
var PublicMethods = []string{
	eventsv1.EventsService_GetEvent_FullMethodName,
	eventsv1.EventsService_ListEvents_FullMethodName,
}

// CreateEvent creates a draft event.
func (s *EventsServer) CreateEvent(ctx context.Context, req *eventsv1.CreateEventRequest) (*eventsv1.CreateEventResponse, error) {
	e, err := s.app.CreateEvent(ctx, req.GetEvent())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateEventResponse{Event: e}, nil
}

// GetEvent returns one event.
func (s *EventsServer) GetEvent(ctx context.Context, req *eventsv1.GetEventRequest) (*eventsv1.GetEventResponse, error) {
	e, err := s.app.GetEvent(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.GetEventResponse{Event: e}, nil
}

// ListEvents lists events.
func (s *EventsServer) ListEvents(ctx context.Context, req *eventsv1.ListEventsRequest) (*eventsv1.ListEventsResponse, error) {
	list, next, total, err := s.app.ListEvents(ctx, app.EventFilter{
		Kind: req.GetKind(), Status: req.GetStatus(), District: req.GetDistrict(), BeltID: req.GetIndustryBeltId(),
		Industry: req.GetIndustry(), StartAfter: req.GetStartAfter(), StartBefore: req.GetStartBefore(),
		TitleContains: req.GetTitleContains(), NewestFirst: req.GetNewestFirst(),
	}, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListEventsResponse{Events: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateEvent changes an event.
func (s *EventsServer) UpdateEvent(ctx context.Context, req *eventsv1.UpdateEventRequest) (*eventsv1.UpdateEventResponse, error) {
	e, err := s.app.UpdateEvent(ctx, req.GetEvent(), req.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, err
	}
	return &eventsv1.UpdateEventResponse{Event: e}, nil
}

// DeleteEvent deletes a draft.
func (s *EventsServer) DeleteEvent(ctx context.Context, req *eventsv1.DeleteEventRequest) (*eventsv1.DeleteEventResponse, error) {
	if err := s.app.DeleteEvent(ctx, req.GetId(), req.GetEtag()); err != nil {
		return nil, err
	}
	return &eventsv1.DeleteEventResponse{}, nil
}

// PublishEvent publishes a draft.
func (s *EventsServer) PublishEvent(ctx context.Context, req *eventsv1.PublishEventRequest) (*eventsv1.PublishEventResponse, error) {
	e, err := s.app.PublishEvent(ctx, req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.PublishEventResponse{Event: e}, nil
}

// CloseRegistration closes registration.
func (s *EventsServer) CloseRegistration(ctx context.Context, req *eventsv1.CloseRegistrationRequest) (*eventsv1.CloseRegistrationResponse, error) {
	e, err := s.app.CloseRegistration(ctx, req.GetId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CloseRegistrationResponse{Event: e}, nil
}

// CancelEvent cancels an event.
func (s *EventsServer) CancelEvent(ctx context.Context, req *eventsv1.CancelEventRequest) (*eventsv1.CancelEventResponse, error) {
	e, err := s.app.CancelEvent(ctx, req.GetId(), req.GetReason(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CancelEventResponse{Event: e}, nil
}

// CreateRegistration registers one attendee.
func (s *EventsServer) CreateRegistration(ctx context.Context, req *eventsv1.CreateRegistrationRequest) (*eventsv1.CreateRegistrationResponse, error) {
	r, err := s.app.CreateRegistration(ctx, req.GetEventId(), req.GetRegistration())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateRegistrationResponse{Registration: r}, nil
}

// GetRegistration returns one registration.
func (s *EventsServer) GetRegistration(ctx context.Context, req *eventsv1.GetRegistrationRequest) (*eventsv1.GetRegistrationResponse, error) {
	r, err := s.app.GetRegistration(ctx, req.GetEventId(), req.GetRegistrationId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.GetRegistrationResponse{Registration: r}, nil
}

func regFilter(eventID string, st eventsv1.RegistrationStatus, src eventsv1.RegistrationSource, firm, assoc, nominating string) app.RegistrationFilter {
	return app.RegistrationFilter{EventID: eventID, Status: st, Source: src, FirmID: firm, AssociationID: assoc, NominatingAssociationID: nominating}
}

// ListRegistrations lists registrations.
func (s *EventsServer) ListRegistrations(ctx context.Context, req *eventsv1.ListRegistrationsRequest) (*eventsv1.ListRegistrationsResponse, error) {
	f := regFilter(req.GetEventId(), req.GetStatus(), req.GetSource(), req.GetFirmId(), req.GetAssociationId(), req.GetNominatingAssociationId())
	f.CheckedIn, f.AttendedSessionID, f.NameContains = req.CheckedIn, req.GetAttendedSessionId(), req.GetNameContains()
	list, next, total, err := s.app.ListRegistrations(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListRegistrationsResponse{Registrations: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateRegistration changes a registration.
func (s *EventsServer) UpdateRegistration(ctx context.Context, req *eventsv1.UpdateRegistrationRequest) (*eventsv1.UpdateRegistrationResponse, error) {
	r, err := s.app.UpdateRegistration(ctx, req.GetRegistration(), req.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, err
	}
	return &eventsv1.UpdateRegistrationResponse{Registration: r}, nil
}

// DeleteRegistration cancels a registration.
func (s *EventsServer) DeleteRegistration(ctx context.Context, req *eventsv1.DeleteRegistrationRequest) (*eventsv1.DeleteRegistrationResponse, error) {
	r, err := s.app.DeleteRegistration(ctx, req.GetEventId(), req.GetRegistrationId(), req.GetEtag(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &eventsv1.DeleteRegistrationResponse{Registration: r}, nil
}

// CreateNomination nominates an attendee.
func (s *EventsServer) CreateNomination(ctx context.Context, req *eventsv1.CreateNominationRequest) (*eventsv1.CreateNominationResponse, error) {
	r, err := s.app.CreateNomination(ctx, req.GetEventId(), req.GetRegistration())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateNominationResponse{Registration: r}, nil
}

// ApproveRegistration approves a pending registration.
func (s *EventsServer) ApproveRegistration(ctx context.Context, req *eventsv1.ApproveRegistrationRequest) (*eventsv1.ApproveRegistrationResponse, error) {
	r, err := s.app.ApproveRegistration(ctx, req.GetEventId(), req.GetRegistrationId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ApproveRegistrationResponse{Registration: r}, nil
}

// DeclineRegistration declines a pending registration.
func (s *EventsServer) DeclineRegistration(ctx context.Context, req *eventsv1.DeclineRegistrationRequest) (*eventsv1.DeclineRegistrationResponse, error) {
	r, err := s.app.DeclineRegistration(ctx, req.GetEventId(), req.GetRegistrationId(), req.GetReason(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.DeclineRegistrationResponse{Registration: r}, nil
}

// ListWaitlist lists the waiting list.
func (s *EventsServer) ListWaitlist(ctx context.Context, req *eventsv1.ListWaitlistRequest) (*eventsv1.ListWaitlistResponse, error) {
	list, next, total, left, err := s.app.ListWaitlist(ctx, req.GetEventId(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListWaitlistResponse{Registrations: list, NextPageToken: next, TotalSize: int32(total), SeatsLeft: left}, nil
}

// ListAssociationQuotas lists quota use.
func (s *EventsServer) ListAssociationQuotas(ctx context.Context, req *eventsv1.ListAssociationQuotasRequest) (*eventsv1.ListAssociationQuotasResponse, error) {
	list, next, total, err := s.app.ListAssociationQuotas(ctx, req.GetEventId(), req.GetAssociationId(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListAssociationQuotasResponse{AssociationQuotas: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// CheckInRegistration checks an attendee in.
func (s *EventsServer) CheckInRegistration(ctx context.Context, req *eventsv1.CheckInRegistrationRequest) (*eventsv1.CheckInRegistrationResponse, error) {
	r, err := s.app.CheckInRegistration(ctx, req.GetEventId(), req.GetRegistrationId(), req.GetCode(), req.GetSessionId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CheckInRegistrationResponse{Registration: r}, nil
}

// RecordSessionAttendance marks attendance.
func (s *EventsServer) RecordSessionAttendance(ctx context.Context, req *eventsv1.RecordSessionAttendanceRequest) (*eventsv1.RecordSessionAttendanceResponse, error) {
	n, err := s.app.RecordSessionAttendance(ctx, req.GetEventId(), req.GetSessionId(), req.GetRegistrationIds(), req.GetAttended())
	if err != nil {
		return nil, err
	}
	return &eventsv1.RecordSessionAttendanceResponse{ChangedCount: int32(n)}, nil
}

// CreateOutcome records an outcome.
func (s *EventsServer) CreateOutcome(ctx context.Context, req *eventsv1.CreateOutcomeRequest) (*eventsv1.CreateOutcomeResponse, error) {
	o, err := s.app.CreateOutcome(ctx, req.GetEventId(), req.GetOutcome())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateOutcomeResponse{Outcome: o}, nil
}

// ListOutcomes lists outcomes.
func (s *EventsServer) ListOutcomes(ctx context.Context, req *eventsv1.ListOutcomesRequest) (*eventsv1.ListOutcomesResponse, error) {
	list, next, total, totals, err := s.app.ListOutcomes(ctx, app.OutcomeFilter{
		EventID: req.GetEventId(), Kind: req.GetKind(), FirmID: req.GetFirmId(), AssociationID: req.GetAssociationId(),
		EventKind: req.GetEventKind(), District: req.GetDistrict(), OccurAfter: req.GetOccurAfter(), OccurBefore: req.GetOccurBefore(),
		Verified: req.Verified,
	}, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListOutcomesResponse{Outcomes: list, NextPageToken: next, TotalSize: int32(total), Totals: totals}, nil
}

// UpdateOutcome changes an outcome.
func (s *EventsServer) UpdateOutcome(ctx context.Context, req *eventsv1.UpdateOutcomeRequest) (*eventsv1.UpdateOutcomeResponse, error) {
	o, err := s.app.UpdateOutcome(ctx, req.GetOutcome(), req.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, err
	}
	return &eventsv1.UpdateOutcomeResponse{Outcome: o}, nil
}

// DeleteOutcome deletes an outcome.
func (s *EventsServer) DeleteOutcome(ctx context.Context, req *eventsv1.DeleteOutcomeRequest) (*eventsv1.DeleteOutcomeResponse, error) {
	if err := s.app.DeleteOutcome(ctx, req.GetEventId(), req.GetOutcomeId(), req.GetEtag()); err != nil {
		return nil, err
	}
	return &eventsv1.DeleteOutcomeResponse{}, nil
}

// ExportRegistrations exports registrations.
func (s *EventsServer) ExportRegistrations(ctx context.Context, req *eventsv1.ExportRegistrationsRequest) (*eventsv1.ExportRegistrationsResponse, error) {
	f, err := s.app.ExportRegistrations(ctx, regFilter(req.GetEventId(), req.GetStatus(), req.GetSource(), req.GetFirmId(), req.GetAssociationId(), req.GetNominatingAssociationId()), req.GetRevealContacts())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ExportRegistrationsResponse{File: f}, nil
}

// ExportAttendance exports attendance.
func (s *EventsServer) ExportAttendance(ctx context.Context, req *eventsv1.ExportAttendanceRequest) (*eventsv1.ExportAttendanceResponse, error) {
	f, err := s.app.ExportAttendance(ctx, req.GetEventId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ExportAttendanceResponse{File: f}, nil
}

// ExportOutcomes exports outcomes.
func (s *EventsServer) ExportOutcomes(ctx context.Context, req *eventsv1.ExportOutcomesRequest) (*eventsv1.ExportOutcomesResponse, error) {
	f, err := s.app.ExportOutcomes(ctx, app.OutcomeFilter{
		EventID: req.GetEventId(), Kind: req.GetKind(), FirmID: req.GetFirmId(), AssociationID: req.GetAssociationId(),
		EventKind: req.GetEventKind(), District: req.GetDistrict(), OccurAfter: req.GetOccurAfter(), OccurBefore: req.GetOccurBefore(),
		Verified: req.Verified,
	})
	if err != nil {
		return nil, err
	}
	return &eventsv1.ExportOutcomesResponse{File: f}, nil
}
