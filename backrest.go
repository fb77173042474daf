// Package backrest is a ready-made JSON backend for web and mobile front ends: user
// accounts with e-mail confirmation, typed content collections with owners and
// permissions, and files stored transaction-safely.
//
// This package holds the domain: users, errors and the configuration. Each
// dependency has its own package: store (SQLite and PostgreSQL), account (the account
// flows), mail (templates and senders), blob (byte storage) and http (the JSON API).
// The command cmd/backrest wires them together; a Go program can do the same to
// embed backrest.
package backrest

import (
	"runtime"
	"time"
)

// Version is the version of backrest reported by the API and `backrest version`.
const Version = "0.1.0"

// Config is the whole configuration of a backrest server. The zero value is not
// usable; start from DefaultConfig.
type Config struct {
	// Addr is the address the server listens on.
	Addr string
	// DataDir holds the SQLite file, the files, the outbox and mail templates.
	DataDir string
	// DB is empty for SQLite in DataDir, or a postgres:// URL.
	DB string
	// SQLiteSync is "full" (the default): a SQLite commit is durable, power loss
	// included, when it is acknowledged; or "normal": faster, a commit survives a
	// crash of the process at once but a power loss only after the next checkpoint
	// (see store.Options).
	SQLiteSync string
	// Secret signs the tokens of mailed links. When empty, one is generated once and
	// kept in the database, so that restarts and other instances agree.
	Secret string
	// BaseURL is the public URL of the server, for links in mails and __meta__.
	BaseURL string
	// Debug is reported by the app info call and makes logs verbose.
	Debug bool

	// SMTP is smtp://user:pass@host:port or smtps://…; empty writes mails to
	// DataDir/outbox.
	SMTP string
	// MailFrom is the sender address of mails.
	MailFrom string
	// MailTemplates is a folder whose templates replace the built-in ones.
	MailTemplates string
	// MailAttempts is how many times the delivery of a mail is tried before it is
	// given up on (and logged).
	MailAttempts int
	// MailRetry is the wait after a failed delivery, doubled after each further
	// failure up to an hour.
	MailRetry time.Duration

	// RedirectSignup, RedirectReset and RedirectEmail are where confirmation links
	// lead; relative ones are resolved against BaseURL and {token} is replaced.
	RedirectSignup, RedirectReset, RedirectEmail string
	// RedirectLoginCode is where the link of a mailed sign-in code leads: a page
	// that completes the sign-in with the token ({token} is replaced).
	RedirectLoginCode string
	// RedirectSignin is where the browser goes after a sign-in or a link with an
	// OpenID Connect provider; RedirectSigninError after one that failed, with
	// {error} replaced by the reason. Relative ones are resolved against BaseURL.
	RedirectSignin, RedirectSigninError string
	// RedirectSigninPending is where a sign-in with a provider of a user with a
	// second factor leads, with {token} replaced by the pending login's token.
	RedirectSigninPending string

	// OIDC are the OpenID Connect providers users may sign in with.
	OIDC []OIDCProvider

	// PasswordMinLength is the shortest password accepted.
	PasswordMinLength int
	// Argon2 holds the password hash parameters.
	Argon2 Argon2Params
	// HashConcurrency bounds how many password hashes run at once.
	HashConcurrency int

	// SignupTTL, ResetTTL and EmailTTL are how long mailed links work.
	SignupTTL, ResetTTL, EmailTTL time.Duration
	// LoginCodeTTL is how long a mailed sign-in code and its link work.
	LoginCodeTTL time.Duration
	// SessionTTL is how long a session lasts without use; using it extends it.
	SessionTTL time.Duration

	// BodyLimit is the largest JSON request body accepted, in bytes.
	BodyLimit int64
	// RateLimits bound login, sign-up and reset attempts, and uploads.
	RateLimits RateLimits
	// TrustProxy makes the server take the client address from X-Forwarded-For, for
	// deployments behind a reverse proxy or load balancer.
	TrustProxy bool
	// CORSOrigins are the origins of front ends served elsewhere (such as
	// http://localhost:5173) whose pages may call the API with credentials.
	CORSOrigins []string

	// BodyTimeout is how long a request body may go without a byte arriving before
	// the server gives up on it and closes the connection; zero means no bound.
	BodyTimeout time.Duration
	// BodyMinRate is the slowest average rate, in bytes per second, at which a
	// request body may arrive once BodyTimeout has passed; zero means no bound.
	BodyMinRate int64
	// WriteTimeout is how long one write of a response may wait for a client that
	// does not read before the connection is closed; zero means no bound.
	WriteTimeout time.Duration

	// S3 is empty to keep the bytes of files in DataDir/files, or the URL of an
	// S3-compatible bucket to keep them in: s3://KEY:SECRET@HOST:PORT/BUCKET, see
	// blob.ParseS3URL.
	S3 string
	// UploadLimit is the largest file accepted, in bytes. Files sent as data URLs in
	// JSON bodies are also bounded by BodyLimit.
	UploadLimit int64
	// Quota is how many bytes the files of one user may take together, uploads
	// and data URLs alike; zero means no bound.
	Quota int64
	// UploadTTL is how long an uploaded file that no content holds is kept.
	UploadTTL time.Duration
	// SweepInterval is how often expired uploads and orphaned bytes are swept.
	SweepInterval time.Duration
	// SweepGrace is how old bytes that no database row names must be before the
	// sweeper deletes them; younger ones may belong to a request in progress, so it
	// must exceed the longest request.
	SweepGrace time.Duration

	// EventRetention is how long the events of the change feed are kept for
	// clients that reconnect; one that was away longer is told to reload.
	EventRetention time.Duration
	// EventStreamsPerUser bounds the open change feeds of one user (or of one
	// client address, for anonymous callers).
	EventStreamsPerUser int
	// EventStreams bounds the open change feeds of the instance.
	EventStreams int
	// EventHeartbeat is how often an idle change feed sends a comment line, so
	// that proxies keep it open.
	EventHeartbeat time.Duration

	// WebhookAttempts is how many attempts a webhook delivery gets before it is
	// given up on.
	WebhookAttempts int
	// WebhookRetry is the wait after a failed webhook delivery, doubled after
	// each further failure up to WebhookRetryMax.
	WebhookRetry, WebhookRetryMax time.Duration
	// WebhookTimeout bounds one attempt of a webhook delivery.
	WebhookTimeout time.Duration
	// WebhookAllowPrivate lets webhooks reach loopback, private and other
	// non-public addresses.
	WebhookAllowPrivate bool

	// Schema is the path of a content type file (JSON).
	Schema string
	// SchemaAllowDestructive lets a changed schema remove fields or change their
	// type, losing their data; without it such changes are refused at start-up.
	SchemaAllowDestructive bool
	// Public is a folder of static files served at /.
	Public string

	// MetricsAddr is the address serving the Prometheus metrics at /metrics;
	// empty serves none. It is apart from Addr so that metrics are never public
	// by accident.
	MetricsAddr string
	// LogFormat is "text" (the default) or "json", for every log line, the access
	// log included.
	LogFormat string
	// LogLevel is the lowest level logged: "debug", "info" (the default, with a
	// line per request), "warn" or "error". Debug also lowers it to "debug".
	LogLevel string
	// DrainDelay is how long the server keeps answering, with readiness failing,
	// after it is told to stop and before it stops accepting connections, so that
	// a load balancer polling readiness takes it out of rotation first.
	DrainDelay time.Duration
}

