package index

import (
	"sort"
	"strings"
	"sync"
)

// synonymGroups lists terms that mean the same thing to the programme's users.
// Every group is multi-way: a search for any term also finds the others.
// Both engines use it (Meilisearch as its synonyms setting, Bleve by expanding
// the query text).
var synonymGroups = [][]string{
	// cross-border e-commerce vocabulary
	{"跨境电商", "跨境电子商务"},
	{"海外仓", "海外仓储"},
	{"独立站", "自建站", "DTC"},
	{"亚马逊", "Amazon"},
	{"速卖通", "AliExpress"},
	{"阿里国际站", "阿里巴巴国际站", "Alibaba.com"},
	{"TikTok", "抖音海外版", "TikTok Shop"},
	{"Temu", "拼多多跨境"},
	{"SHEIN", "希音"},
	{"Shopify", "shopify独立站"},
	{"义乌小商品", "小商品"},
	{"跨境物流", "国际物流"},
	{"出口退税", "退税"},
	// one district one brand (一区一品) belt nicknames
	{"萧山羽绒", "萧山羽绒服", "萧山羽绒产业带"},
	{"临平服装", "艺尚小镇", "临平时尚服装"},
	{"桐庐制笔", "分水制笔", "桐庐笔业"},
	{"富阳体育用品", "富阳运动器材"},
	{"余杭家纺", "余杭家用纺织"},
	{"滨江数字贸易", "滨江数贸"},
	{"建德五金", "建德五金工具"},
	{"淳安茶叶", "千岛湖茶"},
	// association abbreviations
	{"杭服协", "杭州市服装行业协会"},
	{"杭丝协", "杭州丝绸行业协会"},
	{"杭跨协", "杭州市跨境电子商务协会"},
	{"杭家协", "杭州市家具行业协会"},
	{"杭电商协", "杭州市电子商务协会"},
	{"杭外经协", "杭州市对外经济贸易企业协会"},
	// HS chapter names (chapter numbers themselves are keywords, not synonyms)
	{"服装", "服饰", "针织服装", "梭织服装"},
	{"家具", "家居"},
	{"电机电气", "机电产品", "电气设备"},
	{"玩具", "玩具体育用品"},
	{"体育用品", "运动用品", "运动器材"},
	{"箱包", "皮具", "旅行用品"},
	{"鞋靴", "鞋类", "鞋子"},
	{"丝绸", "真丝", "蚕丝制品"},
	{"羽绒", "羽绒制品"},
}

// SynonymGroups returns a copy of the dictionary: each group lists terms that
// mean the same.
func SynonymGroups() [][]string {
	out := make([][]string, len(synonymGroups))
	for i, g := range synonymGroups {
		out[i] = append([]string(nil), g...)
	}
	return out
}

// SynonymMap returns the dictionary as Meilisearch's synonyms setting: every
// term maps to every other term of its groups (multi-way).
func SynonymMap() map[string][]string {
	m := map[string][]string{}
	for _, g := range synonymGroups {
		for _, t := range g {
			for _, o := range g {
				if o != t {
					m[t] = appendUnique(m[t], o)
				}
			}
		}
	}
	return m
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

var (
	synOnce  sync.Once
	synTerms []synTerm // longest first
)

type synTerm struct {
	lower  string
	others []string
}

func loadSynTerms() {
	for t, others := range SynonymMap() {
		synTerms = append(synTerms, synTerm{lower: strings.ToLower(t), others: others})
	}
	sort.Slice(synTerms, func(i, j int) bool {
		if len(synTerms[i].lower) != len(synTerms[j].lower) {
			return len(synTerms[i].lower) > len(synTerms[j].lower)
		}
		return synTerms[i].lower < synTerms[j].lower
	})
}

// ExpandSynonyms returns word followed by its variants: for every dictionary
// term found in word (case-insensitively, as the whole word or inside it, as
// Chinese has no spaces), word with that term replaced by each of the term's
// synonyms. The result has no duplicates and is bounded (at most 16 variants).
func ExpandSynonyms(word string) []string {
	synOnce.Do(loadSynTerms)
	out := []string{word}
	lw := strings.ToLower(word)
	for _, st := range synTerms {
		i := strings.Index(lw, st.lower)
		if i < 0 {
			continue
		}
		// lower-casing may change byte lengths outside ASCII; replace only
		// when the original has the same bytes length at that spot.
		if len(strings.ToLower(word[:min(len(word), i)])) != i {
			continue
		}
		end := i + len(st.lower)
		if end > len(word) || strings.ToLower(word[i:end]) != st.lower {
			continue
		}
		for _, o := range st.others {
			out = appendUnique(out, word[:i]+o+word[end:])
			if len(out) > 16 {
				return out
			}
		}
	}
	return out
}
