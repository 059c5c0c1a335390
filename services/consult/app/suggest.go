package app

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/consult/adapters"
)

// Ranked is one expert ranked for a consultation.
type Ranked struct {
	Expert  *consultv1.Expert
	Score   float64
	Reasons []string
}

// Ranker ranks candidate experts for a consultation, best first. The match
// service will implement it; until then SuggestExperts ranks by tags
// (TagRank). A Ranker that fails with UNAVAILABLE falls back to tags too.
type Ranker interface {
	RankExperts(ctx context.Context, c *consultv1.Consultation, candidates []*consultv1.Expert) ([]Ranked, error)
}

// Weights of the tag ranking; they sum to 1.
const (
	weightNeeds     = 0.55
	weightStage     = 0.15
	weightMarkets   = 0.10
	weightPlatforms = 0.05
	weightPlace     = 0.15
)

func labelsOf[E protoreflect.Enum](list []E) string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = refdata.Label(e)
	}
	return strings.Join(out, "、")
}

// TagRank ranks experts by how many of the consultation's need tags their
// specialties cover, then stage, markets, platforms and whether they can
// meet the way and where the firm prefers. Experts covering no need are left
// out. Ties go to the better rated, then by name.
func TagRank(c *consultv1.Consultation, experts []*consultv1.Expert) []Ranked {
	var out []Ranked
	for _, e := range experts {
		var covered []commonv1.NeedTag
		for _, n := range c.GetNeeds() {
			if slices.Contains(e.GetSpecialties(), n) {
				covered = append(covered, n)
			}
		}
		if len(covered) == 0 {
			continue
		}
		score := weightNeeds * float64(len(covered)) / float64(len(c.GetNeeds()))
		reasons := []string{"擅长：" + labelsOf(covered)}
		if st := c.GetStage(); st != 0 && slices.Contains(e.GetStages(), st) {
			score += weightStage
			reasons = append(reasons, "覆盖阶段："+refdata.Label(st))
		}
		if len(c.GetMarkets()) > 0 {
			var known []string
			for _, m := range c.GetMarkets() {
				if slices.Contains(e.GetMarkets(), m) {
					known = append(known, m)
				}
			}
			if len(known) > 0 {
				score += weightMarkets * float64(len(known)) / float64(len(c.GetMarkets()))
				reasons = append(reasons, "熟悉市场："+strings.Join(known, "、"))
			}
		}
		if len(c.GetPlatforms()) > 0 {
			var known []commonv1.SalesPlatform
			for _, pl := range c.GetPlatforms() {
				if slices.Contains(e.GetPlatforms(), pl) {
					known = append(known, pl)
				}
			}
			if len(known) > 0 {
				score += weightPlatforms * float64(len(known)) / float64(len(c.GetPlatforms()))
				reasons = append(reasons, "熟悉平台："+labelsOf(known))
			}
		}
		onSite := c.GetPreferredDistrict() != 0 && slices.Contains(e.GetDistricts(), c.GetPreferredDistrict())
		switch c.GetPreferredMode() {
		case consultv1.SessionMode_SESSION_MODE_ONLINE:
			if e.GetOnline() {
				score += weightPlace
				reasons = append(reasons, "支持线上咨询")
			}
		case consultv1.SessionMode_SESSION_MODE_ON_SITE:
			if onSite {
				score += weightPlace
				reasons = append(reasons, "可在"+refdata.Label(c.GetPreferredDistrict())+"线下咨询")
			}
		default:
			switch {
			case onSite:
				score += weightPlace
				reasons = append(reasons, "可在"+refdata.Label(c.GetPreferredDistrict())+"线下咨询")
			case e.GetOnline():
				score += weightPlace
				reasons = append(reasons, "支持线上咨询")
			}
		}
		out = append(out, Ranked{Expert: e, Score: min(1, score), Reasons: reasons})
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Expert.GetRatingAverage(), a.Expert.GetRatingAverage()),
			strings.Compare(a.Expert.GetName(), b.Expert.GetName()))
	})
	return out
}

