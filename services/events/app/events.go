package app

import (
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

// eventWritable are the fields UpdateEvent may change.
var eventWritable = []string{
	"kind", "title", "summary", "description", "organiser", "co_organisers", "district", "venue", "address",
	"start_time", "end_time", "sessions", "audience", "registration_mode", "approval_required",
	"registration_open_time", "registration_close_time", "capacity", "waitlist_enabled", "max_attendees_per_party",
	"association_quota", "association_quotas", "industries", "stages", "industry_belt_ids", "target_markets",
	"topics", "policy_ids", "booth_count", "certificate_min_sessions", "elite_recommendation_quota",
	"enquiry_contact",
}

var eventReadOnly = []string{
	"status", "cancel_reason", "publish_time", "confirmed_count", "pending_count", "waitlisted_count",
	"booths_granted", "sample", "create_time", "update_time",
}

// clearEventOutput drops the output-only fields a client sent.
func clearEventOutput(e *eventsv1.Event) {
	e.Id, e.Etag, e.Status, e.CancelReason, e.PublishTime = "", "", 0, "", nil
	e.ConfirmedCount, e.PendingCount, e.WaitlistedCount, e.BoothsGranted = 0, 0, 0, 0
	e.CreateTime, e.UpdateTime = nil, nil
}

// assignSessionIDs gives new sessions ids.
func assignSessionIDs(e *eventsv1.Event) {
	for _, s := range e.GetSessions() {
		if s.GetId() == "" {
			s.Id = ids.New()
		}
	}
}

// defaultSettings are a new matchmaking event's settings: firms may request
// buyers, platforms and service providers, never each other.
func (s *Service) defaultSettings(eventID string, sample bool) *eventsv1.MatchmakingSettings {
	firm := eventsv1.ParticipantRole_PARTICIPANT_ROLE_FIRM
	return &eventsv1.MatchmakingSettings{
		EventId: eventID,
		Rules: []*eventsv1.MeetingRule{
			{RequesterRole: firm, RecipientRole: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER},
			{RequesterRole: firm, RecipientRole: eventsv1.ParticipantRole_PARTICIPANT_ROLE_PLATFORM},
			{RequesterRole: firm, RecipientRole: eventsv1.ParticipantRole_PARTICIPANT_ROLE_SERVICE_PROVIDER},
		},
		RequestTtl:  durationpb.New(72 * time.Hour),
		MaxMeetings: int32(s.maxMeetings),
	}
}

// CreateEvent creates a draft event.
func (s *Service) CreateEvent(ctx context.Context, in *eventsv1.Event) (*eventsv1.Event, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	if in == nil {
		return nil, apperr.Invalid("event", "请提供活动内容")
	}
	e := clone(in)
	clearEventOutput(e)
	e.Sample = e.GetSample() && domain.MayMarkSample(p)
	if v := domain.ValidateEvent(e); v.Err() != nil {
		return nil, v
	}
	if p.Is(auth.RoleDistrictOfficer) && e.GetDistrict() != p.District {
		return nil, apperr.PermissionDenied("区县干部只能创建本区县的活动")
	}
	e.Status = domain.Draft
	assignSessionIDs(e)
	id := ids.New()
	if err := s.st.Ledger.Create(ctx, &adapters.Seats{EventID: id, Capacity: e.GetCapacity(), Waitlist: e.GetWaitlistEnabled(), BoothCount: e.GetBoothCount()}); err != nil {
		return nil, err
	}
	out, err := s.st.Events.Insert(ctx, id, e)
	if err != nil {
		return nil, err
	}
	if e.GetKind() == eventsv1.EventKind_EVENT_KIND_MATCHMAKING {
		if _, err := s.st.Settings.Insert(ctx, id, s.defaultSettings(id, e.GetSample())); err != nil {
			return nil, err
		}
	}
	s.record(ctx, "event.create", "event", id, out.GetEtag(), e.GetTitle())
	s.present(out, &adapters.Seats{})
	return out, nil
}

// GetEvent returns one event.
func (s *Service) GetEvent(ctx context.Context, id string) (*eventsv1.Event, error) {
	if id == "" {
		return nil, apperr.Invalid("id", "请提供活动id")
	}
	e, _, err := s.getEvent(ctx, auth.FromContext(ctx), id)
	return e, err
}

// EventFilter is ListEvents' filters.
type EventFilter struct {
	Kind          eventsv1.EventKind
	Status        eventsv1.EventStatus
	District      commonv1.District
	BeltID        string
	Industry      commonv1.Industry
	StartAfter    *timestamppb.Timestamp
	StartBefore   *timestamppb.Timestamp
	TitleContains string
	NewestFirst   bool
}

func (f EventFilter) key() string { return fmt.Sprintf("%+v", f) }

// ListEvents lists the events p may see.
func (s *Service) ListEvents(ctx context.Context, f EventFilter, size int32, token string) ([]*eventsv1.Event, string, int, error) {
	p := auth.FromContext(ctx)
	v := &apperr.ValidationError{}
	if utf8.RuneCountInString(f.TitleContains) > 50 {
		v.Add("title_contains", "搜索文字不超过50个字")
	}
	page, err := paging.Parse(size, token, f.key())
	if ve, ok := apperr.AsValidation(err); ok {
		v.Merge("", ve)
	}
	if v.Err() != nil {
		return nil, "", 0, v
	}
	now := s.now()
	var q bson.D
	draft := adapters.EnumName(domain.Draft)
	switch {
	case p.Is(auth.RoleBureauAdmin), p.Role == auth.RoleSystem:
	case p.Is(auth.RoleDistrictOfficer):
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: adapters.F("status"), Value: bson.D{{Key: "$ne", Value: draft}}}},
			bson.D{{Key: adapters.F("district"), Value: adapters.EnumName(p.District)}},
		}})
	default:
		q = append(q, bson.E{Key: adapters.F("status"), Value: bson.D{{Key: "$ne", Value: draft}}})
	}
	if f.Kind != 0 {
		q = append(q, bson.E{Key: adapters.F("kind"), Value: adapters.EnumName(f.Kind)})
	}
	if f.District != 0 {
		q = append(q, bson.E{Key: adapters.F("district"), Value: adapters.EnumName(f.District)})
	}
	if f.BeltID != "" {
		q = append(q, bson.E{Key: adapters.F("belts"), Value: f.BeltID})
	}
	if f.Industry != 0 {
		q = append(q, bson.E{Key: adapters.F("industries"), Value: adapters.EnumName(f.Industry)})
	}
	if f.StartAfter != nil {
		q = append(q, bson.E{Key: adapters.F("start"), Value: bson.D{{Key: "$gte", Value: f.StartAfter.AsTime()}}})
	}
	if f.StartBefore != nil {
		q = append(q, bson.E{Key: adapters.F("start"), Value: bson.D{{Key: "$lt", Value: f.StartBefore.AsTime()}}})
	}
	if f.TitleContains != "" {
		q = append(q, bson.E{Key: adapters.F("title"), Value: bson.Regex{Pattern: quoteMeta(f.TitleContains), Options: "i"}})
	}
	published := adapters.EnumName(domain.Published)
	switch f.Status {
	case 0:
	case domain.Draft, domain.Cancelled:
		q = append(q, bson.E{Key: adapters.F("status"), Value: adapters.EnumName(f.Status)})
	case domain.Published:
		q = append(q, bson.E{Key: adapters.F("status"), Value: published}, bson.E{Key: adapters.F("reg_close"), Value: bson.D{{Key: "$gt", Value: now}}})
	case domain.Closed:
		q = append(q, bson.E{Key: adapters.F("status"), Value: published},
			bson.E{Key: adapters.F("reg_close"), Value: bson.D{{Key: "$lte", Value: now}}},
			bson.E{Key: adapters.F("end"), Value: bson.D{{Key: "$gt", Value: now}}})
	case domain.Completed:
		q = append(q, bson.E{Key: adapters.F("status"), Value: published}, bson.E{Key: adapters.F("end"), Value: bson.D{{Key: "$lte", Value: now}}})
	default:
		return nil, "", 0, apperr.Invalid("status", "活动状态取值无效")
	}
	dir := 1
	if f.NewestFirst {
		dir = -1
	}
	list, total, err := s.st.Events.Find(ctx, adapters.Query{Filter: q, Sort: bson.D{{Key: adapters.F("start"), Value: dir}}}, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	idList := make([]string, len(list))
	for i, e := range list {
		idList[i] = e.GetId()
	}
	seats, err := s.st.Ledger.GetMany(ctx, idList)
	if err != nil {
		return nil, "", 0, err
	}
	for _, e := range list {
		s.present(e, seats[e.GetId()])
		e.Description = ""
	}
	return list, page.Next(len(list), total), total, nil
}

