package cli

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backrest/backrest"
	bhttp "github.com/backrest/backrest/http"
)

// choiceValue is a flag holding one of a few words.
type choiceValue struct {
	p     *string
	words []string
}

func (v choiceValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v choiceValue) expected() string { return strings.Join(v.words, " or ") }

func (v choiceValue) Set(s string) error {
	for _, w := range v.words {
		if s == w {
			*v.p = s
			return nil
		}
	}
	return fmt.Errorf("unknown %q", s)
}

// limitValue is a flag of the form N/DURATION, such as 10/15m.
type limitValue struct{ l *backrest.Limit }

func (v limitValue) String() string {
	if v.l == nil {
		return ""
	}
	return fmt.Sprintf("%d/%s", v.l.Burst, v.l.Per)
}

func (v limitValue) expected() string { return "N/DURATION, such as 10/15m" }

func (v limitValue) Set(s string) error {
	n, d, ok := strings.Cut(s, "/")
	if !ok {
		return fmt.Errorf("want N/DURATION, such as 10/15m")
	}
	burst, err := strconv.Atoi(n)
	if err != nil || burst < 0 {
		return fmt.Errorf("bad count %q", n)
	}
	per, err := time.ParseDuration(d)
	if err != nil || per <= 0 {
		return fmt.Errorf("bad duration %q", d)
	}
	*v.l = backrest.Limit{Burst: burst, Per: per}
	return nil
}

// originsValue is a flag holding a comma-separated list of web origins.
type originsValue struct{ p *[]string }

func (v originsValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}

func (v originsValue) expected() string {
	return "comma-separated origins such as http://localhost:5173"
}

func (v originsValue) Set(s string) error {
	var origins []string
	for _, o := range strings.Split(s, ",") {
		if strings.TrimSpace(o) == "" {
			continue
		}
		origin, err := bhttp.ParseOrigin(o)
		if err != nil {
			return err
		}
		origins = append(origins, origin)
	}
	*v.p = origins
	return nil
}

// uint8Value is a flag holding a uint8.
type uint8Value struct{ p *uint8 }

func (v uint8Value) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(int(*v.p))
}

func (v uint8Value) expected() string { return "an integer from 0 to 255" }

func (v uint8Value) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return err
	}
	*v.p = uint8(n)
	return nil
}