// Argon2Params are the parameters of the argon2id password hash.
type Argon2Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// Limit allows Burst events at once, refilled at Burst per Per.
type Limit struct {
	Burst int
	Per   time.Duration
}

// RateLimits are the limits on account calls, per client address and per account.
type RateLimits struct {
	// LoginFailuresPerAddr, LoginFailuresPerAccountAddr and
	// LoginFailuresPerAccount count failed logins only: from one client address
	// (to any account), to one account from one client address, and to one
	// account from all addresses. The last is a looser ceiling against guesses
	// spread over many addresses; the second, tighter, is what one client meets,
	// so that its failures do not lock the account's owner out elsewhere.
	LoginFailuresPerAddr, LoginFailuresPerAccountAddr, LoginFailuresPerAccount Limit
	// SignupPerAddr counts sign-up requests from one client address, and
	// SignupPerAccount those for one address, which each may send a mail.
	SignupPerAddr, SignupPerAccount Limit
	// ResetPerAddr and ResetPerAccount count password reset requests.
	ResetPerAddr, ResetPerAccount Limit
	// UploadPerUser counts the uploads of one user.
	UploadPerUser Limit
	// SigninStartPerAddr counts the starts of sign-ins without a password from
	// one client address (redirects to a provider, passkey options), each of which
	// keeps a challenge in the database until it is used or expires.
	SigninStartPerAddr Limit
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Addr:                  "127.0.0.1:8080",
		DataDir:               "./backrest_data",
		SQLiteSync:            "full",
		MailFrom:              "backrest@localhost",
		MailAttempts:          10,
		MailRetry:             30 * time.Second,
		RedirectSignup:        "/#/welcome",
		RedirectReset:         "/#/reset/{token}",
		RedirectEmail:         "/#/email-changed",
		RedirectLoginCode:     "/#/signin/{token}",
		PasswordMinLength:     8,
		RedirectSignin:        "/#/profile",
		RedirectSigninError:   "/#/login?error={error}",
		RedirectSigninPending: "/#/second-factor?pending={token}",
		// OWASP's recommended minimum for argon2id: 19 MiB, 2 passes, 1 thread.
		Argon2:              Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1},
		HashConcurrency:     runtime.NumCPU(),
		SignupTTL:           7 * 24 * time.Hour,
		ResetTTL:            time.Hour,
		EmailTTL:            24 * time.Hour,
		LoginCodeTTL:        10 * time.Minute,
		SessionTTL:          30 * 24 * time.Hour,
		BodyLimit:           1 << 20,
		BodyTimeout:         30 * time.Second,
		BodyMinRate:         1 << 10,
		WriteTimeout:        30 * time.Second,
		UploadLimit:         1 << 30,
		EventRetention:      24 * time.Hour,
		EventStreamsPerUser: 16,
		EventStreams:        10000,
		EventHeartbeat:      15 * time.Second,
		WebhookAttempts:     20,
		WebhookRetry:        10 * time.Second,
		WebhookRetryMax:     time.Hour,
		WebhookTimeout:      10 * time.Second,
		UploadTTL:           24 * time.Hour,
		SweepInterval:       time.Hour,
		SweepGrace:          time.Hour,
		LogFormat:           "text",
		LogLevel:            "info",
		RateLimits: RateLimits{
			LoginFailuresPerAddr:        Limit{Burst: 30, Per: 10 * time.Minute},
			LoginFailuresPerAccountAddr: Limit{Burst: 10, Per: 15 * time.Minute},
			LoginFailuresPerAccount:     Limit{Burst: 100, Per: time.Hour},
			SignupPerAddr:               Limit{Burst: 30, Per: time.Hour},
			SignupPerAccount:            Limit{Burst: 5, Per: time.Hour},
			ResetPerAddr:                Limit{Burst: 20, Per: time.Hour},
			ResetPerAccount:             Limit{Burst: 5, Per: time.Hour},
			UploadPerUser:               Limit{Burst: 1000, Per: time.Hour},
			SigninStartPerAddr:          Limit{Burst: 60, Per: 10 * time.Minute},
		},
	}
}
