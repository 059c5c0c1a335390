package adapters

import (
	"context"
	"fmt"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/qihang-hz/qihang/internal/store"
)

// Seats is an event's seat ledger: every count that capacity, waiting lists,
// quotas, booths and certificates are decided on lives in this one document,
// so each decision is one conditional single-document update (DESIGN.md: no
// multi-document transactions; the embedded store is atomic only per
// document through its single writer).
type Seats struct {
	EventID string `bson:"_id"`
	// Capacity is the seat limit (0: none); authoritative over the event's
	// copy for decisions.
	Capacity   int32 `bson:"capacity"`
	Waitlist   bool  `bson:"waitlist"`
	Confirmed  int32 `bson:"confirmed"`
	Pending    int32 `bson:"pending"`
	Waitlisted int32 `bson:"waitlisted"`
	// Seq orders the waiting list: each wait-listed registration takes the
	// next number.
	Seq int64 `bson:"seq"`
	// Parties counts the pending, confirmed and wait-listed registrations
	// each firm ("f:<id>") or association ("a:<id>") holds.
	Parties map[string]int32 `bson:"parties"`
	// Assocs counts what each association holds against its quota: its own
	// delegates and the registrations it nominated.
	Assocs map[string]int32 `bson:"assocs"`
	// BoothCount is the expo's booth limit, kept here so an approval and an
	// organiser lowering the limit decide on the same document. 0 in a
	// ledger written before it was kept: the event's booth_count applies.
	BoothCount int32 `bson:"booth_count"`
	// BoothsGranted sums the booths of approved booth applications.
	BoothsGranted int32 `bson:"booths_granted"`
	// BoothClaims holds the booths each approved (or being approved)
	// application holds, by application id: an application is granted
	// booths once, so simultaneous approvals of one application never
	// take booths another needs.
	BoothClaims map[string]int32 `bson:"booth_claims"`
	// Elite counts registrations recommended to the elite talent programme.
	Elite int32 `bson:"elite"`
	// CertSeq numbers the event's certificates.
	CertSeq int32 `bson:"cert_seq"`
	// Certs maps each registration given a certificate number to it, so a
	// number is assigned once per registration however often (and however
	// concurrently) certificates are issued, and the sequence has no gaps.
	Certs   map[string]int32 `bson:"certs"`
	Version int64            `bson:"version"`
}

// initMaps makes the ledger's maps writable after a decode that found none.
func (s *Seats) initMaps() {
	if s.Parties == nil {
		s.Parties = map[string]int32{}
	}
	if s.Assocs == nil {
		s.Assocs = map[string]int32{}
	}
	if s.Certs == nil {
		s.Certs = map[string]int32{}
	}
	if s.BoothClaims == nil {
		s.BoothClaims = map[string]int32{}
	}
}

// BoothLimit returns the booths that may be granted: the ledger's count, or
// limit (the event's booth_count) for a ledger that does not keep it.
func (s *Seats) BoothLimit(limit int32) int32 {
	if s.BoothCount > 0 {
		return s.BoothCount
	}
	return limit
}

// Full reports whether no seat is free.
func (s *Seats) Full() bool { return s.Capacity > 0 && s.Confirmed >= s.Capacity }

// Ledger stores the seat ledgers ("event_seats", keyed by event id).
type Ledger struct {
	c store.Collection
	// local serialises this process's updates of one ledger so a crowd of
	// registrations queues instead of retrying; the conditional write stays
	// the guard across processes.
	mu    sync.Mutex
	local map[string]*localLock
}

type localLock struct {
	mu   sync.Mutex
	refs int
}

// NewLedger returns the seat ledgers of db.
func NewLedger(db store.Database) *Ledger {
	return &Ledger{c: db.Collection("event_seats"), local: map[string]*localLock{}}
}

// EnsureIndexes makes sure the collection exists (lookups are by _id only).
func (l *Ledger) EnsureIndexes(ctx context.Context) error {
	return l.c.EnsureIndexes(ctx, []mongo.IndexModel{})
}

func (l *Ledger) lock(id string) func() {
	l.mu.Lock()
	k := l.local[id]
	if k == nil {
		k = &localLock{}
		l.local[id] = k
	}
	k.refs++
	l.mu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		l.mu.Lock()
		k.refs--
		if k.refs == 0 {
			delete(l.local, id)
		}
		l.mu.Unlock()
	}
}

// Create stores a fresh ledger for an event.
func (l *Ledger) Create(ctx context.Context, s *Seats) error {
	s.Version = 1
	s.initMaps()
	if _, err := l.c.Write.InsertOne(ctx, s); err != nil {
		if store.IsDuplicateKey(err) {
			return nil
		}
		return fmt.Errorf("event_seats: insert: %w", err)
	}
	return nil
}

// Get returns an event's ledger; a missing one reads as empty.
func (l *Ledger) Get(ctx context.Context, eventID string) (*Seats, error) {
	var s Seats
	if err := l.c.Read.FindOne(ctx, bson.D{{Key: "_id", Value: eventID}}).Decode(&s); err != nil {
		if store.IsNotFound(err) {
			empty := &Seats{EventID: eventID}
			empty.initMaps()
			return empty, nil
		}
		return nil, fmt.Errorf("event_seats: find: %w", err)
	}
	s.initMaps()
	return &s, nil
}

// GetMany returns the ledgers of several events by id.
func (l *Ledger) GetMany(ctx context.Context, eventIDs []string) (map[string]*Seats, error) {
	out := map[string]*Seats{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	cur, err := l.c.Read.Find(ctx, store.IDsIn(eventIDs))
	if err != nil {
		return nil, fmt.Errorf("event_seats: find: %w", err)
	}
	var list []*Seats
	if err := cur.All(ctx, &list); err != nil {
		return nil, fmt.Errorf("event_seats: find: %w", err)
	}
	for _, s := range list {
		out[s.EventID] = s
	}
	return out, nil
}

// Update applies fn to the event's ledger and writes it back conditional on
// the version read, retrying lost races; fn's error aborts without a write.
// The ledger must exist (Create).
func (l *Ledger) Update(ctx context.Context, eventID string, fn func(*Seats) error) (*Seats, error) {
	unlock := l.lock(eventID)
	defer unlock()
	return store.OptimisticUpdate(ctx, "名额台账", 0,
		func(ctx context.Context) (*Seats, int64, error) {
			var s Seats
			if err := l.c.Write.FindOne(ctx, bson.D{{Key: "_id", Value: eventID}}).Decode(&s); err != nil {
				if store.IsNotFound(err) {
					// Ledgers are created with their events; one lost to a
					// crash is recreated empty and counted up again by
					// the operations that follow.
					if err := l.Create(ctx, &Seats{EventID: eventID}); err != nil {
						return nil, 0, err
					}
					fresh := &Seats{EventID: eventID, Version: 1}
					fresh.initMaps()
					return fresh, 1, nil
				}
				return nil, 0, fmt.Errorf("event_seats: find: %w", err)
			}
			s.initMaps()
			return &s, s.Version, nil
		},
		fn,
		func(ctx context.Context, s *Seats, old int64) (bool, error) {
			s.Version = old + 1
			ok, err := l.c.ReplaceIfVersion(ctx, eventID, old, s)
			if err != nil {
				return false, fmt.Errorf("event_seats: replace: %w", err)
			}
			if !ok {
				s.Version = old
			}
			return ok, nil
		})
}
