package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/consult/adapters"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

var (
	consultationWritable = []string{"subject", "needs", "stage", "markets", "platforms", "description", "preferred_mode",
		"preferred_times", "preferred_time_note", "preferred_district", "contact"}
	consultationReadOnly = []string{"firm_id", "firm", "filed_by_association_id", "coordinator_pick", "status", "expert_id", "expert_name",
		"case_expert_ids", "sessions", "follow_up_time", "pickup_deadline_time", "queue_reason", "queue_time", "closing_summary",
		"history", "sample", "create_time", "update_time"}
)

func snapshot(f *profilesv1.Firm) *consultv1.FirmSnapshot {
	snap := &consultv1.FirmSnapshot{Name: f.GetName(), District: f.GetDistrict(), Industry: f.GetIndustry(), MainProducts: f.GetMainProducts()}
	for _, m := range f.GetMemberships() {
		snap.AssociationIds = appendUnique(snap.AssociationIds, m.GetAssociationId())
	}
	return snap
}

// readFirm reads the firm with the caller's rights. A firm the caller may not
// read is NOT_FOUND from the profiles service; that status passes through.
func (s *Service) readFirm(ctx context.Context, id string) (*profilesv1.Firm, error) {
	f, err := s.profiles.GetFirm(ctx, id)
	if err != nil {
		if st, ok := status.FromError(err); ok && st.Code() == codes.Unavailable {
			return nil, apperr.Unavailable(err, "企业信息服务暂不可用，请稍后重试")
		}
		return nil, err
	}
	return f, nil
}

// firmContact is the firm's first contact, unmasked when the caller may
// reveal it, otherwise without the masked phone and e-mail.
func (s *Service) firmContact(ctx context.Context, f *profilesv1.Firm) *commonv1.Contact {
	if len(f.GetContacts()) == 0 {
		return nil
	}
	if cs, err := s.profiles.RevealFirmContacts(ctx, f.GetId(), "填写咨询申请联系人"); err == nil && len(cs) > 0 {
		c := proto.Clone(cs[0]).(*commonv1.Contact)
		c.Masked = false
		return c
	}
	c := proto.Clone(f.GetContacts()[0]).(*commonv1.Contact)
	if contact.IsMaskedPhone(c.GetPhone()) {
		c.Phone = ""
	}
	if contact.IsMaskedEmail(c.GetEmail()) {
		c.Email = ""
	}
	c.Masked = false
	return c
}

func defaultSubject(needs []commonv1.NeedTag) string {
	labels := make([]string, 0, len(needs))
	for _, n := range needs {
		labels = append(labels, refdata.Label(n))
	}
	sub := strings.Join(labels, "、") + "咨询"
	if utf8.RuneCountInString(sub) > domain.MaxSubjectRunes {
		sub = string([]rune(sub)[:domain.MaxSubjectRunes])
	}
	return sub
}

