// Package app holds the catalog use cases: writing, publishing and
// withdrawing support policies with their version history, evaluating firms
// against them, and keeping the industry belts. Every use case checks access
// with the domain's rules; every mutation is audited.
package app

import (
	"context"

	"log/slog"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/services/catalog/adapters"
	"github.com/qihang-hz/qihang/services/catalog/domain"
	"github.com/qihang-hz/qihang/services/catalog/eligibility"
)

// PolicyStore is what the use cases need of policy storage.
type PolicyStore interface {
	Create(ctx context.Context, p *catalogv1.Policy, change adapters.Change) (*catalogv1.Policy, error)
	Get(ctx context.Context, id string) (*catalogv1.Policy, error)
	Update(ctx context.Context, id string, expect int64, fn func(*catalogv1.Policy) (adapters.Change, error)) (*catalogv1.Policy, error)
	Delete(ctx context.Context, id string, expect int64, check func(*catalogv1.Policy) error) error
	List(ctx context.Context, q adapters.ListQuery, offset, limit int) ([]*catalogv1.Policy, int, error)
	ListPublished(ctx context.Context) ([]*catalogv1.Policy, error)
	Stamp(ctx context.Context) (adapters.Stamp, error)
	Versions(ctx context.Context, id string, includeDrafts bool, offset, limit int) ([]*adapters.Version, int, error)
	Version(ctx context.Context, id string, n int32) (*adapters.Version, error)
}

// BeltStore is what the use cases need of belt storage.
type BeltStore interface {
	Create(ctx context.Context, b *catalogv1.IndustryBelt) (*catalogv1.IndustryBelt, error)
	Get(ctx context.Context, id string) (*catalogv1.IndustryBelt, error)
	Update(ctx context.Context, id string, expect int64, remove bool, fn func(*catalogv1.IndustryBelt) error) (*catalogv1.IndustryBelt, error)
	List(ctx context.Context, q adapters.BeltQuery, offset, limit int) ([]*catalogv1.IndustryBelt, int, error)
	// ChangeStamp moves with every belt write of any instance.
	ChangeStamp(ctx context.Context) (int64, error)
}

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

// Service implements the catalog use cases.
type Service struct {
	policies PolicyStore
	belts    BeltStore
	profiles Profiles
	engine   *eligibility.Engine
	audit    AuditLog
	logger   *slog.Logger
	now      func() time.Time
	cache    *publishedCache
	belted   *beltCache
	quick    *limiter
	// programme caches which associations joined the programme (a fact
	// criteria read) for programmeTTL.
	programme *ttlCache[bool]
}

// Deps are the Service's collaborators.
type Deps struct {
	Policies PolicyStore
	Belts    BeltStore
	Profiles Profiles
	Engine   *eligibility.Engine
	Audit    AuditLog
	Logger   *slog.Logger
	Now      func() time.Time
	// CacheRefresh is how often the published-policy and published-belt
	// caches check the store for changes made by other instances (default
	// 10s). Changes made
	// through this instance apply at once.
	CacheRefresh time.Duration
	// QuickChecksPerSecond limits evaluations of unsaved firms per client
	// (account, or address for anonymous callers): default 2 per second,
	// bursts of 20.
	QuickChecksPerSecond float64
}

// New returns a Service.
func New(d Deps) *Service {
	if d.CacheRefresh == 0 {
		d.CacheRefresh = 10 * time.Second
	}
	if d.QuickChecksPerSecond == 0 {
		d.QuickChecksPerSecond = 2
	}
	return &Service{
		policies: d.Policies, belts: d.Belts, profiles: d.Profiles, engine: d.Engine, audit: d.Audit,
		logger: d.Logger, now: d.Now,
		cache:     &publishedCache{refresh: d.CacheRefresh, rules: map[string]*cachedPolicy{}},
		belted:    &beltCache{refresh: d.CacheRefresh},
		quick:     newLimiter(d.QuickChecksPerSecond, 10*d.QuickChecksPerSecond),
		programme: newTTLCache[bool](programmeTTL),
	}
}

// Clock returns the current time in UTC, truncated to the millisecond.
func Clock() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// updateRequest checks the parts every update shares — the object's id, its
// etag and the field mask (nested paths allowed) — and returns the version to
// update at and the paths. resource names the request field ("policy").
func updateRequest(resource string, msg proto.Message, id, etagText string, paths, writable, readOnly []string) (int64, []string, *apperr.ValidationError) {
	paths = fieldmask.Paths(paths)
	v := &apperr.ValidationError{}
	if id == "" {
		v.Add(resource+".id", "请提供要修改对象的id")
	}
	version, err := etag.Parse(resource+".etag", etagText, false)
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	v.Merge("", fieldmask.CheckNested("update_mask", paths, writable, readOnly, msg.ProtoReflect().Descriptor()))
	return version, paths, v
}

func denied() error { return apperr.PermissionDenied("无权执行此操作") }

// programmeTTL is how long an association's programme membership is
// cached: joining the programme is rare and a minute's delay harmless.
const programmeTTL = time.Minute

// ttlCache is a small map whose entries expire.
type ttlCache[V any] struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

func newTTLCache[V any](ttl time.Duration) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, m: map[string]ttlEntry[V]{}}
}

func (c *ttlCache[V]) get(k string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || now.After(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[V]) put(k string, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 10_000 {
		clear(c.m)
	}
	c.m[k] = ttlEntry[V]{v: v, expires: now.Add(c.ttl)}
}

// limiter keeps one token bucket per client key.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate, burst float64) *limiter {
	return &limiter{rate: rate, burst: burst, buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket at now.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) > 10_000 { // forget idle clients
		for k, b := range l.buckets {
			if now.Sub(b.last).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// visible reports a policy as what readers see (EXPIRED derived from time)
// and hides it from those who may not read it.
func (s *Service) visible(p auth.Principal, policy *catalogv1.Policy) (*catalogv1.Policy, error) {
	if !domain.CanReadPolicy(p, policy) {
		return nil, apperr.NotFound("政策%s不存在", policy.GetId())
	}
	policy.Status = domain.EffectiveStatus(policy.GetStatus(), policy.GetValidity(), s.now())
	return policy, nil
}
