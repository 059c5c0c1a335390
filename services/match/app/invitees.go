package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/match/docs"
	"github.com/qihang-hz/qihang/services/match/index"
)

// Events reads events and who is registered for them, with the caller's
// rights.
type Events interface {
	GetEvent(ctx context.Context, id string) (*eventsv1.Event, error)
	// Registered returns the firms and associations registered for or
	// nominated to the event (any status but cancelled or declined).
	Registered(ctx context.Context, eventID string) (firms, associations []string, err error)
}

// inviteeCandidates is how many firms, most ready first, an invitee list
// scores.
const inviteeCandidates = 500

// ListEventInvitees lists the firms and associations to invite to an event.
func (s *Service) ListEventInvitees(ctx context.Context, req *matchv1.ListEventInviteesRequest) (*matchv1.ListEventInviteesResponse, error) {
	v := &apperr.ValidationError{}
	for i, k := range req.GetKinds() {
		if k != matchv1.DocumentKind_DOCUMENT_KIND_FIRM && k != matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION {
			v.Add(fmt.Sprintf("kinds[%d]", i), "只能是企业或社会组织")
		}
	}
	checkEnums(v, "districts", req.GetDistricts())
	checkEnums(v, "stages", req.GetStages())
	if strings.TrimSpace(req.GetEventId()) == "" {
		v.Add("event_id", "请指定活动")
	}
	p, perr := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprint("invitees", req.GetEventId(), req.GetKinds(), req.GetDistricts(),
		req.GetStages(), req.GetAssociationId(), req.GetIncludeRegistered()))
	if pv, ok := apperr.AsValidation(perr); ok {
		v.Merge("", pv)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	caller, err := requireSignedIn(ctx)
	if err != nil {
		return nil, err
	}
	assocFilter := req.GetAssociationId()
	switch caller.Role {
	case auth.RoleBureauAdmin, auth.RoleDistrictOfficer:
	case auth.RoleAssociationAdmin:
		assocFilter = caller.AssociationID
	default:
		return nil, apperr.PermissionDenied("无权查看活动的邀请名单")
	}
	if s.events == nil {
		return nil, apperr.Unavailable(nil, "活动服务未接入")
	}
	ev, err := s.events.GetEvent(ctx, req.GetEventId())
	if err != nil {
		return nil, err
	}
	if caller.Role == auth.RoleDistrictOfficer && ev.GetDistrict() != caller.District {
		return nil, apperr.PermissionDenied("只能查看本区活动的邀请名单")
	}
	switch ev.GetStatus() {
	case eventsv1.EventStatus_EVENT_STATUS_CANCELLED, eventsv1.EventStatus_EVENT_STATUS_COMPLETED:
		return nil, apperr.FailedPrecondition("活动已%s，无需再邀请", map[eventsv1.EventStatus]string{
			eventsv1.EventStatus_EVENT_STATUS_CANCELLED: "取消", eventsv1.EventStatus_EVENT_STATUS_COMPLETED: "结束"}[ev.GetStatus()])
	}
	kinds := req.GetKinds()
	if len(kinds) == 0 {
		switch ev.GetAudience() {
		case eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS:
			kinds = []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION}
		case eventsv1.EventAudience_EVENT_AUDIENCE_FIRMS:
			kinds = []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_FIRM}
		default:
			kinds = []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_FIRM, matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION}
		}
	}
	if caller.Role == auth.RoleAssociationAdmin {
		// An association admin nominates its own members only.
		kinds = []matchv1.DocumentKind{matchv1.DocumentKind_DOCUMENT_KIND_FIRM}
	}
	regFirms, regAssocs, err := s.events.Registered(ctx, ev.GetId())
	if err != nil {
		return nil, err
	}
	ec, err := s.eventContext(ctx, ev)
	if err != nil {
		return nil, err
	}

	var all []*scored
	registered := map[string]bool{}
	if slices.Contains(kinds, matchv1.DocumentKind_DOCUMENT_KIND_FIRM) {
		conds := []index.Cond{
			kw(docs.FDistrict, docsNames(req.GetDistricts())...),
			kw(docs.FStage, docsNames(req.GetStages())...),
			kw(docs.FAssociationIDs, nonEmpty(assocFilter)...),
		}
		if !req.GetIncludeRegistered() {
			conds = append(conds, not(index.IDField, regFirms...))
		}
		filter := and(conds...)
		var fits []index.Cond
		if len(ec.industries) > 0 {
			fits = append(fits, kw(docs.FIndustry, ec.industries...))
		}
		if len(ec.chapters) > 0 {
			fits = append(fits, kw(docs.FHSChapters, ec.chapters...))
		}
		if len(fits) > 0 {
			filter = append(filter, fits)
		}
		res, err := s.search(ctx, index.KindFirm, index.Query{
			Filter: index.Filter{All: filter}, Sort: []index.SortBy{{Field: docs.NReadiness, Desc: true}, {Field: index.IDField}},
			Limit: inviteeCandidates,
		})
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			c := ec.scoreFirm(h.Doc)
			c.tier = 0
			all = append(all, c)
		}
		for _, id := range regFirms {
			registered[id] = true
		}
	}
	if slices.Contains(kinds, matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION) {
		conds := []index.Cond{kw(docs.FDistrict, docsNames(req.GetDistricts())...), kw(docs.FIndustries, ec.industries...)}
		if !req.GetIncludeRegistered() {
			conds = append(conds, not(index.IDField, regAssocs...))
		}
		res, err := s.search(ctx, index.KindAssociation, index.Query{Filter: index.Filter{All: and(conds...)}, Sort: []index.SortBy{{Field: index.IDField}}, Limit: index.MaxLimit})
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			c := s.scoreAssociationInvitee(ec, h.Doc)
			c.doc.Keywords = withKind(c.doc.Keywords, "association")
			all = append(all, c)
		}
		for _, id := range regAssocs {
			registered[id] = true
		}
	}
	rank(all)
	items, next := page(all, p)
	resp := &matchv1.ListEventInviteesResponse{NextPageToken: next, TotalSize: int32(min(len(all), MaxResults))}
	for i, c := range items {
		m := &matchv1.InviteeMatch{Rank: int32(p.Offset + i + 1), Score: c.score, Reasons: c.reasons, Registered: registered[c.id], Id: c.id}
		if slices.Contains(c.doc.Keywords["_kind"], "association") {
			sum, err := s.associationSummary(c.doc)
			if err != nil {
				return nil, err
			}
			m.Invitee, m.Kind, m.Title = &matchv1.InviteeMatch_Association{Association: sum}, matchv1.DocumentKind_DOCUMENT_KIND_ASSOCIATION, sum.GetName()
		} else {
			sum, err := docs.FirmSummary(c.doc)
			if err != nil {
				return nil, err
			}
			m.Invitee, m.Kind, m.Title = &matchv1.InviteeMatch_Firm{Firm: sum}, matchv1.DocumentKind_DOCUMENT_KIND_FIRM, sum.GetName()
			if err := s.briefedPolicyReasons(ctx, ev, m); err != nil {
				return nil, err
			}
		}
		resp.Matches = append(resp.Matches, m)
	}
	return resp, nil
}

