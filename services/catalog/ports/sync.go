package ports

import (
	"context"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/services/catalog/adapters"
)

// PolicySource is what the sync server needs of policy storage.
type PolicySource interface {
	FindAny(ctx context.Context, id string) (*adapters.StoredPolicy, error)
	Scan(ctx context.Context, fn func(*adapters.StoredPolicy) error) error
	Feed() *changefeed.Feed
}

// BeltSource is what the sync server needs of belt storage.
type BeltSource interface {
	FindAny(ctx context.Context, id string) (*adapters.StoredBelt, error)
	Scan(ctx context.Context, fn func(*adapters.StoredBelt) error) error
	Feed() *changefeed.Feed
}

// SyncServer implements catalogv1.CatalogSyncServiceServer: the change
// feeds and full scans the match service's indexes are built from.
type SyncServer struct {
	catalogv1.UnimplementedCatalogSyncServiceServer
	policies PolicySource
	belts    BeltSource
}

// NewSyncServer returns the sync server over the two sources.
func NewSyncServer(policies PolicySource, belts BeltSource) *SyncServer {
	return &SyncServer{policies: policies, belts: belts}
}

func (s *SyncServer) policyLookup(ctx context.Context, id string) (*adapters.StoredPolicy, bool, error) {
	p, err := s.policies.FindAny(ctx, id)
	if err != nil {
		return nil, false, err
	}
	return p, !p.Deleted, nil
}

func (s *SyncServer) beltLookup(ctx context.Context, id string) (*adapters.StoredBelt, bool, error) {
	b, err := s.belts.FindAny(ctx, id)
	if err != nil {
		return nil, false, err
	}
	return b, !b.Deleted, nil
}

func policyChange(r changefeed.Resolved[*adapters.StoredPolicy]) *catalogv1.CatalogChange {
	c := &catalogv1.CatalogChange{Record: r.Record}
	if r.Object != nil {
		c.Object = &catalogv1.CatalogChange_Policy{Policy: r.Object.Policy}
	}
	return c
}

func beltChange(r changefeed.Resolved[*adapters.StoredBelt]) *catalogv1.CatalogChange {
	c := &catalogv1.CatalogChange{Record: r.Record}
	if r.Object != nil {
		c.Object = &catalogv1.CatalogChange_Belt{Belt: r.Object.Belt}
	}
	return c
}

// ListCatalogChanges returns one page of a source's change feed.
func (s *SyncServer) ListCatalogChanges(ctx context.Context, req *catalogv1.ListCatalogChangesRequest) (*catalogv1.ListCatalogChangesResponse, error) {
	resp := &catalogv1.ListCatalogChangesResponse{}
	var page changefeed.Page
	switch req.GetSource() {
	case catalogv1.CatalogSource_CATALOG_SOURCE_POLICIES:
		rs, p, err := changefeed.ReadResolved(ctx, s.policies.Feed(), adapters.PoliciesSource, req.GetAfterSequence(), int(req.GetMaxChanges()), s.policyLookup)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			resp.Changes = append(resp.Changes, policyChange(r))
		}
		page = p
	case catalogv1.CatalogSource_CATALOG_SOURCE_BELTS:
		rs, p, err := changefeed.ReadResolved(ctx, s.belts.Feed(), adapters.BeltsSource, req.GetAfterSequence(), int(req.GetMaxChanges()), s.beltLookup)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			resp.Changes = append(resp.Changes, beltChange(r))
		}
		page = p
	default:
		if err := changefeed.CheckCaller(ctx); err != nil {
			return nil, err
		}
		return nil, apperr.Invalid("source", "请指定数据来源：POLICIES 或 BELTS")
	}
	resp.HeadSequence, resp.MissingSequences = page.Head, page.Missing
	return resp, nil
}

// ScanCatalog streams every object of a source.
func (s *SyncServer) ScanCatalog(req *catalogv1.ScanCatalogRequest, stream catalogv1.CatalogSyncService_ScanCatalogServer) error {
	ctx := stream.Context()
	switch req.GetSource() {
	case catalogv1.CatalogSource_CATALOG_SOURCE_POLICIES:
		return changefeed.Scan(ctx, s.policies.Feed(), adapters.PoliciesSource, req.GetIds(), changefeed.Scanner[*adapters.StoredPolicy]{
			All: func(ctx context.Context, fn func(string, int64, *adapters.StoredPolicy, bool) error) error {
				return s.policies.Scan(ctx, func(p *adapters.StoredPolicy) error {
					return fn(p.Policy.GetId(), int64(p.Policy.GetVersion()), p, !p.Deleted)
				})
			},
			One:     s.policyLookup,
			Version: func(p *adapters.StoredPolicy) int64 { return int64(p.Policy.GetVersion()) },
		}, func(head int64, batch []changefeed.Resolved[*adapters.StoredPolicy]) error {
			msg := &catalogv1.ScanCatalogResponse{HeadSequence: head}
			for _, r := range batch {
				msg.Objects = append(msg.Objects, policyChange(r))
			}
			return stream.Send(msg)
		})
	case catalogv1.CatalogSource_CATALOG_SOURCE_BELTS:
		return changefeed.Scan(ctx, s.belts.Feed(), adapters.BeltsSource, req.GetIds(), changefeed.Scanner[*adapters.StoredBelt]{
			All: func(ctx context.Context, fn func(string, int64, *adapters.StoredBelt, bool) error) error {
				return s.belts.Scan(ctx, func(b *adapters.StoredBelt) error { return fn(b.Belt.GetId(), b.Version, b, !b.Deleted) })
			},
			One:     s.beltLookup,
			Version: func(b *adapters.StoredBelt) int64 { return b.Version },
		}, func(head int64, batch []changefeed.Resolved[*adapters.StoredBelt]) error {
			msg := &catalogv1.ScanCatalogResponse{HeadSequence: head}
			for _, r := range batch {
				msg.Objects = append(msg.Objects, beltChange(r))
			}
			return stream.Send(msg)
		})
	default:
		if err := changefeed.CheckCaller(ctx); err != nil {
			return err
		}
		return apperr.Invalid("source", "请指定数据来源：POLICIES 或 BELTS")
	}
}
