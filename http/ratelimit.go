package http

import (
	"context"
	"math"
	"strconv"
	"time"
)

// Limiter bounds the account calls that guess passwords, create accounts or send
// mail, and uploads. Each method reserves one attempt before the work it bounds, or returns
// an ETOOMANY error; addr is the client address the limits count by.
type Limiter interface {
	// Signup reserves a sign-up request for email, empty when the request names
	// none.
	Signup(ctx context.Context, addr, email string) error
	// Upload reserves an upload by the user with the id user.
	Upload(ctx context.Context, user string) error
	// Reset reserves a password reset request for email, empty when the request
	// names none.
	Reset(ctx context.Context, addr, email string) error
	// Login reserves a login attempt for the account login names; LoginDone
	// must end it.
	Login(ctx context.Context, addr, login string) error
	// LoginDone ends a login attempt: only a failed one counts.
	LoginDone(ctx context.Context, addr, login string, failed bool)
	// LoginCode reserves a request for a mailed sign-in code for email.
	LoginCode(ctx context.Context, addr, email string) error
	// SigninStart reserves the start of a sign-in without a password (a redirect
	// to a provider, passkey options), which keeps a challenge until it is used.
	SigninStart(ctx context.Context, addr string) error
}

// retryAfter renders a wait as whole seconds, rounded up, for Retry-After.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}