// UpdateEvent changes the fields named in paths.
func (s *Service) UpdateEvent(ctx context.Context, in *eventsv1.Event, paths []string) (*eventsv1.Event, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	if in == nil {
		return nil, apperr.Invalid("event", "请提供活动内容")
	}
	version, paths, err := updateMask("event", in.GetId(), in.GetEtag(), paths, eventWritable, eventReadOnly)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.organisedEvent(ctx, p, in.GetId()); err != nil {
		return nil, err
	}
	var oldCap int32
	var capChanged, ledgerChanged bool
	out, err := s.st.Events.Update(ctx, in.GetId(), version, func(e *eventsv1.Event) error {
		now := s.now()
		st := domain.EffectiveStatus(e, now)
		if st == domain.Cancelled || st == domain.Completed {
			return apperr.FailedPrecondition("活动已%s，不能修改", map[eventsv1.EventStatus]string{domain.Cancelled: "取消", domain.Completed: "结束"}[st])
		}
		oldKind, oldDistrict, oldSessions := e.GetKind(), e.GetDistrict(), e.GetSessions()
		oldCap = e.GetCapacity()
		fieldmask.Apply(e, in, paths)
		if e.GetStatus() != domain.Draft && (e.GetKind() != oldKind || e.GetDistrict() != oldDistrict) {
			return apperr.FailedPrecondition("活动发布后不能更改类型和区县")
		}
		if p.Is(auth.RoleDistrictOfficer) && e.GetDistrict() != p.District {
			return apperr.PermissionDenied("区县干部不能把活动移出本区县")
		}
		if v := domain.ValidateEvent(e); v.Err() != nil {
			return v
		}
		assignSessionIDs(e)
		for _, old := range oldSessions {
			if domain.SessionIndex(e, old.GetId()) >= 0 {
				continue
			}
			n, err := s.st.Registrations.Count(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{{Key: adapters.F("sessions"), Value: old.GetId()}}})
			if err != nil {
				return err
			}
			if n > 0 {
				return apperr.FailedPrecondition("课程“%s”已有%d人的出勤记录，不能删除", old.GetTitle(), n)
			}
		}
		capChanged = e.GetCapacity() != oldCap || slices.Contains(paths, "waitlist_enabled")
		boothsChanged := slices.Contains(paths, "booth_count")
		ledgerChanged = capChanged || boothsChanged
		if ledgerChanged {
			// The ledger decides: lowering capacity below the confirmed
			// count, or booths below those granted, fails there,
			// atomically with the registrations and approvals racing.
			if _, err := s.st.Ledger.Update(ctx, e.GetId(), func(l *adapters.Seats) error {
				if e.GetCapacity() > 0 && l.Confirmed > e.GetCapacity() {
					return apperr.FailedPrecondition("已有%d人报名成功，名额不能少于%d", l.Confirmed, l.Confirmed)
				}
				if l.BoothsGranted > e.GetBoothCount() {
					return apperr.FailedPrecondition("已分配%d个展位，展位数不能少于%d", l.BoothsGranted, l.BoothsGranted)
				}
				l.Capacity, l.Waitlist, l.BoothCount = e.GetCapacity(), e.GetWaitlistEnabled(), e.GetBoothCount()
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if ledgerChanged {
			// The ledger took the new limits but the event write failed:
			// put the old ones back.
			_, _ = s.st.Ledger.Update(context.WithoutCancel(ctx), in.GetId(), func(l *adapters.Seats) error {
				cur, _, gerr := s.st.Events.Get(ctx, in.GetId())
				if gerr == nil {
					l.Capacity, l.Waitlist, l.BoothCount = cur.GetCapacity(), cur.GetWaitlistEnabled(), cur.GetBoothCount()
				}
				return nil
			})
		}
		return nil, err
	}
	if capChanged {
		if err := s.promote(ctx, out.GetId()); err != nil {
			return nil, err
		}
	}
	s.record(ctx, "event.update", "event", out.GetId(), out.GetEtag(), fmt.Sprint(paths))
	return s.GetEvent(ctx, out.GetId())
}

// DeleteEvent soft-deletes a draft.
func (s *Service) DeleteEvent(ctx context.Context, id, etagText string) error {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return denied()
	}
	version, err := optionalEtag("etag", etagText)
	if err != nil {
		return err
	}
	if version == 0 {
		return apperr.Invalid("etag", "请提供读取时返回的etag，以免覆盖他人的修改")
	}
	if _, _, err := s.organisedEvent(ctx, p, id); err != nil {
		return err
	}
	if err := s.st.Events.Delete(ctx, id, version, func(e *eventsv1.Event) error {
		if e.GetStatus() != domain.Draft {
			return apperr.FailedPrecondition("只能删除草稿；已发布的活动请取消")
		}
		return nil
	}); err != nil {
		return err
	}
	s.record(ctx, "event.delete", "event", id, etagText, "")
	return nil
}

// transition applies a status change to an organised event.
func (s *Service) transition(ctx context.Context, id, etagText, action string, fn func(e *eventsv1.Event, now time.Time) error) (*eventsv1.Event, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	if id == "" {
		return nil, apperr.Invalid("id", "请提供活动id")
	}
	version, err := optionalEtag("etag", etagText)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.organisedEvent(ctx, p, id); err != nil {
		return nil, err
	}
	out, err := s.st.Events.Update(ctx, id, version, func(e *eventsv1.Event) error { return fn(e, s.now()) })
	if err != nil {
		return nil, err
	}
	s.record(ctx, action, "event", id, out.GetEtag(), "")
	return s.GetEvent(ctx, id)
}

// PublishEvent publishes a draft.
func (s *Service) PublishEvent(ctx context.Context, id, etagText string) (*eventsv1.Event, error) {
	return s.transition(ctx, id, etagText, "event.publish", func(e *eventsv1.Event, now time.Time) error {
		if e.GetStatus() != domain.Draft {
			return apperr.FailedPrecondition("只有草稿可以发布，当前状态为%s", statusLabel(domain.EffectiveStatus(e, now)))
		}
		if v := domain.ReadyToPublish(e, now); v.Err() != nil {
			return v
		}
		e.Status, e.PublishTime = domain.Published, timestamppb.New(now)
		return nil
	})
}

// CloseRegistration closes registration now.
func (s *Service) CloseRegistration(ctx context.Context, id, etagText string) (*eventsv1.Event, error) {
	return s.transition(ctx, id, etagText, "event.close_registration", func(e *eventsv1.Event, now time.Time) error {
		if st := domain.EffectiveStatus(e, now); st != domain.Published {
			return apperr.FailedPrecondition("只有报名中的活动可以截止报名，当前状态为%s", statusLabel(st))
		}
		e.RegistrationCloseTime = timestamppb.New(now)
		if o := e.GetRegistrationOpenTime(); o != nil && !o.AsTime().Before(now) {
			e.RegistrationOpenTime = timestamppb.New(now.Add(-time.Millisecond))
		}
		return nil
	})
}

// CancelEvent cancels an event that has not ended.
func (s *Service) CancelEvent(ctx context.Context, id, reason, etagText string) (*eventsv1.Event, error) {
	if n := utf8.RuneCountInString(reason); n == 0 || n > 200 {
		return nil, apperr.Invalid("reason", "请填写取消原因（不超过200个字），会告知报名者")
	}
	return s.transition(ctx, id, etagText, "event.cancel", func(e *eventsv1.Event, now time.Time) error {
		switch st := domain.EffectiveStatus(e, now); st {
		case domain.Completed, domain.Cancelled:
			return apperr.FailedPrecondition("活动已%s，不能取消", statusLabel(st))
		}
		e.Status, e.CancelReason = domain.Cancelled, reason
		return nil
	})
}

func statusLabel(st eventsv1.EventStatus) string {
	return map[eventsv1.EventStatus]string{
		domain.Draft: "草稿", domain.Published: "已发布", domain.Closed: "报名截止", domain.Completed: "已结束", domain.Cancelled: "已取消",
	}[st]
}

// quoteMeta escapes a literal for a regular expression.
func quoteMeta(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if slices.Contains([]rune(`\.+*?()|[]{}^$`), r) {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
