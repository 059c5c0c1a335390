// Package adapters stores the events service's aggregates in MongoDB: events,
// registrations, booth applications, certificates, feedback, outcomes,
// matchmaking settings, participants, meeting requests and schedules, plus one
// seat ledger per event.
//
// Every aggregate is one document holding the whole contract message as its
// protobuf encoding ("payload") next to the fields queries filter and sort on
// ("f"); the version and times of the document are authoritative over the
// payload's copies. One generic repository serves every aggregate, so the
// conditional-update discipline (ReplaceIfVersion on _id and version) is
// written once.
package adapters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/store"
)

// ErrDuplicate is returned (wrapped) when an insert or update would break a
// unique key (the registration's attendee phone, a firm's participant, a
// meeting request between the same two participants).
var ErrDuplicate = errors.New("duplicate key")

// doc is the stored form of every aggregate.
type doc struct {
	ID      string `bson:"_id"`
	EventID string `bson:"event_id"`
	Payload []byte `bson:"payload"`
	Version int64  `bson:"version"`
	// UKey is unique per collection; aggregates without a natural key use
	// "id:" + _id.
	UKey       string     `bson:"ukey"`
	F          bson.M     `bson:"f"`
	Sample     bool       `bson:"sample,omitempty"`
	CreateTime time.Time  `bson:"create_time"`
	UpdateTime time.Time  `bson:"update_time"`
	DeletedAt  *time.Time `bson:"deleted_at,omitempty"`
}

// Spec describes one aggregate to the generic repository.
type Spec[T proto.Message] struct {
	// Collection name.
	Collection string
	// What names the aggregate in Chinese for messages ("报名记录").
	What string
	// New returns an empty message.
	New func() T
	// EventID returns the event the aggregate belongs to.
	EventID func(T) string
	// Fields returns the query fields stored in "f".
	Fields func(T) bson.M
	// UKey returns the unique key, or "" for none.
	UKey func(T) string
	// Indexes lists extra indexes on "f.*" paths.
	Indexes []mongo.IndexModel
}

// Repo stores one aggregate type.
type Repo[T proto.Message] struct {
	c    store.Collection
	spec Spec[T]
	now  func() time.Time
}

// NewRepo returns the repository of spec in db.
func NewRepo[T proto.Message](db store.Database, now func() time.Time, spec Spec[T]) *Repo[T] {
	return &Repo[T]{c: db.Collection(spec.Collection), spec: spec, now: now}
}

// EnsureIndexes creates the unique key index, the event index and the
// spec's indexes.
func (r *Repo[T]) EnsureIndexes(ctx context.Context) error {
	models := append([]mongo.IndexModel{
		{Keys: bson.D{{Key: "ukey", Value: 1}}, Options: options.Index().SetUnique(true).SetName("ukey_unique")},
		{Keys: bson.D{{Key: "event_id", Value: 1}}, Options: options.Index().SetName("event_id")},
	}, r.spec.Indexes...)
	return r.c.EnsureIndexes(ctx, models)
}

// stamp writes the storage facts into the message's id, etag and time
// fields (those it has).
func stamp(m proto.Message, id string, version int64, created, updated time.Time) {
	mr := m.ProtoReflect()
	fields := mr.Descriptor().Fields()
	set := func(name string, v protoreflect.Value) {
		if fd := fields.ByName(protoreflect.Name(name)); fd != nil {
			mr.Set(fd, v)
		}
	}
	if id != "" {
		set("id", protoreflect.ValueOfString(id))
	}
	set("etag", protoreflect.ValueOfString(etag.Format(version)))
	set("create_time", protoreflect.ValueOfMessage(timestamppb.New(created).ProtoReflect()))
	set("update_time", protoreflect.ValueOfMessage(timestamppb.New(updated).ProtoReflect()))
}

