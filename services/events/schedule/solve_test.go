package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/qihang-hz/qihang/services/events/schedule"
	"github.com/qihang-hz/qihang/services/events/schedule/schedgen"
)

// solve runs Solve and fails the test unless the schedule passes Verify,
// accounts for every request once, and places no more than the bound.
func solve(t *testing.T, in schedule.Instance, opts schedule.Options) schedule.Schedule {
	t.Helper()
	s, err := schedule.Solve(context.Background(), in, opts)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	if vs := schedule.Verify(in, s); len(vs) > 0 {
		t.Fatalf("Verify found %d violations, first: %+v", len(vs), vs[0])
	}
	if len(s.Meetings)+len(s.Unplaced) != len(in.Requests) {
		t.Fatalf("%d meetings + %d unplaced for %d requests", len(s.Meetings), len(s.Unplaced), len(in.Requests))
	}
	if len(s.Meetings) > s.UpperBound {
		t.Fatalf("placed %d above the upper bound %d", len(s.Meetings), s.UpperBound)
	}
	if s.UpperBound != schedule.UpperBound(in) {
		t.Fatalf("Schedule.UpperBound %d, UpperBound() %d", s.UpperBound, schedule.UpperBound(in))
	}
	if s.Stats.IdleGaps > s.Stats.IdleGapsBefore {
		t.Fatalf("the gap pass raised idle gaps from %d to %d", s.Stats.IdleGapsBefore, s.Stats.IdleGaps)
	}
	return s
}

func maxDegree(in schedule.Instance) int {
	deg := make([]int, len(in.Participants))
	m := 0
	for _, r := range in.Requests {
		deg[r.A]++
		deg[r.B]++
		m = max(m, deg[r.A], deg[r.B])
	}
	return m
}

type size struct{ participants, slots, requests int }

var sizes = []size{{12, 3, 15}, {40, 4, 70}, {100, 8, 350}, {300, 10, 1300}, {1000, 12, 5000}}

var shapes = []schedgen.Shape{schedgen.Uniform, schedgen.Popular}

func TestSolvePlacesEveryRequestWithoutBlockedSlots(t *testing.T) {
	for _, sz := range sizes {
		for _, shape := range shapes {
			for seed := int64(1); seed <= 3; seed++ {
				t.Run(fmt.Sprintf("%s/%dx%d/seed%d", shape, sz.participants, sz.slots, seed), func(t *testing.T) {
					in := schedgen.Generate(schedgen.Config{Shape: shape, Participants: sz.participants,
						Slots: sz.slots, Requests: sz.requests, Seed: seed})
					// As few tables as König allows: every slot must be
					// filled evenly to fit.
					in.Tables = (len(in.Requests) + in.Slots - 1) / in.Slots
					if d := maxDegree(in); d > in.Slots {
						t.Fatalf("generator made degree %d > %d slots", d, in.Slots)
					}
					s := solve(t, in, schedule.Options{Seed: seed})
					if len(s.Unplaced) > 0 {
						t.Errorf("%d of %d requests unplaced, first: %+v", len(s.Unplaced), len(in.Requests), s.Unplaced[0])
					}
					if s.Stats.Search {
						t.Errorf("the local search ran on an instance König colours directly")
					}
				})
			}
		}
	}
}

func TestSolveFillsEveryTableWhenTablesBind(t *testing.T) {
	for _, shape := range shapes {
		t.Run(shape.String(), func(t *testing.T) {
			in := schedgen.Generate(schedgen.Config{Shape: shape, Participants: 100, Slots: 6, Requests: 280, Seed: 7})
			in.Tables = 30 // 180 seats for 280 requests
			s := solve(t, in, schedule.Options{Seed: 7})
			if s.UpperBound != 180 || len(s.Meetings) != 180 {
				t.Errorf("placed %d, bound %d; want both 180 (slots × tables)", len(s.Meetings), s.UpperBound)
			}
			for _, u := range s.Unplaced {
				if u.Code != schedule.UnplacedNoRoom || u.Reason == "" {
					t.Fatalf("unplaced %+v: want a no-room reason", u)
				}
			}
		})
	}
}

