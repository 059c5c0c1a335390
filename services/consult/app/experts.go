package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/consult/adapters"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

var errNoChange = store.ErrNoChange

var (
	expertWritable = []string{"name", "organisation", "title", "specialties", "stages", "markets", "platforms", "languages",
		"online", "districts", "parks", "bio", "weekly_capacity", "default_buffer_minutes", "paused", "pause_note"}
	expertReadOnly = []string{"rating_average", "rating_count", "sessions_held", "sample", "create_time", "update_time"}
)

// CreateExpert registers an expert (bureau admin).
func (s *Service) CreateExpert(ctx context.Context, e *consultv1.Expert) (*consultv1.Expert, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Is(auth.RoleBureauAdmin) {
		return nil, denied("登记专家（仅市局管理员）")
	}
	e = proto.Clone(e).(*consultv1.Expert)
	if !isSystem(p) || e.GetId() == "" {
		e.Id = ids.New()
	}
	if !isSystem(p) {
		e.Sample = false
	}
	e.RatingAverage, e.RatingCount, e.SessionsHeld, e.Etag = nil, 0, 0, ""
	domain.NormalizeExpert(e)
	if err := domain.ValidateExpert(e).Err(); err != nil {
		return nil, err
	}
	now := s.now()
	e.CreateTime, e.UpdateTime = ts(now), ts(now)
	out, err := s.st.Experts.Create(ctx, e)
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "expert.create", "expert", out.GetId(), out.GetEtag(), out.GetName(), nil)
	return out, nil
}

// GetExpert returns one expert, paused or not.
func (s *Service) GetExpert(ctx context.Context, id string) (*consultv1.Expert, error) {
	if _, err := signedIn(ctx); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, apperr.Invalid("id", "请提供专家id")
	}
	return s.st.Experts.Get(ctx, id)
}

// ListExperts lists experts by what they cover.
func (s *Service) ListExperts(ctx context.Context, req *consultv1.ListExpertsRequest) ([]*consultv1.Expert, string, int, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, "", 0, err
	}
	if req.GetIncludePaused() && !domain.IsCoordinatorRole(p) {
		return nil, "", 0, denied("查看暂停中的专家（仅市局管理员和区县专员）")
	}
	v := &apperr.ValidationError{}
	f := adapters.ExpertFilter{
		Need: req.GetNeed(), Stage: req.GetStage(), District: req.GetDistrict(), Platform: req.GetPlatform(),
		Language: strings.ToLower(req.GetLanguage()), Park: req.GetPark(), NameContains: strings.TrimSpace(req.GetNameContains()),
		IncludePaused: req.GetIncludePaused(), Mode: req.GetMode(),
	}
	if req.GetMarket() != "" {
		code, ok := refdata.ParseMarket(req.GetMarket())
		if !ok {
			v.Add("market", "“%s”不是ISO 3166-1两位国家或地区代码", req.GetMarket())
		}
		f.Market = code
	}
	if len([]rune(f.NameContains)) > 50 {
		v.Add("name_contains", "最多50个字")
	}
	pg, perr := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprintf("experts|%+v", f))
	if perr != nil {
		v.Merge("", mustValidation(perr))
	}
	if err := v.Err(); err != nil {
		return nil, "", 0, err
	}
	list, total, err := s.st.Experts.List(ctx, f, pg.Offset, pg.Size)
	if err != nil {
		return nil, "", 0, err
	}
	return list, pg.Next(len(list), total), total, nil
}

func mustValidation(err error) *apperr.ValidationError {
	if v, ok := apperr.AsValidation(err); ok {
		return v
	}
	return &apperr.ValidationError{Violations: []apperr.FieldViolation{{Field: "", Description: err.Error()}}}
}

// updateCheck validates the shared parts of an update request.
func updateCheck(resource, id, etagText string, paths, writable, readOnly []string) (int64, []string, error) {
	paths = fieldmask.TopLevel(paths)
	v := &apperr.ValidationError{}
	if id == "" {
		v.Add(resource+".id", "请提供要修改对象的id")
	}
	version, err := etag.Parse(resource+".etag", etagText, false)
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	v.Merge("", fieldmask.Check("update_mask", paths, writable, readOnly))
	return version, paths, v.Err()
}

