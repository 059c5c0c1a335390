// Package app holds the events use cases: events and their lifecycle,
// registrations with capacity, waiting lists and quotas, nominations,
// check-in and attendance, booths, certificates, feedback, the outcomes
// ledger, spreadsheet exports, and the 1:1 meetings of matchmaking events
// with the scheduler. Every use case checks access with the domain's rules;
// every mutation is audited.
package app

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

// Profiles reads firms and associations from the profiles service with the
// caller's rights.
type Profiles interface {
	GetFirm(ctx context.Context, id string) (*profilesv1.Firm, error)
	GetAssociation(ctx context.Context, id string) (*profilesv1.Association, error)
}

// AuditLog is where mutations are recorded.
type AuditLog interface {
	Append(ctx context.Context, p auth.Principal, r audit.Record)
}

// Service implements the events use cases.
type Service struct {
	st       *adapters.Stores
	profiles Profiles
	audit    AuditLog
	logger   *slog.Logger
	now      func() time.Time
	// maxMeetings is the scheduler's hard limit of accepted meetings per run.
	maxMeetings int
}

// Deps are the Service's collaborators.
type Deps struct {
	Stores   *adapters.Stores
	Profiles Profiles
	Audit    AuditLog
	Logger   *slog.Logger
	Now      func() time.Time
	// MaxMeetings is the most accepted meetings one scheduler run takes
	// (default 10,000).
	MaxMeetings int
}

// New returns a Service.
func New(d Deps) *Service {
	if d.MaxMeetings == 0 {
		d.MaxMeetings = 10_000
	}
	return &Service{st: d.Stores, profiles: d.Profiles, audit: d.Audit, logger: d.Logger, now: d.Now, maxMeetings: d.MaxMeetings}
}

// WithMaxMeetings returns a copy of s with another hard limit on the
// meetings of one scheduler run (the limit is a deployment setting).
func (s *Service) WithMaxMeetings(n int) *Service {
	c := *s
	c.maxMeetings = n
	return &c
}

// Clock returns the current time in UTC, truncated to the millisecond.
func Clock() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func denied() error { return apperr.PermissionDenied("无权执行此操作") }

func (s *Service) record(ctx context.Context, action, objectType, id, etagText, detail string) {
	v, _ := etag.Parse("etag", etagText, true)
	s.audit.Append(ctx, auth.FromContext(ctx), audit.Record{
		Action: action, ObjectType: objectType, ObjectID: id, ObjectVersion: v, Detail: detail,
	})
}

// optionalEtag parses an optional etag of a request.
func optionalEtag(field, text string) (int64, error) { return etag.Parse(field, text, true) }

// updateMask checks the parts every update shares — the object's id, its
// etag and the field mask — and returns the version and the paths.
func updateMask(resource, id, etagText string, paths, writable, readOnly []string) (int64, []string, error) {
	paths = fieldmask.TopLevel(paths)
	v := &apperr.ValidationError{}
	if id == "" {
		v.Add(resource+".id", "请提供要修改对象的id")
	}
	version, err := etag.Parse(resource+".etag", etagText, false)
	if ve, ok := apperr.AsValidation(err); ok {
		v.Merge("", ve)
	}
	v.Merge("", fieldmask.Check("update_mask", paths, writable, readOnly))
	return version, paths, v.Err()
}

// profileErr turns a profiles lookup failure into this service's error:
// a firm or association the caller may not read is "not found" here too.
func profileErr(err error, what, id string) error {
	switch status.Code(err) {
	case codes.NotFound, codes.PermissionDenied, codes.InvalidArgument:
		return apperr.NotFound("%s%s不存在", what, id)
	case codes.Unavailable, codes.DeadlineExceeded:
		return apperr.Unavailable(err, "暂时无法读取企业和协会资料，请稍后重试")
	}
	return err
}

func clone[T proto.Message](m T) T { return proto.Clone(m).(T) }

// getEvent reads an event as p sees it: NOT_FOUND when p may not read it,
// with its effective status and counts.
func (s *Service) getEvent(ctx context.Context, p auth.Principal, id string) (*eventsv1.Event, int64, error) {
	if id == "" {
		return nil, 0, apperr.Invalid("event_id", "请提供活动id")
	}
	e, v, err := s.st.Events.Get(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if !domain.CanReadEvent(p, e) {
		return nil, 0, apperr.NotFound("活动%s不存在", id)
	}
	seats, err := s.st.Ledger.Get(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	s.present(e, seats)
	return e, v, nil
}

// organisedEvent reads an event p must organise: PERMISSION_DENIED for a role
// that never organises (without a lookup) and for a readable event of
// another district, NOT_FOUND for what p may not read.
func (s *Service) organisedEvent(ctx context.Context, p auth.Principal, id string) (*eventsv1.Event, int64, error) {
	if !domain.MayOrganise(p) {
		return nil, 0, denied()
	}
	e, v, err := s.getEvent(ctx, p, id)
	if err != nil {
		return nil, 0, err
	}
	if !domain.IsOrganiser(p, e) {
		return nil, 0, apperr.PermissionDenied("只有活动的主办方可以执行此操作")
	}
	return e, v, nil
}

// present sets the output-only facts of an event for readers.
func (s *Service) present(e *eventsv1.Event, seats *adapters.Seats) {
	e.Status = domain.EffectiveStatus(e, s.now())
	if seats != nil {
		e.ConfirmedCount, e.PendingCount, e.WaitlistedCount = seats.Confirmed, seats.Pending, seats.Waitlisted
		e.BoothsGranted = seats.BoothsGranted
	}
}

// errNoChange ends an update without a write.
var errNoChange = store.ErrNoChange

func auditRecord(action, objectType, id string, version int64, detail string) audit.Record {
	return audit.Record{Action: action, ObjectType: objectType, ObjectID: id, ObjectVersion: version, Detail: detail}
}
