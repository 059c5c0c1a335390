// Package indextest is the conformance suite of the search port: every
// index.Engine must pass Run, with the same expectations.
package indextest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/qihang-hz/qihang/services/match/index"
)

// FirmSchema is the schema the suite indexes firm-like documents with.
var FirmSchema = index.Schema{
	Kind:              index.KindFirm,
	TextFields:        []string{"short_name", "products", "summary"},
	KeywordFields:     []string{"district", "industry", "hs_codes", "uscc", "markets", "status", "association_ids"},
	NumberFields:      []string{"readiness", "benefit_fen", "valid_from"},
	ExactTextKeywords: []string{"uscc", "hs_codes"},
}

// Run runs the suite. open returns a fresh, empty engine for one subtest
// (the suite closes it).
func Run(t *testing.T, open func(t *testing.T) index.Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e index.Engine)
	}{
		{"UpsertGetDeleteCount", testCRUD},
		{"UpsertReplaces", testReplace},
		{"FilterSemantics", testFilters},
		{"AdversarialFilterValues", testAdversarial},
		{"Facets", testFacets},
		{"SortAndPaging", testSortPaging},
		{"ChineseTextAndSynonyms", testText},
		{"ExactTextKeywords", testExactText},
		{"Highlight", testHighlight},
		{"EmptyTextReturnsAllFiltered", testEmptyText},
		{"RebuildSwapsWithoutGap", testRebuild},
		{"RebuildAbortKeepsLive", testAbort},
		{"ContextCancellation", testContext},
		{"InvalidRequests", testInvalid},
		{"SearchMany", testSearchMany},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := open(t)
			t.Cleanup(func() { _ = e.Close() })
			ensure(t, e, FirmSchema)
			tc.fn(t, e)
		})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func ensure(t *testing.T, e index.Engine, s index.Schema) {
	t.Helper()
	if err := e.Ensure(ctxT(t), s); err != nil {
		t.Fatalf("Ensure(%s): %v", s.Kind, err)
	}
	// idempotent
	if err := e.Ensure(ctxT(t), s); err != nil {
		t.Fatalf("second Ensure(%s): %v", s.Kind, err)
	}
}

func upsert(t *testing.T, e index.Engine, docs ...index.Document) {
	t.Helper()
	if err := e.Upsert(ctxT(t), index.KindFirm, docs); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
}

func search(t *testing.T, e index.Engine, q index.Query) index.Result {
	t.Helper()
	res, err := e.Search(ctxT(t), index.KindFirm, q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func ids(res index.Result) []string {
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.Doc.ID)
	}
	return out
}

func f(v float64) *float64 { return &v }

func firm(id, title string) index.Document {
	return index.Document{ID: id, Version: 1, Title: title}
}

func kw(d index.Document, field string, vals ...string) index.Document {
	if d.Keywords == nil {
		d.Keywords = map[string][]string{}
	}
	d.Keywords[field] = vals
	return d
}

func num(d index.Document, field string, v float64) index.Document {
	if d.Numbers == nil {
		d.Numbers = map[string]float64{}
	}
	d.Numbers[field] = v
	return d
}

func txt(d index.Document, field, v string) index.Document {
	if d.Text == nil {
		d.Text = map[string]string{}
	}
	d.Text[field] = v
	return d
}

var docCmp = cmpopts.EquateEmpty()

