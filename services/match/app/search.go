package app

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/match/docs"
	"github.com/qihang-hz/qihang/services/match/index"
)

// MaxQueryRunes bounds a search query.
const MaxQueryRunes = 200

var kindOf = map[matchv1.DocumentKind]index.Kind{
	matchv1.DocumentKind_DOCUMENT_KIND_FIRM:          index.KindFirm,
	matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION:   index.KindAssociation,
	matchv1.DocumentKind_DOCUMENT_KIND_POLICY:        index.KindPolicy,
	matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT: index.KindBelt,
	matchv1.DocumentKind_DOCUMENT_KIND_EXPERT:        index.KindExpert,
}

// kindOrder is the contract's order of kinds.
var kindOrder = []matchv1.DocumentKind{
	matchv1.DocumentKind_DOCUMENT_KIND_FIRM, matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION,
	matchv1.DocumentKind_DOCUMENT_KIND_POLICY, matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT,
	matchv1.DocumentKind_DOCUMENT_KIND_EXPERT,
}

// facetField is the keyword field each facet counts, per kind.
var facetField = map[matchv1.SearchFacet]map[index.Kind]string{
	matchv1.SearchFacet_SEARCH_FACET_DISTRICT: {index.KindFirm: docs.FDistrict, index.KindAssociation: docs.FDistrict,
		index.KindBelt: docs.FDistrict, index.KindPolicy: docs.FDistricts, index.KindExpert: docs.FDistricts},
	matchv1.SearchFacet_SEARCH_FACET_INDUSTRY:         {index.KindFirm: docs.FIndustry, index.KindAssociation: docs.FIndustries, index.KindBelt: docs.FIndustry},
	matchv1.SearchFacet_SEARCH_FACET_STAGE:            {index.KindFirm: docs.FStage, index.KindExpert: docs.FStages},
	matchv1.SearchFacet_SEARCH_FACET_PLATFORM:         {index.KindFirm: docs.FPlatforms, index.KindBelt: docs.FPlatforms, index.KindExpert: docs.FPlatforms},
	matchv1.SearchFacet_SEARCH_FACET_NEED:             {index.KindFirm: docs.FNeeds, index.KindExpert: docs.FSpecialties},
	matchv1.SearchFacet_SEARCH_FACET_MARKET:           {index.KindFirm: docs.FMarkets, index.KindBelt: docs.FMarkets, index.KindExpert: docs.FMarkets},
	matchv1.SearchFacet_SEARCH_FACET_HS_CHAPTER:       {index.KindFirm: docs.FHSChapters, index.KindBelt: docs.FHSChapters},
	matchv1.SearchFacet_SEARCH_FACET_POLICY_CATEGORY:  {index.KindPolicy: docs.FCategories},
	matchv1.SearchFacet_SEARCH_FACET_POLICY_LEVEL:     {index.KindPolicy: docs.FLevel},
	matchv1.SearchFacet_SEARCH_FACET_ASSOCIATION_TYPE: {index.KindAssociation: docs.FType},
}

// filterSpec is one request filter: its facet (for disjunctive counts),
// its values, and the field it applies to per kind.
type filterSpec struct {
	facet  matchv1.SearchFacet
	values []string
	fields map[index.Kind]string
}

var hsChapterRE = regexp.MustCompile(`^[0-9]{2}$`)

