package app

import (
	"context"
	"sort"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// The programme's targets.
const (
	AssociationsTarget = 100
	FirmsTarget        = 1000
)

// DistrictStats counts one district.
type DistrictStats struct {
	District           commonv1.District
	AssociationsJoined int
	FirmsRegistered    int
	FirmsExporting     int
}

// Stats is the programme's progress.
type Stats struct {
	AssociationsJoined int
	FirmsRegistered    int
	Districts          []DistrictStats
	Stages             map[commonv1.CrossBorderStage]int
}

// exporting reports whether a stage means the firm already sells abroad.
func exporting(s commonv1.CrossBorderStage) bool {
	return s >= commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER
}

// ProgrammeStats reports progress city-wide (bureau admin) or for one
// district (a district officer always gets its own).
func (s *Service) ProgrammeStats(ctx context.Context, district commonv1.District) (*Stats, error) {
	p := auth.FromContext(ctx)
	if !domain.CanReadStats(p) {
		return nil, denied()
	}
	if p.Is(auth.RoleDistrictOfficer) {
		if district != 0 && district != p.District {
			return nil, apperr.PermissionDenied("区县专员只能查看本区县的统计")
		}
		district = p.District
	}
	if district != 0 && !refdata.Defined(district) {
		return nil, apperr.Invalid("district", "区县代码%d无效", district)
	}
	joined, err := s.associations.CountJoined(ctx, district)
	if err != nil {
		return nil, err
	}
	counts, err := s.firms.CountByDistrictAndStage(ctx, district)
	if err != nil {
		return nil, err
	}
	byDistrict := map[commonv1.District]*DistrictStats{}
	get := func(d commonv1.District) *DistrictStats {
		if byDistrict[d] == nil {
			byDistrict[d] = &DistrictStats{District: d}
		}
		return byDistrict[d]
	}
	st := &Stats{Stages: map[commonv1.CrossBorderStage]int{}}
	for d, n := range joined {
		get(d).AssociationsJoined += n
		st.AssociationsJoined += n
	}
	for _, c := range counts {
		ds := get(c.District)
		ds.FirmsRegistered += c.Firms
		if exporting(c.Stage) {
			ds.FirmsExporting += c.Firms
		}
		st.FirmsRegistered += c.Firms
		st.Stages[c.Stage] += c.Firms
	}
	for _, ds := range byDistrict {
		st.Districts = append(st.Districts, *ds)
	}
	sort.Slice(st.Districts, func(i, j int) bool { return st.Districts[i].District < st.Districts[j].District })
	return st, nil
}

// ListAudit lists audit records: all for a bureau admin, its association's
// for an association admin.
func (s *Service) ListAudit(ctx context.Context, f audit.Filter, size int32, token string) ([]audit.Record, string, error) {
	p := auth.FromContext(ctx)
	if !domain.CanReadAudit(p) {
		return nil, "", denied()
	}
	if p.Is(auth.RoleAssociationAdmin) {
		f.AssociationID = p.AssociationID
	}
	page, err := paging.Parse(size, token, f.ObjectType+"|"+f.ObjectID+"|"+f.ActorID)
	if err != nil {
		return nil, "", err
	}
	recs, err := s.audit.List(ctx, f, page.Offset, page.Size+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(recs) > page.Size {
		recs = recs[:page.Size]
		next = page.Next(len(recs), page.Offset+len(recs)+1)
	}
	return recs, next, nil
}
