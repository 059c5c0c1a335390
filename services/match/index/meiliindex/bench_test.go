package meiliindex

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/indextest"
	"github.com/qihang-hz/qihang/services/match/index/meilitest"
)

const benchDocs = 100_000

// BenchmarkSearch100k runs the queries of the Bleve benchmark on a real
// Meilisearch holding the same 100,000 firm-like documents. ns/op is the
// whole call (HTTP included); server_ms/op is Meilisearch's own
// processingTimeMs for the same query.
func BenchmarkSearch100k(b *testing.B) {
	ctx := context.Background()
	url, key := meilitest.Start(b)
	prefix := meilitest.Prefix(b)
	e, err := New(Options{URL: url, Key: key, Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		sm := meilisearch.New(url, meilisearch.WithAPIKey(key))
		defer sm.Close()
		_, _ = sm.DeleteIndex(context.Background(), e.uid(index.KindFirm))
	}()
	if err := e.Ensure(ctx, indextest.FirmSchema); err != nil {
		b.Fatal(err)
	}
	docs := indextest.BenchFirms(benchDocs)
	start := time.Now()
	for i := 0; i < len(docs); i += 10_000 {
		if err := e.Upsert(ctx, index.KindFirm, docs[i:min(i+10_000, len(docs))]); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d documents indexed in %v", benchDocs, time.Since(start).Round(time.Millisecond))
	for _, c := range indextest.BenchQueries() {
		b.Run(c.Name, func(b *testing.B) {
			res, err := e.Search(ctx, index.KindFirm, c.Query)
			if err != nil {
				b.Fatal(err)
			}
			server := e.processingTime(ctx, b, c.Query)
			for b.Loop() {
				if _, err := e.Search(ctx, index.KindFirm, c.Query); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Total), "matches")
			b.ReportMetric(server, "server_ms/op")
		})
	}
}

// processingTime is Meilisearch's processingTimeMs for q, the median of 5.
func (e *Engine) processingTime(ctx context.Context, b *testing.B, q index.Query) float64 {
	ks, _ := e.kind(index.KindFirm)
	var times []float64
	for range 5 {
		text := queryText(q.Text)
		req := &meilisearch.SearchRequest{Offset: int64(q.Offset), Limit: int64(max(q.Limit, 1)), AttributesToRetrieve: []string{"id"},
			MatchingStrategy: meilisearch.All, Sort: sortParam(q.Sort, text == "")}
		if f := FilterString(ks.schema, q.Filter); f != "" {
			req.Filter = f
		}
		for _, f := range q.Facets {
			req.Facets = append(req.Facets, "k_"+f)
		}
		raw, err := e.sm.Index(e.uid(index.KindFirm)).SearchRaw(ctx, text, req)
		if err != nil {
			b.Fatal(err)
		}
		var r struct {
			ProcessingTimeMs float64 `json:"processingTimeMs"`
		}
		if err := json.Unmarshal(*raw, &r); err != nil {
			b.Fatal(err)
		}
		times = append(times, r.ProcessingTimeMs)
	}
	for i := range times {
		for j := i + 1; j < len(times); j++ {
			if times[j] < times[i] {
				times[i], times[j] = times[j], times[i]
			}
		}
	}
	return times[len(times)/2]
}
