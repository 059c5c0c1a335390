package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	etagpkg "github.com/qihang-hz/qihang/internal/etag"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// AssociationView is an association with its registered member count.
type AssociationView struct {
	*domain.Association
	RegisteredFirms int
}

// CreateAssociation registers an association. Bureau admin only.
func (s *Service) CreateAssociation(ctx context.Context, a *domain.Association) (*AssociationView, error) {
	p := auth.FromContext(ctx)
	if !domain.CanCreateAssociation(p) {
		return nil, denied()
	}
	domain.NormalizeAssociation(a)
	v := &apperr.ValidationError{}
	v.Merge("association", domain.ValidateAssociation(a))
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	a.ID, a.Version, a.CreateTime, a.UpdateTime = ids.New(), 1, now, now
	if a.JoinedProgramme && a.ProgrammeJoinTime.IsZero() {
		a.ProgrammeJoinTime = now
	}
	if !a.JoinedProgramme {
		a.ProgrammeJoinTime = zeroTime
	}
	if err := s.associations.Create(ctx, a); err != nil {
		if !apperr.IsKind(err, apperr.KindAlreadyExists) {
			return nil, err
		}
		revived, rerr := s.reviveAssociation(ctx, a)
		if rerr != nil {
			return nil, rerr
		}
		if revived == nil {
			return nil, err
		}
		a = revived
	}
	s.audit.Append(ctx, p, audit.Record{
		Action: "association.create", ObjectType: "association", ObjectID: a.ID, ObjectVersion: a.Version,
		Detail: a.Name + " " + a.USCC, AssociationIDs: []string{a.ID},
	})
	return &AssociationView{Association: a}, nil
}

// reviveAssociation restores a soft-deleted association with the USCC of a,
// giving it a's profile. It returns nil when the existing one is live.
func (s *Service) reviveAssociation(ctx context.Context, a *domain.Association) (*domain.Association, error) {
	existing, err := s.associations.FindByUSCC(ctx, a.USCC)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !existing.Deleted() {
		return nil, nil
	}
	return s.associations.Revive(ctx, existing.ID, func(e *domain.Association) error {
		if !e.Deleted() {
			return apperr.AlreadyExists("统一社会信用代码%s的社会组织已登记", a.USCC)
		}
		domain.ApplyAssociationPatch(e, a, domain.AssociationPatchPaths())
		e.DeleteTime = zeroTime
		return nil
	})
}

