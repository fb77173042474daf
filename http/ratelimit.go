package http

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/backrest/backrest"
)

// limiter keeps token buckets by key: each key may spend Burst tokens at once, which
// refill at Burst per Per. It lives in one process; behind a load balancer each
// instance counts on its own.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
	limit  backrest.Limit
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{buckets: map[string]*bucket{}, now: now}
}

// get returns the bucket of key refilled up to now; the caller holds the lock.
func (l *limiter) get(key string, limit backrest.Limit, now time.Time) *bucket {
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(limit.Burst), last: now, limit: limit}
		l.buckets[key] = b
		return b
	}
	rate := float64(limit.Burst) / limit.Per.Seconds()
	b.tokens = math.Min(float64(limit.Burst), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	return b
}

// wait returns how long until key has a whole token (0 when it has one now).
func (l *limiter) wait(key string, limit backrest.Limit) time.Duration {
	if limit.Burst <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.get(key, limit, l.now())
	if b.tokens >= 1 {
		return 0
	}
	rate := float64(limit.Burst) / limit.Per.Seconds()
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// spend takes one token from key, going to zero at least.
func (l *limiter) spend(key string, limit backrest.Limit) {
	if limit.Burst <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.get(key, limit, now)
	b.tokens = math.Max(0, b.tokens-1)
	l.sweep(now)
}

// sweep forgets buckets that have refilled completely, once a minute at most; the
// caller holds the lock.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.last) >= b.limit.Per {
			delete(l.buckets, k)
		}
	}
}

// check returns nil when every key has a token to spend, or a rate-limit error
// with the longest wait.
func (l *limiter) check(keys []string, limits []backrest.Limit) error {
	var longest time.Duration
	for i, k := range keys {
		longest = max(longest, l.wait(k, limits[i]))
	}
	if longest > 0 {
		return &backrest.Error{Code: backrest.ETOOMANY, Message: "Too many attempts; try again later", RetryAfter: longest}
	}
	return nil
}

// retryAfter renders a wait as whole seconds, rounded up, for Retry-After.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}
