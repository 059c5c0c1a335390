package schedule_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/services/events/schedule"
)

// small is a valid instance: firms f1, f2; counterparts b1, b2 (indexes
// 0..3); three requests; three slots; two tables.
func small() schedule.Instance {
	return schedule.Instance{
		Slots:  3,
		Tables: 2,
		Participants: []schedule.Participant{
			{ID: "f1", Side: schedule.SideFirm},
			{ID: "f2", Side: schedule.SideFirm},
			{ID: "b1", Side: schedule.SideCounterpart},
			{ID: "b2", Side: schedule.SideCounterpart, Blocked: []int{2}},
		},
		Requests: []schedule.Request{
			{ID: "r1", A: 0, B: 2},
			{ID: "r2", A: 3, B: 0},
			{ID: "r3", A: 1, B: 2},
		},
	}
}

func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	ve, ok := apperr.AsValidation(err)
	if !ok {
		t.Fatalf("error %v is not a validation error", err)
	}
	var out []string
	for _, v := range ve.Violations {
		if v.Description == "" {
			t.Errorf("violation of %s has no rule", v.Field)
		}
		out = append(out, v.Field)
	}
	return out
}

func TestValidateNamesFieldAndRule(t *testing.T) {
	at := func(s, tb int) *schedule.Placement { return &schedule.Placement{Slot: s, Table: tb} }
	tests := []struct {
		name   string
		modify func(*schedule.Instance)
		want   []string
	}{
		{"valid", func(*schedule.Instance) {}, nil},
		{"zero slots", func(in *schedule.Instance) { in.Slots = 0 }, []string{"slots"}},
		{"too many slots", func(in *schedule.Instance) { in.Slots = schedule.MaxSlots + 1 }, []string{"slots"}},
		{"zero tables", func(in *schedule.Instance) { in.Tables = 0 }, []string{"tables"}},
		{"too many tables", func(in *schedule.Instance) { in.Tables = schedule.MaxTables + 1 }, []string{"tables"}},
		{"empty participant id", func(in *schedule.Instance) { in.Participants[1].ID = "" }, []string{"participants[1].id"}},
		{"duplicate participant id", func(in *schedule.Instance) { in.Participants[3].ID = "b1" }, []string{"participants[3].id"}},
		{"unknown side", func(in *schedule.Instance) { in.Participants[2].Side = 0 }, []string{"participants[2].side", "requests[0].b", "requests[2].b"}},
		{"blocked slot out of range", func(in *schedule.Instance) { in.Participants[0].Blocked = []int{1, 3, -1} },
			[]string{"participants[0].blocked[1]", "participants[0].blocked[2]"}},
		{"empty request id", func(in *schedule.Instance) { in.Requests[0].ID = "" }, []string{"requests[0].id"}},
		{"duplicate request id", func(in *schedule.Instance) { in.Requests[2].ID = "r1" }, []string{"requests[2].id"}},
		{"index a out of range", func(in *schedule.Instance) { in.Requests[1].A = 4 }, []string{"requests[1].a"}},
		{"index b negative", func(in *schedule.Instance) { in.Requests[1].B = -1 }, []string{"requests[1].b"}},
		{"same participant twice", func(in *schedule.Instance) { in.Requests[0].B = 0 }, []string{"requests[0].b"}},
		{"two firms", func(in *schedule.Instance) { in.Requests[0].B = 1 }, []string{"requests[0].b"}},
		{"two counterparts", func(in *schedule.Instance) { in.Requests[0] = schedule.Request{ID: "r1", A: 2, B: 3} }, []string{"requests[0].b"}},
		{"duplicate pair in either order", func(in *schedule.Instance) {
			in.Requests = append(in.Requests, schedule.Request{ID: "r4", A: 2, B: 0})
		}, []string{"requests[3]"}},
		{"locked slot out of range", func(in *schedule.Instance) { in.Requests[0].Locked = at(3, 0) }, []string{"requests[0].locked"}},
		{"locked table out of range", func(in *schedule.Instance) { in.Requests[0].Locked = at(0, 2) }, []string{"requests[0].locked"}},
		{"locked on a blocked slot", func(in *schedule.Instance) { in.Requests[1].Locked = at(2, 0) }, []string{"requests[1].locked"}},
		{"locked participant twice in a slot", func(in *schedule.Instance) {
			in.Requests[0].Locked = at(1, 0)
			in.Requests[1].Locked = at(1, 1)
		}, []string{"requests[1].locked"}},
		{"locked on one table at once", func(in *schedule.Instance) {
			in.Requests[1].Locked = at(0, 1)
			in.Requests[2].Locked = at(0, 1)
		}, []string{"requests[2].locked"}},
		{"table capacities of the wrong length", func(in *schedule.Instance) { in.TableCapacities = []int{2} }, []string{"table_capacities"}},
		{"table capacity zero", func(in *schedule.Instance) { in.TableCapacities = []int{2, 0} }, []string{"table_capacities[1]"}},
		{"table hosts of the wrong length", func(in *schedule.Instance) { in.TableHosts = []int{-1} }, []string{"table_hosts"}},
		{"table host out of range", func(in *schedule.Instance) { in.TableHosts = []int{-1, 9} }, []string{"table_hosts[1]"}},
		{"one host at two tables", func(in *schedule.Instance) { in.TableHosts = []int{2, 2} }, []string{"table_hosts[1]"}},
		{"locked away from its host's table", func(in *schedule.Instance) {
			in.TableHosts = []int{-1, 2}
			in.Requests[0].Locked = at(0, 0)
		}, []string{"requests[0].locked"}},
		{"locked at another's hosted table", func(in *schedule.Instance) {
			in.TableHosts = []int{-1, 2}
			in.Requests[1].Locked = at(0, 1)
		}, []string{"requests[1].locked"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := small()
			tc.modify(&in)
			if diff := cmp.Diff(tc.want, fields(t, schedule.Validate(in))); diff != "" {
				t.Errorf("violated fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSolveRefusesBadInputWithoutResult(t *testing.T) {
	ctx := context.Background()

	zero := small()
	zero.Slots = 0
	s, err := schedule.Solve(ctx, zero, schedule.Options{})
	if diff := cmp.Diff([]string{"slots"}, fields(t, err)); diff != "" {
		t.Errorf("zero slots (-want +got):\n%s", diff)
	}
	if len(s.Meetings)+len(s.Unplaced) != 0 {
		t.Errorf("zero slots returned a partial schedule: %+v", s)
	}

	s, err = schedule.Solve(ctx, small(), schedule.Options{MaxRequests: 2})
	if !errors.Is(err, schedule.ErrTooLarge) || !apperr.IsKind(err, apperr.KindResourceExhausted) {
		t.Errorf("3 requests over a limit of 2: got %v, want ErrTooLarge as RESOURCE_EXHAUSTED", err)
	}
	if len(s.Meetings)+len(s.Unplaced) != 0 {
		t.Errorf("too large returned a partial schedule: %+v", s)
	}

	big := schedule.Instance{Slots: 1, Tables: 1}
	for i := 0; i <= schedule.DefaultMaxRequests; i++ {
		big.Requests = append(big.Requests, schedule.Request{ID: "r"})
	}
	if _, err := schedule.Solve(ctx, big, schedule.Options{}); !errors.Is(err, schedule.ErrTooLarge) {
		t.Errorf("%d requests under the default limit: got %v, want ErrTooLarge", len(big.Requests), err)
	}
}
