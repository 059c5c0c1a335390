package adapters

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/reflect/protoreflect"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/store"
)

// Stores are every repository of the events service.
type Stores struct {
	Events        *Repo[*eventsv1.Event]
	Registrations *Repo[*eventsv1.Registration]
	Booths        *Repo[*eventsv1.BoothApplication]
	Certificates  *Repo[*eventsv1.Certificate]
	Feedback      *Repo[*eventsv1.Feedback]
	Outcomes      *Repo[*eventsv1.Outcome]
	Settings      *Repo[*eventsv1.MatchmakingSettings]
	Participants  *Repo[*eventsv1.Participant]
	Requests      *Repo[*eventsv1.MeetingRequest]
	Schedules     *Repo[*eventsv1.Schedule]
	Ledger        *Ledger
}

// EnumName is the stored form of an enum value ("" for UNSPECIFIED).
func EnumName(e protoreflect.Enum) string {
	if vd := e.Descriptor().Values().ByNumber(e.Number()); vd != nil && e.Number() != 0 {
		return string(vd.Name())
	}
	return ""
}

func enumNames[E protoreflect.Enum](in []E) []string {
	out := make([]string, 0, len(in))
	for _, e := range in {
		if n := EnumName(e); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func strs(in []string) []string {
	if in == nil {
		return []string{}
	}
	return in
}

// Active registration statuses hold a seat, a place in the queue or a quota
// place, and keep the attendee's phone reserved.
func activeRegistration(s eventsv1.RegistrationStatus) bool {
	switch s {
	case eventsv1.RegistrationStatus_REGISTRATION_STATUS_PENDING_APPROVAL,
		eventsv1.RegistrationStatus_REGISTRATION_STATUS_CONFIRMED,
		eventsv1.RegistrationStatus_REGISTRATION_STATUS_WAITLISTED:
		return true
	}
	return false
}

// EventClose returns when registration closes (registration_close_time, or
// start_time when unset).
func EventClose(e *eventsv1.Event) time.Time {
	if e.GetRegistrationCloseTime() != nil {
		return e.GetRegistrationCloseTime().AsTime()
	}
	return e.GetStartTime().AsTime()
}

// NewStores returns the repositories of db.
func NewStores(db store.Database, now func() time.Time) *Stores {
	return &Stores{
		Events: NewRepo(db, now, Spec[*eventsv1.Event]{
			Collection: "events", What: "活动",
			New:     func() *eventsv1.Event { return &eventsv1.Event{} },
			EventID: func(e *eventsv1.Event) string { return e.GetId() },
			Fields: func(e *eventsv1.Event) bson.M {
				return bson.M{
					"kind": EnumName(e.GetKind()), "status": EnumName(e.GetStatus()), "district": EnumName(e.GetDistrict()),
					"belts": strs(e.GetIndustryBeltIds()), "industries": strs(enumNames(e.GetIndustries())),
					"start": e.GetStartTime().AsTime(), "end": e.GetEndTime().AsTime(), "reg_close": EventClose(e),
					"title": e.GetTitle(),
				}
			},
		}),
		Registrations: NewRepo(db, now, Spec[*eventsv1.Registration]{
			Collection: "registrations", What: "报名记录",
			New:     func() *eventsv1.Registration { return &eventsv1.Registration{} },
			EventID: func(r *eventsv1.Registration) string { return r.GetEventId() },
			Fields: func(r *eventsv1.Registration) bson.M {
				return bson.M{
					"firm_id": r.GetFirmId(), "association_id": r.GetAssociationId(), "nominating": r.GetNominatingAssociationId(),
					"status": EnumName(r.GetStatus()), "source": EnumName(r.GetSource()), "code": r.GetCheckInCode(),
					"checked_in": r.GetCheckInTime() != nil, "name": r.GetPartyName() + " " + r.GetAttendee().GetName(),
					"sessions": sessionIDs(r), "seq": r.GetWaitlistPosition(),
				}
			},
			UKey: func(r *eventsv1.Registration) string {
				if !activeRegistration(r.GetStatus()) {
					return ""
				}
				return "reg|" + r.GetEventId() + "|" + r.GetAttendee().GetPhone()
			},
		}),
		Booths: NewRepo(db, now, Spec[*eventsv1.BoothApplication]{
			Collection: "booth_applications", What: "展位申请",
			New:     func() *eventsv1.BoothApplication { return &eventsv1.BoothApplication{} },
			EventID: func(b *eventsv1.BoothApplication) string { return b.GetEventId() },
			Fields: func(b *eventsv1.BoothApplication) bson.M {
				return bson.M{"firm_id": b.GetFirmId(), "association_id": b.GetAssociationId(), "status": EnumName(b.GetStatus())}
			},
			UKey: func(b *eventsv1.BoothApplication) string {
				switch b.GetStatus() {
				case eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_SUBMITTED, eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_APPROVED:
					return "booth|" + b.GetEventId() + "|" + b.GetFirmId()
				}
				return ""
			},
		}),
		Certificates: NewRepo(db, now, Spec[*eventsv1.Certificate]{
			Collection: "certificates", What: "结业证书",
			New:     func() *eventsv1.Certificate { return &eventsv1.Certificate{} },
			EventID: func(c *eventsv1.Certificate) string { return c.GetEventId() },
			Fields: func(c *eventsv1.Certificate) bson.M {
				return bson.M{"registration_id": c.GetRegistrationId(), "number": c.GetNumber()}
			},
			UKey: func(c *eventsv1.Certificate) string { return "cert|" + c.GetRegistrationId() },
		}),
		Feedback: NewRepo(db, now, Spec[*eventsv1.Feedback]{
			Collection: "feedback", What: "活动反馈",
			New:     func() *eventsv1.Feedback { return &eventsv1.Feedback{} },
			EventID: func(f *eventsv1.Feedback) string { return f.GetEventId() },
			Fields: func(f *eventsv1.Feedback) bson.M {
				return bson.M{"registration_id": f.GetRegistrationId(), "rating": f.GetRating(), "created": f.GetCreateTime().AsTime()}
			},
			UKey: func(f *eventsv1.Feedback) string { return "fb|" + f.GetRegistrationId() },
		}),
		Outcomes: NewRepo(db, now, Spec[*eventsv1.Outcome]{
			Collection: "outcomes", What: "成果记录",
			New:     func() *eventsv1.Outcome { return &eventsv1.Outcome{} },
			EventID: func(o *eventsv1.Outcome) string { return o.GetEventId() },
			// The event's kind and district and the firm's associations are
			// added at creation (InsertWith) and kept by updates.
			Fields: func(o *eventsv1.Outcome) bson.M {
				return bson.M{
					"firm_id": o.GetFirmId(), "kind": EnumName(o.GetKind()), "occur": o.GetOccurTime().AsTime(),
					"verified": o.GetVerified(),
				}
			},
		}),
		Settings: NewRepo(db, now, Spec[*eventsv1.MatchmakingSettings]{
			Collection: "matchmaking_settings", What: "对接会设置",
			New:     func() *eventsv1.MatchmakingSettings { return &eventsv1.MatchmakingSettings{} },
			EventID: func(s *eventsv1.MatchmakingSettings) string { return s.GetEventId() },
		}),
		Participants: NewRepo(db, now, Spec[*eventsv1.Participant]{
			Collection: "participants", What: "对接会参会方",
			New:     func() *eventsv1.Participant { return &eventsv1.Participant{} },
			EventID: func(p *eventsv1.Participant) string { return p.GetEventId() },
			Fields: func(p *eventsv1.Participant) bson.M {
				return bson.M{
					"role": int32(p.GetRole()), "firm_id": p.GetFirmId(), "name": p.GetDisplayName(),
					"text":       p.GetDisplayName() + " " + p.GetProfileLine(),
					"industries": strs(enumNames(p.GetIndustries())), "markets": strs(p.GetMarkets()),
				}
			},
			UKey: func(p *eventsv1.Participant) string {
				if p.GetFirmId() == "" {
					return ""
				}
				return "part|" + p.GetEventId() + "|" + p.GetFirmId()
			},
		}),
		Requests: NewRepo(db, now, Spec[*eventsv1.MeetingRequest]{
			Collection: "meeting_requests", What: "会谈请求",
			New:     func() *eventsv1.MeetingRequest { return &eventsv1.MeetingRequest{} },
			EventID: func(r *eventsv1.MeetingRequest) string { return r.GetEventId() },
			Fields: func(r *eventsv1.MeetingRequest) bson.M {
				return bson.M{
					"requester": r.GetRequesterParticipantId(), "recipient": r.GetRecipientParticipantId(),
					"status": EnumName(r.GetStatus()), "created": r.GetCreateTime().AsTime(),
				}
			},
			UKey: func(r *eventsv1.MeetingRequest) string {
				switch r.GetStatus() {
				case eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_PENDING, eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_ACCEPTED:
					a, b := r.GetRequesterParticipantId(), r.GetRecipientParticipantId()
					if b < a {
						a, b = b, a
					}
					return "req|" + r.GetEventId() + "|" + a + "|" + b
				}
				return ""
			},
		}),
		Schedules: NewRepo(db, now, Spec[*eventsv1.Schedule]{
			Collection: "schedules", What: "会谈排程",
			New:     func() *eventsv1.Schedule { return &eventsv1.Schedule{} },
			EventID: func(s *eventsv1.Schedule) string { return s.GetEventId() },
		}),
		Ledger: NewLedger(db),
	}
}

func sessionIDs(r *eventsv1.Registration) []string {
	out := make([]string, 0, len(r.GetAttendance()))
	for _, a := range r.GetAttendance() {
		out = append(out, a.GetSessionId())
	}
	return out
}

// EnsureIndexes creates every collection's indexes.
func (s *Stores) EnsureIndexes(ctx context.Context) error {
	for _, ensure := range []func(context.Context) error{
		s.Events.EnsureIndexes, s.Registrations.EnsureIndexes, s.Booths.EnsureIndexes, s.Certificates.EnsureIndexes,
		s.Feedback.EnsureIndexes, s.Outcomes.EnsureIndexes, s.Settings.EnsureIndexes, s.Participants.EnsureIndexes,
		s.Requests.EnsureIndexes, s.Schedules.EnsureIndexes, s.Ledger.EnsureIndexes,
	} {
		if err := ensure(ctx); err != nil {
			return err
		}
	}
	return nil
}
