package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

// boothApplicantFields are what the applicant fills in; booth_numbers are
// the organisers'.
var boothApplicantFields = []string{"exhibits", "booths_requested", "contact", "note"}

var boothReadOnly = []string{
	"firm_id", "firm_name", "association_id", "status", "booths_granted", "status_reason", "sample",
	"create_time", "update_time",
}

func isMember(f *profilesv1.Firm, associationID string) bool {
	return slices.ContainsFunc(f.GetMemberships(), func(m *profilesv1.Membership) bool { return m.GetAssociationId() == associationID })
}

// presentBooth masks the booth contact for readers.
func presentBooth(b *eventsv1.BoothApplication) *eventsv1.BoothApplication {
	b.Contact = domain.MaskContact(b.GetContact())
	return b
}

// CreateBoothApplication applies for booths at an expo: a firm user for its
// firm, an association admin for a member firm exhibiting with it,
// organisers for anyone.
func (s *Service) CreateBoothApplication(ctx context.Context, eventID string, in *eventsv1.BoothApplication) (*eventsv1.BoothApplication, error) {
	p := auth.FromContext(ctx)
	if in == nil {
		return nil, apperr.Invalid("booth_application", "请提供展位申请内容")
	}
	b := &eventsv1.BoothApplication{
		FirmId: in.GetFirmId(), AssociationId: in.GetAssociationId(), Exhibits: in.GetExhibits(),
		BoothsRequested: in.GetBoothsRequested(), Contact: clone(in.GetContact()), Note: in.GetNote(),
		Sample: in.GetSample() && domain.MayMarkSample(p),
	}
	organiserRole := domain.MayOrganise(p)
	switch {
	case organiserRole:
	case p.Is(auth.RoleFirmUser):
		if b.FirmId == "" {
			b.FirmId = p.FirmID
		}
		if b.FirmId != p.FirmID {
			return nil, apperr.PermissionDenied("企业用户只能为本企业申请展位")
		}
	case p.Is(auth.RoleAssociationAdmin):
		if b.AssociationId == "" {
			b.AssociationId = p.AssociationID
		}
		if b.AssociationId != p.AssociationID {
			return nil, apperr.PermissionDenied("只能以本协会名义组团申请展位")
		}
	default:
		return nil, denied()
	}
	if v := domain.ValidateBoothApplication(b); v.Err() != nil {
		return nil, v
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	organiser := domain.IsOrganiser(p, e)
	if organiserRole && !organiser {
		return nil, apperr.PermissionDenied("只有活动的主办方可以代为申请展位")
	}
	if err := domain.BoothsOpen(e, s.now(), organiser); err != nil {
		return nil, err
	}
	// The firm must exist and, when it exhibits with an association, be
	// its member; read with the caller's rights.
	f, err := s.profiles.GetFirm(ctx, b.FirmId)
	if err != nil {
		if !organiser && p.Is(auth.RoleAssociationAdmin) && apperr.IsKind(profileErr(err, "", ""), apperr.KindNotFound) {
			return nil, apperr.FailedPrecondition("企业%s不是本协会的会员企业", b.FirmId)
		}
		return nil, profileErr(err, "企业", b.FirmId)
	}
	if b.AssociationId != "" && !isMember(f, b.AssociationId) {
		return nil, apperr.FailedPrecondition("企业“%s”不是协会%s的会员企业，不能随该协会组团参展", f.GetName(), b.AssociationId)
	}
	b.EventId, b.FirmName, b.Status = e.GetId(), f.GetName(), domain.BoothSubmitted
	out, err := s.st.Booths.Insert(ctx, "", b)
	if err != nil {
		if errors.Is(err, adapters.ErrDuplicate) {
			return nil, apperr.AlreadyExists("企业“%s”在本展会已有待审核或已通过的展位申请；请修改原申请，或撤回后重新申请", f.GetName())
		}
		return nil, err
	}
	s.record(ctx, "booth.create", "booth_application", out.GetId(), out.GetEtag(), fmt.Sprintf("%s %s %d", e.GetId(), b.FirmId, b.BoothsRequested))
	return presentBooth(out), nil
}

// readableBooth reads a booth application p may see: the applicant and the
// event's organisers; NOT_FOUND for everyone else.
func (s *Service) readableBooth(ctx context.Context, p auth.Principal, eventID, id string) (*eventsv1.Event, *eventsv1.BoothApplication, int64, error) {
	if id == "" {
		return nil, nil, 0, apperr.Invalid("booth_application_id", "请提供展位申请id")
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, nil, 0, err
	}
	b, v, err := s.st.Booths.Get(ctx, id)
	if err != nil {
		return nil, nil, 0, err
	}
	if b.GetEventId() != e.GetId() || !(domain.IsOrganiser(p, e) || domain.IsBoothApplicant(p, b)) {
		return nil, nil, 0, apperr.NotFound("展位申请%s不存在", id)
	}
	return e, b, v, nil
}

// organisedBooth reads a booth application of an event p organises.
func (s *Service) organisedBooth(ctx context.Context, p auth.Principal, eventID, id string) (*eventsv1.Event, *eventsv1.BoothApplication, int64, error) {
	if !domain.MayOrganise(p) {
		return nil, nil, 0, denied()
	}
	e, b, v, err := s.readableBooth(ctx, p, eventID, id)
	if err != nil {
		return nil, nil, 0, err
	}
	if !domain.IsOrganiser(p, e) {
		return nil, nil, 0, apperr.PermissionDenied("只有活动的主办方可以审核展位申请")
	}
	return e, b, v, nil
}

// BoothFilter is ListBoothApplications' filters.
type BoothFilter struct {
	EventID       string
	Status        eventsv1.BoothApplicationStatus
	FirmID        string
	AssociationID string
}

func (f BoothFilter) key() string {
	return fmt.Sprintf("booths|%s|%v|%s|%s", f.EventID, f.Status, f.FirmID, f.AssociationID)
}

// ListBoothApplications lists an event's booth applications: organisers see
// all, association admins those naming their association, firm users their
// firm's.
func (s *Service) ListBoothApplications(ctx context.Context, f BoothFilter, size int32, token string) ([]*eventsv1.BoothApplication, string, int, error) {
	p := auth.FromContext(ctx)
	if f.Status != 0 && !refdata.Defined(f.Status) {
		return nil, "", 0, apperr.Invalid("status", "展位申请状态取值无效（%s）", refdata.Labels(f.Status.Descriptor()))
	}
	page, err := paging.Parse(size, token, f.key())
	if err != nil {
		return nil, "", 0, err
	}
	e, _, err := s.getEvent(ctx, p, f.EventID)
	if err != nil {
		return nil, "", 0, err
	}
	var q bson.D
	if !domain.IsOrganiser(p, e) {
		switch {
		case p.Is(auth.RoleFirmUser):
			q = append(q, bson.E{Key: adapters.F("firm_id"), Value: p.FirmID})
		case p.Is(auth.RoleAssociationAdmin):
			q = append(q, bson.E{Key: adapters.F("association_id"), Value: p.AssociationID})
		default:
			return nil, "", 0, apperr.PermissionDenied("只有活动的主办方和申请单位可以查看展位申请")
		}
	}
	if f.Status != 0 {
		q = append(q, bson.E{Key: adapters.F("status"), Value: adapters.EnumName(f.Status)})
	}
	if f.FirmID != "" {
		q = append(q, bson.E{Key: adapters.F("firm_id"), Value: f.FirmID})
	}
	if f.AssociationID != "" {
		q = append(q, bson.E{Key: adapters.F("association_id"), Value: f.AssociationID})
	}
	list, total, err := s.st.Booths.Find(ctx, adapters.Query{EventID: e.GetId(), Filter: q, Sort: bson.D{{Key: "create_time", Value: 1}}}, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	for _, b := range list {
		presentBooth(b)
	}
	return list, page.Next(len(list), total), total, nil
}

// boothNumbersFree refuses booth numbers already assigned to another
// approved application of the event.
func (s *Service) boothNumbersFree(ctx context.Context, eventID, id string, numbers []string) error {
	if len(numbers) == 0 {
		return nil
	}
	approved, err := s.st.Booths.All(ctx, adapters.Query{EventID: eventID, Filter: bson.D{
		{Key: adapters.F("status"), Value: adapters.EnumName(domain.BoothApproved)},
	}})
	if err != nil {
		return err
	}
	for _, o := range approved {
		if o.GetId() == id {
			continue
		}
		for _, n := range numbers {
			if slices.Contains(o.GetBoothNumbers(), n) {
				return apperr.FailedPrecondition("展位号“%s”已分配给“%s”", n, o.GetFirmName())
			}
		}
	}
	return nil
}

// UpdateBoothApplication changes an application: the applicant (and
// organisers) its contents while SUBMITTED, organisers the booth numbers of
// an APPROVED one.
func (s *Service) UpdateBoothApplication(ctx context.Context, in *eventsv1.BoothApplication, paths []string) (*eventsv1.BoothApplication, error) {
	p := auth.FromContext(ctx)
	if in == nil {
		return nil, apperr.Invalid("booth_application", "请提供展位申请内容")
	}
	// The contract's masks ignore event_id, which addresses the object.
	paths = slices.DeleteFunc(slices.Clone(paths), func(s string) bool { return s == "event_id" })
	version, paths, err := updateMask("booth_application", in.GetId(), in.GetEtag(), paths,
		append(slices.Clone(boothApplicantFields), "booth_numbers"), boothReadOnly)
	if err != nil {
		return nil, err
	}
	e, cur, _, err := s.readableBooth(ctx, p, in.GetEventId(), in.GetId())
	if err != nil {
		return nil, err
	}
	organiser := domain.IsOrganiser(p, e)
	numbers := slices.Contains(paths, "booth_numbers")
	contents := slices.ContainsFunc(paths, func(f string) bool { return slices.Contains(boothApplicantFields, f) })
	if numbers && !organiser {
		return nil, apperr.PermissionDenied("只有主办方可以分配展位号")
	}
	if st := domain.EffectiveStatus(e, s.now()); st == domain.Cancelled || st == domain.Completed {
		return nil, apperr.FailedPrecondition("展会已%s，不能修改展位申请", statusLabel(st))
	}
	in = clone(in)
	if c := in.GetContact(); c != nil {
		if contact.IsMaskedPhone(c.GetPhone()) {
			c.Phone = cur.GetContact().GetPhone()
		}
		if contact.IsMaskedEmail(c.GetEmail()) {
			c.Email = cur.GetContact().GetEmail()
		}
	}
	if numbers {
		if v := domain.ValidateBoothNumbers("booth_application.booth_numbers", in.GetBoothNumbers(), cur.GetBoothsGranted()); v.Err() != nil {
			return nil, v
		}
		if err := s.boothNumbersFree(ctx, e.GetId(), cur.GetId(), in.GetBoothNumbers()); err != nil {
			return nil, err
		}
	}
	out, err := s.st.Booths.Update(ctx, in.GetId(), version, func(b *eventsv1.BoothApplication) error {
		if contents && b.GetStatus() != domain.BoothSubmitted {
			return apperr.FailedPrecondition("展位申请%s，不能再修改申请内容", domain.BoothStatusLabel(b.GetStatus()))
		}
		if numbers && b.GetStatus() != domain.BoothApproved {
			return apperr.FailedPrecondition("只有已通过的展位申请可以分配展位号，当前为%s", domain.BoothStatusLabel(b.GetStatus()))
		}
		fieldmask.Apply(b, in, paths)
		v := domain.ValidateBoothApplication(b)
		if numbers {
			v.Merge("", domain.ValidateBoothNumbers("booth_application.booth_numbers", b.GetBoothNumbers(), b.GetBoothsGranted()))
		}
		return v.Err()
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, "booth.update", "booth_application", out.GetId(), out.GetEtag(), fmt.Sprint(paths))
	return presentBooth(out), nil
}

// ApproveBoothApplication grants booths to a SUBMITTED application. The
// event's ledger decides in one conditional update, so approvals racing for
// the last booths never grant more than booth_count.
func (s *Service) ApproveBoothApplication(ctx context.Context, eventID, id string, granted int32, numbers []string, etagText string) (*eventsv1.BoothApplication, error) {
	p := auth.FromContext(ctx)
	version, err := optionalEtag("etag", etagText)
	if err != nil {
		return nil, err
	}
	e, b, cur, err := s.organisedBooth(ctx, p, eventID, id)
	if err != nil {
		return nil, err
	}
	if version > 0 && version != cur {
		return nil, apperr.Conflict("展位申请已被他人修改，请刷新后重试")
	}
	if b.GetStatus() != domain.BoothSubmitted {
		return nil, apperr.FailedPrecondition("只能审核待审核的展位申请，当前为%s", domain.BoothStatusLabel(b.GetStatus()))
	}
	if st := domain.EffectiveStatus(e, s.now()); st == domain.Cancelled || st == domain.Completed {
		return nil, apperr.FailedPrecondition("展会已%s，不能审核展位申请", statusLabel(st))
	}
	if granted == 0 {
		granted = b.GetBoothsRequested()
	}
	v := &apperr.ValidationError{}
	if granted < 1 || granted > b.GetBoothsRequested() {
		v.Add("booths_granted", "批准的展位数须在1至申请数（%d个）之间，当前%d个", b.GetBoothsRequested(), granted)
	} else {
		v.Merge("", domain.ValidateBoothNumbers("booth_numbers", numbers, granted))
	}
	if v.Err() != nil {
		return nil, v
	}
	if err := s.boothNumbersFree(ctx, e.GetId(), id, numbers); err != nil {
		return nil, err
	}
	if _, err := s.st.Ledger.Update(ctx, e.GetId(), func(l *adapters.Seats) error {
		if _, held := l.BoothClaims[id]; held {
			return apperr.FailedPrecondition("该展位申请已由他人审核通过，请刷新后查看")
		}
		limit := l.BoothLimit(e.GetBoothCount())
		if l.BoothsGranted+granted > limit {
			return apperr.ResourceExhausted("展位不足：共%d个，已分配%d个，剩余%d个，本申请需%d个", limit, l.BoothsGranted, max(limit-l.BoothsGranted, 0), granted)
		}
		l.BoothsGranted += granted
		l.BoothClaims[id] = granted
		return nil
	}); err != nil {
		return nil, err
	}
	out, err := s.st.Booths.Update(ctx, id, cur, func(b *eventsv1.BoothApplication) error {
		if b.GetStatus() != domain.BoothSubmitted {
			return apperr.FailedPrecondition("展位申请已变为%s", domain.BoothStatusLabel(b.GetStatus()))
		}
		b.Status, b.BoothsGranted, b.BoothNumbers, b.StatusReason = domain.BoothApproved, granted, slices.Clone(numbers), ""
		return nil
	})
	if err != nil {
		// The application changed under us: give the booths back.
		if rerr := s.releaseBooths(ctx, e.GetId(), id); rerr != nil {
			s.logger.ErrorContext(ctx, "booth: release after failed approval", "event", e.GetId(), "error", rerr)
		}
		return nil, err
	}
	s.record(ctx, "booth.approve", "booth_application", id, out.GetEtag(), fmt.Sprintf("%d %v", granted, numbers))
	return presentBooth(out), nil
}

// DeclineBoothApplication declines a SUBMITTED application with a reason.
func (s *Service) DeclineBoothApplication(ctx context.Context, eventID, id, reason, etagText string) (*eventsv1.BoothApplication, error) {
	p := auth.FromContext(ctx)
	version, err := optionalEtag("etag", etagText)
	if err != nil {
		return nil, err
	}
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	if n := utf8.RuneCountInString(reason); n == 0 || n > 200 {
		return nil, apperr.Invalid("reason", "请填写未通过的原因（不超过200个字），会告知申请单位")
	}
	if _, _, _, err := s.organisedBooth(ctx, p, eventID, id); err != nil {
		return nil, err
	}
	out, err := s.st.Booths.Update(ctx, id, version, func(b *eventsv1.BoothApplication) error {
		if b.GetStatus() != domain.BoothSubmitted {
			return apperr.FailedPrecondition("只能审核待审核的展位申请，当前为%s", domain.BoothStatusLabel(b.GetStatus()))
		}
		b.Status, b.StatusReason = domain.BoothDeclined, reason
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Like a withdrawal, a decline releases a claim an approval that stopped
	// half-way may have left.
	if err := s.releaseBooths(ctx, out.GetEventId(), id); err != nil {
		return nil, err
	}
	s.record(ctx, "booth.decline", "booth_application", id, out.GetEtag(), reason)
	return presentBooth(out), nil
}

// WithdrawBoothApplication withdraws a SUBMITTED or APPROVED application
// before the expo starts; approved booths go back to the pool at once.
func (s *Service) WithdrawBoothApplication(ctx context.Context, eventID, id, etagText string) (*eventsv1.BoothApplication, error) {
	p := auth.FromContext(ctx)
	version, err := optionalEtag("etag", etagText)
	if err != nil {
		return nil, err
	}
	e, _, _, err := s.readableBooth(ctx, p, eventID, id)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(e.GetStartTime().AsTime()) {
		return nil, apperr.FailedPrecondition("展会已开始，不能撤回展位申请")
	}
	var old eventsv1.BoothApplicationStatus
	var freed int32
	out, err := s.st.Booths.Update(ctx, id, version, func(b *eventsv1.BoothApplication) error {
		old, freed = b.GetStatus(), 0
		if old != domain.BoothSubmitted && old != domain.BoothApproved {
			return apperr.FailedPrecondition("展位申请%s，不能撤回", domain.BoothStatusLabel(old))
		}
		if old == domain.BoothApproved {
			freed = b.GetBoothsGranted()
		}
		b.Status = domain.BoothWithdrawn
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A submitted application may hold a claim left by an approval that
	// stopped half-way; withdrawing releases whatever it holds.
	if err := s.releaseBooths(ctx, e.GetId(), id); err != nil {
		return nil, err
	}
	s.record(ctx, "booth.withdraw", "booth_application", id, out.GetEtag(), fmt.Sprintf("%s 释放%d个展位", domain.BoothStatusLabel(old), freed))
	return presentBooth(out), nil
}

// releaseBooths gives back the booths application id holds in the event's
// ledger, if any.
func (s *Service) releaseBooths(ctx context.Context, eventID, id string) error {
	_, err := s.st.Ledger.Update(context.WithoutCancel(ctx), eventID, func(l *adapters.Seats) error {
		n, held := l.BoothClaims[id]
		if !held {
			return errNoChange
		}
		l.BoothsGranted = max(l.BoothsGranted-n, 0)
		delete(l.BoothClaims, id)
		return nil
	})
	return err
}