// Search is search-as-you-type across every kind the caller may see.
func (s *Service) Search(ctx context.Context, req *matchv1.SearchRequest) (*matchv1.SearchResponse, error) {
	caller := auth.FromContext(ctx)
	if caller.Role == auth.RoleService {
		return nil, apperr.PermissionDenied("无权执行此操作")
	}
	q := strings.TrimSpace(req.GetQ())
	v := &apperr.ValidationError{}
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		v.Add("q", "搜索词不能超过%d个字", MaxQueryRunes)
	}
	for i, k := range req.GetKinds() {
		if _, ok := kindOf[k]; !ok {
			v.Add(fmt.Sprintf("kinds[%d]", i), "不是可搜索的类型")
		}
	}
	checkEnums(v, "districts", req.GetDistricts())
	checkEnums(v, "industries", req.GetIndustries())
	checkEnums(v, "stages", req.GetStages())
	checkEnums(v, "platforms", req.GetPlatforms())
	checkEnums(v, "needs", req.GetNeeds())
	checkEnums(v, "policy_categories", req.GetPolicyCategories())
	checkEnums(v, "policy_levels", req.GetPolicyLevels())
	checkEnums(v, "association_types", req.GetAssociationTypes())
	for i, m := range req.GetMarkets() {
		if !refdata.ValidMarket(m) {
			v.Add(fmt.Sprintf("markets[%d]", i), "须为ISO 3166-1两位大写国家代码，如US")
		}
	}
	for i, ch := range req.GetHsChapters() {
		if !hsChapterRE.MatchString(ch) || ch < "01" || ch > "97" {
			v.Add(fmt.Sprintf("hs_chapters[%d]", i), "须为两位HS章节号，01至97")
		}
	}
	if a := req.GetAssociationId(); a != "" && !ids.Valid(a) {
		v.Add("association_id", "不是有效的id")
	}
	for i, f := range req.GetFacets() {
		if _, ok := facetField[f]; !ok && f != matchv1.SearchFacet_SEARCH_FACET_KIND {
			v.Add(fmt.Sprintf("facets[%d]", i), "不是可统计的维度")
		}
	}
	p, perr := paging.Parse(req.GetPageSize(), req.GetPageToken(), searchKey(req))
	if pv, ok := apperr.AsValidation(perr); ok {
		v.Merge("", pv)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	visible := s.visibleKinds(caller)
	kinds := req.GetKinds()
	if len(kinds) == 0 {
		kinds = visible
	}
	for _, k := range kinds {
		if !slices.Contains(visible, k) {
			if caller.Anonymous() {
				return nil, apperr.Unauthenticated("请先登录后搜索%s", kindLabel(kindOf[k]))
			}
			return nil, apperr.PermissionDenied("无权搜索%s", kindLabel(kindOf[k]))
		}
	}
	specs := searchFilters(req)

	type kindResult struct {
		kind matchv1.DocumentKind
		res  index.Result
	}
	window := min(p.Offset+p.Size, MaxResults)
	// Facets whose own filter is not set count over the same documents as
	// the hits, so the main query computes them; the others need a query
	// without their filter (disjunctive faceting). Every query goes to the
	// engine in one SearchMany.
	filtered := map[matchv1.SearchFacet]bool{}
	for _, f := range specs {
		filtered[f.facet] = true
	}
	var reqs []index.Request
	mainAt := map[matchv1.DocumentKind]int{}
	for _, k := range kindOrder {
		if !slices.Contains(kinds, k) || !s.hasKind(kindOf[k]) {
			continue
		}
		filter, ok := s.kindFilter(caller, kindOf[k], specs, -1)
		if !ok {
			continue // a filter names a field this kind lacks
		}
		var facets []string
		for _, f := range req.GetFacets() {
			if field, ok := facetField[f][kindOf[k]]; ok && !filtered[f] && !slices.Contains(facets, field) {
				facets = append(facets, field)
			}
		}
		mainAt[k] = len(reqs)
		reqs = append(reqs, index.Request{Kind: kindOf[k], Query: index.Query{Text: q, Filter: filter, Limit: window, Highlight: q != "", Sort: sortFor(q), Facets: facets}})
	}
	facetAt := map[facetKind]int{}
	for _, f := range req.GetFacets() {
		for _, k := range kindOrder {
			if !slices.Contains(kinds, k) || !s.hasKind(kindOf[k]) {
				continue
			}
			if _, done := mainAt[k]; done && !filtered[f] {
				continue // counted by the main query
			}
			if _, seen := facetAt[facetKind{f, k}]; seen {
				continue
			}
			var facets []string
			if f != matchv1.SearchFacet_SEARCH_FACET_KIND {
				field, ok := facetField[f][kindOf[k]]
				if !ok {
					continue
				}
				facets = []string{field}
			}
			filter, ok := s.kindFilter(caller, kindOf[k], specs, f)
			if !ok {
				continue
			}
			facetAt[facetKind{f, k}] = len(reqs)
			reqs = append(reqs, index.Request{Kind: kindOf[k], Query: index.Query{Text: q, Filter: filter, Facets: facets}})
		}
	}
	all, err := s.searchMany(ctx, reqs)
	if err != nil {
		return nil, err
	}
	var results []kindResult
	for _, k := range kindOrder {
		if i, ok := mainAt[k]; ok {
			results = append(results, kindResult{k, all[i]})
		}
	}

	type hit struct {
		kind matchv1.DocumentKind
		h    index.Hit
	}
	var hits []hit
	total := 0
	for _, r := range results {
		total += r.res.Total
		for _, h := range r.res.Hits {
			hits = append(hits, hit{r.kind, h})
		}
	}
	kindRank := func(k matchv1.DocumentKind) int { return slices.Index(kindOrder, k) }
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if q != "" && a.h.Score != b.h.Score {
			return a.h.Score > b.h.Score
		}
		if a.kind != b.kind {
			return kindRank(a.kind) < kindRank(b.kind)
		}
		return a.h.Doc.ID < b.h.Doc.ID
	})
	total = min(total, MaxResults)
	resp := &matchv1.SearchResponse{TotalSize: int32(total)}
	if p.Offset < len(hits) {
		end := min(p.Offset+p.Size, len(hits))
		for i, h := range hits[p.Offset:end] {
			sh, err := searchHit(h.kind, h.h)
			if err != nil {
				return nil, err
			}
			sh.Rank = int32(p.Offset + i + 1)
			if sh.Kind == matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION {
				total, _, _ := s.members.Members(sh.Id, "", nil)
				sh.GetAssociation().RegisteredFirmCount = int32(total)
			}
			resp.Hits = append(resp.Hits, sh)
		}
		resp.NextPageToken = p.Next(end-p.Offset, total)
	}
	for _, f := range req.GetFacets() {
		resp.Facets = append(resp.Facets, facetResult(f, kinds, func(k matchv1.DocumentKind) (index.Result, bool) {
			if i, ok := facetAt[facetKind{f, k}]; ok {
				return all[i], true
			}
			if i, ok := mainAt[k]; ok {
				return all[i], true
			}
			return index.Result{}, false
		}))
	}
	return resp, nil
}