func withKind(kw map[string][]string, kind string) map[string][]string {
	out := make(map[string][]string, len(kw)+1)
	for k, v := range kw {
		out[k] = v
	}
	out["_kind"] = []string{kind}
	return out
}

// eventContext is what scoring invitees for one event needs.
type eventContext struct {
	district   string
	industries []string
	stages     []string
	markets    []string
	belts      []index.Document
	chapters   []string
}

func (s *Service) eventContext(ctx context.Context, ev *eventsv1.Event) (*eventContext, error) {
	ec := &eventContext{industries: docsNames(ev.GetIndustries()), stages: docsNames(ev.GetStages()), markets: ev.GetTargetMarkets()}
	if ev.GetDistrict() != 0 {
		ec.district = docs.Name(ev.GetDistrict())
	}
	if ids := ev.GetIndustryBeltIds(); len(ids) > 0 {
		res, err := s.search(ctx, index.KindBelt, index.Query{
			Filter: index.Filter{All: and(kw(index.IDField, ids...), kw(docs.FStatus, docs.Name(catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED)))},
			Sort:   []index.SortBy{{Field: index.IDField}}, Limit: len(ids),
		})
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			ec.belts = append(ec.belts, h.Doc)
			for _, ch := range h.Doc.Keywords[docs.FHSChapters] {
				if !slices.Contains(ec.chapters, ch) {
					ec.chapters = append(ec.chapters, ch)
				}
			}
			for _, ind := range h.Doc.Keywords[docs.FIndustry] {
				if !slices.Contains(ec.industries, ind) {
					ec.industries = append(ec.industries, ind)
				}
			}
		}
	}
	return ec, nil
}