func TestSolveWithBlockedSlotsReachesTheBound(t *testing.T) {
	for _, sz := range sizes {
		for _, shape := range shapes {
			for _, blocked := range []int{1, 2} {
				for _, slack := range []int{10, 0} { // % more seats than requests per slot
					t.Run(fmt.Sprintf("%s/%dx%d/blocked%d/slack%d", shape, sz.participants, sz.slots, blocked, slack), func(t *testing.T) {
						in := schedgen.Generate(schedgen.Config{Shape: shape, Participants: sz.participants,
							Slots: sz.slots, Requests: sz.requests, Blocked: blocked, Seed: int64(sz.slots)})
						in.Tables = (len(in.Requests)+in.Slots-1)/in.Slots + len(in.Requests)/in.Slots*slack/100
						s := solve(t, in, schedule.Options{Seed: 1})
						if got, want := len(s.Meetings), s.UpperBound*95/100; got < want {
							t.Errorf("placed %d < 95 %% of the bound %d", got, s.UpperBound)
						}
					})
				}
			}
		}
	}
}

func TestSolveKeepsLockedMeetingsOnReRun(t *testing.T) {
	for _, blocked := range []int{0, 2} {
		t.Run(fmt.Sprintf("blocked%d", blocked), func(t *testing.T) {
			in := schedgen.Generate(schedgen.Config{Participants: 200, Slots: 8, Tables: 110, Requests: 800, Blocked: blocked, Seed: 3})
			first := solve(t, in, schedule.Options{Seed: 1})
			byID := map[string]schedule.Placement{}
			for _, m := range first.Meetings {
				byID[m.RequestID] = m.Placement
			}
			// Lock every third placed meeting, add requests, re-run with
			// another seed.
			locked := map[string]schedule.Placement{}
			for i := range in.Requests {
				if p, ok := byID[in.Requests[i].ID]; ok && i%3 == 0 {
					in.Requests[i].Locked = &p
					locked[in.Requests[i].ID] = p
				}
			}
			second := solve(t, in, schedule.Options{Seed: 99})
			if second.Stats.Locked != len(locked) {
				t.Errorf("Stats.Locked %d, want %d", second.Stats.Locked, len(locked))
			}
			kept := 0
			for _, m := range second.Meetings {
				if p, ok := locked[m.RequestID]; ok {
					if p != m.Placement {
						t.Errorf("locked %s moved from %+v to %+v", m.RequestID, p, m.Placement)
					}
					kept++
				}
			}
			if kept != len(locked) {
				t.Errorf("%d of %d locked meetings kept", kept, len(locked))
			}
			if blocked == 0 && len(second.Meetings) < len(first.Meetings) {
				t.Errorf("re-run placed %d, first run %d", len(second.Meetings), len(first.Meetings))
			}
		})
	}
}

func TestSolveIsDeterministicForASeed(t *testing.T) {
	for _, blocked := range []int{0, 2} {
		in := schedgen.Generate(schedgen.Config{Shape: schedgen.Popular, Participants: 300, Slots: 10, Tables: 140, Requests: 1300, Blocked: blocked, Seed: 5})
		// A budget the search never reaches, so only the seed decides.
		opts := schedule.Options{Seed: 42, TimeBudget: time.Minute}
		a := solve(t, in, opts)
		b := solve(t, in, opts)
		if a.Stats.TimedOut || b.Stats.TimedOut {
			t.Fatalf("the search ran for a minute")
		}
		if diff := cmp.Diff(a, b, cmpopts.IgnoreFields(schedule.Stats{}, "Elapsed")); diff != "" {
			t.Errorf("blocked=%d: two runs with one seed differ (-first +second):\n%s", blocked, diff)
		}
	}
}

