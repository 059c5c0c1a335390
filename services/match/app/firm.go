package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/match/docs"
	"github.com/qihang-hz/qihang/services/match/index"
)

// subject is the firm a match is for, as the profiles service shows it to
// the caller, with its values in stored form.
type subject struct {
	firm      *profilesv1.Firm
	district  string
	industry  string
	stage     string
	needs     []string
	markets   []string
	platforms []string
	chapters  []string
	assocs    []string
	terms     []string
	// text is terms prepared for textRelevance; policyText adds the
	// needs' labels (policies are written about needs).
	text, policyText []textTerm
}

func newSubject(f *profilesv1.Firm) *subject {
	s := &subject{
		firm: f, needs: docsNames(f.GetNeeds()), markets: f.GetTargetMarkets(), platforms: docsNames(f.GetPlatforms()),
		chapters: docs.HSChapters(f.GetHsCodes()), terms: productTerms(f.GetMainProducts()),
	}
	if f.GetDistrict() != 0 {
		s.district = docs.Name(f.GetDistrict())
	}
	if f.GetIndustry() != 0 {
		s.industry = docs.Name(f.GetIndustry())
	}
	if f.GetStage() != 0 {
		s.stage = docs.Name(f.GetStage())
	}
	for _, m := range f.GetMemberships() {
		s.assocs = append(s.assocs, m.GetAssociationId())
	}
	s.text = prepareTerms(s.terms)
	s.policyText = prepareTerms(append(slices.Clone(s.terms), needLabels(s.needs)...))
	return s
}

func docsNames[E protoreflect.Enum](es []E) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		if e.Number() != 0 {
			out = append(out, docs.Name(e))
		}
	}
	return out
}

// loadFirm reads the subject firm with the caller's rights.
func (s *Service) loadFirm(ctx context.Context, id string) (*subject, error) {
	if _, err := requireSignedIn(ctx); err != nil {
		return nil, err
	}
	if strings.TrimSpace(id) == "" {
		return nil, apperr.Invalid("firm_id", "请指定企业")
	}
	f, err := s.profiles.GetFirm(ctx, id)
	if err != nil {
		return nil, err
	}
	return newSubject(f), nil
}

// page returns the page of cs p asks for and the next page token.
func page[T any](cs []T, p paging.Page) ([]T, string) {
	return pageOf(cs, len(cs), p)
}

// pageOf is page for a ranking of total items of which cs are the first
// (at least up to the page's end).
func pageOf[T any](cs []T, total int, p paging.Page) ([]T, string) {
	total = min(total, MaxResults)
	end := min(p.Offset+p.Size, total, len(cs))
	if p.Offset >= end {
		return nil, ""
	}
	return cs[p.Offset:end], p.Next(end-p.Offset, total)
}

func checkEnums[E protoreflect.Enum](v *apperr.ValidationError, field string, es []E) {
	for i, e := range es {
		if e.Number() == 0 || !refdata.Defined(e) {
			v.Add(fmt.Sprintf("%s[%d]", field, i), "不是有效的取值")
		}
	}
}

