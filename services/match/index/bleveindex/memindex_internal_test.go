package bleveindex

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/qihang-hz/qihang/services/match/index"
)

// Replacing and removing documents keeps the bitmaps exact, and a freed
// ordinal taken by a new document carries only the new one's values.
func TestMemIndexFollowsWrites(t *testing.T) {
	m := newMemIndex()
	doc := func(id, district string, readiness float64) index.Document {
		return index.Document{ID: id, Version: 1, Keywords: map[string][]string{"district": {district}}, Numbers: map[string]float64{"readiness": readiness}}
	}
	m.put(doc("a", "萧山区", 10))
	m.put(doc("b", "萧山区", 20))
	m.put(doc("c", "西湖区", 30))
	counts := func() map[string]int { return m.facets(m.filter(index.Filter{}), []string{"district"})["district"] }
	if d := cmp.Diff(map[string]int{"萧山区": 2, "西湖区": 1}, counts()); d != "" {
		t.Fatalf("after three puts (-want +got):\n%s", d)
	}

	m.put(doc("b", "西湖区", 25)) // b moves district
	if d := cmp.Diff(map[string]int{"萧山区": 1, "西湖区": 2}, counts()); d != "" {
		t.Errorf("after a replace (-want +got):\n%s", d)
	}

	m.remove("a")
	m.remove("missing")
	if d := cmp.Diff(map[string]int{"西湖区": 2}, counts()); d != "" {
		t.Errorf("after a remove (-want +got):\n%s", d)
	}
	m.put(doc("d", "余杭区", 5)) // takes a's ordinal
	if got := m.ords["d"]; got != 0 {
		t.Errorf("d took ordinal %d, want a's freed 0", got)
	}
	if d := cmp.Diff(map[string]int{"西湖区": 2, "余杭区": 1}, counts()); d != "" {
		t.Errorf("after reusing an ordinal (-want +got):\n%s", d)
	}
	min := 20.0
	ranged := m.filter(index.Filter{All: [][]index.Cond{{{Field: "readiness", Min: &min}}}})
	var ids []string
	for _, o := range ranged.ToArray() {
		ids = append(ids, m.docs[o].ID)
	}
	if d := cmp.Diff([]string{"b", "c"}, ids); d != "" {
		t.Errorf("readiness ≥ 20 (-want +got):\n%s", d)
	}
	if len(m.ords) != 3 || len(m.all()) != 3 {
		t.Errorf("len %d, all %d; want 3", len(m.ords), len(m.all()))
	}
}

// The order breaks ties by id and puts documents without the sort number
// last in both directions; top keeps the n best of many.
func TestMemIndexOrder(t *testing.T) {
	m := newMemIndex()
	for i, r := range []float64{5, 7, 7, 1} {
		m.put(index.Document{ID: string(rune('a' + i)), Numbers: map[string]float64{"readiness": r}})
	}
	m.put(index.Document{ID: "e"}) // no readiness
	top := func(o order, n int) []ranked {
		t := newTopN(o, m, n)
		for _, ord := range m.ords {
			t.offer(ord, 0)
		}
		return t.best()
	}
	for _, desc := range []bool{false, true} {
		o := order{sorts: []index.SortBy{{Field: "readiness", Desc: desc}}}
		var got []string
		for _, r := range top(o, 4) {
			got = append(got, m.docs[r.ord].ID)
		}
		want := []string{"d", "a", "b", "c"}
		if desc {
			want = []string{"b", "c", "a", "d"}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("desc=%v (-want +got):\n%s", desc, d)
		}
		all := top(o, 10)
		if last := m.docs[all[len(all)-1].ord].ID; last != "e" {
			t.Errorf("desc=%v: %s last, want e (no readiness)", desc, last)
		}
	}
}
