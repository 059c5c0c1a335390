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
	"github.com/qihang-hz/qihang/services/consult/adapters"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

var (
	slotWritable = []string{"start_time", "end_time", "mode", "venue", "meeting_url", "buffer_before_minutes", "buffer_after_minutes"}
	slotReadOnly = []string{"expert_id", "status", "bookable", "consultation_id", "clinic_id", "sample", "create_time", "update_time"}
)

// fillBuffers sets the buffers in force on a slot that leaves them unset.
func fillBuffers(sl *consultv1.Slot, e *consultv1.Expert) {
	before, after := domain.Buffers(sl, e.GetDefaultBufferMinutes())
	sl.BufferBeforeMinutes, sl.BufferAfterMinutes = &before, &after
}

// CreateSlot publishes one slot of an expert (the expert itself or a bureau
// admin).
func (s *Service) CreateSlot(ctx context.Context, expertID string, in *consultv1.Slot) (*consultv1.Slot, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !domain.ManagesExpert(p, expertID) {
		return nil, denied("为该专家发布时段")
	}
	e, err := s.st.Experts.Get(ctx, expertID)
	if err != nil {
		return nil, err
	}
	sl := proto.Clone(in).(*consultv1.Slot)
	now := s.now()
	sl.Id, sl.ExpertId, sl.Status, sl.ConsultationId, sl.ClinicId, sl.Etag = ids.New(), e.GetId(), consultv1.SlotStatus_SLOT_STATUS_OPEN, "", "", ""
	sl.Sample = sl.GetSample() && isSystem(p)
	if sl.GetMode() == consultv1.SessionMode_SESSION_MODE_ONLINE && sl.GetVenue().GetPark() == "" {
		sl.Venue = nil
	}
	fillBuffers(sl, e)
	if err := domain.ValidateSlot(sl, e, now, true).Err(); err != nil {
		return nil, err
	}
	sl.CreateTime, sl.UpdateTime = ts(now), ts(now)
	out, err := s.st.Slots.Create(ctx, sl)
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "slot.create", "slot", out.GetId(), out.GetEtag(), "expert "+expertID, nil)
	return s.presentSlots(ctx, p, []*consultv1.Slot{out})[0], nil
}

// presentSlots fills the output-only bookable flag and hides bookings from
// firm users and association admins.
func (s *Service) presentSlots(ctx context.Context, p auth.Principal, slots []*consultv1.Slot) []*consultv1.Slot {
	set, err := s.settings(ctx)
	notice := int32(0)
	if err == nil {
		notice = set.GetMinBookingNoticeHours()
	}
	experts := map[string]*consultv1.Expert{}
	weeks := map[string]int32{}
	now := s.now()
	for _, sl := range slots {
		e, ok := experts[sl.GetExpertId()]
		if !ok {
			e, _ = s.st.Experts.Get(ctx, sl.GetExpertId())
			experts[sl.GetExpertId()] = e
		}
		sl.Bookable = false
		if e != nil && domain.Bookable(sl, e.GetPaused(), notice, now) {
			full, err := s.weekFull(ctx, e, sl.GetStartTime().AsTime(), weeks)
			sl.Bookable = err == nil && !full
		}
		if !domain.SeesBookings(p) {
			sl.ConsultationId, sl.MeetingUrl = "", ""
		}
	}
	return slots
}

