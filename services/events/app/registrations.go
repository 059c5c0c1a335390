package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

// partyKey names the firm or association a registration is for in the
// ledger.
func partyKey(r *eventsv1.Registration) string {
	if r.GetFirmId() != "" {
		return "f:" + r.GetFirmId()
	}
	return "a:" + r.GetAssociationId()
}

// quotaHolder is the association whose quota a registration counts
// against: the nominating association, or the association itself for its
// own delegates.
func quotaHolder(r *eventsv1.Registration) string {
	if r.GetNominatingAssociationId() != "" {
		return r.GetNominatingAssociationId()
	}
	return r.GetAssociationId()
}

// reserve takes a place for r in the event's ledger in one conditional
// update: PENDING_APPROVAL when pending, else a seat (CONFIRMED), else a
// place on the waiting list, else RESOURCE_EXHAUSTED. Party and quota limits
// are checked in the same update (limits=false skips them for organisers).
func (s *Service) reserve(ctx context.Context, e *eventsv1.Event, r *eventsv1.Registration, pending, limits bool) (eventsv1.RegistrationStatus, int64, error) {
	var st eventsv1.RegistrationStatus
	var seq int64
	holder := quotaHolder(r)
	quota, hasQuota := domain.AssociationQuota(e, holder)
	_, err := s.st.Ledger.Update(ctx, e.GetId(), func(l *adapters.Seats) error {
		pk := partyKey(r)
		if limits {
			if m := e.GetMaxAttendeesPerParty(); m > 0 && l.Parties[pk] >= m {
				return apperr.ResourceExhausted("每家单位最多报名%d人，已报%d人", m, l.Parties[pk])
			}
			if holder != "" && hasQuota && l.Assocs[holder] >= quota {
				return apperr.ResourceExhausted("协会名额已用完（名额%d，已用%d）", quota, l.Assocs[holder])
			}
		}
		switch {
		case pending:
			st = domain.RegPending
			l.Pending++
		case !l.Full():
			st = domain.RegConfirmed
			l.Confirmed++
		case l.Waitlist:
			st = domain.RegWaitlisted
			l.Seq++
			seq = l.Seq
			l.Waitlisted++
		default:
			return apperr.ResourceExhausted("名额已满（%d人），且本活动不设候补", l.Capacity)
		}
		l.Parties[pk]++
		if holder != "" {
			l.Assocs[holder]++
		}
		return nil
	})
	return st, seq, err
}

// release gives back what a registration in status st held.
func (s *Service) release(ctx context.Context, eventID string, r *eventsv1.Registration, st eventsv1.RegistrationStatus) error {
	_, err := s.st.Ledger.Update(context.WithoutCancel(ctx), eventID, func(l *adapters.Seats) error {
		switch st {
		case domain.RegPending:
			l.Pending--
		case domain.RegConfirmed:
			l.Confirmed--
		case domain.RegWaitlisted:
			l.Waitlisted--
		default:
			return nil
		}
		if pk := partyKey(r); l.Parties[pk] > 1 {
			l.Parties[pk]--
		} else {
			delete(l.Parties, pk)
		}
		if h := quotaHolder(r); h != "" {
			if l.Assocs[h] > 1 {
				l.Assocs[h]--
			} else {
				delete(l.Assocs, h)
			}
		}
		if r.GetEliteRecommended() && st == domain.RegConfirmed {
			l.Elite--
		}
		return nil
	})
	return err
}

// confirm marks r CONFIRMED with a fresh check-in code.
func (s *Service) confirm(r *eventsv1.Registration) {
	r.Status = domain.RegConfirmed
	r.WaitlistPosition = 0
	if r.GetCheckInCode() == "" {
		r.CheckInCode = domain.NewCheckInCode()
	}
	r.ConfirmTime = timestamppb.New(s.now())
}

// promote gives free seats to the waiting list, first come first served. Each
// seat is claimed in the ledger first (waitlisted-1, confirmed+1), then given
// to the oldest wait-listed registration by a conditional update; a claim
// with nobody left to promote is given back.
func (s *Service) promote(ctx context.Context, eventID string) error {
	ctx = context.WithoutCancel(ctx)
	for range 10_000 {
		claimed := false
		if _, err := s.st.Ledger.Update(ctx, eventID, func(l *adapters.Seats) error {
			claimed = false
			if l.Waitlisted > 0 && !l.Full() {
				l.Waitlisted--
				l.Confirmed++
				claimed = true
			}
			return nil
		}); err != nil {
			return err
		}
		if !claimed {
			return nil
		}
		promoted, err := s.promoteOne(ctx, eventID)
		if err != nil || !promoted {
			if _, uerr := s.st.Ledger.Update(ctx, eventID, func(l *adapters.Seats) error {
				l.Waitlisted++
				l.Confirmed--
				return nil
			}); uerr != nil {
				return errors.Join(err, uerr)
			}
			return err
		}
	}
	return nil
}

