package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/services/events/schedule"
)

// bytesReader hands out small numbers from fuzz input, zeros once it runs
// out.
type bytesReader struct {
	data []byte
	i    int
}

func (r *bytesReader) next(n int) int {
	if r.i >= len(r.data) || n <= 0 {
		return 0
	}
	b := r.data[r.i]
	r.i++
	return int(b) % n
}

// fuzzInstance decodes a small instance; it may be invalid on purpose (out of
// range indexes, same-side pairs, clashing locks, duplicate pairs).
func fuzzInstance(data []byte) schedule.Instance {
	r := &bytesReader{data: data}
	in := schedule.Instance{Slots: r.next(7), Tables: r.next(5) + 1}
	np := r.next(10) + 1
	for i := 0; i < np; i++ {
		p := schedule.Participant{ID: fmt.Sprintf("p%d", i), Side: schedule.Side(r.next(2) + 1)}
		for j := r.next(3); j > 0; j-- {
			p.Blocked = append(p.Blocked, r.next(8)-1)
		}
		in.Participants = append(in.Participants, p)
	}
	if r.next(4) == 0 {
		for t := 0; t < in.Tables; t++ {
			in.TableCapacities = append(in.TableCapacities, r.next(3)+1)
		}
	}
	if r.next(4) == 0 {
		for t := 0; t < in.Tables; t++ {
			in.TableHosts = append(in.TableHosts, r.next(np+2)-2)
		}
	}
	nr := r.next(30)
	for i := 0; i < nr; i++ {
		req := schedule.Request{ID: fmt.Sprintf("r%d", i), A: r.next(np + 1), B: r.next(np + 1)}
		if r.next(6) == 0 {
			req.Locked = &schedule.Placement{Slot: r.next(8), Table: r.next(6)}
		}
		in.Requests = append(in.Requests, req)
	}
	return in
}

func FuzzSolve(f *testing.F) {
	f.Add([]byte{3, 2, 6, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 9, 0, 3, 1, 4, 2, 5, 0, 5, 1, 3, 2, 4})
	f.Add([]byte{6, 4, 9, 0, 1, 2, 1, 1, 3, 0, 0, 1, 0, 1, 2, 5, 1, 0, 0, 1, 0, 29, 0, 5, 1, 6, 2, 7, 3, 8, 4, 9, 0, 6, 1, 7})
	f.Add([]byte{2, 1, 4, 0, 0, 1, 0, 0, 0, 1, 0, 3, 0, 4, 2, 0, 0, 4, 2, 1, 1, 2, 5})
	f.Add([]byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInstance(data)
		s, err := schedule.Solve(context.Background(), in, schedule.Options{Seed: 1})
		if err != nil {
			if _, ok := apperr.AsValidation(err); !ok && !errors.Is(err, schedule.ErrTooLarge) {
				t.Fatalf("Solve failed with neither a validation error nor ErrTooLarge: %v", err)
			}
			if schedule.Validate(in) == nil {
				t.Fatalf("Solve refused an instance Validate accepts: %v", err)
			}
			return
		}
		if vs := schedule.Verify(in, s); len(vs) > 0 {
			t.Fatalf("Verify: %+v", vs)
		}
		if len(s.Meetings)+len(s.Unplaced) != len(in.Requests) || len(s.Meetings) > s.UpperBound {
			t.Fatalf("%d meetings, %d unplaced, %d requests, bound %d", len(s.Meetings), len(s.Unplaced), len(in.Requests), s.UpperBound)
		}
		// König: with nothing blocked, locked or hosted, every request fits
		// when no participant has more than the slots and the seats suffice.
		seats := in.Tables
		if in.TableCapacities != nil {
			seats = 0
			for _, c := range in.TableCapacities {
				seats += c
			}
		}
		plain := in.TableHosts == nil
		for _, p := range in.Participants {
			plain = plain && len(p.Blocked) == 0
		}
		for _, r := range in.Requests {
			plain = plain && r.Locked == nil
		}
		if plain && maxDegree(in) <= in.Slots && len(in.Requests) <= in.Slots*seats && len(s.Unplaced) > 0 {
			t.Fatalf("König instance left %d unplaced: %+v", len(s.Unplaced), s.Unplaced)
		}
	})
}
