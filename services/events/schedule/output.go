package schedule

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
)

// result seats the placed meetings and builds the schedule.
func (e *engine) result(ub int, st Stats) Schedule {
	placement := e.seat()
	s := Schedule{UpperBound: ub}
	for x := 0; x < e.ne; x++ {
		r := e.in.Requests[x]
		if e.col[x] >= 0 {
			s.Meetings = append(s.Meetings, Meeting{RequestID: r.ID, Placement: placement[x]})
			continue
		}
		s.Unplaced = append(s.Unplaced, e.unplaced(x))
	}
	slices.SortStableFunc(s.Meetings, func(a, b Meeting) int {
		if c := cmp.Compare(a.Slot, b.Slot); c != 0 {
			return c
		}
		return cmp.Compare(a.Table, b.Table)
	})
	st.Placed = len(s.Meetings)
	s.Stats = st
	return s
}

// seat gives every placed meeting a table: locked ones keep theirs, a
// host's meetings go to the host's table, the rest fill the unhosted tables,
// a counterpart keeping the table it last sat at when that has a seat left
// (so buyers tend to stay put while firms move).
func (e *engine) seat() []Placement {
	T := e.in.Tables
	hosted := make([]bool, T)
	if e.in.TableHosts != nil {
		for t, h := range e.in.TableHosts {
			hosted[t] = h >= 0
		}
	}
	placement := make([]Placement, e.ne)
	last := make([]int32, e.nv)
	for i := range last {
		last[i] = -1
	}
	room := make([]int, T)
	bySlot := make([][]int32, e.S)
	for x := int32(0); int(x) < e.ne; x++ {
		if c := e.col[x]; c >= 0 {
			bySlot[c] = append(bySlot[c], x)
		}
	}
	var rest []int32
	for s, xs := range bySlot {
		for t := range room {
			room[t] = tableCapacity(e.in, t)
		}
		rest = rest[:0]
		for _, x := range xs {
			switch {
			case e.locked[x]:
				t := e.in.Requests[x].Locked.Table
				placement[x] = Placement{Slot: s, Table: t}
				room[t]--
				last[e.ev[x]] = int32(t)
			case !e.shared[x]:
				t := e.hostTable[e.eu[x]]
				if t < 0 {
					t = e.hostTable[e.ev[x]]
				}
				placement[x] = Placement{Slot: s, Table: int(t)}
				room[t]--
			default:
				rest = append(rest, x)
			}
		}
		n := 0
		for _, x := range rest {
			if t := last[e.ev[x]]; t >= 0 && !hosted[t] && room[t] > 0 {
				placement[x] = Placement{Slot: s, Table: int(t)}
				room[t]--
				continue
			}
			rest[n] = x
			n++
		}
		t := 0
		for _, x := range rest[:n] {
			for hosted[t] || room[t] <= 0 {
				t++ // the slot's load never exceeds its seats, so t stays < T
			}
			placement[x] = Placement{Slot: s, Table: t}
			room[t]--
			last[e.ev[x]] = int32(t)
		}
	}
	return placement
}

// unplaced explains why edge x was left out.
func (e *engine) unplaced(x int) Unplaced {
	r := e.in.Requests[x]
	switch {
	case e.clash[x]:
		return Unplaced{RequestID: r.ID, Code: UnplacedHostsClash, Reason: "双方均有固定桌位，无法同桌会谈"}
	case e.allowed[x] == 0:
		return Unplaced{RequestID: r.ID, Code: UnplacedNoCommonFreeSlot, Reason: "双方无共同空闲时段"}
	}
	for _, p := range [2]int32{e.eu[x], e.ev[x]} {
		free := bits.OnesCount64(e.full &^ e.blocked[p])
		if int(e.deg[p]) > free {
			return Unplaced{RequestID: r.ID, Code: UnplacedNoRoom, Reason: fmt.Sprintf(
				"时段或桌位已满：参会方“%s”有 %d 场会谈，只有 %d 个可用时段", e.in.Participants[p].ID, e.deg[p], free)}
		}
	}
	return Unplaced{RequestID: r.ID, Code: UnplacedNoRoom, Reason: "时段或桌位已满"}
}
