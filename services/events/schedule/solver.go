package schedule

import (
	"cmp"
	"context"
	"math/bits"
	"math/rand/v2"
	"slices"
	"time"
)

// engine holds a partial colouring of the graph's edges (colour = slot) and
// the indexes that keep every move O(1) or O(path length).
type engine struct {
	*graph
	col  []int8   // per edge: slot, or -1 while unplaced
	at   []int32  // per vertex×slot: the edge there, or -1
	busy []uint64 // per vertex: slots with a meeting
	load []int32  // per slot: shared meetings
	// members lists, per slot, the shared unlocked edges in it, so that a
	// full slot can give up a random one; pos is each edge's index there.
	members [][]int32
	pos     []int32
	// open is the set of unplaced placeable edges; openPos indexes it.
	open    []int32
	openPos []int32
	// capAware makes direct placements and swaps respect the slots' seats;
	// the König phase colours without it and balances afterwards.
	capAware bool

	journaling bool
	journal    []change
	tabu       []int64 // per edge: iteration until which it is not ejected
	rng        *rand.Rand
	path       []int32
	cols       []int8
	stamp      []int32
	stampGen   int32
	seed       int64
}

// change records an edge's colour before a move, for undo.
type change struct {
	edge int32
	old  int8
}

func newEngine(in Instance, seed int64) *engine {
	g := newGraph(in)
	e := &engine{
		graph:   g,
		col:     make([]int8, g.ne),
		at:      make([]int32, g.nv*g.S),
		busy:    make([]uint64, g.nv),
		load:    make([]int32, g.S),
		members: make([][]int32, g.S),
		pos:     make([]int32, g.ne),
		openPos: make([]int32, g.ne),
		tabu:    make([]int64, g.ne),
		stamp:   make([]int32, g.ne),
		rng:     rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		seed:    seed,
	}
	for i := range e.col {
		e.col[i] = -1
		e.openPos[i] = -1
		e.pos[i] = -1
	}
	for i := range e.at {
		e.at[i] = -1
	}
	for x := 0; x < g.ne; x++ {
		if g.locked[x] {
			s := int8(g.in.Requests[x].Locked.Slot)
			e.col[x] = s
			e.at[int(g.eu[x])*g.S+int(s)] = int32(x)
			e.at[int(g.ev[x])*g.S+int(s)] = int32(x)
			e.busy[g.eu[x]] |= 1 << uint(s)
			e.busy[g.ev[x]] |= 1 << uint(s)
		} else if g.allowed[x] != 0 {
			e.openAdd(int32(x))
		}
	}
	return e
}

func (e *engine) openAdd(x int32) {
	e.openPos[x] = int32(len(e.open))
	e.open = append(e.open, x)
}

func (e *engine) openDel(x int32) {
	i := e.openPos[x]
	last := e.open[len(e.open)-1]
	e.open[i] = last
	e.openPos[last] = i
	e.open = e.open[:len(e.open)-1]
	e.openPos[x] = -1
}

// set places the unplaced edge x in slot c.
func (e *engine) set(x int32, c int8) {
	if e.journaling {
		e.journal = append(e.journal, change{x, -1})
	}
	u, v := e.eu[x], e.ev[x]
	e.col[x] = c
	e.at[int(u)*e.S+int(c)] = x
	e.at[int(v)*e.S+int(c)] = x
	bit := uint64(1) << uint(c)
	e.busy[u] |= bit
	e.busy[v] |= bit
	if e.shared[x] {
		e.load[c]++
		e.pos[x] = int32(len(e.members[c]))
		e.members[c] = append(e.members[c], x)
	}
	e.openDel(x)
}

// clear unplaces the placed, unlocked edge x.
func (e *engine) clear(x int32) {
	c := e.col[x]
	if e.journaling {
		e.journal = append(e.journal, change{x, c})
	}
	u, v := e.eu[x], e.ev[x]
	e.col[x] = -1
	e.at[int(u)*e.S+int(c)] = -1
	e.at[int(v)*e.S+int(c)] = -1
	bit := uint64(1) << uint(c)
	e.busy[u] &^= bit
	e.busy[v] &^= bit
	if e.shared[x] {
		e.load[c]--
		m := e.members[c]
		i := e.pos[x]
		last := m[len(m)-1]
		m[i] = last
		e.pos[last] = i
		e.members[c] = m[:len(m)-1]
		e.pos[x] = -1
	}
	e.openAdd(x)
}

// undo reverts the journal back to mark.
func (e *engine) undo(mark int) {
	j := e.journaling
	e.journaling = false
	for i := len(e.journal) - 1; i >= mark; i-- {
		ch := e.journal[i]
		if e.col[ch.edge] >= 0 {
			e.clear(ch.edge)
		}
		if ch.old >= 0 {
			e.set(ch.edge, ch.old)
		}
	}
	e.journal = e.journal[:mark]
	e.journaling = j
}

