package bleveindex

import (
	"container/heap"
	"math"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/qihang-hz/qihang/services/match/index"
)

// memIndex holds one index's documents decoded in memory, each under a dense
// ordinal, with a roaring bitmap of ordinals per keyword value. Filters,
// facets and sorting run on it: Bleve has no cached filter bitsets and
// computes facets and sort keys by reading every match's doc values, which
// cost 10–25 ms per query at 100,000 documents; here a filter is a few
// bitmap operations and a facet count an intersection count. Bleve answers
// the text part of a query (matching, scoring).
//
// A memIndex is not safe for concurrent use: kindIndex.cmu guards it.
type memIndex struct {
	ords map[string]uint32
	docs []index.Document // by ordinal; ID "" when free
	// ids and nums repeat, by ordinal, each document's id and numbers (NaN
	// when missing) in compact arrays: sorting thousands of candidates
	// reads them instead of each document's maps.
	ids  []string
	nums map[string][]float64
	// gens counts, per ordinal, the times it was freed: an ordinal
	// remembered with its generation (segmentIDs) is still the same
	// document's while the generation matches.
	gens []uint32
	free []uint32
	live *roaring.Bitmap
	// kw[field][value] holds the ordinals of the documents with the value.
	kw map[string]map[string]*roaring.Bitmap
	// has[field] holds the ordinals of the documents with the number.
	has map[string]*roaring.Bitmap
}

func newMemIndex() *memIndex {
	return &memIndex{
		ords: map[string]uint32{}, live: roaring.New(),
		kw: map[string]map[string]*roaring.Bitmap{}, has: map[string]*roaring.Bitmap{},
		nums: map[string][]float64{},
	}
}

func (m *memIndex) get(id string) (index.Document, bool) {
	o, ok := m.ords[id]
	if !ok {
		return index.Document{}, false
	}
	return m.docs[o], true
}

// all returns every document (for copying into a new index).
func (m *memIndex) all() []index.Document {
	out := make([]index.Document, 0, len(m.ords))
	for _, o := range m.ords {
		out = append(out, m.docs[o])
	}
	return out
}

func (m *memIndex) put(d index.Document) {
	d = cloneDoc(d)
	o, ok := m.ords[d.ID]
	if ok {
		m.unindex(o)
	} else if n := len(m.free); n > 0 {
		o, m.free = m.free[n-1], m.free[:n-1]
	} else {
		o = uint32(len(m.docs))
		m.docs = append(m.docs, index.Document{})
		m.gens = append(m.gens, 0)
		m.ids = append(m.ids, "")
		for f, col := range m.nums {
			m.nums[f] = append(col, math.NaN())
		}
	}
	m.ords[d.ID] = o
	m.docs[o] = d
	m.ids[o] = d.ID
	m.live.Add(o)
	for f, vs := range d.Keywords {
		byValue := m.kw[f]
		if byValue == nil {
			byValue = map[string]*roaring.Bitmap{}
			m.kw[f] = byValue
		}
		for _, v := range vs {
			b := byValue[v]
			if b == nil {
				b = roaring.New()
				byValue[v] = b
			}
			b.Add(o)
		}
	}
	for f, v := range d.Numbers {
		b := m.has[f]
		if b == nil {
			b = roaring.New()
			m.has[f] = b
		}
		b.Add(o)
		col, ok := m.nums[f]
		if !ok {
			col = make([]float64, len(m.docs))
			for i := range col {
				col[i] = math.NaN()
			}
			m.nums[f] = col
		}
		col[o] = v
	}
}

func (m *memIndex) remove(id string) {
	o, ok := m.ords[id]
	if !ok {
		return
	}
	m.unindex(o)
	delete(m.ords, id)
	m.docs[o] = index.Document{}
	m.ids[o] = ""
	m.gens[o]++
	m.live.Remove(o)
	m.free = append(m.free, o)
}

// unindex takes ordinal o's values out of the bitmaps.
func (m *memIndex) unindex(o uint32) {
	d := m.docs[o]
	for f, vs := range d.Keywords {
		for _, v := range vs {
			if b := m.kw[f][v]; b != nil {
				b.Remove(o)
				if b.IsEmpty() {
					delete(m.kw[f], v)
				}
			}
		}
	}
	for f := range d.Numbers {
		if b := m.has[f]; b != nil {
			b.Remove(o)
		}
		m.nums[f][o] = math.NaN()
	}
}

// filter returns the ordinals of the documents f matches (a new bitmap).
func (m *memIndex) filter(f index.Filter) *roaring.Bitmap {
	out := m.live.Clone()
	for _, g := range f.All {
		if out.IsEmpty() {
			break
		}
		any := roaring.New()
		for _, c := range g {
			any.Or(m.cond(c, out))
		}
		out.And(any)
	}
	return out
}

