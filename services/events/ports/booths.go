package ports

import (
	"context"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/services/events/app"
)

// CreateBoothApplication applies for booths.
func (s *EventsServer) CreateBoothApplication(ctx context.Context, req *eventsv1.CreateBoothApplicationRequest) (*eventsv1.CreateBoothApplicationResponse, error) {
	b, err := s.app.CreateBoothApplication(ctx, req.GetEventId(), req.GetBoothApplication())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateBoothApplicationResponse{BoothApplication: b}, nil
}

// ListBoothApplications lists booth applications.
func (s *EventsServer) ListBoothApplications(ctx context.Context, req *eventsv1.ListBoothApplicationsRequest) (*eventsv1.ListBoothApplicationsResponse, error) {
	list, next, total, err := s.app.ListBoothApplications(ctx, app.BoothFilter{
		EventID: req.GetEventId(), Status: req.GetStatus(), FirmID: req.GetFirmId(), AssociationID: req.GetAssociationId(),
	}, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListBoothApplicationsResponse{BoothApplications: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateBoothApplication changes a booth application.
func (s *EventsServer) UpdateBoothApplication(ctx context.Context, req *eventsv1.UpdateBoothApplicationRequest) (*eventsv1.UpdateBoothApplicationResponse, error) {
	b, err := s.app.UpdateBoothApplication(ctx, req.GetBoothApplication(), req.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, err
	}
	return &eventsv1.UpdateBoothApplicationResponse{BoothApplication: b}, nil
}

// ApproveBoothApplication grants booths.
func (s *EventsServer) ApproveBoothApplication(ctx context.Context, req *eventsv1.ApproveBoothApplicationRequest) (*eventsv1.ApproveBoothApplicationResponse, error) {
	b, err := s.app.ApproveBoothApplication(ctx, req.GetEventId(), req.GetBoothApplicationId(), req.GetBoothsGranted(), req.GetBoothNumbers(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ApproveBoothApplicationResponse{BoothApplication: b}, nil
}

// DeclineBoothApplication declines a booth application.
func (s *EventsServer) DeclineBoothApplication(ctx context.Context, req *eventsv1.DeclineBoothApplicationRequest) (*eventsv1.DeclineBoothApplicationResponse, error) {
	b, err := s.app.DeclineBoothApplication(ctx, req.GetEventId(), req.GetBoothApplicationId(), req.GetReason(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.DeclineBoothApplicationResponse{BoothApplication: b}, nil
}

// WithdrawBoothApplication withdraws a booth application.
func (s *EventsServer) WithdrawBoothApplication(ctx context.Context, req *eventsv1.WithdrawBoothApplicationRequest) (*eventsv1.WithdrawBoothApplicationResponse, error) {
	b, err := s.app.WithdrawBoothApplication(ctx, req.GetEventId(), req.GetBoothApplicationId(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &eventsv1.WithdrawBoothApplicationResponse{BoothApplication: b}, nil
}

// IssueCertificates issues certificates of completion.
func (s *EventsServer) IssueCertificates(ctx context.Context, req *eventsv1.IssueCertificatesRequest) (*eventsv1.IssueCertificatesResponse, error) {
	res, err := s.app.IssueCertificates(ctx, req.GetEventId(), req.GetRegistrationIds())
	if err != nil {
		return nil, err
	}
	return &eventsv1.IssueCertificatesResponse{
		Certificates: res.Issued, AlreadyIssuedCount: int32(res.AlreadyIssued), IneligibleCount: int32(res.Ineligible),
	}, nil
}

// ListCertificates lists certificates.
func (s *EventsServer) ListCertificates(ctx context.Context, req *eventsv1.ListCertificatesRequest) (*eventsv1.ListCertificatesResponse, error) {
	list, next, total, err := s.app.ListCertificates(ctx, app.CertificateFilter{
		EventID: req.GetEventId(), RegistrationID: req.GetRegistrationId(), FirmID: req.GetFirmId(), Number: req.GetNumber(),
	}, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListCertificatesResponse{Certificates: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// CreateFeedback records feedback.
func (s *EventsServer) CreateFeedback(ctx context.Context, req *eventsv1.CreateFeedbackRequest) (*eventsv1.CreateFeedbackResponse, error) {
	f, err := s.app.CreateFeedback(ctx, req.GetEventId(), req.GetFeedback())
	if err != nil {
		return nil, err
	}
	return &eventsv1.CreateFeedbackResponse{Feedback: f}, nil
}

// ListFeedback lists feedback with the average rating.
func (s *EventsServer) ListFeedback(ctx context.Context, req *eventsv1.ListFeedbackRequest) (*eventsv1.ListFeedbackResponse, error) {
	page, err := s.app.ListFeedback(ctx, req.GetEventId(), req.GetRating(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &eventsv1.ListFeedbackResponse{Feedback: page.Feedback, NextPageToken: page.Next, TotalSize: int32(page.Total), AverageRating: page.Average}, nil
}
