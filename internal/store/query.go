package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// Query helpers shared by the services' store adapters. They keep to what
// behaves the same on MongoDB and on the embedded FerretDB.

// NotDeleted matches live documents (soft deletes set deleted_at).
func NotDeleted() bson.E {
	return bson.E{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}
}

// IDsIn matches the documents with the given ids.
func IDsIn(ids []string) bson.D {
	return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
}

// TextContains matches text in any of the fields, case-insensitively, with
// the text taken literally (not as a pattern).
func TextContains(text string, fields ...string) bson.E {
	re := bson.Regex{Pattern: regexp.QuoteMeta(text), Options: "i"}
	or := make(bson.A, len(fields))
	for i, f := range fields {
		or[i] = bson.D{{Key: f, Value: re}}
	}
	return bson.E{Key: "$or", Value: or}
}

// Page counts the documents matching q and returns those from offset (at
// most limit, 0 = all) in sort order, converted by conv. what names the
// collection in errors.
func Page[D, T any](ctx context.Context, c *mongo.Collection, what string, q, sort bson.D, offset, limit int, conv func(D) T) ([]T, int, error) {
	total, err := c.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: count: %w", what, err)
	}
	if offset >= int(total) {
		return nil, int(total), nil
	}
	opts := options.Find().SetSort(sort).SetSkip(int64(offset))
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	out, err := FindAll(ctx, c, what, q, opts, conv)
	return out, int(total), err
}

// FindAll returns every document matching q, converted by conv.
func FindAll[D, T any](ctx context.Context, c *mongo.Collection, what string, q bson.D, opts *options.FindOptionsBuilder, conv func(D) T) ([]T, error) {
	cur, err := c.Find(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: find: %w", what, err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("%s: find: %w", what, err)
	}
	out := make([]T, len(docs))
	for i, d := range docs {
		out[i] = conv(d)
	}
	return out, nil
}

// ErrNoChange, returned by an update function, ends the update without a
// write; the update returns the object as read.
var ErrNoChange = errors.New("no change")

// maxAttempts bounds the retries of an update without an expected version
// when other writers keep winning; between attempts the loser waits a random
// time that grows with the attempt (up to maxBackoff), so a crowd of writers
// on one document spreads out instead of colliding again.
const (
	maxAttempts = 100
	maxBackoff  = 50 * time.Millisecond
)

// OptimisticUpdate reads an object, applies fn to it and writes it back on
// condition that its version is still the one read. fn sees the object
// before its version is compared with expect, so access checks inside fn
// decide first (a stale etag must not tell a caller who may not see the
// object that it exists). With expect > 0 the object must be at that version
// (an API etag) and a lost race is a conflict; with expect == 0 a lost race
// is retried with a fresh read.
//
// get returns the object and its stored version; put writes it with the
// version incremented, conditional on old, and reports whether it matched.
// what names the object in Chinese for the conflict message.
func OptimisticUpdate[T any](ctx context.Context, what string, expect int64,
	get func(context.Context) (T, int64, error),
	fn func(T) error,
	put func(ctx context.Context, obj T, old int64) (bool, error),
) (T, error) {
	var zero T
	for attempt := 0; attempt < maxAttempts; attempt++ {
		obj, ver, err := get(ctx)
		if err != nil {
			return zero, err
		}
		if err := fn(obj); err != nil {
			if errors.Is(err, ErrNoChange) {
				return obj, nil
			}
			return zero, err
		}
		if expect > 0 && ver != expect {
			return zero, apperr.Conflict("%s已被他人修改（当前版本%d，您提交的是版本%d），请刷新后重试", what, ver, expect)
		}
		ok, err := put(ctx, obj, ver)
		if err != nil {
			return zero, err
		}
		if ok {
			return obj, nil
		}
		if expect > 0 {
			return zero, apperr.Conflict("%s刚刚被他人修改，请刷新后重试", what)
		}
		backoff := min(time.Duration(attempt+1)*time.Millisecond, maxBackoff)
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-time.After(rand.N(backoff) + time.Millisecond):
		}
	}
	return zero, fmt.Errorf("%s: update lost %d races in a row", what, maxAttempts)
}

// ReplaceIfVersion replaces the document with the given id by doc if its
// stored "version" is still old, and reports whether it did.
//
// Against MongoDB this is one conditional replace. The embedded FerretDB
// looks documents up by index only when the filter is exactly {_id: …}; a
// filter that also names the version scans the whole collection on every
// write. Embedded mode has a single writing process (this one), so there the
// read of the version and the replace by _id alone run under a per-document
// lock, which makes the pair as atomic as the conditional replace.
func (c Collection) ReplaceIfVersion(ctx context.Context, id string, old int64, doc any) (bool, error) {
	if c.db.store == nil || !c.db.store.embedded {
		res, err := c.Write.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: old}}, doc)
		if err != nil {
			return false, err
		}
		return res.MatchedCount == 1, nil
	}
	unlock := c.db.store.locks.lock(c.db.Write.Name() + "." + c.Write.Name() + "/" + id)
	defer unlock()
	var cur struct {
		Version int64 `bson:"version"`
	}
	err := c.Write.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "version", Value: 1}})).Decode(&cur)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if cur.Version != old {
		return false, nil
	}
	res, err := c.Write.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc)
	if err != nil {
		return false, err
	}
	return res.MatchedCount == 1, nil
}

// keyLocks hands out one mutex per key, dropping it when unused.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

func (l *keyLocks) lock(key string) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	k := l.m[key]
	if k == nil {
		k = &keyLock{}
		l.m[key] = k
	}
	k.refs++
	l.mu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		l.mu.Lock()
		k.refs--
		if k.refs == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
}

// fewIDs is how many ids GetByIDs looks up one by one.
const fewIDs = 32

// GetByIDs returns the documents with the given ids (missing ones are left
// out), deleted or not. The embedded store uses an index only for a filter
// that is exactly {_id: …}, so a few ids are looked up one by one, each by
// index; more than fewIDs go in one $in query (which scans there).
func GetByIDs[D any](ctx context.Context, c *mongo.Collection, what string, ids []string) ([]D, error) {
	if len(ids) > fewIDs {
		var out []D
		cur, err := c.Find(ctx, IDsIn(ids))
		if err != nil {
			return nil, fmt.Errorf("%s: find by ids: %w", what, err)
		}
		if err := cur.All(ctx, &out); err != nil {
			return nil, fmt.Errorf("%s: find by ids: %w", what, err)
		}
		return out, nil
	}
	out := make([]D, 0, len(ids))
	for _, id := range ids {
		var d D
		err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: find %s: %w", what, id, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// Scan decodes every document of c, deleted ones included, in one pass and
// calls fn with each, stopping at fn's first error.
func Scan[D any](ctx context.Context, c *mongo.Collection, what string, fn func(D) error) error {
	cur, err := c.Find(ctx, bson.D{}, options.Find().SetBatchSize(500))
	if err != nil {
		return fmt.Errorf("%s: scan: %w", what, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("%s: scan: %w", what, err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("%s: scan: %w", what, err)
	}
	return nil
}