// ListFirmPolicyMatches lists the policies for a firm with the catalog's
// evaluation of each.
func (s *Service) ListFirmPolicyMatches(ctx context.Context, req *matchv1.ListFirmPolicyMatchesRequest) (*matchv1.ListFirmPolicyMatchesResponse, error) {
	v := &apperr.ValidationError{}
	checkEnums(v, "categories", req.GetCategories())
	checkEnums(v, "levels", req.GetLevels())
	checkEnums(v, "verdicts", req.GetVerdicts())
	p, perr := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprint("policies", req.GetFirmId(), req.GetCategories(), req.GetLevels(), req.GetVerdicts()))
	if perr != nil {
		if pv, ok := apperr.AsValidation(perr); ok {
			v.Merge("", pv)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sub, err := s.loadFirm(ctx, req.GetFirmId())
	if err != nil {
		return nil, err
	}
	now := float64(s.now().Unix())
	districts := []string{docs.All}
	if sub.district != "" {
		districts = append(districts, sub.district)
	}
	q := index.Query{
		Filter: index.Filter{All: and(
			kw(docs.FStatus, docs.Name(catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED)),
			kw(docs.FDistricts, districts...),
			kw(docs.FCategories, docsNames(req.GetCategories())...),
			kw(docs.FLevel, docsNames(req.GetLevels())...),
			index.Cond{Field: docs.NValidTo, Min: f64(now)},
		)},
		Sort:  []index.SortBy{{Field: docs.NBenefitFen, Desc: true}},
		Limit: 100,
	}
	res, err := s.search(ctx, index.KindPolicy, q)
	if err != nil {
		return nil, err
	}
	var ids []string
	byID := map[string]index.Document{}
	var maxBenefit float64
	for _, h := range res.Hits {
		ids = append(ids, h.Doc.ID)
		byID[h.Doc.ID] = h.Doc
		maxBenefit = max(maxBenefit, h.Doc.Numbers[docs.NBenefitFen])
	}
	var evals []*catalogv1.PolicyEvaluation
	if len(ids) > 0 {
		if evals, err = s.catalog.Evaluate(ctx, req.GetFirmId(), ids); err != nil {
			return nil, err
		}
	}
	counts := map[catalogv1.Verdict]int32{}
	var all []*scored
	evalOf := map[string]*catalogv1.PolicyEvaluation{}
	for _, e := range evals {
		d, ok := byID[e.GetPolicyId()]
		if !ok {
			continue
		}
		counts[e.GetVerdict()]++
		if len(req.GetVerdicts()) > 0 && !slices.Contains(req.GetVerdicts(), e.GetVerdict()) {
			continue
		}
		evalOf[d.ID] = e
		all = append(all, scorePolicy(sub, d, e, maxBenefit))
	}
	rank(all)
	pageItems, next := page(all, p)
	resp := &matchv1.ListFirmPolicyMatchesResponse{NextPageToken: next, TotalSize: int32(min(len(all), MaxResults))}
	for i, c := range pageItems {
		sum, err := docs.PolicySummary(c.doc)
		if err != nil {
			return nil, err
		}
		resp.Matches = append(resp.Matches, &matchv1.PolicyMatch{
			Rank: int32(p.Offset + i + 1), Score: c.score, Reasons: c.reasons, Policy: sum, Evaluation: evalOf[c.id],
			Kind: matchv1.DocumentKind_DOCUMENT_KIND_POLICY, Id: c.id, Title: sum.GetTitle(),
		})
	}
	for _, vd := range []catalogv1.Verdict{
		catalogv1.Verdict_VERDICT_ELIGIBLE, catalogv1.Verdict_VERDICT_LIKELY, catalogv1.Verdict_VERDICT_NOT_OPEN,
		catalogv1.Verdict_VERDICT_UNDETERMINED, catalogv1.Verdict_VERDICT_NOT_ELIGIBLE,
	} {
		if n := counts[vd]; n > 0 {
			resp.VerdictCounts = append(resp.VerdictCounts, &catalogv1.VerdictCount{Verdict: vd, Count: n})
		}
	}
	return resp, nil
}

// verdictTier orders verdicts as the catalog does.
var verdictTier = map[catalogv1.Verdict]int{
	catalogv1.Verdict_VERDICT_ELIGIBLE: 0, catalogv1.Verdict_VERDICT_LIKELY: 1, catalogv1.Verdict_VERDICT_NOT_OPEN: 2,
	catalogv1.Verdict_VERDICT_UNDETERMINED: 3, catalogv1.Verdict_VERDICT_NOT_ELIGIBLE: 4,
}

func scorePolicy(sub *subject, d index.Document, e *catalogv1.PolicyEvaluation, maxBenefit float64) *scored {
	c := &scored{id: d.ID, doc: d, tier: verdictTier[e.GetVerdict()]}
	switch e.GetVerdict() {
	case catalogv1.Verdict_VERDICT_ELIGIBLE:
		c.add(matchv1.ReasonCode_REASON_CODE_ELIGIBLE, 0.35, 1, "符合全部申报条件", d.ID)
	case catalogv1.Verdict_VERDICT_LIKELY:
		c.add(matchv1.ReasonCode_REASON_CODE_LIKELY_ELIGIBLE, 0.35, 0.6, "已知条件均满足，其余条件待补充资料后确认", d.ID)
	}
	if got := coveredNeeds(sub.needs, d.Keywords[docs.FCategories], needsOfCategory, parseCategory); len(got) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_NEED_COVERED, 0.2, float64(len(got))/float64(len(sub.needs)), "对口企业需求："+labels(docs.FNeeds, got), got...)
	}
	if st := d.Keywords[docs.FStages]; sub.stage != "" && !slices.Contains(st, docs.All) && slices.Contains(st, sub.stage) {
		c.add(matchv1.ReasonCode_REASON_CODE_STAGE_FIT, 0.1, 1, "面向"+label(docs.FStage, sub.stage)+"阶段的企业", sub.stage)
	}
	if ind := d.Keywords[docs.FIndustries]; sub.industry != "" && !slices.Contains(ind, docs.All) && slices.Contains(ind, sub.industry) {
		c.add(matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.1, 1, "面向"+label(docs.FIndustry, sub.industry)+"行业", sub.industry)
	}
	if b := d.Numbers[docs.NBenefitFen]; b > 0 && maxBenefit > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_BENEFIT, 0.1, b/maxBenefit, "扶持力度："+fmtFen(b))
	}
	textReason(c, 0.15, sub.policyText, docText(d, docs.TSummary, docs.TTags, docs.TBenefit))
	c.finish()
	return c
}

