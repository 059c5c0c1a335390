// Package audit keeps the audit log every Qihang service writes: who did
// what to which object, at which version, and when. Each service keeps its own
// log in its own database (collection "audit").
//
// A record is written after the mutation it describes. There are no
// multi-document transactions on the embedded store, so a record that cannot
// be written is logged in full at ERROR level instead of failing a mutation
// that has already happened.
package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/store"
)

// Record is one audit entry.
type Record struct {
	ID            string
	ActorID       string
	ActorUsername string
	ActorRole     auth.Role
	// Action is "<object>.<verb>", e.g. "firm.update", "firm.reveal_contacts".
	Action     string
	ObjectType string
	ObjectID   string
	// ObjectVersion is the version after the action; 0 for reads.
	ObjectVersion int64
	// Detail is free text: changed fields, counts, a reveal's reason.
	Detail string
	// AssociationIDs scopes the record for association admins' view.
	AssociationIDs []string
	Time           time.Time
}

type recordDoc struct {
	ID             string    `bson:"_id"`
	ActorID        string    `bson:"actor_id"`
	ActorUsername  string    `bson:"actor_username"`
	ActorRole      string    `bson:"actor_role"`
	Action         string    `bson:"action"`
	ObjectType     string    `bson:"object_type"`
	ObjectID       string    `bson:"object_id"`
	ObjectVersion  int64     `bson:"object_version"`
	Detail         string    `bson:"detail,omitempty"`
	AssociationIDs []string  `bson:"association_ids"`
	Time           time.Time `bson:"time"`
}

// Log appends to and reads one service's audit log.
type Log struct {
	c      store.Collection
	logger *slog.Logger
	now    func() time.Time
}

// NewLog returns the audit log in db.
func NewLog(db store.Database, logger *slog.Logger, now func() time.Time) *Log {
	return &Log{c: db.Collection("audit"), logger: logger, now: now}
}

// EnsureIndexes creates the indexes the listing uses.
func (l *Log) EnsureIndexes(ctx context.Context) error {
	err := l.c.EnsureIndexes(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "time", Value: -1}}, Options: options.Index().SetName("time")},
		{Keys: bson.D{{Key: "object_id", Value: 1}}, Options: options.Index().SetName("object_id")},
	})
	if err != nil {
		return fmt.Errorf("audit: create indexes: %w", err)
	}
	return nil
}

// Append records that p did r.Action. The write survives cancellation of
// ctx: the mutation it describes has already happened.
func (l *Log) Append(ctx context.Context, p auth.Principal, r Record) {
	l.AppendMany(ctx, p, []Record{r})
}

// AppendMany records several actions of p in one write (a bulk import).
func (l *Log) AppendMany(ctx context.Context, p auth.Principal, rs []Record) {
	if len(rs) == 0 {
		return
	}
	docs := make([]any, len(rs))
	for i, r := range rs {
		docs[i] = l.doc(p, r)
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := l.c.Write.InsertMany(wctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		for _, d := range docs {
			r := d.(recordDoc)
			l.logger.ErrorContext(ctx, "audit record not stored", "error", err,
				"actor", r.ActorUsername, "role", r.ActorRole, "action", r.Action,
				"object_type", r.ObjectType, "object_id", r.ObjectID, "object_version", r.ObjectVersion,
				"detail", r.Detail, "time", r.Time)
		}
	}
}

func (l *Log) doc(p auth.Principal, r Record) recordDoc {
	r.ID = ids.New()
	r.ActorID, r.ActorUsername, r.ActorRole = p.AccountID, p.Username, p.Role
	if r.ActorID == "" {
		r.ActorID, r.ActorUsername = "anonymous", "anonymous"
	}
	if r.Time.IsZero() {
		r.Time = l.now()
	}
	doc := recordDoc{
		ID: r.ID, ActorID: r.ActorID, ActorUsername: r.ActorUsername, ActorRole: string(r.ActorRole),
		Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID, ObjectVersion: r.ObjectVersion,
		Detail: r.Detail, AssociationIDs: r.AssociationIDs, Time: r.Time.UTC(),
	}
	if doc.AssociationIDs == nil {
		doc.AssociationIDs = []string{}
	}
	return doc
}

// Filter selects records. Zero fields do not filter; AssociationID limits
// to records scoped to that association.
type Filter struct {
	ObjectType    string
	ObjectID      string
	ActorID       string
	AssociationID string
}

// List returns records newest first.
func (l *Log) List(ctx context.Context, f Filter, offset, limit int) ([]Record, error) {
	q := bson.D{}
	if f.ObjectType != "" {
		q = append(q, bson.E{Key: "object_type", Value: f.ObjectType})
	}
	if f.ObjectID != "" {
		q = append(q, bson.E{Key: "object_id", Value: f.ObjectID})
	}
	if f.ActorID != "" {
		q = append(q, bson.E{Key: "actor_id", Value: f.ActorID})
	}
	if f.AssociationID != "" {
		q = append(q, bson.E{Key: "association_ids", Value: f.AssociationID})
	}
	opts := options.Find().SetSort(bson.D{{Key: "time", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64(offset)).SetLimit(int64(limit))
	cur, err := l.c.Read.Find(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	var docs []recordDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	out := make([]Record, len(docs))
	for i, d := range docs {
		out[i] = Record{
			ID: d.ID, ActorID: d.ActorID, ActorUsername: d.ActorUsername, ActorRole: auth.Role(d.ActorRole),
			Action: d.Action, ObjectType: d.ObjectType, ObjectID: d.ObjectID, ObjectVersion: d.ObjectVersion,
			Detail: d.Detail, AssociationIDs: d.AssociationIDs, Time: d.Time.UTC(),
		}
	}
	return out, nil
}