func getID(m proto.Message) string {
	mr := m.ProtoReflect()
	if fd := mr.Descriptor().Fields().ByName("id"); fd != nil {
		return mr.Get(fd).String()
	}
	return ""
}

func setID(m proto.Message, id string) {
	mr := m.ProtoReflect()
	if fd := mr.Descriptor().Fields().ByName("id"); fd != nil {
		mr.Set(fd, protoreflect.ValueOfString(id))
	}
}

func sampleOf(m proto.Message) bool {
	mr := m.ProtoReflect()
	if fd := mr.Descriptor().Fields().ByName("sample"); fd != nil {
		return mr.Get(fd).Bool()
	}
	return false
}

func marshal(m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("adapters: marshal %T: %v", m, err)) // only on a programming error
	}
	return b
}

func (r *Repo[T]) toDoc(m T, id string, version int64, created, updated time.Time, deleted *time.Time) doc {
	d := doc{
		ID: id, EventID: r.spec.EventID(m), Payload: marshal(m), Version: version,
		UKey: "id:" + id, F: bson.M{}, Sample: sampleOf(m),
		CreateTime: created.UTC(), UpdateTime: updated.UTC(), DeletedAt: deleted,
	}
	if r.spec.Fields != nil {
		d.F = r.spec.Fields(m)
	}
	if r.spec.UKey != nil && deleted == nil {
		if k := r.spec.UKey(m); k != "" {
			d.UKey = k
		}
	}
	return d
}

func (r *Repo[T]) fromDoc(d doc) (T, error) {
	m := r.spec.New()
	if err := proto.Unmarshal(d.Payload, m); err != nil {
		var zero T
		return zero, fmt.Errorf("%s: decode %s: %w", r.spec.Collection, d.ID, err)
	}
	setID(m, d.ID)
	stamp(m, "", d.Version, d.CreateTime, d.UpdateTime)
	return m, nil
}

// Insert stores m as a new aggregate at version 1 under id (a new id when
// empty; singletons pass their event id). A broken unique key is
// ErrDuplicate.
func (r *Repo[T]) Insert(ctx context.Context, id string, m T) (T, error) {
	return r.InsertWith(ctx, id, m, nil)
}

// InsertWith is Insert with extra query fields that the message does not
// carry (e.g. facts of other aggregates at creation); updates keep them.
func (r *Repo[T]) InsertWith(ctx context.Context, id string, m T, extra bson.M) (T, error) {
	if id == "" {
		id = ids.New()
	}
	setID(m, id)
	now := r.now()
	d := r.toDoc(m, id, 1, now, now, nil)
	for k, v := range extra {
		d.F[k] = v
	}
	if _, err := r.c.Write.InsertOne(ctx, d); err != nil {
		if store.IsDuplicateKey(err) {
			var zero T
			return zero, fmt.Errorf("%s: %w", r.spec.Collection, ErrDuplicate)
		}
		var zero T
		return zero, fmt.Errorf("%s: insert: %w", r.spec.Collection, err)
	}
	return r.fromDoc(d)
}

// Get returns a live aggregate and its version; a missing or deleted one is
// NOT_FOUND.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, int64, error) {
	m, d, err := r.get(ctx, r.c.Read, id)
	return m, d.Version, err
}

func (r *Repo[T]) get(ctx context.Context, c *mongo.Collection, id string) (T, doc, error) {
	var zero T
	var d doc
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return zero, d, apperr.NotFound("%s%s不存在", r.spec.What, id)
		}
		return zero, d, fmt.Errorf("%s: find: %w", r.spec.Collection, err)
	}
	if d.DeletedAt != nil {
		return zero, d, apperr.NotFound("%s%s不存在", r.spec.What, id)
	}
	m, err := r.fromDoc(d)
	return m, d, err
}

