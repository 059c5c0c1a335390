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
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

type accountDoc struct {
	ID            string     `bson:"_id"`
	Username      string     `bson:"username"`
	DisplayName   string     `bson:"display_name,omitempty"`
	PasswordHash  string     `bson:"password_hash"`
	Role          string     `bson:"role"`
	District      string     `bson:"district,omitempty"`
	AssociationID string     `bson:"association_id,omitempty"`
	FirmID        string     `bson:"firm_id,omitempty"`
	ExpertID      string     `bson:"expert_id,omitempty"`
	Disabled      bool       `bson:"disabled"`
	Version       int64      `bson:"version"`
	CreateTime    time.Time  `bson:"create_time"`
	LastLoginTime *time.Time `bson:"last_login_time,omitempty"`
}

func accountToDoc(a *domain.Account) accountDoc {
	return accountDoc{
		ID: a.ID, Username: a.Username, DisplayName: a.DisplayName, PasswordHash: a.PasswordHash,
		Role: string(a.Role), District: enumName(a.District), AssociationID: a.AssociationID,
		FirmID: a.FirmID, ExpertID: a.ExpertID, Disabled: a.Disabled, Version: a.Version,
		CreateTime: a.CreateTime.UTC(), LastLoginTime: timePtr(a.LastLoginTime),
	}
}

func accountFromDoc(d accountDoc) *domain.Account {
	return &domain.Account{
		ID: d.ID, Username: d.Username, DisplayName: d.DisplayName, PasswordHash: d.PasswordHash,
		Role: auth.Role(d.Role), District: enumValue[commonv1.District](d.District), AssociationID: d.AssociationID,
		FirmID: d.FirmID, ExpertID: d.ExpertID, Disabled: d.Disabled, Version: d.Version,
		CreateTime: d.CreateTime.UTC(), LastLoginTime: timeVal(d.LastLoginTime),
	}
}

// Accounts stores sign-in accounts in the "accounts" collection.
type Accounts struct {
	c store.Collection
}

// NewAccounts returns the account repository of db.
func NewAccounts(db store.Database) *Accounts {
	return &Accounts{c: db.Collection("accounts")}
}

// EnsureIndexes creates the unique username index.
func (r *Accounts) EnsureIndexes(ctx context.Context) error {
	err := r.c.EnsureIndexes(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "username", Value: 1}}, Options: options.Index().SetUnique(true).SetName("username_unique")},
	})
	if err != nil {
		return fmt.Errorf("accounts: create indexes: %w", err)
	}
	return nil
}

// Create inserts an account; a taken username is ALREADY_EXISTS.
func (r *Accounts) Create(ctx context.Context, a *domain.Account) error {
	if _, err := r.c.Write.InsertOne(ctx, accountToDoc(a)); err != nil {
		if store.IsDuplicateKey(err) {
			return apperr.AlreadyExists("用户名“%s”已被使用", a.Username)
		}
		return fmt.Errorf("accounts: insert: %w", err)
	}
	return nil
}

func (r *Accounts) findOne(ctx context.Context, filter bson.D, what string) (*domain.Account, error) {
	var d accountDoc
	if err := r.c.Read.FindOne(ctx, filter).Decode(&d); err != nil {
		if store.IsNotFound(err) {
			return nil, apperr.NotFound("账号%s不存在", what)
		}
		return nil, fmt.Errorf("accounts: find: %w", err)
	}
	return accountFromDoc(d), nil
}

// Get returns an account by id.
func (r *Accounts) Get(ctx context.Context, id string) (*domain.Account, error) {
	return r.findOne(ctx, bson.D{{Key: "_id", Value: id}}, id)
}

// GetByUsername returns an account by username.
func (r *Accounts) GetByUsername(ctx context.Context, username string) (*domain.Account, error) {
	return r.findOne(ctx, bson.D{{Key: "username", Value: username}}, username)
}

// List returns accounts ordered by username.
func (r *Accounts) List(ctx context.Context, f domain.AccountFilter, offset, limit int) ([]*domain.Account, int, error) {
	q := bson.D{}
	if f.Role != "" {
		q = append(q, bson.E{Key: "role", Value: string(f.Role)})
	}
	switch {
	case f.FirmIDs != nil:
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "association_id", Value: f.AssociationID}},
			bson.D{{Key: "firm_id", Value: bson.D{{Key: "$in", Value: f.FirmIDs}}}},
		}})
	case f.AssociationID != "":
		q = append(q, bson.E{Key: "association_id", Value: f.AssociationID})
	}
	return store.Page(ctx, r.c.Read, "accounts", q, bson.D{{Key: "username", Value: 1}}, offset, limit, accountFromDoc)
}

// Update applies fn and writes the account back conditional on its version.
func (r *Accounts) Update(ctx context.Context, id string, fn func(*domain.Account) error) (*domain.Account, error) {
	return store.OptimisticUpdate(ctx, "该账号", 0,
		func(ctx context.Context) (*domain.Account, int64, error) {
			a, err := r.Get(ctx, id)
			if err != nil {
				return nil, 0, err
			}
			return a, a.Version, nil
		},
		fn,
		func(ctx context.Context, a *domain.Account, old int64) (bool, error) {
			a.Version = old + 1
			matched, err := r.c.ReplaceIfVersion(ctx, id, old, accountToDoc(a))
			if err != nil {
				return false, fmt.Errorf("accounts: replace: %w", err)
			}
			return matched, nil
		})
}

// Count returns the number of accounts.
func (r *Accounts) Count(ctx context.Context) (int, error) {
	n, err := r.c.Read.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("accounts: count: %w", err)
	}
	return int(n), nil
}
