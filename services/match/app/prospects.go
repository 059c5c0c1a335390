package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/match/docs"
	"github.com/qihang-hz/qihang/services/match/index"
)

// prospectCandidates is how many firms, most ready first, a prospect list
// scores and pages through. Readiness weighs the stage and export base the
// fit score weighs too, so the best fits are among the most ready; every
// candidate costs the engine a document read (Meilisearch about 9 µs a
// firm), which at 500 made prospects the costliest call of the mix.
const prospectCandidates = 200

// ListAssociationProspects lists the firms an association should work
// with: members and non-members in its industries, most promising first.
func (s *Service) ListAssociationProspects(ctx context.Context, req *matchv1.ListAssociationProspectsRequest) (*matchv1.ListAssociationProspectsResponse, error) {
	v := &apperr.ValidationError{}
	checkEnums(v, "industries", req.GetIndustries())
	checkEnums(v, "districts", req.GetDistricts())
	checkEnums(v, "stages", req.GetStages())
	if req.GetMembership() != 0 && req.GetMembership().Descriptor().Values().ByNumber(req.GetMembership().Number()) == nil {
		v.Add("membership", "不是有效的取值")
	}
	p, perr := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprint("prospects", req.GetAssociationId(), req.GetMembership(),
		req.GetIndustries(), req.GetDistricts(), req.GetStages()))
	if pv, ok := apperr.AsValidation(perr); ok {
		v.Merge("", pv)
	}
	if strings.TrimSpace(req.GetAssociationId()) == "" {
		v.Add("association_id", "请指定社会组织")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	caller, err := requireSignedIn(ctx)
	if err != nil {
		return nil, err
	}
	switch caller.Role {
	case auth.RoleBureauAdmin, auth.RoleDistrictOfficer:
	case auth.RoleAssociationAdmin:
		if caller.AssociationID != req.GetAssociationId() {
			return nil, apperr.PermissionDenied("只能查看本会的潜在会员企业")
		}
	default:
		return nil, apperr.PermissionDenied("无权查看社会组织的潜在会员企业")
	}
	// The association comes from the associations index (it follows the
	// profiles service within the freshness budget): profiles'
	// GetAssociation counts the registered members by scanning every firm,
	// which this hot path cannot afford.
	if !s.indexes.Ready(index.KindAssociation) {
		return nil, apperr.Unavailable(nil, "社会组织索引正在构建，请稍后重试")
	}
	doc, found, err := s.engine.Get(ctx, index.KindAssociation, req.GetAssociationId())
	if err != nil {
		return nil, engineErr(err)
	}
	if !found {
		return nil, apperr.NotFound("社会组织%s不存在", req.GetAssociationId())
	}
	assoc, err := docs.AssociationSummary(doc)
	if err != nil {
		return nil, err
	}
	if caller.Role == auth.RoleDistrictOfficer && assoc.GetDistrict() != caller.District {
		return nil, apperr.PermissionDenied("只能查看本区社会组织的潜在会员企业")
	}

	industries := docsNames(req.GetIndustries())
	if len(industries) == 0 {
		industries = docsNames(assoc.GetIndustries())
	}
	conds := []index.Cond{
		kw(docs.FIndustry, industries...),
		kw(docs.FDistrict, docsNames(req.GetDistricts())...),
		kw(docs.FStage, docsNames(req.GetStages())...),
	}
	switch req.GetMembership() {
	case matchv1.ProspectMembership_PROSPECT_MEMBERSHIP_MEMBERS:
		conds = append(conds, kw(docs.FAssociationIDs, assoc.GetId()))
	case matchv1.ProspectMembership_PROSPECT_MEMBERSHIP_NON_MEMBERS:
		conds = append(conds, not(docs.FAssociationIDs, assoc.GetId()))
	}
	// The firms and the belts the association carries, in one request. The
	// belts only add reasons: while their index is being built the list
	// goes without them.
	reqs := []index.Request{{Kind: index.KindFirm, Query: index.Query{
		Filter: index.Filter{All: and(conds...)},
		Sort:   []index.SortBy{{Field: docs.NReadiness, Desc: true}, {Field: index.IDField}},
		Limit:  prospectCandidates,
	}}}
	if carried := s.members.BeltsCarriedBy(assoc.GetId()); len(carried) > 0 && s.indexes.Ready(index.KindBelt) {
		reqs = append(reqs, index.Request{Kind: index.KindBelt, Query: index.Query{
			Filter: index.Filter{All: and(kw(index.IDField, carried...),
				kw(docs.FStatus, docs.Name(catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED)))},
			Sort: []index.SortBy{{Field: index.IDField}}, Limit: len(carried),
		}})
	}
	both, err := s.searchMany(ctx, reqs)
	if err != nil {
		return nil, err
	}
	res := both[0]
	var belts index.Result
	if len(both) > 1 {
		belts = both[1]
	}
	pc := s.prospectContext(assoc.GetId(), docsNames(assoc.GetIndustries()), docsNames(assoc.GetServices()), assoc.GetDistrict(), belts)
	var all []*scored
	for _, h := range res.Hits {
		all = append(all, pc.score(h.Doc))
	}
	rank(all)
	items, next := page(all, p)
	resp := &matchv1.ListAssociationProspectsResponse{NextPageToken: next, TotalSize: int32(min(len(all), MaxResults))}
	for i, c := range items {
		sum, err := docs.FirmSummary(c.doc)
		if err != nil {
			return nil, err
		}
		resp.Matches = append(resp.Matches, &matchv1.ProspectMatch{
			Rank: int32(p.Offset + i + 1), Score: c.score, Reasons: c.reasons, Firm: sum,
			Member: slices.Contains(c.doc.Keywords[docs.FAssociationIDs], assoc.GetId()),
			Kind:   matchv1.DocumentKind_DOCUMENT_KIND_FIRM, Id: c.id, Title: sum.GetName(),
		})
	}
	return resp, nil
}

