package adapters

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// ExpertsSource is the experts' change feed source.
const ExpertsSource = "experts"

// Store holds every repository of the consult service's database.
type Store struct {
	// Feed is the change feed of experts (source ExpertsSource).
	Feed          *changefeed.Feed
	Experts       *Experts
	Slots         *Slots
	Clinics       *Clinics
	Consultations *Consultations
	Notes         *Notes
	Counters      *Counters
	Settings      *Settings
}

// New returns the repositories of db.
func New(db store.Database) *Store {
	feed := changefeed.New(db, nil)
	experts, slots := expertRepo(db), slotRepo(db)
	experts.written = func(ctx context.Context, e *consultv1.Expert, v int64, deleted bool) {
		feed.Record(ctx, ExpertsSource, changefeed.Change{ID: e.GetId(), Version: v, Deleted: deleted})
	}
	// A slot's change changes its expert's open slots, which the experts
	// index records; the expert's own version stays.
	slots.written = func(ctx context.Context, sl *consultv1.Slot, _ int64, _ bool) {
		feed.Record(ctx, ExpertsSource, changefeed.Change{ID: sl.GetExpertId()})
	}
	return &Store{
		Feed:          feed,
		Experts:       &Experts{experts},
		Slots:         &Slots{slots},
		Clinics:       &Clinics{clinicRepo(db)},
		Consultations: &Consultations{consultationRepo(db)},
		Notes:         &Notes{noteRepo(db)},
		Counters:      &Counters{c: db.Collection("counters")},
		Settings:      &Settings{c: db.Collection("settings")},
	}
}

func idx(name string, keys ...string) mongo.IndexModel {
	d := bson.D{}
	for _, k := range keys {
		d = append(d, bson.E{Key: k, Value: 1})
	}
	return mongo.IndexModel{Keys: d, Options: options.Index().SetName(name)}
}

// EnsureIndexes creates the indexes the lists use (MongoDB uses them; the
// embedded store gets its _id index).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	for _, x := range []struct {
		c      store.Collection
		models []mongo.IndexModel
	}{
		{s.Experts.r.c, []mongo.IndexModel{idx("name", "name")}},
		{s.Slots.r.c, []mongo.IndexModel{idx("expert_start", "expert_id", "start_time"), idx("clinic", "clinic_id"), idx("start", "start_time")}},
		{s.Clinics.r.c, []mongo.IndexModel{idx("start", "start_time"), idx("expert", "expert_id")}},
		{s.Consultations.r.c, []mongo.IndexModel{idx("firm", "firm_id"), idx("status", "status"), idx("create", "create_time"), idx("experts", "case_expert_ids"), idx("district", "district")}},
		{s.Notes.r.c, []mongo.IndexModel{idx("consultation", "consultation_id", "create_time")}},
		{s.Counters.c, nil},
		{s.Settings.c, nil},
	} {
		if err := x.c.EnsureIndexes(ctx, x.models); err != nil {
			return err
		}
	}
	return nil
}

// ── experts ─────────────────────────────────────────────────────────────

func expertRepo(db store.Database) repo[*consultv1.Expert] {
	return repo[*consultv1.Expert]{
		c: db.Collection("experts"), what: "专家",
		fresh: func() *consultv1.Expert { return &consultv1.Expert{} },
		id:    func(e *consultv1.Expert) string { return e.GetId() },
		stamp: func(e *consultv1.Expert, v int64) { e.Etag = etag.Format(v) },
		fields: func(e *consultv1.Expert) bson.D {
			return bson.D{
				eq("name", e.GetName()), eq("organisation", e.GetOrganisation()),
				eq("specialties", enumNames(e.GetSpecialties())), eq("stages", enumNames(e.GetStages())),
				eq("markets", strs(e.GetMarkets())), eq("platforms", enumNames(e.GetPlatforms())),
				eq("languages", strs(e.GetLanguages())), eq("districts", enumNames(e.GetDistricts())),
				eq("parks", strs(e.GetParks())), eq("online", e.GetOnline()), eq("paused", e.GetPaused()),
				eq("sample", e.GetSample()),
			}
		},
	}
}

// Experts stores experts ("experts").
type Experts struct{ r repo[*consultv1.Expert] }

// Create stores a new expert.
func (s *Experts) Create(ctx context.Context, e *consultv1.Expert) (*consultv1.Expert, error) {
	return s.r.insert(ctx, e)
}