// configFlags defines on fs a flag for every setting of cfg, under the headings of
// the help: each flag belongs to the heading started last before it. Each flag NAME
// can also be set by the variable BACKREST_NAME (upper case, - as _); a flag on the
// command line wins over the variable.
func configFlags(fs *flag.FlagSet, cfg *backrest.Config) *settings {
	s := newSettings(fs)
	s.heading("Server and database")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data folder (SQLite file, files, outbox)")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: empty for SQLite in the data folder, or postgres://…")
	fs.Var(choiceValue{&cfg.SQLiteSync, []string{"full", "normal"}}, "sqlite-sync", "when a SQLite commit is durable: full (before it is acknowledged) or normal (faster; a power loss can undo the last second of commits)")
	fs.StringVar(&cfg.Secret, "secret", cfg.Secret, "signing secret (generated and kept in the database when empty)")
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "public URL, for links in mails and __meta__ (default http://ADDR)")
	fs.BoolVar(&cfg.Debug, "debug", cfg.Debug, "debug mode: verbose logs")
	s.heading("Mail")
	fs.StringVar(&cfg.SMTP, "smtp", cfg.SMTP, "smtp://user:pass@host:port or smtps://…; empty writes mails to DATA/outbox")
	fs.StringVar(&cfg.MailFrom, "mail-from", cfg.MailFrom, "sender address of mails")
	fs.StringVar(&cfg.MailTemplates, "mail-templates", cfg.MailTemplates, "folder of mail templates replacing the built-in ones")
	fs.IntVar(&cfg.MailAttempts, "mail-attempts", cfg.MailAttempts, "deliveries of a mail tried before it is given up on")
	fs.DurationVar(&cfg.MailRetry, "mail-retry", cfg.MailRetry, "wait after a failed mail delivery, doubled after each further failure up to 1h")
	fs.StringVar(&cfg.RedirectSignup, "redirect-signup", cfg.RedirectSignup, "where a confirmed sign-up leads")
	fs.StringVar(&cfg.RedirectReset, "redirect-reset", cfg.RedirectReset, "the reset form ({token} is replaced)")
	fs.StringVar(&cfg.RedirectEmail, "redirect-email", cfg.RedirectEmail, "where a confirmed e-mail change leads")
	fs.StringVar(&cfg.RedirectLoginCode, "redirect-login-code", cfg.RedirectLoginCode, "the page completing a sign-in by mailed link ({token} is replaced)")
	fs.StringVar(&cfg.RedirectSignin, "redirect-signin", cfg.RedirectSignin, "where a sign-in or a link with an OpenID Connect provider leads")
	fs.StringVar(&cfg.RedirectSigninError, "redirect-signin-error", cfg.RedirectSigninError, "where a failed sign-in with a provider leads ({error} is replaced by the reason)")
	fs.StringVar(&cfg.RedirectSigninPending, "redirect-signin-pending", cfg.RedirectSigninPending, "where a sign-in with a provider of a user with a second factor leads ({token} is the pending login's)")
	s.heading("Accounts")
	fs.IntVar(&cfg.PasswordMinLength, "password-min-length", cfg.PasswordMinLength, "shortest password accepted")
	fs.Var(uint32Value{&cfg.Argon2.Memory}, "argon2-memory", "argon2id memory in KiB")
	fs.Var(uint32Value{&cfg.Argon2.Time}, "argon2-time", "argon2id passes")
	fs.Var(uint8Value{&cfg.Argon2.Threads}, "argon2-threads", "argon2id parallelism")
	fs.IntVar(&cfg.HashConcurrency, "hash-concurrency", cfg.HashConcurrency, "password hashes run at once at most")
	fs.DurationVar(&cfg.SignupTTL, "signup-ttl", cfg.SignupTTL, "how long a sign-up link works")
	fs.DurationVar(&cfg.ResetTTL, "reset-ttl", cfg.ResetTTL, "how long a reset link works")
	fs.DurationVar(&cfg.EmailTTL, "email-ttl", cfg.EmailTTL, "how long an e-mail change link works")
	fs.DurationVar(&cfg.LoginCodeTTL, "login-code-ttl", cfg.LoginCodeTTL, "how long a mailed sign-in code and link work")
	fs.DurationVar(&cfg.SessionTTL, "session-ttl", cfg.SessionTTL, "how long an unused session lasts")
	fs.Var(oidcValue{&cfg.OIDC}, "oidc", "OpenID Connect providers to sign in with: NAME=ISSUER,CLIENT_ID,CLIENT_SECRET, separated by spaces; register BASE/-/oidc/NAME/callback as the redirect URI")
	s.heading("Requests and files")
	fs.Int64Var(&cfg.BodyLimit, "body-limit", cfg.BodyLimit, "largest JSON request body, in bytes")
	fs.StringVar(&cfg.S3, "s3", cfg.S3, "keep file bytes in an S3-compatible bucket: s3://KEY:SECRET@HOST:PORT/BUCKET[/PREFIX][?region=R&tls=false]; empty: in the data folder")
	fs.Int64Var(&cfg.UploadLimit, "upload-limit", cfg.UploadLimit, "largest uploaded file, in bytes")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", cfg.BodyTimeout, "how long a request body may go without a byte; 0 for no bound")
	fs.Int64Var(&cfg.BodyMinRate, "body-min-rate", cfg.BodyMinRate, "slowest average rate of a request body after body-timeout, bytes per second; 0 for no bound")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "how long a response write may wait for a client that does not read; 0 for no bound")
	fs.Int64Var(&cfg.Quota, "quota", cfg.Quota, "bytes the files of one user may take together; 0 for no bound")
	fs.DurationVar(&cfg.UploadTTL, "upload-ttl", cfg.UploadTTL, "how long an upload that no content holds is kept")
	fs.DurationVar(&cfg.SweepInterval, "sweep-interval", cfg.SweepInterval, "how often expired uploads and orphaned bytes are swept")
	fs.DurationVar(&cfg.SweepGrace, "sweep-grace", cfg.SweepGrace, "age before the sweeper deletes bytes no row names; longer than any request")
	s.heading("Change feed")
	fs.DurationVar(&cfg.EventRetention, "event-retention", cfg.EventRetention, "how long events are kept for clients that reconnect")
	fs.IntVar(&cfg.EventStreamsPerUser, "event-streams-per-user", cfg.EventStreamsPerUser, "open change feeds per user (or client address when anonymous)")
	fs.IntVar(&cfg.EventStreams, "event-streams", cfg.EventStreams, "open change feeds of the instance")
	fs.DurationVar(&cfg.EventHeartbeat, "event-heartbeat", cfg.EventHeartbeat, "how often an idle change feed sends a heartbeat")
	s.heading("Webhooks")
	fs.IntVar(&cfg.WebhookAttempts, "webhook-attempts", cfg.WebhookAttempts, "attempts of a webhook delivery before it is given up on")
	fs.DurationVar(&cfg.WebhookRetry, "webhook-retry", cfg.WebhookRetry, "wait after a failed webhook delivery, doubled after each further failure up to webhook-retry-max")
	fs.DurationVar(&cfg.WebhookRetryMax, "webhook-retry-max", cfg.WebhookRetryMax, "longest wait between attempts of a webhook delivery")
	fs.DurationVar(&cfg.WebhookTimeout, "webhook-timeout", cfg.WebhookTimeout, "how long one attempt of a webhook delivery may take")
	fs.BoolVar(&cfg.WebhookAllowPrivate, "webhook-allow-private", cfg.WebhookAllowPrivate, "let webhooks reach loopback, private and other non-public addresses")
	s.heading("Rate limits")
	rl := &cfg.RateLimits
	fs.Var(limitValue{&rl.LoginFailuresPerAddr}, "limit-login-addr", "failed logins per client address, N/DURATION")
	fs.Var(limitValue{&rl.LoginFailuresPerAccountAddr}, "limit-login-account-addr", "failed logins per account and client address, N/DURATION")
	fs.Var(limitValue{&rl.LoginFailuresPerAccount}, "limit-login-account", "failed logins per account from all addresses, N/DURATION")
	fs.Var(limitValue{&rl.SignupPerAddr}, "limit-signup-addr", "sign-ups per client address, N/DURATION")
	fs.Var(limitValue{&rl.SignupPerAccount}, "limit-signup-account", "sign-ups per e-mail address, N/DURATION")
	fs.Var(limitValue{&rl.ResetPerAddr}, "limit-reset-addr", "reset requests per client address, N/DURATION")
	fs.Var(limitValue{&rl.ResetPerAccount}, "limit-reset-account", "reset requests per account, N/DURATION")
	fs.Var(limitValue{&rl.UploadPerUser}, "limit-upload", "uploads per user, N/DURATION; 0/1h for no bound")
	fs.Var(limitValue{&rl.SigninStartPerAddr}, "limit-signin-start", "starts of sign-ins with a provider or a passkey per client address, N/DURATION")
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", cfg.TrustProxy, "take the client address from X-Forwarded-For")
	fs.Var(originsValue{&cfg.CORSOrigins}, "cors-origins", "comma-separated origins of front ends served elsewhere (such as http://localhost:5173) that may call the API with credentials")
	s.heading("Content")
	fs.StringVar(&cfg.Schema, "schema", cfg.Schema, "content type file (JSON)")
	fs.BoolVar(&cfg.SchemaAllowDestructive, "schema-allow-destructive", cfg.SchemaAllowDestructive, "apply schema changes that remove fields or change their type, losing their data")
	fs.StringVar(&cfg.Public, "public", cfg.Public, "folder of static files served at /")
	s.heading("Operations")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "address serving Prometheus metrics at /metrics (empty: none)")
	fs.Var(choiceValue{&cfg.LogFormat, []string{"text", "json"}}, "log-format", "log lines as text or json (the access log too)")
	fs.Var(choiceValue{&cfg.LogLevel, []string{"debug", "info", "warn", "error"}}, "log-level", "lowest level logged; info logs a line per request")
	fs.DurationVar(&cfg.DrainDelay, "drain-delay", cfg.DrainDelay, "at shutdown, how long readiness fails before the server stops accepting connections")
	return s.end()
}

// uint32Value is a flag holding a uint32.
type uint32Value struct{ p *uint32 }

func (v uint32Value) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatUint(uint64(*v.p), 10)
}

func (v uint32Value) expected() string { return "an integer from 0 to 4294967295" }

func (v uint32Value) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return err
	}
	*v.p = uint32(n)
	return nil
}
