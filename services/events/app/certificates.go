package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

// IssueResult reports what IssueCertificates did.
type IssueResult struct {
	// Issued are the certificates this call issued, by number.
	Issued []*eventsv1.Certificate
	// AlreadyIssued counts eligible registrations that held one already.
	AlreadyIssued int
	// Ineligible counts CONFIRMED registrations that did not attend enough
	// (when issuing to all).
	Ineligible int
}

// IssueCertificates issues certificates of completion for a training that
// has ended, to all CONFIRMED registrations that attended enough sessions or
// to the named ones. Numbers come from the event's ledger: each registration
// gets its number once, in one conditional update, so repeated or
// concurrent runs neither duplicate nor skip a number.
func (s *Service) IssueCertificates(ctx context.Context, eventID string, regIDs []string) (*IssueResult, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	v := &apperr.ValidationError{}
	if len(regIDs) > 500 {
		v.Add("registration_ids", "一次最多500个报名id，当前%d个", len(regIDs))
	}
	for i, id := range regIDs {
		switch {
		case id == "":
			v.Add(fmt.Sprintf("registration_ids[%d]", i), "报名id不能为空")
		case slices.Index(regIDs, id) < i:
			v.Add(fmt.Sprintf("registration_ids[%d]", i), "报名id“%s”重复", id)
		}
	}
	if v.Err() != nil {
		return nil, v
	}
	e, _, err := s.organisedEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch st := domain.EffectiveStatus(e, now); {
	case e.GetKind() != eventsv1.EventKind_EVENT_KIND_TRAINING:
		return nil, apperr.FailedPrecondition("只有培训可以颁发结业证书")
	case st == domain.Cancelled:
		return nil, apperr.FailedPrecondition("培训已取消，不能颁发结业证书")
	case st == domain.Draft:
		return nil, apperr.FailedPrecondition("培训尚未发布，不能颁发结业证书")
	case now.Before(domain.LastSessionEnd(e)):
		return nil, apperr.FailedPrecondition("最后一节课程结束（%s）后才能颁发结业证书", domain.FormatTime(domain.LastSessionEnd(e)))
	}
	need := domain.SessionsForCertificate(e)
	res := &IssueResult{Issued: []*eventsv1.Certificate{}}
	var eligible []*eventsv1.Registration
	if len(regIDs) == 0 {
		all, err := s.st.Registrations.All(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{
			{Key: adapters.F("status"), Value: adapters.EnumName(domain.RegConfirmed)},
		}})
		if err != nil {
			return nil, err
		}
		for _, r := range all {
			if domain.EarnedCertificate(e, r) {
				eligible = append(eligible, r)
			} else {
				res.Ineligible++
			}
		}
	} else {
		var short []string
		for _, id := range regIDs {
			r, _, err := s.st.Registrations.Get(ctx, id)
			if err != nil || r.GetEventId() != e.GetId() {
				if err == nil || apperr.IsKind(err, apperr.KindNotFound) {
					return nil, apperr.NotFound("报名记录%s不存在", id)
				}
				return nil, err
			}
			if r.GetStatus() != domain.RegConfirmed {
				return nil, apperr.FailedPrecondition("报名%s（%s）%s，不能颁发证书；未颁发任何证书", id, r.GetAttendee().GetName(), labelRegStatus(r.GetStatus()))
			}
			if !domain.EarnedCertificate(e, r) {
				short = append(short, fmt.Sprintf("%s（出勤%d节）", r.GetAttendee().GetName(), domain.SessionsAttended(e, r)))
				continue
			}
			eligible = append(eligible, r)
		}
		if len(short) > 0 {
			return nil, apperr.FailedPrecondition("结业须出勤至少%d节课程，以下学员出勤不足，未颁发任何证书：%s", need, strings.Join(short, "、"))
		}
	}
	// Numbers follow the order of registration.
	slices.SortStableFunc(eligible, func(a, b *eventsv1.Registration) int {
		if c := a.GetCreateTime().AsTime().Compare(b.GetCreateTime().AsTime()); c != 0 {
			return c
		}
		return strings.Compare(a.GetId(), b.GetId())
	})
	var todo []*eventsv1.Registration
	for _, r := range eligible {
		if r.GetCertificateId() != "" {
			res.AlreadyIssued++
		} else {
			todo = append(todo, r)
		}
	}
	if len(todo) == 0 {
		return res, nil
	}
	numbers := map[string]int32{}
	if _, err := s.st.Ledger.Update(ctx, e.GetId(), func(l *adapters.Seats) error {
		clear(numbers)
		changed := false
		for _, r := range todo {
			n, ok := l.Certs[r.GetId()]
			if !ok {
				l.CertSeq++
				n, changed = l.CertSeq, true
				l.Certs[r.GetId()] = n
			}
			numbers[r.GetId()] = n
		}
		if !changed {
			return errNoChange
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for _, r := range todo {
		c := &eventsv1.Certificate{
			EventId: e.GetId(), RegistrationId: r.GetId(), Number: domain.CertificateNumber(e, numbers[r.GetId()]),
			HolderName: r.GetAttendee().GetName(), PartyName: r.GetPartyName(), EventTitle: e.GetTitle(),
			SessionsAttended: int32(domain.SessionsAttended(e, r)), SessionsTotal: int32(len(e.GetSessions())),
			IssueTime: timestamppb.New(now), Sample: r.GetSample(),
		}
		out, err := s.st.Certificates.InsertWith(ctx, "", c, bson.M{
			"firm_id": r.GetFirmId(), "association_id": r.GetAssociationId(), "nominating": r.GetNominatingAssociationId(),
			"district": adapters.EnumName(e.GetDistrict()),
		})
		newly := err == nil
		if errors.Is(err, adapters.ErrDuplicate) {
			// A concurrent run stored it first (or a run that stopped
			// before linking it to the registration).
			existing, ferr := s.st.Certificates.All(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{
				{Key: adapters.F("registration_id"), Value: r.GetId()},
			}})
			if ferr != nil {
				return nil, ferr
			}
			if len(existing) == 0 {
				return nil, err
			}
			out, err = existing[0], nil
		}
		if err != nil {
			return nil, err
		}
		if _, err := s.st.Registrations.Update(ctx, r.GetId(), 0, func(r *eventsv1.Registration) error {
			if r.GetCertificateId() == out.GetId() {
				return errNoChange
			}
			r.CertificateId = out.GetId()
			return nil
		}); err != nil {
			return nil, err
		}
		if newly {
			res.Issued = append(res.Issued, out)
		} else {
			res.AlreadyIssued++
		}
	}
	s.record(ctx, "certificate.issue", "event", e.GetId(), "", fmt.Sprintf("颁发%d张，已有%d张，出勤不足%d人", len(res.Issued), res.AlreadyIssued, res.Ineligible))
	return res, nil
}

// CertificateFilter is ListCertificates' filters.
type CertificateFilter struct {
	EventID        string
	RegistrationID string
	FirmID         string
	Number         string
}

func (f CertificateFilter) key() string {
	return fmt.Sprintf("certs|%s|%s|%s|%s", f.EventID, f.RegistrationID, f.FirmID, f.Number)
}

// ListCertificates lists certificates of an event, or with event id "-"
// across events: organisers those of their events, association admins those
// of their own delegates and nominations, firm users their firm's.
func (s *Service) ListCertificates(ctx context.Context, f CertificateFilter, size int32, token string) ([]*eventsv1.Certificate, string, int, error) {
	p := auth.FromContext(ctx)
	if f.EventID == "" {
		return nil, "", 0, apperr.Invalid("event_id", "请提供活动id，或用“-”查询全部活动")
	}
	if utf8.RuneCountInString(f.Number) > 50 {
		return nil, "", 0, apperr.Invalid("number", "证书编号不超过50个字符")
	}
	page, err := paging.Parse(size, token, f.key())
	if err != nil {
		return nil, "", 0, err
	}
	var q bson.D
	organiser := false
	if f.EventID != "-" {
		e, _, err := s.getEvent(ctx, p, f.EventID)
		if err != nil {
			return nil, "", 0, err
		}
		organiser = domain.IsOrganiser(p, e)
	} else {
		switch {
		case p.Is(auth.RoleBureauAdmin), p.Role == auth.RoleSystem:
			organiser = true
		case p.Is(auth.RoleDistrictOfficer):
			q = append(q, bson.E{Key: adapters.F("district"), Value: adapters.EnumName(p.District)})
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
	if f.RegistrationID != "" {
		q = append(q, bson.E{Key: adapters.F("registration_id"), Value: f.RegistrationID})
	}
	if f.FirmID != "" {
		q = append(q, bson.E{Key: adapters.F("firm_id"), Value: f.FirmID})
	}
	if f.Number != "" {
		q = append(q, bson.E{Key: adapters.F("number"), Value: f.Number})
	}
	ev := f.EventID
	if ev == "-" {
		ev = ""
	}
	list, total, err := s.st.Certificates.Find(ctx, adapters.Query{EventID: ev, Filter: q, Sort: bson.D{{Key: adapters.F("number"), Value: 1}}}, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	return list, page.Next(len(list), total), total, nil
}
