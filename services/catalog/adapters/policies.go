// Package adapters stores the catalog's policies, their versions and the
// industry belts in MongoDB. Each document keeps the whole contract message
// as its protobuf encoding in "payload" (the message is large and evolves
// with the contract) next to the fields queries filter and sort on; the
// query fields, status, version and times are authoritative over the
// payload's copies.
package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/catalog/domain"
)

// Change describes what produced a policy version.
type Change struct {
	Kind      catalogv1.PolicyChange
	Note      string
	ActorID   string
	ActorName string
}

type changeDoc struct {
	Kind      string `bson:"kind"`
	Note      string `bson:"note,omitempty"`
	ActorID   string `bson:"actor_id"`
	ActorName string `bson:"actor_name,omitempty"`
}

type policyDoc struct {
	ID            string     `bson:"_id"`
	Payload       []byte     `bson:"payload"`
	Status        string     `bson:"status"`
	Version       int64      `bson:"version"`
	Title         string     `bson:"title"`
	Issuer        string     `bson:"issuer"`
	Summary       string     `bson:"summary"`
	Level         string     `bson:"level"`
	Districts     []string   `bson:"districts"`
	Industries    []string   `bson:"industries"`
	Categories    []string   `bson:"categories"`
	Tags          []string   `bson:"tags"`
	OwnerDistrict string     `bson:"owner_district,omitempty"`
	ValidityStart *time.Time `bson:"validity_start,omitempty"`
	ValidityEnd   *time.Time `bson:"validity_end,omitempty"`
	WindowStart   *time.Time `bson:"window_start,omitempty"`
	WindowEnd     *time.Time `bson:"window_end,omitempty"`
	LastChange    changeDoc  `bson:"last_change"`
	Sample        bool       `bson:"sample,omitempty"`
	PublishTime   *time.Time `bson:"publish_time,omitempty"`
	CreateTime    time.Time  `bson:"create_time"`
	UpdateTime    time.Time  `bson:"update_time"`
	DeletedAt     *time.Time `bson:"deleted_at,omitempty"`
}

type versionDoc struct {
	ID         string    `bson:"_id"`
	PolicyID   string    `bson:"policy_id"`
	Version    int64     `bson:"version"`
	Change     changeDoc `bson:"change"`
	Title      string    `bson:"title"`
	Status     string    `bson:"status"`
	Snapshot   []byte    `bson:"snapshot"`
	CreateTime time.Time `bson:"create_time"`
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

func enumNumber(ed protoreflect.EnumDescriptor, name string) protoreflect.EnumNumber {
	if vd := ed.Values().ByName(protoreflect.Name(name)); vd != nil {
		return vd.Number()
	}
	return 0
}

func tsPtr(t *timestamppb.Timestamp) *time.Time {
	if t == nil {
		return nil
	}
	u := t.AsTime().UTC()
	return &u
}

func ts(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

func strs(in []string) []string {
	if in == nil {
		return []string{}
	}
	return in
}

func marshal(m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("adapters: marshal %T: %v", m, err)) // only on a programming error
	}
	return b
}

func changeToDoc(c Change) changeDoc {
	return changeDoc{Kind: enumName(c.Kind), Note: c.Note, ActorID: c.ActorID, ActorName: c.ActorName}
}

func changeFromDoc(d changeDoc) Change {
	return Change{
		Kind: catalogv1.PolicyChange(enumNumber(catalogv1.PolicyChange(0).Descriptor(), d.Kind)),
		Note: d.Note, ActorID: d.ActorID, ActorName: d.ActorName,
	}
}

func policyToDoc(p *catalogv1.Policy, version int64, change Change, created, updated time.Time, deleted *time.Time) policyDoc {
	return policyDoc{
		ID:            p.GetId(),
		Payload:       marshal(p),
		Status:        enumName(p.GetStatus()),
		Version:       version,
		Title:         p.GetTitle(),
		Issuer:        p.GetIssuer(),
		Summary:       p.GetSummary(),
		Level:         enumName(p.GetLevel()),
		Districts:     strs(enumNames(p.GetDistricts())),
		Industries:    strs(enumNames(p.GetIndustries())),
		Categories:    strs(enumNames(p.GetCategories())),
		Tags:          strs(p.GetTags()),
		OwnerDistrict: enumName(domain.OwnerDistrict(p)),
		ValidityStart: tsPtr(p.GetValidity().GetStartTime()),
		ValidityEnd:   tsPtr(p.GetValidity().GetEndTime()),
		WindowStart:   tsPtr(p.GetApplicationWindow().GetStartTime()),
		WindowEnd:     tsPtr(p.GetApplicationWindow().GetEndTime()),
		LastChange:    changeToDoc(change),
		Sample:        p.GetSample(),
		PublishTime:   tsPtr(p.GetPublishTime()),
		CreateTime:    created.UTC(),
		UpdateTime:    updated.UTC(),
		DeletedAt:     deleted,
	}
}