// Get returns a live expert.
func (s *Experts) Get(ctx context.Context, id string) (*consultv1.Expert, error) {
	e, _, err := s.r.get(ctx, id, false)
	return e, err
}

// Update applies fn conditional on the version (expect > 0: an etag).
func (s *Experts) Update(ctx context.Context, id string, expect int64, now time.Time, fn func(*consultv1.Expert) error) (*consultv1.Expert, error) {
	return s.r.update(ctx, id, expect, now, fn)
}

// Delete soft-deletes an expert after check passes on it.
func (s *Experts) Delete(ctx context.Context, id string, expect int64, now time.Time, check func(*consultv1.Expert) error) error {
	_, err := s.r.update(ctx, id, expect, now, func(e *consultv1.Expert) error {
		if err := check(e); err != nil {
			return err
		}
		return errRemove
	})
	return err
}

// ExpertFilter selects experts; zero fields do not filter.
type ExpertFilter struct {
	Need          commonv1.NeedTag
	Stage         commonv1.CrossBorderStage
	District      commonv1.District
	Market        string
	Platform      commonv1.SalesPlatform
	Language      string
	Park          string
	NameContains  string
	IncludePaused bool
	Mode          consultv1.SessionMode
	// IDs restricts to these experts when not nil.
	IDs []string
}

func (f ExpertFilter) bson() bson.D {
	q := bson.D{}
	if f.Need != 0 {
		q = append(q, eq("specialties", enumName(f.Need)))
	}
	if f.Stage != 0 {
		q = append(q, eq("stages", enumName(f.Stage)))
	}
	if f.District != 0 {
		q = append(q, eq("districts", enumName(f.District)))
	}
	if f.Market != "" {
		q = append(q, eq("markets", f.Market))
	}
	if f.Platform != 0 {
		q = append(q, eq("platforms", enumName(f.Platform)))
	}
	if f.Language != "" {
		q = append(q, eq("languages", f.Language))
	}
	if f.Park != "" {
		q = append(q, eq("parks", f.Park))
	}
	if f.NameContains != "" {
		q = append(q, store.TextContains(f.NameContains, "name", "organisation"))
	}
	if !f.IncludePaused {
		q = append(q, eq("paused", false))
	}
	switch f.Mode {
	case consultv1.SessionMode_SESSION_MODE_ONLINE:
		q = append(q, eq("online", true))
	case consultv1.SessionMode_SESSION_MODE_ON_SITE:
		q = append(q, eq("districts.0", bson.D{{Key: "$exists", Value: true}}))
	}
	if f.IDs != nil {
		q = append(q, in("_id", f.IDs))
	}
	return q
}

// List returns one page of experts by name.
func (s *Experts) List(ctx context.Context, f ExpertFilter, offset, limit int) ([]*consultv1.Expert, int, error) {
	return s.r.page(ctx, f.bson(), bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}, offset, limit)
}

// ── slots ───────────────────────────────────────────────────────────────

func slotRepo(db store.Database) repo[*consultv1.Slot] {
	return repo[*consultv1.Slot]{
		c: db.Collection("slots"), what: "时段",
		fresh: func() *consultv1.Slot { return &consultv1.Slot{} },
		id:    func(s *consultv1.Slot) string { return s.GetId() },
		stamp: func(s *consultv1.Slot, v int64) { s.Etag = etag.Format(v) },
		fields: func(s *consultv1.Slot) bson.D {
			b := domain.SlotBlock(s)
			return bson.D{
				eq("expert_id", s.GetExpertId()), eq("start_time", s.GetStartTime().AsTime()), eq("end_time", s.GetEndTime().AsTime()),
				eq("block_start", b.Start), eq("block_end", b.End),
				eq("mode", enumName(s.GetMode())), eq("district", enumName(s.GetVenue().GetDistrict())), eq("park", s.GetVenue().GetPark()),
				eq("status", enumName(s.GetStatus())), eq("consultation_id", s.GetConsultationId()), eq("clinic_id", s.GetClinicId()),
				eq("sample", s.GetSample()),
			}
		},
	}
}

// Slots stores availability slots ("slots").
type Slots struct{ r repo[*consultv1.Slot] }

