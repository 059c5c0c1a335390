package indextest

import (
	"fmt"
	"math/rand/v2"

	"github.com/qihang-hz/qihang/services/match/index"
)

var (
	benchDistricts  = []string{"上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市"}
	benchProducts   = []string{"羽绒服", "针织衫", "丝绸围巾", "办公家具", "户外家具", "运动器材", "制笔", "箱包", "女鞋", "家纺四件套", "小家电", "电机", "玩具", "茶叶", "五金工具", "汽车配件", "宠物用品", "灯具"}
	benchMarkets    = []string{"US", "DE", "GB", "FR", "JP", "KR", "AU", "AE", "SA", "BR", "MX", "RU", "SG", "MY", "TH", "VN"}
	benchPlatforms  = []string{"亚马逊", "速卖通", "阿里国际站", "TikTok", "Temu", "SHEIN", "独立站", "eBay"}
	benchHSChapters = []string{"61", "62", "94", "85", "95", "42", "64", "63", "50", "96", "84", "87"}
	benchStatus     = []string{"active", "paused", "draft"}
)

// BenchFirms makes n firm-like documents of FirmSchema, the same on every
// call, for the engines' search benchmarks.
func BenchFirms(n int) []index.Document {
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

// BenchQuery is one named query of the search benchmarks.
type BenchQuery struct {
	Name  string
	Query index.Query
}

// BenchQueries are the queries both engines' search benchmarks run on
// BenchFirms: filters, sorting, facets, text, synonyms, highlighting, an
// exact USCC and a deep page.
func BenchQueries() []BenchQuery {
	ptr := func(v float64) *float64 { return &v }
	xs := index.Filter{All: [][]index.Cond{{{Field: "district", AnyOf: []string{"萧山区"}}}}}
	ready := index.Filter{All: [][]index.Cond{
		{{Field: "district", AnyOf: []string{"萧山区", "余杭区"}}},
		{{Field: "status", AnyOf: []string{"active"}}},
		{{Field: "readiness", Min: ptr(60)}},
	}}
	byReadiness := []index.SortBy{{Field: "readiness", Desc: true}, {Field: index.IDField}}
	return []BenchQuery{
		{"filter_only", index.Query{Filter: xs, Limit: 20}},
		{"filter_sort_facets", index.Query{Filter: ready, Sort: byReadiness, Facets: []string{"markets", "industry"}, Limit: 20}},
		{"prospects_500", index.Query{Filter: index.Filter{All: [][]index.Cond{{{Field: "industry", AnyOf: []string{"羽绒服"}}}}}, Sort: byReadiness, Limit: 500}},
		{"prospects_20", index.Query{Filter: index.Filter{All: [][]index.Cond{{{Field: "industry", AnyOf: []string{"羽绒服"}}}}}, Sort: byReadiness, Limit: 20}},
		{"text_one_word", index.Query{Text: "羽绒服", Limit: 20}},
		{"text_synonym", index.Query{Text: "亚马逊", Limit: 20}},
		{"text_two_words_filter", index.Query{Text: "丝绸 出口", Filter: xs, Limit: 20}},
		{"text_filter_facets_highlight", index.Query{Text: "跨境电子商务 家具", Filter: ready, Facets: []string{"district", "markets"}, Highlight: true, Limit: 20}},
		{"text_uscc", index.Query{Text: "91330100000012345X", Limit: 20}},
		{"deep_page", index.Query{Filter: xs, Sort: []index.SortBy{{Field: "benefit_fen"}}, Offset: 5000, Limit: 100}},
	}
}