// CreateConsultation files a request for a firm (REQUESTED).
func (s *Service) CreateConsultation(ctx context.Context, in *consultv1.Consultation) (*consultv1.Consultation, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Is(auth.RoleExpert):
		return nil, denied("代企业申请咨询（专家请使用婉拒或预约）")
	case in.GetFirmId() == "":
		return nil, apperr.Invalid("consultation.firm_id", "请指定申请咨询的企业")
	case p.Is(auth.RoleFirmUser) && in.GetFirmId() != p.FirmID:
		return nil, denied("为其他企业申请咨询")
	}
	c := proto.Clone(in).(*consultv1.Consultation)
	now := s.now()
	domain.NormalizeConsultation(c)
	if err := domain.ValidateConsultation(c, now).Err(); err != nil {
		return nil, err
	}
	f, err := s.readFirm(ctx, c.GetFirmId())
	if err != nil {
		return nil, err
	}
	snap := snapshot(f)
	filedBy := ""
	switch {
	case p.Is(auth.RoleAssociationAdmin):
		if !slices.Contains(snap.GetAssociationIds(), p.AssociationID) {
			return nil, denied("为非本协会会员企业申请咨询")
		}
		filedBy = p.AssociationID
	case p.Is(auth.RoleDistrictOfficer) && snap.GetDistrict() != p.District:
		return nil, denied("为其他区县的企业申请咨询")
	}
	set, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	start, end := domain.PeriodBounds(now, set.GetQuotaPeriod())
	used, err := s.st.Counters.Get(ctx, domain.QuotaKey(c.GetFirmId(), set.GetQuotaPeriod(), start))
	if err != nil {
		return nil, err
	}
	if used >= set.GetFirmQuota() {
		return nil, domain.FirmQuotaExhausted(set.GetFirmQuota(), end)
	}

	c.Id, c.Firm, c.FiledByAssociationId = ids.New(), snap, filedBy
	c.Sample = c.GetSample() && isSystem(p)
	c.ExpertId, c.ExpertName, c.CaseExpertIds, c.Sessions, c.FollowUpTime, c.ClosingSummary, c.History, c.Etag = "", "", nil, nil, nil, "", nil, ""
	if c.GetStage() == 0 {
		c.Stage = f.GetStage()
	}
	if c.GetPreferredDistrict() == 0 {
		c.PreferredDistrict = f.GetDistrict()
	}
	if c.GetContact() == nil {
		c.Contact = s.firmContact(ctx, f)
	}
	if c.GetSubject() == "" {
		c.Subject = defaultSubject(c.GetNeeds())
	}
	c.Status = consultv1.ConsultationStatus_CONSULTATION_STATUS_UNSPECIFIED
	addHistory(c, p, domain.Requested, "", now)
	c.QueueReason, c.QueueTime, c.PickupDeadlineTime = 0, nil, nil
	if c.GetCoordinatorPick() {
		c.QueueReason, c.QueueTime = consultv1.QueueReason_QUEUE_REASON_COORDINATOR_REQUESTED, ts(now)
	} else {
		c.PickupDeadlineTime = ts(now.Add(time.Duration(set.GetRequestPickupHours()) * time.Hour))
	}
	c.CreateTime, c.UpdateTime = ts(now), ts(now)
	out, err := s.st.Consultations.Create(ctx, c)
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "consultation.create", "consultation", out.GetId(), out.GetEtag(), "firm "+out.GetFirmId(), out.GetFirm().GetAssociationIds())
	return presentConsultation(p, out), nil
}

// GetConsultation returns one consultation the caller may see.
func (s *Service) GetConsultation(ctx context.Context, id string) (*consultv1.Consultation, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	s.maybeSweep(ctx)
	c, err := s.loadConsultation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return presentConsultation(p, c), nil
}

// ListConsultations lists what the caller may see, newest first.
func (s *Service) ListConsultations(ctx context.Context, req *consultv1.ListConsultationsRequest) ([]*consultv1.Consultation, string, int, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, "", 0, err
	}
	f := adapters.ConsultationFilter{
		Scope: domain.ScopeFor(p), FirmID: req.GetFirmId(), AssociationID: req.GetAssociationId(), ExpertID: req.GetExpertId(),
		Statuses: req.GetStatuses(), Need: req.GetNeed(), District: req.GetDistrict(), ClinicID: req.GetClinicId(),
	}
	if req.GetSessionStartAfter() != nil {
		f.SessionAfter = req.GetSessionStartAfter().AsTime()
	}
	if req.GetSessionStartBefore() != nil {
		f.SessionBefore = req.GetSessionStartBefore().AsTime()
	}
	return s.listConsultations(ctx, p, f, req.GetPageSize(), req.GetPageToken())
}

func (s *Service) listConsultations(ctx context.Context, p auth.Principal, f adapters.ConsultationFilter, size int32, token string) ([]*consultv1.Consultation, string, int, error) {
	if f.Scope.Empty() {
		return nil, "", 0, denied("查看咨询")
	}
	pg, err := paging.Parse(size, token, fmt.Sprintf("consultations|%+v", f))
	if err != nil {
		return nil, "", 0, err
	}
	s.maybeSweep(ctx)
	list, total, err := s.st.Consultations.List(ctx, f, pg.Offset, pg.Size)
	if err != nil {
		return nil, "", 0, err
	}
	out := make([]*consultv1.Consultation, len(list))
	for i, c := range list {
		out[i] = presentConsultation(p, c)
	}
	return out, pg.Next(len(list), total), total, nil
}

