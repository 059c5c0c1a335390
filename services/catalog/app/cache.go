package app

import (
	"context"
	"maps"
	"sort"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/services/catalog/adapters"
	"github.com/qihang-hz/qihang/services/catalog/eligibility"
)

// cachedPolicy is a policy with its compiled rules and the times and keys
// evaluation needs, converted once: ranking thousands of policies per request
// must not convert timestamps or sort messages.
type cachedPolicy struct {
	policy *catalogv1.Policy
	rules  *eligibility.PolicyRules
	// openFrom and openUntil bound when it takes applications (validity
	// narrowed by the application window); zero is open-ended.
	openFrom, openUntil time.Time
	// validUntil is the end of validity (zero: none); past it the policy is
	// expired.
	validUntil time.Time
	benefitCap int64
}

func newCachedPolicy(p *catalogv1.Policy, rules *eligibility.PolicyRules) *cachedPolicy {
	c := &cachedPolicy{policy: p, rules: rules, benefitCap: p.GetBenefit().GetMaxAmountFen()}
	at := func(t interface{ AsTime() time.Time }, ok bool) time.Time {
		if !ok {
			return time.Time{}
		}
		return t.AsTime()
	}
	c.validUntil = at(p.GetValidity().GetEndTime(), p.GetValidity().GetEndTime() != nil)
	if w := eligibility.ApplicationWindow(p.GetValidity(), p.GetApplicationWindow()); w != nil {
		c.openFrom = at(w.GetStartTime(), w.GetStartTime() != nil)
		c.openUntil = at(w.GetEndTime(), w.GetEndTime() != nil)
	}
	return c
}

// expired reports whether validity has ended at now.
func (c *cachedPolicy) expired(now time.Time) bool {
	return !c.validUntil.IsZero() && !now.Before(c.validUntil)
}

// open reports whether the policy takes applications at now (the fast form
// of eligibility.OpenAt, which also says why not).
func (c *cachedPolicy) open(now time.Time) bool {
	return c.policy.GetStatus() == catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED && !c.expired(now) &&
		(c.openFrom.IsZero() || !now.Before(c.openFrom)) && (c.openUntil.IsZero() || now.Before(c.openUntil))
}

// rankOrder sorts policies by benefit cap, highest first, then id: the order
// within a verdict.
func rankOrder(list []*cachedPolicy) {
	sort.Slice(list, func(i, j int) bool {
		if list[i].benefitCap != list[j].benefitCap {
			return list[i].benefitCap > list[j].benefitCap
		}
		return list[i].policy.GetId() < list[j].policy.GetId()
	})
}

// publishedCache keeps every published policy compiled in memory, so that
// evaluating a firm against all of them costs CEL evaluation only. A policy
// this instance writes is applied in place (policyChanged); changes made by
// other instances show in the store's write counter, checked every refresh,
// and reload the set, compiling again only policies whose version changed.
type publishedCache struct {
	refresh time.Duration

	mu       sync.Mutex
	rules    map[string]*cachedPolicy // by id; replaced, never modified, once handed out
	list     []*cachedPolicy
	stamp    adapters.Stamp
	checked  time.Time
	dirty    bool
	loadedOK bool
}

// published returns the compiled published policies in rank order and by
// id (both read-only), reloading when needed.
func (s *Service) published(ctx context.Context) ([]*cachedPolicy, map[string]*cachedPolicy, error) {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if c.loadedOK && !c.dirty && now.Sub(c.checked) < c.refresh {
		return c.list, c.rules, nil
	}
	stamp, err := s.policies.Stamp(ctx)
	if err != nil {
		return nil, nil, err
	}
	c.checked = now
	if c.loadedOK && !c.dirty && stamp == c.stamp {
		return c.list, c.rules, nil
	}
	policies, err := s.policies.ListPublished(ctx)
	if err != nil {
		return nil, nil, err
	}
	next := make(map[string]*cachedPolicy, len(policies))
	list := make([]*cachedPolicy, 0, len(policies))
	for _, p := range policies {
		p.FullText = "" // never evaluated or listed from here; up to 100k characters each
		cp := c.rules[p.GetId()]
		if cp == nil || cp.policy.GetVersion() != p.GetVersion() {
			rules, v := s.engine.CompilePolicy(p)
			if v != nil {
				// Saved policies were checked on save; one that no longer
				// compiles (the environment changed) is left out and logged.
				s.logger.ErrorContext(ctx, "published policy does not compile", "policy", p.GetId(), "error", v.Error())
				continue
			}
			cp = newCachedPolicy(p, rules)
		}
		next[p.GetId()] = cp
		list = append(list, cp)
	}
	rankOrder(list)
	c.rules, c.list, c.stamp, c.dirty, c.loadedOK = next, list, stamp, false, true
	return list, next, nil
}

// policyChanged applies a policy this instance just wrote to the cache
// without reloading the rest: published ones are compiled and put in place,
// others leave. The write counted one store write, so the cache's stamp
// moves by one too; a foreign write in between shows as a mismatch and a
// full reload.
func (s *Service) policyChanged(p *catalogv1.Policy, deleted bool) {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loadedOK || c.dirty {
		c.dirty = true
		return
	}
	c.stamp.Writes++
	// Copy on write: evaluations in flight read the map handed out.
	c.rules = maps.Clone(c.rules)
	delete(c.rules, p.GetId())
	if !deleted && p.GetStatus() == catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED {
		cp := proto.Clone(p).(*catalogv1.Policy)
		cp.FullText = ""
		rules, v := s.engine.CompilePolicy(cp)
		if v == nil {
			c.rules[p.GetId()] = newCachedPolicy(cp, rules)
		}
	}
	list := make([]*cachedPolicy, 0, len(c.rules))
	for _, cp := range c.rules {
		list = append(list, cp)
	}
	rankOrder(list)
	c.list = list
}

// protoName converts a field-mask path to a field name.
func protoName(path string) protoreflect.Name { return protoreflect.Name(path) }

// districtNumbers are the defined district values.
var districtNumbers = func() []int32 {
	var out []int32
	for n := range commonv1.District_name {
		if n != 0 {
			out = append(out, n)
		}
	}
	return out
}()
