package app

import (
	"context"
	"sync"
	"time"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	"github.com/qihang-hz/qihang/services/catalog/adapters"
	"github.com/qihang-hz/qihang/services/catalog/domain"
)

// beltCache keeps the published belts in memory for evaluation, which
// needs the belts of the firm's district and industry on every call (a
// count and a find on the store before). Belts this instance writes mark it
// dirty; other instances' writes move the belts' change stamp, checked every
// refresh.
type beltCache struct {
	refresh time.Duration

	mu      sync.Mutex
	list    []*catalogv1.IndustryBelt
	stamp   int64
	checked time.Time
	loaded  bool
	dirty   bool
}

// publishedBelts returns every published belt, reloading when needed.
func (s *Service) publishedBelts(ctx context.Context) ([]*catalogv1.IndustryBelt, error) {
	c := s.belted
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if c.loaded && !c.dirty && now.Sub(c.checked) < c.refresh {
		return c.list, nil
	}
	stamp, err := s.belts.ChangeStamp(ctx)
	if err != nil {
		return nil, err
	}
	c.checked = now
	if c.loaded && !c.dirty && stamp == c.stamp {
		return c.list, nil
	}
	list, _, err := s.belts.List(ctx, adapters.BeltQuery{Filter: domain.BeltFilter{
		Status: catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED,
	}}, 0, 0)
	if err != nil {
		return nil, err
	}
	c.list, c.stamp, c.loaded, c.dirty = list, stamp, true, false
	return list, nil
}

// beltChanged makes the next evaluation reload the belts.
func (s *Service) beltChanged() {
	s.belted.mu.Lock()
	s.belted.dirty = true
	s.belted.mu.Unlock()
}
