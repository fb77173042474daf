// Package ratelimit owns backrest's rate limits: the policy, which limits bound
// logins, sign-ups, reset requests and uploads and what each counts by (the client
// address, the account, the user, or several), and the token buckets that enforce it. The
// buckets are kept in the database (the table's statements live in store), so
// that every instance on it counts together and a restart forgets nothing.
//
// An attempt takes its tokens before the work it bounds, atomically, or is
// refused: a burst of concurrent attempts never gets more evaluated than a bucket
// holds. A login that does not fail gives its tokens back, so that only failed
// logins count; a login refused while attempts of this instance hold its
// buckets' tokens waits for their outcome instead, so that honest logins at the
// same instant are not refused for the tokens they will give back.
package ratelimit

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Limiter reserves attempts under the configured limits.
type Limiter struct {
	db     *store.DB
	limits backrest.RateLimits
	now    func() time.Time
	log    *slog.Logger

	// mu guards the logins in progress on this instance: busy counts, by bucket
	// name, those taking or holding a token of it; given counts those that gave
	// theirs back; done is closed and replaced whenever one stops being busy.
	mu    sync.Mutex
	busy  map[string]int
	given uint64
	done  chan struct{}
}

// Options are the optional dependencies of a Limiter.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the failures to give tokens back; nil means slog.Default.
	Logger *slog.Logger
}

// New returns a Limiter that keeps its buckets in db. A limit with no burst is
// off; when all are, the Limiter never touches the database.
func New(db *store.DB, limits backrest.RateLimits, opts Options) *Limiter {
	l := &Limiter{db: db, limits: limits, now: opts.Now, log: opts.Logger, busy: map[string]int{}, done: make(chan struct{})}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	return l
}

// Signup reserves a sign-up request from the client address addr for the address
// email (empty when the request names none), or returns an ETOOMANY error. The
// address's bucket bounds the mails that sign-ups from many client addresses
// send to one mailbox; it is spent whether or not the address has an account.
func (l *Limiter) Signup(ctx context.Context, addr, email string) error {
	takes := l.bucket("signup:"+addrKey(addr), l.limits.SignupPerAddr)
	if email != "" {
		takes = append(takes, l.bucket("signup-account:"+accountKey(email), l.limits.SignupPerAccount)...)
	}
	return l.take(ctx, takes)
}

// SigninStart reserves the start of a sign-in without a password from the client
// address addr, or returns an ETOOMANY error.
func (l *Limiter) SigninStart(ctx context.Context, addr string) error {
	return l.take(ctx, l.bucket("signin-start:"+addrKey(addr), l.limits.SigninStartPerAddr))
}

// Upload reserves an upload by the user with the id user, or returns an
// ETOOMANY error.
func (l *Limiter) Upload(ctx context.Context, user string) error {
	return l.take(ctx, l.bucket("upload:"+user, l.limits.UploadPerUser))
}

// Reset reserves a password reset request from addr for the address email (empty
// when the request names none), or returns an ETOOMANY error.
func (l *Limiter) Reset(ctx context.Context, addr, email string) error {
	takes := l.bucket("reset:"+addrKey(addr), l.limits.ResetPerAddr)
	if email != "" {
		takes = append(takes, l.bucket("reset-account:"+accountKey(email), l.limits.ResetPerAccount)...)
	}
	return l.take(ctx, takes)
}

// LoginCode reserves a request from addr for a mailed sign-in code to the
// address email, or returns an ETOOMANY error. It counts under the limits of
// reset requests, in buckets of its own: both send a mail that signs in.
func (l *Limiter) LoginCode(ctx context.Context, addr, email string) error {
	takes := l.bucket("login-code:"+addrKey(addr), l.limits.ResetPerAddr)
	takes = append(takes, l.bucket("login-code-account:"+accountKey(email), l.limits.ResetPerAccount)...)
	return l.take(ctx, takes)
}

// Login reserves a login attempt from addr for the account login names, or
// returns an ETOOMANY error (or ctx's error while it waits). The attempt must be
// ended with LoginDone.
func (l *Limiter) Login(ctx context.Context, addr, login string) error {
	takes := l.loginBuckets(addr, login)
	if len(takes) == 0 {
		return nil
	}
	for {
		// Busy before taking: a login refused for the token this one takes
		// then sees that it may come back.
		l.mu.Lock()
		given := l.given
		l.add(takes, 1)
		l.mu.Unlock()
		now := l.now()
		refused, err := store.TakeRateTokens(ctx, l.db, now, takes)
		if err == nil && len(refused) == 0 {
			return nil
		}
		l.mu.Lock()
		l.add(takes, -1)
		l.mu.Unlock()
		if err != nil {
			return err
		}
		if !l.awaitGiven(ctx, refused, given) {
			if err := ctx.Err(); err != nil {
				return err
			}
			return tooMany(refused, now)
		}
	}
}