// cond returns the ordinals matching c, or a superset outside within (the
// documents still in play), which the caller intersects with.
func (m *memIndex) cond(c index.Cond, within *roaring.Bitmap) *roaring.Bitmap {
	var hit *roaring.Bitmap
	switch {
	case c.Min != nil || c.Max != nil:
		hit = roaring.New()
		if has := m.has[c.Field]; has != nil {
			lo, hi := math.Inf(-1), math.Inf(1)
			if c.Min != nil {
				lo = *c.Min
			}
			if c.Max != nil {
				hi = *c.Max
			}
			col := m.nums[c.Field]
			it := roaring.And(has, within).Iterator()
			for it.HasNext() {
				o := it.Next()
				if v := col[o]; v >= lo && v <= hi {
					hit.Add(o)
				}
			}
		}
	case c.Field == index.IDField:
		hit = roaring.New()
		for _, id := range c.AnyOf {
			if o, ok := m.ords[id]; ok {
				hit.Add(o)
			}
		}
	default:
		var bs []*roaring.Bitmap
		for _, v := range c.AnyOf {
			if b := m.kw[c.Field][v]; b != nil {
				bs = append(bs, b)
			}
		}
		hit = roaring.FastOr(bs...)
	}
	if c.Not {
		// A negated condition also matches documents without the field.
		return roaring.AndNot(within, hit)
	}
	return hit
}

// facets counts, per field, the values of the documents in set (at most
// index.MaxFacetValues values, the most frequent).
func (m *memIndex) facets(set *roaring.Bitmap, fields []string) map[string]map[string]int {
	out := make(map[string]map[string]int, len(fields))
	for _, f := range fields {
		type vc struct {
			v string
			n int
		}
		var counts []vc
		for v, b := range m.kw[f] {
			if n := int(set.AndCardinality(b)); n > 0 {
				counts = append(counts, vc{v, n})
			}
		}
		if len(counts) > index.MaxFacetValues {
			sort.Slice(counts, func(i, j int) bool {
				if counts[i].n != counts[j].n {
					return counts[i].n > counts[j].n
				}
				return counts[i].v < counts[j].v
			})
			counts = counts[:index.MaxFacetValues]
		}
		byValue := make(map[string]int, len(counts))
		for _, c := range counts {
			byValue[c.v] = c.n
		}
		out[f] = byValue
	}
	return out
}

// ranked is one candidate of a sorted result, with its id and sort keys.
type ranked struct {
	ord   uint32
	score float64
	id    string
	// keys are the values of the sort fields, the first two inline; a
	// missing one is +Inf (ascending) or -Inf (descending) so that it sorts
	// last either way.
	k    [2]float64
	more []float64
}

func (r *ranked) key(j int) float64 {
	if j < 2 {
		return r.k[j]
	}
	return r.more[j-2]
}

// order compares candidates: by score (when by score), then by the sort
// fields, then by id ascending, unless the sort ends at the id.
type order struct {
	byScore bool
	sorts   []index.SortBy
}

// numericSorts is how many sort fields come before an id sort.
func (o order) numericSorts() int {
	for j, s := range o.sorts {
		if s.Field == index.IDField {
			return j
		}
	}
	return len(o.sorts)
}

func (o order) less(a, b *ranked) bool {
	if o.byScore && a.score != b.score {
		return a.score > b.score
	}
	for j, s := range o.sorts {
		if s.Field == index.IDField {
			if s.Desc {
				return a.id > b.id
			}
			return a.id < b.id
		}
		switch va, vb := a.key(j), b.key(j); {
		case va == vb:
		case s.Desc:
			return va > vb
		default:
			return va < vb
		}
	}
	return a.id < b.id
}

// topN keeps the n best candidates offered, reading each one's id and sort
// keys from the memIndex's compact arrays; nothing is kept of the others.
type topN struct {
	o    order
	n    int
	ids  []string
	cols [][]float64 // per numeric sort field; nil when no document has it
	h    worstFirst
}

func newTopN(o order, m *memIndex, n int) *topN {
	t := &topN{o: o, n: n, ids: m.ids, cols: make([][]float64, o.numericSorts())}
	for j := range t.cols {
		t.cols[j] = m.nums[o.sorts[j].Field]
	}
	t.h = worstFirst{o: o, items: make([]ranked, 0, min(n, 1024))}
	return t
}

// offer considers the document of ordinal ord (with its text score).
func (t *topN) offer(ord uint32, score float64) {
	if t.n <= 0 {
		return
	}
	c := ranked{ord: ord, score: score, id: t.ids[ord]}
	for j, col := range t.cols {
		v := math.NaN()
		if col != nil {
			v = col[ord]
		}
		if math.IsNaN(v) {
			v = math.Inf(1)
			if t.o.sorts[j].Desc {
				v = math.Inf(-1)
			}
		}
		if j < 2 {
			c.k[j] = v
		} else {
			c.more = append(c.more, v)
		}
	}
	if len(t.h.items) < t.n {
		heap.Push(&t.h, c)
	} else if t.o.less(&c, &t.h.items[0]) {
		t.h.items[0] = c
		heap.Fix(&t.h, 0)
	}
}

// best returns the candidates kept, best first.
func (t *topN) best() []ranked {
	out := t.h.items
	sort.Slice(out, func(i, j int) bool { return t.o.less(&out[i], &out[j]) })
	return out
}

type worstFirst struct {
	o     order
	items []ranked
}

func (h *worstFirst) Len() int           { return len(h.items) }
func (h *worstFirst) Less(i, j int) bool { return h.o.less(&h.items[j], &h.items[i]) }
func (h *worstFirst) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *worstFirst) Push(x any)         { h.items = append(h.items, x.(ranked)) }
func (h *worstFirst) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}