func TestSolveHonoursCancellation(t *testing.T) {
	in := schedgen.Generate(schedgen.Config{Participants: 200, Slots: 8, Tables: 110, Requests: 800, Blocked: 2, Seed: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := schedule.Solve(ctx, in, schedule.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v, want context.Canceled", err)
	}
	if len(s.Meetings)+len(s.Unplaced) != 0 {
		t.Errorf("cancelled run returned a partial schedule")
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := schedule.Solve(ctx, in, schedule.Options{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired deadline: got %v, want context.DeadlineExceeded", err)
	}
}

func TestSolveExplainsUnplacedRequests(t *testing.T) {
	in := schedule.Instance{
		Slots: 2, Tables: 3,
		Participants: []schedule.Participant{
			{ID: "f1", Side: schedule.SideFirm, Blocked: []int{0}},
			{ID: "f2", Side: schedule.SideFirm},
			{ID: "f3", Side: schedule.SideFirm},
			{ID: "b1", Side: schedule.SideCounterpart, Blocked: []int{1}},
			{ID: "b2", Side: schedule.SideCounterpart},
			{ID: "b3", Side: schedule.SideCounterpart},
		},
		TableHosts: []int{5, 2, -1}, // b3 hosts table 0, f3 table 1
		Requests: []schedule.Request{
			{ID: "no-common-slot", A: 0, B: 3},
			{ID: "hosts", A: 2, B: 5},
			{ID: "b2-1", A: 1, B: 4},
			{ID: "b2-2", A: 0, B: 4},
			{ID: "b2-3", A: 2, B: 4}, // b2 has 3 requests for 2 slots
			{ID: "host-meeting", A: 1, B: 5},
		},
	}
	s := solve(t, in, schedule.Options{Seed: 1})
	got := map[string]schedule.UnplacedCode{}
	for _, u := range s.Unplaced {
		got[u.RequestID] = u.Code
	}
	want := map[string]schedule.UnplacedCode{
		"no-common-slot": schedule.UnplacedNoCommonFreeSlot,
		"hosts":          schedule.UnplacedHostsClash,
	}
	// One of b2's three requests cannot fit; which one is the solver's
	// choice.
	for _, id := range []string{"b2-1", "b2-2", "b2-3"} {
		if c, ok := got[id]; ok {
			want[id] = schedule.UnplacedNoRoom
			if c != schedule.UnplacedNoRoom {
				t.Errorf("%s: code %d, want no room", id, c)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unplaced (-want +got):\n%s", diff)
	}
	if len(s.Meetings) != 3 || s.UpperBound != 3 {
		t.Errorf("placed %d, bound %d; want 3 and 3", len(s.Meetings), s.UpperBound)
	}
	for _, m := range s.Meetings {
		if m.RequestID == "host-meeting" && m.Table != 0 {
			t.Errorf("b3's meeting at table %d, want its hosted table 0", m.Table)
		}
	}
}

func TestSolveUsesTableCapacities(t *testing.T) {
	in := schedgen.Generate(schedgen.Config{Participants: 60, Slots: 4, Requests: 100, Seed: 2})
	in.Tables = 5
	in.TableCapacities = []int{10, 5, 5, 3, 2} // 25 seats per slot, 100 in all
	s := solve(t, in, schedule.Options{Seed: 1})
	if len(s.Meetings) != s.UpperBound || s.UpperBound != len(in.Requests) {
		t.Errorf("placed %d, bound %d, requests %d: want all", len(s.Meetings), s.UpperBound, len(in.Requests))
	}
}

func TestUpperBound(t *testing.T) {
	star := schedule.Instance{Slots: 3, Tables: 10, Participants: []schedule.Participant{{ID: "b", Side: schedule.SideCounterpart}}}
	for i := 0; i < 5; i++ {
		star.Participants = append(star.Participants, schedule.Participant{ID: fmt.Sprintf("f%d", i), Side: schedule.SideFirm})
		star.Requests = append(star.Requests, schedule.Request{ID: fmt.Sprintf("r%d", i), A: i + 1, B: 0})
	}
	tests := []struct {
		name   string
		modify func(*schedule.Instance)
		want   int
	}{
		{"a counterpart meets once per slot", func(*schedule.Instance) {}, 3},
		{"its blocked slot costs one", func(in *schedule.Instance) { in.Participants[0].Blocked = []int{1} }, 2},
		{"one table per slot", func(in *schedule.Instance) { in.Tables = 1; in.Participants[0].Blocked = []int{2} }, 2},
		{"a firm blocking the counterpart's free slots drops out", func(in *schedule.Instance) {
			in.Participants[0].Blocked = []int{0, 1}
			for i := 1; i <= 5; i++ {
				in.Participants[i].Blocked = []int{2}
			}
		}, 0},
		{"a locked meeting counts", func(in *schedule.Instance) {
			in.Requests[0].Locked = &schedule.Placement{Slot: 0, Table: 0}
		}, 3},
		{"invalid instance", func(in *schedule.Instance) { in.Slots = 0 }, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := star
			in.Participants = append([]schedule.Participant(nil), star.Participants...)
			in.Requests = append([]schedule.Request(nil), star.Requests...)
			tc.modify(&in)
			if got := schedule.UpperBound(in); got != tc.want {
				t.Errorf("UpperBound = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSolveReducesIdleGaps(t *testing.T) {
	in := schedgen.Generate(schedgen.Config{Participants: 300, Slots: 10, Tables: 140, Requests: 1300, Seed: 11})
	s := solve(t, in, schedule.Options{Seed: 1})
	if s.Stats.IdleGapsBefore == 0 || s.Stats.IdleGaps*2 > s.Stats.IdleGapsBefore {
		t.Errorf("idle gaps %d → %d: want at least halved", s.Stats.IdleGapsBefore, s.Stats.IdleGaps)
	}
}
