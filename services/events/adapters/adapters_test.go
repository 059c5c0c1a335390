package adapters_test

import (
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/services/events/adapters"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func newStores(t *testing.T) *adapters.Stores {
	t.Helper()
	st := adapters.NewStores(storetest.NewDatabase(t), func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) })
	if err := st.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestLedgerConcurrentUpdates: 100 concurrent conditional updates of one
// seat ledger lose none and never exceed the capacity.
func TestLedgerConcurrentUpdates(t *testing.T) {
	st := newStores(t)
	ctx := t.Context()
	if err := st.Ledger.Create(ctx, &adapters.Seats{EventID: "e1", Capacity: 60}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	full := 0
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.Ledger.Update(ctx, "e1", func(s *adapters.Seats) error {
				if s.Full() {
					return apperr.ResourceExhausted("full")
				}
				s.Confirmed++
				return nil
			})
			if apperr.IsKind(err, apperr.KindResourceExhausted) {
				mu.Lock()
				full++
				mu.Unlock()
			} else if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s, err := st.Ledger.Get(ctx, "e1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Confirmed != 60 || full != 40 {
		t.Errorf("confirmed %d, refused %d; want 60 and 40", s.Confirmed, full)
	}
}

// TestRepoVersionsAndUniqueKeys: a stale version is ABORTED and writes
// nothing; an active registration's phone is unique per event, released
// when it is cancelled; deleted aggregates read as NOT_FOUND.
func TestRepoVersionsAndUniqueKeys(t *testing.T) {
	st := newStores(t)
	ctx := t.Context()
	reg := func(phone string) *eventsv1.Registration {
		return &eventsv1.Registration{EventId: "e1", FirmId: "f1", Status: eventsv1.RegistrationStatus_REGISTRATION_STATUS_CONFIRMED,
			Attendee: &commonv1.Contact{Name: "李明", Phone: phone}}
	}
	r1, err := st.Registrations.Insert(ctx, "", reg("13900000001"))
	if err != nil {
		t.Fatal(err)
	}
	if r1.GetEtag() != "1" || r1.GetId() == "" || r1.GetCreateTime() == nil {
		t.Errorf("stamped %v", r1)
	}
	if _, err := st.Registrations.Insert(ctx, "", reg("13900000001")); !errors.Is(err, adapters.ErrDuplicate) {
		t.Errorf("same phone: %v, want ErrDuplicate", err)
	}
	up, err := st.Registrations.Update(ctx, r1.GetId(), 1, func(r *eventsv1.Registration) error {
		r.Status = eventsv1.RegistrationStatus_REGISTRATION_STATUS_CANCELLED
		return nil
	})
	if err != nil || up.GetEtag() != "2" {
		t.Fatalf("cancel: %v %v", up, err)
	}
	if _, err := st.Registrations.Update(ctx, r1.GetId(), 1, func(*eventsv1.Registration) error { return nil }); !apperr.IsKind(err, apperr.KindConflict) {
		t.Errorf("stale version: %v, want conflict", err)
	}
	if _, err := st.Registrations.Insert(ctx, "", reg("13900000001")); err != nil {
		t.Errorf("phone after cancel: %v", err)
	}
	n, err := st.Registrations.Count(ctx, adapters.Query{EventID: "e1", Filter: nil})
	if err != nil || n != 2 {
		t.Errorf("count %d %v", n, err)
	}
	if err := st.Registrations.Delete(ctx, r1.GetId(), 2, func(*eventsv1.Registration) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Registrations.Get(ctx, r1.GetId()); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("deleted: %v", err)
	}
}
