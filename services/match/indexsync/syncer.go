package indexsync

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/services/match/index"
)

// Options tune a Syncer; zero values take the defaults.
type Options struct {
	// PollInterval is how often each feed is read when it is idle
	// (default 100ms).
	PollInterval time.Duration
	// HoleWindow is how long a hole in a feed is waited for (default 5s).
	HoleWindow time.Duration
	// ReconcileEvery is the period of full comparisons (default 10m; <0
	// disables them).
	ReconcileEvery time.Duration
	// FreshnessBudget is the lag above which an index reports LAGGING
	// (default 2s).
	FreshnessBudget time.Duration
	// BatchSize bounds a feed read (default 500).
	BatchSize int
	Logger    *slog.Logger
	Now       func() time.Time
	// Observer hears of every applied document; may be nil.
	Observer Observer
}

func (o *Options) defaults() {
	if o.PollInterval <= 0 {
		o.PollInterval = 100 * time.Millisecond
	}
	if o.HoleWindow <= 0 {
		o.HoleWindow = 5 * time.Second
	}
	if o.ReconcileEvery == 0 {
		o.ReconcileEvery = 10 * time.Minute
	}
	if o.FreshnessBudget <= 0 {
		o.FreshnessBudget = 2 * time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Health sums up an index.
type Health int

// The health states, as the contract's IndexHealth.
const (
	HealthBuilding Health = iota
	HealthServing
	HealthLagging
	HealthUnavailable
)

// RebuildState is where a rebuild stands.
type RebuildState int

// The rebuild states, as the contract's RebuildStatus.
const (
	RebuildRunning RebuildState = iota + 1
	RebuildCatchingUp
	RebuildSucceeded
	RebuildFailed
)

// Rebuild describes one rebuild of one index.
type Rebuild struct {
	ID          string
	Kind        index.Kind
	State       RebuildState
	Total       int64
	Indexed     int64
	Start, End  time.Time
	Err         string
	RequestedBy string
}

// Status is one index's state.
type Status struct {
	Kind           index.Kind
	Source         string
	Health         Health
	Documents      int64
	Applied        int64
	Head           int64
	Holes          []int64
	PollTime       time.Time
	LastSync       time.Time
	Lag            time.Duration
	LastReconcile  time.Time
	Repairs        int64
	LastError      string
	LastErrorTime  time.Time
	BuildTime      time.Time
	CurrentRebuild *Rebuild
	LastRebuild    *Rebuild
}

// ErrNotReady is returned for an index whose first build has not finished.
var ErrNotReady = errors.New("indexsync: index not built yet")

// Syncer keeps one index per source in step with it.
type Syncer struct {
	engine index.Engine
	opts   Options
	kinds  map[index.Kind]*kindState
	order  []index.Kind
	wg     sync.WaitGroup
}

// kindState is one index: its source, cursor and known versions. mu
// serialises every write to the index.
type kindState struct {
	src    Source
	schema index.Schema

	mu       sync.Mutex
	cursor   *changefeed.Cursor
	versions map[string]int64 // indexed version; negative for deleted
	// prints fingerprint the indexed documents, so a document whose
	// derived content changed without a new version (an expert's open
	// slots) is still written.
	prints map[string]uint64
	// statusMu guards the fields below (read by Status without mu).
	statusMu      sync.Mutex
	ready         bool
	head          int64
	pollTime      time.Time
	lastSync      time.Time
	oldestPending time.Time
	lastReconcile time.Time
	repairs       int64
	lastErr       string
	lastErrTime   time.Time
	buildTime     time.Time
	current, last *Rebuild
	docs          int64
}

// New returns a Syncer for the sources (one per kind) over engine.
func New(engine index.Engine, sources []Source, schemas map[index.Kind]index.Schema, opts Options) *Syncer {
	opts.defaults()
	s := &Syncer{engine: engine, opts: opts, kinds: map[index.Kind]*kindState{}}
	for _, src := range sources {
		s.kinds[src.Kind()] = &kindState{
			src: src, schema: schemas[src.Kind()],
			cursor: changefeed.NewCursor(0, opts.HoleWindow), versions: map[string]int64{}, prints: map[string]uint64{},
		}
		s.order = append(s.order, src.Kind())
	}
	return s
}

// Engine returns the engine the indexes live in.
func (s *Syncer) Engine() index.Engine { return s.engine }

// Kinds lists the synced kinds in source order.
func (s *Syncer) Kinds() []index.Kind { return s.order }

// Ready reports whether kind's index has been built.
func (s *Syncer) Ready(kind index.Kind) bool {
	k := s.kinds[kind]
	if k == nil {
		return false
	}
	k.statusMu.Lock()
	defer k.statusMu.Unlock()
	return k.ready
}

// Run builds every index and then follows the feeds until ctx ends. An
// index whose build fails is retried; the others keep going.
func (s *Syncer) Run(ctx context.Context) {
	for _, kind := range s.order {
		k := s.kinds[kind]
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.follow(ctx, k)
		}()
	}
	<-ctx.Done()
	s.wg.Wait()
}

func (s *Syncer) follow(ctx context.Context, k *kindState) {
	backoff := s.opts.PollInterval
	for !s.Ready(k.src.Kind()) {
		if _, err := s.rebuild(ctx, k, "system"); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.opts.Logger.Warn("index build failed; retrying", "index", k.src.Kind(), "err", err)
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(backoff*2, 5*time.Second)
		}
	}
	lastReconcile := s.opts.Now()
	backoff = s.opts.PollInterval
	for ctx.Err() == nil {
		more, err := s.poll(ctx, k)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.noteErr(k, err)
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		backoff = s.opts.PollInterval
		if s.opts.ReconcileEvery > 0 && s.opts.Now().Sub(lastReconcile) >= s.opts.ReconcileEvery {
			if _, err := s.Reconcile(ctx, k.src.Kind()); err != nil && ctx.Err() == nil {
				s.noteErr(k, err)
			}
			lastReconcile = s.opts.Now()
		}
		if !more && !sleep(ctx, s.opts.PollInterval) {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (s *Syncer) noteErr(k *kindState, err error) {
	k.statusMu.Lock()
	k.lastErr, k.lastErrTime = err.Error(), s.opts.Now()
	k.statusMu.Unlock()
	s.opts.Logger.Warn("index sync", "index", k.src.Kind(), "err", err)
}

// poll applies one page of changes; more reports a full page.
func (s *Syncer) poll(ctx context.Context, k *kindState) (more bool, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	page, err := k.src.Changes(ctx, k.cursor.Applied, s.opts.BatchSize)
	now := s.opts.Now()
	if err != nil {
		return false, fmt.Errorf("read %s: %w", k.src.Name(), err)
	}
	fresh := freshItems(k.cursor, page)
	if err := s.apply(ctx, k, k.versionsTarget(), fresh); err != nil {
		return false, err
	}
	k.cursor.Done(toFeedPage(page), toEntries(fresh), now)
	k.statusMu.Lock()
	k.head, k.pollTime = page.Head, now
	if len(fresh) > 0 {
		k.lastSync = s.opts.Now()
	}
	k.oldestPending = time.Time{}
	if k.cursor.Applied < page.Head {
		// Changes remain unapplied (holes, or a full page): the oldest
		// recorded one still to come dates the lag.
		for _, it := range page.Items {
			if it.Sequence > k.cursor.Applied && !it.Time.IsZero() && (k.oldestPending.IsZero() || it.Time.Before(k.oldestPending)) {
				k.oldestPending = it.Time
			}
		}
		if k.oldestPending.IsZero() {
			k.oldestPending = now
		}
	}
	k.lastErr = ""
	k.statusMu.Unlock()
	return len(page.Items) >= s.opts.BatchSize, nil
}

func freshItems(c *changefeed.Cursor, p Page) []Item {
	fresh := c.Fresh(toFeedPage(p))
	want := make(map[int64]bool, len(fresh))
	for _, e := range fresh {
		want[e.Sequence] = true
	}
	out := make([]Item, 0, len(fresh))
	for _, it := range p.Items {
		if want[it.Sequence] {
			out = append(out, it)
		}
	}
	return out
}

func toFeedPage(p Page) changefeed.Page {
	return changefeed.Page{Entries: toEntries(p.Items), Head: p.Head, Missing: p.Missing}
}

func toEntries(items []Item) []changefeed.Entry {
	out := make([]changefeed.Entry, len(items))
	for i, it := range items {
		out[i] = changefeed.Entry{Sequence: it.Sequence, Time: it.Time, Change: changefeed.Change{ID: it.ID, Version: it.Version, Deleted: it.Deleted}}
	}
	return out
}

// target is where apply writes: the live index or a rebuild's builder,
// with the version map that goes with it.
type target struct {
	upsert   func(context.Context, []index.Document) error
	delete   func(context.Context, []string) error
	versions map[string]int64
	prints   map[string]uint64
	observe  bool
}

func (k *kindState) versionsTarget() target {
	return target{versions: k.versions, prints: k.prints, observe: true}
}

// fingerprint hashes what a document shows and filters on.
func fingerprint(d *index.Document) uint64 {
	h := fnv.New64a()
	write := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	write(d.Title)
	h.Write(d.Payload)
	for _, m := range []map[string]string{d.Text} {
		keys := slices.Sorted(maps.Keys(m))
		for _, k := range keys {
			write(k)
			write(m[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(d.Keywords)) {
		write(k)
		for _, v := range d.Keywords[k] {
			write(v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(d.Numbers)) {
		write(k)
		write(strconv.FormatFloat(d.Numbers[k], 'g', -1, 64))
	}
	return h.Sum64()
}

// apply writes items to t (the live index when t.upsert is nil), skipping
// any that would not move a document forward. It returns the number of
// documents written.
func (s *Syncer) apply(ctx context.Context, k *kindState, t target, items []Item) error {
	_, err := s.applyCount(ctx, k, t, items)
	return err
}

func (s *Syncer) applyCount(ctx context.Context, k *kindState, t target, items []Item) (int, error) {
	if t.upsert == nil {
		kind := k.src.Kind()
		t.upsert = func(ctx context.Context, d []index.Document) error { return s.engine.Upsert(ctx, kind, d) }
		t.delete = func(ctx context.Context, ids []string) error { return s.engine.Delete(ctx, kind, ids) }
	}
	// The last word on each id wins; items carry the state at read time,
	// so later items of one read are never older.
	last := map[string]Item{}
	var order []string
	for _, it := range items {
		if _, ok := last[it.ID]; !ok {
			order = append(order, it.ID)
		}
		if prev, ok := last[it.ID]; !ok || it.Version >= prev.Version {
			last[it.ID] = it
		}
	}
	var ups []index.Document
	var dels []string
	for _, id := range order {
		it := last[id]
		known, seen := t.versions[id]
		if it.Deleted || it.Doc == nil {
			// Skip when a newer live version or a deletion at least as
			// new is already applied.
			if seen && (known > it.Version || known < 0 && -known >= it.Version) {
				continue
			}
			dels = append(dels, id)
			continue
		}
		if seen && (known > it.Doc.Version || known < 0 && -known >= it.Doc.Version ||
			known == it.Doc.Version && t.prints[id] == fingerprint(it.Doc)) {
			continue
		}
		ups = append(ups, *it.Doc)
	}
	if len(ups) > 0 {
		if err := t.upsert(ctx, ups); err != nil {
			return 0, fmt.Errorf("index %s: upsert: %w", k.src.Kind(), err)
		}
	}
	if len(dels) > 0 {
		if err := t.delete(ctx, dels); err != nil {
			return 0, fmt.Errorf("index %s: delete: %w", k.src.Kind(), err)
		}
	}
	for i := range ups {
		t.versions[ups[i].ID] = ups[i].Version
		t.prints[ups[i].ID] = fingerprint(&ups[i])
		if t.observe && s.opts.Observer != nil {
			s.opts.Observer.Applied(k.src.Kind(), ups[i].ID, &ups[i])
		}
	}
	for _, id := range dels {
		t.versions[id] = -max(last[id].Version, 1)
		delete(t.prints, id)
		if t.observe && s.opts.Observer != nil {
			s.opts.Observer.Applied(k.src.Kind(), id, nil)
		}
	}
	if t.observe {
		k.statusMu.Lock()
		k.docs += int64(len(ups))
		k.statusMu.Unlock()
	}
	return len(ups) + len(dels), nil
}

// Rebuild starts a rebuild of kind in the background and returns it; a
// rebuild already running is returned instead.
func (s *Syncer) Rebuild(ctx context.Context, kind index.Kind, requestedBy string) (*Rebuild, error) {
	k := s.kinds[kind]
	if k == nil {
		return nil, fmt.Errorf("indexsync: no index %q", kind)
	}
	k.statusMu.Lock()
	if k.current != nil {
		r := *k.current
		k.statusMu.Unlock()
		return &r, nil
	}
	r := &Rebuild{ID: ids.New(), Kind: kind, State: RebuildRunning, Start: s.opts.Now(), RequestedBy: requestedBy}
	k.current = r
	k.statusMu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_, _ = s.runRebuild(context.WithoutCancel(ctx), k, r)
	}()
	cp := *r
	return &cp, nil
}

// rebuild runs a rebuild in the caller's goroutine (first builds).
func (s *Syncer) rebuild(ctx context.Context, k *kindState, by string) (*Rebuild, error) {
	k.statusMu.Lock()
	if k.current != nil {
		k.statusMu.Unlock()
		return nil, errors.New("a rebuild is running")
	}
	r := &Rebuild{ID: ids.New(), Kind: k.src.Kind(), State: RebuildRunning, Start: s.opts.Now(), RequestedBy: by}
	k.current = r
	k.statusMu.Unlock()
	return s.runRebuild(ctx, k, r)
}

func (s *Syncer) runRebuild(ctx context.Context, k *kindState, r *Rebuild) (*Rebuild, error) {
	err := s.doRebuild(ctx, k, r)
	k.statusMu.Lock()
	defer k.statusMu.Unlock()
	r.End = s.opts.Now()
	if err != nil {
		r.State, r.Err = RebuildFailed, err.Error()
		k.lastErr, k.lastErrTime = err.Error(), r.End
	} else {
		r.State = RebuildSucceeded
	}
	k.current = nil
	done := *r
	k.last = &done
	return &done, err
}

func (s *Syncer) setRebuild(k *kindState, fn func(r *Rebuild)) {
	k.statusMu.Lock()
	if k.current != nil {
		fn(k.current)
	}
	k.statusMu.Unlock()
}

func (s *Syncer) doRebuild(ctx context.Context, k *kindState, r *Rebuild) error {
	kind := k.src.Kind()
	if err := s.engine.Ensure(ctx, k.schema); err != nil {
		return fmt.Errorf("index %s: ensure: %w", kind, err)
	}
	b, err := s.engine.Rebuild(ctx, k.schema)
	if err != nil {
		return fmt.Errorf("index %s: start rebuild: %w", kind, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = b.Abort(context.WithoutCancel(ctx))
		}
	}()
	versions, prints := map[string]int64{}, map[string]uint64{}
	t := target{upsert: b.Upsert, delete: func(context.Context, []string) error { return nil }, versions: versions, prints: prints}
	var head int64
	first := true
	err = k.src.Scan(ctx, nil, func(h int64, items []Item) error {
		if first {
			head, first = h, false
		}
		var live []Item
		for _, it := range items {
			if it.Doc != nil && !it.Deleted {
				live = append(live, it)
			} else {
				versions[it.ID] = -max(it.Version, 1)
			}
		}
		if _, err := s.applyCount(ctx, k, t, live); err != nil {
			return err
		}
		s.setRebuild(k, func(r *Rebuild) { r.Indexed += int64(len(live)); r.Total = r.Indexed })
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan %s: %w", k.src.Name(), err)
	}

	// Catch up with the changes made since the scan began, under the
	// index's lock so the live poller pauses, then swap.
	s.setRebuild(k, func(r *Rebuild) { r.State = RebuildCatchingUp })
	k.mu.Lock()
	defer k.mu.Unlock()
	cursor := changefeed.NewCursor(head, s.opts.HoleWindow)
	// A builder only takes upserts: deletions made since the scan began
	// are applied to the new index right after the swap, still under the
	// lock, so no search sees the object resurrected for long and no
	// other write comes between.
	var deleteAfterSwap []string
	t.delete = func(_ context.Context, ids []string) error {
		deleteAfterSwap = append(deleteAfterSwap, ids...)
		return nil
	}
	for {
		page, err := k.src.Changes(ctx, cursor.Applied, s.opts.BatchSize)
		if err != nil {
			return fmt.Errorf("catch up %s: %w", k.src.Name(), err)
		}
		fresh := freshItems(cursor, page)
		if err := s.apply(ctx, k, t, fresh); err != nil {
			return err
		}
		cursor.Done(toFeedPage(page), toEntries(fresh), s.opts.Now())
		// Holes stay in the cursor; the poller waits for them.
		if len(page.Items) < s.opts.BatchSize {
			// Later pages would start at Applied; everything read so far
			// is applied or a hole.
			if cursor.Applied >= page.Head || len(fresh) == 0 {
				break
			}
		}
	}
	if err := b.Commit(ctx); err != nil {
		return fmt.Errorf("index %s: swap: %w", kind, err)
	}
	committed = true
	if len(deleteAfterSwap) > 0 {
		if err := s.engine.Delete(ctx, kind, deleteAfterSwap); err != nil {
			return fmt.Errorf("index %s: deletions after swap: %w", kind, err)
		}
	}
	// Tell the observer what changed between the old index and the new.
	if s.opts.Observer != nil {
		for id, v := range k.versions {
			if v > 0 {
				if nv, ok := versions[id]; !ok || nv < 0 {
					s.opts.Observer.Applied(kind, id, nil)
				}
			}
		}
	}
	k.versions, k.prints, k.cursor = versions, prints, cursor
	if s.opts.Observer != nil {
		if err := s.replayObserver(ctx, k); err != nil {
			s.opts.Logger.Warn("observer replay", "index", kind, "err", err)
		}
	}
	var live int64
	for _, v := range versions {
		if v > 0 {
			live++
		}
	}
	now := s.opts.Now()
	k.statusMu.Lock()
	k.ready, k.buildTime, k.docs, k.lastSync, k.head = true, now, live, now, max(k.head, cursor.Applied)
	k.statusMu.Unlock()
	return nil
}

// replayObserver tells the observer about every live document of the new
// index (the observer replaces per id, so this is idempotent).
func (s *Syncer) replayObserver(ctx context.Context, k *kindState) error {
	kind := k.src.Kind()
	const page = 1000
	for off := 0; ; off += page {
		res, err := s.engine.Search(ctx, kind, index.Query{Sort: []index.SortBy{{Field: index.IDField}}, Offset: off, Limit: page})
		if err != nil {
			return err
		}
		for i := range res.Hits {
			d := res.Hits[i].Doc
			s.opts.Observer.Applied(kind, d.ID, &d)
		}
		if len(res.Hits) < page || off+page >= index.MaxWindow {
			return nil
		}
	}
}

// Reconcile compares kind's index with a full scan of its source and
// repairs the differences; it returns how many documents it repaired.
func (s *Syncer) Reconcile(ctx context.Context, kind index.Kind) (int, error) {
	k := s.kinds[kind]
	if k == nil {
		return 0, fmt.Errorf("indexsync: no index %q", kind)
	}
	k.mu.Lock()
	before := make(map[string]int64, len(k.versions))
	for id, v := range k.versions {
		before[id] = v
	}
	k.mu.Unlock()

	scanned := map[string]Item{}
	err := k.src.Scan(ctx, nil, func(_ int64, items []Item) error {
		for _, it := range items {
			scanned[it.ID] = it
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reconcile %s: %w", k.src.Name(), err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	var repair []Item
	for id, it := range scanned {
		v, ok := k.versions[id]
		switch {
		case it.Doc != nil && !it.Deleted && (!ok || v < it.Version && -v < it.Version ||
			v == it.Version && k.prints[id] != fingerprint(it.Doc)):
			repair = append(repair, it)
		case (it.Doc == nil || it.Deleted) && ok && v > 0 && v <= it.Version:
			repair = append(repair, it)
		}
	}
	for id, v := range k.versions {
		if _, ok := scanned[id]; !ok && v > 0 && before[id] == v {
			// In the index before the scan began, unknown to the source.
			repair = append(repair, Item{ID: id, Version: v, Deleted: true})
		}
	}
	n, err := s.applyCount(ctx, k, k.versionsTarget(), repair)
	k.statusMu.Lock()
	k.lastReconcile, k.repairs = s.opts.Now(), int64(n)
	k.statusMu.Unlock()
	if n > 0 {
		s.opts.Logger.Warn("reconciliation repaired documents the feed missed", "index", kind, "repairs", n)
	}
	return n, err
}

// ReindexOutcome is what Reindex did.
type ReindexOutcome int

// The outcomes.
const (
	ReindexUpserted ReindexOutcome = iota + 1
	ReindexUnchanged
	ReindexDeleted
	ReindexNotFound
)

// Reindex re-reads one object from its source and applies it now.
func (s *Syncer) Reindex(ctx context.Context, kind index.Kind, id string) (ReindexOutcome, int64, error) {
	k := s.kinds[kind]
	if k == nil {
		return 0, 0, fmt.Errorf("indexsync: no index %q", kind)
	}
	var got []Item
	if err := k.src.Scan(ctx, []string{id}, func(_ int64, items []Item) error {
		got = append(got, items...)
		return nil
	}); err != nil {
		return 0, 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	v, known := k.versions[id]
	if len(got) == 0 || got[0].Doc == nil || got[0].Deleted {
		if !known || v < 0 {
			return ReindexNotFound, 0, nil
		}
		if err := s.engine.Delete(ctx, kind, []string{id}); err != nil {
			return 0, 0, err
		}
		k.versions[id] = -max(v, 1)
		if s.opts.Observer != nil {
			s.opts.Observer.Applied(kind, id, nil)
		}
		return ReindexDeleted, 0, nil
	}
	it := got[0]
	if known && v == it.Doc.Version && k.prints[id] == fingerprint(it.Doc) {
		if _, ok, err := s.engine.Get(ctx, kind, id); err == nil && ok {
			return ReindexUnchanged, v, nil
		}
	}
	if err := s.engine.Upsert(ctx, kind, []index.Document{*it.Doc}); err != nil {
		return 0, 0, err
	}
	k.versions[id] = it.Doc.Version
	k.prints[id] = fingerprint(it.Doc)
	if s.opts.Observer != nil {
		s.opts.Observer.Applied(kind, id, it.Doc)
	}
	return ReindexUpserted, it.Doc.Version, nil
}

// Status reports every index.
func (s *Syncer) Status(ctx context.Context) []Status {
	out := make([]Status, 0, len(s.order))
	for _, kind := range s.order {
		k := s.kinds[kind]
		k.statusMu.Lock()
		st := Status{
			Kind: kind, Source: k.src.Name(), Head: k.head, PollTime: k.pollTime, LastSync: k.lastSync,
			LastReconcile: k.lastReconcile, Repairs: k.repairs, LastError: k.lastErr, LastErrorTime: k.lastErrTime,
			BuildTime: k.buildTime, Documents: k.docs,
		}
		if k.current != nil {
			c := *k.current
			st.CurrentRebuild = &c
		}
		if k.last != nil {
			l := *k.last
			st.LastRebuild = &l
		}
		if !k.oldestPending.IsZero() {
			st.Lag = s.opts.Now().Sub(k.oldestPending)
		}
		ready := k.ready
		k.statusMu.Unlock()
		if k.mu.TryLock() {
			st.Applied, st.Holes = k.cursor.Applied, k.cursor.Holes()
			k.mu.Unlock()
		} else {
			st.Applied = -1
		}
		if n, err := s.engine.Count(ctx, kind); err == nil {
			st.Documents = int64(n)
		} else if ready {
			st.Health = HealthUnavailable
		}
		switch {
		case !ready:
			st.Health = HealthBuilding
		case st.Health == HealthUnavailable:
		case st.LastError != "" && st.LastErrorTime.After(st.PollTime):
			st.Health = HealthUnavailable
		case st.Lag > s.opts.FreshnessBudget:
			st.Health = HealthLagging
		default:
			st.Health = HealthServing
		}
		out = append(out, st)
	}
	return out
}

// WaitReady waits until every index has had its first build, or ctx ends.
func (s *Syncer) WaitReady(ctx context.Context) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		ready := true
		for _, k := range s.order {
			ready = ready && s.Ready(k)
		}
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
