package app

import (
	"context"
	"fmt"

	etagpkg "github.com/qihang-hz/qihang/internal/etag"

	"google.golang.org/protobuf/proto"

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

var beltWritable = []string{
	"district", "industry", "brand_name", "description", "locations", "key_products", "hs_chapters",
	"target_markets", "anchor_platforms", "service_providers", "association_ids", "brand_event_ids", "status",
}

var beltReadOnly = []string{"sample", "create_time", "update_time"}

// checkBelt normalizes and validates a belt and checks that every
// association it names exists (via the profiles service, with the caller's
// rights). Fields are prefixed "industry_belt.".
func (s *Service) checkBelt(ctx context.Context, b *catalogv1.IndustryBelt) error {
	domain.NormalizeBelt(b)
	v := &apperr.ValidationError{}
	v.Merge("industry_belt", domain.ValidateBelt(b))
	if err := v.Err(); err != nil {
		return err
	}
	for i, id := range b.GetAssociationIds() {
		if _, err := s.profiles.GetAssociation(ctx, id); err != nil {
			if isNotFoundStatus(err) || apperr.IsKind(err, apperr.KindNotFound) {
				v.Add(fmt.Sprintf("industry_belt.association_ids[%d]", i), "协会%s不存在", id)
				continue
			}
			return err
		}
	}
	return v.Err()
}

func beltAudit(action string, b *catalogv1.IndustryBelt) audit.Record {
	return audit.Record{Action: action, ObjectType: "industry_belt", ObjectID: b.GetId(), Detail: b.GetBrandName()}
}

// CreateIndustryBelt creates a belt (a draft unless a status is given).
func (s *Service) CreateIndustryBelt(ctx context.Context, b *catalogv1.IndustryBelt) (*catalogv1.IndustryBelt, error) {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return nil, apperr.Unauthenticated("请先登录")
	}
	if !domain.CanAuthorBelts(p) {
		return nil, denied()
	}
	b = proto.Clone(b).(*catalogv1.IndustryBelt)
	b.Id, b.Etag, b.CreateTime, b.UpdateTime = ids.New(), "", nil, nil
	b.Sample = b.GetSample() && p.AccountID == "system"
	if b.Status == 0 {
		b.Status = catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_DRAFT
	}
	if !domain.CanEditBelt(p, b) {
		return nil, apperr.PermissionDenied("区县专员只能登记本区县的产业带")
	}
	if err := s.checkBelt(ctx, b); err != nil {
		return nil, err
	}
	out, err := s.belts.Create(ctx, b)
	s.beltChanged()
	if err != nil {
		return nil, err
	}
	s.audit.Append(ctx, p, beltAudit("industry_belt.create", out))
	return out, nil
}

// GetIndustryBelt returns a belt the caller may read.
func (s *Service) GetIndustryBelt(ctx context.Context, id string) (*catalogv1.IndustryBelt, error) {
	b, err := s.belts.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanReadBelt(auth.FromContext(ctx), b) {
		return nil, apperr.NotFound("产业带%s不存在", id)
	}
	return b, nil
}

// ListIndustryBelts lists the belts the caller may see.
func (s *Service) ListIndustryBelts(ctx context.Context, f domain.BeltFilter, size int32, token string) ([]*catalogv1.IndustryBelt, string, int, error) {
	v := &apperr.ValidationError{}
	if f.District != 0 && !validDistrict(int32(f.District)) {
		v.Add("district", "区县代码%d无效", f.District)
	}
	if f.Industry != 0 && commonv1.Industry_name[int32(f.Industry)] == "" {
		v.Add("industry", "行业代码%d无效", f.Industry)
	}
	if f.Status != 0 && catalogv1.IndustryBeltStatus_name[int32(f.Status)] == "" {
		v.Add("status", "状态代码%d无效", f.Status)
	}
	page, err := paging.Parse(size, token, fmt.Sprintf("%+v", f))
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	if err := v.Err(); err != nil {
		return nil, "", 0, err
	}
	list, total, err := s.belts.List(ctx, adapters.BeltQuery{Scope: domain.BeltScopeFor(auth.FromContext(ctx)), Filter: f}, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	return list, page.Next(len(list), total), total, nil
}

// UpdateIndustryBelt changes the masked fields of a belt.
func (s *Service) UpdateIndustryBelt(ctx context.Context, patch *catalogv1.IndustryBelt, paths []string) (*catalogv1.IndustryBelt, error) {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return nil, apperr.Unauthenticated("请先登录")
	}
	if !domain.CanAuthorBelts(p) {
		return nil, denied()
	}
	version, paths, v := updateRequest("industry_belt", patch, patch.GetId(), patch.GetEtag(), paths, beltWritable, beltReadOnly)
	if err := v.Err(); err != nil {
		return nil, err
	}
	out, err := s.belts.Update(ctx, patch.GetId(), version, false, func(b *catalogv1.IndustryBelt) error {
		if !domain.CanReadBelt(p, b) {
			return apperr.NotFound("产业带%s不存在", b.GetId())
		}
		if !domain.CanEditBelt(p, b) {
			return apperr.PermissionDenied("无权修改该产业带")
		}
		district := b.GetDistrict()
		fieldmask.ApplyNested(b, patch, paths)
		if p.Is(auth.RoleDistrictOfficer) && b.GetDistrict() != district {
			return apperr.PermissionDenied("区县专员不能更改产业带所在区县")
		}
		return s.checkBelt(ctx, b)
	})
	s.beltChanged()
	if err != nil {
		return nil, err
	}
	s.audit.Append(ctx, p, beltAudit("industry_belt.update", out))
	return out, nil
}

// DeleteIndustryBelt soft-deletes a belt.
func (s *Service) DeleteIndustryBelt(ctx context.Context, id, etag string) error {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return apperr.Unauthenticated("请先登录")
	}
	if !domain.CanAuthorBelts(p) {
		return denied()
	}
	version, err := etagpkg.Parse("etag", etag, false)
	if err != nil {
		return err
	}
	out, err := s.belts.Update(ctx, id, version, true, func(b *catalogv1.IndustryBelt) error {
		if !domain.CanReadBelt(p, b) {
			return apperr.NotFound("产业带%s不存在", id)
		}
		if !domain.CanEditBelt(p, b) {
			return apperr.PermissionDenied("无权删除该产业带")
		}
		return nil
	})
	s.beltChanged()
	if err != nil {
		return err
	}
	s.audit.Append(ctx, p, beltAudit("industry_belt.delete", out))
	return nil
}

func validDistrict(n int32) bool {
	for _, d := range districtNumbers {
		if d == n {
			return true
		}
	}
	return false
}