func needLabels(needs []string) []string {
	out := make([]string, 0, len(needs))
	for _, n := range needs {
		out = append(out, label(docs.FNeeds, n))
	}
	return out
}

// ListFirmAssociationMatches lists the associations a firm could join.
func (s *Service) ListFirmAssociationMatches(ctx context.Context, req *matchv1.ListFirmAssociationMatchesRequest) (*matchv1.ListFirmAssociationMatchesResponse, error) {
	v := &apperr.ValidationError{}
	checkEnums(v, "districts", req.GetDistricts())
	checkEnums(v, "types", req.GetTypes())
	joined := ""
	if req.JoinedProgramme != nil {
		joined = fmt.Sprint(req.GetJoinedProgramme())
	}
	p, perr := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprint("associations", req.GetFirmId(), req.GetDistricts(), req.GetTypes(), joined))
	if pv, ok := apperr.AsValidation(perr); ok {
		v.Merge("", pv)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sub, err := s.loadFirm(ctx, req.GetFirmId())
	if err != nil {
		return nil, err
	}
	fits := []index.Cond{}
	if sub.industry != "" {
		fits = append(fits, kw(docs.FIndustries, sub.industry))
	}
	if sub.district != "" {
		fits = append(fits, kw(docs.FDistrict, sub.district))
	}
	base := and(
		kw(docs.FDistrict, docsNames(req.GetDistricts())...),
		kw(docs.FType, docsNames(req.GetTypes())...),
		kw(docs.FJoined, nonEmpty(joined)...),
		not(index.IDField, sub.assocs...),
	)
	all, total, err := s.fittingAssociations(ctx, sub, base, fits, min(p.Offset+p.Size, MaxResults))
	if err != nil {
		return nil, err
	}
	items, next := pageOf(all, total, p)
	resp := &matchv1.ListFirmAssociationMatchesResponse{NextPageToken: next, TotalSize: int32(min(total, MaxResults))}
	for i, c := range items {
		sum, err := s.associationSummary(c.doc)
		if err != nil {
			return nil, err
		}
		resp.Matches = append(resp.Matches, &matchv1.AssociationMatch{
			Rank: int32(p.Offset + i + 1), Score: c.score, Reasons: c.reasons, Association: sum,
			Kind: matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION, Id: c.id, Title: sum.GetName(),
		})
	}
	return resp, nil
}

