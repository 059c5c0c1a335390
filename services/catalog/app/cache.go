package app

import (
	"context"
	"sync"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/services/catalog/adapters"
	"github.com/qihang-hz/qihang/services/catalog/eligibility"
)

// cachedPolicy is a published policy with its compiled rules.
type cachedPolicy struct {
	policy *catalogv1.Policy
	rules  *eligibility.PolicyRules
}

// publishedCache keeps every published policy compiled in memory, so that
// evaluating a firm against all of them costs CEL evaluation only. It
// reloads when this instance changes a policy (invalidate) and, for changes
// made by other instances, when the store's stamp differs after refresh.
// Policies are compiled again only when their version changed.
type publishedCache struct {
	refresh time.Duration

	mu       sync.Mutex
	rules    map[string]*cachedPolicy // by id, of the last load
	list     []*cachedPolicy
	stamp    adapters.Stamp
	checked  time.Time
	dirty    bool
	loadedOK bool
}

func (c *publishedCache) invalidate() {
	c.mu.Lock()
	c.dirty = true
	c.mu.Unlock()
}

// published returns the compiled published policies, reloading when needed.
func (s *Service) published(ctx context.Context) ([]*cachedPolicy, error) {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if c.loadedOK && !c.dirty && now.Sub(c.checked) < c.refresh {
		return c.list, nil
	}
	stamp, err := s.policies.Stamp(ctx)
	if err != nil {
		return nil, err
	}
	c.checked = now
	if c.loadedOK && !c.dirty && stamp == c.stamp {
		return c.list, nil
	}
	policies, err := s.policies.ListPublished(ctx)
	if err != nil {
		return nil, err
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
			cp = &cachedPolicy{policy: p, rules: rules}
		}
		next[p.GetId()] = cp
		list = append(list, cp)
	}
	c.rules, c.list, c.stamp, c.dirty, c.loadedOK = next, list, stamp, false, true
	return list, nil
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