func (s *Service) promoteOne(ctx context.Context, eventID string) (bool, error) {
	for range 100 {
		list, _, err := s.st.Registrations.Find(ctx, adapters.Query{
			EventID: eventID,
			Filter:  bson.D{{Key: adapters.F("status"), Value: adapters.EnumName(domain.RegWaitlisted)}},
			Sort:    bson.D{{Key: adapters.F("seq"), Value: 1}},
		}, 0, 5)
		if err != nil {
			return false, err
		}
		if len(list) == 0 {
			return false, nil
		}
		for _, r := range list {
			version, err := versionOf(r.GetEtag())
			if err != nil {
				return false, err
			}
			_, err = s.st.Registrations.Update(ctx, r.GetId(), version, func(r *eventsv1.Registration) error {
				if r.GetStatus() != domain.RegWaitlisted {
					return apperr.FailedPrecondition("no longer waiting")
				}
				s.confirm(r)
				return nil
			})
			if err == nil {
				s.audit.Append(ctx, auth.System(), auditRecord("registration.promote", "registration", r.GetId(), version+1, "候补转正"))
				return true, nil
			}
			if !apperr.IsKind(err, apperr.KindConflict) && !apperr.IsKind(err, apperr.KindFailedPrecondition) && !apperr.IsKind(err, apperr.KindNotFound) {
				return false, err
			}
		}
	}
	return false, nil
}

// CreateRegistration registers one attendee.
func (s *Service) CreateRegistration(ctx context.Context, eventID string, in *eventsv1.Registration) (*eventsv1.Registration, error) {
	return s.createRegistration(ctx, eventID, in, false)
}

// CreateNomination lets an association nominate a member firm or its own
// delegate.
func (s *Service) CreateNomination(ctx context.Context, eventID string, in *eventsv1.Registration) (*eventsv1.Registration, error) {
	return s.createRegistration(ctx, eventID, in, true)
}

func (s *Service) createRegistration(ctx context.Context, eventID string, in *eventsv1.Registration, nomination bool) (*eventsv1.Registration, error) {
	p := auth.FromContext(ctx)
	if in == nil {
		return nil, apperr.Invalid("registration", "请提供报名信息")
	}
	r := &eventsv1.Registration{
		FirmId: in.GetFirmId(), AssociationId: in.GetAssociationId(), Attendee: clone(in.GetAttendee()), Note: in.GetNote(),
		Sample: in.GetSample() && domain.MayMarkSample(p),
	}
	if nomination {
		r.NominatingAssociationId = in.GetNominatingAssociationId()
	}
	organiserRole := domain.MayOrganise(p)
	// Who may act at all, before any lookup.
	switch {
	case organiserRole:
	case nomination && p.Is(auth.RoleAssociationAdmin):
		if r.NominatingAssociationId == "" {
			r.NominatingAssociationId = p.AssociationID
		}
		if r.NominatingAssociationId != p.AssociationID {
			return nil, apperr.PermissionDenied("只能以本协会名义推荐")
		}
	case !nomination && p.Is(auth.RoleFirmUser):
		if r.FirmId == "" && r.AssociationId == "" {
			r.FirmId = p.FirmID
		}
		if r.FirmId != p.FirmID || r.AssociationId != "" {
			return nil, apperr.PermissionDenied("企业用户只能为本企业报名")
		}
	case !nomination && p.Is(auth.RoleAssociationAdmin):
		if r.FirmId == "" && r.AssociationId == "" {
			r.AssociationId = p.AssociationID
		}
		if r.FirmId != "" {
			return nil, apperr.PermissionDenied("会员企业请通过协会推荐（nominations）报名")
		}
		if r.AssociationId != p.AssociationID {
			return nil, apperr.PermissionDenied("只能为本协会的工作人员报名")
		}
	default:
		return nil, denied()
	}
	v := &apperr.ValidationError{}
	if (r.FirmId == "") == (r.AssociationId == "") {
		v.Add("registration.firm_id", "请在firm_id和association_id中填写且只填写一个")
	}
	if nomination && r.NominatingAssociationId == "" {
		v.Add("registration.nominating_association_id", "请填写推荐协会")
	}
	if nomination && r.AssociationId != "" && r.AssociationId != r.NominatingAssociationId {
		v.Add("registration.association_id", "协会只能推荐本协会的代表（association_id须为推荐协会）")
	}
	v.Merge("", domain.ValidateAttendee(r.Attendee))
	if n := utf8.RuneCountInString(r.Note); n > 500 {
		v.Add("registration.note", "备注不超过500个字，当前%d个字", n)
	}
	if v.Err() != nil {
		return nil, v
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	isOrganiser := domain.IsOrganiser(p, e)
	if organiserRole && !isOrganiser && !(nomination && p.Is(auth.RoleAssociationAdmin)) {
		return nil, apperr.PermissionDenied("只有活动的主办方可以代为报名")
	}
	now := s.now()
	st := domain.EffectiveStatus(e, now)
	switch {
	case st == domain.Cancelled:
		return nil, apperr.FailedPrecondition("活动已取消：%s", e.GetCancelReason())
	case st == domain.Draft:
		return nil, apperr.FailedPrecondition("活动尚未发布，不能报名")
	case st == domain.Completed:
		return nil, apperr.FailedPrecondition("活动已结束，不能报名")
	}
	if !domain.AcceptsParty(e, r.FirmId != "") {
		return nil, apperr.FailedPrecondition("本活动的参加对象为%s", labelAudience(e.GetAudience()))
	}
	if !isOrganiser {
		if !domain.InWindow(e, now) {
			return nil, apperr.FailedPrecondition("不在报名时间内（%s至%s）", fmtTime(domain.RegistrationOpen(e)), fmtTime(domain.RegistrationClose(e)))
		}
		mode := e.GetRegistrationMode()
		switch {
		case mode == eventsv1.RegistrationMode_REGISTRATION_MODE_INVITATION:
			return nil, apperr.FailedPrecondition("本活动为定向邀请，由主办方添加参会人")
		case !nomination && mode != eventsv1.RegistrationMode_REGISTRATION_MODE_OPEN:
			return nil, apperr.FailedPrecondition("本活动只接受协会推荐报名")
		}
	}
	// The party must exist (and, for a nomination of a firm, be a member of
	// the nominating association), read with the caller's rights.
	if r.FirmId != "" {
		f, err := s.profiles.GetFirm(ctx, r.FirmId)
		if err != nil {
			if nomination && apperr.IsKind(profileErr(err, "", ""), apperr.KindNotFound) {
				return nil, apperr.FailedPrecondition("企业%s不是推荐协会的会员企业", r.FirmId)
			}
			return nil, profileErr(err, "企业", r.FirmId)
		}
		r.PartyName = f.GetName()
		if nomination && !slices.ContainsFunc(f.GetMemberships(), func(m *profilesv1.Membership) bool {
			return m.GetAssociationId() == r.NominatingAssociationId
		}) {
			return nil, apperr.FailedPrecondition("企业“%s”不是推荐协会的会员企业", f.GetName())
		}
	} else {
		a, err := s.profiles.GetAssociation(ctx, r.AssociationId)
		if err != nil {
			return nil, profileErr(err, "协会", r.AssociationId)
		}
		r.PartyName = a.GetName()
	}
	r.EventId = e.GetId()
	switch {
	case nomination:
		r.Source = eventsv1.RegistrationSource_REGISTRATION_SOURCE_NOMINATION
	case isOrganiser:
		r.Source = eventsv1.RegistrationSource_REGISTRATION_SOURCE_ORGANISER
	default:
		r.Source = eventsv1.RegistrationSource_REGISTRATION_SOURCE_SELF
	}
	if n, err := s.st.Registrations.Count(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{
		{Key: "ukey", Value: "reg|" + e.GetId() + "|" + r.GetAttendee().GetPhone()},
	}}); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, duplicateAttendee(r)
	}
	pending := nomination || (r.Source == eventsv1.RegistrationSource_REGISTRATION_SOURCE_SELF && e.GetApprovalRequired())
	status, seq, err := s.reserve(ctx, e, r, pending, !isOrganiser)
	if err != nil {
		return nil, err
	}
	r.Status = status
	if status == domain.RegConfirmed {
		s.confirm(r)
	}
	r.WaitlistPosition = int32(seq)
	out, err := s.st.Registrations.Insert(ctx, "", r)
	if err != nil {
		// Give the place back: the registration was not stored.
		if rerr := s.release(ctx, e.GetId(), r, status); rerr != nil {
			s.logger.ErrorContext(ctx, "registration: release after failed insert", "event", e.GetId(), "error", rerr)
		}
		if errors.Is(err, adapters.ErrDuplicate) {
			return nil, duplicateAttendee(r)
		}
		return nil, err
	}
	action := "registration.create"
	if nomination {
		action = "registration.nominate"
	}
	s.record(ctx, action, "registration", out.GetId(), out.GetEtag(), fmt.Sprintf("%s %s", e.GetId(), labelRegStatus(status)))
	return s.presentOne(ctx, out)
}

