// Package changefeed records, for each source collection of a service, the
// sequence of its changes, so that the match service can keep its search
// indexes in step without change streams (the embedded store has none).
//
// A write to a source document is followed by Append, which takes the next
// sequence numbers from a per-source counter and records one entry per
// changed document: its id, its new version and whether it is now deleted.
// Readers ask for the entries after the last sequence they applied and fetch
// the documents' current state from the owning service, so a change read
// late still yields the newest version.
//
// Sequences are allocated before their entry is written, so a reader can see
// sequence 11 while 10 is still being written by another request, or never
// written at all because that request died in between. Read reports such
// holes; a [Cursor] waits for them for a safety window before it moves past.
// A write whose entry was lost that way, or whose process died between the
// write and Append, is repaired by the reader's periodic reconciliation with
// a full scan of the source.
//
// Entries and the counter are looked up by _id only: the embedded FerretDB
// uses an index for nothing else.
package changefeed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/qihang-hz/qihang/internal/store"
)

// Change is one document's change as its writer records it.
type Change struct {
	// ID is the document's id in its collection.
	ID string
	// Version is the document's version after the write.
	Version int64
	// Deleted is true when the write deleted (or soft-deleted) the document.
	Deleted bool
}

// Entry is a recorded change with its place in the source's sequence.
type Entry struct {
	Change
	Sequence int64
	// Time is when the change was recorded.
	Time time.Time
}

// Page is what Read returns.
type Page struct {
	// Entries in sequence order.
	Entries []Entry
	// Head is the highest sequence allocated at the source when it was read.
	Head int64
	// Missing are the sequences in the page's range that were allocated but
	// have no entry (yet).
	Missing []int64
}

// Feed is the change feed of one service's database.
type Feed struct {
	counters store.Collection
	entries  store.Collection
	now      func() time.Time
}

// New returns the feed stored in db ("changefeed_counters" and
// "changefeed_entries").
func New(db store.Database, now func() time.Time) *Feed {
	if now == nil {
		now = time.Now
	}
	return &Feed{counters: db.Collection("changefeed_counters"), entries: db.Collection("changefeed_entries"), now: now}
}

// EnsureIndexes creates the collections and, on the embedded store, the
// _id index FerretDB lacks: every read of the feed is by _id, and without
// it each one scans the whole feed.
func (f *Feed) EnsureIndexes(ctx context.Context) error {
	for _, c := range []store.Collection{f.counters, f.entries} {
		if err := c.EnsureIndexes(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

type counterDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"`
}

type entryDoc struct {
	ID       string    `bson:"_id"`
	Source   string    `bson:"source"`
	Seq      int64     `bson:"seq"`
	DocID    string    `bson:"doc_id"`
	Version  int64     `bson:"version"`
	Deleted  bool      `bson:"deleted,omitempty"`
	RecordAt time.Time `bson:"recorded_at"`
}

func entryID(source string, seq int64) string { return fmt.Sprintf("%s:%020d", source, seq) }

// Append records changes to source, in order. It is called after the writes
// it records have succeeded; an error means some entries may be missing,
// which the readers' reconciliation repairs, so callers log it and still
// report their write as done.
func (f *Feed) Append(ctx context.Context, source string, changes ...Change) error {
	if len(changes) == 0 {
		return nil
	}
	var c counterDoc
	err := f.counters.Write.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: source}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(len(changes))}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&c)
	if err != nil {
		return fmt.Errorf("changefeed %s: allocate: %w", source, err)
	}
	first := c.Seq - int64(len(changes)) + 1
	now := f.now().UTC()
	docs := make([]any, len(changes))
	for i, ch := range changes {
		seq := first + int64(i)
		docs[i] = entryDoc{ID: entryID(source, seq), Source: source, Seq: seq, DocID: ch.ID, Version: ch.Version, Deleted: ch.Deleted, RecordAt: now}
	}
	if _, err := f.entries.Write.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		return fmt.Errorf("changefeed %s: record %d changes: %w", source, len(changes), err)
	}
	return nil
}

// Head returns the highest sequence allocated for source (0 before any).
func (f *Feed) Head(ctx context.Context, source string) (int64, error) {
	var c counterDoc
	err := f.counters.Read.FindOne(ctx, bson.D{{Key: "_id", Value: source}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("changefeed %s: head: %w", source, err)
	}
	return c.Seq, nil
}

// MaxRead bounds the entries of one Read.
const MaxRead = 1000

// Record is Append for writers whose write has already succeeded: a failure
// is logged, not returned, because the write stands and the readers'
// reconciliation repairs the missing entry. It runs even when ctx has been
// cancelled since the write.
func (f *Feed) Record(ctx context.Context, source string, changes ...Change) {
	if err := f.Append(context.WithoutCancel(ctx), source, changes...); err != nil {
		slog.Default().ErrorContext(ctx, "change feed entry lost; reconciliation will repair it", "source", source, "changes", len(changes), "err", err)
	}
}

// Read returns up to limit entries of source after sequence after.
func (f *Feed) Read(ctx context.Context, source string, after int64, limit int) (Page, error) {
	if limit <= 0 || limit > MaxRead {
		limit = MaxRead
	}
	head, err := f.Head(ctx, source)
	if err != nil {
		return Page{}, err
	}
	p := Page{Head: head}
	end := min(head, after+int64(limit))
	for seq := after + 1; seq <= end; seq++ {
		var d entryDoc
		err := f.entries.Read.FindOne(ctx, bson.D{{Key: "_id", Value: entryID(source, seq)}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			p.Missing = append(p.Missing, seq)
			continue
		}
		if err != nil {
			return Page{}, fmt.Errorf("changefeed %s: read %d: %w", source, seq, err)
		}
		p.Entries = append(p.Entries, Entry{
			Change:   Change{ID: d.DocID, Version: d.Version, Deleted: d.Deleted},
			Sequence: d.Seq, Time: d.RecordAt,
		})
	}
	return p, nil
}
