package schedule

import "math/bits"

// UpperBound returns a number no valid schedule of in can exceed: the locked
// meetings plus the least of three relaxations for the rest —
//
//   - a bipartite b-matching (max flow) in which each participant takes at
//     most as many meetings as it has free slots, and pairs without a common
//     free slot are dropped;
//   - per slot, the larger matching of the pairs free in that slot, capped by
//     the seats left in it (plus the table hosts free in it);
//   - the number of placeable requests.
//
// It returns 0 for an instance that fails Validate.
func UpperBound(in Instance) int {
	if Validate(in) != nil {
		return 0
	}
	return newGraph(in).upperBound()
}

func (g *graph) upperBound() int {
	placeable := 0
	for x := 0; x < g.ne; x++ {
		if g.placeable(x) {
			placeable++
		}
	}
	best := placeable
	if f := g.flowBound(); f < best {
		best = f
	}
	if s := g.slotBound(); s < best {
		best = s
	}
	return g.nLocked + best
}

// flowBound is the maximum b-matching of the placeable edges with each
// participant's capacity its free slots (neither blocked nor locked).
func (g *graph) flowBound() int {
	// Nodes: 0 source, 1 sink, 2.. participants.
	n := g.nv + 2
	fl := newFlow(n)
	for p := 0; p < g.nv; p++ {
		free := bits.OnesCount64(g.full &^ g.blocked[p] &^ g.lockedBusy[p])
		if free == 0 {
			continue
		}
		if g.in.Participants[p].Side == SideFirm {
			fl.add(0, p+2, free)
		} else {
			fl.add(p+2, 1, free)
		}
	}
	for x := 0; x < g.ne; x++ {
		if g.placeable(x) {
			fl.add(int(g.eu[x])+2, int(g.ev[x])+2, 1)
		}
	}
	return fl.maxflow(0, 1)
}

// slotBound sums, over the slots, what one slot can hold: a matching of the
// pairs free in it, and no more shared meetings than its free seats.
func (g *graph) slotBound() int {
	adj := make([][]int32, g.nv) // firm -> edges
	for x := 0; x < g.ne; x++ {
		if g.placeable(x) {
			adj[g.eu[x]] = append(adj[g.eu[x]], int32(x))
		}
	}
	hk := newMatcher(g.nv)
	total := 0
	for s := 0; s < g.S; s++ {
		bit := uint64(1) << uint(s)
		nu := hk.run(adj, func(x int32) (int32, bool) {
			return g.ev[x], g.allowed[x]&bit != 0
		})
		// Hosts free in s that have an open hosted edge there: each adds at
		// most one meeting beyond the shared seats.
		hosts := 0
		seen := map[int32]bool{}
		for x := 0; x < g.ne; x++ {
			if !g.placeable(x) || g.shared[x] || g.allowed[x]&bit == 0 {
				continue
			}
			h := g.eu[x]
			if g.hostTable[h] < 0 {
				h = g.ev[x]
			}
			if !seen[h] {
				seen[h] = true
				hosts++
			}
		}
		c := int(g.cap[s]) + hosts
		if c < 0 {
			c = 0
		}
		total += min(nu, c)
	}
	return total
}

// flow is a small Dinic max-flow.
type flow struct {
	head  []int32
	next  []int32
	to    []int32
	capa  []int32
	level []int32
	iter  []int32
	queue []int32
}

func newFlow(n int) *flow {
	f := &flow{head: make([]int32, n), level: make([]int32, n), iter: make([]int32, n)}
	for i := range f.head {
		f.head[i] = -1
	}
	return f
}

func (f *flow) add(a, b, c int) {
	f.to = append(f.to, int32(b), int32(a))
	f.capa = append(f.capa, int32(c), 0)
	f.next = append(f.next, f.head[a], f.head[b])
	f.head[a] = int32(len(f.to) - 2)
	f.head[b] = int32(len(f.to) - 1)
}

func (f *flow) bfs(s, t int) bool {
	for i := range f.level {
		f.level[i] = -1
	}
	f.level[s] = 0
	f.queue = append(f.queue[:0], int32(s))
	for qi := 0; qi < len(f.queue); qi++ {
		a := f.queue[qi]
		for e := f.head[a]; e >= 0; e = f.next[e] {
			if f.capa[e] > 0 && f.level[f.to[e]] < 0 {
				f.level[f.to[e]] = f.level[a] + 1
				f.queue = append(f.queue, f.to[e])
			}
		}
	}
	return f.level[t] >= 0
}

func (f *flow) dfs(a, t int32, pushed int32) int32 {
	if a == t {
		return pushed
	}
	for ; f.iter[a] >= 0; f.iter[a] = f.next[f.iter[a]] {
		e := f.iter[a]
		b := f.to[e]
		if f.capa[e] <= 0 || f.level[b] != f.level[a]+1 {
			continue
		}
		if d := f.dfs(b, t, min(pushed, f.capa[e])); d > 0 {
			f.capa[e] -= d
			f.capa[e^1] += d
			return d
		}
	}
	return 0
}

func (f *flow) maxflow(s, t int) int {
	total := 0
	for f.bfs(s, t) {
		copy(f.iter, f.head)
		for {
			d := f.dfs(int32(s), int32(t), 1<<30)
			if d == 0 {
				break
			}
			total += int(d)
		}
	}
	return total
}

// matcher computes maximum bipartite matchings (Hopcroft–Karp) from firms to
// counterparts over edge lists filtered per call.
type matcher struct {
	matchL []int32 // firm -> counterpart
	matchR []int32 // counterpart -> firm
	dist   []int32
	queue  []int32
}

func newMatcher(n int) *matcher {
	return &matcher{matchL: make([]int32, n), matchR: make([]int32, n), dist: make([]int32, n)}
}

// run returns the size of a maximum matching over the edges for which use
// reports true; use maps an edge to its counterpart.
func (m *matcher) run(adj [][]int32, use func(int32) (int32, bool)) int {
	for i := range m.matchL {
		m.matchL[i], m.matchR[i] = -1, -1
	}
	const inf = int32(1 << 30)
	size := 0
	for {
		// BFS from free firms.
		m.queue = m.queue[:0]
		for a := range adj {
			if len(adj[a]) > 0 && m.matchL[a] < 0 {
				m.dist[a] = 0
				m.queue = append(m.queue, int32(a))
			} else {
				m.dist[a] = inf
			}
		}
		found := false
		for qi := 0; qi < len(m.queue); qi++ {
			a := m.queue[qi]
			for _, x := range adj[a] {
				b, ok := use(x)
				if !ok {
					continue
				}
				w := m.matchR[b]
				if w < 0 {
					found = true
				} else if m.dist[w] == inf {
					m.dist[w] = m.dist[a] + 1
					m.queue = append(m.queue, w)
				}
			}
		}
		if !found {
			return size
		}
		for a := range adj {
			if len(adj[a]) > 0 && m.matchL[a] < 0 && m.augment(adj, use, int32(a)) {
				size++
			}
		}
	}
}

func (m *matcher) augment(adj [][]int32, use func(int32) (int32, bool), a int32) bool {
	for _, x := range adj[a] {
		b, ok := use(x)
		if !ok {
			continue
		}
		w := m.matchR[b]
		if w < 0 || (m.dist[w] == m.dist[a]+1 && m.augment(adj, use, w)) {
			m.matchL[a], m.matchR[b] = b, a
			return true
		}
	}
	m.dist[a] = 1 << 30
	return false
}