// facetKind names a disjunctive facet query: facet f over kind k.
type facetKind struct {
	f matchv1.SearchFacet
	k matchv1.DocumentKind
}

// sortFor orders filter-only queries by id within a kind, so pages are
// stable whatever their size; text queries by relevance.
func sortFor(q string) []index.SortBy {
	if q == "" {
		return []index.SortBy{{Field: index.IDField}}
	}
	return nil
}

func searchKey(req *matchv1.SearchRequest) string {
	return fmt.Sprint("search", strings.TrimSpace(req.GetQ()), req.GetKinds(), req.GetDistricts(), req.GetIndustries(), req.GetStages(),
		req.GetPlatforms(), req.GetNeeds(), req.GetMarkets(), req.GetHsChapters(), req.GetPolicyCategories(), req.GetPolicyLevels(),
		req.GetAssociationTypes(), req.GetAssociationId())
}

func enumValues[E protoreflect.Enum](es []E) []string { return docsNames(es) }

func searchFilters(req *matchv1.SearchRequest) []filterSpec {
	var out []filterSpec
	add := func(f matchv1.SearchFacet, values []string) {
		if len(values) > 0 {
			out = append(out, filterSpec{facet: f, values: values, fields: facetField[f]})
		}
	}
	add(matchv1.SearchFacet_SEARCH_FACET_DISTRICT, enumValues(req.GetDistricts()))
	add(matchv1.SearchFacet_SEARCH_FACET_INDUSTRY, enumValues(req.GetIndustries()))
	add(matchv1.SearchFacet_SEARCH_FACET_STAGE, enumValues(req.GetStages()))
	add(matchv1.SearchFacet_SEARCH_FACET_PLATFORM, enumValues(req.GetPlatforms()))
	add(matchv1.SearchFacet_SEARCH_FACET_NEED, enumValues(req.GetNeeds()))
	add(matchv1.SearchFacet_SEARCH_FACET_MARKET, req.GetMarkets())
	add(matchv1.SearchFacet_SEARCH_FACET_HS_CHAPTER, req.GetHsChapters())
	add(matchv1.SearchFacet_SEARCH_FACET_POLICY_CATEGORY, enumValues(req.GetPolicyCategories()))
	add(matchv1.SearchFacet_SEARCH_FACET_POLICY_LEVEL, enumValues(req.GetPolicyLevels()))
	add(matchv1.SearchFacet_SEARCH_FACET_ASSOCIATION_TYPE, enumValues(req.GetAssociationTypes()))
	if a := req.GetAssociationId(); a != "" {
		out = append(out, filterSpec{values: []string{a}, fields: map[index.Kind]string{index.KindFirm: docs.FAssociationIDs}})
	}
	return out
}

