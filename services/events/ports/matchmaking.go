package ports

import (
	"context"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/services/events/app"
)

// MatchmakingServer implements qihang.events.v1.MatchmakingService.
type MatchmakingServer struct {
	eventsv1.UnimplementedMatchmakingServiceServer
	app *app.Service
}

var _ eventsv1.MatchmakingServiceServer = (*MatchmakingServer)(nil)

// NewMatchmakingServer returns the gRPC server of the matchmaking use cases.
func NewMatchmakingServer(a *app.Service) *MatchmakingServer { return &MatchmakingServer{app: a} }

// GetMatchmakingSettings returns the settings.
func (s *MatchmakingServer) GetMatchmakingSettings(ctx context.Context, req *eventsv1.GetMatchmakingSettingsRequest) (*eventsv1.GetMatchmakingSettingsResponse, error) {
	set, err := s.app.GetMatchmakingSettings(ctx, req.GetEventId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.GetMatchmakingSettingsResponse{Settings: set}, nil
}

// UpdateMatchmakingSettings changes the settings.
func (s *MatchmakingServer) UpdateMatchmakingSettings(ctx context.Context, req *eventsv1.UpdateMatchmakingSettingsRequest) (*eventsv1.UpdateMatchmakingSettingsResponse, error) {
	set, err := s.app.UpdateMatchmakingSettings(ctx, req.GetSettings(), req.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, err
	}
	return &eventsv1.UpdateMatchmakingSettingsResponse{Settings: set}, nil
}

// CreateParticipant adds a participant.
func (s *MatchmakingServer) CreateParticipant(ctx context.Context, req *eventsv1.CreateParticipantRequest) (*eventsv1.CreateParticipantResponse, error) {
	p, err := s.app.CreateParticipant(ctx, req.GetEventId(), req.GetParticipant())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateParticipantResponse{Participant: p}, nil
}

// ListParticipants lists participants.
func (s *MatchmakingServer) ListParticipants(ctx context.Context, req *eventsv1.ListParticipantsRequest) (*eventsv1.ListParticipantsResponse, error) {
	list, next, total, err := s.app.ListParticipants(ctx, req.GetEventId(), req.GetRole(), req.GetFirmId(), req.GetNameContains(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListParticipantsResponse{Participants: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateParticipant changes a participant.
func (s *MatchmakingServer) UpdateParticipant(ctx context.Context, req *eventsv1.UpdateParticipantRequest) (*eventsv1.UpdateParticipantResponse, error) {
	p, err := s.app.UpdateParticipant(ctx, req.GetParticipant(), req.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, err
	}
	return &eventsv1.UpdateParticipantResponse{Participant: p}, nil
}

// DeleteParticipant removes a participant.
func (s *MatchmakingServer) DeleteParticipant(ctx context.Context, req *eventsv1.DeleteParticipantRequest) (*eventsv1.DeleteParticipantResponse, error) {
	if err := s.app.DeleteParticipant(ctx, req.GetEventId(), req.GetParticipantId(), req.GetEtag()); err != nil {
		return nil, err
	}
	return &eventsv1.DeleteParticipantResponse{}, nil
}

// CreateMeetingRequest sends a request.
func (s *MatchmakingServer) CreateMeetingRequest(ctx context.Context, req *eventsv1.CreateMeetingRequestRequest) (*eventsv1.CreateMeetingRequestResponse, error) {
	r, err := s.app.CreateMeetingRequest(ctx, req.GetEventId(), req.GetMeetingRequest())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateMeetingRequestResponse{MeetingRequest: r}, nil
}

// ListMeetingRequests lists requests.
func (s *MatchmakingServer) ListMeetingRequests(ctx context.Context, req *eventsv1.ListMeetingRequestsRequest) (*eventsv1.ListMeetingRequestsResponse, error) {
	list, next, total, err := s.app.ListMeetingRequests(ctx, req)
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListMeetingRequestsResponse{MeetingRequests: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// AcceptMeetingRequest accepts a request.
func (s *MatchmakingServer) AcceptMeetingRequest(ctx context.Context, req *eventsv1.AcceptMeetingRequestRequest) (*eventsv1.AcceptMeetingRequestResponse, error) {
	r, err := s.app.AcceptMeetingRequest(ctx, req.GetEventId(), req.GetMeetingRequestId(), req.GetMessage())
	if err != nil {
		return nil, err
	}
	return &eventsv1.AcceptMeetingRequestResponse{MeetingRequest: r}, nil
}

// DeclineMeetingRequest declines a request.
func (s *MatchmakingServer) DeclineMeetingRequest(ctx context.Context, req *eventsv1.DeclineMeetingRequestRequest) (*eventsv1.DeclineMeetingRequestResponse, error) {
	r, err := s.app.DeclineMeetingRequest(ctx, req.GetEventId(), req.GetMeetingRequestId(), req.GetMessage())
	if err != nil {
		return nil, err
	}
	return &eventsv1.DeclineMeetingRequestResponse{MeetingRequest: r}, nil
}

// CancelMeetingRequest cancels a request.
func (s *MatchmakingServer) CancelMeetingRequest(ctx context.Context, req *eventsv1.CancelMeetingRequestRequest) (*eventsv1.CancelMeetingRequestResponse, error) {
	r, err := s.app.CancelMeetingRequest(ctx, req.GetEventId(), req.GetMeetingRequestId(), req.GetMessage())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CancelMeetingRequestResponse{MeetingRequest: r}, nil
}

// ScheduleMeetings runs the scheduler.
func (s *MatchmakingServer) ScheduleMeetings(ctx context.Context, req *eventsv1.ScheduleMeetingsRequest) (*eventsv1.ScheduleMeetingsResponse, error) {
	sc, err := s.app.ScheduleMeetings(ctx, req)
	if err != nil {
		return nil, err
	}
	return &eventsv1.ScheduleMeetingsResponse{Schedule: sc}, nil
}

// GetSchedule returns the grid.
func (s *MatchmakingServer) GetSchedule(ctx context.Context, req *eventsv1.GetScheduleRequest) (*eventsv1.GetScheduleResponse, error) {
	sc, err := s.app.GetSchedule(ctx, req.GetEventId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.GetScheduleResponse{Schedule: sc}, nil
}

// PublishSchedule publishes agendas.
func (s *MatchmakingServer) PublishSchedule(ctx context.Context, req *eventsv1.PublishScheduleRequest) (*eventsv1.PublishScheduleResponse, error) {
	sc, err := s.app.PublishSchedule(ctx, req.GetEventId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.PublishScheduleResponse{Schedule: sc}, nil
}

// MoveMeeting moves a meeting by hand.
func (s *MatchmakingServer) MoveMeeting(ctx context.Context, req *eventsv1.MoveMeetingRequest) (*eventsv1.MoveMeetingResponse, error) {
	m, tag, v, err := s.app.MoveMeeting(ctx, req)
	if err != nil {
		return nil, err
	}
	return &eventsv1.MoveMeetingResponse{Meeting: m, ScheduleEtag: tag, Verification: v}, nil
}

// RecordNoShow records an absence.
func (s *MatchmakingServer) RecordNoShow(ctx context.Context, req *eventsv1.RecordNoShowRequest) (*eventsv1.RecordNoShowResponse, error) {
	m, err := s.app.RecordNoShow(ctx, req.GetEventId(), req.GetMeetingId(), req.GetAbsentParticipantId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.RecordNoShowResponse{Meeting: m}, nil
}

// GetAgenda returns a participant's agenda.
func (s *MatchmakingServer) GetAgenda(ctx context.Context, req *eventsv1.GetAgendaRequest) (*eventsv1.GetAgendaResponse, error) {
	a, err := s.app.GetAgenda(ctx, req.GetEventId(), req.GetParticipantId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.GetAgendaResponse{Agenda: a}, nil
}

// ExportSchedule exports the grid.
func (s *MatchmakingServer) ExportSchedule(ctx context.Context, req *eventsv1.ExportScheduleRequest) (*eventsv1.ExportScheduleResponse, error) {
	f, err := s.app.ExportSchedule(ctx, req.GetEventId())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ExportScheduleResponse{File: f}, nil
}