// Create stores a new slot unless it overlaps another live slot of its
// expert (buffers included): domain.SlotOverlap naming that slot. Two
// overlapping slots created at the same moment could both pass a check made
// before writing, so the check is repeated after the insert and a slot that
// then finds a rival is withdrawn again (both racers may lose; neither
// leaves an overlap behind).
func (s *Slots) Create(ctx context.Context, slot *consultv1.Slot) (*consultv1.Slot, error) {
	if err := s.checkOverlap(ctx, slot, ""); err != nil {
		return nil, err
	}
	out, err := s.r.insert(ctx, slot)
	if err != nil {
		return nil, err
	}
	if err := s.checkOverlap(ctx, slot, slot.GetId()); err != nil {
		if _, derr := s.r.c.Write.DeleteOne(ctx, bson.D{{Key: "_id", Value: slot.GetId()}}); derr != nil {
			return nil, fmt.Errorf("slots: withdraw overlapping %s: %w", slot.GetId(), derr)
		}
		if s.r.written != nil {
			s.r.written(ctx, slot, 0, true)
		}
		return nil, err
	}
	return out, nil
}

// CreateMany stores a clinic's consecutive slots, checking each against the
// expert's other slots; on an overlap the slots already written are removed.
func (s *Slots) CreateMany(ctx context.Context, slots []*consultv1.Slot) error {
	var done []string
	for _, sl := range slots {
		if _, err := s.Create(ctx, sl); err != nil {
			if len(done) > 0 {
				if _, derr := s.r.c.Write.DeleteMany(ctx, bson.D{in("_id", done)}); derr != nil {
					return fmt.Errorf("slots: undo clinic slots: %w", derr)
				}
				if s.r.written != nil {
					s.r.written(ctx, sl, 0, true)
				}
			}
			return err
		}
		done = append(done, sl.GetId())
	}
	return nil
}

func (s *Slots) checkOverlap(ctx context.Context, slot *consultv1.Slot, self string) error {
	b := domain.SlotBlock(slot)
	q := bson.D{
		eq("expert_id", slot.GetExpertId()),
		eq("block_start", bson.D{{Key: "$lt", Value: b.End}}),
		eq("block_end", bson.D{{Key: "$gt", Value: b.Start}}),
	}
	others, err := s.r.all(ctx, q, bson.D{{Key: "start_time", Value: 1}})
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.GetId() != slot.GetId() && o.GetId() != self && domain.SlotBlock(o).Overlaps(b) {
			return domain.SlotOverlap(o.GetId(), o.GetStartTime().AsTime())
		}
	}
	return nil
}

// Get returns a live slot.
func (s *Slots) Get(ctx context.Context, id string) (*consultv1.Slot, error) {
	sl, _, err := s.r.get(ctx, id, false)
	return sl, err
}

// Update applies fn conditional on the version; a slot whose times change is
// checked for overlaps first (after fn, before the write).
func (s *Slots) Update(ctx context.Context, id string, expect int64, now time.Time, fn func(*consultv1.Slot) error) (*consultv1.Slot, error) {
	return s.r.update(ctx, id, expect, now, func(sl *consultv1.Slot) error {
		before := domain.SlotBlock(sl)
		if err := fn(sl); err != nil {
			return err
		}
		if after := domain.SlotBlock(sl); !after.Start.Equal(before.Start) || !after.End.Equal(before.End) {
			return s.checkOverlap(ctx, sl, sl.GetId())
		}
		return nil
	})
}

// Delete withdraws a slot after check passes on it.
func (s *Slots) Delete(ctx context.Context, id string, expect int64, now time.Time, check func(*consultv1.Slot) error) error {
	_, err := s.r.update(ctx, id, expect, now, func(sl *consultv1.Slot) error {
		if err := check(sl); err != nil {
			return err
		}
		return errRemove
	})
	return err
}

// Take books an open slot for a consultation in one conditional write on
// the slot document: of callers racing for one slot exactly one succeeds, the
// others (and anyone booking a booked slot) get domain.SlotTaken. check runs
// on the slot as read, before the write (paused expert, notice, expert).
func (s *Slots) Take(ctx context.Context, id, consultationID string, now time.Time, check func(*consultv1.Slot) error) (*consultv1.Slot, error) {
	return s.r.update(ctx, id, 0, now, func(sl *consultv1.Slot) error {
		if sl.GetStatus() != consultv1.SlotStatus_SLOT_STATUS_OPEN {
			return domain.SlotTaken()
		}
		if err := check(sl); err != nil {
			return err
		}
		sl.Status, sl.ConsultationId = consultv1.SlotStatus_SLOT_STATUS_BOOKED, consultationID
		return nil
	})
}

