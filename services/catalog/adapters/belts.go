package adapters

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/catalog/domain"
)

type beltDoc struct {
	ID       string `bson:"_id"`
	Payload  []byte `bson:"payload"`
	District string `bson:"district"`
	// DistrictNo orders lists in the contract's district order.
	DistrictNo     int32    `bson:"district_no"`
	Industry       string   `bson:"industry"`
	BrandName      string   `bson:"brand_name"`
	Status         string   `bson:"status"`
	AssociationIDs []string `bson:"association_ids"`
	// BrandKey enforces one brand name per district among live belts; a
	// deleted belt gives its key up.
	BrandKey   string     `bson:"brand_key"`
	Sample     bool       `bson:"sample,omitempty"`
	Version    int64      `bson:"version"`
	CreateTime time.Time  `bson:"create_time"`
	UpdateTime time.Time  `bson:"update_time"`
	DeletedAt  *time.Time `bson:"deleted_at,omitempty"`
}

func beltToDoc(b *catalogv1.IndustryBelt, version int64, created, updated time.Time, deleted *time.Time) beltDoc {
	key := enumName(b.GetDistrict()) + "|" + b.GetBrandName()
	if deleted != nil {
		key = "deleted|" + b.GetId()
	}
	return beltDoc{
		ID: b.GetId(), Payload: marshal(b), District: enumName(b.GetDistrict()), DistrictNo: int32(b.GetDistrict()), Industry: enumName(b.GetIndustry()),
		BrandName: b.GetBrandName(), Status: enumName(b.GetStatus()), AssociationIDs: strs(b.GetAssociationIds()),
		BrandKey: key, Sample: b.GetSample(), Version: version, CreateTime: created.UTC(), UpdateTime: updated.UTC(),
		DeletedAt: deleted,
	}
}

func beltFromDoc(d beltDoc) (*catalogv1.IndustryBelt, error) {
	b := &catalogv1.IndustryBelt{}
	if err := proto.Unmarshal(d.Payload, b); err != nil {
		return nil, fmt.Errorf("belts: decode %s: %w", d.ID, err)
	}
	b.Id, b.Sample, b.Etag = d.ID, d.Sample, etag.Format(d.Version)
	b.CreateTime, b.UpdateTime = timestamppb.New(d.CreateTime), timestamppb.New(d.UpdateTime)
	return b, nil
}

// Belts stores industry belts ("industry_belts").
type Belts struct {
	c    store.Collection
	now  func() time.Time
	feed *changefeed.Feed
}

// BeltsSource is the belts' change feed source.
const BeltsSource = "belts"

// ChangeStamp is the head of the belts' change feed: it moves with every
// belt write of any instance.
func (r *Belts) ChangeStamp(ctx context.Context) (int64, error) { return r.feed.Head(ctx, BeltsSource) }

// Feed returns the belts' change feed.
func (r *Belts) Feed() *changefeed.Feed { return r.feed }

// NewBelts returns the belt repository of db.
func NewBelts(db store.Database, now func() time.Time) *Belts {
	return &Belts{c: db.Collection("industry_belts"), now: now, feed: changefeed.New(db, now)}
}

// EnsureIndexes creates the unique brand index and the list index.
func (r *Belts) EnsureIndexes(ctx context.Context) error {
	return r.c.EnsureIndexes(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "brand_key", Value: 1}}, Options: options.Index().SetUnique(true).SetName("brand_key_unique")},
		{Keys: bson.D{{Key: "district", Value: 1}, {Key: "brand_name", Value: 1}}, Options: options.Index().SetName("district_brand")},
	})
}

func duplicateBrand(b *catalogv1.IndustryBelt) error {
	return apperr.AlreadyExists("该区县已有名为“%s”的产业带", b.GetBrandName())
}

// Create stores a new belt; a brand name taken in the district is
// ALREADY_EXISTS.
func (r *Belts) Create(ctx context.Context, b *catalogv1.IndustryBelt) (*catalogv1.IndustryBelt, error) {
	now := r.now()
	doc := beltToDoc(b, 1, now, now, nil)
	if _, err := r.c.Write.InsertOne(ctx, doc); err != nil {
		if store.IsDuplicateKey(err) {
			return nil, duplicateBrand(b)
		}
		return nil, fmt.Errorf("belts: insert: %w", err)
	}
	r.feed.Record(ctx, BeltsSource, changefeed.Change{ID: doc.ID, Version: doc.Version})
	return beltFromDoc(doc)
}

func (r *Belts) find(ctx context.Context, id string) (*catalogv1.IndustryBelt, int64, error) {
	var d beltDoc
	if err := r.c.Read.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, 0, apperr.NotFound("产业带%s不存在", id)
		}
		return nil, 0, fmt.Errorf("belts: find: %w", err)
	}
	if d.DeletedAt != nil {
		return nil, 0, apperr.NotFound("产业带%s不存在", id)
	}
	b, err := beltFromDoc(d)
	return b, d.Version, err
}

