// Package ports serves the catalog use cases over gRPC. The contract's
// messages are the catalog's model, so handlers only unpack requests, call
// the application and pack responses; errors become statuses in the
// server's error interceptor.
package ports

import (
	"context"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	"github.com/qihang-hz/qihang/services/catalog/app"
	"github.com/qihang-hz/qihang/services/catalog/domain"
)

// CatalogServer implements qihang.catalog.v1.CatalogService.
type CatalogServer struct {
	catalogv1.UnimplementedCatalogServiceServer
	app *app.Service
}

var _ catalogv1.CatalogServiceServer = (*CatalogServer)(nil)

// NewCatalogServer returns the gRPC server of the catalog use cases.
func NewCatalogServer(a *app.Service) *CatalogServer { return &CatalogServer{app: a} }

// PublicMethods are the catalog RPCs callable without a token; each still
// decides what an anonymous caller may see.
var PublicMethods = []string{
	catalogv1.CatalogService_GetCriterionEnvironment_FullMethodName,
	catalogv1.CatalogService_GetPolicy_FullMethodName,
	catalogv1.CatalogService_ListPolicies_FullMethodName,
	catalogv1.CatalogService_ListPolicyVersions_FullMethodName,
	catalogv1.CatalogService_GetPolicyVersion_FullMethodName,
	catalogv1.CatalogService_EvaluatePolicies_FullMethodName,
	catalogv1.CatalogService_GetIndustryBelt_FullMethodName,
	catalogv1.CatalogService_ListIndustryBelts_FullMethodName,
}

// GetCriterionEnvironment describes what criteria may use.
func (s *CatalogServer) GetCriterionEnvironment(context.Context, *catalogv1.GetCriterionEnvironmentRequest) (*catalogv1.GetCriterionEnvironmentResponse, error) {
	return &catalogv1.GetCriterionEnvironmentResponse{Environment: s.app.CriterionEnvironment()}, nil
}

// ValidateCriterion compiles one expression.
func (s *CatalogServer) ValidateCriterion(ctx context.Context, req *catalogv1.ValidateCriterionRequest) (*catalogv1.ValidateCriterionResponse, error) {
	return s.app.ValidateCriterion(ctx, req.GetExpression(), req.GetFirmId())
}

// CreatePolicy creates a draft policy.
func (s *CatalogServer) CreatePolicy(ctx context.Context, req *catalogv1.CreatePolicyRequest) (*catalogv1.CreatePolicyResponse, error) {
	p, err := s.app.CreatePolicy(ctx, req.GetPolicy(), req.GetValidateOnly())
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreatePolicyResponse{Policy: p}, nil
}

