package adapters

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// Firms stores member firms in the "firms" collection.
type Firms struct {
	c       store.Collection
	now     func() time.Time
	feed    *changefeed.Feed
	members memberCounts
}

// FirmsSource is the firms' change feed source.
const FirmsSource = "firms"

// NewFirms returns the firm repository of db.
func NewFirms(db store.Database, now func() time.Time) *Firms {
	r := &Firms{c: db.Collection("firms"), now: now, feed: changefeed.New(db, now)}
	// Only this process writes to an embedded store, so its own writes keep
	// the counts exact: no periodic recount (a whole-collection aggregate,
	// seconds of CPU at 100,000 firms there). A count that raced a write is
	// still redone.
	r.members.singleWriter = db.Embedded()
	return r
}

// StartMemberCount counts every association's members in the background,
// so the counts are ready before the first association is read.
func (r *Firms) StartMemberCount() { r.members.start(r.now, r.countAllMembers) }

// EnsureIndexes creates the unique USCC index and the indexes lists use.
func (r *Firms) EnsureIndexes(ctx context.Context) error {
	err := r.c.EnsureIndexes(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "uscc", Value: 1}}, Options: options.Index().SetUnique(true).SetName("uscc_unique")},
		{Keys: bson.D{{Key: "association_ids", Value: 1}}, Options: options.Index().SetName("association_ids")},
		{Keys: bson.D{{Key: "district", Value: 1}, {Key: "name", Value: 1}}, Options: options.Index().SetName("district_name")},
		{Keys: bson.D{{Key: "name", Value: 1}}, Options: options.Index().SetName("name")},
	})
	if err != nil {
		return fmt.Errorf("firms: create indexes: %w", err)
	}
	return nil
}

// Create inserts a new firm; a taken USCC is ALREADY_EXISTS.
func (r *Firms) Create(ctx context.Context, f *domain.Firm) error {
	if _, err := r.c.Write.InsertOne(ctx, firmToDoc(f)); err != nil {
		if store.IsDuplicateKey(err) {
			return apperr.AlreadyExists("统一社会信用代码%s已登记，请勿重复登记；如需加入本协会，请使用“添加会员”", f.USCC)
		}
		return fmt.Errorf("firms: insert: %w", err)
	}
	r.feed.Record(ctx, FirmsSource, changefeed.Change{ID: f.ID, Version: f.Version})
	r.members.adjust(nil, liveAssociations(f))
	return nil
}

func liveAssociations(f *domain.Firm) []string {
	if f == nil || f.Deleted() {
		return nil
	}
	return f.AssociationIDs()
}

// InsertMany inserts firms in one unordered batch and returns, per firm, nil
// or the error that kept it out (ALREADY_EXISTS for a taken USCC).
func (r *Firms) InsertMany(ctx context.Context, firms []*domain.Firm) ([]error, error) {
	errs := make([]error, len(firms))
	if len(firms) == 0 {
		return errs, nil
	}
	docs := make([]any, len(firms))
	for i, f := range firms {
		docs[i] = firmToDoc(f)
	}
	_, err := r.c.Write.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	defer func() {
		changes := make([]changefeed.Change, 0, len(firms))
		for i, f := range firms {
			if errs[i] == nil {
				changes = append(changes, changefeed.Change{ID: f.ID, Version: f.Version})
				r.members.adjust(nil, liveAssociations(f))
			}
		}
		r.feed.Record(ctx, FirmsSource, changes...)
	}()
	if err == nil {
		return errs, nil
	}
	bwe, ok := err.(mongo.BulkWriteException)
	if !ok {
		for i := range errs {
			errs[i] = err
		}
		return nil, fmt.Errorf("firms: insert many: %w", err)
	}
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(firms) {
			continue
		}
		if store.IsDuplicateKey(mongo.WriteException{WriteErrors: []mongo.WriteError{we.WriteError}}) {
			errs[we.Index] = apperr.AlreadyExists("统一社会信用代码%s已登记", firms[we.Index].USCC)
		} else {
			errs[we.Index] = fmt.Errorf("firms: insert: %s", we.Message)
		}
	}
	return errs, nil
}

func (r *Firms) get(ctx context.Context, filter bson.D) (*domain.Firm, error) {
	var d firmDoc
	if err := r.c.Read.FindOne(ctx, filter).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.ErrNotFound
		}
		return nil, fmt.Errorf("firms: find: %w", err)
	}
	return firmFromDoc(d), nil
}

