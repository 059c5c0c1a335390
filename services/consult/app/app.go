// Package app holds the consult use cases: experts and their slots, on-site
// clinics, consultations from request to closed case, case notes, the firm
// quota and expert capacity, exports and settings. Every use case checks
// access with the domain's rules; every mutation is audited.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/services/consult/adapters"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// Profiles reads firms from the profiles service with the caller's rights.
type Profiles interface {
	GetFirm(ctx context.Context, id string) (*profilesv1.Firm, error)
	RevealFirmContacts(ctx context.Context, id, reason string) ([]*commonv1.Contact, error)
}

// AuditLog is where mutations are recorded.
type AuditLog interface {
	Append(ctx context.Context, p auth.Principal, r audit.Record)
}

// Service implements the consult use cases.
type Service struct {
	st       *adapters.Store
	profiles Profiles
	ranker   Ranker
	audit    AuditLog
	logger   *slog.Logger
	now      func() time.Time

	sweepMu   *sync.Mutex
	lastSweep *time.Time
}

// Deps are the Service's collaborators.
type Deps struct {
	Store    *adapters.Store
	Profiles Profiles
	// Ranker ranks experts for SuggestExperts (the match service once it
	// exists); nil, or one that fails with UNAVAILABLE, falls back to tag
	// matching.
	Ranker Ranker
	Audit  AuditLog
	Logger *slog.Logger
	Now    func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = Clock
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	var last time.Time
	return &Service{st: d.Store, profiles: d.Profiles, ranker: d.Ranker, audit: d.Audit, logger: d.Logger, now: d.Now,
		sweepMu: &sync.Mutex{}, lastSweep: &last}
}

// WithClock returns a Service sharing s's store and collaborators whose
// clock is now. The demo loader replays consultation histories with it, so
// past sessions pass through the same use cases and rules as live ones.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Clock returns the current time in UTC, truncated to the millisecond.
func Clock() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func denied(what string) error { return apperr.PermissionDenied("无权%s", what) }

// signedIn returns the caller, UNAUTHENTICATED for anonymous callers (the
// authenticator already refuses them; this keeps the use cases closed when
// called directly).
func signedIn(ctx context.Context) (auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return p, apperr.Unauthenticated("请先登录")
	}
	if err := p.CheckScope(); err != nil {
		return p, apperr.PermissionDenied("账号配置不完整：%v", err)
	}
	return p, nil
}

// isSystem reports whether p is the launcher's own identity (demo data),
// the only one that may set ids and the sample flag.
func isSystem(p auth.Principal) bool { return p.AccountID == "system" }

func (s *Service) record(ctx context.Context, p auth.Principal, action, typ, id, version, detail string, assocs []string) {
	if s.audit == nil {
		return
	}
	v, _ := etag.Parse("", version, true)
	s.audit.Append(ctx, p, audit.Record{Action: action, ObjectType: typ, ObjectID: id, ObjectVersion: v, Detail: detail, AssociationIDs: assocs})
}

func ts(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

// actorName is how a principal appears in a consultation's history.
func actorName(p auth.Principal) string {
	if p.Username == "" {
		return "系统"
	}
	return p.Username
}

func addHistory(c *consultv1.Consultation, p auth.Principal, to consultv1.ConsultationStatus, reason string, now time.Time) {
	role := p.Role.Proto()
	name := actorName(p)
	if isSystem(p) && p.Role == auth.RoleSystem {
		role = commonv1.Role_ROLE_UNSPECIFIED
	}
	c.History = append(c.History, &consultv1.StatusChange{
		FromStatus: c.GetStatus(), ToStatus: to, ActorRole: role, ActorName: name, Reason: reason, Time: ts(now),
	})
	c.Status = to
}

// systemActor is the server acting on its own (pickup deadlines, follow-up
// days).
var systemActor = auth.Principal{Role: auth.RoleSystem}

// presentConsultation returns what p sees of c: the contact masked, and
// the meeting link only for the firm's user, the experts on the case and
// coordinators.
func presentConsultation(p auth.Principal, c *consultv1.Consultation) *consultv1.Consultation {
	out := proto.Clone(c).(*consultv1.Consultation)
	if ct := out.GetContact(); ct != nil {
		ct.Phone, ct.Email, ct.Masked = contact.MaskPhone(ct.GetPhone()), contact.MaskEmail(ct.GetEmail()), true
	}
	if !(domain.Coordinates(p, c) || domain.IsFirmUser(p, c) || domain.IsCaseExpert(p, c)) {
		for _, s := range out.GetSessions() {
			s.MeetingUrl = ""
		}
	}
	return out
}

// loadConsultation reads a consultation and checks p may see it:
// PERMISSION_DENIED otherwise, revealing nothing of it.
func (s *Service) loadConsultation(ctx context.Context, p auth.Principal, id string) (*consultv1.Consultation, error) {
	if strings.TrimSpace(id) == "" {
		return nil, apperr.Invalid("id", "请提供咨询id")
	}
	c, err := s.st.Consultations.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !domain.CanSee(p, c) {
		return nil, denied("查看该咨询")
	}
	return c, nil
}

// settings returns the fair-use settings.
func (s *Service) settings(ctx context.Context) (*consultv1.ConsultSettings, error) {
	return s.st.Settings.Get(ctx)
}

// sweepEvery bounds how often reads trigger a sweep of due consultations.
const sweepEvery = 5 * time.Second

// maybeSweep runs Sweep unless one ran within sweepEvery. Reads call it so
// pickup deadlines and follow-up days take effect without a background job.
func (s *Service) maybeSweep(ctx context.Context) {
	now := s.now()
	s.sweepMu.Lock()
	if now.Sub(*s.lastSweep) < sweepEvery && !now.Before(*s.lastSweep) {
		s.sweepMu.Unlock()
		return
	}
	*s.lastSweep = now
	s.sweepMu.Unlock()
	if err := s.Sweep(ctx); err != nil {
		s.logger.WarnContext(ctx, "consult: sweep of due consultations failed", "err", err)
	}
}

// Sweep applies the transitions the server makes on its own at now:
// requests nobody picked up before their deadline return to the
// coordinator queue (an assigned expert comes off the case), and HELD cases
// whose follow-up day has come become FOLLOW_UP_DUE.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	due, err := s.st.Consultations.Due(ctx, now)
	if err != nil {
		return err
	}
	for _, id := range due {
		_, err := s.st.Consultations.Update(ctx, id, 0, now, func(c *consultv1.Consultation) error {
			followUp, queue := domain.DueTransition(c, now)
			switch {
			case followUp:
				addHistory(c, systemActor, domain.FollowUpDue, "回访日期已到", now)
			case queue:
				deadline := c.GetPickupDeadlineTime().AsTime()
				c.ExpertId, c.ExpertName = "", ""
				c.QueueReason, c.QueueTime, c.PickupDeadlineTime = consultv1.QueueReason_QUEUE_REASON_NOT_PICKED_UP, ts(deadline), nil
				addHistory(c, systemActor, domain.Requested, "超时未受理，转协调员处理", now)
			default:
				return errNoChange
			}
			c.UpdateTime = ts(now)
			return nil
		})
		if err != nil {
			return fmt.Errorf("sweep %s: %w", id, err)
		}
	}
	return nil
}

func appendUnique(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