// visibleKinds are the kinds a caller may search.
func (s *Service) visibleKinds(p auth.Principal) []matchv1.DocumentKind {
	out := []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_POLICY, matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT}
	if p.Anonymous() {
		return out
	}
	out = append(out, matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION, matchv1.DocumentKind_DOCUMENT_KIND_EXPERT)
	switch p.Role {
	case auth.RoleBureauAdmin, auth.RoleDistrictOfficer, auth.RoleAssociationAdmin, auth.RoleFirmUser:
		out = append(out, matchv1.DocumentKind_DOCUMENT_KIND_FIRM)
	}
	return out
}

// kindFilter builds kind's filter: the caller's tenancy and visibility
// rules, then the request filters (except the one of facet skip). ok is
// false when a request filter names a field the kind lacks.
func (s *Service) kindFilter(p auth.Principal, kind index.Kind, specs []filterSpec, skip matchv1.SearchFacet) (index.Filter, bool) {
	var all [][]index.Cond
	now := float64(s.now().Unix())
	published := docs.Name(catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED)
	switch kind {
	case index.KindFirm:
		switch p.Role {
		case auth.RoleBureauAdmin:
		case auth.RoleDistrictOfficer:
			all = append(all, []index.Cond{kw(docs.FDistrict, docs.Name(p.District))})
		case auth.RoleAssociationAdmin:
			all = append(all, []index.Cond{kw(docs.FAssociationIDs, p.AssociationID)})
		case auth.RoleFirmUser:
			all = append(all, []index.Cond{kw(index.IDField, p.FirmID)})
		default:
			all = append(all, []index.Cond{kw(index.IDField, "-")}) // nothing
		}
	case index.KindPolicy:
		switch p.Role {
		case auth.RoleBureauAdmin:
		case auth.RoleDistrictOfficer:
			// Published policies in force, or any policy the officer
			// edits: (published AND in force) OR own, written as AND of
			// OR groups.
			own := kw(docs.FOwnerDistrict, docs.Name(p.District))
			all = append(all, []index.Cond{kw(docs.FStatus, published), own}, []index.Cond{{Field: docs.NValidTo, Min: f64(now)}, own})
		default:
			all = append(all, []index.Cond{kw(docs.FStatus, published)}, []index.Cond{{Field: docs.NValidTo, Min: f64(now)}})
		}
	case index.KindBelt:
		beltPublished := docs.Name(catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED)
		switch p.Role {
		case auth.RoleBureauAdmin:
		case auth.RoleDistrictOfficer:
			all = append(all, []index.Cond{kw(docs.FStatus, beltPublished), kw(docs.FDistrict, docs.Name(p.District))})
		default:
			all = append(all, []index.Cond{kw(docs.FStatus, beltPublished)})
		}
	case index.KindExpert:
		all = append(all, []index.Cond{not(docs.FPaused, "true")})
	}
	for _, f := range specs {
		if f.facet != 0 && f.facet == skip {
			continue
		}
		field, ok := f.fields[kind]
		if !ok {
			return index.Filter{}, false
		}
		values := f.values
		if kind == index.KindPolicy && field == docs.FDistricts {
			values = append(slices.Clone(values), docs.All)
		}
		all = append(all, []index.Cond{kw(field, values...)})
	}
	return index.Filter{All: all}, true
}

