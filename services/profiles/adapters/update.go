package adapters

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// ErrNoChange, returned by an update function, ends the update without a
// write; the update returns the object as read.
var ErrNoChange = errors.New("no change")

// maxAttempts bounds the retries of an update without an expected version
// when other writers keep winning; between attempts the loser waits a random
// time that grows with the attempt (up to maxBackoff), so a crowd of writers
// on one document spreads out instead of colliding again.
const (
	maxAttempts = 100
	maxBackoff  = 50 * time.Millisecond
)

// optimisticUpdate reads an object, applies fn to it and writes it back on
// condition that its version is still the one read. fn sees the object before
// its version is compared with expect, so access checks inside fn decide
// first. With expect > 0 the
// object must be at that version (an API etag) and a lost race is a
// conflict; with expect == 0 a lost race is retried with a fresh read.
//
// get returns the object and its stored version; put writes it with the
// version incremented, conditional on old, and reports whether it matched.
func optimisticUpdate[T any](ctx context.Context, what string, expect int64,
	get func(context.Context) (T, int64, error),
	fn func(T) error,
	put func(ctx context.Context, obj T, old int64) (bool, error),
) (T, error) {
	var zero T
	for attempt := 0; attempt < maxAttempts; attempt++ {
		obj, ver, err := get(ctx)
		if err != nil {
			return zero, err
		}
		// fn runs before the version check: it holds the caller's access
		// checks, and a stale etag must not tell a caller who may not see
		// the object that it exists.
		if err := fn(obj); err != nil {
			if errors.Is(err, ErrNoChange) {
				return obj, nil
			}
			return zero, err
		}
		if expect > 0 && ver != expect {
			return zero, apperr.Conflict("%s已被他人修改（当前版本%d，您提交的是版本%d），请刷新后重试", what, ver, expect)
		}
		ok, err := put(ctx, obj, ver)
		if err != nil {
			return zero, err
		}
		if ok {
			return obj, nil
		}
		if expect > 0 {
			return zero, apperr.Conflict("%s刚刚被他人修改，请刷新后重试", what)
		}
		backoff := min(time.Duration(attempt+1)*time.Millisecond, maxBackoff)
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-time.After(rand.N(backoff) + time.Millisecond):
		}
	}
	return zero, fmt.Errorf("%s: update lost %d races in a row", what, maxAttempts)
}
