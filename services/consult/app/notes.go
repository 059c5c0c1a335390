package app

import (
	"context"
	"fmt"
	"slices"
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
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// CreateCaseNote adds the record of a held session and the advice given.
func (s *Service) CreateCaseNote(ctx context.Context, consultationID string, in *consultv1.CaseNote) (*consultv1.CaseNote, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.loadConsultation(ctx, p, consultationID)
	if err != nil {
		return nil, err
	}
	if !coordinatorOrExpert(p, c) {
		return nil, denied("为该咨询填写咨询记录（仅当前专家和协调员）")
	}
	n := proto.Clone(in).(*consultv1.CaseNote)
	n.Summary, n.Advice = strings.TrimSpace(n.GetSummary()), strings.TrimSpace(n.GetAdvice())
	now := s.now()
	if err := domain.ValidateCaseNote(n, now).Err(); err != nil {
		return nil, err
	}
	if n.GetFollowUpTime() != nil {
		n.FollowUpTime = ts(domain.DayStart(n.GetFollowUpTime().AsTime()))
	}
	n.Id, n.ConsultationId, n.Etag = ids.New(), c.GetId(), ""
	n.Sample = n.GetSample() && isSystem(p)
	n.AuthorRole, n.AuthorName, n.AuthorExpertId = p.Role.Proto(), actorName(p), ""
	if p.Is(auth.RoleExpert) {
		n.AuthorExpertId = p.ExpertID
		if e, err := s.st.Experts.Get(ctx, p.ExpertID); err == nil {
			n.AuthorName = e.GetName()
		}
	}
	n.CreateTime, n.UpdateTime = ts(now), ts(now)
	// Mark the session first (conditional on the status it sees), then
	// store the note: a crash between the two leaves a session marked with
	// no note, which the writer sees and writes again — never a note on a
	// case that refused it.
	_, err = s.st.Consultations.Update(ctx, c.GetId(), 0, now, func(c *consultv1.Consultation) error {
		if err := (domain.Transition{Action: domain.ActNote, From: c.GetStatus()}).Check(); err != nil {
			return err
		}
		sess := domain.LastHeldSession(c)
		if n.GetSessionId() != "" {
			sess = domain.FindSession(c, n.GetSessionId())
			if sess == nil {
				return apperr.Invalid("case_note.session_id", "该咨询没有场次%s", n.GetSessionId())
			}
		}
		if sess == nil || sess.GetStatus() != consultv1.SessionStatus_SESSION_STATUS_HELD {
			return apperr.FailedPrecondition("咨询记录须对应已举行的场次，请先确认咨询已举行")
		}
		n.SessionId = sess.GetId()
		sess.HasCaseNote = true
		if f := n.GetFollowUpTime(); f != nil {
			c.FollowUpTime = f
			if c.GetStatus() == domain.FollowUpDue && f.AsTime().After(now) {
				addHistory(c, p, domain.Held, "约定新的回访日期"+f.AsTime().In(domain.CST).Format("2006-01-02"), now)
			}
		}
		c.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := s.st.Notes.Create(ctx, n)
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "case_note.create", "consultation", c.GetId(), "", "note "+out.GetId(), nil)
	return out, nil
}

// ListCaseNotes lists a consultation's notes, oldest first.
func (s *Service) ListCaseNotes(ctx context.Context, consultationID string, size int32, token string) ([]*consultv1.CaseNote, string, int, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, "", 0, err
	}
	c, err := s.loadConsultation(ctx, p, consultationID)
	if err != nil {
		return nil, "", 0, err
	}
	if !domain.CanReadNotes(p, c) {
		return nil, "", 0, denied("查看该咨询的咨询记录")
	}
	pg, err := paging.Parse(size, token, "notes|"+consultationID)
	if err != nil {
		return nil, "", 0, err
	}
	list, total, err := s.st.Notes.List(ctx, consultationID, pg.Offset, pg.Size)
	if err != nil {
		return nil, "", 0, err
	}
	return list, pg.Next(len(list), total), total, nil
}

// GetFirmQuota reports a firm's use of its free consultations in a period.
func (s *Service) GetFirmQuota(ctx context.Context, firmID string, at time.Time) (*consultv1.FirmQuota, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case firmID == "":
		return nil, apperr.Invalid("firm_id", "请指定企业")
	case p.Is(auth.RoleExpert):
		return nil, denied("查看企业的咨询额度")
	case p.Is(auth.RoleFirmUser) && p.FirmID != firmID:
		return nil, denied("查看其他企业的咨询额度")
	case p.Is(auth.RoleAssociationAdmin) || p.Is(auth.RoleDistrictOfficer):
		f, err := s.readFirm(ctx, firmID)
		if err != nil {
			return nil, err
		}
		snap := snapshot(f)
		if p.Is(auth.RoleAssociationAdmin) && !slices.Contains(snap.GetAssociationIds(), p.AssociationID) ||
			p.Is(auth.RoleDistrictOfficer) && snap.GetDistrict() != p.District {
			return nil, denied("查看该企业的咨询额度")
		}
	}
	set, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = s.now()
	}
	start, end := domain.PeriodBounds(at, set.GetQuotaPeriod())
	used, err := s.st.Counters.Get(ctx, domain.QuotaKey(firmID, set.GetQuotaPeriod(), start))
	if err != nil {
		return nil, err
	}
	return &consultv1.FirmQuota{
		FirmId: firmID, Period: set.GetQuotaPeriod(), PeriodStartTime: ts(start), PeriodEndTime: ts(end),
		Limit: set.GetFirmQuota(), Used: used, Remaining: max(0, set.GetFirmQuota()-used),
	}, nil
}

// GetConsultSettings returns the settings (any signed-in caller).
func (s *Service) GetConsultSettings(ctx context.Context) (*consultv1.ConsultSettings, error) {
	if _, err := signedIn(ctx); err != nil {
		return nil, err
	}
	return s.settings(ctx)
}

var settingsWritable = []string{"quota_period", "firm_quota", "request_pickup_hours", "assignment_pickup_hours", "min_booking_notice_hours"}

// UpdateConsultSettings changes the masked settings (bureau admin).
func (s *Service) UpdateConsultSettings(ctx context.Context, in *consultv1.ConsultSettings, paths []string) (*consultv1.ConsultSettings, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Is(auth.RoleBureauAdmin) {
		return nil, denied("修改咨询设置（仅市局管理员）")
	}
	paths = fieldmask.TopLevel(paths)
	v := fieldmask.Check("update_mask", paths, settingsWritable, []string{"update_time"})
	version, err := etag.Parse("settings.etag", in.GetEtag(), false)
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	out, err := s.st.Settings.Update(ctx, version, func(cur *consultv1.ConsultSettings) error {
		fieldmask.Apply(cur, in, paths)
		if err := domain.ValidateSettings(cur).Err(); err != nil {
			return err
		}
		cur.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "settings.update", "settings", "settings", out.GetEtag(), fmt.Sprint(paths), nil)
	return out, nil
}
