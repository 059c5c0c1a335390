package ports

import (
	"context"

	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/services/profiles/app"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// FirmSource is what the sync server needs of firm storage.
type FirmSource interface {
	FindAny(ctx context.Context, id string) (*domain.Firm, error)
	Scan(ctx context.Context, fn func(*domain.Firm) error) error
	Feed() *changefeed.Feed
}

// AssociationSource is what the sync server needs of association storage.
type AssociationSource interface {
	FindAny(ctx context.Context, id string) (*domain.Association, error)
	Scan(ctx context.Context, fn func(*domain.Association) error) error
	Feed() *changefeed.Feed
}

// SyncServer implements profilesv1.ProfilesSyncServiceServer: the change
// feeds and full scans the match service's indexes are built from.
type SyncServer struct {
	profilesv1.UnimplementedProfilesSyncServiceServer
	firms        FirmSource
	associations AssociationSource
}

// NewSyncServer returns the sync server over the two sources.
func NewSyncServer(firms FirmSource, associations AssociationSource) *SyncServer {
	return &SyncServer{firms: firms, associations: associations}
}

// syncFirm is a firm as the indexes see it: no contact persons.
func syncFirm(f *domain.Firm) *profilesv1.Firm {
	p := firmToProto(&app.FirmView{Firm: f})
	p.Contacts = nil
	return p
}

func syncAssociation(a *domain.Association) *profilesv1.Association {
	p := associationToProto(&app.AssociationView{Association: a})
	p.CrossBorderContact = nil
	return p
}

func (s *SyncServer) firmLookup(ctx context.Context, id string) (*domain.Firm, bool, error) {
	f, err := s.firms.FindAny(ctx, id)
	if err != nil {
		return nil, false, err
	}
	return f, !f.Deleted(), nil
}

func (s *SyncServer) associationLookup(ctx context.Context, id string) (*domain.Association, bool, error) {
	a, err := s.associations.FindAny(ctx, id)
	if err != nil {
		return nil, false, err
	}
	return a, !a.Deleted(), nil
}

func badSource() error {
	return apperr.Invalid("source", "请指定数据来源：FIRMS 或 ASSOCIATIONS")
}

// ListProfileChanges returns one page of a source's change feed.
func (s *SyncServer) ListProfileChanges(ctx context.Context, req *profilesv1.ListProfileChangesRequest) (*profilesv1.ListProfileChangesResponse, error) {
	resp := &profilesv1.ListProfileChangesResponse{}
	var page changefeed.Page
	switch req.GetSource() {
	case profilesv1.ProfileSource_PROFILE_SOURCE_FIRMS:
		rs, p, err := changefeed.ReadResolved(ctx, s.firms.Feed(), "firms", req.GetAfterSequence(), int(req.GetMaxChanges()), s.firmLookup)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			c := &profilesv1.ProfileChange{Record: r.Record}
			if r.Object != nil {
				c.Object = &profilesv1.ProfileChange_Firm{Firm: syncFirm(r.Object)}
			}
			resp.Changes = append(resp.Changes, c)
		}
		page = p
	case profilesv1.ProfileSource_PROFILE_SOURCE_ASSOCIATIONS:
		rs, p, err := changefeed.ReadResolved(ctx, s.associations.Feed(), "associations", req.GetAfterSequence(), int(req.GetMaxChanges()), s.associationLookup)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			c := &profilesv1.ProfileChange{Record: r.Record}
			if r.Object != nil {
				c.Object = &profilesv1.ProfileChange_Association{Association: syncAssociation(r.Object)}
			}
			resp.Changes = append(resp.Changes, c)
		}
		page = p
	default:
		if err := changefeed.CheckCaller(ctx); err != nil {
			return nil, err
		}
		return nil, badSource()
	}
	resp.HeadSequence, resp.MissingSequences = page.Head, page.Missing
	return resp, nil
}

// ScanProfiles streams every object of a source.
func (s *SyncServer) ScanProfiles(req *profilesv1.ScanProfilesRequest, stream profilesv1.ProfilesSyncService_ScanProfilesServer) error {
	ctx := stream.Context()
	switch req.GetSource() {
	case profilesv1.ProfileSource_PROFILE_SOURCE_FIRMS:
		return changefeed.Scan(ctx, s.firms.Feed(), "firms", req.GetIds(), changefeed.Scanner[*domain.Firm]{
			All: func(ctx context.Context, fn func(string, int64, *domain.Firm, bool) error) error {
				return s.firms.Scan(ctx, func(f *domain.Firm) error { return fn(f.ID, f.Version, f, !f.Deleted()) })
			},
			One:     s.firmLookup,
			Version: func(f *domain.Firm) int64 { return f.Version },
		}, func(head int64, batch []changefeed.Resolved[*domain.Firm]) error {
			msg := &profilesv1.ScanProfilesResponse{HeadSequence: head}
			for _, r := range batch {
				c := &profilesv1.ProfileChange{Record: r.Record}
				if r.Object != nil {
					c.Object = &profilesv1.ProfileChange_Firm{Firm: syncFirm(r.Object)}
				}
				msg.Objects = append(msg.Objects, c)
			}
			return stream.Send(msg)
		})
	case profilesv1.ProfileSource_PROFILE_SOURCE_ASSOCIATIONS:
		return changefeed.Scan(ctx, s.associations.Feed(), "associations", req.GetIds(), changefeed.Scanner[*domain.Association]{
			All: func(ctx context.Context, fn func(string, int64, *domain.Association, bool) error) error {
				return s.associations.Scan(ctx, func(a *domain.Association) error { return fn(a.ID, a.Version, a, !a.Deleted()) })
			},
			One:     s.associationLookup,
			Version: func(a *domain.Association) int64 { return a.Version },
		}, func(head int64, batch []changefeed.Resolved[*domain.Association]) error {
			msg := &profilesv1.ScanProfilesResponse{HeadSequence: head}
			for _, r := range batch {
				c := &profilesv1.ProfileChange{Record: r.Record}
				if r.Object != nil {
					c.Object = &profilesv1.ProfileChange_Association{Association: syncAssociation(r.Object)}
				}
				msg.Objects = append(msg.Objects, c)
			}
			return stream.Send(msg)
		})
	default:
		if err := changefeed.CheckCaller(ctx); err != nil {
			return err
		}
		return badSource()
	}
}