// StoredPolicy is a policy with the storage facts the service needs.
type StoredPolicy struct {
	Policy     *catalogv1.Policy
	LastChange Change
	Deleted    bool
}

func policyFromDoc(d policyDoc) (*StoredPolicy, error) {
	p := &catalogv1.Policy{}
	if err := proto.Unmarshal(d.Payload, p); err != nil {
		return nil, fmt.Errorf("policies: decode %s: %w", d.ID, err)
	}
	p.Id = d.ID
	p.Status = catalogv1.PolicyStatus(enumNumber(catalogv1.PolicyStatus(0).Descriptor(), d.Status))
	p.Version = int32(d.Version)
	p.Etag = etag.Format(d.Version)
	p.Sample = d.Sample
	p.PublishTime = ts(d.PublishTime)
	p.CreateTime = timestamppb.New(d.CreateTime)
	p.UpdateTime = timestamppb.New(d.UpdateTime)
	return &StoredPolicy{Policy: p, LastChange: changeFromDoc(d.LastChange), Deleted: d.DeletedAt != nil}, nil
}

// Policies stores policies ("policies"), their versions ("policy_versions")
// and a write counter ("policies_meta") caches use to notice changes made by
// other instances.
type Policies struct {
	c, versions, meta store.Collection
	now               func() time.Time
	logger            *slog.Logger
	feed              *changefeed.Feed
}

// PoliciesSource is the policies' change feed source.
const PoliciesSource = "policies"

// NewPolicies returns the policy repository of db.
func NewPolicies(db store.Database, now func() time.Time, logger *slog.Logger) *Policies {
	return &Policies{
		c: db.Collection("policies"), versions: db.Collection("policy_versions"), meta: db.Collection("policies_meta"),
		now: now, logger: logger, feed: changefeed.New(db, now),
	}
}

// Feed returns the policies' change feed.
func (r *Policies) Feed() *changefeed.Feed { return r.feed }

// bump counts a write, after it succeeded. A failure only delays other
// instances noticing the change until the next write, so it is logged.
func (r *Policies) bump(ctx context.Context) {
	_, err := r.meta.Write.UpdateOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: "stamp"}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		r.logger.ErrorContext(ctx, "policy write counter not updated", "error", err)
	}
}

// EnsureIndexes creates the indexes lists use.
func (r *Policies) EnsureIndexes(ctx context.Context) error {
	if err := r.c.EnsureIndexes(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "update_time", Value: -1}}, Options: options.Index().SetName("status_update_time")},
		{Keys: bson.D{{Key: "districts", Value: 1}}, Options: options.Index().SetName("districts")},
		{Keys: bson.D{{Key: "categories", Value: 1}}, Options: options.Index().SetName("categories")},
	}); err != nil {
		return err
	}
	return r.versions.EnsureIndexes(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "policy_id", Value: 1}, {Key: "version", Value: -1}}, Options: options.Index().SetName("policy_version")},
	})
}

func versionID(policyID string, v int64) string { return fmt.Sprintf("%s:%06d", policyID, v) }

// snapshot writes the version record of a policy's current state unless it
// exists (a read first, so reading versions does not write).
func (r *Policies) snapshot(ctx context.Context, sp *StoredPolicy) error {
	p := sp.Policy
	id := versionID(p.GetId(), int64(p.GetVersion()))
	// A find by _id (not a count, which the embedded store answers by
	// scanning the collection).
	err := r.versions.Read.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("policies: find version: %w", err)
	}
	doc := versionDoc{
		ID: versionID(p.GetId(), int64(p.GetVersion())), PolicyID: p.GetId(), Version: int64(p.GetVersion()),
		Change: changeToDoc(sp.LastChange), Title: p.GetTitle(), Status: enumName(p.GetStatus()),
		Snapshot: marshal(p), CreateTime: p.GetUpdateTime().AsTime().UTC(),
	}
	_, err = r.versions.Write.InsertOne(ctx, doc)
	if err != nil && !store.IsDuplicateKey(err) {
		return fmt.Errorf("policies: write version: %w", err)
	}
	return nil
}