// roomMask is the set of slots with a free seat for edge x (all slots for an
// edge that sits at a host's table, or when seats are ignored).
func (e *engine) roomMask(x int32) uint64 {
	if !e.capAware || !e.shared[x] {
		return e.full
	}
	var m uint64
	for s := 0; s < e.S; s++ {
		if e.load[s] < e.cap[s] {
			m |= 1 << uint(s)
		}
	}
	return m
}

// tryDirect places x in a slot free for both sides, if there is one,
// preferring slots next to the sides' other meetings (fewer idle gaps) and
// then the emptiest slot.
func (e *engine) tryDirect(x int32) bool {
	u, v := e.eu[x], e.ev[x]
	m := e.allowed[x] &^ e.busy[u] &^ e.busy[v] & e.roomMask(x)
	if m == 0 {
		return false
	}
	e.set(x, e.pick(m, u, v))
	return true
}

func adjacent(b uint64) uint64 { return b<<1 | b>>1 }

func (e *engine) pick(m uint64, u, v int32) int8 {
	au, av := adjacent(e.busy[u]), adjacent(e.busy[v])
	if p := m & au & av; p != 0 {
		m = p
	} else if p := m & (au | av); p != 0 {
		m = p
	}
	best, bestLoad := int8(-1), int32(1<<30)
	for ; m != 0; m &= m - 1 {
		s := int8(bits.TrailingZeros64(m))
		if e.load[s] < bestLoad {
			best, bestLoad = s, e.load[s]
		}
	}
	return best
}

// walk collects into e.path the a/b alternating path that starts at vertex w
// with its a-coloured edge. It reports false when some edge on it is locked
// or may not take the other colour.
func (e *engine) walk(w int32, a, b int8) bool {
	e.path = e.walkInto(e.path[:0], w, a, b, -1)
	return e.path != nil
}

// walkInto appends to buf the a/b alternating path from vertex w starting
// with its a-coloured edge, and returns it; it returns nil when some edge on
// the path is locked, may not take the other colour, or is stop (the path
// closes into a cycle through stop).
func (e *engine) walkInto(buf []int32, w int32, a, b int8, stop int32) []int32 {
	cur, c, other := w, a, b
	n := 0
	for {
		f := e.at[int(cur)*e.S+int(c)]
		if f < 0 {
			if buf == nil {
				buf = []int32{}
			}
			return buf
		}
		if f == stop || e.locked[f] || e.allowed[f]&(1<<uint(other)) == 0 {
			return nil
		}
		buf = append(buf, f)
		if e.eu[f] == cur {
			cur = e.ev[f]
		} else {
			cur = e.eu[f]
		}
		c, other = other, c
		if n++; n > e.ne {
			return nil // cannot happen on a proper colouring; be safe
		}
	}
}

// pathLoads counts the shared edges of e.path coloured a and b.
func (e *engine) pathLoads(a int8) (na, nb int32) {
	return e.loadsOf(e.path, a)
}

func (e *engine) loadsOf(path []int32, a int8) (na, nb int32) {
	for _, f := range path {
		if !e.shared[f] {
			continue
		}
		if e.col[f] == a {
			na++
		} else {
			nb++
		}
	}
	return na, nb
}

// flip swaps the colours a and b along e.path.
func (e *engine) flip(a, b int8) {
	e.flipEdges(e.path, a, b)
}

func (e *engine) flipEdges(path []int32, a, b int8) {
	e.cols = e.cols[:0]
	for _, f := range path {
		e.cols = append(e.cols, e.col[f])
		e.clear(f)
	}
	for i, f := range path {
		if e.cols[i] == a {
			e.set(f, b)
		} else {
			e.set(f, a)
		}
	}
}

// tryKempe places x by flipping one alternating path: with a free at one
// side and b free at the other, flipping the a/b path from the other side
// frees a there too (in a bipartite graph the path cannot reach back).
func (e *engine) tryKempe(x int32) bool {
	u, v := e.eu[x], e.ev[x]
	for side := 0; side < 2; side++ {
		p, q := u, v // a free at p, flip from q
		if side == 1 {
			p, q = v, u
		}
		as := e.allowed[x] &^ e.busy[p] & e.busy[q]
		bs := e.full &^ e.busy[q] &^ e.blocked[q]
		for ; as != 0; as &= as - 1 {
			a := int8(bits.TrailingZeros64(as))
			for bm := bs; bm != 0; bm &= bm - 1 {
				b := int8(bits.TrailingZeros64(bm))
				if !e.walk(q, a, b) {
					continue
				}
				if e.capAware {
					na, nb := e.pathLoads(a)
					la := e.load[a] - na + nb
					lb := e.load[b] - nb + na
					if e.shared[x] {
						la++
					}
					if la > e.cap[a] || lb > e.cap[b] {
						continue
					}
				}
				e.flip(a, b)
				e.set(x, a)
				return true
			}
		}
	}
	return false
}

