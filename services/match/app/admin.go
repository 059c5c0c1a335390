package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/indexsync"
)

func requireBureau(ctx context.Context) (auth.Principal, error) {
	p, err := requireSignedIn(ctx)
	if err != nil {
		return p, err
	}
	if p.Role != auth.RoleBureauAdmin {
		return p, apperr.PermissionDenied("仅市级管理员可以管理搜索索引")
	}
	return p, nil
}

func docKind(k index.Kind) matchv1.DocumentKind {
	for dk, ik := range kindOf {
		if ik == k {
			return dk
		}
	}
	return 0
}

// ListIndexes reports every index and its sync.
func (s *Service) ListIndexes(ctx context.Context, _ *matchv1.ListIndexesRequest) (*matchv1.ListIndexesResponse, error) {
	if _, err := requireBureau(ctx); err != nil {
		return nil, err
	}
	resp := &matchv1.ListIndexesResponse{Engine: engineOf(s.engine)}
	statuses := s.indexes.Status(ctx)
	slices.SortFunc(statuses, func(a, b indexsync.Status) int { return int(docKind(a.Kind)) - int(docKind(b.Kind)) })
	for _, st := range statuses {
		ix := &matchv1.Index{
			Id: string(st.Kind), Kind: docKind(st.Kind), Health: health(st.Health), DocumentCount: st.Documents,
			PendingChanges: max(st.Head-st.Applied, 0), Lag: durationpb.New(st.Lag),
			LastReconcileRepairs: st.Repairs, LastError: st.LastError,
			Sources:      []*matchv1.SyncSource{{Source: st.Source, AppliedSequence: st.Applied, SourceSequence: st.Head, PollTime: tsp(st.PollTime)}},
			LastSyncTime: tsp(st.LastSync), LastReconcileTime: tsp(st.LastReconcile), LastErrorTime: tsp(st.LastErrorTime),
			BuildTime: tsp(st.BuildTime), CurrentRebuild: rebuildProto(st.CurrentRebuild), LastRebuild: rebuildProto(st.LastRebuild),
		}
		if st.Applied < 0 {
			// The cursor was busy being moved; report what is known.
			ix.PendingChanges, ix.Sources[0].AppliedSequence = 0, 0
		}
		resp.Indexes = append(resp.Indexes, ix)
	}
	return resp, nil
}

func tsp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func engineOf(e index.Engine) matchv1.SearchEngine {
	switch e.Name() {
	case "bleve":
		return matchv1.SearchEngine_SEARCH_ENGINE_BLEVE
	case "meilisearch":
		return matchv1.SearchEngine_SEARCH_ENGINE_MEILISEARCH
	}
	return 0
}

func health(h indexsync.Health) matchv1.IndexHealth {
	return map[indexsync.Health]matchv1.IndexHealth{
		indexsync.HealthBuilding: matchv1.IndexHealth_INDEX_HEALTH_BUILDING, indexsync.HealthServing: matchv1.IndexHealth_INDEX_HEALTH_SERVING,
		indexsync.HealthLagging: matchv1.IndexHealth_INDEX_HEALTH_LAGGING, indexsync.HealthUnavailable: matchv1.IndexHealth_INDEX_HEALTH_UNAVAILABLE,
	}[h]
}

func rebuildProto(r *indexsync.Rebuild) *matchv1.IndexRebuild {
	if r == nil {
		return nil
	}
	return &matchv1.IndexRebuild{
		Id: r.ID, Index: string(r.Kind), DocumentsTotal: r.Total, DocumentsIndexed: r.Indexed,
		Status: map[indexsync.RebuildState]matchv1.RebuildStatus{
			indexsync.RebuildRunning: matchv1.RebuildStatus_REBUILD_STATUS_RUNNING, indexsync.RebuildCatchingUp: matchv1.RebuildStatus_REBUILD_STATUS_CATCHING_UP,
			indexsync.RebuildSucceeded: matchv1.RebuildStatus_REBUILD_STATUS_SUCCEEDED, indexsync.RebuildFailed: matchv1.RebuildStatus_REBUILD_STATUS_FAILED,
		}[r.State],
		StartTime: tsp(r.Start), EndTime: tsp(r.End), Error: r.Err, RequestedBy: r.RequestedBy,
	}
}

// indexKind resolves an index id ("firms", …) of the synced kinds.
func (s *Service) indexKind(id string) (index.Kind, error) {
	k := index.Kind(strings.TrimSpace(id))
	if !slices.Contains(s.indexes.Kinds(), k) {
		return "", apperr.NotFound("索引%q不存在", id)
	}
	return k, nil
}

// RebuildIndex starts rebuilds of one index or all.
func (s *Service) RebuildIndex(ctx context.Context, req *matchv1.RebuildIndexRequest) (*matchv1.RebuildIndexResponse, error) {
	p, err := requireBureau(ctx)
	if err != nil {
		return nil, err
	}
	kinds := s.indexes.Kinds()
	if req.GetIndex() != "" {
		k, err := s.indexKind(req.GetIndex())
		if err != nil {
			return nil, err
		}
		kinds = []index.Kind{k}
	}
	resp := &matchv1.RebuildIndexResponse{}
	for _, k := range kinds {
		// A rebuild against an engine that cannot answer would only fail
		// later; say so now.
		if _, err := s.engine.Count(ctx, k); err != nil {
			return nil, engineErr(err)
		}
	}
	for _, k := range kinds {
		r, err := s.indexes.Rebuild(ctx, k, p.AccountID)
		if err != nil {
			return nil, err
		}
		resp.Rebuilds = append(resp.Rebuilds, rebuildProto(r))
	}
	return resp, nil
}

// ReindexDocument re-reads one object from its source and applies it.
func (s *Service) ReindexDocument(ctx context.Context, req *matchv1.ReindexDocumentRequest) (*matchv1.ReindexDocumentResponse, error) {
	if _, err := requireBureau(ctx); err != nil {
		return nil, err
	}
	k, err := s.indexKind(req.GetIndex())
	if err != nil {
		return nil, err
	}
	if !index.ValidID(req.GetDocumentId()) {
		return nil, apperr.Invalid("document_id", "不是有效的id")
	}
	out, v, err := s.indexes.Reindex(ctx, k, req.GetDocumentId())
	if err != nil {
		return nil, engineErr(err)
	}
	switch out {
	case indexsync.ReindexUpserted:
		return &matchv1.ReindexDocumentResponse{Outcome: matchv1.ReindexOutcome_REINDEX_OUTCOME_UPSERTED, Version: v}, nil
	case indexsync.ReindexUnchanged:
		return &matchv1.ReindexDocumentResponse{Outcome: matchv1.ReindexOutcome_REINDEX_OUTCOME_UNCHANGED, Version: v}, nil
	case indexsync.ReindexDeleted:
		return &matchv1.ReindexDocumentResponse{Outcome: matchv1.ReindexOutcome_REINDEX_OUTCOME_DELETED}, nil
	default:
		return nil, apperr.NotFound("%s%s不存在", kindLabel(k), req.GetDocumentId())
	}
}
