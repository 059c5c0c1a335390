package schedule

import (
	"fmt"
	"sort"
)

// ViolationKind is a rule Verify checks. The names follow the events API's
// ViolationKind where one exists.
type ViolationKind int

const (
	// ViolationDoubleBooking: a participant has two meetings in one slot.
	ViolationDoubleBooking ViolationKind = iota + 1
	// ViolationTableOverfull: a table holds more meetings in one slot than
	// it seats.
	ViolationTableOverfull
	// ViolationBlockedSlot: a meeting sits in a slot one of its participants
	// blocked.
	ViolationBlockedSlot
	// ViolationTableHostConflict: a hosted table holds a meeting without its
	// host, or a host meets away from its table.
	ViolationTableHostConflict
	// ViolationInvalidReference: a meeting names a slot or table that does
	// not exist, or its request names a participant that does not.
	ViolationInvalidReference
	// ViolationNotAccepted: a meeting or unplaced entry names no request of
	// the instance.
	ViolationNotAccepted
	// ViolationLockBroken: a locked request is not at its locked placement.
	ViolationLockBroken
	// ViolationDuplicate: a request appears more than once among the
	// meetings and unplaced entries (the events API reports it as an invalid
	// reference).
	ViolationDuplicate
	// ViolationMissing: a request appears neither among the meetings nor
	// among the unplaced entries (the events API reports it as an invalid
	// reference).
	ViolationMissing
)

// Violation is one broken rule found by Verify.
type Violation struct {
	Kind ViolationKind
	// RequestID is the meeting at fault.
	RequestID string
	// ConflictingRequestID is the meeting it clashes with, for double
	// bookings and over-full tables.
	ConflictingRequestID string
	// ParticipantID is the participant concerned, if one is.
	ParticipantID string
	// Slot and Table locate the fault; -1 when not relevant.
	Slot, Table int
	// Description says it in Chinese.
	Description string
}