func testCRUD(t *testing.T, e index.Engine) {
	ctx := ctxT(t)
	a := txt(kw(num(firm("f-a", "杭州萧山羽绒服有限公司"), "readiness", 3), "district", "萧山区"), "summary", "羽绒服出口")
	a.Payload = []byte{0, 1, 2, 0xff}
	a.Version = 7
	b := kw(firm("f-b", "临平服装"), "hs_codes", "6109", "6110")
	c := firm("f-c", "桐庐制笔")
	upsert(t, e, a, b, c)

	for _, want := range []index.Document{a, b, c} {
		got, ok, err := e.Get(ctx, index.KindFirm, want.ID)
		if err != nil || !ok {
			t.Fatalf("Get(%s) = ok %v, err %v", want.ID, ok, err)
		}
		if d := cmp.Diff(want, got, docCmp); d != "" {
			t.Errorf("Get(%s) (-want +got):\n%s", want.ID, d)
		}
	}
	if n, err := e.Count(ctx, index.KindFirm); err != nil || n != 3 {
		t.Fatalf("Count = %d, %v; want 3", n, err)
	}
	if err := e.Delete(ctx, index.KindFirm, []string{"f-b", "no-such-id", "bad id!"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, ok, err := e.Get(ctx, index.KindFirm, "f-b"); err != nil || ok {
		t.Fatalf("Get(deleted) = ok %v, err %v; want not found", ok, err)
	}
	if _, ok, err := e.Get(ctx, index.KindFirm, "never-there"); err != nil || ok {
		t.Fatalf("Get(missing) = ok %v, err %v; want not found", ok, err)
	}
	if n, err := e.Count(ctx, index.KindFirm); err != nil || n != 2 {
		t.Fatalf("Count after delete = %d, %v; want 2", n, err)
	}
	res := search(t, e, index.Query{Limit: 10})
	if d := cmp.Diff([]string{"f-a", "f-c"}, ids(res)); d != "" || res.Total != 2 {
		t.Errorf("search after delete: total %d (-want +got):\n%s", res.Total, d)
	}
	if d := cmp.Diff(a, res.Hits[0].Doc, docCmp); d != "" {
		t.Errorf("hit document (-want +got):\n%s", d)
	}
}

func testReplace(t *testing.T, e index.Engine) {
	ctx := ctxT(t)
	old := txt(kw(num(firm("f-1", "旧名称羽绒"), "readiness", 1), "district", "萧山区"), "products", "羽绒服")
	upsert(t, e, old, firm("f-2", "其他企业"))
	repl := kw(firm("f-1", "新名称丝绸"), "district", "西湖区")
	repl.Version = 2
	upsert(t, e, repl)

	got, ok, err := e.Get(ctx, index.KindFirm, "f-1")
	if err != nil || !ok {
		t.Fatalf("Get: %v %v", ok, err)
	}
	if d := cmp.Diff(repl, got, docCmp); d != "" {
		t.Errorf("replaced document (-want +got):\n%s", d)
	}
	if n, _ := e.Count(ctx, index.KindFirm); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	for _, q := range []index.Query{
		{Filter: index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{"萧山区"}}}}}, Limit: 10},
		{Filter: index.Filter{All: [][]index.Cond{{{Field: "readiness", Min: f(0)}}}}, Limit: 10},
		{Text: "羽绒", Limit: 10},
	} {
		if res := search(t, e, q); res.Total != 0 || len(res.Hits) != 0 {
			t.Errorf("old values still found by %+v: %v", q, ids(res))
		}
	}
	res := search(t, e, index.Query{Filter: index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{"西湖区"}}}}}, Limit: 10})
	if d := cmp.Diff([]string{"f-1"}, ids(res)); d != "" {
		t.Errorf("new value (-want +got):\n%s", d)
	}
}

func filterDocs() []index.Document {
	return []index.Document{
		num(num(kw(kw(kw(firm("d1", "一号"), "district", "萧山区"), "hs_codes", "0901", "6109"), "uscc", "91330100799655058B"), "readiness", 1), "benefit_fen", 100),
		num(kw(kw(kw(firm("d2", "二号"), "district", "余杭区"), "hs_codes", "090111"), "uscc", "914403001922038216"), "readiness", 2),
		num(kw(kw(firm("d3", "三号"), "district", "萧山区", "余杭区"), "status", "active"), "readiness", 3),
		num(kw(kw(firm("d4", "四号"), "district", "西湖区"), "status", "ACTIVE"), "readiness", 4.5),
		kw(kw(firm("d5", "五号"), "status", " active"), "markets", "US", "DE"),
	}
}

func testFilters(t *testing.T, e index.Engine) {
	upsert(t, e, filterDocs()...)
	c := func(field string, vals ...string) index.Cond { return index.Cond{Field: field, AnyOf: vals} }
	not := func(cd index.Cond) index.Cond { cd.Not = true; return cd }
	rng := func(field string, lo, hi *float64) index.Cond { return index.Cond{Field: field, Min: lo, Max: hi} }
	cases := []struct {
		name   string
		filter [][]index.Cond
		want   []string
	}{
		{"none", nil, []string{"d1", "d2", "d3", "d4", "d5"}},
		{"one value", [][]index.Cond{{c("district", "萧山区")}}, []string{"d1", "d3"}},
		{"any of", [][]index.Cond{{c("district", "萧山区", "西湖区")}}, []string{"d1", "d3", "d4"}},
		{"OR group", [][]index.Cond{{c("district", "西湖区"), c("markets", "US")}}, []string{"d4", "d5"}},
		{"AND of groups", [][]index.Cond{{c("district", "萧山区")}, {c("district", "余杭区")}}, []string{"d3"}},
		{"AND of OR groups", [][]index.Cond{{c("district", "萧山区"), c("markets", "DE")}, {rng("readiness", f(2), nil), c("markets", "US")}}, []string{"d3", "d5"}},
		{"not", [][]index.Cond{{not(c("district", "萧山区"))}}, []string{"d2", "d4", "d5"}},
		{"not any of", [][]index.Cond{{not(c("district", "萧山区", "余杭区"))}}, []string{"d4", "d5"}},
		{"range inclusive", [][]index.Cond{{rng("readiness", f(2), f(4.5))}}, []string{"d2", "d3", "d4"}},
		{"range min only", [][]index.Cond{{rng("readiness", f(3), nil)}}, []string{"d3", "d4"}},
		{"range max only", [][]index.Cond{{rng("readiness", nil, f(1))}}, []string{"d1"}},
		{"range fractional", [][]index.Cond{{rng("readiness", f(4.4), f(4.6))}}, []string{"d4"}},
		{"not range includes missing", [][]index.Cond{{not(rng("readiness", f(2), nil))}}, []string{"d1", "d5"}},
		{"hs code exact 0901", [][]index.Cond{{c("hs_codes", "0901")}}, []string{"d1"}},
		{"hs code exact 090111", [][]index.Cond{{c("hs_codes", "090111")}}, []string{"d2"}},
		{"hs code prefix matches nothing", [][]index.Cond{{c("hs_codes", "09")}}, nil},
		{"uscc exact", [][]index.Cond{{c("uscc", "91330100799655058B")}}, []string{"d1"}},
		{"uscc other case matches nothing", [][]index.Cond{{c("uscc", "91330100799655058b")}}, nil},
		{"case sensitive", [][]index.Cond{{c("status", "active")}}, []string{"d3"}},
		{"case sensitive upper", [][]index.Cond{{c("status", "ACTIVE")}}, []string{"d4"}},
		{"leading space exact", [][]index.Cond{{c("status", " active")}}, []string{"d5"}},
		{"id", [][]index.Cond{{c(index.IDField, "d2", "d4", "nope")}}, []string{"d2", "d4"}},
		{"id case sensitive", [][]index.Cond{{c(index.IDField, "D2")}}, nil},
		{"not id", [][]index.Cond{{not(c(index.IDField, "d1"))}, {c("district", "萧山区")}}, []string{"d3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := search(t, e, index.Query{Filter: index.Filter{All: tc.filter}, Limit: 100})
			if d := cmp.Diff(tc.want, ids(res), docCmp); d != "" {
				t.Errorf("ids (-want +got):\n%s", d)
			}
			if res.Total != len(tc.want) {
				t.Errorf("Total = %d, want %d", res.Total, len(tc.want))
			}
		})
	}
}

