// Package ports serves the consult use cases over gRPC. The contract's
// messages are the consult model, so handlers unpack requests, call the
// application and pack responses. Errors with a contract ErrorReason become
// statuses carrying a google.rpc.ErrorInfo detail here; every other error
// becomes a status in the server's error interceptor.
package ports

import (
	"context"
	"errors"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/services/consult/app"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// PublicMethods are the consult RPCs callable without a token: none. The
// contract lets every signed-in caller read experts, slots and clinics, and
// anonymous callers get UNAUTHENTICATED.
var PublicMethods = []string{}

// wrap adds the ErrorInfo detail to reasoned errors; a stale etag (an
// apperr conflict without a reason) gets ERROR_REASON_ETAG_MISMATCH.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	reason, md := consultv1.ErrorReason_ERROR_REASON_UNSPECIFIED, map[string]string(nil)
	code := apperr.KindConflict.Code()
	msg := ""
	switch {
	case errors.As(err, &de):
		reason, md, code, msg = de.Reason, de.Metadata, de.Kind.Code(), de.Msg
	case apperr.IsKind(err, apperr.KindConflict):
		var e *apperr.Error
		errors.As(err, &e)
		reason, msg = consultv1.ErrorReason_ERROR_REASON_ETAG_MISMATCH, e.Msg
	default:
		return err
	}
	st := status.New(code, msg)
	if withInfo, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: reason.String(), Domain: domain.ErrorDomain, Metadata: md}); derr == nil {
		st = withInfo
	}
	return st.Err()
}