func duplicateAttendee(r *eventsv1.Registration) error {
	return apperr.AlreadyExists("手机号%s已报名本活动", contact.MaskPhone(r.GetAttendee().GetPhone()))
}

func versionOf(etagText string) (int64, error) { return optionalEtag("etag", etagText) }

// presentOne masks and positions one registration for its reader.
func (s *Service) presentOne(ctx context.Context, r *eventsv1.Registration) (*eventsv1.Registration, error) {
	list := []*eventsv1.Registration{r}
	if err := s.presentRegs(ctx, r.GetEventId(), list); err != nil {
		return nil, err
	}
	return list[0], nil
}

// presentRegs masks attendees and turns stored waiting numbers into
// positions.
func (s *Service) presentRegs(ctx context.Context, eventID string, list []*eventsv1.Registration) error {
	var queues = map[string][]int64{}
	for _, r := range list {
		r.Attendee = domain.MaskContact(r.GetAttendee())
		if r.GetStatus() != domain.RegWaitlisted {
			r.WaitlistPosition = 0
			continue
		}
		q, ok := queues[r.GetEventId()]
		if !ok {
			all, err := s.st.Registrations.All(ctx, adapters.Query{EventID: r.GetEventId(), Filter: bson.D{
				{Key: adapters.F("status"), Value: adapters.EnumName(domain.RegWaitlisted)},
			}})
			if err != nil {
				return err
			}
			for _, w := range all {
				q = append(q, int64(w.GetWaitlistPosition()))
			}
			slices.Sort(q)
			queues[r.GetEventId()] = q
		}
		pos, _ := slices.BinarySearch(q, int64(r.GetWaitlistPosition()))
		r.WaitlistPosition = int32(pos + 1)
	}
	return nil
}