// AdversarialValues are keyword values that would change a filter's meaning
// if they were not quoted and escaped.
var AdversarialValues = []string{
	`x" OR district = "y`,
	`y`,
	`x`,
	`a"b`,
	`a\b`,
	`a\\b`,
	`\`,
	`"`,
	`\"`,
	`a\"b`,
	`x' OR '1'='1`,
	`OR`,
	`AND`,
	`NOT`,
	`x OR y`,
	`NOT x`,
	`= x`,
	`(x)`,
	`[x]`,
	`x]`,
	`x") OR (district EXISTS`,
	"line1\nline2",
	"line1",
	"tab\there",
	`{"$ne":1}`,
	`\u0041`,
	`\n`,
	`EXISTS`,
	`IS NULL`,
	`_geoRadius(1,2,3)`,
	"萧山区\" OR \"",
}

func testAdversarial(t *testing.T, e index.Engine) {
	var docs []index.Document
	for i, v := range AdversarialValues {
		docs = append(docs, kw(firm(fmt.Sprintf("adv%02d", i), "对抗"), "district", v))
	}
	upsert(t, e, docs...)
	for i, v := range AdversarialValues {
		for _, not := range []bool{false, true} {
			res := search(t, e, index.Query{
				Filter: index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{v}, Not: not}}}},
				Limit:  100,
			})
			want := []string{fmt.Sprintf("adv%02d", i)}
			if not {
				want = nil
				for j := range AdversarialValues {
					if j != i {
						want = append(want, fmt.Sprintf("adv%02d", j))
					}
				}
			}
			if d := cmp.Diff(want, ids(res)); d != "" {
				t.Errorf("district = %q (not %v): (-want +got):\n%s", v, not, d)
			}
		}
	}
	// two values in one condition, and values in a group with another field
	res := search(t, e, index.Query{
		Filter: index.Filter{All: [][]index.Cond{
			{{Field: "district", AnyOf: []string{AdversarialValues[0], AdversarialValues[3]}}},
			{{Field: "status", AnyOf: []string{`" OR 1=1`}, Not: true}},
		}},
		Limit: 100,
	})
	if d := cmp.Diff([]string{"adv00", "adv03"}, ids(res)); d != "" {
		t.Errorf("two adversarial values (-want +got):\n%s", d)
	}
	// facets give the exact values back
	res = search(t, e, index.Query{Facets: []string{"district"}})
	want := map[string]int{}
	for _, v := range AdversarialValues {
		want[v] = 1
	}
	if d := cmp.Diff(map[string]map[string]int{"district": want}, res.Facets); d != "" {
		t.Errorf("facets of adversarial values (-want +got):\n%s", d)
	}
}