func tsOrZero(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

func maskPaths(m interface{ GetPaths() []string }) []string {
	if m == nil {
		return nil
	}
	return m.GetPaths()
}

// ExpertServer implements qihang.consult.v1.ExpertService.
type ExpertServer struct {
	consultv1.UnimplementedExpertServiceServer
	app *app.Service
}

var _ consultv1.ExpertServiceServer = (*ExpertServer)(nil)

// NewExpertServer returns the gRPC server of experts, slots and clinics.
func NewExpertServer(a *app.Service) *ExpertServer { return &ExpertServer{app: a} }

// CreateExpert registers an expert.
func (s *ExpertServer) CreateExpert(ctx context.Context, req *consultv1.CreateExpertRequest) (*consultv1.CreateExpertResponse, error) {
	e, err := s.app.CreateExpert(ctx, req.GetExpert())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.CreateExpertResponse{Expert: e}, nil
}

// GetExpert returns one expert.
func (s *ExpertServer) GetExpert(ctx context.Context, req *consultv1.GetExpertRequest) (*consultv1.GetExpertResponse, error) {
	e, err := s.app.GetExpert(ctx, req.GetId())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.GetExpertResponse{Expert: e}, nil
}

// ListExperts lists experts.
func (s *ExpertServer) ListExperts(ctx context.Context, req *consultv1.ListExpertsRequest) (*consultv1.ListExpertsResponse, error) {
	list, next, total, err := s.app.ListExperts(ctx, req)
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.ListExpertsResponse{Experts: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateExpert changes an expert.
func (s *ExpertServer) UpdateExpert(ctx context.Context, req *consultv1.UpdateExpertRequest) (*consultv1.UpdateExpertResponse, error) {
	e, err := s.app.UpdateExpert(ctx, req.GetExpert(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.UpdateExpertResponse{Expert: e}, nil
}

// DeleteExpert soft-deletes an expert.
func (s *ExpertServer) DeleteExpert(ctx context.Context, req *consultv1.DeleteExpertRequest) (*consultv1.DeleteExpertResponse, error) {
	if err := s.app.DeleteExpert(ctx, req.GetId(), req.GetEtag()); err != nil {
		return nil, wrap(err)
	}
	return &consultv1.DeleteExpertResponse{}, nil
}

// GetExpertCapacity reports a week's capacity.
func (s *ExpertServer) GetExpertCapacity(ctx context.Context, req *consultv1.GetExpertCapacityRequest) (*consultv1.GetExpertCapacityResponse, error) {
	c, err := s.app.GetExpertCapacity(ctx, req.GetExpertId(), tsOrZero(req.GetTime()))
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.GetExpertCapacityResponse{Capacity: c}, nil
}

// CreateSlot publishes a slot.
func (s *ExpertServer) CreateSlot(ctx context.Context, req *consultv1.CreateSlotRequest) (*consultv1.CreateSlotResponse, error) {
	sl, err := s.app.CreateSlot(ctx, req.GetExpertId(), req.GetSlot())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.CreateSlotResponse{Slot: sl}, nil
}

// ListSlots lists slots.
func (s *ExpertServer) ListSlots(ctx context.Context, req *consultv1.ListSlotsRequest) (*consultv1.ListSlotsResponse, error) {
	list, next, total, err := s.app.ListSlots(ctx, req)
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.ListSlotsResponse{Slots: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateSlot changes a slot.
func (s *ExpertServer) UpdateSlot(ctx context.Context, req *consultv1.UpdateSlotRequest) (*consultv1.UpdateSlotResponse, error) {
	sl, err := s.app.UpdateSlot(ctx, req.GetSlot(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.UpdateSlotResponse{Slot: sl}, nil
}

// DeleteSlot withdraws a slot.
func (s *ExpertServer) DeleteSlot(ctx context.Context, req *consultv1.DeleteSlotRequest) (*consultv1.DeleteSlotResponse, error) {
	if err := s.app.DeleteSlot(ctx, req.GetId(), req.GetEtag()); err != nil {
		return nil, wrap(err)
	}
	return &consultv1.DeleteSlotResponse{}, nil
}

// CreateClinic schedules a clinic.
func (s *ExpertServer) CreateClinic(ctx context.Context, req *consultv1.CreateClinicRequest) (*consultv1.CreateClinicResponse, error) {
	c, err := s.app.CreateClinic(ctx, req.GetClinic())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.CreateClinicResponse{Clinic: c}, nil
}

// GetClinic returns a clinic.
func (s *ExpertServer) GetClinic(ctx context.Context, req *consultv1.GetClinicRequest) (*consultv1.GetClinicResponse, error) {
	c, err := s.app.GetClinic(ctx, req.GetId())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.GetClinicResponse{Clinic: c}, nil
}

// ListClinics lists clinics.
func (s *ExpertServer) ListClinics(ctx context.Context, req *consultv1.ListClinicsRequest) (*consultv1.ListClinicsResponse, error) {
	list, next, total, err := s.app.ListClinics(ctx, req)
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.ListClinicsResponse{Clinics: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateClinic changes a clinic.
func (s *ExpertServer) UpdateClinic(ctx context.Context, req *consultv1.UpdateClinicRequest) (*consultv1.UpdateClinicResponse, error) {
	c, err := s.app.UpdateClinic(ctx, req.GetClinic(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.UpdateClinicResponse{Clinic: c}, nil
}

// CancelClinic cancels a clinic.
func (s *ExpertServer) CancelClinic(ctx context.Context, req *consultv1.CancelClinicRequest) (*consultv1.CancelClinicResponse, error) {
	c, err := s.app.CancelClinic(ctx, req.GetId(), req.GetEtag(), req.GetReason())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.CancelClinicResponse{Clinic: c}, nil
}

// ConsultationServer implements qihang.consult.v1.ConsultationService.
type ConsultationServer struct {
	consultv1.UnimplementedConsultationServiceServer
	app *app.Service
}

var _ consultv1.ConsultationServiceServer = (*ConsultationServer)(nil)

// NewConsultationServer returns the gRPC server of consultations.
func NewConsultationServer(a *app.Service) *ConsultationServer { return &ConsultationServer{app: a} }

// CreateConsultation files a request.
func (s *ConsultationServer) CreateConsultation(ctx context.Context, req *consultv1.CreateConsultationRequest) (*consultv1.CreateConsultationResponse, error) {
	c, err := s.app.CreateConsultation(ctx, req.GetConsultation())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.CreateConsultationResponse{Consultation: c}, nil
}

// GetConsultation returns one consultation.
func (s *ConsultationServer) GetConsultation(ctx context.Context, req *consultv1.GetConsultationRequest) (*consultv1.GetConsultationResponse, error) {
	c, err := s.app.GetConsultation(ctx, req.GetId())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.GetConsultationResponse{Consultation: c}, nil
}

// ListConsultations lists consultations.
func (s *ConsultationServer) ListConsultations(ctx context.Context, req *consultv1.ListConsultationsRequest) (*consultv1.ListConsultationsResponse, error) {
	list, next, total, err := s.app.ListConsultations(ctx, req)
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.ListConsultationsResponse{Consultations: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateConsultation changes a request.
func (s *ConsultationServer) UpdateConsultation(ctx context.Context, req *consultv1.UpdateConsultationRequest) (*consultv1.UpdateConsultationResponse, error) {
	c, err := s.app.UpdateConsultation(ctx, req.GetConsultation(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.UpdateConsultationResponse{Consultation: c}, nil
}

// ListQueuedConsultations lists the coordinator queue.
func (s *ConsultationServer) ListQueuedConsultations(ctx context.Context, req *consultv1.ListQueuedConsultationsRequest) (*consultv1.ListQueuedConsultationsResponse, error) {
	list, next, total, err := s.app.ListQueuedConsultations(ctx, req)
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.ListQueuedConsultationsResponse{Consultations: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// SuggestExperts ranks experts for a consultation.
func (s *ConsultationServer) SuggestExperts(ctx context.Context, req *consultv1.SuggestExpertsRequest) (*consultv1.SuggestExpertsResponse, error) {
	list, src, err := s.app.SuggestExperts(ctx, req.GetId(), req.GetMaxSuggestions())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.SuggestExpertsResponse{Suggestions: list, Source: src}, nil
}

func one(c *consultv1.Consultation, err error) (*consultv1.Consultation, error) {
	if err != nil {
		return nil, wrap(err)
	}
	return c, nil
}

// AssignConsultation puts an expert on the case.
func (s *ConsultationServer) AssignConsultation(ctx context.Context, req *consultv1.AssignConsultationRequest) (*consultv1.AssignConsultationResponse, error) {
	c, err := one(s.app.AssignConsultation(ctx, req.GetId(), req.GetExpertId(), req.GetEtag(), req.GetNote()))
	if err != nil {
		return nil, err
	}
	return &consultv1.AssignConsultationResponse{Consultation: c}, nil
}

// DeclineConsultation gives the case back.
func (s *ConsultationServer) DeclineConsultation(ctx context.Context, req *consultv1.DeclineConsultationRequest) (*consultv1.DeclineConsultationResponse, error) {
	c, err := one(s.app.DeclineConsultation(ctx, req.GetId(), req.GetEtag(), req.GetReason()))
	if err != nil {
		return nil, err
	}
	return &consultv1.DeclineConsultationResponse{Consultation: c}, nil
}

// BookConsultation books a slot.
func (s *ConsultationServer) BookConsultation(ctx context.Context, req *consultv1.BookConsultationRequest) (*consultv1.BookConsultationResponse, error) {
	c, err := one(s.app.BookConsultation(ctx, req.GetId(), req.GetSlotId(), req.GetEtag()))
	if err != nil {
		return nil, err
	}
	return &consultv1.BookConsultationResponse{Consultation: c}, nil
}

// CancelConsultation cancels a request.
func (s *ConsultationServer) CancelConsultation(ctx context.Context, req *consultv1.CancelConsultationRequest) (*consultv1.CancelConsultationResponse, error) {
	c, err := one(s.app.CancelConsultation(ctx, req.GetId(), req.GetEtag(), req.GetReason()))
	if err != nil {
		return nil, err
	}
	return &consultv1.CancelConsultationResponse{Consultation: c}, nil
}

// MarkConsultationHeld records a held session.
func (s *ConsultationServer) MarkConsultationHeld(ctx context.Context, req *consultv1.MarkConsultationHeldRequest) (*consultv1.MarkConsultationHeldResponse, error) {
	c, err := one(s.app.MarkConsultationHeld(ctx, req.GetId(), req.GetEtag()))
	if err != nil {
		return nil, err
	}
	return &consultv1.MarkConsultationHeldResponse{Consultation: c}, nil
}

// MarkConsultationNoShow records a missed session.
func (s *ConsultationServer) MarkConsultationNoShow(ctx context.Context, req *consultv1.MarkConsultationNoShowRequest) (*consultv1.MarkConsultationNoShowResponse, error) {
	c, err := one(s.app.MarkConsultationNoShow(ctx, req.GetId(), req.GetEtag(), req.GetAbsentParty(), req.GetNote()))
	if err != nil {
		return nil, err
	}
	return &consultv1.MarkConsultationNoShowResponse{Consultation: c}, nil
}

// CloseConsultation closes the case.
func (s *ConsultationServer) CloseConsultation(ctx context.Context, req *consultv1.CloseConsultationRequest) (*consultv1.CloseConsultationResponse, error) {
	c, err := one(s.app.CloseConsultation(ctx, req.GetId(), req.GetEtag(), req.GetSummary()))
	if err != nil {
		return nil, err
	}
	return &consultv1.CloseConsultationResponse{Consultation: c}, nil
}

// RateConsultation rates a held session.
func (s *ConsultationServer) RateConsultation(ctx context.Context, req *consultv1.RateConsultationRequest) (*consultv1.RateConsultationResponse, error) {
	c, err := one(s.app.RateConsultation(ctx, req.GetId(), req.GetSessionId(), req.GetScore(), req.GetComment()))
	if err != nil {
		return nil, err
	}
	return &consultv1.RateConsultationResponse{Consultation: c}, nil
}

// RevealConsultationContact returns the contact unmasked.
func (s *ConsultationServer) RevealConsultationContact(ctx context.Context, req *consultv1.RevealConsultationContactRequest) (*consultv1.RevealConsultationContactResponse, error) {
	c, err := s.app.RevealConsultationContact(ctx, req.GetId(), req.GetReason())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.RevealConsultationContactResponse{Contact: c}, nil
}

// CreateCaseNote adds a case note.
func (s *ConsultationServer) CreateCaseNote(ctx context.Context, req *consultv1.CreateCaseNoteRequest) (*consultv1.CreateCaseNoteResponse, error) {
	n, err := s.app.CreateCaseNote(ctx, req.GetConsultationId(), req.GetCaseNote())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.CreateCaseNoteResponse{CaseNote: n}, nil
}

// ListCaseNotes lists a consultation's notes.
func (s *ConsultationServer) ListCaseNotes(ctx context.Context, req *consultv1.ListCaseNotesRequest) (*consultv1.ListCaseNotesResponse, error) {
	list, next, total, err := s.app.ListCaseNotes(ctx, req.GetConsultationId(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.ListCaseNotesResponse{CaseNotes: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// GetFirmQuota reports a firm's quota.
func (s *ConsultationServer) GetFirmQuota(ctx context.Context, req *consultv1.GetFirmQuotaRequest) (*consultv1.GetFirmQuotaResponse, error) {
	q, err := s.app.GetFirmQuota(ctx, req.GetFirmId(), tsOrZero(req.GetTime()))
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.GetFirmQuotaResponse{Quota: q}, nil
}

// ExportConsultations exports consultations to .xlsx.
func (s *ConsultationServer) ExportConsultations(ctx context.Context, req *consultv1.ExportConsultationsRequest) (*consultv1.ExportConsultationsResponse, error) {
	f, err := s.app.ExportConsultations(ctx, req)
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.ExportConsultationsResponse{File: f}, nil
}

// GetConsultSettings returns the settings.
func (s *ConsultationServer) GetConsultSettings(ctx context.Context, _ *consultv1.GetConsultSettingsRequest) (*consultv1.GetConsultSettingsResponse, error) {
	set, err := s.app.GetConsultSettings(ctx)
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.GetConsultSettingsResponse{Settings: set}, nil
}

// UpdateConsultSettings changes the settings.
func (s *ConsultationServer) UpdateConsultSettings(ctx context.Context, req *consultv1.UpdateConsultSettingsRequest) (*consultv1.UpdateConsultSettingsResponse, error) {
	set, err := s.app.UpdateConsultSettings(ctx, req.GetSettings(), maskPaths(req.GetUpdateMask()))
	if err != nil {
		return nil, wrap(err)
	}
	return &consultv1.UpdateConsultSettingsResponse{Settings: set}, nil
}
