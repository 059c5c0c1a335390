package eval_test

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/services/match/eval"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/bleveindex"
	"github.com/qihang-hz/qihang/services/match/index/meiliindex"
	"github.com/qihang-hz/qihang/services/match/index/meilitest"
)

func TestMain(m *testing.M) {
	code := meilitest.Main(m)
	storetest.Cleanup()
	os.Exit(code)
}

// ndcgFloor is the mean nDCG@10 each kind must reach on every engine. The
// scoring measured 0.947 (policies), 0.857 (associations) and 0.986 (belts)
// when the set was written, and associations 0.910 once only cross-industry
// bodies fitted on their services alone; each floor sits about 0.05 below, which is what
// two of the 24 query firms losing their best record from the top of the
// list (nDCG 1 → about 0.4) costs the mean. So a change that pushes
// labelled records down for a couple of firms fails here, while relabelling
// a query or a tie moving does not. All three are above the 0.7 at which an
// officer would stop trusting the first page. Raise a floor when the
// scoring improves (go run ./services/match/eval/cmd/matcheval).
var ndcgFloor = map[eval.Kind]float64{
	eval.KindPolicies:     0.90,
	eval.KindAssociations: 0.86,
	eval.KindBelts:        0.93,
}

// TestEvaluationSet loads the labelled set into a fresh stack, ranks every
// query firm's policies, associations and belts on Bleve and on a real
// Meilisearch, and checks that
//   - each kind's mean nDCG@10 reaches its floor on both engines, and
//   - both engines return the same ranked lists for every query firm
//     (structured scoring is done by the match service, not the engine).
func TestEvaluationSet(t *testing.T) {
	set, err := eval.Load()
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	stack, err := eval.Start(t.Context(), eval.Databases{Profiles: storetest.NewDatabase(t), Catalog: storetest.NewDatabase(t)}, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stack.Close)
	start := time.Now()
	if err := stack.Load(set); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d associations, %d belts, %d policies, %d firms in %v", len(set.Associations), len(set.Belts), len(set.Policies), set.Firms(), time.Since(start).Round(time.Millisecond))

	url, key := meilitest.Start(t)
	engines := []struct {
		name string
		open func() (index.Engine, error)
	}{
		{"bleve", func() (index.Engine, error) { return bleveindex.New(bleveindex.Options{}) }},
		{"meilisearch", func() (index.Engine, error) {
			return meiliindex.New(meiliindex.Options{URL: url, Key: key, Prefix: meilitest.Prefix(t)})
		}},
	}
	var reports []*eval.Report
	for _, e := range engines {
		engine, err := e.open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = engine.Close() })
		client, err := stack.Match(t.Context(), engine)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := stack.Evaluate(t.Context(), e.name, client, set)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, rep)
	}
	// Stop the match services' syncs before the engines close (cleanups
	// run last-registered first; Close is idempotent).
	t.Cleanup(stack.Close)

	for _, rep := range reports {
		for _, kr := range rep.Kinds {
			t.Logf("%-12s %-20s nDCG@10 %.3f  recall@10 %.3f  queries %d", rep.Engine, kr.Kind, kr.NDCG, kr.Recall, len(kr.Queries))
			if kr.NDCG < ndcgFloor[kr.Kind] {
				t.Errorf("%s %s: mean nDCG@10 %.3f, want ≥ %.2f; worst queries:\n%s", rep.Engine, kr.Kind, kr.NDCG, ndcgFloor[kr.Kind], worst(kr))
			}
		}
	}
	bleve, meili := reports[0], reports[1]
	for _, kind := range eval.Kinds() {
		b, m := bleve.Kind(kind), meili.Kind(kind)
		for i := range b.Queries {
			if diff := cmp.Diff(b.Queries[i].Ranked, m.Queries[i].Ranked); diff != "" {
				t.Errorf("%s %s: the engines rank differently (-bleve +meilisearch):\n%s", kind, b.Queries[i].Query, diff)
			}
		}
	}
}

func worst(kr eval.KindResult) string {
	var b strings.Builder
	for _, q := range kr.Worst(3) {
		fmt.Fprintf(&b, "  %s nDCG@10 %.3f: top 10 %v\n", q.Query, q.NDCG, q.Ranked[:min(10, len(q.Ranked))])
	}
	return b.String()
}

func TestMeasures(t *testing.T) {
	labels := map[string]int{"a": 2, "b": 1, "c": 1}
	tests := []struct {
		name       string
		ranked     []string
		ndcg, recl float64
	}{
		{"ideal order", []string{"a", "b", "c", "x"}, 1, 1},
		{"nothing relevant", []string{"x", "y"}, 0, 0},
		{"empty list", nil, 0, 0},
		// DCG = 1/log2(2) + 3/log2(4) = 2.5; IDCG = 3 + 1/log2(3) + 1/log2(4) = 4.1309.
		{"best one third", []string{"b", "x", "a"}, (1 + 3.0/2) / (3 + 1/math.Log2(3) + 0.5), 2.0 / 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := eval.NDCG(tc.ranked, labels, 10); math.Abs(got-tc.ndcg) > 1e-9 {
				t.Errorf("NDCG = %v, want %v", got, tc.ndcg)
			}
			if got := eval.Recall(tc.ranked, labels, 10); math.Abs(got-tc.recl) > 1e-9 {
				t.Errorf("Recall = %v, want %v", got, tc.recl)
			}
		})
	}
	// Recall is capped at k relevant records; nDCG only counts the first k.
	many := map[string]int{}
	var ranked []string
	for i := range 12 {
		k := fmt.Sprint("p", i)
		many[k] = 1
		ranked = append(ranked, k)
	}
	if got := eval.Recall(ranked, many, 10); got != 1 {
		t.Errorf("Recall with 12 relevant, 10 found = %v, want 1", got)
	}
	if got := eval.NDCG(ranked, many, 10); math.Abs(got-1) > 1e-9 {
		t.Errorf("NDCG with 12 relevant in order = %v, want 1", got)
	}
}
