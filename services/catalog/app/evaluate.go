package app

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/proto"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/catalog/domain"
	"github.com/qihang-hz/qihang/services/catalog/eligibility"
)

// EvaluateRequest is one evaluation request.
type EvaluateRequest struct {
	FirmID    string
	Firm      *profilesv1.Firm
	PolicyIDs []string
	Category  catalogv1.PolicyCategory
	Verdicts  []catalogv1.Verdict
	PageSize  int32
	PageToken string
}

// EvaluateResult is one page of evaluations.
type EvaluateResult struct {
	Evaluations   []*catalogv1.PolicyEvaluation
	VerdictCounts []*catalogv1.VerdictCount
	Facts         *catalogv1.FirmFacts
	NextPageToken string
	TotalSize     int
}

// maxEvaluateIDs bounds explicit policy lists.
const maxEvaluateIDs = 100

// EvaluatePolicies checks one firm against some or all published policies.
func (s *Service) EvaluatePolicies(ctx context.Context, req EvaluateRequest) (*EvaluateResult, error) {
	p := auth.FromContext(ctx)
	v := &apperr.ValidationError{}
	switch {
	case req.FirmID == "" && req.Firm == nil:
		v.Add("firm_id", "请指定要评估的企业（firm_id）或填写企业信息（firm）")
	case req.FirmID != "" && !ids.Valid(req.FirmID):
		v.Add("firm_id", "企业id“%s”格式不正确", req.FirmID)
	}
	if len(req.PolicyIDs) > maxEvaluateIDs {
		v.Add("policy_ids", "一次最多评估%d项政策", maxEvaluateIDs)
	}
	seen := map[string]bool{}
	for i, id := range req.PolicyIDs {
		if seen[id] {
			v.Add(fmt.Sprintf("policy_ids[%d]", i), "政策id“%s”重复", id)
		}
		seen[id] = true
	}
	if req.Category != 0 && catalogv1.PolicyCategory_name[int32(req.Category)] == "" {
		v.Add("category", "政策类别代码%d无效", req.Category)
	}
	for i, vd := range req.Verdicts {
		if !slices.Contains(rankedVerdicts, vd) {
			v.Add(fmt.Sprintf("verdicts[%d]", i), "判定结果代码%d无效", vd)
		}
	}
	page, err := paging.Parse(req.PageSize, req.PageToken, fmt.Sprint(req.FirmID, req.PolicyIDs, req.Category, req.Verdicts, req.Firm != nil))
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	subject, err := s.subject(ctx, p, req)
	if err != nil {
		return nil, err
	}
	targets, err := s.targets(ctx, p, req)
	if err != nil {
		return nil, err
	}
	ectx, cancel := s.engine.RequestContext(ctx)
	defer cancel()
	rules := make([]*eligibility.PolicyRules, len(targets))
	for i, t := range targets {
		rules[i] = t.rules
	}
	results := s.engine.EvaluateMany(ectx, subject, rules)

	// Rank on verdicts alone; messages are built for the returned page only.
	now := s.now()
	verdicts := make([]catalogv1.Verdict, len(targets))
	counts := map[catalogv1.Verdict]int{}
	for i, t := range targets {
		verdicts[i] = results[i].Verdict
		if !t.open(now) {
			verdicts[i] = catalogv1.Verdict_VERDICT_NOT_OPEN
		}
		counts[verdicts[i]]++
	}
	order := make([]int, 0, len(targets))
	if len(req.PolicyIDs) > 0 {
		for i := range targets {
			order = append(order, i)
		}
	} else {
		// targets come in benefit-cap order, so grouping by verdict in rank
		// order yields the documented ranking without a sort.
		for _, vd := range rankedVerdicts {
			for i := range targets {
				if verdicts[i] == vd {
					order = append(order, i)
				}
			}
		}
	}
	if len(req.Verdicts) > 0 {
		order = slices.DeleteFunc(order, func(i int) bool { return !slices.Contains(req.Verdicts, verdicts[i]) })
	}
	out := &EvaluateResult{Facts: subject.Facts(), TotalSize: len(order)}
	for _, vd := range rankedVerdicts {
		if counts[vd] > 0 {
			out.VerdictCounts = append(out.VerdictCounts, &catalogv1.VerdictCount{Verdict: vd, Count: int32(counts[vd])})
		}
	}
	if page.Offset < len(order) {
		for _, i := range order[page.Offset:min(page.Offset+page.Size, len(order))] {
			out.Evaluations = append(out.Evaluations, evaluation(targets[i].policy, req.FirmID, results[i], now))
		}
	}
	out.NextPageToken = page.Next(len(out.Evaluations), len(order))
	return out, nil
}

