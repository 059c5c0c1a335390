package adapters

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// A caller that gives up while the first count runs does not abort it: the
// count finishes on its own context and the next caller gets its result
// without a second count.
func TestMemberCountOutlivesImpatientCaller(t *testing.T) {
	var m memberCounts
	release := make(chan struct{})
	var calls atomic.Int32
	count := func(ctx context.Context) (map[string]int, error) {
		calls.Add(1)
		select {
		case <-release:
			return map[string]int{"a1": 7}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	short, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := m.get(short, time.Now, count, []string{"a1"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("impatient caller: %v, want its deadline", err)
	}
	close(release)
	got, err := m.get(t.Context(), time.Now, count, []string{"a1", "a2"})
	if err != nil || got["a1"] != 7 || len(got) != 1 {
		t.Fatalf("after the count: %v %v, want a1=7", got, err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("counted %d times, want once", n)
	}
}

// A failed first count is reported to the callers waiting for it; the next
// caller counts again.
func TestMemberCountFailureThenRetry(t *testing.T) {
	var m memberCounts
	fail := atomic.Bool{}
	fail.Store(true)
	count := func(context.Context) (map[string]int, error) {
		if fail.Load() {
			return nil, errors.New("store down")
		}
		return map[string]int{"a1": 2}, nil
	}
	if _, err := m.get(t.Context(), time.Now, count, []string{"a1"}); err == nil {
		t.Fatal("a failed first count returned no error")
	}
	fail.Store(false)
	got, err := m.get(t.Context(), time.Now, count, []string{"a1"})
	if err != nil || got["a1"] != 2 {
		t.Fatalf("retry: %v %v", got, err)
	}
}

// Writes during a recount mark it raced: the next recount comes after
// recountAfterRace instead of memberCountsTTL.
func TestMemberCountRacedRecountsSooner(t *testing.T) {
	var m memberCounts
	release := make(chan struct{})
	count := func(context.Context) (map[string]int, error) {
		<-release
		return map[string]int{"a1": 1}, nil
	}
	start := time.Now()
	m.start(func() time.Time { return start }, count)
	m.adjust(nil, []string{"a1"})
	close(release)
	if _, err := m.get(t.Context(), time.Now, count, nil); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	due := m.loadedAt.Add(memberCountsTTL)
	m.mu.Unlock()
	if want := start.Add(recountAfterRace); !due.Equal(want) {
		t.Errorf("next recount due %v after the start, want %v", due.Sub(start), recountAfterRace)
	}
}

// With a single writer (the embedded store) counts are not redone on age,
// only after a count raced a write.
func TestMemberCountSingleWriterRecountsOnlyAfterRace(t *testing.T) {
	m := memberCounts{singleWriter: true}
	var calls atomic.Int32
	release := make(chan struct{}, 2)
	count := func(context.Context) (map[string]int, error) {
		calls.Add(1)
		<-release
		return map[string]int{"a1": 1}, nil
	}
	later := time.Now().Add(24 * time.Hour)
	release <- struct{}{}
	if _, err := m.get(t.Context(), time.Now, count, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.get(t.Context(), func() time.Time { return later }, count, nil); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("counted %d times a day later, want once", n)
	}

	m.mu.Lock()
	m.stale = true // as after a count that raced a write
	m.mu.Unlock()
	release <- struct{}{}
	if _, err := m.get(t.Context(), func() time.Time { return later }, count, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() != 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("counted %d times after a race, want 2", n)
	}
}