// facetResult adds up facet f over the kinds searched, from the result
// that counts it for each kind (resultOf: false when none does).
func facetResult(f matchv1.SearchFacet, kinds []matchv1.DocumentKind, resultOf func(matchv1.DocumentKind) (index.Result, bool)) *matchv1.FacetResult {
	counts := map[string]int{}
	for _, k := range kindOrder {
		if !slices.Contains(kinds, k) {
			continue
		}
		res, ok := resultOf(k)
		if !ok {
			continue
		}
		if f == matchv1.SearchFacet_SEARCH_FACET_KIND {
			if res.Total > 0 {
				counts[k.String()] += res.Total
			}
			continue
		}
		field, ok := facetField[f][kindOf[k]]
		if !ok {
			continue
		}
		for val, n := range res.Facets[field] {
			if val != docs.All {
				counts[val] += n
			}
		}
	}
	fr := &matchv1.FacetResult{Facet: f}
	for val, n := range counts {
		fr.Values = append(fr.Values, &matchv1.FacetValue{Value: val, Label: facetLabel(f, val), Count: int32(n)})
	}
	sort.Slice(fr.Values, func(i, j int) bool {
		if fr.Values[i].Count != fr.Values[j].Count {
			return fr.Values[i].Count > fr.Values[j].Count
		}
		return fr.Values[i].Value < fr.Values[j].Value
	})
	if len(fr.Values) > 100 {
		fr.Values = fr.Values[:100]
	}
	return fr
}

func facetLabel(f matchv1.SearchFacet, v string) string {
	switch f {
	case matchv1.SearchFacet_SEARCH_FACET_KIND:
		if n, ok := matchv1.DocumentKind_value[v]; ok {
			return refdata.Label(matchv1.DocumentKind(n))
		}
	case matchv1.SearchFacet_SEARCH_FACET_MARKET:
		return label(docs.FMarkets, v)
	case matchv1.SearchFacet_SEARCH_FACET_HS_CHAPTER:
		return label(docs.FHSChapters, v)
	case matchv1.SearchFacet_SEARCH_FACET_POLICY_LEVEL:
		if n, ok := catalogv1.PolicyLevel_value[v]; ok {
			return refdata.Label(catalogv1.PolicyLevel(n))
		}
	case matchv1.SearchFacet_SEARCH_FACET_ASSOCIATION_TYPE:
		return associationTypeLabel(v)
	}
	return label("", v)
}