// Weights of the association reasons that need neither a shared industry
// or district nor members: what an association fitting on its services
// alone can score without members or belts (see weakFitBound).
const (
	weightNeedCovered = 0.15
	weightProgramme   = 0.05
	weightAssocText   = 0.05
	// weakFitBound is the most an association of another industry and
	// district that has no member of the firm's industry or markets and
	// carries no belt can score.
	weakFitBound = weightNeedCovered + weightProgramme + weightAssocText
	// maxMemberIDs bounds the id list of one engine query.
	maxMemberIDs = 300
)

// fittingAssociations scores the associations that fit sub (base: the
// request's filters; fits: shared industry or same district), ranked, and
// counts them. The ranking is the same as scoring every fitting
// association, but the associations that fit on their services alone (a
// few hundred at 1,000 associations) are read only when the first want
// places could be theirs: without members of the firm's industry or
// markets and without belts they score at most weakFitBound.
func (s *Service) fittingAssociations(ctx context.Context, sub *subject, base [][]index.Cond, fits []index.Cond, want int) ([]*scored, int, error) {
	byID := []index.SortBy{{Field: index.IDField}}
	reqs := []index.Request{{Kind: index.KindBelt, Query: publishedBelts}}
	svcs := servicesFor(sub.needs)
	if len(svcs) == 0 {
		// Industry or district (or, for a firm with neither, every
		// association) fit; nothing fits on services.
		filter := slices.Clone(base)
		if len(fits) > 0 {
			filter = append(filter, fits)
		}
		reqs = append(reqs, index.Request{Kind: index.KindAssociation, Query: index.Query{Filter: index.Filter{All: filter}, Sort: byID, Limit: index.MaxLimit}})
		res, err := s.searchMany(ctx, reqs)
		if err != nil {
			return nil, 0, err
		}
		beltsFit := fittingBelts(sub, res[0])
		all := s.scoreAssociations(sub, res[1].Hits, beltsFit, nil)
		rank(all)
		return all, res[1].Total, nil
	}
	// A cross-industry body (a chamber of commerce, a federation, a
	// promotion association, a cross-border e-commerce association) of
	// another industry and district fits when its services meet the firm's
	// needs; an industry association of another trade elsewhere does not,
	// whatever it offers.
	weak := slices.Clone(base)
	if sub.industry != "" {
		weak = append(weak, []index.Cond{not(docs.FIndustries, sub.industry)})
	}
	if sub.district != "" {
		weak = append(weak, []index.Cond{not(docs.FDistrict, sub.district)})
	}
	weak = append(weak, []index.Cond{kw(docs.FServices, svcs...)},
		[]index.Cond{kw(docs.FType, crossIndustryTypes...), kw(docs.FIndustries, crossIndustryIndustries...)})
	strongAt := -1
	if len(fits) > 0 {
		strongAt = len(reqs)
		reqs = append(reqs, index.Request{Kind: index.KindAssociation, Query: index.Query{Filter: index.Filter{All: append(slices.Clone(base), fits)}, Sort: byID, Limit: index.MaxLimit}})
	}
	withMembers := s.members.WithMemberReasons(sub.industry, sub.markets)
	rest := index.Query{Filter: index.Filter{All: weak}, Sort: byID}
	withMembersAt := -1
	switch {
	case len(withMembers) > maxMemberIDs:
		// Too many to name: read every weak fit at once.
		rest.Limit = index.MaxLimit
	case len(withMembers) > 0:
		withMembersAt = len(reqs)
		reqs = append(reqs, index.Request{Kind: index.KindAssociation, Query: index.Query{
			Filter: index.Filter{All: append(slices.Clone(weak), []index.Cond{kw(index.IDField, withMembers...)})}, Sort: byID, Limit: len(withMembers),
		}})
		rest.Filter.All = append(slices.Clone(weak), []index.Cond{not(index.IDField, withMembers...)})
	}
	restAt := len(reqs)
	reqs = append(reqs, index.Request{Kind: index.KindAssociation, Query: rest})
	res, err := s.searchMany(ctx, reqs)
	if err != nil {
		return nil, 0, err
	}
	beltsFit := fittingBelts(sub, res[0])
	var hits []index.Hit
	total := res[restAt].Total
	for _, at := range []int{strongAt, withMembersAt} {
		if at >= 0 {
			hits = append(hits, res[at].Hits...)
			total += res[at].Total
		}
	}
	all := s.scoreAssociations(sub, hits, beltsFit, nil)
	rank(all)
	restHits := res[restAt].Hits
	if rest.Limit == 0 && res[restAt].Total > 0 && (len(all) < want || all[want-1].score <= weakFitBound) {
		// The rest could reach the page: read it too.
		rest.Limit = index.MaxLimit
		more, err := s.search(ctx, index.KindAssociation, rest)
		if err != nil {
			return nil, 0, err
		}
		restHits = more.Hits
	}
	all = s.scoreAssociations(sub, restHits, beltsFit, all)
	rank(all)
	return all, total, nil
}