func (ec *eventContext) scoreFirm(d index.Document) *scored {
	c := &scored{id: d.ID, doc: d}
	industry, district, stage := first(d.Keywords[docs.FIndustry]), first(d.Keywords[docs.FDistrict]), first(d.Keywords[docs.FStage])
	if industry != "" && slices.Contains(ec.industries, industry) {
		c.add(matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.25, 1, "活动面向"+label(docs.FIndustry, industry)+"行业", industry)
	}
	var beltIDs, beltNames []string
	for _, b := range ec.belts {
		inBelt := district != "" && slices.Contains(b.Keywords[docs.FDistrict], district) && industry != "" && slices.Contains(b.Keywords[docs.FIndustry], industry)
		if inBelt || len(overlap(d.Keywords[docs.FHSChapters], b.Keywords[docs.FHSChapters])) > 0 {
			beltIDs, beltNames = append(beltIDs, b.ID), append(beltNames, b.Title)
		}
	}
	if len(beltIDs) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_BELT_FIT, 0.2, 1, "属活动对口产业带："+strings.Join(beltNames, "、"), beltIDs...)
	}
	if ch := overlap(d.Keywords[docs.FHSChapters], ec.chapters); len(ch) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_HS_CHAPTER_OVERLAP, 0.1, 1, "产品品类对口："+labels(docs.FHSChapters, ch), ch...)
	}
	if ms := overlap(d.Keywords[docs.FMarkets], ec.markets); len(ms) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_MARKET_OVERLAP, 0.15, float64(len(ms))/float64(len(ec.markets)), "目标市场重合："+labels(docs.FMarkets, ms), ms...)
	}
	if stage != "" && (slices.Contains(ec.stages, stage) || len(ec.stages) == 0 && stageFit[stage] > 0) {
		strength := 1.0
		if len(ec.stages) == 0 {
			strength = stageFit[stage]
		}
		c.add(matchv1.ReasonCode_REASON_CODE_STAGE_FIT, 0.15, strength, "处于"+label(docs.FStage, stage)+"阶段", stage)
	}
	if district != "" && district == ec.district {
		c.add(matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT, 0.1, 1, "活动在本区举办："+label(docs.FDistrict, district), district)
	}
	c.finish()
	return c
}

func (s *Service) scoreAssociationInvitee(ec *eventContext, d index.Document) *scored {
	c := &scored{id: d.ID, doc: d}
	if ind := overlap(d.Keywords[docs.FIndustries], ec.industries); len(ind) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_SHARED_INDUSTRY, 0.35, 1, "活动面向本会行业："+labels(docs.FIndustry, ind), ind...)
	}
	total, same := 0, 0
	for _, ind := range ec.industries {
		t, n, _ := s.members.Members(d.ID, ind, nil)
		total, same = t, same+n
	}
	if same > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_MEMBERS_SAME_INDUSTRY, 0.25, float64(same)/float64(max(total, 1))+0.5, fmt.Sprintf("有%d家对口行业会员企业", same))
	}
	carried := s.members.BeltsCarriedBy(d.ID)
	var beltIDs, beltNames []string
	for _, b := range ec.belts {
		if slices.Contains(carried, b.ID) {
			beltIDs, beltNames = append(beltIDs, b.ID), append(beltNames, b.Title)
		}
	}
	if len(beltIDs) > 0 {
		c.add(matchv1.ReasonCode_REASON_CODE_BELT_FIT, 0.25, 1, "承载活动对口产业带："+strings.Join(beltNames, "、"), beltIDs...)
	}
	if ec.district != "" && slices.Contains(d.Keywords[docs.FDistrict], ec.district) {
		c.add(matchv1.ReasonCode_REASON_CODE_SAME_DISTRICT, 0.15, 1, "活动在本区举办："+label(docs.FDistrict, ec.district), ec.district)
	}
	c.finish()
	return c
}

// briefedPolicyReasons adds, for a firm on the page, whether it is
// eligible for the policies the event briefs on. It explains; it does not
// move the ranking (contribution 0), so the page order stays that of the
// structured score.
func (s *Service) briefedPolicyReasons(ctx context.Context, ev *eventsv1.Event, m *matchv1.InviteeMatch) error {
	ids := ev.GetPolicyIds()
	if len(ids) == 0 {
		return nil
	}
	evals, err := s.catalog.Evaluate(ctx, m.GetId(), ids[:min(len(ids), 100)])
	if err != nil {
		return nil // the explanation is optional; the list stands without it
	}
	var eligible, likely []string
	for _, e := range evals {
		switch e.GetVerdict() {
		case catalogv1.Verdict_VERDICT_ELIGIBLE:
			eligible = append(eligible, e.GetPolicyId())
		case catalogv1.Verdict_VERDICT_LIKELY:
			likely = append(likely, e.GetPolicyId())
		}
	}
	if len(eligible) > 0 {
		m.Reasons = append(m.Reasons, &matchv1.Reason{Code: matchv1.ReasonCode_REASON_CODE_ELIGIBLE,
			Text: fmt.Sprintf("符合活动宣讲的%d项政策", len(eligible)), MatchedValues: eligible})
	}
	if len(likely) > 0 {
		m.Reasons = append(m.Reasons, &matchv1.Reason{Code: matchv1.ReasonCode_REASON_CODE_LIKELY_ELIGIBLE,
			Text: fmt.Sprintf("可能符合活动宣讲的%d项政策", len(likely)), MatchedValues: likely})
	}
	return nil
}
