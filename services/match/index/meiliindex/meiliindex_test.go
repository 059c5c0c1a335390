package meiliindex

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meilisearch/meilisearch-go"

	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/indextest"
	"github.com/qihang-hz/qihang/services/match/index/meilitest"
)

func TestMain(m *testing.M) { os.Exit(meilitest.Main(m)) }

// open returns an engine on the shared test server with its own index prefix;
// the test's indexes are deleted at cleanup.
func open(t *testing.T) index.Engine {
	url, key := meilitest.Start(t)
	prefix := meilitest.Prefix(t)
	e, err := New(Options{URL: url, Key: key, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropPrefix(t, url, key, prefix) })
	return e
}

func dropPrefix(t *testing.T, url, key, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sm := meilisearch.New(url, meilisearch.WithAPIKey(key))
	defer sm.Close()
	list, err := sm.ListIndexes(ctx, &meilisearch.IndexesQuery{Limit: 1000})
	if err != nil {
		t.Errorf("list indexes: %v", err)
		return
	}
	for _, ix := range list.Results {
		if strings.HasPrefix(ix.UID, prefix) {
			if _, err := sm.DeleteIndex(ctx, ix.UID); err != nil {
				t.Errorf("delete index %s: %v", ix.UID, err)
			}
		}
	}
}

func TestConformance(t *testing.T) {
	indextest.Run(t, open)
}

// A server that refuses connections, and one that accepts them and never
// answers, both give ErrUnavailable without waiting for the caller's (absent)
// deadline.
func TestUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	_ = l.Close()

	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()

	for name, url := range map[string]string{"refused": refused, "silent": "http://" + hang.Addr().String()} {
		t.Run(name, func(t *testing.T) {
			e, err := New(Options{URL: url, Key: "k", Prefix: "x_", RequestTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			start := time.Now()
			err = e.Ensure(context.Background(), indextest.FirmSchema)
			if !errors.Is(err, index.ErrUnavailable) {
				t.Fatalf("Ensure: err %v, want ErrUnavailable", err)
			}
			e.kinds[index.KindFirm] = &kindState{schema: indextest.FirmSchema}
			if _, err := e.Search(context.Background(), index.KindFirm, index.Query{Text: "羽绒", Limit: 10}); !errors.Is(err, index.ErrUnavailable) {
				t.Fatalf("Search: err %v, want ErrUnavailable", err)
			}
			if err := e.Upsert(context.Background(), index.KindFirm, []index.Document{{ID: "a", Title: "x"}}); !errors.Is(err, index.ErrUnavailable) {
				t.Fatalf("Upsert: err %v, want ErrUnavailable", err)
			}
			// three calls, each bounded by the request timeout: no hang
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("three calls took %v against a %s server", el, name)
			}
		})
	}
}

func TestFilterStringQuotesEveryValue(t *testing.T) {
	s := indextest.FirmSchema
	got := FilterString(s, index.Filter{All: [][]index.Cond{
		{{Field: "district", AnyOf: []string{`x" OR district = "y`}}, {Field: "readiness", Min: ptr(1.5), Max: ptr(3)}},
		{{Field: index.IDField, AnyOf: []string{"a"}, Not: true}},
	}})
	want := `((k_district IN ["7822204f52206469737472696374203d202279"]) OR (n_readiness >= 1.5 AND n_readiness <= 3)) AND ((NOT (hid IN ["61"])))`
	if got != want {
		t.Errorf("FilterString:\n got %s\nwant %s", got, want)
	}
}

func TestQueryText(t *testing.T) {
	for in, want := range map[string]string{
		"羽绒 0901":               "羽绒 \"0901\"",
		`"跨境 电商`:                "跨境 电商",
		"91330100799655058B 杭州": `"91330100799655058B" 杭州`,
		"Amazon":                "Amazon",
		"iPhone15":              `"iPhone15"`,
	} {
		if got := queryText(in); got != want {
			t.Errorf("queryText(%q) = %q, want %q", in, got, want)
		}
	}
}

func ptr(v float64) *float64 { return &v }

// Documents another engine wrote come back whole through the documents
// route (search hits carry only ids and tags) and exactly as written: nil
// and empty keyword lists, empty text, numbers and payload included, with
// the content tag they were written under, so they are fetched once.
func TestDocumentsWrittenElsewhere(t *testing.T) {
	ctx := context.Background()
	url, key := meilitest.Start(t)
	prefix := meilitest.Prefix(t)
	t.Cleanup(func() { dropPrefix(t, url, key, prefix) })
	writer, err := New(Options{URL: url, Key: key, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.Ensure(ctx, indextest.FirmSchema); err != nil {
		t.Fatal(err)
	}
	docs := []index.Document{
		{
			ID: "f1", Version: 7, Title: "杭州启航羽绒服饰有限公司",
			Text:     map[string]string{"products": "羽绒服、羽绒马甲", "summary": ""},
			Keywords: map[string][]string{"district": {"萧山区"}, "markets": {"US", "us", `a "b" OR c`}, "association_ids": nil, "hs_codes": {}},
			Numbers:  map[string]float64{"readiness": 0.615, "benefit_fen": 1e12, "valid_from": -3},
			Payload:  []byte{0, 1, 2, 250},
		},
		{ID: "f2", Version: 1, Title: "只有名称的企业"},
	}
	if err := writer.Upsert(ctx, index.KindFirm, docs); err != nil {
		t.Fatal(err)
	}

	reader, err := New(Options{URL: url, Key: key, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.Ensure(ctx, indextest.FirmSchema); err != nil {
		t.Fatal(err)
	}
	res, err := reader.Search(ctx, index.KindFirm, index.Query{Sort: []index.SortBy{{Field: index.IDField}}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []index.Document
	for _, h := range res.Hits {
		got = append(got, h.Doc)
	}
	if diff := cmp.Diff(docs, got); diff != "" {
		t.Errorf("documents found by another engine (-want +got):\n%s", diff)
	}
	for _, d := range docs {
		if _, ok := reader.cached(index.KindFirm, d.ID, contentTag(stored(d))); !ok {
			t.Errorf("%s was not remembered under the tag it was written with", d.ID)
		}
		g, found, err := reader.Get(ctx, index.KindFirm, d.ID)
		if err != nil || !found {
			t.Fatalf("Get %s: found %v, %v", d.ID, found, err)
		}
		if diff := cmp.Diff(d, g); diff != "" {
			t.Errorf("Get %s (-want +got):\n%s", d.ID, diff)
		}
	}
}

// Indexes written before version and payload were attributes of their own
// kept the whole document in "doc"; it still reads.
func TestFromMeiliReadsTheDocAttribute(t *testing.T) {
	want := index.Document{ID: "f1", Version: 3, Title: "旧格式企业", Keywords: map[string][]string{"district": {"西湖区"}}, Payload: []byte("x")}
	sd, err := json.Marshal(stored(want))
	if err != nil {
		t.Fatal(err)
	}
	got, err := fromMeili(map[string]json.RawMessage{"id": json.RawMessage(`"f1"`), "doc": sd, "title": json.RawMessage(`"旧格式企业"`)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := fromMeili(map[string]json.RawMessage{"id": json.RawMessage(`"f1"`), "k_district": json.RawMessage(`["zz"]`)}); err == nil {
		t.Error("a keyword value that is not hex decoded without an error")
	}
}