// scoreAssociations appends the scored hits to out.
func (s *Service) scoreAssociations(sub *subject, hits []index.Hit, beltsFit map[string]index.Document, out []*scored) []*scored {
	for _, h := range hits {
		out = append(out, s.scoreAssociation(sub, h.Doc, beltsFit))
	}
	return out
}

// crossIndustryTypes and crossIndustryIndustries mark the associations that
// serve firms of every trade.
var (
	crossIndustryTypes = []string{
		docs.Name(profilesv1.AssociationType_ASSOCIATION_TYPE_CHAMBER_OF_COMMERCE),
		docs.Name(profilesv1.AssociationType_ASSOCIATION_TYPE_FEDERATION),
		docs.Name(profilesv1.AssociationType_ASSOCIATION_TYPE_PROMOTION_ASSOCIATION),
	}
	crossIndustryIndustries = []string{docs.Name(commonv1.Industry_INDUSTRY_ECOMMERCE_SERVICES)}
)

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// associationSummary decodes the projection and adds the live member count.
func (s *Service) associationSummary(d index.Document) (*matchv1.AssociationSummary, error) {
	sum, err := docs.AssociationSummary(d)
	if err != nil {
		return nil, err
	}
	total, _, _ := s.members.Members(d.ID, "", nil)
	sum.RegisteredFirmCount = int32(total)
	return sum, nil
}

// publishedBelts is the query of every published belt.
var publishedBelts = index.Query{
	Filter: index.Filter{All: and(kw(docs.FStatus, docs.Name(catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED)))},
	Sort:   []index.SortBy{{Field: index.IDField}}, Limit: index.MaxLimit,
}

// fittingBelts returns, of the published belts, those a firm fits (same
// district and industry, or a shared HS chapter), by id.
func fittingBelts(sub *subject, published index.Result) map[string]index.Document {
	out := map[string]index.Document{}
	for _, h := range published.Hits {
		d := h.Doc
		sameDistrictIndustry := sub.district != "" && slices.Contains(d.Keywords[docs.FDistrict], sub.district) &&
			sub.industry != "" && slices.Contains(d.Keywords[docs.FIndustry], sub.industry)
		if sameDistrictIndustry || len(overlap(sub.chapters, d.Keywords[docs.FHSChapters])) > 0 {
			out[d.ID] = d
		}
	}
	return out
}