// Release reopens a slot booked by consultationID; withdraw removes it
// instead (a declined or cancelled clinic session). A slot booked by another
// consultation, or gone, is left alone.
func (s *Slots) Release(ctx context.Context, id, consultationID string, withdraw bool, now time.Time) error {
	_, err := s.r.update(ctx, id, 0, now, func(sl *consultv1.Slot) error {
		if sl.GetConsultationId() != consultationID {
			return store.ErrNoChange
		}
		sl.Status, sl.ConsultationId = consultv1.SlotStatus_SLOT_STATUS_OPEN, ""
		if withdraw {
			return errRemove
		}
		return nil
	})
	if apperr.IsKind(err, apperr.KindNotFound) {
		return nil
	}
	return err
}

// SlotFilter selects slots; zero fields do not filter.
type SlotFilter struct {
	ExpertID    string
	ExpertIDs   []string // when not nil: slots of these experts
	ClinicID    string
	StartAfter  time.Time
	StartBefore time.Time
	Mode        consultv1.SessionMode
	District    commonv1.District
	Park        string
	Status      consultv1.SlotStatus
}

func (f SlotFilter) bson() bson.D {
	q := bson.D{}
	if f.ExpertID != "" {
		q = append(q, eq("expert_id", f.ExpertID))
	}
	if f.ExpertIDs != nil {
		q = append(q, in("expert_id", f.ExpertIDs))
	}
	if f.ClinicID != "" {
		q = append(q, eq("clinic_id", f.ClinicID))
	}
	rng := bson.D{}
	if !f.StartAfter.IsZero() {
		rng = append(rng, eq("$gte", f.StartAfter))
	}
	if !f.StartBefore.IsZero() {
		rng = append(rng, eq("$lt", f.StartBefore))
	}
	if len(rng) > 0 {
		q = append(q, eq("start_time", rng))
	}
	if f.Mode != 0 {
		q = append(q, eq("mode", enumName(f.Mode)))
	}
	if f.District != 0 {
		q = append(q, eq("district", enumName(f.District)))
	}
	if f.Park != "" {
		q = append(q, eq("park", f.Park))
	}
	if f.Status != 0 {
		q = append(q, eq("status", enumName(f.Status)))
	}
	return q
}

// List returns one page of slots in start order.
func (s *Slots) List(ctx context.Context, f SlotFilter, offset, limit int) ([]*consultv1.Slot, int, error) {
	return s.r.page(ctx, f.bson(), bson.D{{Key: "start_time", Value: 1}, {Key: "_id", Value: 1}}, offset, limit)
}

// ── clinics ─────────────────────────────────────────────────────────────

func clinicRepo(db store.Database) repo[*consultv1.Clinic] {
	return repo[*consultv1.Clinic]{
		c: db.Collection("clinics"), what: "坐诊",
		fresh: func() *consultv1.Clinic { return &consultv1.Clinic{} },
		id:    func(c *consultv1.Clinic) string { return c.GetId() },
		stamp: func(c *consultv1.Clinic, v int64) { c.Etag = etag.Format(v) },
		fields: func(c *consultv1.Clinic) bson.D {
			return bson.D{
				eq("expert_id", c.GetExpertId()), eq("start_time", c.GetStartTime().AsTime()),
				eq("district", enumName(c.GetVenue().GetDistrict())), eq("park", c.GetVenue().GetPark()),
				eq("focus_needs", enumNames(c.GetFocusNeeds())), eq("status", enumName(c.GetStatus())), eq("sample", c.GetSample()),
			}
		},
	}
}

// Clinics stores on-site clinics ("clinics").
type Clinics struct{ r repo[*consultv1.Clinic] }

// Create stores a new clinic.
func (s *Clinics) Create(ctx context.Context, c *consultv1.Clinic) (*consultv1.Clinic, error) {
	return s.r.insert(ctx, c)
}

// Get returns a clinic.
func (s *Clinics) Get(ctx context.Context, id string) (*consultv1.Clinic, error) {
	c, _, err := s.r.get(ctx, id, false)
	return c, err
}

// Update applies fn conditional on the version.
func (s *Clinics) Update(ctx context.Context, id string, expect int64, now time.Time, fn func(*consultv1.Clinic) error) (*consultv1.Clinic, error) {
	return s.r.update(ctx, id, expect, now, fn)
}