// add adds d to the busy count of each bucket of takes; when it lowers them,
// those waiting look again. l.mu must be held.
func (l *Limiter) add(takes []store.RateTake, d int) {
	for _, t := range takes {
		if l.busy[t.Name] += d; l.busy[t.Name] <= 0 {
			delete(l.busy, t.Name)
		}
	}
	if d < 0 {
		close(l.done)
		l.done = make(chan struct{})
	}
}

// awaitGiven waits while logins of this instance take or hold tokens of a
// refused bucket, and reports whether one of them gave its tokens back (since
// given counted them), so that taking again may succeed.
func (l *Limiter) awaitGiven(ctx context.Context, refused []store.RateRefusal, given uint64) bool {
	for {
		l.mu.Lock()
		if l.given != given {
			l.mu.Unlock()
			return true
		}
		busy := false
		for _, r := range refused {
			busy = busy || l.busy[r.Name] > 0
		}
		done := l.done
		l.mu.Unlock()
		if !busy {
			return false
		}
		select {
		case <-done:
		case <-ctx.Done():
			return false
		}
	}
}

// LoginDone ends the attempt that Login reserved with the same arguments: one
// that did not fail gives its tokens back. It goes on when ctx ends, and a
// failure to give back is logged, not returned: the login has happened.
func (l *Limiter) LoginDone(ctx context.Context, addr, login string, failed bool) {
	takes := l.loginBuckets(addr, login)
	if len(takes) == 0 {
		return
	}
	if !failed {
		if err := store.GiveBackRateTokens(context.WithoutCancel(ctx), l.db, takes); err != nil {
			l.log.Error("rate limit not given back", "err", err)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !failed {
		l.given++
	}
	l.add(takes, -1)
}

// loginBuckets are the buckets a login attempt takes from: its client address's
// (whatever the account), its account's from that address, and its account's from
// every address, a looser ceiling against guesses spread over many addresses.
// Someone else's failures from another address thus leave an account's owner
// their own bucket.
func (l *Limiter) loginBuckets(addr, login string) []store.RateTake {
	a, acct := addrKey(addr), accountKey(login)
	takes := l.bucket("login:"+a, l.limits.LoginFailuresPerAddr)
	takes = append(takes, l.bucket("login-account-addr:"+a+" "+acct, l.limits.LoginFailuresPerAccountAddr)...)
	return append(takes, l.bucket("login-account:"+acct, l.limits.LoginFailuresPerAccount)...)
}

// bucket returns the bucket name under limit as a take, or none when the limit
// is off.
func (l *Limiter) bucket(name string, limit backrest.Limit) []store.RateTake {
	if limit.Burst <= 0 || limit.Per <= 0 {
		return nil
	}
	return []store.RateTake{{Name: name, Interval: limit.Per / time.Duration(limit.Burst), Capacity: limit.Per}}
}

// take takes a token from each bucket of takes, or none and returns an ETOOMANY
// error.
func (l *Limiter) take(ctx context.Context, takes []store.RateTake) error {
	if len(takes) == 0 {
		return nil
	}
	now := l.now()
	refused, err := store.TakeRateTokens(ctx, l.db, now, takes)
	if err != nil || len(refused) == 0 {
		return err
	}
	return tooMany(refused, now)
}

// tooMany returns the ETOOMANY error of a refusal at now, with the longest wait
// until every refusing bucket has a token again.
func tooMany(refused []store.RateRefusal, now time.Time) error {
	var wait time.Duration
	for _, r := range refused {
		wait = max(wait, r.Full.Add(r.Interval-r.Capacity).Sub(now))
	}
	return &backrest.Error{Code: backrest.ETOOMANY, Message: "Too many attempts; try again later", RetryAfter: max(wait, time.Second)}
}

// addrKey is the part of a bucket's name that names a client address: an IPv6
// address by its /64 prefix, the smallest block a client is commonly given, so
// that one client cannot count as many by changing its address within it.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is6() || ip.Is4In6() {
		return addr
	}
	p, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

// accountKey is the part of a bucket's name that names an account by the address
// given for it. Addresses are at most 254 bytes, so a longer one is cut there: it
// cannot name an account, and a flood of huge names cannot fill the table.
func accountKey(email string) string {
	if len(email) > 254 {
		email = email[:254]
	}
	return store.EmailKey(email)
}
