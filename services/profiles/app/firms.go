package app

import (
	"context"
	"strings"

	etagpkg "github.com/qihang-hz/qihang/internal/etag"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// FirmView is a firm with the names of its associations.
type FirmView struct {
	*domain.Firm
	AssociationNames map[string]string
}

func (s *Service) views(ctx context.Context, firms []*domain.Firm) ([]*FirmView, error) {
	var assocIDs []string
	seen := map[string]bool{}
	for _, f := range firms {
		for _, id := range f.AssociationIDs() {
			if !seen[id] {
				seen[id] = true
				assocIDs = append(assocIDs, id)
			}
		}
	}
	names, err := s.associationNamesOf(ctx, assocIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*FirmView, len(firms))
	for i, f := range firms {
		out[i] = &FirmView{Firm: f, AssociationNames: names}
	}
	return out, nil
}

func (s *Service) view(ctx context.Context, f *domain.Firm) (*FirmView, error) {
	v, err := s.views(ctx, []*domain.Firm{f})
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// firmAudit returns an audit record about f, scoped to its associations.
func firmAudit(action string, f *domain.Firm, detail string) audit.Record {
	return audit.Record{
		Action: action, ObjectType: "firm", ObjectID: f.ID, ObjectVersion: f.Version,
		Detail: detail, AssociationIDs: f.AssociationIDs(),
	}
}

// CreateFirm registers a firm as a member of associationID. A firm deleted
// earlier with the same USCC is restored with the new profile.
func (s *Service) CreateFirm(ctx context.Context, associationID string, f *domain.Firm) (*FirmView, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if associationID == "" && !p.Is(auth.RoleBureauAdmin) {
		return nil, apperr.Invalid("association_id", "请指定登记企业的协会")
	}
	if !domain.CanRegisterFirmIn(p, associationID) {
		return nil, apperr.PermissionDenied("只能为本协会登记会员企业")
	}
	if associationID != "" {
		if _, err := s.associations.Get(ctx, associationID); err != nil {
			return nil, err
		}
	}
	domain.NormalizeFirm(f)
	v := &apperr.ValidationError{}
	v.Merge("firm", domain.ValidateFirm(f))
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	f.ID, f.Version, f.CreateTime, f.UpdateTime = ids.New(), 1, now, now
	f.Memberships, f.RegisteredBy = nil, associationID
	if associationID != "" {
		f.AddMembership(associationID, now)
	}
	err := s.firms.Create(ctx, f)
	if apperr.IsKind(err, apperr.KindAlreadyExists) {
		revived, rerr := s.reviveFirm(ctx, f, associationID)
		if rerr != nil {
			return nil, rerr
		}
		if revived == nil {
			return nil, err
		}
		f = revived
	} else if err != nil {
		return nil, err
	}
	s.audit.Append(ctx, p, firmAudit("firm.create", f, f.Name+" "+f.USCC))
	return s.view(ctx, f)
}

// reviveFirm restores a soft-deleted firm with the USCC of f, giving it f's
// profile. It returns nil when the existing firm is live (a true duplicate).
func (s *Service) reviveFirm(ctx context.Context, f *domain.Firm, associationID string) (*domain.Firm, error) {
	existing, err := s.firms.FindByUSCC(ctx, f.USCC)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !existing.Deleted() {
		return nil, nil
	}
	return s.firms.Revive(ctx, existing.ID, func(e *domain.Firm) error {
		if !e.Deleted() {
			return apperr.AlreadyExists("统一社会信用代码%s已登记", f.USCC)
		}
		domain.ApplyFirmPatch(e, f, domain.FirmPatchPaths())
		e.DeleteTime = zeroTime
		e.Memberships, e.RegisteredBy = nil, associationID
		if associationID != "" {
			e.AddMembership(associationID, s.now())
		}
		return nil
	})
}

// GetFirm returns a firm the caller may read; others are NOT_FOUND so that
// their existence does not leak.
func (s *Service) GetFirm(ctx context.Context, id string) (*FirmView, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	f, err := s.firms.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanReadFirm(p, f) {
		return nil, apperr.NotFound("会员企业%s不存在或无权查看", id)
	}
	return s.view(ctx, f)
}

func validateFirmFilter(f *domain.FirmFilter) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if len([]rune(f.NameContains)) > 50 {
		v.Add("name_contains", "名称关键字不能超过50个字")
	}
	if f.Market != "" {
		code, ok := refdata.ParseMarket(f.Market)
		if !ok {
			v.Add("market", "市场“%s”不是ISO 3166-1二位国家代码", f.Market)
		}
		f.Market = code
	}
	if f.USCC != "" {
		f.USCC = uscc.Normalize(f.USCC)
		if err := uscc.Validate(f.USCC); err != nil {
			v.Add("uscc", "%s", err.Error())
		}
	}
	for _, e := range []struct {
		field string
		val   protoreflect.Enum
	}{
		{"district", f.District}, {"industry", f.Industry}, {"stage", f.Stage},
		{"platform", f.Platform}, {"need", f.Need},
	} {
		if e.val.Number() != 0 && !refdata.Defined(e.val) {
			v.Add(e.field, "代码%d无效，允许的值：%s", e.val.Number(), refdata.Labels(e.val.Descriptor()))
		}
	}
	return v
}

// ListFirms lists the firms the caller may see, filtered.
func (s *Service) ListFirms(ctx context.Context, f domain.FirmFilter, size int32, token string) ([]*FirmView, string, int, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, "", 0, err
	}
	scope := domain.FirmScopeFor(p)
	if scope.Empty() {
		return nil, "", 0, apperr.PermissionDenied("当前角色无权查看企业名单")
	}
	v := validateFirmFilter(&f)
	page, err := paging.Parse(size, token, f.Key())
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	if err := v.Err(); err != nil {
		return nil, "", 0, err
	}
	if f.AssociationID != "" && p.Is(auth.RoleAssociationAdmin) && f.AssociationID != p.AssociationID {
		return nil, "", 0, apperr.PermissionDenied("只能查看本协会的会员企业")
	}
	firms, total, err := s.firms.List(ctx, scope, f, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	views, err := s.views(ctx, firms)
	if err != nil {
		return nil, "", 0, err
	}
	return views, page.Next(len(firms), total), total, nil
}

// UpdateFirm changes the masked fields of a firm, conditional on etag.
func (s *Service) UpdateFirm(ctx context.Context, id, etag string, paths []string, patch *domain.Firm) (*FirmView, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	version, paths, err := updateRequest("firm", id, etag, paths, domain.FirmPatchPaths())
	if err != nil {
		return nil, err
	}
	var changed []string
	f, err := s.firms.Update(ctx, id, version, func(f *domain.Firm) error {
		if !domain.CanReadFirm(p, f) {
			return apperr.NotFound("会员企业%s不存在或无权查看", id)
		}
		if !domain.CanEditFirm(p, f) {
			return apperr.PermissionDenied("无权修改该企业资料")
		}
		before := f.Clone()
		domain.ApplyFirmPatch(f, patch, paths)
		domain.NormalizeFirm(f)
		if f.USCC != before.USCC && !domain.CanChangeFirmUSCC(p) {
			return apperr.PermissionDenied("统一社会信用代码只能由市局管理员更正")
		}
		v := &apperr.ValidationError{}
		v.Merge("firm", domain.ValidateFirm(f))
		if err := v.Err(); err != nil {
			return err
		}
		changed = changedFirmFields(before, f, paths)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.audit.Append(ctx, p, firmAudit("firm.update", f, "修改字段："+strings.Join(changed, ",")))
	return s.view(ctx, f)
}

func changedFirmFields(before, after *domain.Firm, paths []string) []string {
	var out []string
	for _, path := range paths {
		y := before.Clone()
		domain.ApplyFirmPatch(y, after, []string{path})
		if !domain.SameProfile(before, y) {
			out = append(out, path)
		}
	}
	return out
}

// DeleteFirm soft-deletes a firm. Bureau admin only.
func (s *Service) DeleteFirm(ctx context.Context, id, etag string) error {
	p := auth.FromContext(ctx)
	if !domain.CanDeleteFirm(p) {
		return denied()
	}
	version, err := etagpkg.Parse("etag", etag, false)
	if err != nil {
		return err
	}
	f, err := s.firms.Update(ctx, id, version, func(f *domain.Firm) error {
		f.DeleteTime = s.now()
		return nil
	})
	if err != nil {
		return err
	}
	s.audit.Append(ctx, p, firmAudit("firm.delete", f, f.Name))
	return nil
}

// RevealFirmContacts returns a firm's contacts unmasked to the roles allowed
// to see them, and audits the reveal.
func (s *Service) RevealFirmContacts(ctx context.Context, id, reason string) ([]domain.Contact, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if len([]rune(reason)) > 200 {
		return nil, apperr.Invalid("reason", "查看原因不能超过200个字")
	}
	f, err := s.firms.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanReadFirm(p, f) {
		return nil, apperr.NotFound("会员企业%s不存在或无权查看", id)
	}
	if !domain.CanRevealFirm(p, f) {
		return nil, apperr.PermissionDenied("无权查看该企业联系人的完整联系方式")
	}
	s.audit.Append(ctx, p, firmAudit("firm.reveal_contacts", f, "原因："+reason))
	return f.Contacts, nil
}

// CreateMembership adds the firm with USCC code to an association.
func (s *Service) CreateMembership(ctx context.Context, associationID, code string) (*FirmView, string, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	code = uscc.Normalize(code)
	v := &apperr.ValidationError{}
	if associationID == "" {
		v.Add("association_id", "请指定协会")
	}
	if err := uscc.Validate(code); err != nil {
		v.Add("firm_uscc", "%s", err.Error())
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	if !domain.CanManageMembers(p, associationID) {
		return nil, "", apperr.PermissionDenied("只能管理本协会的会员")
	}
	a, err := s.associations.Get(ctx, associationID)
	if err != nil {
		return nil, "", err
	}
	existing, err := s.firms.FindByUSCC(ctx, code)
	if err != nil {
		return nil, "", err
	}
	if existing.Deleted() {
		return nil, "", apperr.NotFound("统一社会信用代码为%s的企业尚未登记", code)
	}
	if existing.MemberOf(associationID) {
		return nil, "", apperr.AlreadyExists("该企业已是%s的会员", a.Name)
	}
	f, err := s.firms.Update(ctx, existing.ID, 0, func(f *domain.Firm) error {
		if !f.AddMembership(associationID, s.now()) {
			return apperr.AlreadyExists("该企业已是%s的会员", a.Name)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	s.audit.Append(ctx, p, firmAudit("membership.create", f, "加入"+a.Name))
	view, err := s.view(ctx, f)
	return view, a.Name, err
}

// DeleteMembership ends a firm's membership of an association.
func (s *Service) DeleteMembership(ctx context.Context, associationID, firmID string) error {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !domain.CanManageMembers(p, associationID) {
		return apperr.PermissionDenied("只能管理本协会的会员")
	}
	var scope []string
	notMember := apperr.NotFound("会员企业%s不存在或不是此协会的会员", firmID)
	f, err := s.firms.Update(ctx, firmID, 0, func(f *domain.Firm) error {
		scope = f.AssociationIDs()
		if !f.RemoveMembership(associationID) {
			return notMember
		}
		return nil
	})
	if apperr.IsKind(err, apperr.KindNotFound) {
		return notMember
	}
	if err != nil {
		return err
	}
	rec := firmAudit("membership.delete", f, "退出协会"+associationID)
	rec.AssociationIDs = scope
	s.audit.Append(ctx, p, rec)
	return nil
}
