package schedule

import (
	"context"
	"math/bits"
	"slices"
	"time"
)

// maxGapPasses bounds the gap-reduction passes, so a run's length does not
// depend on the clock (and stays deterministic).
const maxGapPasses = 6

// reduceGaps lowers the participants' idle gaps without unplacing anything:
// first by reordering whole slots (only when no slot is blocked or locked,
// so every slot is interchangeable), then by moving single meetings to
// slots free for both sides, then by flipping alternating paths whose ends
// gain.
//
// The passes are bounded in number, not time, except that they stop at
// deadline on very large instances.
func (e *engine) reduceGaps(ctx context.Context, deadline time.Time) error {
	if !e.anyBlock && e.nLocked == 0 {
		e.permuteSlots()
	}
	for pass := 0; pass < maxGapPasses; pass++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pass > 0 && time.Now().After(deadline) {
			break
		}
		moved := e.gapMoves()
		flipped := e.gapFlips()
		if moved+flipped == 0 {
			break
		}
	}
	return nil
}

// permuteSlots hill-climbs over orders of the slots by swapping two at a
// time, keeping a swap when it lowers the total idle gaps. Swapping
// positions p and q changes only the participants busy in exactly one of
// them, so each trial costs one pass over bit tests.
func (e *engine) permuteSlots() {
	at := make([]int8, e.S) // position -> original slot
	for i := range at {
		at[i] = int8(i)
	}
	pm := slices.Clone(e.busy) // busy masks in positions
	for pass := 0; pass < 10; pass++ {
		improved := false
		for p := 0; p < e.S; p++ {
			for q := p + 1; q < e.S; q++ {
				both := uint64(1)<<uint(p) | uint64(1)<<uint(q)
				delta := 0
				for _, m := range pm {
					if x := m & both; x != 0 && x != both {
						delta += idleGaps(m^both, 0) - idleGaps(m, 0)
					}
				}
				if delta >= 0 {
					continue
				}
				improved = true
				at[p], at[q] = at[q], at[p]
				for v, m := range pm {
					if x := m & both; x != 0 && x != both {
						pm[v] = m ^ both
					}
				}
			}
		}
		if !improved {
			break
		}
	}
	to := make([]int8, e.S) // original slot -> position
	for p, c := range at {
		to[c] = int8(p)
	}
	cols := slices.Clone(e.col)
	for x, c := range cols {
		if c >= 0 {
			cols[x] = to[c]
		}
	}
	e.restore(cols)
}

// gapMoves moves single meetings to a slot free for both sides when that
// lowers their idle gaps; it returns the number of moves.
func (e *engine) gapMoves() int {
	moves := 0
	for x := int32(0); int(x) < e.ne; x++ {
		c := e.col[x]
		if c < 0 || e.locked[x] {
			continue
		}
		u, v := e.eu[x], e.ev[x]
		bit := uint64(1) << uint(c)
		bu, bv := e.busy[u]&^bit, e.busy[v]&^bit
		old := idleGaps(e.busy[u], e.blocked[u]) + idleGaps(e.busy[v], e.blocked[v])
		cand := e.allowed[x] &^ bu &^ bv &^ bit
		best, bestGain := int8(-1), 0
		for m := cand; m != 0; m &= m - 1 {
			d := int8(bits.TrailingZeros64(m))
			if e.shared[x] && e.load[d] >= e.cap[d] {
				continue
			}
			db := uint64(1) << uint(d)
			gain := old - idleGaps(bu|db, e.blocked[u]) - idleGaps(bv|db, e.blocked[v])
			if gain > bestGain {
				best, bestGain = d, gain
			}
		}
		if best >= 0 {
			e.clear(x)
			e.set(x, best)
			moves++
		}
	}
	return moves
}

// gapFlips flips alternating paths that end at a participant with idle
// gaps: moving its meeting in slot a to a free slot b that lowers its gaps,
// and swapping a and b along the rest of the a/b path so nobody is double
// booked. Inner participants keep both slots; only the two ends change, so
// a flip is kept when the two ends together gain. It returns the number of
// flips.
func (e *engine) gapFlips() int {
	flips := 0
	for w := int32(0); int(w) < e.nv; w++ {
		for tries := 0; tries < e.S && idleGaps(e.busy[w], e.blocked[w]) > 0; tries++ {
			if !e.gapFlipAt(w) {
				break
			}
			flips++
		}
	}
	return flips
}

// gapFlipAt makes the best improving flip from participant w, if any.
func (e *engine) gapFlipAt(w int32) bool {
	busy := e.busy[w]
	bestA, bestB, bestGain := int8(-1), int8(-1), 0
	for am := busy; am != 0; am &= am - 1 {
		a := int8(bits.TrailingZeros64(am))
		for bm := e.full &^ busy &^ e.blocked[w]; bm != 0; bm &= bm - 1 {
			b := int8(bits.TrailingZeros64(bm))
			g := e.swapGain(w, a, a, b)
			if g <= 0 {
				continue
			}
			path := e.walkInto(e.path[:0], w, a, b, -1)
			e.path = path
			if path == nil {
				continue
			}
			end := e.pathEnd(w, path)
			g += e.swapGain(end, e.col[path[len(path)-1]], a, b)
			if g <= bestGain {
				continue
			}
			na, nb := e.pathLoads(a)
			if e.load[a]+nb-na > e.cap[a] || e.load[b]+na-nb > e.cap[b] {
				continue
			}
			bestA, bestB, bestGain = a, b, g
		}
	}
	if bestA < 0 {
		return false
	}
	e.walk(w, bestA, bestB)
	e.flip(bestA, bestB)
	return true
}

// pathEnd follows path from vertex w and returns the vertex it ends at.
func (e *engine) pathEnd(w int32, path []int32) int32 {
	for _, f := range path {
		if e.eu[f] == w {
			w = e.ev[f]
		} else {
			w = e.eu[f]
		}
	}
	return w
}

// swapGain is the drop in w's idle gaps when its meeting in slot c (a or b)
// moves to the other of the two.
func (e *engine) swapGain(w int32, c, a, b int8) int {
	to := a
	if c == a {
		to = b
	}
	nb := e.busy[w]&^(1<<uint(c)) | 1<<uint(to)
	return idleGaps(e.busy[w], e.blocked[w]) - idleGaps(nb, e.blocked[w])
}
