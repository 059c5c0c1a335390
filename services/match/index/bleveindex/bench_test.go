package bleveindex_test

import (
	"context"
	"fmt"
	"math/rand/v2"
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

var (
	benchDistricts  = []string{"上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市"}
	benchProducts   = []string{"羽绒服", "针织衫", "丝绸围巾", "办公家具", "户外家具", "运动器材", "制笔", "箱包", "女鞋", "家纺四件套", "小家电", "电机", "玩具", "茶叶", "五金工具", "汽车配件", "宠物用品", "灯具"}
	benchMarkets    = []string{"US", "DE", "GB", "FR", "JP", "KR", "AU", "AE", "SA", "BR", "MX", "RU", "SG", "MY", "TH", "VN"}
	benchPlatforms  = []string{"亚马逊", "速卖通", "阿里国际站", "TikTok", "Temu", "SHEIN", "独立站", "eBay"}
	benchHSChapters = []string{"61", "62", "94", "85", "95", "42", "64", "63", "50", "96", "84", "87"}
	benchStatus     = []string{"active", "paused", "draft"}
)

// benchFirms makes n firm-like documents, the same for every run.
func benchFirms(n int) []index.Document {
	r := rand.New(rand.NewPCG(1, 2))
	docs := make([]index.Document, n)
	for i := range docs {
		p1 := benchProducts[r.IntN(len(benchProducts))]
		p2 := benchProducts[r.IntN(len(benchProducts))]
		d := benchDistricts[r.IntN(len(benchDistricts))]
		pl := benchPlatforms[r.IntN(len(benchPlatforms))]
		ch := benchHSChapters[r.IntN(len(benchHSChapters))]
		docs[i] = index.Document{
			ID:      fmt.Sprintf("f%06d", i),
			Version: 1,
			Title:   fmt.Sprintf("杭州%s%s有限公司%d", d[:6], p1, i),
			Text: map[string]string{
				"products": p1 + "、" + p2,
				"summary":  fmt.Sprintf("主营%s和%s，通过%s开展跨境电商，出口%s等市场。", p1, p2, pl, benchMarkets[r.IntN(len(benchMarkets))]),
			},
			Keywords: map[string][]string{
				"district": {d},
				"industry": {p1},
				"hs_codes": {fmt.Sprintf("%s%02d", ch, r.IntN(100))},
				"uscc":     {fmt.Sprintf("91330100%09dX", i)},
				"markets":  {benchMarkets[r.IntN(len(benchMarkets))], benchMarkets[r.IntN(len(benchMarkets))]},
				"status":   {benchStatus[r.IntN(len(benchStatus))]},
			},
			Numbers: map[string]float64{
				"readiness":   float64(r.IntN(101)),
				"benefit_fen": float64(r.IntN(1_000_000)),
			},
			Payload: make([]byte, 64),
		}
	}
	return docs
}

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
		docs := benchFirms(benchDocs)
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
	xs := index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{"萧山区"}}}}}
	ready := index.Filter{All: [][]index.Cond{
		{{Field: "district", AnyOf: []string{"萧山区", "余杭区"}}},
		{{Field: "status", AnyOf: []string{"active"}}},
		{{Field: "readiness", Min: ptr(60)}},
	}}
	cases := []struct {
		name string
		q    index.Query
	}{
		{"filter_only", index.Query{Filter: xs, Limit: 20}},
		{"filter_sort_facets", index.Query{Filter: ready, Sort: []index.SortBy{{Field: "readiness", Desc: true}}, Facets: []string{"markets", "industry"}, Limit: 20}},
		{"text_one_word", index.Query{Text: "羽绒服", Limit: 20}},
		{"text_synonym", index.Query{Text: "亚马逊", Limit: 20}},
		{"text_two_words_filter", index.Query{Text: "丝绸 出口", Filter: xs, Limit: 20}},
		{"text_filter_facets_highlight", index.Query{Text: "跨境电子商务 家具", Filter: ready, Facets: []string{"district", "markets"}, Highlight: true, Limit: 20}},
		{"text_uscc", index.Query{Text: "91330100000012345X", Limit: 20}},
		{"deep_page", index.Query{Filter: xs, Sort: []index.SortBy{{Field: "benefit_fen"}}, Offset: 5000, Limit: 100}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			res, err := e.Search(ctx, index.KindFirm, c.q)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := e.Search(ctx, index.KindFirm, c.q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Total), "matches")
		})
	}
}

func ptr(v float64) *float64 { return &v }

// TestMain closes the benchmark index, which removes its scratch directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchEngine != nil {
		_ = benchEngine.Close()
	}
	os.Exit(code)
}
