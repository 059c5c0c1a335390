package bleveindex_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/bleveindex"
	"github.com/qihang-hz/qihang/services/match/index/indextest"
)

const benchDocs = 100_000

var (
	benchOnce   sync.Once
	benchEngine *bleveindex.Engine
	benchErr    error
	benchLoad   time.Duration
	// benchSegments is the segment count once the merges settled.
	benchSegments int
)

func benchIndex(b *testing.B) *bleveindex.Engine {
	benchOnce.Do(func() {
		ctx := context.Background()
		e, err := bleveindex.New(bleveindex.Options{})
		if err != nil {
			benchErr = err
			return
		}
		if err := e.Ensure(ctx, indextest.FirmSchema); err != nil {
			benchErr = err
			return
		}
		docs := indextest.BenchFirms(benchDocs)
		start := time.Now()
		for i := 0; i < len(docs); i += 2000 {
			if err := e.Upsert(ctx, index.KindFirm, docs[i:min(i+2000, len(docs))]); err != nil {
				benchErr = err
				return
			}
		}
		benchLoad = time.Since(start)
		// Let the merger settle, as it has in a service that has been
		// running: queries would otherwise compete with the merges.
		last, stable := -1, 0
		for stable < 4 {
			time.Sleep(500 * time.Millisecond)
			n, err := e.Segments(index.KindFirm)
			if err != nil {
				benchErr = err
				return
			}
			if n == last {
				stable++
			} else {
				last, stable = n, 0
			}
		}
		benchSegments = last
		benchEngine = e
	})
	if benchErr != nil {
		b.Fatalf("building the benchmark index: %v", benchErr)
	}
	b.Logf("%d documents indexed in %v; %d segments after the merges", benchDocs, benchLoad.Round(time.Millisecond), benchSegments)
	return benchEngine
}

// BenchmarkSearch100k measures one Search on 100,000 firm-like documents in
// memory (ns/op is the mean latency of one search on one goroutine).
func BenchmarkSearch100k(b *testing.B) {
	e := benchIndex(b)
	ctx := context.Background()
	cases := indextest.BenchQueries()
	for _, c := range cases {
		b.Run(c.Name, func(b *testing.B) {
			res, err := e.Search(ctx, index.KindFirm, c.Query)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := e.Search(ctx, index.KindFirm, c.Query); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Total), "matches")
		})
	}
}

// TestMain closes the benchmark index, which removes its scratch directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchEngine != nil {
		_ = benchEngine.Close()
	}
	os.Exit(code)
}
