package app

import (
	"context"
	"sync"
	"time"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// loginGuard slows password guessing and bounds the memory sign-ins take.
// Each password check is an argon2id hash over 19 MiB, so at most
// hashSlots run at once; a username (known or not, so existence does not
// leak) that fails maxFailures times within failureWindow is refused for
// lockout.
type loginGuard struct {
	slots chan struct{}
	mu    sync.Mutex
	fails map[string]*failures
	now   func() time.Time
}

type failures struct {
	count       int
	first       time.Time
	lockedUntil time.Time
}

const (
	hashSlots     = 4
	maxFailures   = 5
	failureWindow = 15 * time.Minute
	lockout       = 5 * time.Minute
	maxTracked    = 10_000
)

func newLoginGuard(now func() time.Time) *loginGuard {
	return &loginGuard{slots: make(chan struct{}, hashSlots), fails: map[string]*failures{}, now: now}
}

// admit refuses a locked-out username.
func (g *loginGuard) admit(username string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f := g.fails[username]; f != nil && g.now().Before(f.lockedUntil) {
		return apperr.ResourceExhausted("登录失败次数过多，请%d分钟后再试", int(lockout.Minutes()))
	}
	return nil
}

// hash runs check in one of the hashing slots.
func (g *loginGuard) hash(ctx context.Context, check func()) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	check()
	return nil
}

// failed records a failed sign-in.
func (g *loginGuard) failed(username string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if len(g.fails) >= maxTracked {
		for k, f := range g.fails {
			if now.Sub(f.first) > failureWindow && now.After(f.lockedUntil) {
				delete(g.fails, k)
			}
		}
	}
	f := g.fails[username]
	if f == nil || now.Sub(f.first) > failureWindow {
		f = &failures{first: now}
		g.fails[username] = f
	}
	f.count++
	if f.count >= maxFailures {
		f.lockedUntil = now.Add(lockout)
		f.count, f.first = 0, now
	}
}

// succeeded clears a username's failures.
func (g *loginGuard) succeeded(username string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.fails, username)
}