// SuggestExperts ranks experts for a consultation with their next bookable
// slots. Paused experts and experts whose current week is full are left out.
func (s *Service) SuggestExperts(ctx context.Context, id string, max int32) ([]*consultv1.ExpertSuggestion, consultv1.SuggestionSource, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, 0, err
	}
	if max < 0 || max > 20 {
		return nil, 0, apperr.Invalid("max_suggestions", "建议数须在1至20之间，当前为%d", max)
	}
	if max == 0 {
		max = 5
	}
	c, err := s.loadConsultation(ctx, p, id)
	if err != nil {
		return nil, 0, err
	}
	if p.Is(auth.RoleExpert) {
		return nil, 0, denied("查看专家推荐")
	}
	experts, _, err := s.st.Experts.List(ctx, adapters.ExpertFilter{}, 0, 0)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	weeks := map[string]int32{}
	candidates := experts[:0]
	for _, e := range experts {
		if full, err := s.weekFull(ctx, e, now, weeks); err != nil {
			return nil, 0, err
		} else if !full {
			candidates = append(candidates, e)
		}
	}
	source := consultv1.SuggestionSource_SUGGESTION_SOURCE_TAGS
	var ranked []Ranked
	if s.ranker != nil {
		r, err := s.ranker.RankExperts(ctx, c, candidates)
		switch {
		case err == nil:
			ranked, source = r, consultv1.SuggestionSource_SUGGESTION_SOURCE_MATCH
		case apperr.IsKind(err, apperr.KindUnavailable):
			s.logger.WarnContext(ctx, "consult: match unavailable, suggesting by tags", "err", err)
		default:
			return nil, 0, err
		}
	}
	if source == consultv1.SuggestionSource_SUGGESTION_SOURCE_TAGS {
		ranked = TagRank(c, candidates)
	}
	if len(ranked) > int(max) {
		ranked = ranked[:max]
	}
	out := make([]*consultv1.ExpertSuggestion, 0, len(ranked))
	for _, r := range ranked {
		next, err := s.nextSlots(ctx, p, c, r.Expert)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, &consultv1.ExpertSuggestion{Expert: r.Expert, Score: r.Score, Reasons: r.Reasons, NextSlots: next})
	}
	return out, source, nil
}

// nextSlots returns up to three bookable slots of an expert in the next 60
// days, the preferred mode first, then those inside a preferred time window,
// then by start.
func (s *Service) nextSlots(ctx context.Context, p auth.Principal, c *consultv1.Consultation, e *consultv1.Expert) ([]*consultv1.Slot, error) {
	now := s.now()
	open, _, err := s.st.Slots.List(ctx, adapters.SlotFilter{
		ExpertID: e.GetId(), Status: consultv1.SlotStatus_SLOT_STATUS_OPEN, StartAfter: now, StartBefore: now.AddDate(0, 0, 60),
	}, 0, 0)
	if err != nil {
		return nil, err
	}
	open = slices.DeleteFunc(s.presentSlots(ctx, p, open), func(sl *consultv1.Slot) bool { return !sl.GetBookable() })
	rank := func(sl *consultv1.Slot) int {
		r := 0
		if m := c.GetPreferredMode(); m != 0 && sl.GetMode() != m {
			r += 2
		}
		inWindow := len(c.GetPreferredTimes()) == 0
		for _, w := range c.GetPreferredTimes() {
			t := sl.GetStartTime().AsTime()
			if !t.Before(w.GetStartTime().AsTime()) && t.Before(w.GetEndTime().AsTime()) {
				inWindow = true
			}
		}
		if !inWindow {
			r++
		}
		return r
	}
	slices.SortStableFunc(open, func(a, b *consultv1.Slot) int { return cmp.Compare(rank(a), rank(b)) })
	if len(open) > 3 {
		open = open[:3]
	}
	return open, nil
}
