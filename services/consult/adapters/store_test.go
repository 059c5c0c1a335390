package adapters_test

import (
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/services/consult/adapters"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func newStore(t *testing.T) *adapters.Store {
	t.Helper()
	st := adapters.New(storetest.NewDatabase(t))
	if err := st.EnsureIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := st.Settings.Init(t.Context()); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCountersNeverPassTheLimit: 100 concurrent acquisitions of a counter
// limited to 10 succeed exactly 10 times; releases bring it back to 0 and
// never below.
func TestCountersNeverPassTheLimit(t *testing.T) {
	st := newStore(t)
	ctx := t.Context()
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := st.Counters.Acquire(ctx, "quota|f1", 10)
			if err != nil {
				t.Error(err)
			}
			if got {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 10 {
		t.Errorf("%d acquisitions succeeded, want 10", ok.Load())
	}
	if used, _ := st.Counters.Get(ctx, "quota|f1"); used != 10 {
		t.Errorf("used %d, want 10", used)
	}
	for range 12 {
		if err := st.Counters.Release(ctx, "quota|f1"); err != nil {
			t.Fatal(err)
		}
	}
	if used, _ := st.Counters.Get(ctx, "quota|f1"); used != 0 {
		t.Errorf("used %d after releasing more than taken, want 0", used)
	}
}

func slot(expert string, start time.Time) *consultv1.Slot {
	b := int32(10)
	return &consultv1.Slot{Id: ids.New(), ExpertId: expert, StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(time.Hour)),
		Mode: consultv1.SessionMode_SESSION_MODE_ONLINE, BufferBeforeMinutes: &b, BufferAfterMinutes: &b, Status: consultv1.SlotStatus_SLOT_STATUS_OPEN}
}

// TestTakeIsExclusive: 30 concurrent takes of one slot give one winner;
// the others get SLOT_TAKEN; release reopens it.
func TestTakeIsExclusive(t *testing.T) {
	st := newStore(t)
	ctx := t.Context()
	s, err := st.Slots.Create(ctx, slot("e1", time.Now().Add(48*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	var winners atomic.Int32
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.Slots.Take(ctx, s.GetId(), ids.New(), time.Now(), func(*consultv1.Slot) error { return nil })
			switch {
			case err == nil:
				winners.Add(1)
			case !apperr.IsKind(err, apperr.KindConflict):
				t.Errorf("taker %d: %v, want SLOT_TAKEN", i, err)
			}
		}()
	}
	wg.Wait()
	if winners.Load() != 1 {
		t.Fatalf("%d winners, want 1", winners.Load())
	}
	got, _ := st.Slots.Get(ctx, s.GetId())
	if err := st.Slots.Release(ctx, s.GetId(), "someone-else", false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.Slots.Get(ctx, s.GetId()); again.GetStatus() != consultv1.SlotStatus_SLOT_STATUS_BOOKED {
		t.Error("a release by another consultation reopened the slot")
	}
	if err := st.Slots.Release(ctx, s.GetId(), got.GetConsultationId(), false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.Slots.Get(ctx, s.GetId()); again.GetStatus() != consultv1.SlotStatus_SLOT_STATUS_OPEN || again.GetConsultationId() != "" {
		t.Errorf("released slot %v %q, want OPEN", again.GetStatus(), again.GetConsultationId())
	}
}

// TestConcurrentOverlappingSlots: ten overlapping slots of one expert
// created at once never leave two overlapping slots behind.
func TestConcurrentOverlappingSlots(t *testing.T) {
	st := newStore(t)
	ctx := t.Context()
	start := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.Slots.Create(ctx, slot("e1", start.Add(time.Duration(i)*5*time.Minute)))
			if err != nil && !apperr.IsKind(err, apperr.KindFailedPrecondition) {
				t.Errorf("create %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	list, _, err := st.Slots.List(ctx, adapters.SlotFilter{ExpertID: "e1"}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) > 1 {
		t.Errorf("%d overlapping slots stored", len(list))
	}
	for i := range list {
		for j := range list {
			if i != j && domain.SlotBlock(list[i]).Overlaps(domain.SlotBlock(list[j])) {
				t.Errorf("slots %s and %s overlap", list[i].GetId(), list[j].GetId())
			}
		}
	}
}

// TestConsultationFilterScopes: a list without a scope matches nothing;
// each scope matches its consultations only.
func TestConsultationFilterScopes(t *testing.T) {
	st := newStore(t)
	ctx := t.Context()
	now := time.Now()
	mk := func(firm, assoc string, experts ...string) *consultv1.Consultation {
		c, err := st.Consultations.Create(ctx, &consultv1.Consultation{Id: ids.New(), FirmId: firm, Firm: &consultv1.FirmSnapshot{AssociationIds: []string{assoc}},
			CaseExpertIds: experts, Status: domain.Requested, CreateTime: timestamppb.New(now)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mk("f1", "a1", "e1")
	mk("f2", "a2")
	for _, tt := range []struct {
		name  string
		scope domain.Scope
		want  int
	}{
		{"none", domain.Scope{}, 0},
		{"all", domain.Scope{All: true}, 2},
		{"firm", domain.Scope{FirmID: "f1"}, 1},
		{"association", domain.Scope{AssociationID: "a2"}, 1},
		{"expert", domain.Scope{ExpertID: "e1"}, 1},
	} {
		_, total, err := st.Consultations.List(ctx, adapters.ConsultationFilter{Scope: tt.scope}, 0, 10)
		if err != nil || total != tt.want {
			t.Errorf("%s: %d (%v), want %d", tt.name, total, err, tt.want)
		}
	}
}