// searchHit converts an engine hit.
func searchHit(k matchv1.DocumentKind, h index.Hit) (*matchv1.SearchHit, error) {
	sh := &matchv1.SearchHit{Kind: k, Id: h.Doc.ID, Title: h.Doc.Title, Score: round(h.Score)}
	var err error
	switch k {
	case matchv1.DocumentKind_DOCUMENT_KIND_FIRM:
		var m *matchv1.FirmSummary
		m, err = docs.FirmSummary(h.Doc)
		sh.Summary = &matchv1.SearchHit_Firm{Firm: m}
	case matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION:
		var m *matchv1.AssociationSummary
		m, err = docs.AssociationSummary(h.Doc)
		sh.Summary = &matchv1.SearchHit_Association{Association: m}
	case matchv1.DocumentKind_DOCUMENT_KIND_POLICY:
		var m *matchv1.PolicySummary
		m, err = docs.PolicySummary(h.Doc)
		sh.Summary = &matchv1.SearchHit_Policy{Policy: m}
	case matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT:
		var m *matchv1.IndustryBeltSummary
		m, err = docs.BeltSummary(h.Doc)
		sh.Summary = &matchv1.SearchHit_IndustryBelt{IndustryBelt: m}
	case matchv1.DocumentKind_DOCUMENT_KIND_EXPERT:
		var m *matchv1.ExpertSummary
		m, err = docs.ExpertSummary(h.Doc)
		sh.Summary = &matchv1.SearchHit_Expert{Expert: m}
	}
	if err != nil {
		return nil, err
	}
	fields := make([]string, 0, len(h.Highlights))
	for f := range h.Highlights {
		fields = append(fields, f)
	}
	sort.Slice(fields, func(i, j int) bool {
		if (fields[i] == "title") != (fields[j] == "title") {
			return fields[i] == "title"
		}
		return fields[i] < fields[j]
	})
	for _, f := range fields {
		if segs := segments(h.Highlights[f], 60); len(segs) > 0 {
			name := f
			if f == docs.TProducts && k == matchv1.DocumentKind_DOCUMENT_KIND_FIRM {
				name = "main_products"
			} else if f == docs.TProducts {
				name = "key_products"
			}
			sh.Highlights = append(sh.Highlights, &matchv1.Highlight{Field: name, Segments: segs})
		}
	}
	return sh, nil
}

// segments turns "<em>"-marked, HTML-escaped text into plain segments,
// cropped to about width characters around the first match.
func segments(marked string, width int) []*matchv1.TextSegment {
	type run struct {
		text    []rune
		matched bool
	}
	var runs []run
	rest := marked
	for rest != "" {
		i := strings.Index(rest, "<em>")
		if i < 0 {
			runs = append(runs, run{text: []rune(html.UnescapeString(rest))})
			break
		}
		if i > 0 {
			runs = append(runs, run{text: []rune(html.UnescapeString(rest[:i]))})
		}
		rest = rest[i+4:]
		j := strings.Index(rest, "</em>")
		if j < 0 {
			j = len(rest)
		}
		runs = append(runs, run{text: []rune(html.UnescapeString(rest[:j])), matched: true})
		rest = strings.TrimPrefix(rest[j:], "</em>")
	}
	if !slices.ContainsFunc(runs, func(r run) bool { return r.matched }) {
		return nil
	}
	// Crop: keep up to width/3 characters before the first match and fill
	// the rest after it.
	firstMatch := 0
	pos := 0
	for _, r := range runs {
		if r.matched {
			firstMatch = pos
			break
		}
		pos += len(r.text)
	}
	start := max(0, firstMatch-width/3)
	end := start + width
	var out []*matchv1.TextSegment
	pos = 0
	for _, r := range runs {
		a, b := pos, pos+len(r.text)
		pos = b
		lo, hi := max(a, start), min(b, end)
		if lo >= hi {
			continue
		}
		out = append(out, &matchv1.TextSegment{Text: string(r.text[lo-a : hi-a]), Matched: r.matched})
	}
	if start > 0 && len(out) > 0 {
		out[0].Text = "…" + out[0].Text
	}
	if end < pos && len(out) > 0 {
		out[len(out)-1].Text += "…"
	}
	return out
}

func associationTypeLabel(v string) string {
	if n, ok := profilesv1.AssociationType_value[v]; ok {
		return refdata.Label(profilesv1.AssociationType(n))
	}
	return v
}