// Get returns a live belt.
func (r *Belts) Get(ctx context.Context, id string) (*catalogv1.IndustryBelt, error) {
	b, _, err := r.find(ctx, id)
	return b, err
}

// Update applies fn and writes the belt back conditional on its version; with
// remove the belt is soft-deleted instead.
func (r *Belts) Update(ctx context.Context, id string, expect int64, remove bool, fn func(*catalogv1.IndustryBelt) error) (*catalogv1.IndustryBelt, error) {
	return store.OptimisticUpdate(ctx, "该产业带", expect,
		func(ctx context.Context) (*catalogv1.IndustryBelt, int64, error) { return r.find(ctx, id) },
		fn,
		func(ctx context.Context, b *catalogv1.IndustryBelt, old int64) (bool, error) {
			var deleted *time.Time
			if remove {
				t := r.now()
				deleted = &t
			}
			doc := beltToDoc(b, old+1, b.GetCreateTime().AsTime(), r.now(), deleted)
			matched, err := r.c.ReplaceIfVersion(ctx, id, old, doc)
			if err != nil {
				if store.IsDuplicateKey(err) {
					return false, duplicateBrand(b)
				}
				return false, fmt.Errorf("belts: replace: %w", err)
			}
			if !matched {
				return false, nil
			}
			r.feed.Record(ctx, BeltsSource, changefeed.Change{ID: id, Version: old + 1, Deleted: remove})
			fresh, err := beltFromDoc(doc)
			if err != nil {
				return false, err
			}
			proto.Reset(b)
			proto.Merge(b, fresh)
			return true, nil
		})
}

// BeltQuery is a belt list request as the store sees it.
type BeltQuery struct {
	Scope  domain.BeltScope
	Filter domain.BeltFilter
}

func (q BeltQuery) filter() bson.D {
	and := bson.A{bson.D{store.NotDeleted()}}
	published := enumName(catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED)
	switch {
	case q.Scope.AllUnpublished:
	case q.Scope.UnpublishedDistrict != 0:
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "status", Value: published}},
			bson.D{{Key: "district", Value: enumName(q.Scope.UnpublishedDistrict)}},
		}}})
	default:
		and = append(and, bson.D{{Key: "status", Value: published}})
	}
	f := q.Filter
	if f.District != 0 {
		and = append(and, bson.D{{Key: "district", Value: enumName(f.District)}})
	}
	if f.Industry != 0 {
		and = append(and, bson.D{{Key: "industry", Value: enumName(f.Industry)}})
	}
	if f.Status != 0 {
		and = append(and, bson.D{{Key: "status", Value: enumName(f.Status)}})
	}
	if f.AssociationID != "" {
		and = append(and, bson.D{{Key: "association_ids", Value: f.AssociationID}})
	}
	return bson.D{{Key: "$and", Value: and}}
}

// List returns one page of belts by district, then brand name.
func (r *Belts) List(ctx context.Context, q BeltQuery, offset, limit int) ([]*catalogv1.IndustryBelt, int, error) {
	sort := bson.D{{Key: "district_no", Value: 1}, {Key: "brand_name", Value: 1}, {Key: "_id", Value: 1}}
	docs, total, err := store.Page(ctx, r.c.Read, "belts", q.filter(), sort, offset, limit, func(d beltDoc) beltDoc { return d })
	if err != nil {
		return nil, 0, err
	}
	out := make([]*catalogv1.IndustryBelt, 0, len(docs))
	for _, d := range docs {
		b, err := beltFromDoc(d)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, b)
	}
	return out, total, nil
}

// StoredBelt is a belt with its storage state.
type StoredBelt struct {
	Belt    *catalogv1.IndustryBelt
	Version int64
	Deleted bool
}

// FindAny returns the belt with id, deleted or not; apperr.ErrNotFound when
// there is none.
func (r *Belts) FindAny(ctx context.Context, id string) (*StoredBelt, error) {
	var d beltDoc
	if err := r.c.Read.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.ErrNotFound
		}
		return nil, fmt.Errorf("belts: find: %w", err)
	}
	b, err := beltFromDoc(d)
	if err != nil {
		return nil, err
	}
	return &StoredBelt{Belt: b, Version: d.Version, Deleted: d.DeletedAt != nil}, nil
}

// Scan calls fn with every belt, deleted ones included, in one pass.
func (r *Belts) Scan(ctx context.Context, fn func(*StoredBelt) error) error {
	return store.Scan(ctx, r.c.Read, "belts", func(d beltDoc) error {
		b, err := beltFromDoc(d)
		if err != nil {
			return err
		}
		return fn(&StoredBelt{Belt: b, Version: d.Version, Deleted: d.DeletedAt != nil})
	})
}
