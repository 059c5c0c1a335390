package bleveindex_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/bleveindex"
	"github.com/qihang-hz/qihang/services/match/index/indextest"
)

func TestConformanceMemory(t *testing.T) {
	indextest.Run(t, func(t *testing.T) index.Engine {
		e, err := bleveindex.New(bleveindex.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}

func TestConformanceDisk(t *testing.T) {
	indextest.Run(t, func(t *testing.T) index.Engine {
		e, err := bleveindex.New(bleveindex.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}

// A disk engine keeps its documents across a restart, and Ensure with a
// changed schema migrates them into a new mapping.
func TestDiskReopenAndSchemaChange(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := bleveindex.New(bleveindex.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s := indextest.FirmSchema
	if err := e.Ensure(ctx, s); err != nil {
		t.Fatal(err)
	}
	docs := []index.Document{
		{ID: "p1", Version: 3, Title: "萧山羽绒服", Keywords: map[string][]string{"district": {"萧山区"}}, Numbers: map[string]float64{"readiness": 2}, Payload: []byte("x")},
		{ID: "p2", Version: 1, Title: "临平服装", Text: map[string]string{"summary": "跨境电商"}},
	}
	if err := e.Upsert(ctx, index.KindFirm, docs); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e, err = bleveindex.New(bleveindex.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Ensure(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, ok, err := e.Get(ctx, index.KindFirm, "p1")
	if err != nil || !ok {
		t.Fatalf("Get after reopen: %v %v", ok, err)
	}
	if d := cmp.Diff(docs[0], got); d != "" {
		t.Errorf("after reopen (-want +got):\n%s", d)
	}
	res, err := e.Search(ctx, index.KindFirm, index.Query{Text: "跨境电子商务", Limit: 10})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Doc.ID != "p2" {
		t.Fatalf("search after reopen: %+v %v", res, err)
	}

	// a new keyword field: documents are copied into a new mapping
	s2 := s
	s2.KeywordFields = append(slices.Clone(s.KeywordFields), "platforms")
	if err := e.Ensure(ctx, s2); err != nil {
		t.Fatalf("Ensure with a new field: %v", err)
	}
	if n, _ := e.Count(ctx, index.KindFirm); n != 2 {
		t.Fatalf("Count after schema change = %d, want 2", n)
	}
	docs[1].Keywords = map[string][]string{"platforms": {"amazon"}}
	if err := e.Upsert(ctx, index.KindFirm, docs[1:]); err != nil {
		t.Fatal(err)
	}
	res, err = e.Search(ctx, index.KindFirm, index.Query{
		Filter: index.Filter{All: [][]index.Cond{{{Field: "platforms", AnyOf: []string{"amazon"}}}}},
		Facets: []string{"platforms"}, Limit: 10,
	})
	if err != nil || len(res.Hits) != 1 || res.Facets["platforms"]["amazon"] != 1 {
		t.Fatalf("new field after migration: %+v %v", res, err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, string(index.KindFirm)))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 { // CURRENT and one index folder
		t.Errorf("old index folders left behind: %d entries", len(entries))
	}
}

func TestClosedEngineIsUnavailable(t *testing.T) {
	e, err := bleveindex.New(bleveindex.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Ensure(context.Background(), indextest.FirmSchema); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Search(context.Background(), index.KindFirm, index.Query{}); !errors.Is(err, index.ErrUnavailable) {
		t.Errorf("Search after Close: %v, want ErrUnavailable", err)
	}
}

// Without a directory the indexes live in a scratch directory that stores no
// documents: a schema change copies them from memory, and Close removes the
// directory.
func TestScratchSchemaChangeAndClose(t *testing.T) {
	ctx := context.Background()
	t.Setenv("TMPDIR", t.TempDir())
	e, err := bleveindex.New(bleveindex.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := indextest.FirmSchema
	if err := e.Ensure(ctx, s); err != nil {
		t.Fatal(err)
	}
	docs := []index.Document{
		{ID: "p1", Version: 3, Title: "萧山羽绒服", Keywords: map[string][]string{"district": {"萧山区"}}, Numbers: map[string]float64{"readiness": 2}, Payload: []byte("x")},
		{ID: "p2", Version: 1, Title: "临平服装", Text: map[string]string{"summary": "跨境电商"}},
	}
	if err := e.Upsert(ctx, index.KindFirm, docs); err != nil {
		t.Fatal(err)
	}
	s2 := s
	s2.KeywordFields = append(slices.Clone(s.KeywordFields), "platforms")
	if err := e.Ensure(ctx, s2); err != nil {
		t.Fatalf("Ensure with a new field: %v", err)
	}
	got, ok, err := e.Get(ctx, index.KindFirm, "p1")
	if err != nil || !ok {
		t.Fatalf("Get after schema change: %v %v", ok, err)
	}
	if d := cmp.Diff(docs[0], got); d != "" {
		t.Errorf("after schema change (-want +got):\n%s", d)
	}
	res, err := e.Search(ctx, index.KindFirm, index.Query{Text: "跨境电子商务", Limit: 10})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Doc.ID != "p2" {
		t.Fatalf("search after schema change: %+v %v", res, err)
	}
	if n, _ := e.Segments(index.KindFirm); n < 1 {
		t.Errorf("Segments = %d, want at least 1", n)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(os.Getenv("TMPDIR"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("Close left %d entries in the temporary directory", len(left))
	}
}
