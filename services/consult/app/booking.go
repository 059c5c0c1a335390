package app

import (
	"context"
	"errors"
	"time"

	"google.golang.org/protobuf/proto"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// units names the counters one booked session uses: the firm's quota period
// and the expert's week containing the session's start.
type units struct {
	quotaKey, capacityKey string
}

func (s *Service) unitsOf(set *consultv1.ConsultSettings, firmID, expertID string, start time.Time) (units, time.Time, time.Time) {
	pStart, pEnd := domain.PeriodBounds(start, set.GetQuotaPeriod())
	week := domain.WeekStart(start)
	return units{
		quotaKey:    domain.QuotaKey(firmID, set.GetQuotaPeriod(), pStart),
		capacityKey: domain.CapacityKey(expertID, week),
	}, pEnd, week
}

// BookConsultation books a slot for the consultation's next session.
//
// The steps, each a single conditional write, in an order that keeps racing
// callers apart and gives back what a failed booking took:
//
//  1. a unit of the firm's quota for the slot's period (counter document);
//  2. the slot itself: OPEN → BOOKED by this consultation (slot document);
//     of callers racing for one slot exactly one gets past this step;
//  3. a unit of the expert's capacity for the slot's week (counter
//     document);
//  4. the consultation: a new session, SCHEDULED, checked against the status
//     it has at that moment (consultation document).
//
// A failure at any step undoes the steps before it. Moving a scheduled
// session to another slot keeps the units when period and week are the same,
// and reopens the old slot only once the new booking is recorded.
func (s *Service) BookConsultation(ctx context.Context, id, slotID, etagText string) (*consultv1.Consultation, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if slotID == "" {
		return nil, apperr.Invalid("slot_id", "请选择要预约的时段")
	}
	expect, err := etag.Parse("etag", etagText, true)
	if err != nil {
		return nil, err
	}
	c, err := s.loadConsultation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !(coordinatorOrFirmSide(p, c) || domain.IsCurrentExpert(p, c)) {
		return nil, denied("为该咨询预约时段")
	}
	set, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	sl, err := s.st.Slots.Get(ctx, slotID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	check := func(c *consultv1.Consultation, sl *consultv1.Slot) error {
		if err := (domain.Transition{Action: domain.ActBook, From: c.GetStatus(), Coordinator: domain.Coordinates(p, c), Started: domain.Started(c, now)}).Check(); err != nil {
			return err
		}
		if len(c.GetSessions()) >= domain.MaxSessions {
			return apperr.FailedPrecondition("该咨询已有%d个场次，不能再预约", domain.MaxSessions)
		}
		if c.GetStatus() != domain.Requested && c.GetExpertId() != "" && sl.GetExpertId() != c.GetExpertId() {
			return domain.SlotOtherExpert()
		}
		if p.Is(auth.RoleExpert) && sl.GetExpertId() != p.ExpertID {
			return domain.SlotOtherExpert()
		}
		return nil
	}
	if err := check(c, sl); err != nil {
		return nil, err
	}
	if expect > 0 {
		if have, _ := etag.Parse("", c.GetEtag(), true); have != expect {
			return nil, apperr.Conflict("该咨询已被他人修改，请刷新后重试")
		}
	}
	e, err := s.st.Experts.Get(ctx, sl.GetExpertId())
	if err != nil {
		return nil, err
	}
	if e.GetPaused() {
		return nil, domain.ExpertPaused(e.GetName())
	}
	if sl.GetStatus() != consultv1.SlotStatus_SLOT_STATUS_OPEN {
		return nil, domain.SlotTaken()
	}
	if domain.TooSoon(sl, set.GetMinBookingNoticeHours(), now) {
		return nil, domain.SlotTooSoon(set.GetMinBookingNoticeHours())
	}

	u, periodEnd, week := s.unitsOf(set, c.GetFirmId(), e.GetId(), sl.GetStartTime().AsTime())
	var prev units
	moving := c.GetStatus() == domain.Scheduled
	if moving {
		cur := domain.CurrentSession(c)
		prev, _, _ = s.unitsOf(set, c.GetFirmId(), cur.GetExpertId(), cur.GetStartTime().AsTime())
	}
	needQuota := !moving || prev.quotaKey != u.quotaKey
	needCapacity := !moving || prev.capacityKey != u.capacityKey

	// 1. the firm's quota
	if needQuota {
		ok, err := s.st.Counters.Acquire(ctx, u.quotaKey, set.GetFirmQuota())
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, domain.FirmQuotaExhausted(set.GetFirmQuota(), periodEnd)
		}
	}
	var undo []func()
	rollback := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	if needQuota {
		undo = append(undo, func() { s.releaseUnit(ctx, u.quotaKey) })
	}
	// 2. the slot
	taken, err := s.st.Slots.Take(ctx, slotID, c.GetId(), now, func(sl *consultv1.Slot) error {
		if domain.TooSoon(sl, set.GetMinBookingNoticeHours(), now) {
			return domain.SlotTooSoon(set.GetMinBookingNoticeHours())
		}
		return nil
	})
	if err != nil {
		rollback()
		return nil, err
	}
	undo = append(undo, func() {
		if err := s.st.Slots.Release(context.WithoutCancel(ctx), slotID, c.GetId(), false, now); err != nil {
			s.logger.ErrorContext(ctx, "consult: reopen slot after failed booking", "slot", slotID, "err", err)
		}
	})
	// 3. the expert's capacity
	if needCapacity {
		ok, err := s.st.Counters.Acquire(ctx, u.capacityKey, e.GetWeeklyCapacity())
		if err != nil || !ok {
			rollback()
			if err != nil {
				return nil, err
			}
			return nil, domain.ExpertCapacityReached(e.GetWeeklyCapacity(), week)
		}
		undo = append(undo, func() { s.releaseUnit(ctx, u.capacityKey) })
	}
	// 4. the consultation
	var old *consultv1.Session
	out, err := s.st.Consultations.Update(ctx, id, expect, now, func(c *consultv1.Consultation) error {
		old = nil
		if err := check(c, taken); err != nil {
			return err
		}
		if c.GetStatus() == domain.Scheduled {
			old = proto.Clone(domain.CurrentSession(c)).(*consultv1.Session)
			domain.CurrentSession(c).Status = consultv1.SessionStatus_SESSION_STATUS_CANCELLED
		}
		c.Sessions = append(c.Sessions, &consultv1.Session{
			Id: ids.New(), ExpertId: e.GetId(), ExpertName: e.GetName(), SlotId: taken.GetId(), ClinicId: taken.GetClinicId(),
			Mode: taken.GetMode(), StartTime: taken.GetStartTime(), EndTime: taken.GetEndTime(), Venue: taken.GetVenue(),
			MeetingUrl: taken.GetMeetingUrl(), Status: consultv1.SessionStatus_SESSION_STATUS_SCHEDULED, BookTime: ts(now),
		})
		c.ExpertId, c.ExpertName = e.GetId(), e.GetName()
		c.CaseExpertIds = appendUnique(c.CaseExpertIds, e.GetId())
		c.QueueReason, c.QueueTime, c.PickupDeadlineTime = 0, nil, nil
		reason := "预约" + taken.GetStartTime().AsTime().In(domain.CST).Format("2006-01-02 15:04")
		if old != nil {
			reason = "改约至" + taken.GetStartTime().AsTime().In(domain.CST).Format("2006-01-02 15:04")
		}
		addHistory(c, p, domain.Scheduled, reason, now)
		c.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		rollback()
		return nil, err
	}
	// A moved session: the old slot reopens, and units of another period
	// or week come back.
	if old != nil {
		if err := s.st.Slots.Release(ctx, old.GetSlotId(), c.GetId(), false, now); err != nil {
			s.logger.ErrorContext(ctx, "consult: reopen the slot a session moved from", "slot", old.GetSlotId(), "err", err)
		}
		if needQuota {
			s.releaseUnit(ctx, prev.quotaKey)
		}
		if needCapacity {
			s.releaseUnit(ctx, prev.capacityKey)
		}
	}
	s.record(ctx, p, "consultation.book", "consultation", out.GetId(), out.GetEtag(), "slot "+slotID, out.GetFirm().GetAssociationIds())
	return presentConsultation(p, out), nil
}

// releaseUnit gives one unit back, logging a failure: the booking it undoes
// has failed already and its error is the one to report.
func (s *Service) releaseUnit(ctx context.Context, key string) {
	if err := s.st.Counters.Release(context.WithoutCancel(ctx), key); err != nil {
		s.logger.ErrorContext(ctx, "consult: give a unit back", "counter", key, "err", err)
	}
}

// releaseSession undoes a cancelled session's booking: the slot reopens (or
// is withdrawn) and the firm's quota unit and the expert's capacity unit
// come back.
func (s *Service) releaseSession(ctx context.Context, c *consultv1.Consultation, sess *consultv1.Session, withdraw bool) error {
	if err := s.st.Slots.Release(ctx, sess.GetSlotId(), c.GetId(), withdraw, s.now()); err != nil {
		return err
	}
	return s.giveBackUnits(ctx, c.GetFirmId(), sess, true, true)
}

// giveBackUnits releases the quota and capacity units of a session.
func (s *Service) giveBackUnits(ctx context.Context, firmID string, sess *consultv1.Session, quota, capacity bool) error {
	set, err := s.settings(ctx)
	if err != nil {
		return err
	}
	u, _, _ := s.unitsOf(set, firmID, sess.GetExpertId(), sess.GetStartTime().AsTime())
	var errs []error
	if quota {
		errs = append(errs, s.st.Counters.Release(ctx, u.quotaKey))
	}
	if capacity {
		errs = append(errs, s.st.Counters.Release(ctx, u.capacityKey))
	}
	return errors.Join(errs...)
}
