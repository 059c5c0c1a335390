// Package app answers the match service's questions — which policies,
// associations, belts and experts fit a firm, which firms an association
// should work with, search as you type — from the search indexes, with
// scores made of reasons a person can check.
//
// Candidates come from the engine by typed filters; the structured reasons
// and the scores are computed here, from the documents' keyword fields, so
// both engines rank the same data the same way. Text relevance of a
// candidate to a firm's products is computed here too (term overlap with
// the shared synonyms), not taken from the engine's text ranking.
package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/indexsync"
)

// Profiles reads subjects from the profiles service with the caller's
// rights.
type Profiles interface {
	GetFirm(ctx context.Context, id string) (*profilesv1.Firm, error)
	GetAssociation(ctx context.Context, id string) (*profilesv1.Association, error)
}

// Evaluator asks the catalog to evaluate a firm against chosen policies,
// with the caller's rights.
type Evaluator interface {
	Evaluate(ctx context.Context, firmID string, policyIDs []string) ([]*catalogv1.PolicyEvaluation, error)
}

// Indexes is what the use cases need of the sync: whether an index is
// built, and its administration.
type Indexes interface {
	Ready(kind index.Kind) bool
	Kinds() []index.Kind
	Status(ctx context.Context) []indexsync.Status
	Rebuild(ctx context.Context, kind index.Kind, requestedBy string) (*indexsync.Rebuild, error)
	Reindex(ctx context.Context, kind index.Kind, id string) (indexsync.ReindexOutcome, int64, error)
}

// Service implements the match use cases.
type Service struct {
	engine   index.Engine
	indexes  Indexes
	profiles Profiles
	catalog  Evaluator
	events   Events
	members  *MemberStats
	logger   *slog.Logger
	now      func() time.Time
}

// Deps are the Service's collaborators; all are required.
type Deps struct {
	Engine   index.Engine
	Indexes  Indexes
	Profiles Profiles
	Catalog  Evaluator
	// Events reads events for invitee lists; nil without an events service.
	Events  Events
	Members *MemberStats
	Logger  *slog.Logger
	Now     func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{
		engine: d.Engine, indexes: d.Indexes, profiles: d.Profiles, catalog: d.Catalog, events: d.Events, members: d.Members,
		logger: d.Logger, now: d.Now,
	}
}

// search runs a query on kind's index, mapping engine trouble to
// UNAVAILABLE and an index still being built likewise.
func (s *Service) search(ctx context.Context, kind index.Kind, q index.Query) (index.Result, error) {
	if !s.indexes.Ready(kind) {
		return index.Result{}, apperr.Unavailable(nil, "%s索引正在构建，请稍后重试", kindLabel(kind))
	}
	res, err := s.engine.Search(ctx, kind, q)
	if err != nil {
		return index.Result{}, engineErr(err)
	}
	return res, nil
}

// searchMany runs queries in one engine call, once every kind's index is
// ready.
func (s *Service) searchMany(ctx context.Context, reqs []index.Request) ([]index.Result, error) {
	for _, r := range reqs {
		if !s.indexes.Ready(r.Kind) {
			return nil, apperr.Unavailable(nil, "%s索引正在构建，请稍后重试", kindLabel(r.Kind))
		}
	}
	res, err := s.engine.SearchMany(ctx, reqs)
	if err != nil {
		return nil, engineErr(err)
	}
	return res, nil
}

func engineErr(err error) error {
	switch {
	case errors.Is(err, index.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return apperr.Unavailable(err, "搜索引擎暂不可用，请稍后重试")
	default:
		return err
	}
}

func kindLabel(k index.Kind) string {
	return map[index.Kind]string{
		index.KindFirm: "企业", index.KindAssociation: "社会组织", index.KindPolicy: "政策",
		index.KindBelt: "产业带", index.KindExpert: "专家",
	}[k]
}

func requireSignedIn(ctx context.Context) (auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return p, apperr.Unauthenticated("请先登录")
	}
	if p.Role == auth.RoleService {
		return p, apperr.PermissionDenied("无权执行此操作")
	}
	return p, nil
}

// MaxResults is how deep a match list reaches.
const MaxResults = 1000

// kw is a keyword condition.
func kw(field string, values ...string) index.Cond { return index.Cond{Field: field, AnyOf: values} }

func not(field string, values ...string) index.Cond {
	return index.Cond{Field: field, AnyOf: values, Not: true}
}

func and(conds ...index.Cond) [][]index.Cond {
	out := make([][]index.Cond, 0, len(conds))
	for _, c := range conds {
		if len(c.AnyOf) > 0 || c.Min != nil || c.Max != nil {
			out = append(out, []index.Cond{c})
		}
	}
	return out
}

func f64(v float64) *float64 { return &v }