func (s *Service) scoreAssociation(sub *subject, d index.Document, beltsFit map[string]index.Document) *scored {
	c := &scored{id: d.ID, doc: d}
	if sub.industry != "" && slices.Contains(d.Keywords[docs.FIndustries], sub.industry) {
		c.add(matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.3, 1, "行业相同："+label(docs.FIndustry, sub.industry), sub.industry)
	}
	if sub.district != "" && slices.Contains(d.Keywords[docs.FDistrict], sub.district) {
		c.add(matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT, 0.15, 1, "同在"+label(docs.FDistrict, sub.district), sub.district)
	}
	if got := coveredNeeds(sub.needs, d.Keywords[docs.FServices], needsOfService, parseService); len(got) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_NEED_COVERED, weightNeedCovered, float64(len(got))/float64(len(sub.needs)), "可提供对口服务："+labels(docs.FNeeds, got), got...)
	}
	total, same, perMarket := s.members.Members(d.ID, sub.industry, sub.markets)
	if same > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_MEMBERS_SAME_INDUSTRY, 0.1, float64(same)/float64(max(total, 1))+0.5,
			fmt.Sprintf("已有%d家同行业会员企业", same), sub.industry)
	}
	if len(perMarket) > 0 {
		var ms []string
		for _, m := range sub.markets {
			if perMarket[m] > 0 {
				ms = append(ms, m)
			}
		}
		c.add(matchv1.ReasonCode_REASON_CODE_MEMBERS_EXPORT_SAME_MARKETS, 0.1, float64(len(ms))/float64(len(sub.markets)),
			"会员企业同样出口到："+labels(docs.FMarkets, ms), ms...)
	}
	var belts []string
	for _, id := range s.members.BeltsCarriedBy(d.ID) {
		if _, ok := beltsFit[id]; ok {
			belts = append(belts, id)
		}
	}
	if len(belts) > 0 {
		slices.Sort(belts)
		names := make([]string, len(belts))
		for i, b := range belts {
			names[i] = beltsFit[b].Title
		}
		c.add(matchv1.ReasonCode_REASON_CODE_BELT_FIT, 0.1, 1, "承载对口产业带："+strings.Join(names, "、"), belts...)
	}
	if slices.Contains(d.Keywords[docs.FJoined], "true") {
		c.add(matchv1.ReasonCode_REASON_CODE_PROGRAMME_ASSOCIATION, weightProgramme, 1, "百社千企参与单位")
	}
	textReason(c, weightAssocText, sub.text, docText(d, docs.TShortName, docs.TDescription))
	c.finish()
	return c
}

// ListFirmIndustryBeltMatches lists the belts a firm fits, its own
// district's first.
func (s *Service) ListFirmIndustryBeltMatches(ctx context.Context, req *matchv1.ListFirmIndustryBeltMatchesRequest) (*matchv1.ListFirmIndustryBeltMatchesResponse, error) {
	v := &apperr.ValidationError{}
	checkEnums(v, "districts", req.GetDistricts())
	p, perr := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprint("belts", req.GetFirmId(), req.GetDistricts()))
	if pv, ok := apperr.AsValidation(perr); ok {
		v.Merge("", pv)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sub, err := s.loadFirm(ctx, req.GetFirmId())
	if err != nil {
		return nil, err
	}
	res, err := s.search(ctx, index.KindBelt, index.Query{
		Filter: index.Filter{All: and(
			kw(docs.FStatus, docs.Name(catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED)),
			kw(docs.FDistrict, docsNames(req.GetDistricts())...),
		)},
		Sort: []index.SortBy{{Field: index.IDField}}, Limit: index.MaxLimit,
	})
	if err != nil {
		return nil, err
	}
	var all []*scored
	for _, h := range res.Hits {
		if c := scoreBelt(sub, h.Doc); c.score > 0 {
			all = append(all, c)
		}
	}
	rank(all)
	items, next := page(all, p)
	resp := &matchv1.ListFirmIndustryBeltMatchesResponse{NextPageToken: next, TotalSize: int32(min(len(all), MaxResults))}
	for i, c := range items {
		sum, err := docs.BeltSummary(c.doc)
		if err != nil {
			return nil, err
		}
		resp.Matches = append(resp.Matches, &matchv1.IndustryBeltMatch{
			Rank: int32(p.Offset + i + 1), Score: c.score, Reasons: c.reasons, IndustryBelt: sum,
			Kind: matchv1.DocumentKind_DOCUMENT_KIND_INDUSTRY_BELT, Id: c.id, Title: sum.GetBrandName(),
		})
	}
	return resp, nil
}