func testFacets(t *testing.T, e index.Engine) {
	upsert(t, e,
		kw(kw(kw(firm("g1", "一"), "district", "萧山区"), "markets", "US", "DE"), "status", "active"),
		kw(kw(kw(firm("g2", "二"), "district", "萧山区"), "markets", "US"), "status", "active"),
		kw(kw(firm("g3", "三"), "district", "余杭区"), "markets", "JP", "US"),
		kw(kw(firm("g4", "四"), "district", "西湖区"), "status", "paused"),
		firm("g5", "五"),
	)
	res := search(t, e, index.Query{Facets: []string{"district", "markets", "status"}, Limit: 1})
	want := map[string]map[string]int{
		"district": {"萧山区": 2, "余杭区": 1, "西湖区": 1},
		"markets":  {"US": 3, "DE": 1, "JP": 1},
		"status":   {"active": 2, "paused": 1},
	}
	if d := cmp.Diff(want, res.Facets); d != "" {
		t.Errorf("facets over all (-want +got):\n%s", d)
	}
	if res.Total != 5 || len(res.Hits) != 1 {
		t.Errorf("Total %d, hits %d; want 5, 1 (facets count the whole result, not the page)", res.Total, len(res.Hits))
	}
	res = search(t, e, index.Query{
		Filter: index.Filter{All: [][]index.Cond{{{Field: "markets", AnyOf: []string{"US"}}}}},
		Facets: []string{"district", "status"},
	})
	want = map[string]map[string]int{
		"district": {"萧山区": 2, "余杭区": 1},
		"status":   {"active": 2},
	}
	if d := cmp.Diff(want, res.Facets); d != "" {
		t.Errorf("facets over filtered (-want +got):\n%s", d)
	}
	if len(res.Hits) != 0 || res.Total != 3 {
		t.Errorf("Limit 0: hits %d total %d; want 0, 3", len(res.Hits), res.Total)
	}
}

func testSortPaging(t *testing.T, e index.Engine) {
	var docs []index.Document
	type row struct {
		id string
		r  float64
		ok bool
	}
	var rows []row
	for i := range 23 {
		id := fmt.Sprintf("s%02d", (i*7)%23) // inserted out of id order
		d := kw(firm(id, "排序企业"), "status", "active")
		r := float64((i * 5) % 4) // ties: values 0..3
		if i%6 == 5 {
			rows = append(rows, row{id: id})
		} else {
			d = num(d, "readiness", r)
			rows = append(rows, row{id, r, true})
		}
		docs = append(docs, d)
	}
	upsert(t, e, docs...)
	order := func(desc bool) []string {
		rs := slices.Clone(rows)
		sort.Slice(rs, func(i, j int) bool {
			a, b := rs[i], rs[j]
			if a.ok != b.ok {
				return a.ok // missing last in both directions
			}
			if a.r != b.r {
				if desc {
					return a.r > b.r
				}
				return a.r < b.r
			}
			return a.id < b.id
		})
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.id
		}
		return out
	}
	for _, desc := range []bool{true, false} {
		want := order(desc)
		q := index.Query{Sort: []index.SortBy{{Field: "readiness", Desc: desc}}, Limit: 100}
		if d := cmp.Diff(want, ids(search(t, e, q))); d != "" {
			t.Errorf("sort readiness desc=%v (-want +got):\n%s", desc, d)
		}
		var paged []string
		for off := 0; off < len(want); off += 5 {
			q.Offset, q.Limit = off, 5
			res := search(t, e, q)
			if res.Total != len(want) {
				t.Errorf("page at %d: Total %d, want %d", off, res.Total, len(want))
			}
			paged = append(paged, ids(res)...)
		}
		if d := cmp.Diff(want, paged); d != "" {
			t.Errorf("paged sort desc=%v (-want +got):\n%s", desc, d)
		}
		// the same query with text: explicit sort still decides the order
		q = index.Query{Text: "排序", Sort: []index.SortBy{{Field: "readiness", Desc: desc}}, Limit: 100}
		if d := cmp.Diff(want, ids(search(t, e, q))); d != "" {
			t.Errorf("text + sort desc=%v (-want +got):\n%s", desc, d)
		}
	}
	all := order(false)
	slices.Sort(all)
	if d := cmp.Diff(all, ids(search(t, e, index.Query{Limit: 100}))); d != "" {
		t.Errorf("no sort, no text: by id (-want +got):\n%s", d)
	}
	// equal relevance: ties by id
	if d := cmp.Diff(all, ids(search(t, e, index.Query{Text: "排序企业", Limit: 100}))); d != "" {
		t.Errorf("equal relevance: by id (-want +got):\n%s", d)
	}
	slices.Reverse(all)
	if d := cmp.Diff(all, ids(search(t, e, index.Query{Sort: []index.SortBy{{Field: index.IDField, Desc: true}}, Limit: 100}))); d != "" {
		t.Errorf("sort by id desc (-want +got):\n%s", d)
	}
}

func textDocs() []index.Document {
	return []index.Document{
		txt(txt(firm("t-down", "萧山羽绒服有限公司"), "products", "羽绒服、羽绒被"), "summary", "专业生产羽绒制品，出口欧洲。"),
		txt(firm("t-ecom", "杭州启航贸易有限公司"), "summary", "主营跨境电商业务，布局海外市场。"),
		txt(firm("t-amz", "杭州星辰家居有限公司"), "summary", "在亚马逊开设店铺，销售家居用品。"),
		txt(firm("t-silk", "杭州丝绸之路有限公司"), "products", "真丝围巾、丝绸面料"),
		txt(firm("t-pen", "桐庐文具有限公司"), "summary", "制笔企业，产品销往东南亚。"),
		txt(firm("t-shopify", "Westlake Outdoor Co."), "summary", "We sell camping gear on Amazon and our own Shopify store."),
	}
}

