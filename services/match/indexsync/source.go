// Package indexsync keeps the match service's search indexes in step with
// the owning services' data, without change streams (DESIGN.md, "Index
// sync"):
//
//   - Each source collection stamps every write with a per-collection
//     sequence (internal/changefeed). A poller per index reads the changes
//     after its cursor every PollInterval, fetches each changed object's
//     current state with them, and applies them to the index. Upserts are
//     keyed by id and guarded by version, so re-reading a change (after a
//     restart, or while waiting for a hole in the sequence) never moves an
//     index backwards.
//   - A hole in the sequence (allocated, not yet recorded) is waited for
//     for HoleWindow, then skipped.
//   - Every ReconcileEvery the whole source is scanned and compared with the
//     index; whatever the feed missed (a writer that died between its write
//     and its feed entry) is repaired and counted.
//   - A rebuild fills a fresh index from a full scan, catches up with the
//     changes made meanwhile under the index's lock, and swaps it in; the
//     old index answers until the swap.
//
// At start every index is built this way (the embedded Bleve index lives in
// memory), so a killed and restarted indexer converges on the sources.
package indexsync

import (
	"context"
	"time"

	"github.com/qihang-hz/qihang/services/match/index"
)

// Item is one object as a source reports it: a change (with its sequence)
// or a scanned object (sequence 0).
type Item struct {
	Sequence int64
	ID       string
	// Version is the object's version (for a deletion: the version the
	// deleting write produced).
	Version int64
	Deleted bool
	// Time is when the source recorded the change (zero for scans).
	Time time.Time
	// Doc is the object's search document; nil when deleted.
	Doc *index.Document
}

// Page is one read of a source's change feed.
type Page struct {
	Items   []Item
	Head    int64
	Missing []int64
}

// Source is one collection that feeds one index.
type Source interface {
	// Name is "service.collection", e.g. "profiles.firms".
	Name() string
	Kind() index.Kind
	// Changes returns up to max changes after sequence after, each with the
	// object's current document.
	Changes(ctx context.Context, after int64, max int) (Page, error)
	// Scan calls fn with batches of every object (or of the given ids);
	// head, in the first call, is the feed's head before the scan began.
	Scan(ctx context.Context, ids []string, fn func(head int64, items []Item) error) error
}

// Observer hears of every document applied to an index (doc nil for a
// deletion), in order per kind, e.g. to keep per-association member
// statistics. A call replaces what it said before about the same id.
type Observer interface {
	Applied(kind index.Kind, id string, doc *index.Document)
}