// ListQueuedConsultations lists the coordinator queue, longest waiting
// first.
func (s *Service) ListQueuedConsultations(ctx context.Context, req *consultv1.ListQueuedConsultationsRequest) ([]*consultv1.Consultation, string, int, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, "", 0, err
	}
	if !domain.IsCoordinatorRole(p) {
		return nil, "", 0, denied("查看协调队列（仅市局管理员和区县专员）")
	}
	f := adapters.ConsultationFilter{
		Scope: domain.ScopeFor(p), District: req.GetDistrict(), Need: req.GetNeed(), QueuedOnly: true, QueueReason: req.GetReason(),
		Statuses: []consultv1.ConsultationStatus{domain.Requested, domain.Assigned},
	}
	return s.listConsultations(ctx, p, f, req.GetPageSize(), req.GetPageToken())
}

// UpdateConsultation changes the request's fields while REQUESTED or
// ASSIGNED (the contact until the case is final).
func (s *Service) UpdateConsultation(ctx context.Context, in *consultv1.Consultation, paths []string) (*consultv1.Consultation, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	version, paths, err := updateCheck("consultation", in.GetId(), in.GetEtag(), paths, consultationWritable, consultationReadOnly)
	if err != nil {
		return nil, err
	}
	cur, err := s.loadConsultation(ctx, p, in.GetId())
	if err != nil {
		return nil, err
	}
	if !domain.IsFirmSide(p, cur) && !domain.Coordinates(p, cur) {
		return nil, denied("修改该咨询申请")
	}
	var snap *consultv1.FirmSnapshot
	if f, err := s.profiles.GetFirm(ctx, cur.GetFirmId()); err == nil {
		snap = snapshot(f)
	}
	now := s.now()
	out, err := s.st.Consultations.Update(ctx, in.GetId(), version, now, func(c *consultv1.Consultation) error {
		contactOnly := len(paths) == 1 && paths[0] == "contact"
		if contactOnly && domain.Final(c.GetStatus()) || !contactOnly {
			if err := (domain.Transition{Action: domain.ActUpdate, From: c.GetStatus()}).Check(); err != nil {
				return err
			}
		}
		var oc *commonv1.Contact
		if c.GetContact() != nil {
			oc = proto.Clone(c.GetContact()).(*commonv1.Contact)
		}
		fieldmask.Apply(c, in, paths)
		if nc := c.GetContact(); nc != nil && oc != nil {
			if contact.IsMaskedPhone(nc.GetPhone()) {
				nc.Phone = oc.GetPhone()
			}
			if contact.IsMaskedEmail(nc.GetEmail()) {
				nc.Email = oc.GetEmail()
			}
			nc.Masked = false
		}
		domain.NormalizeConsultation(c)
		v := domain.ValidateConsultation(c, now)
		// Preferred times already past are only checked when changed.
		if !slices.Contains(paths, "preferred_times") {
			v.Violations = slices.DeleteFunc(v.Violations, func(fv apperr.FieldViolation) bool {
				return strings.HasPrefix(fv.Field, "consultation.preferred_times")
			})
		}
		if err := v.Err(); err != nil {
			return err
		}
		if c.GetSubject() == "" {
			c.Subject = defaultSubject(c.GetNeeds())
		}
		if snap != nil {
			c.Firm = snap
		}
		c.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "consultation.update", "consultation", out.GetId(), out.GetEtag(), strings.Join(paths, ","), out.GetFirm().GetAssociationIds())
	return presentConsultation(p, out), nil
}

// lifecycle runs one lifecycle call: it loads the consultation, checks the
// caller with allowed (PERMISSION_DENIED otherwise) and applies fn in one
// conditional write, fn checking the status it sees. after runs once the
// write succeeded, with the consultation before and after.
func (s *Service) lifecycle(ctx context.Context, id, etagText, action, what string,
	allowed func(p auth.Principal, c *consultv1.Consultation) bool,
	fn func(p auth.Principal, c *consultv1.Consultation, now time.Time) error,
) (*consultv1.Consultation, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	version, err := etag.Parse("etag", etagText, true)
	if err != nil {
		return nil, err
	}
	cur, err := s.loadConsultation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !allowed(p, cur) {
		return nil, denied(what)
	}
	now := s.now()
	out, err := s.st.Consultations.Update(ctx, id, version, now, func(c *consultv1.Consultation) error {
		if err := fn(p, c, now); err != nil {
			return err
		}
		c.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "consultation."+action, "consultation", out.GetId(), out.GetEtag(), refdata.Label(out.GetStatus()), out.GetFirm().GetAssociationIds())
	return out, nil
}

func coordinatorOrFirmSide(p auth.Principal, c *consultv1.Consultation) bool {
	return domain.Coordinates(p, c) || domain.IsFirmSide(p, c)
}

func coordinatorOrExpert(p auth.Principal, c *consultv1.Consultation) bool {
	return domain.Coordinates(p, c) || domain.IsCurrentExpert(p, c)
}

// AssignConsultation puts an expert on the case (ASSIGNED).
func (s *Service) AssignConsultation(ctx context.Context, id, expertID, etagText, note string) (*consultv1.Consultation, error) {
	if expertID == "" {
		return nil, apperr.Invalid("expert_id", "请指定专家")
	}
	if _, err := signedIn(ctx); err != nil {
		return nil, err
	}
	e, err := s.st.Experts.Get(ctx, expertID)
	if err != nil {
		return nil, err
	}
	if e.GetPaused() {
		return nil, domain.ExpertPaused(e.GetName())
	}
	set, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	var released *consultv1.Session
	out, err := s.lifecycle(ctx, id, etagText, "assign", "为该咨询指派专家", coordinatorOrFirmSide,
		func(p auth.Principal, c *consultv1.Consultation, now time.Time) error {
			released = nil
			if err := (domain.Transition{Action: domain.ActAssign, From: c.GetStatus(), Coordinator: domain.Coordinates(p, c), Started: domain.Started(c, now)}).Check(); err != nil {
				return err
			}
			if c.GetStatus() == domain.Scheduled {
				cur := domain.CurrentSession(c)
				cur.Status = consultv1.SessionStatus_SESSION_STATUS_CANCELLED
				released = cur
			}
			c.ExpertId, c.ExpertName = e.GetId(), e.GetName()
			c.CaseExpertIds = appendUnique(c.CaseExpertIds, e.GetId())
			c.QueueReason, c.QueueTime = 0, nil
			c.PickupDeadlineTime = ts(now.Add(time.Duration(set.GetAssignmentPickupHours()) * time.Hour))
			addHistory(c, p, domain.Assigned, strings.TrimSpace("指派专家"+e.GetName()+"。"+note), now)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if released != nil {
		if err := s.releaseSession(ctx, out, released, false); err != nil {
			return nil, err
		}
	}
	return presentConsultation(auth.FromContext(ctx), out), nil
}

// DeclineConsultation lets the assigned expert give the case back.
func (s *Service) DeclineConsultation(ctx context.Context, id, etagText, reason string) (*consultv1.Consultation, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Invalid("reason", "请填写婉拒原因，供协调员参考")
	}
	var released *consultv1.Session
	out, err := s.lifecycle(ctx, id, etagText, "decline", "婉拒该咨询（仅当前专家）", domain.IsCurrentExpert,
		func(p auth.Principal, c *consultv1.Consultation, now time.Time) error {
			released = nil
			if err := (domain.Transition{Action: domain.ActDecline, From: c.GetStatus(), Started: domain.Started(c, now)}).Check(); err != nil {
				return err
			}
			if c.GetStatus() == domain.Scheduled {
				cur := domain.CurrentSession(c)
				cur.Status = consultv1.SessionStatus_SESSION_STATUS_CANCELLED
				released = cur
			}
			c.ExpertId, c.ExpertName = "", ""
			c.QueueReason, c.QueueTime, c.PickupDeadlineTime = consultv1.QueueReason_QUEUE_REASON_EXPERT_DECLINED, ts(now), nil
			addHistory(c, p, domain.Requested, reason, now)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if released != nil {
		// The expert gave the time back: the slot is withdrawn.
		if err := s.releaseSession(ctx, out, released, true); err != nil {
			return nil, err
		}
	}
	return presentConsultation(auth.FromContext(ctx), out), nil
}

// CancelConsultation ends the request (CANCELLED).
func (s *Service) CancelConsultation(ctx context.Context, id, etagText, reason string) (*consultv1.Consultation, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Invalid("reason", "请填写取消原因")
	}
	var released *consultv1.Session
	out, err := s.lifecycle(ctx, id, etagText, "cancel", "取消该咨询（专家请使用婉拒）", coordinatorOrFirmSide,
		func(p auth.Principal, c *consultv1.Consultation, now time.Time) error {
			released = nil
			if err := (domain.Transition{Action: domain.ActCancel, From: c.GetStatus(), Started: domain.Started(c, now)}).Check(); err != nil {
				return err
			}
			if c.GetStatus() == domain.Scheduled {
				cur := domain.CurrentSession(c)
				cur.Status = consultv1.SessionStatus_SESSION_STATUS_CANCELLED
				released = cur
			}
			c.QueueReason, c.QueueTime, c.PickupDeadlineTime = 0, nil, nil
			addHistory(c, p, domain.Cancelled, reason, now)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if released != nil {
		if err := s.releaseSession(ctx, out, released, false); err != nil {
			return nil, err
		}
	}
	return presentConsultation(auth.FromContext(ctx), out), nil
}

// MarkConsultationHeld records that the scheduled session took place.
func (s *Service) MarkConsultationHeld(ctx context.Context, id, etagText string) (*consultv1.Consultation, error) {
	out, err := s.lifecycle(ctx, id, etagText, "mark_held", "确认该咨询已举行（当前专家或协调员）", coordinatorOrExpert,
		func(p auth.Principal, c *consultv1.Consultation, now time.Time) error {
			if err := (domain.Transition{Action: domain.ActMarkHeld, From: c.GetStatus(), Started: domain.Started(c, now)}).Check(); err != nil {
				return err
			}
			domain.CurrentSession(c).Status = consultv1.SessionStatus_SESSION_STATUS_HELD
			c.PickupDeadlineTime = nil
			addHistory(c, p, domain.Held, "", now)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if e := domain.CurrentSession(out).GetExpertId(); e != "" {
		if _, err := s.st.Experts.Update(ctx, e, 0, s.now(), func(x *consultv1.Expert) error {
			x.SessionsHeld++
			return nil
		}); err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			s.logger.ErrorContext(ctx, "consult: count held session", "expert", e, "err", err)
		}
	}
	return presentConsultation(auth.FromContext(ctx), out), nil
}

// MarkConsultationNoShow records which side missed the scheduled session.
func (s *Service) MarkConsultationNoShow(ctx context.Context, id, etagText string, absent consultv1.Party, note string) (*consultv1.Consultation, error) {
	if absent != consultv1.Party_PARTY_FIRM && absent != consultv1.Party_PARTY_EXPERT {
		return nil, apperr.Invalid("absent_party", "请指明缺席方：PARTY_FIRM（企业）或PARTY_EXPERT（专家）")
	}
	var released *consultv1.Session
	out, err := s.lifecycle(ctx, id, etagText, "mark_no_show", "登记该咨询的缺席", func(p auth.Principal, c *consultv1.Consultation) bool {
		return coordinatorOrFirmSide(p, c) || domain.IsCurrentExpert(p, c)
	}, func(p auth.Principal, c *consultv1.Consultation, now time.Time) error {
		released = nil
		if err := (domain.Transition{Action: domain.ActMarkNoShow, From: c.GetStatus(), Started: domain.Started(c, now)}).Check(); err != nil {
			return err
		}
		cur := domain.CurrentSession(c)
		cur.Status, cur.AbsentParty = consultv1.SessionStatus_SESSION_STATUS_NO_SHOW, absent
		c.PickupDeadlineTime = nil
		if absent == consultv1.Party_PARTY_FIRM {
			addHistory(c, p, domain.NoShow, strings.TrimSpace("企业缺席。"+note), now)
			return nil
		}
		released = cur
		c.ExpertId, c.ExpertName = "", ""
		c.QueueReason, c.QueueTime = consultv1.QueueReason_QUEUE_REASON_EXPERT_NO_SHOW, ts(now)
		addHistory(c, p, domain.Requested, strings.TrimSpace("专家缺席。"+note), now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if released != nil {
		// The session has passed: no slot to reopen, but the units the
		// expert's absence cost come back.
		if err := s.giveBackUnits(ctx, out.GetFirmId(), released, true, true); err != nil {
			return nil, err
		}
	}
	return presentConsultation(auth.FromContext(ctx), out), nil
}

// CloseConsultation closes the case with a closing summary.
func (s *Service) CloseConsultation(ctx context.Context, id, etagText, summary string) (*consultv1.Consultation, error) {
	summary = strings.TrimSpace(summary)
	switch n := utf8.RuneCountInString(summary); {
	case n == 0:
		return nil, apperr.Invalid("summary", "请填写结案小结")
	case n > domain.MaxDescriptionRunes:
		return nil, apperr.Invalid("summary", "结案小结最多%d个字，当前%d个字", domain.MaxDescriptionRunes, n)
	}
	out, err := s.lifecycle(ctx, id, etagText, "close", "结案（当前专家或协调员）", coordinatorOrExpert,
		func(p auth.Principal, c *consultv1.Consultation, now time.Time) error {
			if err := (domain.Transition{Action: domain.ActClose, From: c.GetStatus()}).Check(); err != nil {
				return err
			}
			if last := domain.LastHeldSession(c); last == nil || !last.GetHasCaseNote() {
				return domain.CaseNoteMissing()
			}
			c.ClosingSummary = summary
			addHistory(c, p, domain.Closed, "", now)
			return nil
		})
	if err != nil {
		return nil, err
	}
	return presentConsultation(auth.FromContext(ctx), out), nil
}

// RateConsultation records the firm's rating of a held session.
func (s *Service) RateConsultation(ctx context.Context, id, sessionID string, score int32, comment string) (*consultv1.Consultation, error) {
	v := &apperr.ValidationError{}
	if score < 1 || score > 5 {
		v.Add("score", "评分须为1至5分，当前为%d", score)
	}
	if utf8.RuneCountInString(comment) > domain.MaxCommentRunes {
		v.Add("comment", "评价最多%d个字", domain.MaxCommentRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var rated *consultv1.Session
	out, err := s.lifecycle(ctx, id, "", "rate", "评价该咨询（企业用户，或代为申请的协会）", func(p auth.Principal, c *consultv1.Consultation) bool {
		return domain.IsFirmUser(p, c) || (p.Is(auth.RoleAssociationAdmin) && c.GetFiledByAssociationId() == p.AssociationID)
	}, func(p auth.Principal, c *consultv1.Consultation, now time.Time) error {
		sess := domain.LastHeldSession(c)
		if sessionID != "" {
			sess = domain.FindSession(c, sessionID)
			if sess == nil {
				return apperr.NotFound("场次%s不存在", sessionID)
			}
		}
		if sess == nil || sess.GetStatus() != consultv1.SessionStatus_SESSION_STATUS_HELD {
			return apperr.FailedPrecondition("只能评价已举行的场次")
		}
		if sess.GetRating() != nil {
			return domain.AlreadyRated()
		}
		sess.Rating = &consultv1.Rating{Score: score, Comment: strings.TrimSpace(comment), RaterRole: p.Role.Proto(), RateTime: ts(now)}
		rated = sess
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.st.Experts.Update(ctx, rated.GetExpertId(), 0, s.now(), func(e *consultv1.Expert) error {
		n := float64(e.GetRatingCount())
		avg := (e.GetRatingAverage()*n + float64(score)) / (n + 1)
		e.RatingAverage, e.RatingCount = &avg, e.GetRatingCount()+1
		return nil
	}); err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
		s.logger.ErrorContext(ctx, "consult: record rating on expert", "expert", rated.GetExpertId(), "err", err)
	}
	return presentConsultation(auth.FromContext(ctx), out), nil
}

// RevealConsultationContact returns the contact unmasked (audited).
func (s *Service) RevealConsultationContact(ctx context.Context, id, reason string) (*commonv1.Contact, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.loadConsultation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !(coordinatorOrFirmSide(p, c) || (domain.IsCurrentExpert(p, c) && !domain.Final(c.GetStatus()))) {
		return nil, denied("查看该咨询联系人的完整联系方式")
	}
	s.record(ctx, p, "consultation.reveal_contact", "consultation", c.GetId(), "", reason, c.GetFirm().GetAssociationIds())
	if c.GetContact() == nil {
		return &commonv1.Contact{}, nil
	}
	return proto.Clone(c.GetContact()).(*commonv1.Contact), nil
}