func hitIDs(res index.Result) map[string]bool {
	m := map[string]bool{}
	for _, h := range res.Hits {
		m[h.Doc.ID] = true
	}
	return m
}

func testText(t *testing.T, e index.Engine) {
	upsert(t, e, textDocs()...)
	cases := []struct {
		text     string
		want     []string // must be among the hits
		top      string   // must be the first hit, if set
		excluded []string // must not be among the hits
	}{
		{"羽绒", []string{"t-down"}, "t-down", []string{"t-ecom", "t-amz", "t-silk", "t-pen", "t-shopify"}},
		{"羽绒服", []string{"t-down"}, "t-down", []string{"t-silk", "t-pen"}},
		{"跨境电子商务", []string{"t-ecom"}, "t-ecom", []string{"t-down", "t-silk", "t-pen"}},
		{"跨境电商", []string{"t-ecom"}, "t-ecom", []string{"t-down", "t-silk", "t-pen"}},
		{"Amazon", []string{"t-amz", "t-shopify"}, "", []string{"t-down", "t-silk", "t-pen", "t-ecom"}},
		{"亚马逊", []string{"t-amz", "t-shopify"}, "", []string{"t-down", "t-silk", "t-pen"}},
		{"amazon", []string{"t-amz", "t-shopify"}, "", []string{"t-down", "t-silk"}},
		{"丝绸", []string{"t-silk"}, "t-silk", []string{"t-down", "t-pen"}},
		{"Shopify", []string{"t-shopify"}, "t-shopify", []string{"t-down", "t-silk", "t-pen"}},
		{"羽绒 出口", []string{"t-down"}, "t-down", []string{"t-ecom", "t-silk", "t-pen"}},
		{"萧山 丝绸", nil, "", []string{"t-down", "t-silk"}}, // every word must match
		{"制笔", []string{"t-pen"}, "t-pen", []string{"t-down", "t-silk"}},
		{"无人机", nil, "", []string{"t-down", "t-ecom", "t-amz", "t-silk", "t-pen", "t-shopify"}},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			res := search(t, e, index.Query{Text: tc.text, Limit: 20})
			got := hitIDs(res)
			for _, id := range tc.want {
				if !got[id] {
					t.Errorf("%q: %s not found; hits %v", tc.text, id, ids(res))
				}
			}
			for _, id := range tc.excluded {
				if got[id] {
					t.Errorf("%q: %s found; hits %v", tc.text, id, ids(res))
				}
			}
			if tc.top != "" && (len(res.Hits) == 0 || res.Hits[0].Doc.ID != tc.top) {
				t.Errorf("%q: first hit %v, want %s", tc.text, ids(res), tc.top)
			}
			if res.Total != len(res.Hits) {
				t.Errorf("%q: Total %d, hits %d", tc.text, res.Total, len(res.Hits))
			}
			for _, h := range res.Hits {
				if h.Score <= 0 || h.Score > 1 {
					t.Errorf("%q: %s score %v outside (0,1]", tc.text, h.Doc.ID, h.Score)
				}
			}
		})
	}
	// text combined with a filter
	upsert(t, e, kw(txt(firm("t-down2", "余杭羽绒家纺"), "summary", "羽绒被"), "district", "余杭区"))
	res := search(t, e, index.Query{Text: "羽绒", Filter: index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{"余杭区"}}}}}, Limit: 10})
	if d := cmp.Diff([]string{"t-down2"}, ids(res)); d != "" {
		t.Errorf("text + filter (-want +got):\n%s", d)
	}
	// no text: score 0
	for _, h := range search(t, e, index.Query{Limit: 10}).Hits {
		if h.Score != 0 {
			t.Errorf("no text: %s score %v, want 0", h.Doc.ID, h.Score)
		}
	}
}

func testExactText(t *testing.T, e index.Engine) {
	upsert(t, e,
		kw(kw(firm("x1", "咖啡贸易"), "hs_codes", "0901"), "uscc", "91330100799655058B"),
		kw(kw(firm("x2", "咖啡豆进口"), "hs_codes", "090111"), "uscc", "914403001922038216"),
		kw(firm("x3", "茶叶"), "hs_codes", "0902"),
	)
	cases := []struct {
		text string
		want []string
	}{
		{"0901", []string{"x1"}},
		{"090111", []string{"x2"}},
		{"090", nil},
		{"0903", nil},
		{"91330100799655058B", []string{"x1"}},
		{"91330100799655058b", []string{"x1"}}, // typed in lower case: still the code
		{"91330100799655058C", nil},            // one character off: no typo tolerance
		{"9133010079965505", nil},              // a prefix is not the code
		{"914403001922038216", []string{"x2"}},
		{"咖啡 0901", []string{"x1"}},
	}
	for _, tc := range cases {
		res := search(t, e, index.Query{Text: tc.text, Limit: 10})
		got := ids(res)
		slices.Sort(got)
		if d := cmp.Diff(tc.want, got, docCmp); d != "" {
			t.Errorf("%q (-want +got):\n%s", tc.text, d)
		}
	}
}