// Verify checks s against in and returns every violation it finds (nil for
// a valid schedule): participants in two meetings at once, tables over
// capacity, meetings in blocked slots, hosted tables misused, references to
// slots, tables, participants or requests that do not exist, locked meetings
// moved, and requests placed twice or missing. It trusts nothing in s and
// shares no code with the solver, so it also checks schedules edited by hand.
// It never panics, even on an instance that fails Validate.
func Verify(in Instance, s Schedule) []Violation {
	var out []Violation
	add := func(v Violation) { out = append(out, v) }
	partID := func(p int) string {
		if p >= 0 && p < len(in.Participants) {
			return in.Participants[p].ID
		}
		return fmt.Sprintf("#%d", p)
	}
	seats := func(t int) int {
		if in.TableCapacities != nil && t < len(in.TableCapacities) {
			return in.TableCapacities[t]
		}
		return 1
	}
	hostOf := func(t int) int {
		if in.TableHosts != nil && t < len(in.TableHosts) {
			return in.TableHosts[t]
		}
		return -1
	}
	hostsTable := map[int]int{}
	if in.TableHosts != nil {
		for t, h := range in.TableHosts {
			if h >= 0 {
				hostsTable[h] = t
			}
		}
	}

	reqByID := make(map[string]int, len(in.Requests))
	for i, r := range in.Requests {
		if _, dup := reqByID[r.ID]; !dup {
			reqByID[r.ID] = i
		}
	}
	seen := make(map[string]string, len(in.Requests)) // request id -> "placed" / "unplaced"
	type key struct{ slot, who int }
	busy := map[key]string{}      // (slot, participant) -> request id
	atTable := map[key][]string{} // (slot, table) -> request ids
	placedAt := map[string]Placement{}

	for _, m := range s.Meetings {
		base := Violation{RequestID: m.RequestID, Slot: m.Slot, Table: m.Table}
		i, ok := reqByID[m.RequestID]
		if !ok {
			v := base
			v.Kind = ViolationNotAccepted
			v.Description = fmt.Sprintf("会谈“%s”不在待排的已接受会谈请求中", m.RequestID)
			add(v)
			continue
		}
		if prev, dup := seen[m.RequestID]; dup {
			v := base
			v.Kind = ViolationDuplicate
			v.Description = fmt.Sprintf("会谈“%s”重复出现（已%s）", m.RequestID, map[string]string{"placed": "排入日程", "unplaced": "列为未排"}[prev])
			add(v)
			continue
		}
		seen[m.RequestID] = "placed"
		placedAt[m.RequestID] = m.Placement
		if m.Slot < 0 || m.Slot >= in.Slots || m.Table < 0 || m.Table >= in.Tables {
			v := base
			v.Kind = ViolationInvalidReference
			v.Description = fmt.Sprintf("会谈“%s”的时段 %d 或桌位 %d 不存在（共 %d 个时段、%d 张桌位）", m.RequestID, m.Slot+1, m.Table+1, in.Slots, in.Tables)
			add(v)
			continue
		}
		r := in.Requests[i]
		if r.A < 0 || r.A >= len(in.Participants) || r.B < 0 || r.B >= len(in.Participants) {
			v := base
			v.Kind = ViolationInvalidReference
			v.Description = fmt.Sprintf("会谈“%s”的参会方不存在", m.RequestID)
			add(v)
			continue
		}
		for _, who := range []int{r.A, r.B} {
			for _, b := range in.Participants[who].Blocked {
				if b == m.Slot {
					v := base
					v.Kind = ViolationBlockedSlot
					v.ParticipantID = partID(who)
					v.Description = fmt.Sprintf("会谈“%s”位于参会方“%s”不可用的第 %d 时段", m.RequestID, partID(who), m.Slot+1)
					add(v)
					break
				}
			}
			k := key{m.Slot, who}
			if other, clash := busy[k]; clash {
				v := base
				v.Kind = ViolationDoubleBooking
				v.ConflictingRequestID = other
				v.ParticipantID = partID(who)
				v.Description = fmt.Sprintf("参会方“%s”在第 %d 时段有两场会谈：“%s”与“%s”", partID(who), m.Slot+1, other, m.RequestID)
				add(v)
			} else {
				busy[k] = m.RequestID
			}
		}
		k := key{m.Slot, m.Table}
		atTable[k] = append(atTable[k], m.RequestID)
		if n := len(atTable[k]); n > seats(m.Table) {
			v := base
			v.Kind = ViolationTableOverfull
			v.ConflictingRequestID = atTable[k][0]
			v.Description = fmt.Sprintf("第 %d 时段第 %d 张桌位安排了 %d 场会谈，超过容量 %d", m.Slot+1, m.Table+1, n, seats(m.Table))
			add(v)
		}
		if h := hostOf(m.Table); h >= 0 && h != r.A && h != r.B {
			v := base
			v.Kind = ViolationTableHostConflict
			v.ParticipantID = partID(h)
			v.Description = fmt.Sprintf("第 %d 张桌位固定给参会方“%s”，却安排了会谈“%s”", m.Table+1, partID(h), m.RequestID)
			add(v)
		}
		for _, who := range []int{r.A, r.B} {
			if t, hosts := hostsTable[who]; hosts && t != m.Table {
				v := base
				v.Kind = ViolationTableHostConflict
				v.ParticipantID = partID(who)
				v.Description = fmt.Sprintf("参会方“%s”固定在第 %d 张桌位，会谈“%s”却在第 %d 张桌位", partID(who), t+1, m.RequestID, m.Table+1)
				add(v)
			}
		}
	}

	for _, u := range s.Unplaced {
		if _, ok := reqByID[u.RequestID]; !ok {
			add(Violation{Kind: ViolationNotAccepted, RequestID: u.RequestID, Slot: -1, Table: -1,
				Description: fmt.Sprintf("未排会谈“%s”不在待排的已接受会谈请求中", u.RequestID)})
			continue
		}
		if _, dup := seen[u.RequestID]; dup {
			add(Violation{Kind: ViolationDuplicate, RequestID: u.RequestID, Slot: -1, Table: -1,
				Description: fmt.Sprintf("会谈“%s”既已排入日程或重复列出，又列为未排", u.RequestID)})
			continue
		}
		seen[u.RequestID] = "unplaced"
	}

	ids := make([]string, 0, len(reqByID))
	for id := range reqByID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return reqByID[ids[a]] < reqByID[ids[b]] })
	for _, id := range ids {
		r := in.Requests[reqByID[id]]
		if _, ok := seen[id]; !ok {
			add(Violation{Kind: ViolationMissing, RequestID: id, Slot: -1, Table: -1,
				Description: fmt.Sprintf("会谈“%s”既未排入日程，也未列为未排", id)})
			continue
		}
		if r.Locked == nil {
			continue
		}
		p, placed := placedAt[id]
		if !placed || p != *r.Locked {
			add(Violation{Kind: ViolationLockBroken, RequestID: id, Slot: r.Locked.Slot, Table: r.Locked.Table,
				Description: fmt.Sprintf("锁定会谈“%s”应在第 %d 时段第 %d 张桌位，却被移动或移出", id, r.Locked.Slot+1, r.Locked.Table+1)})
		}
	}
	return out
}
