package app

import (
	"context"
	"sync"
	"time"
)

// associationNamesTTL is how long a firm view trusts an association name
// it read (another instance's rename shows within it; this instance's at
// once).
const associationNamesTTL = 10 * time.Second

// associationNames caches the names of associations for firm views: every
// firm read names its associations, which cost one store read per
// membership on top of the firm's own (the embedded store answers them one
// by one).
type associationNames struct {
	mu sync.Mutex
	m  map[string]cachedName
}

type cachedName struct {
	name string
	live bool // false: deleted or unknown
	at   time.Time
}

// associationNamesOf returns the names of the live associations among ids.
func (s *Service) associationNamesOf(ctx context.Context, ids []string) (map[string]string, error) {
	now := s.now()
	out := make(map[string]string, len(ids))
	var missing []string
	c := &s.names
	c.mu.Lock()
	for _, id := range ids {
		if e, ok := c.m[id]; ok && now.Sub(e.at) < associationNamesTTL {
			if e.live {
				out[id] = e.name
			}
			continue
		}
		missing = append(missing, id)
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	as, err := s.associations.GetMany(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 8192 {
		c.m = map[string]cachedName{}
	}
	for _, id := range missing {
		a, live := as[id]
		e := cachedName{live: live, at: now}
		if live {
			e.name = a.Name
			out[id] = a.Name
		}
		c.m[id] = e
	}
	return out, nil
}

// forgetAssociationName drops a name this instance is changing.
func (s *Service) forgetAssociationName(id string) {
	s.names.mu.Lock()
	delete(s.names.m, id)
	s.names.mu.Unlock()
}