func testHighlight(t *testing.T, e index.Engine) {
	upsert(t, e,
		txt(firm("h1", "萧山羽绒服<b>有限公司</b>"), "summary", "专业羽绒 & 出口"),
		txt(firm("h2", "杭州丝绸"), "summary", "丝绸面料"),
	)
	res := search(t, e, index.Query{Text: "羽绒", Highlight: true, Limit: 10})
	if len(res.Hits) != 1 || res.Hits[0].Doc.ID != "h1" {
		t.Fatalf("hits %v, want [h1]", ids(res))
	}
	hl := res.Hits[0].Highlights
	title, ok := hl["title"]
	if !ok {
		t.Fatalf("no title highlight: %v", hl)
	}
	if !strings.Contains(title, "<em>羽绒") || strings.Contains(title, "<b>") || !strings.Contains(title, "&lt;b&gt;") {
		t.Errorf("title highlight %q: want <em>羽绒…</em> and the rest HTML-escaped", title)
	}
	if plain := strings.NewReplacer("<em>", "", "</em>", "").Replace(title); plain != "萧山羽绒服&lt;b&gt;有限公司&lt;/b&gt;" {
		t.Errorf("title highlight without marks = %q", plain)
	}
	if s := hl["summary"]; !strings.Contains(s, "<em>羽绒") || !strings.Contains(s, "&amp;") {
		t.Errorf("summary highlight %q", s)
	}
	if _, ok := hl["products"]; ok {
		t.Errorf("highlight for a field the document lacks: %v", hl)
	}
	res = search(t, e, index.Query{Text: "羽绒", Limit: 10})
	if len(res.Hits) != 1 || res.Hits[0].Highlights != nil {
		t.Errorf("Highlight false: highlights %v", res.Hits)
	}
}

func testEmptyText(t *testing.T, e index.Engine) {
	var docs []index.Document
	for i := range 30 {
		d := firm(fmt.Sprintf("e%02d", i), "企业")
		if i%3 == 0 {
			d = kw(d, "district", "萧山区")
		}
		docs = append(docs, d)
	}
	upsert(t, e, docs...)
	res := search(t, e, index.Query{Limit: 1000})
	if res.Total != 30 || len(res.Hits) != 30 {
		t.Errorf("all: total %d hits %d, want 30", res.Total, len(res.Hits))
	}
	res = search(t, e, index.Query{Text: "  ", Filter: index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{"萧山区"}}}}}, Limit: 1000})
	if res.Total != 10 || len(res.Hits) != 10 {
		t.Errorf("filtered: total %d hits %d, want 10", res.Total, len(res.Hits))
	}
}

func manyDocs(prefix string, n int, title string) []index.Document {
	docs := make([]index.Document, n)
	for i := range docs {
		docs[i] = kw(firm(fmt.Sprintf("%s%04d", prefix, i), title), "status", "active")
	}
	return docs
}

