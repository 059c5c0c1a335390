// Package adapters stores the consult service's aggregates in MongoDB (or the
// embedded FerretDB): experts, slots, clinics, consultations, case notes, the
// settings singleton, and the counters that enforce the firm quota and the
// expert capacity.
//
// Each aggregate is one document holding the contract message as its
// protobuf encoding ("payload") plus the fields queries filter and sort on.
// Every write is a single-document conditional write on the document's
// version (store.ReplaceIfVersion), so racing writers never both win: this is
// what makes booking a slot, and taking a quota or capacity unit, safe.
package adapters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/store"
)

// head is the part of every document the repositories read back.
type head struct {
	ID        string     `bson:"_id"`
	Payload   []byte     `bson:"payload"`
	Version   int64      `bson:"version"`
	DeletedAt *time.Time `bson:"deleted_at,omitempty"`
}

// repo is the storage of one aggregate type T.
type repo[T proto.Message] struct {
	c store.Collection
	// what names the aggregate in Chinese for messages ("专家").
	what string
	// fresh returns an empty T.
	fresh func() T
	// id returns the aggregate's id.
	id func(T) string
	// fields are the queryable fields of the document besides _id,
	// payload, version and deleted_at.
	fields func(T) bson.D
	// stamp sets the output-only etag from the version.
	stamp func(T, int64)
	// written, when set, hears of every successful write (the change feed
	// the match service's experts index follows).
	written func(ctx context.Context, obj T, version int64, deleted bool)
}

func marshal(m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("adapters: marshal %T: %v", m, err)) // only on a programming error
	}
	return b
}

func (r repo[T]) doc(obj T, version int64, deleted *time.Time) bson.D {
	d := bson.D{{Key: "_id", Value: r.id(obj)}, {Key: "payload", Value: marshal(obj)}, {Key: "version", Value: version}}
	d = append(d, r.fields(obj)...)
	if deleted != nil {
		d = append(d, bson.E{Key: "deleted_at", Value: deleted.UTC()})
	}
	return d
}

func (r repo[T]) decode(h head) (T, error) {
	obj := r.fresh()
	if err := proto.Unmarshal(h.Payload, obj); err != nil {
		var zero T
		return zero, fmt.Errorf("%s: decode %s: %w", r.c.Write.Name(), h.ID, err)
	}
	r.stamp(obj, h.Version)
	return obj, nil
}

func (r repo[T]) notFound(id string) error { return apperr.NotFound("%s%s不存在", r.what, id) }

// insert stores a new aggregate at version 1.
func (r repo[T]) insert(ctx context.Context, obj T) (T, error) {
	if _, err := r.c.Write.InsertOne(ctx, r.doc(obj, 1, nil)); err != nil {
		var zero T
		if store.IsDuplicateKey(err) {
			return zero, apperr.AlreadyExists("%s%s已存在", r.what, r.id(obj))
		}
		return zero, fmt.Errorf("%s: insert: %w", r.c.Write.Name(), err)
	}
	r.stamp(obj, 1)
	if r.written != nil {
		r.written(ctx, obj, 1, false)
	}
	return obj, nil
}

// get reads a live aggregate and its version. fromWriter reads through the
// write connection, for read-modify-write cycles that must see the last
// write.
func (r repo[T]) get(ctx context.Context, id string, fromWriter bool) (T, int64, error) {
	var zero T
	c := r.c.Read
	if fromWriter {
		c = r.c.Write
	}
	var h head
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&h); err != nil {
		if store.IsNotFound(err) {
			return zero, 0, r.notFound(id)
		}
		return zero, 0, fmt.Errorf("%s: find: %w", r.c.Write.Name(), err)
	}
	if h.DeletedAt != nil {
		return zero, 0, r.notFound(id)
	}
	obj, err := r.decode(h)
	return obj, h.Version, err
}

// errRemove, returned by an update function after its changes, soft-deletes
// the aggregate.
var errRemove = errors.New("remove")

// update applies fn to the aggregate and writes it back conditional on the
// version read; with expect > 0 the version must be expect (an etag). A lost
// race without an etag retries with a fresh read, so fn must be pure: it
// sees the current state every time. fn may return errRemove to soft-delete
// after its changes, or store.ErrNoChange to write nothing.
func (r repo[T]) update(ctx context.Context, id string, expect int64, now time.Time, fn func(T) error) (T, error) {
	remove := false
	return store.OptimisticUpdate(ctx, "该"+r.what, expect,
		func(ctx context.Context) (T, int64, error) { return r.get(ctx, id, true) },
		func(obj T) error {
			remove = false
			err := fn(obj)
			if errors.Is(err, errRemove) {
				remove = true
				return nil
			}
			return err
		},
		func(ctx context.Context, obj T, old int64) (bool, error) {
			var deleted *time.Time
			if remove {
				deleted = &now
			}
			ok, err := r.c.ReplaceIfVersion(ctx, id, old, r.doc(obj, old+1, deleted))
			if err != nil {
				return false, fmt.Errorf("%s: replace: %w", r.c.Write.Name(), err)
			}
			if ok {
				r.stamp(obj, old+1)
				if r.written != nil {
					r.written(ctx, obj, old+1, remove)
				}
			}
			return ok, nil
		})
}

// page returns one page of live aggregates matching filter in sort order,
// and the total.
func (r repo[T]) page(ctx context.Context, filter bson.D, sort bson.D, offset, limit int) ([]T, int, error) {
	heads, total, err := store.Page(ctx, r.c.Read, r.c.Write.Name(), live(filter), sort, offset, limit, func(h head) head { return h })
	if err != nil {
		return nil, 0, err
	}
	out, err := r.decodeAll(heads)
	return out, total, err
}

// all returns every live aggregate matching filter in sort order.
func (r repo[T]) all(ctx context.Context, filter bson.D, sort bson.D) ([]T, error) {
	heads, err := store.FindAll(ctx, r.c.Read, r.c.Write.Name(), live(filter), options.Find().SetSort(sort), func(h head) head { return h })
	if err != nil {
		return nil, err
	}
	return r.decodeAll(heads)
}

func (r repo[T]) decodeAll(heads []head) ([]T, error) {
	out := make([]T, 0, len(heads))
	for _, h := range heads {
		obj, err := r.decode(h)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

func live(filter bson.D) bson.D {
	return append(bson.D{store.NotDeleted()}, filter...)
}

func enumName(e protoreflect.Enum) string {
	if vd := e.Descriptor().Values().ByNumber(e.Number()); vd != nil && e.Number() != 0 {
		return string(vd.Name())
	}
	return ""
}

func enumNames[E protoreflect.Enum](in []E) []string {
	out := make([]string, 0, len(in))
	for _, e := range in {
		if n := enumName(e); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func strs(in []string) []string {
	if in == nil {
		return []string{}
	}
	return in
}

func eq(key string, v any) bson.E { return bson.E{Key: key, Value: v} }

func in(key string, v any) bson.E { return bson.E{Key: key, Value: bson.D{{Key: "$in", Value: v}}} }