// readableRegistration reads a registration p may see: the registrant and
// the event's organisers; NOT_FOUND for everyone else.
func (s *Service) readableRegistration(ctx context.Context, p auth.Principal, eventID, id string) (*eventsv1.Event, *eventsv1.Registration, int64, error) {
	if id == "" {
		return nil, nil, 0, apperr.Invalid("registration_id", "请提供报名id")
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, nil, 0, err
	}
	r, v, err := s.st.Registrations.Get(ctx, id)
	if err != nil {
		return nil, nil, 0, err
	}
	if r.GetEventId() != e.GetId() || !(domain.IsOrganiser(p, e) || domain.IsRegistrant(p, r)) {
		return nil, nil, 0, apperr.NotFound("报名记录%s不存在", id)
	}
	return e, r, v, nil
}

// GetRegistration returns one registration.
func (s *Service) GetRegistration(ctx context.Context, eventID, id string) (*eventsv1.Registration, error) {
	_, r, _, err := s.readableRegistration(ctx, auth.FromContext(ctx), eventID, id)
	if err != nil {
		return nil, err
	}
	return s.presentOne(ctx, r)
}

// RegistrationFilter is ListRegistrations' and ExportRegistrations' filters.
type RegistrationFilter struct {
	EventID                 string
	Status                  eventsv1.RegistrationStatus
	Source                  eventsv1.RegistrationSource
	FirmID                  string
	AssociationID           string
	NominatingAssociationID string
	CheckedIn               *bool
	AttendedSessionID       string
	NameContains            string
}

func (f RegistrationFilter) key() string {
	ci := "-"
	if f.CheckedIn != nil {
		ci = fmt.Sprint(*f.CheckedIn)
	}
	return fmt.Sprintf("%s|%v|%v|%s|%s|%s|%s|%s|%s", f.EventID, f.Status, f.Source, f.FirmID, f.AssociationID, f.NominatingAssociationID, ci, f.AttendedSessionID, f.NameContains)
}

// registrationQuery builds the store query of f as p may see it.
func (s *Service) registrationQuery(ctx context.Context, p auth.Principal, f RegistrationFilter) (adapters.Query, error) {
	var q bson.D
	var organiser bool
	if f.EventID != "-" {
		e, _, err := s.getEvent(ctx, p, f.EventID)
		if err != nil {
			return adapters.Query{}, err
		}
		organiser = domain.IsOrganiser(p, e)
	} else {
		switch {
		case p.Is(auth.RoleBureauAdmin), p.Role == auth.RoleSystem:
			organiser = true
		case p.Is(auth.RoleDistrictOfficer):
			evs, err := s.st.Events.All(ctx, adapters.Query{Filter: bson.D{{Key: adapters.F("district"), Value: adapters.EnumName(p.District)}}})
			if err != nil {
				return adapters.Query{}, err
			}
			idList := make([]string, 0, len(evs))
			for _, e := range evs {
				idList = append(idList, e.GetId())
			}
			q = append(q, bson.E{Key: "event_id", Value: bson.D{{Key: "$in", Value: idList}}})
			organiser = true
		}
	}
	if !organiser {
		switch {
		case p.Is(auth.RoleFirmUser):
			q = append(q, bson.E{Key: adapters.F("firm_id"), Value: p.FirmID})
		case p.Is(auth.RoleAssociationAdmin):
			q = append(q, bson.E{Key: "$or", Value: bson.A{
				bson.D{{Key: adapters.F("association_id"), Value: p.AssociationID}},
				bson.D{{Key: adapters.F("nominating"), Value: p.AssociationID}},
			}})
		default:
			q = append(q, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{}}}})
		}
	}
	if f.Status != 0 {
		q = append(q, bson.E{Key: adapters.F("status"), Value: adapters.EnumName(f.Status)})
	}
	if f.Source != 0 {
		q = append(q, bson.E{Key: adapters.F("source"), Value: adapters.EnumName(f.Source)})
	}
	if f.FirmID != "" {
		q = append(q, bson.E{Key: adapters.F("firm_id"), Value: f.FirmID})
	}
	if f.AssociationID != "" {
		q = append(q, bson.E{Key: adapters.F("association_id"), Value: f.AssociationID})
	}
	if f.NominatingAssociationID != "" {
		q = append(q, bson.E{Key: adapters.F("nominating"), Value: f.NominatingAssociationID})
	}
	if f.CheckedIn != nil {
		q = append(q, bson.E{Key: adapters.F("checked_in"), Value: *f.CheckedIn})
	}
	if f.AttendedSessionID != "" {
		q = append(q, bson.E{Key: adapters.F("sessions"), Value: f.AttendedSessionID})
	}
	if f.NameContains != "" {
		q = append(q, bson.E{Key: adapters.F("name"), Value: bson.Regex{Pattern: quoteMeta(f.NameContains), Options: "i"}})
	}
	ev := f.EventID
	if ev == "-" {
		ev = ""
	}
	return adapters.Query{EventID: ev, Filter: q, Sort: bson.D{{Key: "create_time", Value: 1}}}, nil
}