// Get returns a live firm; deleted or missing firms are NOT_FOUND.
func (r *Firms) Get(ctx context.Context, id string) (*domain.Firm, error) {
	f, err := r.get(ctx, bson.D{{Key: "_id", Value: id}})
	if err == nil && f.Deleted() {
		err = apperr.ErrNotFound
	}
	if err == apperr.ErrNotFound {
		return nil, apperr.NotFound("会员企业%s不存在", id)
	}
	return f, err
}

// FindByUSCC returns the firm with a USCC, deleted or not.
func (r *Firms) FindByUSCC(ctx context.Context, code string) (*domain.Firm, error) {
	f, err := r.get(ctx, bson.D{{Key: "uscc", Value: code}})
	if err == apperr.ErrNotFound {
		return nil, apperr.NotFound("统一社会信用代码为%s的企业尚未登记", code)
	}
	return f, err
}

// FindByUSCCs returns the firms (deleted or not) with the given USCCs, keyed
// by USCC, in one query.
func (r *Firms) FindByUSCCs(ctx context.Context, codes []string) (map[string]*domain.Firm, error) {
	out := make(map[string]*domain.Firm, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	list, err := store.FindAll(ctx, r.c.Read, "firms", bson.D{{Key: "uscc", Value: bson.D{{Key: "$in", Value: codes}}}}, nil, firmFromDoc)
	if err != nil {
		return nil, err
	}
	for _, f := range list {
		out[f.USCC] = f
	}
	return out, nil
}

// GetMany returns the live firms with the given ids, keyed by id.
func (r *Firms) GetMany(ctx context.Context, ids []string) (map[string]*domain.Firm, error) {
	out := make(map[string]*domain.Firm, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	docs, err := store.GetByIDs[firmDoc](ctx, r.c.Read, "firms", ids)
	for _, d := range docs {
		if f := firmFromDoc(d); !f.Deleted() {
			out[f.ID] = f
		}
	}
	return out, err
}

// scopeFilter turns a tenancy scope into a filter. An empty scope is an
// error, so a caller that forgot to compute one gets nothing.
func scopeFilter(s domain.FirmScope) (bson.D, error) {
	switch {
	case s.All:
		return bson.D{}, nil
	case s.District != commonv1.District_DISTRICT_UNSPECIFIED:
		return bson.D{{Key: "district", Value: enumName(s.District)}}, nil
	case s.AssociationID != "":
		return bson.D{{Key: "association_ids", Value: s.AssociationID}}, nil
	case s.FirmID != "":
		return bson.D{{Key: "_id", Value: s.FirmID}}, nil
	}
	return nil, fmt.Errorf("firms: query without a tenancy scope")
}

func firmFilter(scope domain.FirmScope, f domain.FirmFilter) (bson.D, error) {
	q, err := scopeFilter(scope)
	if err != nil {
		return nil, err
	}
	q = append(q, store.NotDeleted())
	add := func(k string, v any) { q = append(q, bson.E{Key: k, Value: v}) }
	if f.AssociationID != "" {
		add("association_ids", f.AssociationID)
	}
	if f.District != 0 {
		add("district", enumName(f.District))
	}
	if f.Industry != 0 {
		add("industry", enumName(f.Industry))
	}
	if f.Stage != 0 {
		add("stage", enumName(f.Stage))
	}
	if f.Platform != 0 {
		add("platforms", enumName(f.Platform))
	}
	if f.Need != 0 {
		add("needs", enumName(f.Need))
	}
	if f.Market != "" {
		add("target_markets", f.Market)
	}
	if f.USCC != "" {
		add("uscc", f.USCC)
	}
	if f.NameContains != "" {
		q = append(q, store.TextContains(f.NameContains, "name", "name_en"))
	}
	return q, nil
}

// List returns one page of live firms in scope matching the filter, ordered
// by name, and the total number of matches.
func (r *Firms) List(ctx context.Context, scope domain.FirmScope, f domain.FirmFilter, offset, limit int) ([]*domain.Firm, int, error) {
	q, err := firmFilter(scope, f)
	if err != nil {
		return nil, 0, err
	}
	return store.Page(ctx, r.c.Read, "firms", q, byName, offset, limit, firmFromDoc)
}

// Update applies fn to the firm and writes it back conditional on its
// version (see optimisticUpdate). Deleted firms are NOT_FOUND unless
// includeDeleted, which only re-registration uses.
func (r *Firms) Update(ctx context.Context, id string, expect int64, fn func(*domain.Firm) error) (*domain.Firm, error) {
	return r.update(ctx, id, expect, false, fn)
}

// Revive is Update for a firm that may be soft-deleted.
func (r *Firms) Revive(ctx context.Context, id string, fn func(*domain.Firm) error) (*domain.Firm, error) {
	return r.update(ctx, id, 0, true, fn)
}

func (r *Firms) update(ctx context.Context, id string, expect int64, includeDeleted bool, fn func(*domain.Firm) error) (*domain.Firm, error) {
	var before []string // the associations the firm counted in as read
	return store.OptimisticUpdate(ctx, "该企业资料", expect,
		func(ctx context.Context) (*domain.Firm, int64, error) {
			f, err := r.get(ctx, bson.D{{Key: "_id", Value: id}})
			if err == apperr.ErrNotFound || (err == nil && f.Deleted() && !includeDeleted) {
				return nil, 0, apperr.NotFound("会员企业%s不存在", id)
			}
			if err != nil {
				return nil, 0, err
			}
			before = liveAssociations(f)
			return f, f.Version, nil
		},
		fn,
		func(ctx context.Context, f *domain.Firm, old int64) (bool, error) {
			f.Version = old + 1
			f.UpdateTime = r.now()
			matched, err := r.c.ReplaceIfVersion(ctx, id, old, firmToDoc(f))
			if err != nil {
				if store.IsDuplicateKey(err) {
					return false, apperr.AlreadyExists("统一社会信用代码%s已被其他企业使用", f.USCC)
				}
				return false, fmt.Errorf("firms: replace: %w", err)
			}
			if matched {
				r.feed.Record(ctx, FirmsSource, changefeed.Change{ID: id, Version: f.Version, Deleted: f.Deleted()})
				r.members.adjust(before, liveAssociations(f))
			}
			return matched, nil
		})
}

// CountMembers counts the live member firms of each association.
//
// The counts of every association come from one aggregate over all firms,
// kept in memory and adjusted by this instance's writes, and recounted in
// the background once they are older than memberCountsTTL (which also
// brings in other instances' writes). Counting per call scanned every firm on the embedded
// store, which has no index on association_ids: at 100,000 firms each
// association read took seconds and filled the read pool.
func (r *Firms) CountMembers(ctx context.Context, associationIDs []string) (map[string]int, error) {
	if len(associationIDs) == 0 {
		return map[string]int{}, nil
	}
	return r.members.get(ctx, r.now, r.countAllMembers, associationIDs)
}

// countAllMembers counts the live member firms of every association.
func (r *Firms) countAllMembers(ctx context.Context) (map[string]int, error) {
	cur, err := r.c.Read.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}}}},
		{{Key: "$unwind", Value: "$association_ids"}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$association_ids"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("firms: count members: %w", err)
	}
	var rows []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("firms: count members: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, row := range rows {
		out[row.ID] = row.N
	}
	return out, nil
}

