// Package ports serves the match use cases over gRPC: MatchService and
// SearchService. Errors reach the error interceptor unchanged.
package ports

import (
	"context"

	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/services/match/app"
)

// PublicMethods are the RPCs callable without a token: search (anonymous
// callers find published policies and belts).
var PublicMethods = []string{matchv1.SearchService_Search_FullMethodName}

// MatchServer implements matchv1.MatchServiceServer.
type MatchServer struct {
	matchv1.UnimplementedMatchServiceServer
	app *app.Service
}

// NewMatchServer returns the server over a.
func NewMatchServer(a *app.Service) *MatchServer { return &MatchServer{app: a} }

// ListFirmPolicyMatches implements the RPC.
func (s *MatchServer) ListFirmPolicyMatches(ctx context.Context, req *matchv1.ListFirmPolicyMatchesRequest) (*matchv1.ListFirmPolicyMatchesResponse, error) {
	return s.app.ListFirmPolicyMatches(ctx, req)
}

// ListFirmAssociationMatches implements the RPC.
func (s *MatchServer) ListFirmAssociationMatches(ctx context.Context, req *matchv1.ListFirmAssociationMatchesRequest) (*matchv1.ListFirmAssociationMatchesResponse, error) {
	return s.app.ListFirmAssociationMatches(ctx, req)
}

// ListFirmIndustryBeltMatches implements the RPC.
func (s *MatchServer) ListFirmIndustryBeltMatches(ctx context.Context, req *matchv1.ListFirmIndustryBeltMatchesRequest) (*matchv1.ListFirmIndustryBeltMatchesResponse, error) {
	return s.app.ListFirmIndustryBeltMatches(ctx, req)
}

// ListFirmExpertMatches implements the RPC.
func (s *MatchServer) ListFirmExpertMatches(ctx context.Context, req *matchv1.ListFirmExpertMatchesRequest) (*matchv1.ListFirmExpertMatchesResponse, error) {
	return s.app.ListFirmExpertMatches(ctx, req)
}

// ListAssociationProspects implements the RPC.
func (s *MatchServer) ListAssociationProspects(ctx context.Context, req *matchv1.ListAssociationProspectsRequest) (*matchv1.ListAssociationProspectsResponse, error) {
	return s.app.ListAssociationProspects(ctx, req)
}

// ListEventInvitees implements the RPC.
func (s *MatchServer) ListEventInvitees(ctx context.Context, req *matchv1.ListEventInviteesRequest) (*matchv1.ListEventInviteesResponse, error) {
	return s.app.ListEventInvitees(ctx, req)
}

// SearchServer implements matchv1.SearchServiceServer.
type SearchServer struct {
	matchv1.UnimplementedSearchServiceServer
	app *app.Service
}

// NewSearchServer returns the server over a.
func NewSearchServer(a *app.Service) *SearchServer { return &SearchServer{app: a} }

// Search implements the RPC.
func (s *SearchServer) Search(ctx context.Context, req *matchv1.SearchRequest) (*matchv1.SearchResponse, error) {
	return s.app.Search(ctx, req)
}

// ListIndexes implements the RPC.
func (s *SearchServer) ListIndexes(ctx context.Context, req *matchv1.ListIndexesRequest) (*matchv1.ListIndexesResponse, error) {
	return s.app.ListIndexes(ctx, req)
}

// RebuildIndex implements the RPC.
func (s *SearchServer) RebuildIndex(ctx context.Context, req *matchv1.RebuildIndexRequest) (*matchv1.RebuildIndexResponse, error) {
	return s.app.RebuildIndex(ctx, req)
}

// ReindexDocument implements the RPC.
func (s *SearchServer) ReindexDocument(ctx context.Context, req *matchv1.ReindexDocumentRequest) (*matchv1.ReindexDocumentResponse, error) {
	return s.app.ReindexDocument(ctx, req)
}
