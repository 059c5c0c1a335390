package bleveindex

import (
	"context"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/qihang-hz/qihang/services/match/index"
)

// Search implements index.Engine.
func (e *Engine) Search(ctx context.Context, kind index.Kind, q index.Query) (index.Result, error) {
	k, err := e.kind(kind)
	if err != nil {
		return index.Result{}, err
	}
	s, analyzer := k.snapshot()
	if err := s.ValidateQuery(q); err != nil {
		return index.Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return index.Result{}, ctxErr("search", err)
	}
	textQ, scoreQ := textQuery(s, analyzer, q.Text)
	var must []query.Query
	if textQ != nil {
		must = append(must, textQ)
	}
	must = append(must, filterQueries(q.Filter)...)
	var root query.Query
	switch {
	case len(must) == 0:
		root = bleve.NewMatchAllQuery()
	case scoreQ == nil && len(must) == 1:
		root = must[0]
	default:
		bq := bleve.NewBooleanQuery()
		bq.AddMust(must...)
		if scoreQ != nil {
			// optional: scores and highlight locations per field
			bq.AddShould(scoreQ)
		}
		root = bq
	}
	scored := textQ != nil
	req := bleve.NewSearchRequestOptions(root, q.Limit, q.Offset, false)
	req.IncludeLocations = q.Highlight && scored
	req.SortByCustom(sortOrder(q.Sort, scored))
	for _, f := range q.Facets {
		req.AddFacet(f, bleve.NewFacetRequest("k_"+f, index.MaxFacetValues))
	}
	res, err := k.alias.SearchInContext(ctx, req)
	if err != nil {
		return index.Result{}, ctxErr("search", err)
	}
	out := index.Result{Total: int(res.Total)}
	if q.Limit > 0 {
		out.Hits = make([]index.Hit, 0, len(res.Hits))
	}
	for _, h := range res.Hits {
		d, ok, err := e.load(ctx, k, h.ID)
		if err != nil {
			return index.Result{}, err
		}
		if !ok {
			continue // deleted between the search and the load
		}
		hit := index.Hit{Doc: d}
		if scored && res.MaxScore > 0 {
			hit.Score = min(h.Score/res.MaxScore, 1)
		}
		if req.IncludeLocations {
			hit.Highlights = highlights(d, h.Locations)
		}
		out.Hits = append(out.Hits, hit)
	}
	if len(q.Facets) > 0 {
		out.Facets = map[string]map[string]int{}
		for _, f := range q.Facets {
			counts := map[string]int{}
			if fr := res.Facets[f]; fr != nil {
				for _, t := range fr.Terms.Terms() {
					counts[t.Term] = t.Count
				}
			}
			out.Facets[f] = counts
		}
	}
	return out, nil
}

func sortOrder(sorts []index.SortBy, scored bool) search.SortOrder {
	var order search.SortOrder
	if len(sorts) == 0 && scored {
		order = append(order, &search.SortScore{Desc: true})
	}
	for _, sb := range sorts {
		if sb.Field == index.IDField {
			return append(order, &search.SortDocID{Desc: sb.Desc})
		}
		order = append(order, &search.SortField{
			Field:   "n_" + sb.Field,
			Desc:    sb.Desc,
			Type:    search.SortFieldAsNumber,
			Missing: search.SortFieldMissingLast,
		})
	}
	return append(order, &search.SortDocID{})
}

// textQuery builds the query for the person's text: every whitespace word must
// match (through the "all" field, a synonym of it, or exactly as the value of
// an ExactTextKeywords field); a word matches a text when the text holds all
// of the word's terms (CJK bigrams, Latin words). A disjunction with a minimum
// ("two thirds of the bigrams") was tried: inside a conjunction, bleve re-scans
// a minimum-disjunction that never matches on every Advance, which took 25 s
// for one query on 100,000 documents.
// The second query scores the fields (title highest) and yields highlight
// locations; it is optional.
func textQuery(s index.Schema, analyzer analysis.Analyzer, text string) (must, should query.Query) {
	var words []query.Query
	var scoring []query.Query
	for _, w := range strings.Fields(text) {
		var alts []query.Query
		for _, variant := range index.ExpandSynonyms(w) {
			terms := analyse(analyzer, variant)
			if len(terms) == 0 {
				continue
			}
			alts = append(alts, allOf(terms, "all"))
			for i, field := range scoreFields(s) {
				scoring = append(scoring, boosted(anyOf(terms, field), fieldBoost(i)))
			}
		}
		for _, f := range s.ExactTextKeywords {
			for _, v := range uniq(w, strings.ToUpper(w)) {
				tq := bleve.NewTermQuery(v)
				tq.SetField("k_" + f)
				alts = append(alts, tq)
			}
		}
		if len(alts) == 0 {
			continue
		}
		words = append(words, disjunction(alts, 1))
	}
	if len(words) == 0 {
		return nil, nil
	}
	if len(words) == 1 {
		must = words[0]
	} else {
		must = bleve.NewConjunctionQuery(words...)
	}
	if len(scoring) > 0 {
		should = disjunction(scoring, 1)
	}
	return must, should
}

