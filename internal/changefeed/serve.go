package changefeed

import (
	"context"
	"errors"

	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
)

// DefaultRead is the page size of a read that asks for none.
const DefaultRead = 500

// Resolved is a feed entry with the changed document's current state.
type Resolved[T any] struct {
	Record *commonv1.ChangeRecord
	// Object is the document now; the zero value when it is deleted.
	Object T
}

// Lookup returns a document's current state by id; live is false when the
// document is deleted or gone.
type Lookup[T any] func(ctx context.Context, id string) (obj T, live bool, err error)

// CheckCaller refuses every caller but a Qihang service.
func CheckCaller(ctx context.Context) error {
	if !auth.FromContext(ctx).Is(auth.RoleService) {
		return apperr.PermissionDenied("仅供系统内部服务调用")
	}
	return nil
}

// ReadResolved reads a page of source after sequence after and looks up
// the current state of every document it names (once per document). A
// document deleted since its entry was written comes back deleted.
func ReadResolved[T any](ctx context.Context, f *Feed, source string, after int64, limit int, get Lookup[T]) ([]Resolved[T], Page, error) {
	if err := CheckCaller(ctx); err != nil {
		return nil, Page{}, err
	}
	if after < 0 {
		return nil, Page{}, apperr.Invalid("after_sequence", "不能为负数")
	}
	if limit < 0 || limit > MaxRead {
		return nil, Page{}, apperr.Invalid("max_changes", "应在1到%d之间", MaxRead)
	}
	if limit == 0 {
		limit = DefaultRead
	}
	p, err := f.Read(ctx, source, after, limit)
	if err != nil {
		return nil, Page{}, err
	}
	type state struct {
		obj  T
		live bool
	}
	current := map[string]state{}
	out := make([]Resolved[T], 0, len(p.Entries))
	for _, e := range p.Entries {
		st, ok := current[e.ID]
		if !ok {
			obj, live, err := get(ctx, e.ID)
			if err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return nil, Page{}, err
			}
			st = state{obj: obj, live: live && err == nil}
			current[e.ID] = st
		}
		r := Resolved[T]{Record: &commonv1.ChangeRecord{
			Sequence: e.Sequence, Id: e.ID, Version: e.Version, Deleted: e.Deleted || !st.live, RecordTime: timestamppb.New(e.Time),
		}}
		if st.live {
			r.Object = st.obj
		}
		out = append(out, r)
	}
	return out, p, nil
}

// ScanBatch is the batch size of full scans.
const ScanBatch = 200

// MaxScanIDs bounds the ids of a scan of chosen documents.
const MaxScanIDs = 100

// Scanner walks a whole source, or the given ids, calling emit with each
// document's record and state.
type Scanner[T any] struct {
	// All calls fn with every document and whether it is live.
	All func(ctx context.Context, fn func(id string, version int64, obj T, live bool) error) error
	// One looks a document up by id.
	One Lookup[T]
	// Version returns a live document's version.
	Version func(T) int64
}

// Scan sends the feed's head and then every document of source in batches
// through send; with ids, only those documents (missing ones as deleted).
func Scan[T any](ctx context.Context, f *Feed, source string, ids []string, s Scanner[T], send func(head int64, batch []Resolved[T]) error) error {
	if err := CheckCaller(ctx); err != nil {
		return err
	}
	if len(ids) > MaxScanIDs {
		return apperr.Invalid("ids", "一次最多%d个", MaxScanIDs)
	}
	head, err := f.Head(ctx, source)
	if err != nil {
		return err
	}
	first := true
	batch := make([]Resolved[T], 0, ScanBatch)
	flush := func() error {
		if len(batch) == 0 && !first {
			return nil
		}
		h := int64(0)
		if first {
			h, first = head, false
		}
		err := send(h, batch)
		batch = batch[:0]
		return err
	}
	add := func(id string, version int64, obj T, live bool) error {
		r := Resolved[T]{Record: &commonv1.ChangeRecord{Id: id, Version: version, Deleted: !live}}
		if live {
			r.Object = obj
		}
		batch = append(batch, r)
		if len(batch) == ScanBatch {
			return flush()
		}
		return nil
	}
	if len(ids) > 0 {
		for _, id := range ids {
			obj, live, err := s.One(ctx, id)
			if err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
			var v int64
			if live && err == nil {
				v = s.Version(obj)
			}
			if err := add(id, v, obj, live && err == nil); err != nil {
				return err
			}
		}
	} else if err := s.All(ctx, add); err != nil {
		return err
	}
	return flush()
}