// run solves the instance.
func (e *engine) run(ctx context.Context, start time.Time, budget time.Duration) (Schedule, error) {
	deadline := start.Add(budget)
	ub := e.upperBound()
	st := Stats{Requests: e.ne, Locked: e.nLocked, Seed: e.seed}
	for p := 0; p < e.nv; p++ {
		st.MaxDegree = max(st.MaxDegree, int(e.deg[p]))
	}

	// Constructive phase: most constrained first, ignoring seats (König),
	// then balance the slots and take out what still overflows.
	order := make([]int32, 0, len(e.open))
	order = append(order, e.open...)
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(bits.OnesCount64(e.allowed[a]), bits.OnesCount64(e.allowed[b])); c != 0 {
			return c
		}
		if c := cmp.Compare(e.deg[e.eu[b]]+e.deg[e.ev[b]], e.deg[e.eu[a]]+e.deg[e.ev[a]]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	e.capAware = false
	for i, x := range order {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return Schedule{}, err
			}
		}
		if !e.tryDirect(x) {
			e.tryKempe(x)
		}
	}
	e.balance()
	e.capAware = true
	e.evictOverflow()
	for _, x := range slices.Clone(e.open) {
		if !e.tryDirect(x) {
			e.tryKempe(x)
		}
	}
	if err := ctx.Err(); err != nil {
		return Schedule{}, err
	}

	// Local search for what the constructive phase left.
	if len(e.open) > 0 && e.ne-len(e.open)-e.countUnplaceable() < ub {
		st.Search = true
		it, timedOut, err := e.search(ctx, deadline, ub)
		if err != nil {
			return Schedule{}, err
		}
		st.Iterations, st.TimedOut = it, timedOut
	}

	st.IdleGapsBefore = e.totalGaps()
	if err := e.reduceGaps(ctx, deadline); err != nil {
		return Schedule{}, err
	}
	st.IdleGaps = e.totalGaps()
	return e.result(ub, st), nil
}

func (e *engine) countUnplaceable() int {
	n := 0
	for x := 0; x < e.ne; x++ {
		if !e.locked[x] && e.allowed[x] == 0 {
			n++
		}
	}
	return n
}

// balance moves meetings out of over-full slots by flipping alternating
// paths that hold one more edge of the full slot than of an emptier one.
// Bipartite graphs always admit such paths when nothing is blocked or locked,
// so the König colouring becomes equitable.
func (e *engine) balance() {
	for a := int8(0); int(a) < e.S; a++ {
		for e.load[a] > e.cap[a] {
			if !e.balanceOnce(a) {
				break
			}
		}
	}
}

func (e *engine) balanceOnce(a int8) bool {
	bs := make([]int8, 0, e.S)
	for b := int8(0); int(b) < e.S; b++ {
		if b != a && e.load[b] < e.cap[b] {
			bs = append(bs, b)
		}
	}
	slices.SortFunc(bs, func(x, y int8) int { return cmp.Compare(e.load[x], e.load[y]) })
	for _, b := range bs {
		e.stampGen++
		for _, f := range e.members[a] {
			if e.stamp[f] == e.stampGen {
				continue
			}
			for _, w := range [2]int32{e.eu[f], e.ev[f]} {
				if e.at[int(w)*e.S+int(b)] >= 0 {
					continue // w is inside the path, not at its end
				}
				ok := e.walk(w, a, b)
				for _, g := range e.path {
					e.stamp[g] = e.stampGen
				}
				if !ok {
					continue
				}
				na, nb := e.pathLoads(a)
				if na > nb && e.load[b]+na-nb <= e.cap[b] {
					e.flip(a, b)
					return true
				}
			}
		}
	}
	return false
}

// evictOverflow unplaces meetings from slots that still hold more shared
// meetings than seats, preferring meetings whose sides are least busy (the
// easiest to place again).
func (e *engine) evictOverflow() {
	for s := int8(0); int(s) < e.S; s++ {
		for e.load[s] > e.cap[s] {
			m := e.members[s]
			best, bestScore := int32(-1), 1<<30
			for _, x := range m {
				sc := bits.OnesCount64(e.busy[e.eu[x]]) + bits.OnesCount64(e.busy[e.ev[x]])
				if sc < bestScore || (sc == bestScore && x < best) {
					best, bestScore = x, sc
				}
			}
			e.clear(best)
		}
	}
}

