package ports

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/services/consult/adapters"
)

// SyncServer implements consultv1.ConsultSyncServiceServer: the experts'
// change feed and full scans for the match service's experts index.
type SyncServer struct {
	consultv1.UnimplementedConsultSyncServiceServer
	store *adapters.Store
	now   func() time.Time
}

// NewSyncServer returns the sync server over st.
func NewSyncServer(st *adapters.Store, now func() time.Time) *SyncServer {
	return &SyncServer{store: st, now: now}
}

// expertState is an expert with its next open slot.
type expertState struct {
	stored *adapters.StoredExpert
	next   time.Time
}

func (s *SyncServer) lookup(ctx context.Context, id string) (*expertState, bool, error) {
	e, err := s.store.Experts.FindAny(ctx, id)
	if err != nil {
		return nil, false, err
	}
	st := &expertState{stored: e}
	if !e.Deleted {
		if st.next, err = s.store.Slots.NextOpen(ctx, id, s.now()); err != nil {
			return nil, false, err
		}
	}
	return st, !e.Deleted, nil
}

func consultChange(r changefeed.Resolved[*expertState]) *consultv1.ConsultChange {
	c := &consultv1.ConsultChange{Record: r.Record}
	if r.Object != nil {
		es := &consultv1.ExpertState{Expert: r.Object.stored.Expert}
		if !r.Object.next.IsZero() {
			es.NextOpenSlotTime = timestamppb.New(r.Object.next)
		}
		c.Object = &consultv1.ConsultChange_Expert{Expert: es}
	}
	return c
}

func badConsultSource(ctx context.Context) error {
	if err := changefeed.CheckCaller(ctx); err != nil {
		return err
	}
	return apperr.Invalid("source", "请指定数据来源：EXPERTS")
}

// ListConsultChanges returns one page of the experts' change feed.
func (s *SyncServer) ListConsultChanges(ctx context.Context, req *consultv1.ListConsultChangesRequest) (*consultv1.ListConsultChangesResponse, error) {
	if req.GetSource() != consultv1.ConsultSource_CONSULT_SOURCE_EXPERTS {
		return nil, badConsultSource(ctx)
	}
	rs, page, err := changefeed.ReadResolved(ctx, s.store.Feed, adapters.ExpertsSource, req.GetAfterSequence(), int(req.GetMaxChanges()), s.lookup)
	if err != nil {
		return nil, err
	}
	resp := &consultv1.ListConsultChangesResponse{HeadSequence: page.Head, MissingSequences: page.Missing}
	for _, r := range rs {
		resp.Changes = append(resp.Changes, consultChange(r))
	}
	return resp, nil
}

// ScanConsult streams every expert.
func (s *SyncServer) ScanConsult(req *consultv1.ScanConsultRequest, stream consultv1.ConsultSyncService_ScanConsultServer) error {
	ctx := stream.Context()
	if req.GetSource() != consultv1.ConsultSource_CONSULT_SOURCE_EXPERTS {
		return badConsultSource(ctx)
	}
	return changefeed.Scan(ctx, s.store.Feed, adapters.ExpertsSource, req.GetIds(), changefeed.Scanner[*expertState]{
		All: func(ctx context.Context, fn func(string, int64, *expertState, bool) error) error {
			var all []*adapters.StoredExpert
			if err := s.store.Experts.Scan(ctx, func(e *adapters.StoredExpert) error { all = append(all, e); return nil }); err != nil {
				return err
			}
			for _, e := range all {
				st := &expertState{stored: e}
				if !e.Deleted {
					next, err := s.store.Slots.NextOpen(ctx, e.Expert.GetId(), s.now())
					if err != nil {
						return err
					}
					st.next = next
				}
				if err := fn(e.Expert.GetId(), e.Version, st, !e.Deleted); err != nil {
					return err
				}
			}
			return nil
		},
		One:     s.lookup,
		Version: func(e *expertState) int64 { return e.stored.Version },
	}, func(head int64, batch []changefeed.Resolved[*expertState]) error {
		msg := &consultv1.ScanConsultResponse{HeadSequence: head}
		for _, r := range batch {
			msg.Objects = append(msg.Objects, consultChange(r))
		}
		return stream.Send(msg)
	})
}