// ListRegistrations lists registrations p may see.
func (s *Service) ListRegistrations(ctx context.Context, f RegistrationFilter, size int32, token string) ([]*eventsv1.Registration, string, int, error) {
	p := auth.FromContext(ctx)
	if f.EventID == "" {
		return nil, "", 0, apperr.Invalid("event_id", "请提供活动id，或用“-”查询全部活动")
	}
	if utf8.RuneCountInString(f.NameContains) > 50 {
		return nil, "", 0, apperr.Invalid("name_contains", "搜索文字不超过50个字")
	}
	page, err := paging.Parse(size, token, f.key())
	if err != nil {
		return nil, "", 0, err
	}
	q, err := s.registrationQuery(ctx, p, f)
	if err != nil {
		return nil, "", 0, err
	}
	list, total, err := s.st.Registrations.Find(ctx, q, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	if err := s.presentRegs(ctx, f.EventID, list); err != nil {
		return nil, "", 0, err
	}
	return list, page.Next(len(list), total), total, nil
}

// UpdateRegistration changes attendee, note or elite_recommended.
func (s *Service) UpdateRegistration(ctx context.Context, in *eventsv1.Registration, paths []string) (*eventsv1.Registration, error) {
	p := auth.FromContext(ctx)
	if in == nil {
		return nil, apperr.Invalid("registration", "请提供报名信息")
	}
	version, paths, err := updateMask("registration", in.GetId(), in.GetEtag(), paths,
		[]string{"attendee", "note", "elite_recommended"},
		[]string{"event_id", "firm_id", "association_id", "party_name", "nominating_association_id", "source", "status",
			"waitlist_position", "check_in_code", "check_in_time", "attendance", "status_reason", "confirm_time", "certificate_id", "sample"})
	if err != nil {
		return nil, err
	}
	e, cur, _, err := s.readableRegistration(ctx, p, in.GetEventId(), in.GetId())
	if err != nil {
		return nil, err
	}
	organiser := domain.IsOrganiser(p, e)
	now := s.now()
	st := domain.EffectiveStatus(e, now)
	if !organiser {
		if slices.Contains(paths, "elite_recommended") {
			return nil, apperr.PermissionDenied("只有主办方可以推荐精英人才")
		}
		if st != domain.Published || !now.Before(domain.RegistrationClose(e)) {
			return nil, apperr.FailedPrecondition("报名已截止，不能修改报名信息")
		}
	} else if st == domain.Completed || st == domain.Cancelled {
		return nil, apperr.FailedPrecondition("活动已%s，不能修改报名信息", statusLabel(st))
	}
	if slices.Contains(paths, "attendee") {
		a := clone(in.GetAttendee())
		if a != nil && contact.IsMaskedPhone(a.GetPhone()) {
			a.Phone = cur.GetAttendee().GetPhone()
		}
		if a != nil && contact.IsMaskedEmail(a.GetEmail()) {
			a.Email = cur.GetAttendee().GetEmail()
		}
		if v := domain.ValidateAttendee(a); v.Err() != nil {
			return nil, v
		}
		in = clone(in)
		in.Attendee = a
	}
	if n := utf8.RuneCountInString(in.GetNote()); n > 500 {
		return nil, apperr.Invalid("registration.note", "备注不超过500个字，当前%d个字", n)
	}
	eliteDelta := int32(0)
	if slices.Contains(paths, "elite_recommended") && in.GetEliteRecommended() != cur.GetEliteRecommended() {
		if e.GetKind() != eventsv1.EventKind_EVENT_KIND_TRAINING || cur.GetStatus() != domain.RegConfirmed {
			return nil, apperr.FailedPrecondition("只能推荐培训中报名成功的学员")
		}
		eliteDelta = 1
		if !in.GetEliteRecommended() {
			eliteDelta = -1
		}
		if _, err := s.st.Ledger.Update(ctx, e.GetId(), func(l *adapters.Seats) error {
			if eliteDelta > 0 && l.Elite >= e.GetEliteRecommendationQuota() {
				return apperr.ResourceExhausted("精英人才推荐名额已用完（%d个）", e.GetEliteRecommendationQuota())
			}
			l.Elite += eliteDelta
			return nil
		}); err != nil {
			return nil, err
		}
	}
	out, err := s.st.Registrations.Update(ctx, in.GetId(), version, func(r *eventsv1.Registration) error {
		fieldmask.Apply(r, in, paths)
		return nil
	})
	if err != nil {
		if eliteDelta != 0 {
			_, _ = s.st.Ledger.Update(context.WithoutCancel(ctx), e.GetId(), func(l *adapters.Seats) error { l.Elite -= eliteDelta; return nil })
		}
		if errors.Is(err, adapters.ErrDuplicate) {
			return nil, duplicateAttendee(in)
		}
		return nil, err
	}
	s.record(ctx, "registration.update", "registration", out.GetId(), out.GetEtag(), fmt.Sprint(paths))
	return s.presentOne(ctx, out)
}

// DeleteRegistration cancels a registration and gives its seat to the
// waiting list.
func (s *Service) DeleteRegistration(ctx context.Context, eventID, id, etagText, reason string) (*eventsv1.Registration, error) {
	p := auth.FromContext(ctx)
	version, err := optionalEtag("etag", etagText)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(reason) > 200 {
		return nil, apperr.Invalid("reason", "原因不超过200个字")
	}
	e, _, _, err := s.readableRegistration(ctx, p, eventID, id)
	if err != nil {
		return nil, err
	}
	organiser := domain.IsOrganiser(p, e)
	now := s.now()
	limit, what := e.GetStartTime().AsTime(), "开始"
	if organiser {
		limit, what = e.GetEndTime().AsTime(), "结束"
	}
	if !now.Before(limit) {
		return nil, apperr.FailedPrecondition("活动已%s，不能取消报名", what)
	}
	var old eventsv1.RegistrationStatus
	out, err := s.st.Registrations.Update(ctx, id, version, func(r *eventsv1.Registration) error {
		old = r.GetStatus()
		if old == domain.RegCancelled || old == domain.RegDeclined {
			return apperr.FailedPrecondition("报名已%s", labelRegStatus(old))
		}
		r.Status = domain.RegCancelled
		if organiser {
			r.StatusReason = reason
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.release(ctx, e.GetId(), out, old); err != nil {
		return nil, err
	}
	if old == domain.RegConfirmed {
		if err := s.promote(ctx, e.GetId()); err != nil {
			s.logger.ErrorContext(ctx, "registration: promote after cancel", "event", e.GetId(), "error", err)
		}
	}
	s.record(ctx, "registration.cancel", "registration", id, out.GetEtag(), reason)
	return s.presentOne(ctx, out)
}

// ApproveRegistration approves a pending registration.
func (s *Service) ApproveRegistration(ctx context.Context, eventID, id, etagText string) (*eventsv1.Registration, error) {
	p := auth.FromContext(ctx)
	version, err := optionalEtag("etag", etagText)
	if err != nil {
		return nil, err
	}
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	e, r, cur, err := s.organisedRegistration(ctx, p, eventID, id)
	if err != nil {
		return nil, err
	}
	if version > 0 && version != cur {
		return nil, apperr.Conflict("报名记录已被他人修改，请刷新后重试")
	}
	if r.GetStatus() != domain.RegPending {
		return nil, apperr.FailedPrecondition("只能审核待审核的报名，当前为%s", labelRegStatus(r.GetStatus()))
	}
	if st := domain.EffectiveStatus(e, s.now()); st == domain.Cancelled || st == domain.Completed {
		return nil, apperr.FailedPrecondition("活动已%s", statusLabel(st))
	}
	var next eventsv1.RegistrationStatus
	var seq int64
	if _, err := s.st.Ledger.Update(ctx, e.GetId(), func(l *adapters.Seats) error {
		switch {
		case !l.Full():
			next = domain.RegConfirmed
			l.Confirmed++
		case l.Waitlist:
			next = domain.RegWaitlisted
			l.Seq++
			seq = l.Seq
			l.Waitlisted++
		default:
			return apperr.ResourceExhausted("名额已满（%d人），且本活动不设候补", l.Capacity)
		}
		l.Pending--
		return nil
	}); err != nil {
		return nil, err
	}
	out, err := s.st.Registrations.Update(ctx, id, cur, func(r *eventsv1.Registration) error {
		if r.GetStatus() != domain.RegPending {
			return apperr.FailedPrecondition("报名状态已变为%s", labelRegStatus(r.GetStatus()))
		}
		if next == domain.RegConfirmed {
			s.confirm(r)
		} else {
			r.Status, r.WaitlistPosition = next, int32(seq)
		}
		return nil
	})
	if err != nil {
		_, _ = s.st.Ledger.Update(context.WithoutCancel(ctx), e.GetId(), func(l *adapters.Seats) error {
			l.Pending++
			if next == domain.RegConfirmed {
				l.Confirmed--
			} else {
				l.Waitlisted--
			}
			return nil
		})
		return nil, err
	}
	s.record(ctx, "registration.approve", "registration", id, out.GetEtag(), labelRegStatus(next))
	return s.presentOne(ctx, out)
}

// organisedRegistration reads a registration of an event p organises.
func (s *Service) organisedRegistration(ctx context.Context, p auth.Principal, eventID, id string) (*eventsv1.Event, *eventsv1.Registration, int64, error) {
	e, r, v, err := s.readableRegistration(ctx, p, eventID, id)
	if err != nil {
		return nil, nil, 0, err
	}
	if !domain.IsOrganiser(p, e) {
		return nil, nil, 0, apperr.PermissionDenied("只有活动的主办方可以执行此操作")
	}
	return e, r, v, nil
}

// DeclineRegistration declines a pending registration.
func (s *Service) DeclineRegistration(ctx context.Context, eventID, id, reason, etagText string) (*eventsv1.Registration, error) {
	p := auth.FromContext(ctx)
	version, err := optionalEtag("etag", etagText)
	if err != nil {
		return nil, err
	}
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	if n := utf8.RuneCountInString(reason); n == 0 || n > 200 {
		return nil, apperr.Invalid("reason", "请填写未通过的原因（不超过200个字）")
	}
	e, _, _, err := s.organisedRegistration(ctx, p, eventID, id)
	if err != nil {
		return nil, err
	}
	out, err := s.st.Registrations.Update(ctx, id, version, func(r *eventsv1.Registration) error {
		if r.GetStatus() != domain.RegPending {
			return apperr.FailedPrecondition("只能审核待审核的报名，当前为%s", labelRegStatus(r.GetStatus()))
		}
		r.Status, r.StatusReason = domain.RegDeclined, reason
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.release(ctx, e.GetId(), out, domain.RegPending); err != nil {
		return nil, err
	}
	s.record(ctx, "registration.decline", "registration", id, out.GetEtag(), reason)
	return s.presentOne(ctx, out)
}

// ListWaitlist lists the waiting list in promotion order.
func (s *Service) ListWaitlist(ctx context.Context, eventID string, size int32, token string) ([]*eventsv1.Registration, string, int, *int32, error) {
	p := auth.FromContext(ctx)
	page, err := paging.Parse(size, token, "waitlist|"+eventID)
	if err != nil {
		return nil, "", 0, nil, err
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, "", 0, nil, err
	}
	if !domain.IsOrganiser(p, e) && !p.Is(auth.RoleFirmUser) && !p.Is(auth.RoleAssociationAdmin) {
		return nil, "", 0, nil, denied()
	}
	q, err := s.registrationQuery(ctx, p, RegistrationFilter{EventID: eventID, Status: domain.RegWaitlisted})
	if err != nil {
		return nil, "", 0, nil, err
	}
	q.Sort = bson.D{{Key: adapters.F("seq"), Value: 1}}
	list, total, err := s.st.Registrations.Find(ctx, q, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, nil, err
	}
	if err := s.presentRegs(ctx, eventID, list); err != nil {
		return nil, "", 0, nil, err
	}
	var left *int32
	if e.GetCapacity() > 0 {
		n := max(e.GetCapacity()-e.GetConfirmedCount(), 0)
		left = &n
	}
	return list, page.Next(len(list), total), total, left, nil
}

// ListAssociationQuotas shows quota use per association.
func (s *Service) ListAssociationQuotas(ctx context.Context, eventID, associationID string, size int32, token string) ([]*eventsv1.AssociationQuota, string, int, error) {
	p := auth.FromContext(ctx)
	page, err := paging.Parse(size, token, "quotas|"+eventID+"|"+associationID)
	if err != nil {
		return nil, "", 0, err
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, "", 0, err
	}
	organiser := domain.IsOrganiser(p, e)
	switch {
	case organiser:
	case p.Is(auth.RoleAssociationAdmin):
		if associationID != "" && associationID != p.AssociationID {
			return nil, "", 0, apperr.PermissionDenied("只能查看本协会的名额")
		}
		associationID = p.AssociationID
	default:
		return nil, "", 0, denied()
	}
	seats, err := s.st.Ledger.Get(ctx, e.GetId())
	if err != nil {
		return nil, "", 0, err
	}
	set := map[string]bool{}
	if associationID != "" {
		set[associationID] = true
	} else {
		for _, q := range e.GetAssociationQuotas() {
			set[q.GetAssociationId()] = true
		}
		for a, n := range seats.Assocs {
			if n > 0 {
				set[a] = true
			}
		}
	}
	out := make([]*eventsv1.AssociationQuota, 0, len(set))
	for a := range set {
		q := &eventsv1.AssociationQuota{AssociationId: a, Used: seats.Assocs[a]}
		if n, ok := domain.AssociationQuota(e, a); ok {
			q.Quota = &n
		}
		if as, err := s.profiles.GetAssociation(ctx, a); err == nil {
			q.AssociationName = as.GetName()
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].GetAssociationName() != out[j].GetAssociationName() {
			return out[i].GetAssociationName() < out[j].GetAssociationName()
		}
		return out[i].GetAssociationId() < out[j].GetAssociationId()
	})
	total := len(out)
	end := min(page.Offset+page.Size, total)
	if page.Offset >= total {
		return nil, "", total, nil
	}
	pageList := out[page.Offset:end]
	return pageList, page.Next(len(pageList), total), total, nil
}

// checkInEarly is how long before the start doors open for check-in.
const checkInEarly = 2 * time.Hour

// CheckInRegistration records an arrival or a session's attendance.
func (s *Service) CheckInRegistration(ctx context.Context, eventID, id, code, sessionID string) (*eventsv1.Registration, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	if id == "" && code == "" {
		return nil, apperr.Invalid("code", "请提供签到码")
	}
	e, _, err := s.organisedEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	if sessionID != "" && domain.SessionIndex(e, sessionID) < 0 {
		return nil, apperr.Invalid("session_id", "本活动没有课程%s", sessionID)
	}
	if id == "" {
		list, err := s.st.Registrations.All(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{{Key: adapters.F("code"), Value: code}}})
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, apperr.NotFound("签到码%s无效：本活动没有此签到码", code)
		}
		id = list[0].GetId()
	}
	cur, _, err := s.st.Registrations.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if cur.GetEventId() != e.GetId() {
		return nil, apperr.NotFound("报名记录%s不存在", id)
	}
	if code != "" && code != cur.GetCheckInCode() {
		return nil, apperr.Invalid("code", "签到码与该报名不符")
	}
	now := s.now()
	switch {
	case domain.EffectiveStatus(e, now) == domain.Cancelled:
		return nil, apperr.FailedPrecondition("活动已取消")
	case now.Before(e.GetStartTime().AsTime().Add(-checkInEarly)):
		return nil, apperr.FailedPrecondition("签到从活动开始前2小时开放（%s起）", fmtTime(e.GetStartTime().AsTime().Add(-checkInEarly)))
	case !now.Before(e.GetEndTime().AsTime()):
		return nil, apperr.FailedPrecondition("活动已结束，不能签到")
	}
	out, err := s.st.Registrations.Update(ctx, id, 0, func(r *eventsv1.Registration) error {
		if r.GetStatus() != domain.RegConfirmed {
			return apperr.FailedPrecondition("该报名%s，不能签到", labelRegStatus(r.GetStatus()))
		}
		if sessionID == "" {
			if r.GetCheckInTime() != nil {
				return apperr.AlreadyExists("该签到码已于%s签到", fmtTime(r.GetCheckInTime().AsTime()))
			}
			r.CheckInTime = timestamppb.New(now)
			return nil
		}
		if slices.ContainsFunc(r.GetAttendance(), func(a *eventsv1.SessionAttendance) bool { return a.GetSessionId() == sessionID }) {
			return apperr.AlreadyExists("该签到码已签到过此课程")
		}
		if r.GetCheckInTime() == nil {
			r.CheckInTime = timestamppb.New(now)
		}
		r.Attendance = append(r.Attendance, &eventsv1.SessionAttendance{SessionId: sessionID, RecordTime: timestamppb.New(now)})
		sortAttendance(e, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	detail := "签到码"
	if code == "" {
		detail = "人工签到"
	}
	s.record(ctx, "registration.check_in", "registration", id, out.GetEtag(), detail+" "+sessionID)
	return s.presentOne(ctx, out)
}

func sortAttendance(e *eventsv1.Event, r *eventsv1.Registration) {
	sort.SliceStable(r.Attendance, func(i, j int) bool {
		return domain.SessionIndex(e, r.Attendance[i].GetSessionId()) < domain.SessionIndex(e, r.Attendance[j].GetSessionId())
	})
}

// RecordSessionAttendance marks or unmarks several registrations at one
// session.
func (s *Service) RecordSessionAttendance(ctx context.Context, eventID, sessionID string, regIDs []string, attended bool) (int, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return 0, denied()
	}
	if len(regIDs) == 0 || len(regIDs) > 500 {
		return 0, apperr.Invalid("registration_ids", "请提供1至500个报名id，当前%d个", len(regIDs))
	}
	e, _, err := s.organisedEvent(ctx, p, eventID)
	if err != nil {
		return 0, err
	}
	if domain.SessionIndex(e, sessionID) < 0 {
		return 0, apperr.Invalid("session_id", "本活动没有课程%s", sessionID)
	}
	for _, id := range regIDs {
		r, _, err := s.st.Registrations.Get(ctx, id)
		if err != nil || r.GetEventId() != e.GetId() {
			return 0, apperr.NotFound("报名记录%s不存在", id)
		}
		if r.GetStatus() != domain.RegConfirmed {
			return 0, apperr.FailedPrecondition("报名%s（%s）%s，不能记录出勤", id, r.GetAttendee().GetName(), labelRegStatus(r.GetStatus()))
		}
	}
	now := s.now()
	changed := 0
	for _, id := range regIDs {
		_, err := s.st.Registrations.Update(ctx, id, 0, func(r *eventsv1.Registration) error {
			has := slices.ContainsFunc(r.GetAttendance(), func(a *eventsv1.SessionAttendance) bool { return a.GetSessionId() == sessionID })
			switch {
			case attended && !has:
				r.Attendance = append(r.Attendance, &eventsv1.SessionAttendance{SessionId: sessionID, RecordTime: timestamppb.New(now)})
				sortAttendance(e, r)
			case !attended && has:
				r.Attendance = slices.DeleteFunc(r.Attendance, func(a *eventsv1.SessionAttendance) bool { return a.GetSessionId() == sessionID })
			default:
				return errNoChange
			}
			changed++
			return nil
		})
		if err != nil {
			return changed, err
		}
	}
	s.record(ctx, "registration.attendance", "event", e.GetId(), "", fmt.Sprintf("%s %v %d", sessionID, attended, changed))
	return changed, nil
}

func labelRegStatus(st eventsv1.RegistrationStatus) string {
	return map[eventsv1.RegistrationStatus]string{
		domain.RegPending: "待审核", domain.RegConfirmed: "报名成功", domain.RegWaitlisted: "候补中",
		domain.RegDeclined: "未通过", domain.RegCancelled: "已取消",
	}[st]
}

func labelAudience(a eventsv1.EventAudience) string {
	return map[eventsv1.EventAudience]string{
		eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS:           "社会组织",
		eventsv1.EventAudience_EVENT_AUDIENCE_FIRMS:                  "企业",
		eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS_AND_FIRMS: "社会组织和企业",
	}[a]
}

var shanghai = time.FixedZone("CST", 8*3600)

func fmtTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }

// contactOf is used by exports to show or mask a contact.
func contactOf(c *commonv1.Contact, reveal bool) (string, string) {
	if reveal {
		return c.GetPhone(), c.GetEmail()
	}
	return contact.MaskPhone(c.GetPhone()), contact.MaskEmail(c.GetEmail())
}