// ListSlots lists slots in start order.
func (s *Service) ListSlots(ctx context.Context, req *consultv1.ListSlotsRequest) ([]*consultv1.Slot, string, int, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, "", 0, err
	}
	f := adapters.SlotFilter{
		ExpertID: req.GetExpertId(), ClinicID: req.GetClinicId(), Mode: req.GetMode(), District: req.GetDistrict(),
		Park: req.GetPark(), Status: req.GetStatus(), StartAfter: s.now(),
	}
	if req.GetStartAfter() != nil {
		f.StartAfter = req.GetStartAfter().AsTime()
	}
	if req.GetStartBefore() != nil {
		f.StartBefore = req.GetStartBefore().AsTime()
	}
	if !domain.SeesBookings(p) || req.GetBookableOnly() {
		f.Status = consultv1.SlotStatus_SLOT_STATUS_OPEN
	}
	if req.GetNeed() != 0 {
		experts, _, err := s.st.Experts.List(ctx, adapters.ExpertFilter{Need: req.GetNeed(), IncludePaused: true}, 0, 0)
		if err != nil {
			return nil, "", 0, err
		}
		f.ExpertIDs = []string{}
		for _, e := range experts {
			f.ExpertIDs = append(f.ExpertIDs, e.GetId())
		}
	}
	pg, err := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprintf("slots|%+v|%v", f, req.GetBookableOnly()))
	if err != nil {
		return nil, "", 0, err
	}
	if !req.GetBookableOnly() {
		list, total, err := s.st.Slots.List(ctx, f, pg.Offset, pg.Size)
		if err != nil {
			return nil, "", 0, err
		}
		return s.presentSlots(ctx, p, list), pg.Next(len(list), total), total, nil
	}
	// Bookable now depends on the expert and its week: filter every open
	// slot in the window, then page.
	all, _, err := s.st.Slots.List(ctx, f, 0, 0)
	if err != nil {
		return nil, "", 0, err
	}
	all = slices.DeleteFunc(s.presentSlots(ctx, p, all), func(sl *consultv1.Slot) bool { return !sl.GetBookable() })
	total := len(all)
	end := min(total, pg.Offset+pg.Size)
	if pg.Offset >= total {
		return nil, "", total, nil
	}
	page := all[pg.Offset:end]
	return page, pg.Next(len(page), total), total, nil
}