// ClinicFilter selects clinics; zero fields do not filter.
type ClinicFilter struct {
	ExpertID    string
	District    commonv1.District
	Park        string
	Need        commonv1.NeedTag
	StartAfter  time.Time
	StartBefore time.Time
	Status      consultv1.ClinicStatus
}

// List returns one page of clinics in start order.
func (s *Clinics) List(ctx context.Context, f ClinicFilter, offset, limit int) ([]*consultv1.Clinic, int, error) {
	q := bson.D{}
	if f.ExpertID != "" {
		q = append(q, eq("expert_id", f.ExpertID))
	}
	if f.District != 0 {
		q = append(q, eq("district", enumName(f.District)))
	}
	if f.Park != "" {
		q = append(q, eq("park", f.Park))
	}
	if f.Need != 0 {
		q = append(q, eq("focus_needs", enumName(f.Need)))
	}
	rng := bson.D{}
	if !f.StartAfter.IsZero() {
		rng = append(rng, eq("$gte", f.StartAfter))
	}
	if !f.StartBefore.IsZero() {
		rng = append(rng, eq("$lt", f.StartBefore))
	}
	if len(rng) > 0 {
		q = append(q, eq("start_time", rng))
	}
	if f.Status != 0 {
		q = append(q, eq("status", enumName(f.Status)))
	}
	return s.r.page(ctx, q, bson.D{{Key: "start_time", Value: 1}, {Key: "_id", Value: 1}}, offset, limit)
}

// ── counters ────────────────────────────────────────────────────────────

// Counters keeps the units used of the firm quotas and the expert
// capacities, one document per firm and period or expert and week
// ("counters"). Taking a unit is one conditional write on that document, so
// racing callers never take a counter past its limit.
type Counters struct{ c store.Collection }

type counterDoc struct {
	ID      string `bson:"_id"`
	Used    int32  `bson:"used"`
	Version int64  `bson:"version"`
}

// Get returns the units used under key (0 when none).
func (s *Counters) Get(ctx context.Context, key string) (int32, error) {
	var d counterDoc
	err := s.c.Write.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if store.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("counters: find: %w", err)
	}
	return d.Used, nil
}

// errRetry ends one attempt of a counter change that lost a race.
var errRetry = errors.New("retry")

// Acquire takes one unit under key if fewer than limit are used, and
// reports whether it did.
func (s *Counters) Acquire(ctx context.Context, key string, limit int32) (bool, error) {
	var ok bool
	err := s.change(ctx, key, func(used int32) (int32, bool) {
		ok = used < limit
		return used + 1, ok
	})
	return ok, err
}

// Release gives one unit back under key (never below zero).
func (s *Counters) Release(ctx context.Context, key string) error {
	return s.change(ctx, key, func(used int32) (int32, bool) { return used - 1, used > 0 })
}

// change applies fn to the counter's value and writes the result when fn
// says so, conditional on the counter's version; a lost race retries with a
// fresh read after a short random wait.
func (s *Counters) change(ctx context.Context, key string, fn func(used int32) (int32, bool)) error {
	for attempt := 0; attempt < 200; attempt++ {
		err := s.try(ctx, key, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(rand.N(min(time.Duration(attempt+1)*time.Millisecond, 20*time.Millisecond)) + time.Millisecond):
		}
	}
	return fmt.Errorf("counters: %s: lost 200 races in a row", key)
}

