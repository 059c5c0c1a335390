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
	textQ, terms := textQuery(s, analyzer, q.Text)
	var must []query.Query
	if textQ != nil {
		must = append(must, textQ)
	}
	must = append(must, filterQueries(q.Filter)...)
	var root query.Query
	switch len(must) {
	case 0:
		root = bleve.NewMatchAllQuery()
	case 1:
		root = must[0]
	default:
		root = bleve.NewConjunctionQuery(must...)
	}
	scored := textQ != nil
	req := bleve.NewSearchRequestOptions(root, q.Limit, q.Offset, false)
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
		if q.Highlight && scored {
			hit.Highlights = highlights(s, analyzer, d, terms)
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
			return append(order, idOrder(sb.Desc))
		}
		order = append(order, &search.SortField{
			Field:   "n_" + sb.Field,
			Desc:    sb.Desc,
			Type:    search.SortFieldAsNumber,
			Missing: search.SortFieldMissingLast,
		})
	}
	return append(order, idOrder(false))
}

// idOrder sorts by the id's doc values. search.SortDocID would read every
// match's stored fields to learn its id, which cost more than the rest of
// a query at 100,000 documents.
func idOrder(desc bool) search.SearchSort {
	return &search.SortField{Field: idField, Desc: desc, Type: search.SortFieldAsString}
}

// textQuery builds the query for the person's text: every whitespace word must
// match (through the "all" field, a synonym of it, or exactly as the value of
// an ExactTextKeywords field); a word matches a text when the text holds all
// of the word's terms (CJK bigrams, Latin words). It also returns every term
// a word or synonym was analysed into, for highlighting.
//
// Relevance is Bleve's score on "all" alone, where the title counts
// titleWeight times. Scoring each field with its own boost took an optional
// clause per field and term, which doubled the postings read per query; a
// disjunction with a minimum ("two thirds of the bigrams") was tried too:
// inside a conjunction, bleve re-scans a minimum-disjunction that never
// matches on every Advance, which took 25 s for one query on 100,000
// documents.
func textQuery(s index.Schema, analyzer analysis.Analyzer, text string) (must query.Query, terms map[string]bool) {
	var words []query.Query
	terms = map[string]bool{}
	for _, w := range strings.Fields(text) {
		var alts []query.Query
		for _, variant := range index.ExpandSynonyms(w) {
			ts := analyse(analyzer, variant)
			if len(ts) == 0 {
				continue
			}
			alts = append(alts, allOf(ts, "all"))
			for _, t := range ts {
				terms[t] = true
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
	switch len(words) {
	case 0:
		return nil, nil
	case 1:
		return words[0], terms
	default:
		return bleve.NewConjunctionQuery(words...), terms
	}
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

// highlights marks, in the title and each text field of a hit, the tokens
// that are query terms. It analyses only the page's hits, where asking Bleve
// for match locations would record them for every match.
func highlights(s index.Schema, analyzer analysis.Analyzer, d index.Document, terms map[string]bool) map[string]string {
	var out map[string]string
	mark := func(name, text string) {
		var spans []index.Span
		for _, tok := range analyzer.Analyze([]byte(text)) {
			if terms[string(tok.Term)] {
				spans = append(spans, index.Span{Start: tok.Start, End: tok.End})
			}
		}
		if len(spans) == 0 {
			return
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = index.HighlightSpans(text, spans)
	}
	mark("title", d.Title)
	for _, f := range s.TextFields {
		if t := d.Text[f]; t != "" {
			mark(f, t)
		}
	}
	return out
}
