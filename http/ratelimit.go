package http

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// limiter applies the rate limits: token buckets by key, each of which may spend
// Burst tokens at once and refills at Burst per Per. The buckets live in the
// database (store.ChangeRateBucket), so that every instance on it counts together
// and a restart forgets nothing.
type limiter struct {
	db  *store.DB
	now func() time.Time
	log *slog.Logger
}

// tokens returns what bucket b (found: it exists) holds at now under limit: a
// missing bucket is full.
func tokens(b store.RateBucket, found bool, limit backrest.Limit, now time.Time) float64 {
	if !found {
		return float64(limit.Burst)
	}
	elapsed := max(0, now.Sub(b.Updated).Seconds())
	return math.Min(float64(limit.Burst), b.Tokens+elapsed*rate(limit))
}

// rate is the refill rate of limit, in tokens a second.
func rate(limit backrest.Limit) float64 { return float64(limit.Burst) / limit.Per.Seconds() }

// check returns nil when every key has a token to spend under its limit (a limit
// with no burst is off), or a rate-limit error with the longest wait.
func (l *limiter) check(ctx context.Context, keys []string, limits []backrest.Limit) error {
	var on []string
	for i, k := range keys {
		if limits[i].Burst > 0 {
			on = append(on, k)
		}
	}
	if len(on) == 0 {
		return nil
	}
	buckets, err := store.RateBuckets(ctx, l.db, on)
	if err != nil {
		return err
	}
	now := l.now()
	var longest time.Duration
	for i, k := range keys {
		if limits[i].Burst <= 0 {
			continue
		}
		b, found := buckets[k]
		if t := tokens(b, found, limits[i], now); t < 1 {
			longest = max(longest, time.Duration((1-t)/rate(limits[i])*float64(time.Second)))
		}
	}
	if longest > 0 {
		return &backrest.Error{Code: backrest.ETOOMANY, Message: "Too many attempts; try again later", RetryAfter: longest}
	}
	return nil
}

// spend takes one token from each key, going to zero at least. It goes on when the
// caller's context ends (an attempt counts even if its client hangs up), and a
// failure is logged, not returned: the request goes on.
func (l *limiter) spend(ctx context.Context, keys []string, limits []backrest.Limit) {
	ctx = context.WithoutCancel(ctx)
	now := l.now()
	for i, k := range keys {
		limit := limits[i]
		if limit.Burst <= 0 {
			continue
		}
		err := store.ChangeRateBucket(ctx, l.db, k, func(b store.RateBucket, found bool) (store.RateBucket, time.Time) {
			left := math.Max(0, tokens(b, found, limit, now)-1)
			full := now.Add(time.Duration((float64(limit.Burst) - left) / rate(limit) * float64(time.Second)))
			return store.RateBucket{Tokens: left, Updated: now}, full
		})
		if err != nil {
			l.log.Error("rate limit not counted", "key", k, "err", err)
		}
	}
}

// retryAfter renders a wait as whole seconds, rounded up, for Retry-After.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}