// prospectContext is what scoring firms for one association needs.
type prospectContext struct {
	assoc      string
	industries []string
	services   []string
	district   string
	markets    map[string]int
	// belts the association carries, with their chapters.
	belts    []index.Document
	chapters []string
}

// prospectContext gathers what scoring firms for assoc needs; belts are
// the published belts it carries.
func (s *Service) prospectContext(assoc string, industries, services []string, district commonv1.District, belts index.Result) *prospectContext {
	pc := &prospectContext{assoc: assoc, industries: industries, services: services, markets: s.members.MemberMarkets(assoc)}
	if district != 0 {
		pc.district = docs.Name(district)
	}
	for _, h := range belts.Hits {
		pc.belts = append(pc.belts, h.Doc)
		for _, ch := range h.Doc.Keywords[docs.FHSChapters] {
			if !slices.Contains(pc.chapters, ch) {
				pc.chapters = append(pc.chapters, ch)
			}
		}
	}
	return pc
}

var stageFit = map[string]float64{
	docs.Name(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING):          0.9,
	docs.Name(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED): 1,
	docs.Name(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER):        0.8,
	docs.Name(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE):               0.5,
	docs.Name(commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS):     0.4,
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func (pc *prospectContext) score(d index.Document) *scored {
	c := &scored{id: d.ID, doc: d}
	industry, district, stage := first(d.Keywords[docs.FIndustry]), first(d.Keywords[docs.FDistrict]), first(d.Keywords[docs.FStage])
	if industry != "" && slices.Contains(pc.industries, industry) {
		c.add(matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.25, 1, "属本会行业："+label(docs.FIndustry, industry), industry)
	}
	if district != "" && district == pc.district {
		c.add(matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT, 0.1, 1, "同在"+label(docs.FDistrict, district), district)
	}
	if f := stageFit[stage]; f > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_STAGE_FIT, 0.2, f, "处于"+label(docs.FStage, stage)+"阶段，帮扶见效快", stage)
	}
	if slices.Contains(d.Keywords[docs.FExportBase], "true") {
		c.add(matchv1.ReasonCode_REASON_CODE_EXPORT_BASE, 0.15, 1, "已有外贸出口，跨境电商尚待起步")
	}
	if needs := d.Keywords[docs.FNeeds]; len(needs) > 0 {
		if got := coveredNeeds(needs, pc.services, needsOfService, parseService); len(got) > 0 {
			c.add(matchv1.ReasonCode_REASON_CODE_NEED_COVERED, 0.1, float64(len(got))/float64(len(needs)), "本会服务对口其需求："+labels(docs.FNeeds, got), got...)
		}
	}
	var beltIDs, beltNames []string
	for _, b := range pc.belts {
		inBelt := district != "" && slices.Contains(b.Keywords[docs.FDistrict], district) && industry != "" && slices.Contains(b.Keywords[docs.FIndustry], industry)
		if inBelt || len(overlap(d.Keywords[docs.FHSChapters], b.Keywords[docs.FHSChapters])) > 0 {
			beltIDs, beltNames = append(beltIDs, b.ID), append(beltNames, b.Title)
		}
	}
	if len(beltIDs) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_BELT_FIT, 0.1, 1, "属本会承载的产业带："+strings.Join(beltNames, "、"), beltIDs...)
	}
	if ch := overlap(d.Keywords[docs.FHSChapters], pc.chapters); len(ch) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_HS_CHAPTER_OVERLAP, 0.05, 1, "产品品类与本会产业带重合："+labels(docs.FHSChapters, ch), ch...)
	}
	var ms []string
	for _, m := range d.Keywords[docs.FMarkets] {
		if pc.markets[m] > 0 {
			ms = append(ms, m)
		}
	}
	if len(ms) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_MARKET_OVERLAP, 0.05, 1, "与本会会员目标市场重合："+labels(docs.FMarkets, ms), ms...)
	}
	c.finish()
	return c
}