// Create stores a new policy at version 1 with its first version record.
func (r *Policies) Create(ctx context.Context, p *catalogv1.Policy, change Change) (*catalogv1.Policy, error) {
	now := r.now()
	doc := policyToDoc(p, 1, change, now, now, nil)
	if _, err := r.c.Write.InsertOne(ctx, doc); err != nil {
		return nil, fmt.Errorf("policies: insert: %w", err)
	}
	r.bump(ctx)
	r.feed.Record(ctx, PoliciesSource, changefeed.Change{ID: doc.ID, Version: doc.Version})
	sp, err := policyFromDoc(doc)
	if err != nil {
		return nil, err
	}
	r.snapshotAfterWrite(ctx, sp)
	return sp.Policy, nil
}

// snapshotAfterWrite records the version of a policy just written. The
// policy write has happened, so a failure here is logged, not returned: the
// record is rebuilt from the policy before its next write or version read.
func (r *Policies) snapshotAfterWrite(ctx context.Context, sp *StoredPolicy) {
	if err := r.snapshot(context.WithoutCancel(ctx), sp); err != nil {
		r.logger.ErrorContext(ctx, "policy version record not written; it will be rebuilt", "policy", sp.Policy.GetId(),
			"version", sp.Policy.GetVersion(), "error", err)
	}
}

func (r *Policies) find(ctx context.Context, id string) (*StoredPolicy, error) {
	var d policyDoc
	if err := r.c.Read.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.NotFound("政策%s不存在", id)
		}
		return nil, fmt.Errorf("policies: find: %w", err)
	}
	sp, err := policyFromDoc(d)
	if err != nil {
		return nil, err
	}
	if sp.Deleted {
		return nil, apperr.NotFound("政策%s不存在", id)
	}
	return sp, nil
}

// Get returns a live policy.
func (r *Policies) Get(ctx context.Context, id string) (*catalogv1.Policy, error) {
	sp, err := r.find(ctx, id)
	if err != nil {
		return nil, err
	}
	return sp.Policy, nil
}

// Update applies fn to the policy and writes it back conditional on its
// version, then records the new version. fn returns the change to record,
// or store.ErrNoChange. A crash between the two writes leaves the version
// record missing; it is rebuilt from the policy (which keeps its last change)
// before the next update and when versions are read.
func (r *Policies) Update(ctx context.Context, id string, expect int64, fn func(*catalogv1.Policy) (Change, error)) (*catalogv1.Policy, error) {
	var change Change
	sp, err := store.OptimisticUpdate(ctx, "该政策", expect,
		func(ctx context.Context) (*StoredPolicy, int64, error) {
			sp, err := r.find(ctx, id)
			if err != nil {
				return nil, 0, err
			}
			if err := r.snapshot(ctx, sp); err != nil {
				return nil, 0, err
			}
			return sp, int64(sp.Policy.GetVersion()), nil
		},
		func(sp *StoredPolicy) error {
			c, err := fn(sp.Policy)
			change = c
			return err
		},
		func(ctx context.Context, sp *StoredPolicy, old int64) (bool, error) {
			var deleted *time.Time
			if change.Kind == deleteChange {
				t := r.now()
				deleted = &t
			}
			doc := policyToDoc(sp.Policy, old+1, change, sp.Policy.GetCreateTime().AsTime(), r.now(), deleted)
			matched, err := r.c.ReplaceIfVersion(ctx, id, old, doc)
			if err != nil {
				return false, fmt.Errorf("policies: replace: %w", err)
			}
			if !matched {
				return false, nil
			}
			r.bump(ctx)
			r.feed.Record(ctx, PoliciesSource, changefeed.Change{ID: id, Version: old + 1, Deleted: deleted != nil})
			fresh, err := policyFromDoc(doc)
			if err != nil {
				return false, err
			}
			*sp = *fresh
			return true, nil
		})
	if err != nil {
		return nil, err
	}
	if change.Kind != deleteChange {
		r.snapshotAfterWrite(ctx, sp)
	}
	return sp.Policy, nil
}

// deleteChange marks an update that soft-deletes (no version is recorded
// for a deletion).
const deleteChange = catalogv1.PolicyChange(-1)

// Delete soft-deletes a policy after check approves it.
func (r *Policies) Delete(ctx context.Context, id string, expect int64, check func(*catalogv1.Policy) error) error {
	_, err := r.Update(ctx, id, expect, func(p *catalogv1.Policy) (Change, error) {
		if err := check(p); err != nil {
			return Change{}, err
		}
		return Change{Kind: deleteChange}, nil
	})
	return err
}