// Update reads the aggregate, applies fn and writes it back conditional on
// the version read. With expect > 0 the stored version must be expect
// (ABORTED otherwise); with 0 lost races are retried. fn may return
// store.ErrNoChange to skip the write.
func (r *Repo[T]) Update(ctx context.Context, id string, expect int64, fn func(T) error) (T, error) {
	return r.update(ctx, id, expect, false, fn)
}

// Delete soft-deletes the aggregate after check accepts it; its unique key
// is released.
func (r *Repo[T]) Delete(ctx context.Context, id string, expect int64, check func(T) error) error {
	_, err := r.update(ctx, id, expect, true, check)
	return err
}

func (r *Repo[T]) update(ctx context.Context, id string, expect int64, remove bool, fn func(T) error) (T, error) {
	var lastF bson.M
	return store.OptimisticUpdate(ctx, r.spec.What, expect,
		func(ctx context.Context) (T, int64, error) {
			// Read through the writer: a retry must see the write that beat it.
			m, d, err := r.get(ctx, r.c.Write, id)
			lastF = d.F
			return m, d.Version, err
		},
		fn,
		func(ctx context.Context, m T, old int64) (bool, error) {
			var deleted *time.Time
			now := r.now()
			if remove {
				deleted = &now
			}
			created := now
			if ct := m.ProtoReflect().Descriptor().Fields().ByName("create_time"); ct != nil {
				if t, ok := m.ProtoReflect().Get(ct).Message().Interface().(*timestamppb.Timestamp); ok && t.IsValid() && t.GetSeconds() != 0 {
					created = t.AsTime()
				}
			}
			d := r.toDoc(m, id, old+1, created, now, deleted)
			for k, v := range lastF {
				if _, ok := d.F[k]; !ok {
					d.F[k] = v
				}
			}
			matched, err := r.c.ReplaceIfVersion(ctx, id, old, d)
			if err != nil {
				if store.IsDuplicateKey(err) {
					return false, fmt.Errorf("%s: %w", r.spec.Collection, ErrDuplicate)
				}
				return false, fmt.Errorf("%s: replace: %w", r.spec.Collection, err)
			}
			if !matched {
				return false, nil
			}
			stamp(m, "", old+1, created, now)
			return true, nil
		})
}

// Query is a filter on "f" fields (keys without the "f." prefix, or
// operators such as "$or" whose clauses use "f." paths), the event and the
// order.
type Query struct {
	EventID string
	Filter  bson.D
	Sort    bson.D
}

func (q Query) bson() bson.D {
	and := bson.A{bson.D{store.NotDeleted()}}
	if q.EventID != "" {
		and = append(and, bson.D{{Key: "event_id", Value: q.EventID}})
	}
	for _, e := range q.Filter {
		and = append(and, bson.D{e})
	}
	return bson.D{{Key: "$and", Value: and}}
}

// Find returns one page of live aggregates matching q and the total.
func (r *Repo[T]) Find(ctx context.Context, q Query, offset, limit int) ([]T, int, error) {
	sort := append(append(bson.D{}, q.Sort...), bson.E{Key: "_id", Value: 1})
	docs, total, err := store.Page(ctx, r.c.Read, r.spec.Collection, q.bson(), sort, offset, limit, func(d doc) doc { return d })
	if err != nil {
		return nil, 0, err
	}
	out := make([]T, 0, len(docs))
	for _, d := range docs {
		m, err := r.fromDoc(d)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, nil
}

// All returns every live aggregate matching q.
func (r *Repo[T]) All(ctx context.Context, q Query) ([]T, error) {
	out, _, err := r.Find(ctx, q, 0, 0)
	return out, err
}

// Count counts the live aggregates matching q.
func (r *Repo[T]) Count(ctx context.Context, q Query) (int, error) {
	n, err := r.c.Read.CountDocuments(ctx, q.bson())
	if err != nil {
		return 0, fmt.Errorf("%s: count: %w", r.spec.Collection, err)
	}
	return int(n), nil
}

// F names a query field: F("status") is "f.status".
func F(name string) string { return "f." + name }