// memberCountsTTL is how long member counts are trusted before they are
// recounted in the background; retryAfterFailure is how long a failed
// recount waits before the next try.
const (
	memberCountsTTL   = 5 * time.Minute
	retryAfterFailure = 10 * time.Second
	recountTimeout    = 2 * time.Minute
	// recountAfterRace is how soon counts are recounted when this
	// instance's writes raced the last recount: the aggregate may or may
	// not have seen them, so they cannot simply be applied again.
	recountAfterRace = time.Minute
)

// memberCounts caches the member count of every association.
type memberCounts struct {
	mu       sync.Mutex
	counts   map[string]int
	loadedAt time.Time
	// counting is closed when the running count ends (nil when none runs);
	// err is the last count's error.
	counting chan struct{}
	err      error
	// raced is set by adjust while a count runs.
	raced bool
	// singleWriter: no other instance writes; counts are only redone when
	// stale (the last count raced a write or failed).
	singleWriter, stale bool
}

// get returns the counts of ids. Counts in memory answer at once; when they
// are older than memberCountsTTL, one recount starts in the background: at
// 100,000 firms a count takes seconds, which no request should wait for.
// Before the first count has finished, callers wait for it (as long as
// their context allows). The count itself runs on its own context, so a
// caller giving up does not abort it for everyone.
func (m *memberCounts) get(ctx context.Context, now func() time.Time, count func(context.Context) (map[string]int, error), ids []string) (map[string]int, error) {
	for attempt := 0; ; attempt++ {
		m.mu.Lock()
		if m.counts != nil {
			if m.due(now()) {
				m.startLocked(now, count)
			}
			out := make(map[string]int, len(ids))
			for _, id := range ids {
				if n := m.counts[id]; n > 0 {
					out[id] = n
				}
			}
			m.mu.Unlock()
			return out, nil
		}
		if attempt > 0 && m.counting == nil && m.err != nil {
			err := m.err
			m.mu.Unlock()
			return nil, err
		}
		done := m.startLocked(now, count)
		m.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// due reports whether the counts should be redone.
func (m *memberCounts) due(now time.Time) bool {
	if m.singleWriter && !m.stale {
		return false
	}
	return now.Sub(m.loadedAt) >= memberCountsTTL
}

// start begins the first count in the background (the service calls it at
// startup, so the counts are ready before anyone asks).
func (m *memberCounts) start(now func() time.Time, count func(context.Context) (map[string]int, error)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.startLocked(now, count)
	}
}

// startLocked starts a count unless one runs, and returns the channel
// closed when it ends.
func (m *memberCounts) startLocked(now func() time.Time, count func(context.Context) (map[string]int, error)) chan struct{} {
	if m.counting == nil {
		m.counting, m.raced = make(chan struct{}), false
		go m.recount(now, count, m.counting)
	}
	return m.counting
}

func (m *memberCounts) recount(now func() time.Time, count func(context.Context) (map[string]int, error), done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), recountTimeout)
	defer cancel()
	start := now()
	counts, err := count(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	defer close(done)
	m.counting, m.err = nil, err
	if err != nil {
		// Keep the counts (still adjusted by this instance's writes) and
		// try again a little later.
		m.loadedAt, m.stale = start.Add(retryAfterFailure-memberCountsTTL), true
		return
	}
	m.counts, m.loadedAt, m.stale = counts, start, m.raced
	if m.raced {
		m.loadedAt = start.Add(recountAfterRace - memberCountsTTL)
	}
}

