package bleveindex

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// segmentIDs maps the document numbers of a Bleve snapshot to memIndex
// ordinals. A text query visits every match, and reading each match's id
// from its stored fields or doc values (a decompression per chunk), then
// looking the id up, cost more than the matching itself; segments never
// change, so the ids of each segment are read once and kept while the
// segment lives, and the ordinals are remembered beside them.
type segmentIDs struct {
	mu   sync.Mutex
	segs map[segment.Segment]*segmentMap
}

// segmentMap holds one segment's document ids and, filled in as they are
// looked up, their memIndex ordinals: ordinal+1 in the high half with the
// ordinal's generation in the low half (0: not looked up yet).
type segmentMap struct {
	ids  []string
	ords []atomic.Uint64
}

// resolver turns one snapshot's internal ids into memIndex ordinals.
type resolver struct {
	offsets []uint64 // global number of each segment's first document
	segs    []*segmentMap
}

// forSnapshot returns the resolver of snap, reading the ids of segments
// not seen before.
func (c *segmentIDs) forSnapshot(snap *scorch.IndexSnapshot) (*resolver, error) {
	segs := snap.Segments()
	r := &resolver{offsets: make([]uint64, len(segs)), segs: make([]*segmentMap, len(segs))}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.segs == nil {
		c.segs = map[segment.Segment]*segmentMap{}
	}
	var running uint64
	live := make(map[segment.Segment]bool, len(segs))
	for i, ss := range segs {
		seg := ss.Segment()
		live[seg] = true
		r.offsets[i] = running
		n := seg.Count()
		running += n
		sm, ok := c.segs[seg]
		if !ok {
			sm = &segmentMap{ids: make([]string, n), ords: make([]atomic.Uint64, n)}
			for num := range n {
				b, err := seg.DocID(num)
				if err != nil {
					return nil, fmt.Errorf("bleve segment document %d: %w", num, err)
				}
				sm.ids[num] = string(b)
			}
			c.segs[seg] = sm
		}
		r.segs[i] = sm
	}
	if len(c.segs) > 2*len(segs)+8 {
		for seg := range c.segs {
			if !live[seg] {
				delete(c.segs, seg) // merged away
			}
		}
	}
	return r, nil
}

// ordinal returns the memIndex ordinal of a snapshot document number, false
// when the document is not (or no longer) in m. A remembered ordinal holds
// while its generation in m does (ordinals of removed documents are
// reused). Segments belong to one live index, whose memIndex is m for as
// long as it is live (a rebuild swaps both together).
func (r *resolver) ordinal(m *memIndex, num uint64) (uint32, bool) {
	sm, local, ok := r.locate(num)
	if !ok {
		return 0, false
	}
	if v := sm.ords[local].Load(); v != 0 {
		o, gen := uint32(v>>32)-1, uint32(v)
		if int(o) < len(m.gens) && m.gens[o] == gen {
			return o, true
		}
	}
	o, ok := m.ords[sm.ids[local]]
	if !ok {
		return 0, false
	}
	sm.ords[local].Store(uint64(o+1)<<32 | uint64(m.gens[o]))
	return o, true
}

// locate finds the segment of a snapshot document number.
func (r *resolver) locate(num uint64) (*segmentMap, uint64, bool) {
	i := sort.Search(len(r.offsets), func(x int) bool { return r.offsets[x] > num }) - 1
	if i < 0 {
		return nil, 0, false
	}
	local := num - r.offsets[i]
	if local >= uint64(len(r.segs[i].ids)) {
		return nil, 0, false
	}
	return r.segs[i], local, true
}