// GetPolicy returns one policy.
func (s *CatalogServer) GetPolicy(ctx context.Context, req *catalogv1.GetPolicyRequest) (*catalogv1.GetPolicyResponse, error) {
	p, err := s.app.GetPolicy(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetPolicyResponse{Policy: p}, nil
}

// ListPolicies lists policies.
func (s *CatalogServer) ListPolicies(ctx context.Context, req *catalogv1.ListPoliciesRequest) (*catalogv1.ListPoliciesResponse, error) {
	list, next, total, err := s.app.ListPolicies(ctx, domain.PolicyFilter{
		Category: req.GetCategory(), Level: req.GetLevel(), District: req.GetDistrict(), Industry: req.GetIndustry(),
		Status: req.GetStatus(), OpenNow: req.GetOpenNow(), Tag: req.GetTag(), TextContains: req.GetTextContains(),
	}, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListPoliciesResponse{Policies: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdatePolicy changes a policy.
func (s *CatalogServer) UpdatePolicy(ctx context.Context, req *catalogv1.UpdatePolicyRequest) (*catalogv1.UpdatePolicyResponse, error) {
	p, err := s.app.UpdatePolicy(ctx, req.GetPolicy(), req.GetUpdateMask().GetPaths(), req.GetChangeNote(), req.GetValidateOnly())
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdatePolicyResponse{Policy: p}, nil
}

// DeletePolicy soft-deletes a policy.
func (s *CatalogServer) DeletePolicy(ctx context.Context, req *catalogv1.DeletePolicyRequest) (*catalogv1.DeletePolicyResponse, error) {
	if err := s.app.DeletePolicy(ctx, req.GetId(), req.GetEtag()); err != nil {
		return nil, err
	}
	return &catalogv1.DeletePolicyResponse{}, nil
}

// PublishPolicy publishes a policy.
func (s *CatalogServer) PublishPolicy(ctx context.Context, req *catalogv1.PublishPolicyRequest) (*catalogv1.PublishPolicyResponse, error) {
	p, err := s.app.PublishPolicy(ctx, req.GetId(), req.GetEtag(), req.GetNote())
	if err != nil {
		return nil, err
	}
	return &catalogv1.PublishPolicyResponse{Policy: p}, nil
}

// WithdrawPolicy withdraws a policy.
func (s *CatalogServer) WithdrawPolicy(ctx context.Context, req *catalogv1.WithdrawPolicyRequest) (*catalogv1.WithdrawPolicyResponse, error) {
	p, err := s.app.WithdrawPolicy(ctx, req.GetId(), req.GetEtag(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &catalogv1.WithdrawPolicyResponse{Policy: p}, nil
}

// ListPolicyVersions lists a policy's versions.
func (s *CatalogServer) ListPolicyVersions(ctx context.Context, req *catalogv1.ListPolicyVersionsRequest) (*catalogv1.ListPolicyVersionsResponse, error) {
	list, next, total, err := s.app.ListPolicyVersions(ctx, req.GetPolicyId(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListPolicyVersionsResponse{Versions: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// GetPolicyVersion returns one version.
func (s *CatalogServer) GetPolicyVersion(ctx context.Context, req *catalogv1.GetPolicyVersionRequest) (*catalogv1.GetPolicyVersionResponse, error) {
	v, err := s.app.GetPolicyVersion(ctx, req.GetPolicyId(), req.GetVersion())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetPolicyVersionResponse{PolicyVersion: v}, nil
}

// EvaluatePolicies evaluates a firm.
func (s *CatalogServer) EvaluatePolicies(ctx context.Context, req *catalogv1.EvaluatePoliciesRequest) (*catalogv1.EvaluatePoliciesResponse, error) {
	res, err := s.app.EvaluatePolicies(ctx, app.EvaluateRequest{
		FirmID: req.GetFirmId(), Firm: req.GetFirm(), PolicyIDs: req.GetPolicyIds(), Category: req.GetCategory(),
		Verdicts: req.GetVerdicts(), PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
	})
	if err != nil {
		return nil, err
	}
	return &catalogv1.EvaluatePoliciesResponse{
		Evaluations: res.Evaluations, VerdictCounts: res.VerdictCounts, Facts: res.Facts,
		NextPageToken: res.NextPageToken, TotalSize: int32(res.TotalSize),
	}, nil
}

// CreateIndustryBelt creates a belt.
func (s *CatalogServer) CreateIndustryBelt(ctx context.Context, req *catalogv1.CreateIndustryBeltRequest) (*catalogv1.CreateIndustryBeltResponse, error) {
	b, err := s.app.CreateIndustryBelt(ctx, req.GetIndustryBelt())
	if err != nil {
		return nil, err
	}
	return &catalogv1.CreateIndustryBeltResponse{IndustryBelt: b}, nil
}

// GetIndustryBelt returns one belt.
func (s *CatalogServer) GetIndustryBelt(ctx context.Context, req *catalogv1.GetIndustryBeltRequest) (*catalogv1.GetIndustryBeltResponse, error) {
	b, err := s.app.GetIndustryBelt(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &catalogv1.GetIndustryBeltResponse{IndustryBelt: b}, nil
}

// ListIndustryBelts lists belts.
func (s *CatalogServer) ListIndustryBelts(ctx context.Context, req *catalogv1.ListIndustryBeltsRequest) (*catalogv1.ListIndustryBeltsResponse, error) {
	list, next, total, err := s.app.ListIndustryBelts(ctx, domain.BeltFilter{
		District: req.GetDistrict(), Industry: req.GetIndustry(), Status: req.GetStatus(), AssociationID: req.GetAssociationId(),
	}, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &catalogv1.ListIndustryBeltsResponse{IndustryBelts: list, NextPageToken: next, TotalSize: int32(total)}, nil
}

// UpdateIndustryBelt changes a belt.
func (s *CatalogServer) UpdateIndustryBelt(ctx context.Context, req *catalogv1.UpdateIndustryBeltRequest) (*catalogv1.UpdateIndustryBeltResponse, error) {
	b, err := s.app.UpdateIndustryBelt(ctx, req.GetIndustryBelt(), req.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, err
	}
	return &catalogv1.UpdateIndustryBeltResponse{IndustryBelt: b}, nil
}

// DeleteIndustryBelt soft-deletes a belt.
func (s *CatalogServer) DeleteIndustryBelt(ctx context.Context, req *catalogv1.DeleteIndustryBeltRequest) (*catalogv1.DeleteIndustryBeltResponse, error) {
	if err := s.app.DeleteIndustryBelt(ctx, req.GetId(), req.GetEtag()); err != nil {
		return nil, err
	}
	return &catalogv1.DeleteIndustryBeltResponse{}, nil
}