func scoreFields(s index.Schema) []string {
	out := []string{"title"}
	for _, f := range s.TextFields {
		out = append(out, "t_"+f)
	}
	return out
}

// fieldBoost: title 3, then the text fields in schema order 2, 1.5, 1.25, …
func fieldBoost(i int) float64 {
	if i == 0 {
		return 3
	}
	b := 1.0
	step := 1.0
	for j := 1; j < i; j++ {
		step /= 2
	}
	return b + step
}

func boosted(q query.Query, boost float64) query.Query {
	if bq, ok := q.(query.BoostableQuery); ok {
		bq.SetBoost(boost)
	}
	return q
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// analyse returns the distinct terms the CJK analyzer makes of text.
func analyse(analyzer analysis.Analyzer, text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, tok := range analyzer.Analyze([]byte(text)) {
		t := string(tok.Term)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func allOf(terms []string, field string) query.Query {
	if len(terms) == 1 {
		tq := bleve.NewTermQuery(terms[0])
		tq.SetField(field)
		return tq
	}
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := bleve.NewTermQuery(t)
		tq.SetField(field)
		qs[i] = tq
	}
	return bleve.NewConjunctionQuery(qs...)
}

func anyOf(terms []string, field string) query.Query {
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := bleve.NewTermQuery(t)
		tq.SetField(field)
		qs[i] = tq
	}
	return disjunction(qs, 1)
}

func disjunction(qs []query.Query, minimum int) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	d := bleve.NewDisjunctionQuery(qs...)
	d.SetMin(float64(minimum))
	return d
}

func filterQueries(f index.Filter) []query.Query {
	out := make([]query.Query, 0, len(f.All))
	for _, g := range f.All {
		conds := make([]query.Query, 0, len(g))
		for _, c := range g {
			conds = append(conds, condQuery(c))
		}
		out = append(out, disjunction(conds, 1))
	}
	return out
}

func condQuery(c index.Cond) query.Query {
	var q query.Query
	switch {
	case c.Min != nil || c.Max != nil:
		yes := true
		nq := bleve.NewNumericRangeInclusiveQuery(c.Min, c.Max, &yes, &yes)
		nq.SetField("n_" + c.Field)
		q = nq
	case c.Field == index.IDField:
		q = bleve.NewDocIDQuery(c.AnyOf)
	default:
		terms := make([]query.Query, len(c.AnyOf))
		for i, v := range c.AnyOf {
			tq := bleve.NewTermQuery(v)
			tq.SetField("k_" + c.Field)
			terms[i] = tq
		}
		q = disjunction(terms, 1)
	}
	if !c.Not {
		return q
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(bleve.NewMatchAllQuery())
	bq.AddMustNot(q)
	return bq
}

// highlights builds the highlighted Title/Text fields from the match
// locations (byte offsets into the stored texts).
func highlights(d index.Document, locs search.FieldTermLocationMap) map[string]string {
	var out map[string]string
	for field, terms := range locs {
		var name, text string
		switch {
		case field == "title":
			name, text = "title", d.Title
		case strings.HasPrefix(field, "t_"):
			name = strings.TrimPrefix(field, "t_")
			text = d.Text[name]
		default:
			continue
		}
		var spans []index.Span
		for _, ls := range terms {
			for _, l := range ls {
				spans = append(spans, index.Span{Start: int(l.Start), End: int(l.End)})
			}
		}
		if len(spans) == 0 {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = index.HighlightSpans(text, spans)
	}
	return out
}
