package bleveindex

import (
	"context"
	"fmt"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/qihang-hz/qihang/services/match/index"
)

// Search implements index.Engine. Bleve matches and scores the text; the
// filter, the facets, the total and the order come from the memIndex.
func (e *Engine) Search(ctx context.Context, kind index.Kind, q index.Query) (index.Result, error) {
	k, err := e.kind(kind)
	if err != nil {
		return index.Result{}, err
	}
	// k.mu held for reading keeps the live index, its documents and its
	// schema together: a rebuild's Commit waits for searches in flight.
	k.mu.RLock()
	defer k.mu.RUnlock()
	s, analyzer := k.schema, k.analyzer
	if err := s.ValidateQuery(q); err != nil {
		return index.Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return index.Result{}, ctxErr("search", err)
	}
	textQ, terms := textQuery(s, analyzer, q.Text)
	var matches []textMatch
	var res *resolver
	if textQ != nil {
		if matches, res, err = textMatches(ctx, k.live, &k.segIDs, textQ); err != nil {
			return index.Result{}, err
		}
	}

	k.cmu.RLock()
	defer k.cmu.RUnlock()
	m := k.mem
	o := order{byScore: textQ != nil && len(q.Sort) == 0, sorts: q.Sort}
	top := newTopN(o, m, q.Offset+q.Limit)
	var set *roaring.Bitmap
	var maxScore float64
	if textQ == nil {
		set = m.filter(q.Filter)
		if q.Limit > 0 {
			it := set.Iterator()
			for it.HasNext() {
				top.offer(it.Next(), 0)
			}
		}
	} else {
		allowed := m.filter(q.Filter)
		set = roaring.New()
		for i := range matches {
			ord, ok := res.ordinal(m, matches[i].num)
			if !ok || !allowed.Contains(ord) || set.Contains(ord) {
				continue // written since the text search, or filtered out
			}
			set.Add(ord)
			top.offer(ord, matches[i].score)
			maxScore = max(maxScore, matches[i].score)
		}
	}
	out := index.Result{Total: int(set.GetCardinality())}
	if len(q.Facets) > 0 {
		out.Facets = m.facets(set, q.Facets)
	}
	if q.Limit == 0 {
		return out, nil
	}
	best := top.best()
	out.Hits = make([]index.Hit, 0, max(0, len(best)-q.Offset))
	for _, r := range best[min(q.Offset, len(best)):] {
		d := m.docs[r.ord]
		hit := index.Hit{Doc: d} // shared with the memIndex: callers only read hits
		if textQ != nil && maxScore > 0 {
			hit.Score = min(r.score/maxScore, 1)
		}
		if q.Highlight && textQ != nil {
			hit.Highlights = highlights(s, analyzer, d, terms)
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// textMatch is one document the text matched: its number in the snapshot
// and Bleve's score.
type textMatch struct {
	num   uint64
	score float64
}

// textMatches runs q on idx and returns every match with the resolver of
// their ordinals.
func textMatches(ctx context.Context, idx bleve.Index, ids *segmentIDs, q query.Query) ([]textMatch, *resolver, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: bleve: %w", index.ErrUnavailable, err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: bleve reader: %w", index.ErrUnavailable, err)
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, nil, fmt.Errorf("bleve: %T is not a scorch snapshot", r)
	}
	res, err := ids.forSnapshot(snap)
	if err != nil {
		return nil, nil, err
	}
	searcher, err := q.Searcher(ctx, r, idx.Mapping(), search.SearcherOptions{})
	if err != nil {
		return nil, nil, ctxErr("search", err)
	}
	defer searcher.Close()
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(searcher.DocumentMatchPoolSize(), 0),
		IndexReader:       r,
	}
	var out []textMatch
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, ctxErr("search", err)
			}
		}
		dm, err := searcher.Next(sctx)
		if err != nil {
			return nil, nil, ctxErr("search", err)
		}
		if dm == nil {
			return out, res, nil
		}
		out = append(out, textMatch{num: dm.IndexInternalID.Value(), score: dm.Score})
		sctx.DocumentMatchPool.Put(dm)
	}
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
		words = append(words, anyOf(alts))
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

// anyOf matches what any of qs matches.
func anyOf(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
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

// SearchMany implements index.Engine: the queries one after another (there
// is no round trip to save).
func (e *Engine) SearchMany(ctx context.Context, reqs []index.Request) ([]index.Result, error) {
	out := make([]index.Result, len(reqs))
	for i, r := range reqs {
		res, err := e.Search(ctx, r.Kind, r.Query)
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}
