// Package matchranker suggests experts for a consultation request through
// the match service (ListFirmExpertMatches with the request's needs, stage,
// markets, platforms, place and mode), with the caller's token, so the
// consult service shows the same ranking and reasons as the rest of Qihang.
package matchranker

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/services/consult/app"
)

// Ranker implements app.Ranker over the match service.
type Ranker struct{ c matchv1.MatchServiceClient }

var _ app.Ranker = (*Ranker)(nil)

// New returns a ranker calling the match service over conn.
func New(conn grpc.ClientConnInterface) *Ranker {
	return &Ranker{c: matchv1.NewMatchServiceClient(conn)}
}

// RankExperts returns the candidates match ranks for the request, best
// first, with match's reasons. A match service that cannot answer (down, or
// its experts index not built yet) is UNAVAILABLE, so the caller falls back
// to tags.
func (r *Ranker) RankExperts(ctx context.Context, c *consultv1.Consultation, candidates []*consultv1.Expert) ([]app.Ranked, error) {
	req := &matchv1.ListFirmExpertMatchesRequest{
		FirmId: c.GetFirmId(), PageSize: 100, Needs: c.GetNeeds(), Stage: c.GetStage(), Markets: c.GetMarkets(),
		Platforms: c.GetPlatforms(), District: c.GetPreferredDistrict(),
	}
	switch c.GetPreferredMode() {
	case consultv1.SessionMode_SESSION_MODE_ONLINE:
		req.OnlineOnly = true
	case consultv1.SessionMode_SESSION_MODE_ON_SITE:
		req.OnSiteOnly = req.GetDistrict() != 0
	}
	resp, err := r.c.ListFirmExpertMatches(auth.ForwardToken(ctx), req)
	if err != nil {
		switch status.Code(err) {
		case codes.Unavailable, codes.Unimplemented, codes.DeadlineExceeded:
			return nil, apperr.Unavailable(err, "专家匹配服务暂不可用")
		}
		return nil, err
	}
	byID := make(map[string]*consultv1.Expert, len(candidates))
	for _, e := range candidates {
		byID[e.GetId()] = e
	}
	var out []app.Ranked
	for _, m := range resp.GetMatches() {
		e, ok := byID[m.GetId()]
		if !ok {
			continue // full this week, or not a candidate any more
		}
		reasons := make([]string, 0, len(m.GetReasons()))
		for _, rs := range m.GetReasons() {
			reasons = append(reasons, rs.GetText())
		}
		out = append(out, app.Ranked{Expert: e, Score: m.GetScore(), Reasons: reasons})
	}
	if len(out) == 0 {
		// Match knows none of the candidates yet (its index is behind):
		// let tags decide rather than suggest nobody.
		return nil, apperr.Unavailable(nil, "专家匹配结果为空")
	}
	return out, nil
}