func scoreBelt(sub *subject, d index.Document) *scored {
	c := &scored{id: d.ID, doc: d, tier: 1}
	sameDistrict := sub.district != "" && slices.Contains(d.Keywords[docs.FDistrict], sub.district)
	sameIndustry := sub.industry != "" && slices.Contains(d.Keywords[docs.FIndustry], sub.industry)
	chapters := overlap(sub.chapters, d.Keywords[docs.FHSChapters])
	if sameDistrict {
		c.add(matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT, 0.2, 1, "本区产业带："+label(docs.FDistrict, sub.district), sub.district)
	}
	if sameIndustry {
		c.add(matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.25, 1, "行业相同："+label(docs.FIndustry, sub.industry), sub.industry)
	}
	if len(chapters) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_HS_CHAPTER_OVERLAP, 0.25, float64(len(chapters))/float64(len(sub.chapters)),
			"产品品类重合："+labels(docs.FHSChapters, chapters), chapters...)
	}
	if ms := overlap(sub.markets, d.Keywords[docs.FMarkets]); len(ms) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_MARKET_OVERLAP, 0.1, float64(len(ms))/float64(len(sub.markets)), "目标市场重合："+labels(docs.FMarkets, ms), ms...)
	}
	if ps := overlap(sub.platforms, d.Keywords[docs.FPlatforms]); len(ps) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_PLATFORM_OVERLAP, 0.1, float64(len(ps))/float64(len(sub.platforms)), "销售平台重合："+labels(docs.FPlatforms, ps), ps...)
	}
	textReason(c, 0.1, sub.text, docText(d, docs.TProducts, docs.TDescription))
	if sameDistrict && (sameIndustry || len(chapters) > 0) {
		c.tier = 0
	}
	// A belt that shares only the district or only text is not a fit.
	if !sameIndustry && len(chapters) == 0 && !hasReason(c, matchv1.ReasonCode_REASON_CODE_TEXT_RELEVANCE) {
		c.score = 0
	}
	c.finish()
	return c
}

func hasReason(c *scored, code matchv1.ReasonCode) bool {
	for _, r := range c.reasons {
		if r.GetCode() == code {
			return true
		}
	}
	return false
}

// ListFirmExpertMatches lists the experts suited to a firm (or to the
// needs, stage, markets and district a consultation request overrides).
func (s *Service) ListFirmExpertMatches(ctx context.Context, req *matchv1.ListFirmExpertMatchesRequest) (*matchv1.ListFirmExpertMatchesResponse, error) {
	v := &apperr.ValidationError{}
	checkEnums(v, "needs", req.GetNeeds())
	checkEnums(v, "platforms", req.GetPlatforms())
	for i, m := range req.GetMarkets() {
		if !refdata.ValidMarket(m) {
			v.Add(fmt.Sprintf("markets[%d]", i), "须为ISO 3166-1两位大写国家代码，如US")
		}
	}
	if req.GetStage() != 0 && !refdata.Defined(req.GetStage()) {
		v.Add("stage", "不是有效的取值")
	}
	if req.GetDistrict() != 0 && !refdata.Defined(req.GetDistrict()) {
		v.Add("district", "不是有效的取值")
	}
	if req.GetOnlineOnly() && req.GetOnSiteOnly() {
		v.Add("on_site_only", "不能与online_only同时指定")
	}
	p, perr := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprint("experts", req.GetFirmId(), req.GetNeeds(), req.GetOnlineOnly(),
		req.GetOnSiteOnly(), req.GetOpenSlotsOnly(), req.GetStage(), req.GetMarkets(), req.GetPlatforms(), req.GetDistrict()))
	if pv, ok := apperr.AsValidation(perr); ok {
		v.Merge("", pv)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sub, err := s.loadFirm(ctx, req.GetFirmId())
	if err != nil {
		return nil, err
	}
	if len(req.GetNeeds()) > 0 {
		sub.needs = docsNames(req.GetNeeds())
	}
	if req.GetStage() != 0 {
		sub.stage = docs.Name(req.GetStage())
	}
	if len(req.GetMarkets()) > 0 {
		sub.markets = req.GetMarkets()
	}
	if len(req.GetPlatforms()) > 0 {
		sub.platforms = docsNames(req.GetPlatforms())
	}
	if req.GetDistrict() != 0 {
		sub.district = docs.Name(req.GetDistrict())
	}
	now := float64(s.now().Unix())
	conds := []index.Cond{not(docs.FPaused, "true")}
	if req.GetOnlineOnly() {
		conds = append(conds, kw(docs.FOnline, "true"))
	}
	if req.GetOnSiteOnly() {
		conds = append(conds, kw(docs.FDistricts, nonEmpty(sub.district)...))
		if sub.district == "" {
			return &matchv1.ListFirmExpertMatchesResponse{}, nil
		}
	}
	if req.GetOpenSlotsOnly() {
		conds = append(conds, index.Cond{Field: docs.NOpenSlotTo, Min: f64(now)})
	}
	if !s.hasKind(index.KindExpert) {
		// No expert source is connected (the consult service is not
		// deployed): there is nobody to suggest.
		return &matchv1.ListFirmExpertMatchesResponse{}, nil
	}
	res, err := s.search(ctx, index.KindExpert, index.Query{Filter: index.Filter{All: and(conds...)}, Sort: []index.SortBy{{Field: index.IDField}}, Limit: index.MaxLimit})
	if err != nil {
		return nil, err
	}
	var all []*scored
	for _, h := range res.Hits {
		if c := scoreExpert(sub, h.Doc, now); c.score > 0 {
			all = append(all, c)
		}
	}
	rank(all)
	items, next := page(all, p)
	resp := &matchv1.ListFirmExpertMatchesResponse{NextPageToken: next, TotalSize: int32(min(len(all), MaxResults))}
	for i, c := range items {
		sum, err := docs.ExpertSummary(c.doc)
		if err != nil {
			return nil, err
		}
		resp.Matches = append(resp.Matches, &matchv1.ExpertMatch{
			Rank: int32(p.Offset + i + 1), Score: c.score, Reasons: c.reasons, Expert: sum,
			Kind: matchv1.DocumentKind_DOCUMENT_KIND_EXPERT, Id: c.id, Title: sum.GetName(),
		})
	}
	return resp, nil
}

