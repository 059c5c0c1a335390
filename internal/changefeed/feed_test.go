package changefeed_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/qihang-hz/qihang/internal/changefeed"
	"github.com/qihang-hz/qihang/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestAppendAndRead(t *testing.T) {
	ctx := context.Background()
	f := changefeed.New(storetest.NewDatabase(t), nil)

	p, err := f.Read(ctx, "firms", 0, 10)
	if err != nil || p.Head != 0 || len(p.Entries) != 0 {
		t.Fatalf("empty feed: %+v, %v", p, err)
	}
	if err := f.Append(ctx, "firms", changefeed.Change{ID: "a", Version: 1}, changefeed.Change{ID: "b", Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.Append(ctx, "firms", changefeed.Change{ID: "a", Version: 2, Deleted: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.Append(ctx, "associations", changefeed.Change{ID: "x", Version: 1}); err != nil {
		t.Fatal(err)
	}
	p, err = f.Read(ctx, "firms", 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := []changefeed.Change{}
	for _, e := range p.Entries {
		got = append(got, e.Change)
	}
	want := []changefeed.Change{{ID: "b", Version: 1}, {ID: "a", Version: 2, Deleted: true}}
	if diff := cmp.Diff(want, got); diff != "" || p.Head != 3 || len(p.Missing) != 0 {
		t.Errorf("read after 1 (-want +got):\n%s head=%d missing=%v", diff, p.Head, p.Missing)
	}
	if p.Entries[0].Sequence != 2 || p.Entries[1].Sequence != 3 || p.Entries[0].Time.IsZero() {
		t.Errorf("sequences %d %d, time %v", p.Entries[0].Sequence, p.Entries[1].Sequence, p.Entries[0].Time)
	}
	if h, _ := f.Head(ctx, "associations"); h != 1 {
		t.Errorf("associations head = %d, want 1 (sources count separately)", h)
	}
	if p, _ := f.Read(ctx, "firms", 0, 2); len(p.Entries) != 2 || p.Entries[1].Sequence != 2 {
		t.Errorf("limit 2: %+v", p.Entries)
	}
}

// Concurrent writers never share a sequence and never lose an entry.
func TestConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	f := changefeed.New(storetest.NewDatabase(t), nil)
	const writers, each = 20, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := f.Append(ctx, "firms", changefeed.Change{ID: fmt.Sprintf("w%d-%d", w, i), Version: 1}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	p, err := f.Read(ctx, "firms", 0, changefeed.MaxRead)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for i, e := range p.Entries {
		if e.Sequence != int64(i+1) {
			t.Fatalf("entry %d has sequence %d", i, e.Sequence)
		}
		ids[e.ID] = true
	}
	if p.Head != writers*each || len(ids) != writers*each || len(p.Missing) != 0 {
		t.Errorf("head %d, %d distinct ids, missing %v; want %d", p.Head, len(ids), p.Missing, writers*each)
	}
}

func TestCursorWaitsForHolesThenMovesOn(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := func(seq int64) changefeed.Entry {
		return changefeed.Entry{Sequence: seq, Change: changefeed.Change{ID: fmt.Sprint(seq), Version: 1}}
	}
	c := changefeed.NewCursor(0, 2*time.Second)

	// 1, 2 and 4 recorded; 3 allocated but not recorded yet.
	p := changefeed.Page{Entries: []changefeed.Entry{e(1), e(2), e(4)}, Head: 4, Missing: []int64{3}}
	fresh := c.Fresh(p)
	if len(fresh) != 3 {
		t.Fatalf("fresh = %v", fresh)
	}
	if skipped := c.Done(p, fresh, t0); len(skipped) != 0 || c.Applied != 2 {
		t.Fatalf("after first page: applied %d, skipped %v; want 2 and none", c.Applied, skipped)
	}
	if diff := cmp.Diff([]int64{3}, c.Holes()); diff != "" {
		t.Errorf("holes (-want +got):\n%s", diff)
	}

	// Re-read from 2: 3 has appeared; 4 is not applied twice.
	p = changefeed.Page{Entries: []changefeed.Entry{e(3), e(4)}, Head: 4}
	fresh = c.Fresh(p)
	if len(fresh) != 1 || fresh[0].Sequence != 3 {
		t.Fatalf("fresh after the hole filled = %v, want only 3", fresh)
	}
	c.Done(p, fresh, t0.Add(time.Second))
	if c.Applied != 4 || len(c.Holes()) != 0 {
		t.Errorf("applied %d holes %v; want 4 and none", c.Applied, c.Holes())
	}

	// 5 never gets recorded: the cursor waits for the window, then moves on.
	p = changefeed.Page{Entries: []changefeed.Entry{e(6)}, Head: 6, Missing: []int64{5}}
	c.Done(p, c.Fresh(p), t0.Add(2*time.Second))
	if c.Applied != 4 {
		t.Errorf("applied %d inside the window, want 4", c.Applied)
	}
	p = changefeed.Page{Entries: []changefeed.Entry{e(6)}, Head: 6, Missing: []int64{5}}
	if fresh := c.Fresh(p); len(fresh) != 0 {
		t.Errorf("6 offered again: %v", fresh)
	}
	skipped := c.Done(p, nil, t0.Add(4*time.Second))
	if diff := cmp.Diff([]int64{5}, skipped); diff != "" || c.Applied != 6 {
		t.Errorf("after the window: applied %d, skipped (-want +got):\n%s", c.Applied, diff)
	}
}
