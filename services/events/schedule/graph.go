package schedule

import "math/bits"

// graph is the validated instance as the solver and the bound see it: one
// vertex per participant, one edge per request from its firm (u) to its
// counterpart (v), slot sets as bit masks.
type graph struct {
	in   Instance
	S    int
	full uint64 // the mask of all slots
	nv   int
	ne   int
	eu   []int32 // firm endpoint of each edge
	ev   []int32 // counterpart endpoint of each edge
	// allowed holds the slots an edge may use: not blocked by either side and
	// not taken by a locked meeting of either side. A locked edge's allowed
	// set is its own slot.
	allowed []uint64
	locked  []bool
	// shared edges take a seat at an unhosted table; an edge with a hosted
	// participant sits at the host's table instead.
	shared []bool
	// clash edges join two table hosts and can never be placed.
	clash      []bool
	blocked    []uint64 // per vertex
	lockedBusy []uint64 // per vertex: slots taken by its locked meetings
	deg        []int32  // per vertex: requests
	hostTable  []int32  // per vertex: hosted table or -1
	// cap is, per slot, the seats at unhosted tables left after the locked
	// meetings.
	cap      []int32
	nLocked  int
	anyBlock bool
}

func slotMask(n int) uint64 {
	if n >= 64 {
		return ^uint64(0)
	}
	return (uint64(1) << uint(n)) - 1
}

// newGraph builds the graph of a valid instance.
func newGraph(in Instance) *graph {
	S := in.Slots
	g := &graph{
		in:         in,
		S:          S,
		full:       slotMask(S),
		nv:         len(in.Participants),
		ne:         len(in.Requests),
		eu:         make([]int32, len(in.Requests)),
		ev:         make([]int32, len(in.Requests)),
		allowed:    make([]uint64, len(in.Requests)),
		locked:     make([]bool, len(in.Requests)),
		shared:     make([]bool, len(in.Requests)),
		clash:      make([]bool, len(in.Requests)),
		blocked:    make([]uint64, len(in.Participants)),
		lockedBusy: make([]uint64, len(in.Participants)),
		deg:        make([]int32, len(in.Participants)),
		hostTable:  make([]int32, len(in.Participants)),
		cap:        make([]int32, S),
	}
	for i := range g.hostTable {
		g.hostTable[i] = -1
	}
	var seats int32
	for t := 0; t < in.Tables; t++ {
		if in.TableHosts != nil && in.TableHosts[t] >= 0 {
			g.hostTable[in.TableHosts[t]] = int32(t)
			continue
		}
		seats += int32(tableCapacity(in, t))
	}
	for s := range g.cap {
		g.cap[s] = seats
	}
	for i, p := range in.Participants {
		for _, s := range p.Blocked {
			g.blocked[i] |= 1 << uint(s)
		}
		if g.blocked[i] != 0 {
			g.anyBlock = true
		}
	}
	for i, r := range in.Requests {
		u, v := r.A, r.B
		if in.Participants[u].Side != SideFirm {
			u, v = v, u
		}
		g.eu[i], g.ev[i] = int32(u), int32(v)
		g.deg[u]++
		g.deg[v]++
		g.clash[i] = g.hostTable[u] >= 0 && g.hostTable[v] >= 0
		g.shared[i] = g.hostTable[u] < 0 && g.hostTable[v] < 0
		if r.Locked != nil {
			g.locked[i] = true
			g.nLocked++
			bit := uint64(1) << uint(r.Locked.Slot)
			g.lockedBusy[u] |= bit
			g.lockedBusy[v] |= bit
			g.allowed[i] = bit
			if g.shared[i] {
				g.cap[r.Locked.Slot]--
			}
		}
	}
	for i := range in.Requests {
		if g.locked[i] {
			continue
		}
		if g.clash[i] {
			g.allowed[i] = 0
			continue
		}
		u, v := g.eu[i], g.ev[i]
		g.allowed[i] = g.full &^ g.blocked[u] &^ g.blocked[v] &^ g.lockedBusy[u] &^ g.lockedBusy[v]
	}
	return g
}

// placeable reports whether edge x is open to the solver: not locked and with
// at least one allowed slot.
func (g *graph) placeable(x int) bool {
	return !g.locked[x] && g.allowed[x] != 0
}

// idleGaps counts the idle slots between the first and last busy slot of a
// participant whose busy slots are busy and blocked slots blocked.
func idleGaps(busy, blocked uint64) int {
	if busy == 0 {
		return 0
	}
	lo := bits.TrailingZeros64(busy)
	hi := 63 - bits.LeadingZeros64(busy)
	span := (^uint64(0) >> uint(63-hi)) &^ ((uint64(1) << uint(lo)) - 1)
	return bits.OnesCount64(span &^ busy &^ blocked)
}