// UpdateExpert changes the masked fields (bureau admin or the expert itself).
func (s *Service) UpdateExpert(ctx context.Context, in *consultv1.Expert, paths []string) (*consultv1.Expert, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !domain.ManagesExpert(p, in.GetId()) {
		return nil, denied("修改该专家资料")
	}
	version, paths, err := updateCheck("expert", in.GetId(), in.GetEtag(), paths, expertWritable, expertReadOnly)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out, err := s.st.Experts.Update(ctx, in.GetId(), version, now, func(e *consultv1.Expert) error {
		fieldmask.Apply(e, in, paths)
		domain.NormalizeExpert(e)
		if err := domain.ValidateExpert(e).Err(); err != nil {
			return err
		}
		e.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "expert.update", "expert", out.GetId(), out.GetEtag(), strings.Join(paths, ","), nil)
	return out, nil
}

// DeleteExpert soft-deletes an expert and withdraws its open slots.
func (s *Service) DeleteExpert(ctx context.Context, id, etagText string) error {
	p, err := signedIn(ctx)
	if err != nil {
		return err
	}
	if !p.Is(auth.RoleBureauAdmin) {
		return denied("删除专家（仅市局管理员）")
	}
	version, err := etag.Parse("etag", etagText, false)
	if err != nil {
		return err
	}
	n, err := s.st.Consultations.CountOpenForExpert(ctx, id)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.st.Experts.Delete(ctx, id, version, now, func(*consultv1.Expert) error {
		if n > 0 {
			return domain.ExpertHasOpenCases(n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	open, _, err := s.st.Slots.List(ctx, adapters.SlotFilter{ExpertID: id, Status: consultv1.SlotStatus_SLOT_STATUS_OPEN}, 0, 0)
	if err != nil {
		return err
	}
	for _, sl := range open {
		if err := s.st.Slots.Delete(ctx, sl.GetId(), 0, now, func(sl *consultv1.Slot) error {
			if sl.GetStatus() != consultv1.SlotStatus_SLOT_STATUS_OPEN {
				return errNoChange
			}
			return nil
		}); err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return err
		}
	}
	s.record(ctx, p, "expert.delete", "expert", id, etagText, fmt.Sprintf("withdrew %d open slots", len(open)), nil)
	return nil
}

// GetExpertCapacity reports the use of an expert's weekly capacity.
func (s *Service) GetExpertCapacity(ctx context.Context, expertID string, at time.Time) (*consultv1.ExpertCapacity, error) {
	if _, err := signedIn(ctx); err != nil {
		return nil, err
	}
	e, err := s.st.Experts.Get(ctx, expertID)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = s.now()
	}
	week := domain.WeekStart(at)
	used, err := s.st.Counters.Get(ctx, domain.CapacityKey(e.GetId(), week))
	if err != nil {
		return nil, err
	}
	return &consultv1.ExpertCapacity{
		ExpertId: e.GetId(), WeekStartTime: ts(week), WeekEndTime: ts(week.AddDate(0, 0, 7)),
		WeeklyCapacity: e.GetWeeklyCapacity(), Booked: used, Remaining: max(0, e.GetWeeklyCapacity()-used), Paused: e.GetPaused(),
	}, nil
}

// weekFull reports whether the expert's week containing t is full.
func (s *Service) weekFull(ctx context.Context, e *consultv1.Expert, t time.Time, cache map[string]int32) (bool, error) {
	key := domain.CapacityKey(e.GetId(), domain.WeekStart(t))
	used, ok := cache[key]
	if !ok {
		var err error
		if used, err = s.st.Counters.Get(ctx, key); err != nil {
			return false, err
		}
		cache[key] = used
	}
	return used >= e.GetWeeklyCapacity(), nil
}
