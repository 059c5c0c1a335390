package eval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
)

// Depth is the cut-off of the measures: nDCG@10 and recall@10.
const Depth = 10

// listSize is how many results each match RPC is asked for: enough to
// compare whole lists across engines, not only their first page.
const listSize = 100

// NDCG returns nDCG@k of ranked (keys, best first) against graded labels:
// DCG with gain 2^grade − 1 and discount log2(rank + 1), divided by the DCG
// of the labels in their ideal order. It is 0 when nothing is labelled.
func NDCG(ranked []string, labels map[string]int, k int) float64 {
	dcg := 0.0
	for i, key := range ranked[:min(k, len(ranked))] {
		dcg += gain(labels[key]) / math.Log2(float64(i+2))
	}
	grades := make([]int, 0, len(labels))
	for _, g := range labels {
		grades = append(grades, g)
	}
	slices.SortFunc(grades, func(a, b int) int { return b - a })
	ideal := 0.0
	for i, g := range grades[:min(k, len(grades))] {
		ideal += gain(g) / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

func gain(grade int) float64 { return math.Pow(2, float64(grade)) - 1 }

// Recall returns recall@k: the labelled (grade ≥ 1) keys in the first k
// of ranked, over min(labelled, k), so a query with more than k relevant
// records can still reach 1.
func Recall(ranked []string, labels map[string]int, k int) float64 {
	rel := 0
	for _, g := range labels {
		if g > 0 {
			rel++
		}
	}
	if rel == 0 {
		return 0
	}
	hit := 0
	for _, key := range ranked[:min(k, len(ranked))] {
		if labels[key] > 0 {
			hit++
		}
	}
	return float64(hit) / float64(min(rel, k))
}

// QueryResult is one query firm's ranking for one kind.
type QueryResult struct {
	Query  string
	Ranked []string // keys, best first, up to listSize
	// Why says, per ranked key, its score and reasons
	// ("0.612 ELIGIBLE+0.35 NEED_COVERED+0.10 …").
	Why    []string
	NDCG   float64
	Recall float64
}

// KindResult is one kind's results on one engine.
type KindResult struct {
	Kind    Kind
	Queries []QueryResult
	NDCG    float64 // mean over queries
	Recall  float64 // mean over queries
	// Latency is the mean time of one match RPC.
	Latency time.Duration
}

// Report is an evaluation of one engine.
type Report struct {
	Engine string
	Kinds  []KindResult
}

// Kind returns the result of kind k.
func (r *Report) Kind(k Kind) *KindResult {
	for i := range r.Kinds {
		if r.Kinds[i].Kind == k {
			return &r.Kinds[i]
		}
	}
	return nil
}

// Evaluate asks c, as the stack's bureau admin, for every query firm's
// policies, associations and belts and scores the ranked ids against the
// labels.
func (s *Stack) Evaluate(ctx context.Context, engine string, c matchv1.MatchServiceClient, set *Set) (*Report, error) {
	rep := &Report{Engine: engine}
	ctx = s.Caller(ctx)
	for _, kind := range Kinds() {
		kr := KindResult{Kind: kind}
		var spent time.Duration
		for _, q := range set.Queries {
			start := time.Now()
			ids, why, err := rankedIDs(ctx, c, kind, s.IDs.Queries[q.Key])
			spent += time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("eval: %s %s on %s: %w", kind, q.Key, engine, err)
			}
			ranked := make([]string, len(ids))
			for i, id := range ids {
				ranked[i] = s.IDs.Key(id)
			}
			labels := q.Labels.Of(kind)
			kr.Queries = append(kr.Queries, QueryResult{Query: q.Key, Ranked: ranked, Why: why, NDCG: NDCG(ranked, labels, Depth), Recall: Recall(ranked, labels, Depth)})
		}
		for _, qr := range kr.Queries {
			kr.NDCG += qr.NDCG / float64(len(kr.Queries))
			kr.Recall += qr.Recall / float64(len(kr.Queries))
		}
		kr.Latency = spent / time.Duration(max(len(set.Queries), 1))
		rep.Kinds = append(rep.Kinds, kr)
	}
	return rep, nil
}

// match is what every match result has in common.
type match interface {
	GetId() string
	GetScore() float64
	GetReasons() []*matchv1.Reason
}

func rankedIDs(ctx context.Context, c matchv1.MatchServiceClient, kind Kind, firmID string) ([]string, []string, error) {
	var ms []match
	switch kind {
	case KindPolicies:
		resp, err := c.ListFirmPolicyMatches(ctx, &matchv1.ListFirmPolicyMatchesRequest{FirmId: firmID, PageSize: listSize})
		if err != nil {
			return nil, nil, err
		}
		for _, m := range resp.GetMatches() {
			ms = append(ms, m)
		}
	case KindAssociations:
		resp, err := c.ListFirmAssociationMatches(ctx, &matchv1.ListFirmAssociationMatchesRequest{FirmId: firmID, PageSize: listSize})
		if err != nil {
			return nil, nil, err
		}
		for _, m := range resp.GetMatches() {
			ms = append(ms, m)
		}
	case KindBelts:
		resp, err := c.ListFirmIndustryBeltMatches(ctx, &matchv1.ListFirmIndustryBeltMatchesRequest{FirmId: firmID, PageSize: listSize})
		if err != nil {
			return nil, nil, err
		}
		for _, m := range resp.GetMatches() {
			ms = append(ms, m)
		}
	}
	ids, why := make([]string, len(ms)), make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.GetId()
		var b strings.Builder
		fmt.Fprintf(&b, "%.3f", m.GetScore())
		for _, r := range m.GetReasons() {
			fmt.Fprintf(&b, " %s+%.2f", strings.TrimPrefix(r.GetCode().String(), "REASON_CODE_"), r.GetContribution())
		}
		why[i] = b.String()
	}
	return ids, why, nil
}

// Worst returns the n queries of kr with the lowest nDCG@10 (ties by
// set order), to show where the ranking and the labels disagree most.
func (kr *KindResult) Worst(n int) []QueryResult {
	qs := slices.Clone(kr.Queries)
	slices.SortStableFunc(qs, func(a, b QueryResult) int {
		switch {
		case a.NDCG < b.NDCG:
			return -1
		case a.NDCG > b.NDCG:
			return 1
		}
		return 0
	})
	return qs[:min(n, len(qs))]
}