func testRebuild(t *testing.T, e index.Engine) {
	ctx := ctxT(t)
	live := manyDocs("r", 200, "重建前")
	upsert(t, e, live...)

	// A searcher runs all along and records the smallest total it sees.
	var minTotal atomic.Int64
	minTotal.Store(1 << 30)
	var searches atomic.Int64
	var searchErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := e.Search(ctx, index.KindFirm, index.Query{Filter: index.Filter{All: [][]index.Cond{{{Field: "status", AnyOf: []string{"active"}}}}}})
			if err != nil {
				searchErr.Store(err)
				return
			}
			searches.Add(1)
			for {
				cur := minTotal.Load()
				if int64(res.Total) >= cur || minTotal.CompareAndSwap(cur, int64(res.Total)) {
					break
				}
			}
		}
	}()

	b, err := e.Rebuild(ctx, FirmSchema)
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if _, err := e.Rebuild(ctx, FirmSchema); !errors.Is(err, index.ErrInvalid) {
		t.Errorf("second concurrent Rebuild: err %v, want ErrInvalid", err)
	}
	// live writes during the rebuild: a new document, a deletion, a change
	duringDoc := kw(firm("during", "重建中写入"), "status", "active")
	upsert(t, e, duringDoc)
	if err := e.Delete(ctx, index.KindFirm, []string{"r0005"}); err != nil {
		t.Fatal(err)
	}
	changed := kw(firm("r0006", "重建中修改"), "status", "active")
	changed.Version = 2
	upsert(t, e, changed)

	// the rebuild's snapshot: the 200 (stale r0005, r0006) plus 50 new
	fresh := append(manyDocs("r", 200, "重建后"), manyDocs("n", 50, "重建后")...)
	for i := 0; i < len(fresh); i += 60 {
		if err := b.Upsert(ctx, fresh[i:min(i+60, len(fresh))]); err != nil {
			t.Fatalf("Builder.Upsert: %v", err)
		}
		if n, _ := e.Count(ctx, index.KindFirm); n != 200 {
			t.Errorf("live count during rebuild = %d, want 200", n)
		}
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := b.Upsert(ctx, manyDocs("z", 1, "晚了")); !errors.Is(err, index.ErrInvalid) {
		t.Errorf("Upsert after Commit: err %v, want ErrInvalid", err)
	}
	// updates after Commit land in the new index
	upsert(t, e, kw(firm("after", "提交后写入"), "status", "active"))
	// let the searcher see the new index a few times
	seen := searches.Load()
	for searches.Load() < seen+3 {
		if searchErr.Load() != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err, _ := searchErr.Load().(error); err != nil {
		t.Fatalf("concurrent search failed: %v", err)
	}
	if got := minTotal.Load(); got < 200 {
		t.Errorf("a concurrent search saw %d documents, fewer than the 200 live ones", got)
	}
	t.Logf("%d concurrent searches, smallest total %d", searches.Load(), minTotal.Load())

	// 200 - r0005 + 50 new + during + after = 251
	if n, err := e.Count(ctx, index.KindFirm); err != nil || n != 251 {
		t.Errorf("Count after commit = %d, %v; want 251", n, err)
	}
	for id, wantTitle := range map[string]string{"r0001": "重建后", "during": "重建中写入", "r0006": "重建中修改", "after": "提交后写入", "n0049": "重建后"} {
		d, ok, err := e.Get(ctx, index.KindFirm, id)
		if err != nil || !ok || d.Title != wantTitle {
			t.Errorf("Get(%s) = %q, %v, %v; want title %q", id, d.Title, ok, err, wantTitle)
		}
	}
	if _, ok, _ := e.Get(ctx, index.KindFirm, "r0005"); ok {
		t.Errorf("r0005, deleted during the rebuild, came back from the rebuild's stale copy")
	}
	if res := search(t, e, index.Query{Text: "重建前", Limit: 10}); res.Total != 0 {
		t.Errorf("old index still searched: %v", ids(res))
	}
	// a new rebuild can start after a commit
	b2, err := e.Rebuild(ctx, FirmSchema)
	if err != nil {
		t.Fatalf("Rebuild after Commit: %v", err)
	}
	if err := b2.Abort(ctx); err != nil {
		t.Fatalf("Abort: %v", err)
	}
}

func testAbort(t *testing.T, e index.Engine) {
	ctx := ctxT(t)
	upsert(t, e, manyDocs("a", 20, "在线")...)
	b, err := e.Rebuild(ctx, FirmSchema)
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if err := b.Upsert(ctx, manyDocs("b", 5, "被放弃")); err != nil {
		t.Fatalf("Builder.Upsert: %v", err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if err := b.Commit(ctx); !errors.Is(err, index.ErrInvalid) {
		t.Errorf("Commit after Abort: err %v, want ErrInvalid", err)
	}
	if n, err := e.Count(ctx, index.KindFirm); err != nil || n != 20 {
		t.Errorf("Count = %d, %v; want 20", n, err)
	}
	if res := search(t, e, index.Query{Text: "被放弃", Limit: 10}); res.Total != 0 {
		t.Errorf("aborted documents searchable: %v", ids(res))
	}
	upsert(t, e, firm("a-late", "在线"))
	if res := search(t, e, index.Query{Text: "在线", Limit: 100}); res.Total != 21 {
		t.Errorf("live index after abort: total %d, want 21", res.Total)
	}
}

func testContext(t *testing.T, e index.Engine) {
	upsert(t, e, firm("c1", "上下文"))
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for name, ctx := range map[string]context.Context{"canceled": canceled, "deadline": expired} {
		want := context.Canceled
		if name == "deadline" {
			want = context.DeadlineExceeded
		}
		if _, err := e.Search(ctx, index.KindFirm, index.Query{Text: "上下文", Limit: 10}); !errors.Is(err, want) {
			t.Errorf("%s Search: err %v, want %v", name, err, want)
		}
		if err := e.Upsert(ctx, index.KindFirm, []index.Document{firm("c2", "x")}); !errors.Is(err, want) {
			t.Errorf("%s Upsert: err %v, want %v", name, err, want)
		}
		if name == "deadline" {
			if _, err := e.Search(ctx, index.KindFirm, index.Query{Limit: 1}); !errors.Is(err, index.ErrUnavailable) {
				t.Errorf("deadline Search: err %v, want ErrUnavailable too", err)
			}
		}
	}
}

func testInvalid(t *testing.T, e index.Engine) {
	ctx := ctxT(t)
	bad := []index.Query{
		{Limit: index.MaxLimit + 1},
		{Limit: -1},
		{Offset: -1, Limit: 1},
		{Offset: index.MaxWindow, Limit: 1},
		{Filter: index.Filter{All: [][]index.Cond{{{Field: "nope", AnyOf: []string{"x"}}}}}},
		{Filter: index.Filter{All: [][]index.Cond{{{Field: "district"}}}}},
		{Filter: index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{"x"}, Min: f(1)}}}}},
		{Filter: index.Filter{All: [][]index.Cond{{{Field: "readiness", AnyOf: []string{"1"}}}}}},
		{Filter: index.Filter{All: [][]index.Cond{{{Field: "readiness"}}}}},
		{Filter: index.Filter{All: [][]index.Cond{{}}}},
		{Sort: []index.SortBy{{Field: "district"}}},
		{Facets: []string{"readiness"}},
	}
	for _, q := range bad {
		if _, err := e.Search(ctx, index.KindFirm, q); !errors.Is(err, index.ErrInvalid) {
			t.Errorf("Search(%+v): err %v, want ErrInvalid", q, err)
		}
	}
	badDocs := [][]index.Document{
		{firm("", "空id")},
		{firm("has space", "x")},
		{txt(firm("ok1", "x"), "undeclared", "x")},
		{kw(firm("ok2", "x"), "district", "")},
		{kw(firm("ok3", "x"), "district", strings.Repeat("长", 100))},
		{num(firm("ok4", "x"), "undeclared", 1)},
	}
	for _, docs := range badDocs {
		if err := e.Upsert(ctx, index.KindFirm, docs); !errors.Is(err, index.ErrInvalid) {
			t.Errorf("Upsert(%+v): err %v, want ErrInvalid", docs, err)
		}
	}
	if _, err := e.Search(ctx, index.KindExpert, index.Query{}); !errors.Is(err, index.ErrInvalid) {
		t.Errorf("Search on a kind not ensured: err %v, want ErrInvalid", err)
	}
	if n, _ := e.Count(ctx, index.KindFirm); n != 0 {
		t.Errorf("invalid upserts wrote %d documents", n)
	}
}