func (s *Service) hasKind(k index.Kind) bool { return slices.Contains(s.indexes.Kinds(), k) }

func scoreExpert(sub *subject, d index.Document, now float64) *scored {
	c := &scored{id: d.ID, doc: d}
	if got := overlap(sub.needs, d.Keywords[docs.FSpecialties]); len(got) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_NEED_COVERED, 0.4, float64(len(got))/float64(len(sub.needs)), "擅长："+labels(docs.FNeeds, got), got...)
	}
	if sub.stage != "" && slices.Contains(d.Keywords[docs.FStages], sub.stage) {
		c.add(matchv1.ReasonCode_REASON_CODE_STAGE_FIT, 0.2, 1, "服务"+label(docs.FStage, sub.stage)+"阶段企业", sub.stage)
	}
	if ms := overlap(sub.markets, d.Keywords[docs.FMarkets]); len(ms) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_MARKET_OVERLAP, 0.15, float64(len(ms))/float64(len(sub.markets)), "熟悉市场："+labels(docs.FMarkets, ms), ms...)
	}
	if ps := overlap(sub.platforms, d.Keywords[docs.FPlatforms]); len(ps) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_PLATFORM_OVERLAP, 0.1, float64(len(ps))/float64(len(sub.platforms)), "熟悉平台："+labels(docs.FPlatforms, ps), ps...)
	}
	if sub.district != "" && slices.Contains(d.Keywords[docs.FDistricts], sub.district) {
		c.add(matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT, 0.1, 1, "可上门服务"+label(docs.FDistrict, sub.district), sub.district)
	}
	if until := d.Numbers[docs.NOpenSlotTo]; until >= now {
		c.add(matchv1.ReasonCode_REASON_CODE_OPEN_SLOTS, 0.05, 1, "近14天内可预约")
	}
	if !hasReason(c, matchv1.ReasonCode_REASON_CODE_NEED_COVERED) && !hasReason(c, matchv1.ReasonCode_REASON_CODE_STAGE_FIT) {
		c.score = 0
	}
	c.finish()
	return c
}
