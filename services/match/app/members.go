package app

import (
	"slices"
	"sync"

	"github.com/qihang-hz/qihang/services/match/docs"
	"github.com/qihang-hz/qihang/services/match/index"
)

// MemberStats counts, per association, its registered member firms by
// industry and by target market, and, per belt, the associations carrying
// it. The index sync feeds it every applied firm and belt document, so it
// follows the indexes; association reasons read it instead of querying the
// firms index once per candidate.
type MemberStats struct {
	mu sync.RWMutex
	// firms remembers what each firm contributed, to take it back.
	firms map[string]firmContribution
	// byAssoc counts per association.
	byAssoc map[string]*assocCounts
	// belts lists, per belt, the associations it names; carried is the
	// reverse, per association.
	belts   map[string][]string // belt id -> association ids
	carried map[string][]string // association id -> belt ids
}

type firmContribution struct {
	assocs   []string
	industry string
	markets  []string
}

type assocCounts struct {
	members    int
	industries map[string]int
	markets    map[string]int
}

// NewMemberStats returns empty statistics.
func NewMemberStats() *MemberStats {
	return &MemberStats{firms: map[string]firmContribution{}, byAssoc: map[string]*assocCounts{}, belts: map[string][]string{}, carried: map[string][]string{}}
}

// Applied implements indexsync.Observer.
func (m *MemberStats) Applied(kind index.Kind, id string, doc *index.Document) {
	switch kind {
	case index.KindFirm:
		m.applyFirm(id, doc)
	case index.KindBelt:
		m.mu.Lock()
		for _, a := range m.belts[id] {
			m.carried[a] = slices.DeleteFunc(m.carried[a], func(b string) bool { return b == id })
			if len(m.carried[a]) == 0 {
				delete(m.carried, a)
			}
		}
		if doc == nil {
			delete(m.belts, id)
		} else {
			assocs := slices.Compact(slices.Sorted(slices.Values(doc.Keywords[docs.FAssociationIDs])))
			m.belts[id] = assocs
			for _, a := range assocs {
				m.carried[a] = append(m.carried[a], id)
				slices.Sort(m.carried[a])
			}
		}
		m.mu.Unlock()
	}
}

func (m *MemberStats) applyFirm(id string, doc *index.Document) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.firms[id]; ok {
		m.count(old, -1)
		delete(m.firms, id)
	}
	if doc == nil {
		return
	}
	c := firmContribution{assocs: doc.Keywords[docs.FAssociationIDs], markets: doc.Keywords[docs.FMarkets]}
	if ind := doc.Keywords[docs.FIndustry]; len(ind) > 0 {
		c.industry = ind[0]
	}
	m.firms[id] = c
	m.count(c, 1)
}

func (m *MemberStats) count(c firmContribution, d int) {
	for _, a := range c.assocs {
		ac := m.byAssoc[a]
		if ac == nil {
			ac = &assocCounts{industries: map[string]int{}, markets: map[string]int{}}
			m.byAssoc[a] = ac
		}
		ac.members += d
		if c.industry != "" {
			ac.industries[c.industry] += d
		}
		for _, mk := range c.markets {
			ac.markets[mk] += d
		}
		if ac.members <= 0 {
			delete(m.byAssoc, a)
		}
	}
}

// Members returns an association's registered member count, and how many
// of them work in industry and export to each of markets.
func (m *MemberStats) Members(assoc, industry string, markets []string) (total, sameIndustry int, perMarket map[string]int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ac := m.byAssoc[assoc]
	if ac == nil {
		return 0, 0, nil
	}
	perMarket = map[string]int{}
	for _, mk := range markets {
		if n := ac.markets[mk]; n > 0 {
			perMarket[mk] = n
		}
	}
	return ac.members, ac.industries[industry], perMarket
}

// MemberMarkets returns the markets an association's members export to.
func (m *MemberStats) MemberMarkets(assoc string) map[string]int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := map[string]int{}
	if ac := m.byAssoc[assoc]; ac != nil {
		for k, v := range ac.markets {
			out[k] = v
		}
	}
	return out
}

// BeltsCarriedBy returns the belts that name an association, by id.
func (m *MemberStats) BeltsCarriedBy(assoc string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.carried[assoc])
}

// WithMemberReasons returns, sorted, the associations that have a member
// working in industry or exporting to one of markets, or carry a belt: the
// ones whose member and belt reasons can count for such a firm.
func (m *MemberStats) WithMemberReasons(industry string, markets []string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for a, ac := range m.byAssoc {
		hit := industry != "" && ac.industries[industry] > 0
		for _, mk := range markets {
			hit = hit || ac.markets[mk] > 0
		}
		if hit {
			out = append(out, a)
		}
	}
	for a := range m.carried {
		out = append(out, a)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
