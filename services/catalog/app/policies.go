package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	etagpkg "github.com/qihang-hz/qihang/internal/etag"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/catalog/adapters"
	"github.com/qihang-hz/qihang/services/catalog/domain"
)

// policyWritable are the fields UpdatePolicy may change.
var policyWritable = []string{
	"title", "issuer", "level", "districts", "industries", "stages", "categories", "summary", "full_text",
	"benefit", "validity", "application_window", "how_to_apply", "apply_url", "enquiry_contact", "source",
	"tags", "criteria",
}

var policyReadOnly = []string{"status", "version", "publish_time", "sample", "create_time", "update_time"}

const (
	draft     = catalogv1.PolicyStatus_POLICY_STATUS_DRAFT
	published = catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED
	withdrawn = catalogv1.PolicyStatus_POLICY_STATUS_WITHDRAWN
)

func actorName(p auth.Principal) string { return p.Username }

// checkPolicy normalizes and validates a policy as the caller would store
// it: fields, the district officer's limits, and every criterion compiled.
// Field names are prefixed with "policy.".
func (s *Service) checkPolicy(p auth.Principal, policy *catalogv1.Policy) error {
	domain.NormalizePolicy(policy)
	v := &apperr.ValidationError{}
	v.Merge("policy", domain.ValidatePolicy(policy))
	if _, cv := s.engine.CompilePolicy(policy); cv != nil {
		v.Merge("", cv)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if p.Is(auth.RoleDistrictOfficer) && domain.OwnerDistrict(policy) != p.District {
		return apperr.PermissionDenied("区县专员只能编辑本区县的区县级政策（政策层级为区县级，适用区县仅为本区县）")
	}
	return nil
}

func policyAudit(action string, policy *catalogv1.Policy, detail string) audit.Record {
	return audit.Record{Action: action, ObjectType: "policy", ObjectID: policy.GetId(), ObjectVersion: int64(policy.GetVersion()), Detail: detail}
}

// CreatePolicy creates a draft policy, or with validateOnly returns it as it
// would be stored.
func (s *Service) CreatePolicy(ctx context.Context, policy *catalogv1.Policy, validateOnly bool) (*catalogv1.Policy, error) {
	p := auth.FromContext(ctx)
	if !domain.CanAuthorPolicies(p) {
		return nil, denied()
	}
	policy = proto.Clone(policy).(*catalogv1.Policy)
	policy.Id, policy.Status, policy.Version, policy.Etag = ids.New(), draft, 1, "1"
	policy.PublishTime, policy.CreateTime, policy.UpdateTime, policy.Sample = nil, nil, nil, policy.GetSample() && p.AccountID == "system"
	if err := s.checkPolicy(p, policy); err != nil {
		return nil, err
	}
	if validateOnly {
		now := timestamppb.New(s.now())
		policy.CreateTime, policy.UpdateTime = now, now
		return policy, nil
	}
	out, err := s.policies.Create(ctx, policy, adapters.Change{Kind: catalogv1.PolicyChange_POLICY_CHANGE_CREATED, ActorID: p.AccountID, ActorName: actorName(p)})
	if err != nil {
		return nil, err
	}
	s.policyChanged(out, false) // a draft: counts the write, changes nothing evaluated
	s.audit.Append(ctx, p, policyAudit("policy.create", out, out.GetTitle()))
	return out, nil
}

// GetPolicy returns a policy the caller may read.
func (s *Service) GetPolicy(ctx context.Context, id string) (*catalogv1.Policy, error) {
	policy, err := s.policies.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.visible(auth.FromContext(ctx), policy)
}

// ListPolicies lists the policies the caller may see, without full text.
func (s *Service) ListPolicies(ctx context.Context, f domain.PolicyFilter, size int32, token string) ([]*catalogv1.Policy, string, int, error) {
	p := auth.FromContext(ctx)
	v := &apperr.ValidationError{}
	if utf8.RuneCountInString(f.TextContains) > 50 {
		v.Add("text_contains", "关键字不能超过50个字")
	}
	checkFilterEnums(v, f)
	page, err := paging.Parse(size, token, fmt.Sprintf("%+v", f))
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	if err := v.Err(); err != nil {
		return nil, "", 0, err
	}
	list, total, err := s.policies.List(ctx, adapters.ListQuery{Scope: domain.PolicyScopeFor(p), Filter: f, Now: s.now()}, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	for _, policy := range list {
		policy.FullText = ""
		policy.Status = domain.EffectiveStatus(policy.GetStatus(), policy.GetValidity(), s.now())
	}
	return list, page.Next(len(list), total), total, nil
}

// UpdatePolicy changes the masked fields and records a version.
func (s *Service) UpdatePolicy(ctx context.Context, patch *catalogv1.Policy, paths []string, note string, validateOnly bool) (*catalogv1.Policy, error) {
	p := auth.FromContext(ctx)
	if !domain.CanAuthorPolicies(p) {
		if p.Anonymous() {
			return nil, apperr.Unauthenticated("请先登录")
		}
		return nil, denied()
	}
	version, paths, v := updateRequest("policy", patch, patch.GetId(), patch.GetEtag(), paths, policyWritable, policyReadOnly)
	if utf8.RuneCountInString(note) > domain.MaxNoteRunes {
		v.Add("change_note", "修改说明不能超过%d个字", domain.MaxNoteRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if validateOnly {
		cur, err := s.policies.Get(ctx, patch.GetId())
		if err != nil {
			return nil, err
		}
		if _, err := s.applyPolicyPatch(p, cur, patch, paths, version); err != nil {
			return nil, err
		}
		return s.visible(p, cur)
	}
	var changed []string
	out, err := s.policies.Update(ctx, patch.GetId(), version, func(cur *catalogv1.Policy) (adapters.Change, error) {
		c, err := s.applyPolicyPatch(p, cur, patch, paths, 0)
		changed = c
		if err != nil {
			return adapters.Change{}, err
		}
		return adapters.Change{Kind: catalogv1.PolicyChange_POLICY_CHANGE_UPDATED, Note: note, ActorID: p.AccountID, ActorName: actorName(p)}, nil
	})
	if err != nil {
		return nil, err
	}
	s.policyChanged(out, false)
	s.audit.Append(ctx, p, policyAudit("policy.update", out, "修改字段："+strings.Join(changed, ",")))
	return s.visible(p, out)
}

// applyPolicyPatch applies a patch to cur in place after the access and
// validity checks; with expect > 0 it also checks the version (for
// validate-only requests, which do not go through the store's update).
func (s *Service) applyPolicyPatch(p auth.Principal, cur, patch *catalogv1.Policy, paths []string, expect int64) ([]string, error) {
	if !domain.CanReadPolicy(p, cur) {
		return nil, apperr.NotFound("政策%s不存在", cur.GetId())
	}
	if !domain.CanEditPolicy(p, cur) {
		return nil, apperr.PermissionDenied("无权修改该政策")
	}
	if expect > 0 && int64(cur.GetVersion()) != expect {
		return nil, apperr.Conflict("该政策已被他人修改（当前版本%d），请刷新后重试", cur.GetVersion())
	}
	before := proto.Clone(cur).(*catalogv1.Policy)
	fieldmask.ApplyNested(cur, patch, paths)
	keepCriterionIDs(before.GetCriteria(), cur.GetCriteria())
	if err := s.checkPolicy(p, cur); err != nil {
		return nil, err
	}
	if cur.GetStatus() == published {
		// A published policy must stay publishable: the same field
		// violations as PublishPolicy.
		if err := domain.ValidatePublishable(cur, false).Err(); err != nil {
			return nil, err
		}
	}
	var changed []string
	for _, path := range fieldmask.TopLevel(paths) {
		fd := cur.ProtoReflect().Descriptor().Fields().ByName(protoName(path))
		if fd != nil && !cur.ProtoReflect().Get(fd).Equal(before.ProtoReflect().Get(fd)) {
			changed = append(changed, path)
		}
	}
	return changed, nil
}

// keepCriterionIDs gives criteria sent without an id the id of the earlier
// criterion with the same expression, so a criterion keeps its id across
// versions and results compare even when an editor reorders or removes
// others. The rest get fresh ids when the policy is compiled.
func keepCriterionIDs(before, after []*catalogv1.Criterion) {
	used := map[string]bool{}
	for _, c := range after {
		if c.GetId() != "" {
			used[c.GetId()] = true
		}
	}
	for _, c := range after {
		if c.GetId() != "" {
			continue
		}
		for _, old := range before {
			if old.GetExpression() == c.GetExpression() && !used[old.GetId()] {
				c.Id = old.GetId()
				used[old.GetId()] = true
				break
			}
		}
	}
}

// PublishPolicy publishes a draft or withdrawn policy.
func (s *Service) PublishPolicy(ctx context.Context, id, etag, note string) (*catalogv1.Policy, error) {
	return s.transition(ctx, id, etag, "policy.publish", func(p auth.Principal, cur *catalogv1.Policy) (adapters.Change, error) {
		switch domain.EffectiveStatus(cur.GetStatus(), cur.GetValidity(), s.now()) {
		case published:
			return adapters.Change{}, apperr.FailedPrecondition("该政策已发布，无需重复发布")
		case catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED:
			return adapters.Change{}, apperr.FailedPrecondition("该政策实施期限已结束（已过期）；如已延期，请先修改实施期限")
		}
		expired := cur.GetValidity().GetEndTime() != nil && !s.now().Before(cur.GetValidity().GetEndTime().AsTime())
		if err := domain.ValidatePublishable(cur, expired).Err(); err != nil {
			return adapters.Change{}, err
		}
		if _, cv := s.engine.CompilePolicy(cur); cv != nil {
			return adapters.Change{}, cv.Err()
		}
		if utf8.RuneCountInString(note) > domain.MaxNoteRunes {
			return adapters.Change{}, apperr.Invalid("note", "说明不能超过%d个字", domain.MaxNoteRunes)
		}
		cur.Status = published
		if cur.PublishTime == nil {
			cur.PublishTime = timestamppb.New(s.now())
		}
		return adapters.Change{Kind: catalogv1.PolicyChange_POLICY_CHANGE_PUBLISHED, Note: note, ActorID: p.AccountID, ActorName: actorName(p)}, nil
	})
}

// WithdrawPolicy takes a published (or expired) policy back.
func (s *Service) WithdrawPolicy(ctx context.Context, id, etag, reason string) (*catalogv1.Policy, error) {
	reason = strings.TrimSpace(reason)
	return s.transition(ctx, id, etag, "policy.withdraw", func(p auth.Principal, cur *catalogv1.Policy) (adapters.Change, error) {
		if n := utf8.RuneCountInString(reason); n == 0 || n > domain.MaxNoteRunes {
			return adapters.Change{}, apperr.Invalid("reason", "请填写撤回原因（1至%d个字）", domain.MaxNoteRunes)
		}
		if cur.GetStatus() != published {
			return adapters.Change{}, apperr.FailedPrecondition("只有已发布或已过期的政策可以撤回")
		}
		cur.Status = withdrawn
		return adapters.Change{Kind: catalogv1.PolicyChange_POLICY_CHANGE_WITHDRAWN, Note: reason, ActorID: p.AccountID, ActorName: actorName(p)}, nil
	})
}

func (s *Service) transition(ctx context.Context, id, etag, action string, fn func(auth.Principal, *catalogv1.Policy) (adapters.Change, error)) (*catalogv1.Policy, error) {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return nil, apperr.Unauthenticated("请先登录")
	}
	if !domain.CanAuthorPolicies(p) {
		return nil, denied()
	}
	version, err := etagpkg.Parse("etag", etag, true)
	if err != nil {
		return nil, err
	}
	out, err := s.policies.Update(ctx, id, version, func(cur *catalogv1.Policy) (adapters.Change, error) {
		if !domain.CanReadPolicy(p, cur) {
			return adapters.Change{}, apperr.NotFound("政策%s不存在", id)
		}
		if !domain.CanEditPolicy(p, cur) {
			return adapters.Change{}, apperr.PermissionDenied("无权修改该政策")
		}
		return fn(p, cur)
	})
	if err != nil {
		return nil, err
	}
	s.policyChanged(out, false)
	s.audit.Append(ctx, p, policyAudit(action, out, out.GetTitle()))
	return s.visible(p, out)
}

// DeletePolicy soft-deletes a draft or withdrawn policy.
func (s *Service) DeletePolicy(ctx context.Context, id, etag string) error {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return apperr.Unauthenticated("请先登录")
	}
	if !domain.CanAuthorPolicies(p) {
		return denied()
	}
	version, err := etagpkg.Parse("etag", etag, false)
	if err != nil {
		return err
	}
	var title string
	err = s.policies.Delete(ctx, id, version, func(cur *catalogv1.Policy) error {
		if !domain.CanReadPolicy(p, cur) {
			return apperr.NotFound("政策%s不存在", id)
		}
		if !domain.CanEditPolicy(p, cur) {
			return apperr.PermissionDenied("无权删除该政策")
		}
		if cur.GetStatus() == published {
			return apperr.FailedPrecondition("已发布的政策须先撤回才能删除")
		}
		title = cur.GetTitle()
		return nil
	})
	if err != nil {
		return err
	}
	s.policyChanged(&catalogv1.Policy{Id: id}, true)
	s.audit.Append(ctx, p, audit.Record{Action: "policy.delete", ObjectType: "policy", ObjectID: id, Detail: title})
	return nil
}

// ListPolicyVersions lists versions: editors all, readers the non-draft ones.
func (s *Service) ListPolicyVersions(ctx context.Context, id string, size int32, token string) ([]*catalogv1.PolicyVersion, string, int, error) {
	p := auth.FromContext(ctx)
	policy, err := s.GetPolicy(ctx, id)
	if err != nil {
		return nil, "", 0, err
	}
	page, err := paging.Parse(size, token, id)
	if err != nil {
		return nil, "", 0, err
	}
	vs, total, err := s.policies.Versions(ctx, id, domain.CanEditPolicy(p, policy), page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	out := make([]*catalogv1.PolicyVersion, len(vs))
	for i, v := range vs {
		out[i] = versionToProto(id, v)
	}
	return out, page.Next(len(vs), total), total, nil
}

// GetPolicyVersion returns one version with its snapshot.
func (s *Service) GetPolicyVersion(ctx context.Context, id string, n int32) (*catalogv1.PolicyVersion, error) {
	p := auth.FromContext(ctx)
	if n < 1 {
		return nil, apperr.Invalid("version", "版本号从1开始")
	}
	policy, err := s.GetPolicy(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := s.policies.Version(ctx, id, n)
	if err != nil {
		return nil, err
	}
	if v.Status == draft && !domain.CanEditPolicy(p, policy) {
		return nil, apperr.NotFound("政策%s没有公开的第%d版", id, n)
	}
	out := versionToProto(id, v)
	out.Policy = v.Snapshot
	out.Policy.Status = domain.EffectiveStatus(v.Snapshot.GetStatus(), v.Snapshot.GetValidity(), s.now())
	return out, nil
}

func versionToProto(id string, v *adapters.Version) *catalogv1.PolicyVersion {
	return &catalogv1.PolicyVersion{
		PolicyId: id, Version: v.Number, Change: v.Change.Kind, Note: v.Change.Note,
		ActorId: v.Change.ActorID, ActorName: v.Change.ActorName, Title: v.Title, Status: v.Status,
		CreateTime: timestamppb.New(v.CreateTime),
	}
}

func checkFilterEnums(v *apperr.ValidationError, f domain.PolicyFilter) {
	for _, e := range []struct {
		field string
		ok    bool
	}{
		{"category", f.Category == 0 || catalogv1.PolicyCategory_name[int32(f.Category)] != ""},
		{"level", f.Level == 0 || catalogv1.PolicyLevel_name[int32(f.Level)] != ""},
		{"district", f.District == 0 || slices.Contains(districtNumbers, int32(f.District))},
		{"industry", f.Industry == 0 || commonv1.Industry_name[int32(f.Industry)] != ""},
		{"status", f.Status == 0 || catalogv1.PolicyStatus_name[int32(f.Status)] != ""},
	} {
		if !e.ok {
			v.Add(e.field, "筛选值无效")
		}
	}
}

// mustValidation returns the ValidationError inside err.
func mustValidation(err error) *apperr.ValidationError {
	if v, ok := apperr.AsValidation(err); ok {
		return v
	}
	return &apperr.ValidationError{Violations: []apperr.FieldViolation{{Description: err.Error()}}}
}