// rankedVerdicts is the order of "every published policy" answers.
var rankedVerdicts = []catalogv1.Verdict{
	catalogv1.Verdict_VERDICT_ELIGIBLE, catalogv1.Verdict_VERDICT_LIKELY, catalogv1.Verdict_VERDICT_NOT_OPEN,
	catalogv1.Verdict_VERDICT_UNDETERMINED, catalogv1.Verdict_VERDICT_NOT_ELIGIBLE,
}

// evaluation assembles one policy's result: the criteria verdict, turned
// NOT_OPEN when the policy does not take applications at now.
func evaluation(policy *catalogv1.Policy, firmID string, r eligibility.PolicyResult, now time.Time) *catalogv1.PolicyEvaluation {
	open, openReason := eligibility.OpenAt(policy.GetStatus(), policy.GetValidity(), policy.GetApplicationWindow(), now)
	verdict := r.Verdict
	if !open {
		verdict = catalogv1.Verdict_VERDICT_NOT_OPEN
	}
	return &catalogv1.PolicyEvaluation{
		PolicyId:          policy.GetId(),
		PolicyTitle:       policy.GetTitle(),
		PolicyVersion:     policy.GetVersion(),
		FirmId:            firmID,
		Verdict:           verdict,
		CriteriaVerdict:   r.Verdict,
		VerdictReason:     eligibility.VerdictReason(verdict, r.Criteria, openReason),
		Criteria:          r.Criteria,
		MissingFields:     eligibility.MissingUnion(r.Criteria),
		Issuer:            policy.GetIssuer(),
		Benefit:           policy.GetBenefit(),
		ApplicationWindow: eligibility.ApplicationWindow(policy.GetValidity(), policy.GetApplicationWindow()),
		EvaluateTime:      timestamppb.New(now),
	}
}

// Bounds of an unsaved firm in a quick check: the profiles service's limits,
// so a request cannot make evaluation or its response arbitrarily large.
const (
	maxUnsavedList   = 50
	maxUnsavedText   = 500
	maxUnsavedMember = 20
)