// adjust moves one firm's membership from the associations before to those
// after (nil: none, e.g. created or deleted).
func (m *memberCounts) adjust(before, after []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counting != nil && !slices.Equal(before, after) {
		m.raced = true
	}
	if m.counts == nil {
		return
	}
	for _, a := range before {
		m.counts[a]--
	}
	for _, a := range after {
		m.counts[a]++
	}
}

// CountByDistrictAndStage counts live firms (of one district, or all when
// district is unspecified) grouped by district and stage.
func (r *Firms) CountByDistrictAndStage(ctx context.Context, district commonv1.District) ([]domain.StageCount, error) {
	match := bson.D{{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}}
	if district != 0 {
		match = append(match, bson.E{Key: "district", Value: enumName(district)})
	}
	cur, err := r.c.Read.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: match}},
		{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: bson.D{{Key: "district", Value: "$district"}, {Key: "stage", Value: "$stage"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
		}}},
	})
	if err != nil {
		return nil, fmt.Errorf("firms: stats: %w", err)
	}
	var rows []struct {
		ID struct {
			District string `bson:"district"`
			Stage    string `bson:"stage"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("firms: stats: %w", err)
	}
	out := make([]domain.StageCount, len(rows))
	for i, row := range rows {
		out[i] = domain.StageCount{
			District: enumValue[commonv1.District](row.ID.District),
			Stage:    enumValue[commonv1.CrossBorderStage](row.ID.Stage),
			Firms:    row.N,
		}
	}
	return out, nil
}

// FindAny returns the firm with id, deleted or not; apperr.ErrNotFound when
// there is none. For the change feed, which reports deletions too.
func (r *Firms) FindAny(ctx context.Context, id string) (*domain.Firm, error) {
	return r.get(ctx, bson.D{{Key: "_id", Value: id}})
}

// Scan calls fn with every firm, deleted ones included, in one pass over
// the collection.
func (r *Firms) Scan(ctx context.Context, fn func(*domain.Firm) error) error {
	return store.Scan(ctx, r.c.Read, "firms", func(d firmDoc) error { return fn(firmFromDoc(d)) })
}

// Feed returns the firms' change feed.
func (r *Firms) Feed() *changefeed.Feed { return r.feed }