// SearchMany answers several queries of two kinds, each as Search would,
// in order; one invalid query fails the whole call.
func testSearchMany(t *testing.T, e index.Engine) {
	belts := index.Schema{Kind: index.KindBelt, TextFields: []string{"products"}, KeywordFields: []string{"district"}, NumberFields: []string{"rank"}}
	ensure(t, e, belts)
	upsert(t, e,
		kw(txt(firm("m1", "萧山羽绒服厂"), "products", "羽绒服"), "district", "萧山区"),
		kw(txt(firm("m2", "余杭家具公司"), "products", "办公家具"), "district", "余杭区"),
		kw(firm("m3", "萧山丝绸"), "district", "萧山区"),
	)
	belt := kw(txt(index.Document{ID: "b1", Version: 1, Title: "萧山羽绒产业带"}, "products", "羽绒服"), "district", "萧山区")
	if err := e.Upsert(ctxT(t), index.KindBelt, []index.Document{num(belt, "rank", 1)}); err != nil {
		t.Fatal(err)
	}
	xs := index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{"萧山区"}}}}}
	reqs := []index.Request{
		{Kind: index.KindFirm, Query: index.Query{Filter: xs, Sort: []index.SortBy{{Field: index.IDField}}, Facets: []string{"district"}, Limit: 10}},
		{Kind: index.KindBelt, Query: index.Query{Text: "羽绒服", Limit: 10}},
		{Kind: index.KindFirm, Query: index.Query{Text: "羽绒服", Facets: []string{"district"}, Limit: 0}},
	}
	got, err := e.SearchMany(ctxT(t), reqs)
	if err != nil {
		t.Fatalf("SearchMany: %v", err)
	}
	if len(got) != len(reqs) {
		t.Fatalf("%d results for %d queries", len(got), len(reqs))
	}
	for i, r := range reqs {
		want, err := e.Search(ctxT(t), r.Kind, r.Query)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(ids(want), ids(got[i])); d != "" || want.Total != got[i].Total || !cmp.Equal(want.Facets, got[i].Facets) {
			t.Errorf("query %d: SearchMany differs from Search: ids (-search +many):\n%s total %d/%d facets %v/%v", i, d, want.Total, got[i].Total, want.Facets, got[i].Facets)
		}
	}
	if d := cmp.Diff([]string{"m1", "m3"}, ids(got[0])); d != "" {
		t.Errorf("firms of 萧山区 (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"b1"}, ids(got[1])); d != "" {
		t.Errorf("belts about 羽绒服 (-want +got):\n%s", d)
	}
	if got[2].Total != 1 || len(got[2].Hits) != 0 || got[2].Facets["district"]["萧山区"] != 1 {
		t.Errorf("count-only text query: %+v", got[2])
	}

	bad := append(slices.Clone(reqs), index.Request{Kind: index.KindFirm, Query: index.Query{Limit: index.MaxLimit + 1}})
	if _, err := e.SearchMany(ctxT(t), bad); !errors.Is(err, index.ErrInvalid) {
		t.Errorf("a batch with an invalid query: %v, want ErrInvalid", err)
	}
	if res, err := e.SearchMany(ctxT(t), nil); err != nil || len(res) != 0 {
		t.Errorf("no queries: %v, %v", res, err)
	}
}