// checkUnsavedFirm bounds an unsaved firm and drops what criteria never read
// (contacts).
func checkUnsavedFirm(f *profilesv1.Firm) (*profilesv1.Firm, error) {
	v := &apperr.ValidationError{}
	for name, n := range map[string]int{
		"firm.hs_codes": len(f.GetHsCodes()), "firm.platforms": len(f.GetPlatforms()),
		"firm.target_markets": len(f.GetTargetMarkets()), "firm.needs": len(f.GetNeeds()),
	} {
		if n > maxUnsavedList {
			v.Add(name, "最多%d项", maxUnsavedList)
		}
	}
	if len(f.GetMemberships()) > maxUnsavedMember {
		v.Add("firm.memberships", "最多%d个所属协会", maxUnsavedMember)
	}
	for name, s := range map[string]string{
		"firm.name": f.GetName(), "firm.name_en": f.GetNameEn(), "firm.main_products": f.GetMainProducts(),
		"firm.address": f.GetAddress(), "firm.website": f.GetWebsite(), "firm.uscc": f.GetUscc(),
	} {
		if len([]rune(s)) > maxUnsavedText {
			v.Add(name, "不能超过%d个字", maxUnsavedText)
		}
	}
	for i, code := range f.GetHsCodes() {
		if len(code) > 10 {
			v.Add(fmt.Sprintf("firm.hs_codes[%d]", i), "HS编码不能超过10位")
		}
	}
	for i, m := range f.GetTargetMarkets() {
		if len(m) > 3 {
			v.Add(fmt.Sprintf("firm.target_markets[%d]", i), "目标市场须为ISO 3166-1二位国家代码")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := proto.Clone(f).(*profilesv1.Firm)
	c.Contacts = nil
	return c, nil
}

// clientKey identifies who a quick check counts against: the account, or for
// anonymous callers the client address the gateway saw (the last
// X-Forwarded-For entry, which the gateway appends itself), or the peer.
func clientKey(ctx context.Context, p auth.Principal) string {
	if !p.Anonymous() {
		return "account:" + p.AccountID
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("x-forwarded-for"); len(v) > 0 {
			parts := strings.Split(v[len(v)-1], ",")
			return "ip:" + strings.TrimSpace(parts[len(parts)-1])
		}
	}
	if pr, ok := peer.FromContext(ctx); ok && pr.Addr != nil {
		host, _, err := net.SplitHostPort(pr.Addr.String())
		if err == nil {
			return "ip:" + host
		}
	}
	return "anonymous"
}

// joinedProgramme reports whether an association has joined the programme,
// from a short-lived cache in front of the profiles service (reading an
// association there also counts its firms, which costs a collection scan on
// the embedded store). Unknown associations count as not joined.
func (s *Service) joinedProgramme(ctx context.Context, id string) (bool, error) {
	if joined, ok := s.programme.get(id, s.now()); ok {
		return joined, nil
	}
	a, err := s.profiles.GetAssociation(ctx, id)
	if isNotFoundStatus(err) || apperr.IsKind(err, apperr.KindNotFound) {
		s.programme.put(id, false, s.now())
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.programme.put(id, a.GetJoinedProgramme(), s.now())
	return a.GetJoinedProgramme(), nil
}

// isNotFoundStatus reports a NOT_FOUND status from another service.
func isNotFoundStatus(err error) bool { return status.Code(err) == codes.NotFound }

// targets returns the policies a request evaluates: the named ones (each
// visible to the caller) in request order, or every published, unexpired one
// (of a category) in benefit-cap order.
func (s *Service) targets(ctx context.Context, p auth.Principal, req EvaluateRequest) ([]*cachedPolicy, error) {
	cached, byID, err := s.published(ctx)
	if err != nil {
		return nil, err
	}
	if len(req.PolicyIDs) == 0 {
		out := make([]*cachedPolicy, 0, len(cached))
		now := s.now()
		for _, c := range cached {
			if c.expired(now) {
				continue // "every published policy" leaves expired ones out
			}
			if req.Category == 0 || slices.Contains(c.policy.GetCategories(), req.Category) {
				out = append(out, c)
			}
		}
		return out, nil
	}
	out := make([]*cachedPolicy, 0, len(req.PolicyIDs))
	for i, id := range req.PolicyIDs {
		if c := byID[id]; c != nil {
			out = append(out, c)
			continue
		}
		policy, err := s.policies.Get(ctx, id)
		if err == nil && !domain.CanReadPolicy(p, policy) {
			err = apperr.NotFound("政策%s不存在", id)
		}
		if err != nil {
			if apperr.IsKind(err, apperr.KindNotFound) {
				return nil, apperr.NotFound("policy_ids[%d]：政策%s不存在", i, id)
			}
			return nil, err
		}
		rules, cv := s.engine.CompilePolicy(policy)
		if cv != nil {
			return nil, apperr.FailedPrecondition("政策%s的条件无法编译：%s", id, cv.Error())
		}
		out = append(out, newCachedPolicy(policy, rules))
	}
	return out, nil
}

// subject prepares the firm: a saved one read from the profiles service
// with the caller's rights, or an unsaved one from the request.
func (s *Service) subject(ctx context.Context, p auth.Principal, req EvaluateRequest) (*eligibility.Subject, error) {
	firm := req.Firm
	if req.FirmID != "" {
		if p.Anonymous() {
			return nil, apperr.Unauthenticated("评估已登记企业须先登录；未登录时可填写企业信息进行快速自测")
		}
		f, err := s.profiles.GetFirm(ctx, req.FirmID)
		if err != nil {
			return nil, err
		}
		firm = f
	} else {
		if !s.quick.allow(clientKey(ctx, p), s.now()) {
			return nil, apperr.ResourceExhausted("快速自测请求过多，请稍后再试")
		}
		var err error
		if firm, err = checkUnsavedFirm(firm); err != nil {
			return nil, err
		}
	}
	programme := map[string]bool{}
	if !p.Anonymous() {
		for _, m := range firm.GetMemberships() {
			id := m.GetAssociationId()
			if id == "" {
				continue
			}
			joined, err := s.joinedProgramme(ctx, id)
			if err != nil {
				return nil, err
			}
			programme[id] = joined
		}
	}
	belts, err := s.publishedBelts(ctx)
	if err != nil {
		return nil, err
	}
	// The firm is in the belts of its district and industry.
	var beltIDs []string
	if firm.GetDistrict() != 0 && firm.GetIndustry() != 0 {
		for _, b := range belts {
			if b.GetDistrict() == firm.GetDistrict() && b.GetIndustry() == firm.GetIndustry() {
				beltIDs = append(beltIDs, b.GetId())
			}
		}
	}
	facts := eligibility.Facts(firm, programme, beltIDs)
	if p.Anonymous() {
		// Who may not read associations cannot have memberships checked.
		return s.engine.NewSubjectUnknownMembership(firm, facts), nil
	}
	return s.engine.NewSubject(firm, facts), nil
}