// UpdateSlot changes the masked fields of a slot.
func (s *Service) UpdateSlot(ctx context.Context, in *consultv1.Slot, paths []string) (*consultv1.Slot, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	version, paths, err := updateCheck("slot", in.GetId(), in.GetEtag(), paths, slotWritable, slotReadOnly)
	if err != nil {
		return nil, err
	}
	cur, err := s.st.Slots.Get(ctx, in.GetId())
	if err != nil {
		return nil, err
	}
	if !domain.ManagesExpert(p, cur.GetExpertId()) {
		return nil, denied("修改该专家的时段")
	}
	e, err := s.st.Experts.Get(ctx, cur.GetExpertId())
	if err != nil {
		return nil, err
	}
	now := s.now()
	out, err := s.st.Slots.Update(ctx, in.GetId(), version, now, func(sl *consultv1.Slot) error {
		timing := slices.ContainsFunc(paths, func(p string) bool {
			return p == "start_time" || p == "end_time" || p == "buffer_before_minutes" || p == "buffer_after_minutes" || p == "mode" || p == "venue"
		})
		if sl.GetStatus() == consultv1.SlotStatus_SLOT_STATUS_BOOKED && timing {
			return domain.SlotBooked()
		}
		if sl.GetClinicId() != "" && timing {
			return apperr.Invalid("update_mask", "坐诊时段的时间、方式和地点随坐诊确定，不能单独修改")
		}
		moved := slices.Contains(paths, "start_time") || slices.Contains(paths, "end_time")
		fieldmask.Apply(sl, in, paths)
		fillBuffers(sl, e)
		if err := domain.ValidateSlot(sl, e, now, moved).Err(); err != nil {
			return err
		}
		sl.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "slot.update", "slot", out.GetId(), out.GetEtag(), strings.Join(paths, ","), nil)
	return s.presentSlots(ctx, p, []*consultv1.Slot{out})[0], nil
}

// DeleteSlot withdraws an open slot.
func (s *Service) DeleteSlot(ctx context.Context, id, etagText string) error {
	p, err := signedIn(ctx)
	if err != nil {
		return err
	}
	version, err := etag.Parse("etag", etagText, false)
	if err != nil {
		return err
	}
	cur, err := s.st.Slots.Get(ctx, id)
	if err != nil {
		return err
	}
	if !domain.ManagesExpert(p, cur.GetExpertId()) {
		return denied("撤回该专家的时段")
	}
	err = s.st.Slots.Delete(ctx, id, version, s.now(), func(sl *consultv1.Slot) error {
		if sl.GetStatus() == consultv1.SlotStatus_SLOT_STATUS_BOOKED {
			return domain.SlotBooked()
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.record(ctx, p, "slot.delete", "slot", id, etagText, "", nil)
	return nil
}

// ── clinics ─────────────────────────────────────────────────────────────

// CreateClinic schedules an on-site clinic and its consecutive slots.
func (s *Service) CreateClinic(ctx context.Context, in *consultv1.Clinic) (*consultv1.Clinic, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !domain.ManagesClinicIn(p, in.GetVenue().GetDistrict()) {
		return nil, denied("在该区县安排坐诊（市局管理员，或该区县专员）")
	}
	c := proto.Clone(in).(*consultv1.Clinic)
	now := s.now()
	if err := domain.ValidateClinic(c, now).Err(); err != nil {
		return nil, err
	}
	e, err := s.st.Experts.Get(ctx, c.GetExpertId())
	if err != nil {
		return nil, err
	}
	if e.GetPaused() {
		return nil, domain.ExpertPaused(e.GetName())
	}
	c.Id, c.ExpertName, c.Status, c.BookedCount, c.CancelReason, c.Etag = ids.New(), e.GetName(), consultv1.ClinicStatus_CLINIC_STATUS_SCHEDULED, 0, "", ""
	c.Sample = c.GetSample() && isSystem(p)
	spans := domain.ClinicSpans(c.GetStartTime().AsTime(), c.GetEndTime().AsTime(), c.GetSlotMinutes(), c.GetGapMinutes())
	slots := make([]*consultv1.Slot, len(spans))
	c.SlotIds = nil
	for i, sp := range spans {
		var before, after int32
		if i == 0 {
			before = e.GetDefaultBufferMinutes()
		}
		if i == len(spans)-1 {
			after = e.GetDefaultBufferMinutes()
		}
		slots[i] = &consultv1.Slot{
			Id: ids.New(), ExpertId: e.GetId(), StartTime: ts(sp[0]), EndTime: ts(sp[1]), Mode: consultv1.SessionMode_SESSION_MODE_ON_SITE,
			Venue: proto.Clone(c.GetVenue()).(*consultv1.Venue), BufferBeforeMinutes: &before, BufferAfterMinutes: &after,
			Status: consultv1.SlotStatus_SLOT_STATUS_OPEN, ClinicId: c.GetId(), Sample: c.GetSample(), CreateTime: ts(now), UpdateTime: ts(now),
		}
		c.SlotIds = append(c.SlotIds, slots[i].GetId())
	}
	if err := s.st.Slots.CreateMany(ctx, slots); err != nil {
		return nil, err
	}
	c.CreateTime, c.UpdateTime = ts(now), ts(now)
	out, err := s.st.Clinics.Create(ctx, c)
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "clinic.create", "clinic", out.GetId(), out.GetEtag(), fmt.Sprintf("%d slots", len(slots)), nil)
	return out, nil
}

// GetClinic returns one clinic.
func (s *Service) GetClinic(ctx context.Context, id string) (*consultv1.Clinic, error) {
	if _, err := signedIn(ctx); err != nil {
		return nil, err
	}
	return s.st.Clinics.Get(ctx, id)
}

// ListClinics lists clinics in start order.
func (s *Service) ListClinics(ctx context.Context, req *consultv1.ListClinicsRequest) ([]*consultv1.Clinic, string, int, error) {
	if _, err := signedIn(ctx); err != nil {
		return nil, "", 0, err
	}
	f := adapters.ClinicFilter{
		ExpertID: req.GetExpertId(), District: req.GetDistrict(), Park: req.GetPark(), Need: req.GetNeed(),
		StartAfter: s.now(), Status: req.GetStatus(),
	}
	if req.GetStartAfter() != nil {
		f.StartAfter = req.GetStartAfter().AsTime()
	}
	if req.GetStartBefore() != nil {
		f.StartBefore = req.GetStartBefore().AsTime()
	}
	if f.Status == 0 {
		f.Status = consultv1.ClinicStatus_CLINIC_STATUS_SCHEDULED
	}
	pg, err := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprintf("clinics|%+v", f))
	if err != nil {
		return nil, "", 0, err
	}
	list, total, err := s.st.Clinics.List(ctx, f, pg.Offset, pg.Size)
	if err != nil {
		return nil, "", 0, err
	}
	return list, pg.Next(len(list), total), total, nil
}

// UpdateClinic changes a clinic's title, description, focus needs or
// address.
func (s *Service) UpdateClinic(ctx context.Context, in *consultv1.Clinic, paths []string) (*consultv1.Clinic, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	paths = fieldmask.Paths(paths)
	v := &apperr.ValidationError{}
	for _, path := range paths {
		if !slices.Contains([]string{"title", "description", "focus_needs", "venue.address"}, path) {
			v.Add("update_mask", "坐诊只能修改title、description、focus_needs和venue.address，不能修改“%s”（取消后重新安排）", path)
		}
	}
	if len(paths) == 0 {
		v.Add("update_mask", "请指定要修改的字段（update_mask）")
	}
	version, err := etag.Parse("clinic.etag", in.GetEtag(), false)
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cur, err := s.st.Clinics.Get(ctx, in.GetId())
	if err != nil {
		return nil, err
	}
	if !domain.ManagesClinicIn(p, cur.GetVenue().GetDistrict()) {
		return nil, denied("修改该坐诊")
	}
	now := s.now()
	out, err := s.st.Clinics.Update(ctx, in.GetId(), version, now, func(c *consultv1.Clinic) error {
		fieldmask.ApplyNested(c, in, paths)
		if err := domain.ValidateClinic(c, c.GetCreateTime().AsTime()).Err(); err != nil {
			return err
		}
		c.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, p, "clinic.update", "clinic", out.GetId(), out.GetEtag(), strings.Join(paths, ","), nil)
	return out, nil
}

// CancelClinic cancels a clinic before it starts: open slots are withdrawn
// and booked sessions cancelled, their consultations returning to the
// coordinator queue with the firm's quota unit given back.
func (s *Service) CancelClinic(ctx context.Context, id, etagText, reason string) (*consultv1.Clinic, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	version, err := etag.Parse("etag", etagText, true)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Invalid("reason", "请填写取消原因，将告知已预约的企业")
	}
	cur, err := s.st.Clinics.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.ManagesClinicIn(p, cur.GetVenue().GetDistrict()) {
		return nil, denied("取消该坐诊")
	}
	now := s.now()
	out, err := s.st.Clinics.Update(ctx, id, version, now, func(c *consultv1.Clinic) error {
		if c.GetStatus() != consultv1.ClinicStatus_CLINIC_STATUS_SCHEDULED {
			return apperr.FailedPrecondition("该坐诊已取消")
		}
		if !now.Before(c.GetStartTime().AsTime()) {
			return apperr.FailedPrecondition("坐诊已开始，不能取消")
		}
		c.Status, c.CancelReason, c.UpdateTime = consultv1.ClinicStatus_CLINIC_STATUS_CANCELLED, reason, ts(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	cancelled := 0
	for _, slotID := range out.GetSlotIds() {
		sl, err := s.st.Slots.Get(ctx, slotID)
		if apperr.IsKind(err, apperr.KindNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if sl.GetStatus() == consultv1.SlotStatus_SLOT_STATUS_BOOKED {
			if err := s.cancelClinicSession(ctx, p, sl, reason, now); err != nil {
				return nil, err
			}
			cancelled++
		}
		if err := s.st.Slots.Delete(ctx, slotID, 0, now, func(*consultv1.Slot) error { return nil }); err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return nil, err
		}
	}
	s.record(ctx, p, "clinic.cancel", "clinic", out.GetId(), out.GetEtag(), fmt.Sprintf("%s; %d sessions cancelled", reason, cancelled), nil)
	return out, nil
}

// cancelClinicSession returns the consultation booked in a clinic slot to
// the coordinator queue and gives its units back.
func (s *Service) cancelClinicSession(ctx context.Context, p auth.Principal, sl *consultv1.Slot, reason string, now time.Time) error {
	var released *consultv1.Session
	var firmID string
	_, err := s.st.Consultations.Update(ctx, sl.GetConsultationId(), 0, now, func(c *consultv1.Consultation) error {
		released, firmID = nil, c.GetFirmId()
		cur := domain.CurrentSession(c)
		if c.GetStatus() != domain.Scheduled || cur == nil || cur.GetSlotId() != sl.GetId() {
			return errNoChange
		}
		cur.Status = consultv1.SessionStatus_SESSION_STATUS_CANCELLED
		released = cur
		c.ExpertId, c.ExpertName = "", ""
		c.QueueReason, c.QueueTime, c.PickupDeadlineTime = consultv1.QueueReason_QUEUE_REASON_SESSION_CANCELLED, ts(now), nil
		addHistory(c, p, domain.Requested, "坐诊取消："+reason, now)
		c.UpdateTime = ts(now)
		return nil
	})
	if err != nil {
		return err
	}
	if released != nil {
		return s.giveBackUnits(ctx, firmID, released, true, true)
	}
	return nil
}