// ListQuery is a policy list request as the store sees it.
type ListQuery struct {
	Scope  domain.PolicyScope
	Filter domain.PolicyFilter
	Now    time.Time
}

func (q ListQuery) filter() bson.D {
	now := q.Now.UTC()
	f := q.Filter
	and := bson.A{bson.D{store.NotDeleted()}}
	// Visibility: non-drafts for everyone, drafts within the scope.
	draft := enumName(catalogv1.PolicyStatus_POLICY_STATUS_DRAFT)
	switch {
	case q.Scope.AllDrafts:
	case q.Scope.DraftDistrict != 0:
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "status", Value: bson.D{{Key: "$ne", Value: draft}}}},
			bson.D{{Key: "owner_district", Value: enumName(q.Scope.DraftDistrict)}},
		}}})
	default:
		and = append(and, bson.D{{Key: "status", Value: bson.D{{Key: "$ne", Value: draft}}}})
	}
	notEnded := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "validity_end", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "validity_end", Value: bson.D{{Key: "$gt", Value: now}}}},
	}}}
	published := enumName(catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED)
	switch f.Status {
	case catalogv1.PolicyStatus_POLICY_STATUS_UNSPECIFIED:
	case catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED:
		and = append(and, bson.D{{Key: "status", Value: published}, {Key: "validity_end", Value: bson.D{{Key: "$lte", Value: now}}}})
	case catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED:
		and = append(and, bson.D{{Key: "status", Value: published}}, notEnded)
	default:
		and = append(and, bson.D{{Key: "status", Value: enumName(f.Status)}})
	}
	if f.OpenNow {
		started := func(field string) bson.D {
			return bson.D{{Key: "$or", Value: bson.A{
				bson.D{{Key: field, Value: bson.D{{Key: "$exists", Value: false}}}},
				bson.D{{Key: field, Value: bson.D{{Key: "$lte", Value: now}}}},
			}}}
		}
		notOver := func(field string) bson.D {
			return bson.D{{Key: "$or", Value: bson.A{
				bson.D{{Key: field, Value: bson.D{{Key: "$exists", Value: false}}}},
				bson.D{{Key: field, Value: bson.D{{Key: "$gt", Value: now}}}},
			}}}
		}
		and = append(and, bson.D{{Key: "status", Value: published}}, started("validity_start"), notEnded,
			started("window_start"), notOver("window_end"))
	}
	if f.Category != 0 {
		and = append(and, bson.D{{Key: "categories", Value: enumName(f.Category)}})
	}
	if f.Level != 0 {
		and = append(and, bson.D{{Key: "level", Value: enumName(f.Level)}})
	}
	if f.District != 0 {
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "districts", Value: enumName(f.District)}},
			bson.D{{Key: "districts", Value: bson.D{{Key: "$size", Value: 0}}}},
		}}})
	}
	if f.Industry != 0 {
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "industries", Value: enumName(f.Industry)}},
			bson.D{{Key: "industries", Value: bson.D{{Key: "$size", Value: 0}}}},
		}}})
	}
	if f.Tag != "" {
		and = append(and, bson.D{{Key: "tags", Value: f.Tag}})
	}
	if f.TextContains != "" {
		and = append(and, bson.D{store.TextContains(f.TextContains, "title", "summary", "issuer")})
	}
	return bson.D{{Key: "$and", Value: and}}
}

// List returns one page of policies, most recently updated first.
func (r *Policies) List(ctx context.Context, q ListQuery, offset, limit int) ([]*catalogv1.Policy, int, error) {
	sort := bson.D{{Key: "update_time", Value: -1}, {Key: "_id", Value: 1}}
	docs, total, err := store.Page(ctx, r.c.Read, "policies", q.filter(), sort, offset, limit, func(d policyDoc) policyDoc { return d })
	if err != nil {
		return nil, 0, err
	}
	out := make([]*catalogv1.Policy, 0, len(docs))
	for _, d := range docs {
		sp, err := policyFromDoc(d)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, sp.Policy)
	}
	return out, total, nil
}

