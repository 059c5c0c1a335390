package adapters

import (
	"context"
	"fmt"
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

// Associations stores associations in the "associations" collection.
type Associations struct {
	c    store.Collection
	now  func() time.Time
	feed *changefeed.Feed
}

// AssociationsSource is the associations' change feed source.
const AssociationsSource = "associations"

// NewAssociations returns the association repository of db.
func NewAssociations(db store.Database, now func() time.Time) *Associations {
	return &Associations{c: db.Collection("associations"), now: now, feed: changefeed.New(db, now)}
}

// EnsureIndexes creates the unique USCC index and the list indexes.
func (r *Associations) EnsureIndexes(ctx context.Context) error {
	err := r.c.EnsureIndexes(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "uscc", Value: 1}}, Options: options.Index().SetUnique(true).SetName("uscc_unique")},
		{Keys: bson.D{{Key: "name", Value: 1}}, Options: options.Index().SetName("name")},
		{Keys: bson.D{{Key: "district", Value: 1}}, Options: options.Index().SetName("district")},
	})
	if err != nil {
		return fmt.Errorf("associations: create indexes: %w", err)
	}
	return nil
}

// Create inserts an association; a taken USCC is ALREADY_EXISTS.
func (r *Associations) Create(ctx context.Context, a *domain.Association) error {
	if _, err := r.c.Write.InsertOne(ctx, associationToDoc(a)); err != nil {
		if store.IsDuplicateKey(err) {
			return apperr.AlreadyExists("统一社会信用代码%s的社会组织已登记", a.USCC)
		}
		return fmt.Errorf("associations: insert: %w", err)
	}
	r.feed.Record(ctx, AssociationsSource, changefeed.Change{ID: a.ID, Version: a.Version})
	return nil
}

func (r *Associations) findAny(ctx context.Context, filter bson.D, what string) (*domain.Association, error) {
	var d associationDoc
	if err := r.c.Read.FindOne(ctx, filter).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.NotFound("社会组织%s不存在", what)
		}
		return nil, fmt.Errorf("associations: find: %w", err)
	}
	return associationFromDoc(d), nil
}

func (r *Associations) find(ctx context.Context, id string) (*domain.Association, error) {
	a, err := r.findAny(ctx, bson.D{{Key: "_id", Value: id}}, id)
	if err == nil && a.Deleted() {
		return nil, apperr.NotFound("社会组织%s不存在", id)
	}
	return a, err
}

// FindByUSCC returns the association with a USCC, deleted or not.
func (r *Associations) FindByUSCC(ctx context.Context, code string) (*domain.Association, error) {
	return r.findAny(ctx, bson.D{{Key: "uscc", Value: code}}, code)
}

// Get returns a live association.
func (r *Associations) Get(ctx context.Context, id string) (*domain.Association, error) {
	return r.find(ctx, id)
}

// GetMany returns the live associations with the given ids, keyed by id.
func (r *Associations) GetMany(ctx context.Context, ids []string) (map[string]*domain.Association, error) {
	out := make(map[string]*domain.Association, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	docs, err := store.GetByIDs[associationDoc](ctx, r.c.Read, "associations", ids)
	for _, d := range docs {
		if a := associationFromDoc(d); !a.Deleted() {
			out[a.ID] = a
		}
	}
	return out, err
}

// List returns one page of live associations matching the filter, ordered by
// name, and the total number of matches.
func (r *Associations) List(ctx context.Context, f domain.AssociationFilter, offset, limit int) ([]*domain.Association, int, error) {
	q := bson.D{store.NotDeleted()}
	if f.District != 0 {
		q = append(q, bson.E{Key: "district", Value: enumName(f.District)})
	}
	if f.Type != 0 {
		q = append(q, bson.E{Key: "type", Value: enumName(f.Type)})
	}
	if f.Industry != 0 {
		q = append(q, bson.E{Key: "industries", Value: enumName(f.Industry)})
	}
	if f.JoinedProgramme != nil {
		q = append(q, bson.E{Key: "joined_programme", Value: *f.JoinedProgramme})
	}
	if f.NameContains != "" {
		q = append(q, store.TextContains(f.NameContains, "name", "short_name"))
	}
	return store.Page(ctx, r.c.Read, "associations", q, byName, offset, limit, associationFromDoc)
}

// Update applies fn and writes the association back conditional on its
// version (see optimisticUpdate).
func (r *Associations) Update(ctx context.Context, id string, expect int64, fn func(*domain.Association) error) (*domain.Association, error) {
	return r.update(ctx, id, expect, false, fn)
}

// Revive is Update for an association that may be soft-deleted.
func (r *Associations) Revive(ctx context.Context, id string, fn func(*domain.Association) error) (*domain.Association, error) {
	return r.update(ctx, id, 0, true, fn)
}

func (r *Associations) update(ctx context.Context, id string, expect int64, includeDeleted bool, fn func(*domain.Association) error) (*domain.Association, error) {
	return store.OptimisticUpdate(ctx, "该社会组织资料", expect,
		func(ctx context.Context) (*domain.Association, int64, error) {
			get := r.find
			if includeDeleted {
				get = func(ctx context.Context, id string) (*domain.Association, error) {
					return r.findAny(ctx, bson.D{{Key: "_id", Value: id}}, id)
				}
			}
			a, err := get(ctx, id)
			if err != nil {
				return nil, 0, err
			}
			return a, a.Version, nil
		},
		fn,
		func(ctx context.Context, a *domain.Association, old int64) (bool, error) {
			a.Version = old + 1
			a.UpdateTime = r.now()
			matched, err := r.c.ReplaceIfVersion(ctx, id, old, associationToDoc(a))
			if err != nil {
				if store.IsDuplicateKey(err) {
					return false, apperr.AlreadyExists("统一社会信用代码%s已被其他社会组织使用", a.USCC)
				}
				return false, fmt.Errorf("associations: replace: %w", err)
			}
			if matched {
				r.feed.Record(ctx, AssociationsSource, changefeed.Change{ID: id, Version: a.Version, Deleted: a.Deleted()})
			}
			return matched, nil
		})
}

// CountJoined counts live associations that joined the programme, by
// district (all districts when district is unspecified).
func (r *Associations) CountJoined(ctx context.Context, district commonv1.District) (map[commonv1.District]int, error) {
	match := bson.D{
		{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}},
		{Key: "joined_programme", Value: true},
	}
	if district != 0 {
		match = append(match, bson.E{Key: "district", Value: enumName(district)})
	}
	cur, err := r.c.Read.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: match}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$district"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("associations: count joined: %w", err)
	}
	var rows []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("associations: count joined: %w", err)
	}
	out := make(map[commonv1.District]int, len(rows))
	for _, row := range rows {
		out[enumValue[commonv1.District](row.ID)] += row.N
	}
	return out, nil
}

// FindAny returns the association with id, deleted or not;
// apperr.ErrNotFound when there is none.
func (r *Associations) FindAny(ctx context.Context, id string) (*domain.Association, error) {
	var d associationDoc
	if err := r.c.Read.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.ErrNotFound
		}
		return nil, fmt.Errorf("associations: find: %w", err)
	}
	return associationFromDoc(d), nil
}

// Scan calls fn with every association, deleted ones included.
func (r *Associations) Scan(ctx context.Context, fn func(*domain.Association) error) error {
	return store.Scan(ctx, r.c.Read, "associations", func(d associationDoc) error { return fn(associationFromDoc(d)) })
}

// Feed returns the associations' change feed.
func (r *Associations) Feed() *changefeed.Feed { return r.feed }