// GetAssociation returns an association to any signed-in account.
func (s *Service) GetAssociation(ctx context.Context, id string) (*AssociationView, error) {
	p := auth.FromContext(ctx)
	if !domain.CanReadAssociations(p) {
		return nil, denied()
	}
	a, err := s.associations.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	views, err := s.withCounts(ctx, []*domain.Association{a})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

func (s *Service) withCounts(ctx context.Context, as []*domain.Association) ([]*AssociationView, error) {
	idList := make([]string, len(as))
	for i, a := range as {
		idList[i] = a.ID
	}
	counts, err := s.firms.CountMembers(ctx, idList)
	if err != nil {
		return nil, err
	}
	out := make([]*AssociationView, len(as))
	for i, a := range as {
		out[i] = &AssociationView{Association: a, RegisteredFirms: counts[a.ID]}
	}
	return out, nil
}

// ListAssociations lists associations for any signed-in account.
func (s *Service) ListAssociations(ctx context.Context, f domain.AssociationFilter, size int32, token string) ([]*AssociationView, string, int, error) {
	p := auth.FromContext(ctx)
	if !domain.CanReadAssociations(p) {
		return nil, "", 0, denied()
	}
	v := &apperr.ValidationError{}
	if len([]rune(f.NameContains)) > 50 {
		v.Add("name_contains", "名称关键字不能超过50个字")
	}
	for _, e := range []struct {
		field string
		val   protoreflect.Enum
	}{{"district", f.District}, {"type", f.Type}, {"industry", f.Industry}} {
		if e.val.Number() != 0 && !refdata.Defined(e.val) {
			v.Add(e.field, "代码%d无效，允许的值：%s", e.val.Number(), refdata.Labels(e.val.Descriptor()))
		}
	}
	page, err := paging.Parse(size, token, f.Key())
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	if err := v.Err(); err != nil {
		return nil, "", 0, err
	}
	list, total, err := s.associations.List(ctx, f, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	views, err := s.withCounts(ctx, list)
	if err != nil {
		return nil, "", 0, err
	}
	return views, page.Next(len(list), total), total, nil
}

// UpdateAssociation changes the masked fields of an association. An
// association's own admin may not change its USCC, programme fields or
// rating.
func (s *Service) UpdateAssociation(ctx context.Context, id, etag string, paths []string, patch *domain.Association) (*AssociationView, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	version, paths, err := updateRequest("association", id, etag, paths, domain.AssociationPatchPaths())
	if err != nil {
		return nil, err
	}
	var changed []string
	defer s.forgetAssociationName(id)
	a, err := s.associations.Update(ctx, id, version, func(a *domain.Association) error {
		if !domain.CanEditAssociation(p, a) {
			return denied()
		}
		if !p.Is(auth.RoleBureauAdmin) {
			for _, f := range domain.AssociationFieldsForBureau {
				if slices.Contains(paths, f) {
					return apperr.PermissionDenied("字段“%s”只能由市局管理员修改", f)
				}
			}
		}
		before := a.Clone()
		domain.ApplyAssociationPatch(a, patch, paths)
		domain.NormalizeAssociation(a)
		if a.JoinedProgramme && a.ProgrammeJoinTime.IsZero() {
			a.ProgrammeJoinTime = s.now()
		}
		if !a.JoinedProgramme {
			a.ProgrammeJoinTime = zeroTime
		}
		v := &apperr.ValidationError{}
		v.Merge("association", domain.ValidateAssociation(a))
		if err := v.Err(); err != nil {
			return err
		}
		changed = changedAssociationFields(before, a, paths)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.audit.Append(ctx, p, audit.Record{
		Action: "association.update", ObjectType: "association", ObjectID: a.ID, ObjectVersion: a.Version,
		Detail: "修改字段：" + strings.Join(changed, ","), AssociationIDs: []string{a.ID},
	})
	views, err := s.withCounts(ctx, []*domain.Association{a})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

func changedAssociationFields(before, after *domain.Association, paths []string) []string {
	var out []string
	for _, path := range paths {
		x, y := before.Clone(), before.Clone()
		domain.ApplyAssociationPatch(y, after, []string{path})
		if fmt.Sprintf("%+v", x) != fmt.Sprintf("%+v", y) {
			out = append(out, path)
		}
	}
	return out
}

// DeleteAssociation soft-deletes an association. Bureau admin only.
func (s *Service) DeleteAssociation(ctx context.Context, id, etag string) error {
	p := auth.FromContext(ctx)
	if !domain.CanDeleteAssociation(p) {
		return denied()
	}
	version, err := etagpkg.Parse("etag", etag, false)
	if err != nil {
		return err
	}
	defer s.forgetAssociationName(id)
	a, err := s.associations.Update(ctx, id, version, func(a *domain.Association) error {
		a.DeleteTime = s.now()
		return nil
	})
	if err != nil {
		return err
	}
	s.audit.Append(ctx, p, audit.Record{
		Action: "association.delete", ObjectType: "association", ObjectID: a.ID, ObjectVersion: a.Version,
		Detail: a.Name, AssociationIDs: []string{a.ID},
	})
	return nil
}

// RevealAssociationContact returns the association's contact unmasked to
// the roles allowed to see it, and audits the reveal.
func (s *Service) RevealAssociationContact(ctx context.Context, id, reason string) (domain.Contact, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return domain.Contact{}, err
	}
	if len([]rune(reason)) > 200 {
		return domain.Contact{}, apperr.Invalid("reason", "查看原因不能超过200个字")
	}
	a, err := s.associations.Get(ctx, id)
	if err != nil {
		return domain.Contact{}, err
	}
	if !domain.CanRevealAssociation(p, a) {
		return domain.Contact{}, apperr.PermissionDenied("无权查看该社会组织联系人的完整联系方式")
	}
	s.audit.Append(ctx, p, audit.Record{
		Action: "association.reveal_contact", ObjectType: "association", ObjectID: a.ID,
		Detail: "原因：" + reason, AssociationIDs: []string{a.ID},
	})
	return a.Contact, nil
}

// mustValidation returns the ValidationError inside err (which the caller
// knows is one).
func mustValidation(err error) *apperr.ValidationError {
	v, ok := apperr.AsValidation(err)
	if !ok {
		return &apperr.ValidationError{Violations: []apperr.FieldViolation{{Field: "", Description: err.Error()}}}
	}
	return v
}