// ListPublished returns every live published policy (expired ones too: the
// caller decides by time), for the evaluation cache.
func (r *Policies) ListPublished(ctx context.Context) ([]*catalogv1.Policy, error) {
	q := bson.D{store.NotDeleted(), {Key: "status", Value: enumName(catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED)}}
	docs, err := store.FindAll(ctx, r.c.Read, "policies", q, nil, func(d policyDoc) policyDoc { return d })
	if err != nil {
		return nil, err
	}
	out := make([]*catalogv1.Policy, 0, len(docs))
	for _, d := range docs {
		sp, err := policyFromDoc(d)
		if err != nil {
			return nil, err
		}
		out = append(out, sp.Policy)
	}
	return out, nil
}

// Stamp tells a cache whether anything changed: the count of policy writes
// so far, from any instance.
type Stamp struct {
	Writes int64
}

// Stamp returns the current stamp.
func (r *Policies) Stamp(ctx context.Context) (Stamp, error) {
	var d struct {
		Seq int64 `bson:"seq"`
	}
	err := r.meta.Read.FindOne(ctx, bson.D{{Key: "_id", Value: "stamp"}}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return Stamp{}, fmt.Errorf("policies: stamp: %w", err)
	}
	return Stamp{Writes: d.Seq}, nil
}

// Version is one version record.
type Version struct {
	Number     int32
	Change     Change
	Title      string
	Status     catalogv1.PolicyStatus
	Snapshot   *catalogv1.Policy
	CreateTime time.Time
}

func versionFromDoc(d versionDoc, withSnapshot bool) (*Version, error) {
	v := &Version{
		Number: int32(d.Version), Change: changeFromDoc(d.Change), Title: d.Title,
		Status:     catalogv1.PolicyStatus(enumNumber(catalogv1.PolicyStatus(0).Descriptor(), d.Status)),
		CreateTime: d.CreateTime.UTC(),
	}
	if withSnapshot {
		v.Snapshot = &catalogv1.Policy{}
		if err := proto.Unmarshal(d.Snapshot, v.Snapshot); err != nil {
			return nil, fmt.Errorf("policies: decode version %s: %w", d.ID, err)
		}
	}
	return v, nil
}

// Versions returns a page of a policy's versions, newest first, only
// non-draft ones unless includeDrafts.
func (r *Policies) Versions(ctx context.Context, id string, includeDrafts bool, offset, limit int) ([]*Version, int, error) {
	sp, err := r.find(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if err := r.snapshot(ctx, sp); err != nil {
		return nil, 0, err
	}
	q := bson.D{{Key: "policy_id", Value: id}, {Key: "version", Value: bson.D{{Key: "$lte", Value: int64(sp.Policy.GetVersion())}}}}
	if !includeDrafts {
		q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$ne", Value: enumName(catalogv1.PolicyStatus_POLICY_STATUS_DRAFT)}}})
	}
	docs, total, err := store.Page(ctx, r.versions.Read, "policy_versions", q, bson.D{{Key: "version", Value: -1}}, offset, limit, func(d versionDoc) versionDoc { return d })
	if err != nil {
		return nil, 0, err
	}
	out := make([]*Version, 0, len(docs))
	for _, d := range docs {
		v, err := versionFromDoc(d, false)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, nil
}

// Version returns one version with its snapshot.
func (r *Policies) Version(ctx context.Context, id string, n int32) (*Version, error) {
	sp, err := r.find(ctx, id)
	if err != nil {
		return nil, err
	}
	if n < 1 || n > sp.Policy.GetVersion() {
		return nil, apperr.NotFound("政策%s没有第%d版", id, n)
	}
	if err := r.snapshot(ctx, sp); err != nil {
		return nil, err
	}
	var d versionDoc
	if err := r.versions.Read.FindOne(ctx, bson.D{{Key: "_id", Value: versionID(id, int64(n))}}).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.NotFound("政策%s没有第%d版", id, n)
		}
		return nil, fmt.Errorf("policies: find version: %w", err)
	}
	return versionFromDoc(d, true)
}

// FindAny returns the policy with id, deleted or not; apperr.ErrNotFound
// when there is none. For the change feed, which reports deletions too.
func (r *Policies) FindAny(ctx context.Context, id string) (*StoredPolicy, error) {
	var d policyDoc
	if err := r.c.Read.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.ErrNotFound
		}
		return nil, fmt.Errorf("policies: find: %w", err)
	}
	return policyFromDoc(d)
}

// Scan calls fn with every policy, deleted ones included, in one pass.
func (r *Policies) Scan(ctx context.Context, fn func(*StoredPolicy) error) error {
	return store.Scan(ctx, r.c.Read, "policies", func(d policyDoc) error {
		sp, err := policyFromDoc(d)
		if err != nil {
			return err
		}
		return fn(sp)
	})
}