func (s *Counters) try(ctx context.Context, key string, fn func(int32) (int32, bool)) error {
	var d counterDoc
	err := s.c.Write.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	switch {
	case store.IsNotFound(err):
		next, write := fn(0)
		if !write {
			return nil
		}
		if _, err := s.c.Write.InsertOne(ctx, counterDoc{ID: key, Used: next, Version: 1}); err != nil {
			if store.IsDuplicateKey(err) {
				return errRetry
			}
			return fmt.Errorf("counters: insert: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("counters: find: %w", err)
	}
	next, write := fn(d.Used)
	if !write {
		return nil
	}
	ok, err := s.c.ReplaceIfVersion(ctx, key, d.Version, counterDoc{ID: key, Used: next, Version: d.Version + 1})
	if err != nil {
		return fmt.Errorf("counters: replace: %w", err)
	}
	if !ok {
		return errRetry
	}
	return nil
}

// ── settings ────────────────────────────────────────────────────────────

// Settings keeps the ConsultSettings singleton ("settings", _id "settings").
type Settings struct{ c store.Collection }

const settingsID = "settings"

// Init stores the default settings unless settings exist.
func (s *Settings) Init(ctx context.Context) error {
	doc := bson.D{{Key: "_id", Value: settingsID}, {Key: "payload", Value: marshal(domain.DefaultSettings())}, {Key: "version", Value: int64(1)}}
	if _, err := s.c.Write.InsertOne(ctx, doc); err != nil && !store.IsDuplicateKey(err) {
		return fmt.Errorf("settings: init: %w", err)
	}
	return nil
}

// Get returns the settings (Init stores the defaults first).
func (s *Settings) Get(ctx context.Context) (*consultv1.ConsultSettings, error) {
	var h head
	err := s.c.Write.FindOne(ctx, bson.D{{Key: "_id", Value: settingsID}}).Decode(&h)
	if store.IsNotFound(err) {
		return nil, apperr.Unavailable(err, "咨询设置尚未初始化，请稍后重试")
	}
	if err != nil {
		return nil, fmt.Errorf("settings: find: %w", err)
	}
	out := &consultv1.ConsultSettings{}
	if err := proto.Unmarshal(h.Payload, out); err != nil {
		return nil, fmt.Errorf("settings: decode: %w", err)
	}
	out.Etag = etag.Format(h.Version)
	return out, nil
}

// Update applies fn to the settings conditional on expect, the version
// read.
func (s *Settings) Update(ctx context.Context, expect int64, fn func(*consultv1.ConsultSettings) error) (*consultv1.ConsultSettings, error) {
	cur, err := s.Get(ctx)
	if err != nil {
		return nil, err
	}
	have, _ := etag.Parse("settings.etag", cur.GetEtag(), true)
	if have != expect {
		return nil, apperr.Conflict("设置已被他人修改（当前版本%d，您提交的是版本%d），请刷新后重试", have, expect)
	}
	if err := fn(cur); err != nil {
		return nil, err
	}
	cur.Etag = ""
	doc := bson.D{{Key: "_id", Value: settingsID}, {Key: "payload", Value: marshal(cur)}, {Key: "version", Value: have + 1}}
	ok, err := s.c.ReplaceIfVersion(ctx, settingsID, have, doc)
	if err != nil {
		return nil, fmt.Errorf("settings: replace: %w", err)
	}
	if !ok {
		return nil, apperr.Conflict("设置刚刚被他人修改，请刷新后重试")
	}
	cur.Etag = etag.Format(have + 1)
	return cur, nil
}

// StoredExpert is an expert with its storage state, for the change feed.
type StoredExpert struct {
	Expert  *consultv1.Expert
	Version int64
	Deleted bool
}

// FindAny returns the expert with id, deleted or not; apperr.ErrNotFound
// when there is none.
func (s *Experts) FindAny(ctx context.Context, id string) (*StoredExpert, error) {
	var h head
	if err := s.r.c.Read.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&h); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.ErrNotFound
		}
		return nil, fmt.Errorf("experts: find: %w", err)
	}
	e, err := s.r.decode(h)
	if err != nil {
		return nil, err
	}
	return &StoredExpert{Expert: e, Version: h.Version, Deleted: h.DeletedAt != nil}, nil
}

// Scan calls fn with every expert, deleted ones included, in one pass.
func (s *Experts) Scan(ctx context.Context, fn func(*StoredExpert) error) error {
	return store.Scan(ctx, s.r.c.Read, "experts", func(h head) error {
		e, err := s.r.decode(h)
		if err != nil {
			return err
		}
		return fn(&StoredExpert{Expert: e, Version: h.Version, Deleted: h.DeletedAt != nil})
	})
}

// NextOpen returns the start of an expert's earliest open slot after now;
// the zero time when there is none.
func (s *Slots) NextOpen(ctx context.Context, expertID string, now time.Time) (time.Time, error) {
	q := bson.D{
		eq("expert_id", expertID), eq("status", enumName(consultv1.SlotStatus_SLOT_STATUS_OPEN)),
		eq("start_time", bson.D{{Key: "$gt", Value: now}}),
	}
	slots, _, err := s.r.page(ctx, q, bson.D{{Key: "start_time", Value: 1}}, 0, 1)
	if err != nil || len(slots) == 0 {
		return time.Time{}, err
	}
	return slots[0].GetStartTime().AsTime(), nil
}