// search is a seeded local search over partial colourings: take an
// unplaced meeting, place it directly or through a Kempe swap, otherwise
// force it into a slot, eject what is in the way and try to re-place that.
// Moves that leave more meetings unplaced are undone except with a small
// probability; the best colouring seen is kept.
func (e *engine) search(ctx context.Context, deadline time.Time, ub int) (iterations int, timedOut bool, err error) {
	unplaceable := e.countUnplaceable()
	placed := func() int { return e.ne - len(e.open) - unplaceable }
	best := slices.Clone(e.col)
	bestOpen := len(e.open)
	const tenure = 8
	stagnation := 0
	maxStagnation := 200000 + 40*e.ne
	var ejected [3]int32
	var it int64
	for ; len(e.open) > 0 && placed() < ub; it++ {
		if it&127 == 0 {
			if err := ctx.Err(); err != nil {
				return int(it), false, err
			}
			if time.Now().After(deadline) {
				timedOut = true
				break
			}
		}
		if stagnation > maxStagnation {
			break
		}
		x := e.open[e.rng.IntN(len(e.open))]
		before := len(e.open)
		if e.tryDirect(x) || e.tryKempe(x) {
			// improvement
		} else {
			c, ok := e.ejectSlot(x, it)
			if !ok {
				stagnation++
				continue
			}
			e.journaling = true
			e.journal = e.journal[:0]
			u, v := e.eu[x], e.ev[x]
			n := 0
			if f := e.at[int(u)*e.S+int(c)]; f >= 0 {
				ejected[n] = f
				n++
				e.clear(f)
			}
			if f := e.at[int(v)*e.S+int(c)]; f >= 0 {
				ejected[n] = f
				n++
				e.clear(f)
			}
			if e.shared[x] && e.load[c] >= e.cap[c] {
				f := e.victim(c, it)
				if f < 0 {
					e.undo(0)
					e.journaling = false
					stagnation++
					continue
				}
				ejected[n] = f
				n++
				e.clear(f)
			}
			e.set(x, c)
			e.tabu[x] = it + tenure
			for _, f := range ejected[:n] {
				if !e.tryDirect(f) {
					e.tryKempe(f)
				}
			}
			if len(e.open) > before && e.rng.IntN(100) >= 3 {
				e.undo(0)
			}
			e.journaling = false
		}
		if len(e.open) < bestOpen {
			bestOpen = len(e.open)
			copy(best, e.col)
			stagnation = 0
		} else {
			stagnation++
		}
	}
	if bestOpen < len(e.open) {
		e.restore(best)
	}
	return int(it), timedOut, nil
}

// ejectSlot chooses the slot to force x into: allowed for it, without
// locked meetings in the way, with the fewest (then non-tabu) meetings to
// eject, ties broken at random.
func (e *engine) ejectSlot(x int32, it int64) (int8, bool) {
	u, v := e.eu[x], e.ev[x]
	best, bestCost, ties := int8(-1), 1<<30, 0
	for m := e.allowed[x]; m != 0; m &= m - 1 {
		c := int8(bits.TrailingZeros64(m))
		cost := 0
		for _, w := range [2]int32{u, v} {
			f := e.at[int(w)*e.S+int(c)]
			if f < 0 {
				continue
			}
			cost += 2
			if e.tabu[f] > it {
				cost += 3
			}
		}
		if e.shared[x] && e.load[c] >= e.cap[c] && cost == 0 {
			cost += 2
		}
		switch {
		case cost < bestCost:
			best, bestCost, ties = c, cost, 1
		case cost == bestCost:
			ties++
			if e.rng.IntN(ties) == 0 {
				best = c
			}
		}
	}
	return best, best >= 0
}

// victim picks a random non-tabu shared meeting of slot c to eject for its
// seat, or -1.
func (e *engine) victim(c int8, it int64) int32 {
	m := e.members[c]
	if len(m) == 0 {
		return -1
	}
	for try := 0; try < 4; try++ {
		f := m[e.rng.IntN(len(m))]
		if e.tabu[f] <= it {
			return f
		}
	}
	return m[e.rng.IntN(len(m))]
}

// restore replaces the colouring of the unlocked edges with cols.
func (e *engine) restore(cols []int8) {
	for x := int32(0); int(x) < e.ne; x++ {
		if !e.locked[x] && e.col[x] >= 0 {
			e.clear(x)
		}
	}
	for x := int32(0); int(x) < e.ne; x++ {
		if !e.locked[x] && cols[x] >= 0 {
			e.set(x, cols[x])
		}
	}
}

func (e *engine) totalGaps() int {
	n := 0
	for p := 0; p < e.nv; p++ {
		n += idleGaps(e.busy[p], e.blocked[p])
	}
	return n
}
