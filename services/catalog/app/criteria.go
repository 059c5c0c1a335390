package app

import (
	"context"
	"unicode/utf8"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/services/catalog/domain"
)

// maxExpressionRunes bounds one criterion's expression.
const maxExpressionRunes = 2000

// CriterionEnvironment describes what criteria may use.
func (s *Service) CriterionEnvironment() *catalogv1.CriterionEnvironment {
	return s.engine.Environment()
}

// ValidateCriterion compiles one expression for the policy editor and, with
// a firm, tries it on that firm.
func (s *Service) ValidateCriterion(ctx context.Context, expr, firmID string) (*catalogv1.ValidateCriterionResponse, error) {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return nil, apperr.Unauthenticated("请先登录")
	}
	if !domain.CanAuthorPolicies(p) {
		return nil, denied()
	}
	if n := utf8.RuneCountInString(expr); n == 0 || n > maxExpressionRunes {
		return nil, apperr.Invalid("expression", "表达式须为1至%d个字符", maxExpressionRunes)
	}
	c, issues := s.engine.Compile(expr)
	resp := &catalogv1.ValidateCriterionResponse{Valid: c != nil, Issues: issues}
	if c == nil {
		return resp, nil
	}
	resp.ReferencedFields, resp.CostEstimate = c.Fields, int64(c.CostEstimate)
	if firmID != "" {
		subject, err := s.subject(ctx, p, EvaluateRequest{FirmID: firmID})
		if err != nil {
			return nil, err
		}
		ectx, cancel := s.engine.RequestContext(ctx)
		defer cancel()
		resp.TrialResult = s.engine.EvaluateOne(ectx, subject, c)
	}
	return resp, nil
}
