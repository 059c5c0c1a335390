package changefeed

import (
	"slices"
	"time"
)

// Cursor is a reader's position in one source's feed. Applied is the
// sequence up to which every change has been applied (or given up on, see
// below); changes above it that were already applied are remembered so a
// re-read does not apply them twice.
//
// A sequence missing from a page is a hole: its writer has allocated it but
// not recorded it yet, or died in between. The cursor stays below a hole for
// Window after first seeing it, re-reading from there on every poll, and then
// moves past it; the reconciliation with the source repairs whatever that
// writer changed.
type Cursor struct {
	Applied int64
	Window  time.Duration
	done    map[int64]bool
	holes   map[int64]time.Time
}

// NewCursor returns a cursor at applied that waits window for holes.
func NewCursor(applied int64, window time.Duration) *Cursor {
	return &Cursor{Applied: applied, Window: window, done: map[int64]bool{}, holes: map[int64]time.Time{}}
}

// Fresh returns the entries of p that have not been applied yet.
func (c *Cursor) Fresh(p Page) []Entry {
	out := make([]Entry, 0, len(p.Entries))
	for _, e := range p.Entries {
		if e.Sequence > c.Applied && !c.done[e.Sequence] {
			out = append(out, e)
		}
	}
	return out
}

// Done records that applied (entries of p) have been applied, notes p's
// holes, and moves Applied as far as it can. It returns the holes it gave up
// waiting for.
func (c *Cursor) Done(p Page, applied []Entry, now time.Time) (skipped []int64) {
	for _, e := range applied {
		c.done[e.Sequence] = true
		delete(c.holes, e.Sequence)
	}
	for _, m := range p.Missing {
		if _, ok := c.holes[m]; !ok && m > c.Applied && !c.done[m] {
			c.holes[m] = now
		}
	}
	for c.Applied < p.Head {
		next := c.Applied + 1
		if c.done[next] {
			delete(c.done, next)
			c.Applied = next
			continue
		}
		if t, ok := c.holes[next]; ok && now.Sub(t) >= c.Window {
			delete(c.holes, next)
			skipped = append(skipped, next)
			c.Applied = next
			continue
		}
		break
	}
	return skipped
}

// Holes returns the sequences the cursor is waiting for, in order.
func (c *Cursor) Holes() []int64 {
	out := make([]int64, 0, len(c.holes))
	for s := range c.holes {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
