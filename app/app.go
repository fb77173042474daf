// Package app wires backrest's packages into a running server: it opens the
// database, migrates it, builds the account flows, the mailer and the HTTP handler.
// cmd/backrest is a thin command around it, and a Go program embeds backrest by
// calling New and Serve itself.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/files"
	bhttp "github.com/backrest/backrest/http"
	"github.com/backrest/backrest/mail"
	"github.com/backrest/backrest/metrics"
	"github.com/backrest/backrest/ratelimit"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/webhook"
)

// App is a backrest instance: its database, services and HTTP handler.
type App struct {
	// Config is the configuration in force, with the secret filled in.
	Config   backrest.Config
	DB       *store.DB
	Accounts *account.Service
	// Mail holds the mails waiting for delivery; Serve runs its worker.
	Mail  *mail.Queue
	Files *files.Service
	// Blobs holds the bytes of files.
	Blobs blob.Store
	// Content serves the content types.
	Content *content.Service
	// Webhooks keeps the webhooks; Serve runs its worker, which delivers their
	// events.
	Webhooks *webhook.Service
	Log      *slog.Logger
	// Metrics are the server's Prometheus metrics when Config.MetricsAddr is
	// set, else nil. Serve serves them on that address.
	Metrics *metrics.Metrics
	handler *bhttp.Server
	now     func() time.Time
}

// Options are the optional parts of an App.
type Options struct {
	// Logger receives the logs; nil means slog.Default().
	Logger *slog.Logger
	// Sender delivers mails; nil means SMTP when Config.SMTP is set, else the outbox
	// folder DataDir/outbox.
	Sender mail.Sender
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Blobs stores the bytes of files; nil means the folder DataDir/files.
	Blobs blob.Store
	// FileFault is called at each step of an upload and can make it fail; see
	// files.Options.Fault. Tests set it.
	FileFault func(step string) error
	// ReserveHashProcs gives each password hash a Go processor of its own while it
	// runs (account.Options.ReserveProcs), so that a login flood does not slow
	// other requests. It changes GOMAXPROCS: set it for one App of a program only.
	ReserveHashProcs bool
	// Types are content types registered from Go, served beside those of the
	// schema file (Config.Schema); they may have hooks.
	Types []content.Type
	// MaxCascade bounds the items one deletion may remove through on_delete
	// cascade rules (content.Options.MaxCascade); 0 means the default.
	MaxCascade int
}

// New opens the database of cfg, brings its schema up to date and builds the
// services. Close releases it.
func New(ctx context.Context, cfg backrest.Config, opts Options) (*App, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	var m *metrics.Metrics
	sopts := store.Options{SQLiteSync: cfg.SQLiteSync, Reserve: true}
	if cfg.MetricsAddr != "" {
		m = metrics.New()
		sopts.GroupSize = m.WriteGroup
	}
	db, err := store.OpenWith(ctx, cfg.DB, cfg.DataDir, sopts)
	if err != nil {
		return nil, err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	a := &App{Config: cfg, DB: db, Log: log, Metrics: m, now: opts.Now}
	if a.now == nil {
		a.now = time.Now
	}
	if err := a.init(ctx, opts); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) init(ctx context.Context, opts Options) error {
	// A database that a copy is still filling is not a deployment yet.
	if state, err := a.DB.CopyState(ctx); err != nil {
		return err
	} else if state != nil {
		return fmt.Errorf("the database holds an unfinished copy (its table %s): run the same backrest copy again to finish it", store.CopyProgressTable)
	}
	applied, err := a.DB.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		a.Log.Info("database migrated", "versions", applied)
	}
	if a.Config.Secret == "" {
		a.Config.Secret, err = a.DB.Setting(ctx, "secret", func() (string, error) {
			b := make([]byte, 32)
			_, err := rand.Read(b)
			return hex.EncodeToString(b), err
		})
		if err != nil {
			return err
		}
	}
	sender := opts.Sender
	if sender == nil && a.Config.SMTP != "" {
		if sender, err = mail.NewSMTP(a.Config.SMTP, a.Config.MailFrom); err != nil {
			return err
		}
	} else if sender == nil {
		sender = mail.NewOutbox(filepath.Join(a.Config.DataDir, "outbox"), a.Config.MailFrom, a.Log)
	}
	if a.Metrics != nil {
		sender = a.Metrics.Sender(sender)
	}
	templates, err := mail.LoadTemplates(a.Config.MailTemplates)
	if err != nil {
		return err
	}
	a.Mail = mail.NewQueue(a.DB, templates, sender, mail.QueueOptions{MaxAttempts: a.Config.MailAttempts,
		Backoff: a.Config.MailRetry, Logger: a.Log, Now: opts.Now})
	a.Accounts, err = account.NewService(a.DB, a.Mail, a.accountOptions(opts))
	if err != nil {
		return err
	}
	if a.Config.UploadLimit <= 0 {
		return fmt.Errorf("the upload limit must be positive, not %d", a.Config.UploadLimit)
	}
	if a.Config.Quota < 0 {
		return fmt.Errorf("the quota must be 0 (no bound) or positive, not %d", a.Config.Quota)
	}
	blobs := opts.Blobs
	if blobs == nil {
		if blobs, err = OpenBlobs(a.Config); err != nil {
			return err
		}
	}
	a.Blobs = blobs
	if a.Metrics != nil {
		blobs = blob.Counted(blobs, a.Metrics.BlobWritten)
	}
	a.Files = files.New(a.DB, blobs, files.Options{UploadLimit: a.Config.UploadLimit, Quota: a.Config.Quota,
		UploadTTL: a.Config.UploadTTL, SweepGrace: a.Config.SweepGrace, Sniff: http.DetectContentType,
		Logger: a.Log, Fault: opts.FileFault})
	if err := a.initContent(ctx, opts); err != nil {
		return err
	}
	a.Webhooks = webhook.New(a.DB, a.webhookOptions(opts))
	c := a.Config
	limiter := ratelimit.New(a.DB, c.RateLimits, ratelimit.Options{Now: opts.Now, Logger: a.Log})
	deps := bhttp.Deps{Options: bhttp.Options{BaseURL: c.BaseURL, Debug: c.Debug, Public: c.Public,
		TrustProxy: c.TrustProxy, BodyLimit: c.BodyLimit, UploadLimit: c.UploadLimit,
		BodyTimeout: c.BodyTimeout, BodyMinRate: c.BodyMinRate, WriteTimeout: c.WriteTimeout,
		CORSOrigins:         c.CORSOrigins,
		EventStreamsPerUser: c.EventStreamsPerUser, EventStreams: c.EventStreams, EventHeartbeat: c.EventHeartbeat}, DB: a.DB, Limiter: limiter,
		Accounts: a.Accounts, Files: a.Files, Content: a.Content, Webhooks: a.Webhooks, Logger: a.Log, Blobs: blobs}
	if a.Metrics != nil {
		deps.Observer = a.Metrics
		a.Metrics.Watch(metrics.Sources{Pools: a.DB.Stats, Hashes: a.Accounts.Hasher().Stats, SessionsCreated: a.Accounts.SessionsCreated,
			MailQueue: func(ctx context.Context) (int, int, time.Time, error) { return store.MailQueueStats(ctx, a.DB) }})
	}
	a.handler = bhttp.NewServer(deps)
	return nil
}

// webhookOptions are the webhooks' part of the configuration.
func (a *App) webhookOptions(opts Options) webhook.Options {
	c := a.Config
	return webhook.Options{MaxAttempts: c.WebhookAttempts, Backoff: c.WebhookRetry, MaxBackoff: c.WebhookRetryMax,
		Timeout: c.WebhookTimeout, AllowPrivate: c.WebhookAllowPrivate, Retention: c.EventRetention,
		TypeName: func(name string) (string, bool) {
			t := a.Content.TypeByName(name)
			if t == nil {
				t = a.Content.TypeByPlural(name)
			}
			if t == nil {
				return "", false
			}
			return t.Name, true
		},
		ItemURL: func(typ string, id int64) string {
			if t := a.Content.TypeByName(typ); t != nil {
				return c.BaseURL + "/-/" + t.Plural + "/" + strconv.FormatInt(id, 10)
			}
			return ""
		},
		Logger: a.Log, Now: opts.Now}
}

// accountOptions are the account flows' part of the configuration.
func (a *App) accountOptions(opts Options) account.Options {
	c := a.Config
	return account.Options{
		Secret:  c.Secret,
		BaseURL: c.BaseURL,
		Links:   bhttp.Links{BaseURL: c.BaseURL},
		Redirects: account.Redirects{Signup: c.RedirectSignup, Reset: c.RedirectReset, Email: c.RedirectEmail,
			LoginCode: c.RedirectLoginCode, Signin: c.RedirectSignin, SigninError: c.RedirectSigninError,
			SigninPending: c.RedirectSigninPending},
		OIDC:              c.OIDC,
		OIDCCallback:      bhttp.Links{BaseURL: c.BaseURL}.OIDCCallback,
		PasswordMinLength: c.PasswordMinLength,
		Argon2:            c.Argon2,
		HashConcurrency:   c.HashConcurrency,
		SignupTTL:         c.SignupTTL,
		ResetTTL:          c.ResetTTL,
		EmailTTL:          c.EmailTTL,
		LoginCodeTTL:      c.LoginCodeTTL,
		SessionTTL:        c.SessionTTL,
		Now:               opts.Now,
		// The rules of the user fields that hold a user apply before it goes.
		BeforeDeleteUser: func(ctx context.Context, tx *store.Tx, caller *backrest.User, id backrest.UserID) error {
			return a.Content.ReleaseUser(ctx, tx, caller, id)
		},
		ReserveProcs: opts.ReserveHashProcs,
	}
}

// OpenBlobs returns the store of the bytes of files that cfg names: the S3 bucket
// of cfg.S3, once it has checked that the bucket answers, or the folder
// DataDir/files.
func OpenBlobs(cfg backrest.Config) (blob.Store, error) {
	if cfg.S3 == "" {
		return blob.NewLocal(filepath.Join(cfg.DataDir, "files"))
	}
	s3, err := blob.ParseS3URL(cfg.S3)
	if err != nil {
		return nil, err
	}
	if cfg.UploadLimit > s3.MaxSize() {
		return nil, fmt.Errorf("the upload limit, %d bytes, is more than the 10,000 parts of %d bytes an S3 upload can have: raise part-size in the S3 URL", cfg.UploadLimit, s3.PartSize)
	}
	return blob.NewS3(context.Background(), s3)
}

// initContent builds the content service from the schema file and the types
// registered from Go, and brings their tables up to date.
func (a *App) initContent(ctx context.Context, opts Options) error {
	copts := content.Options{Files: a.Files, AllowDestructive: a.Config.SchemaAllowDestructive,
		Logger: a.Log, Now: opts.Now, MaxCascade: opts.MaxCascade}
	if a.Config.Schema != "" {
		schema, err := content.LoadSchema(a.Config.Schema)
		if err != nil {
			return err
		}
		copts.Types, copts.CategoryGroups = schema.Types, schema.CategoryGroups
		if copts.CategoryGroups == nil {
			// A schema file without groups removes the stored ones; without a
			// schema file they stay as the last one set them.
			copts.CategoryGroups = map[string][]string{}
		}
	}
	copts.Types = append(copts.Types, opts.Types...)
	var err error
	a.Content, err = content.New(ctx, a.DB, copts)
	return err
}

// Handler returns the HTTP handler of the whole API.
func (a *App) Handler() http.Handler { return a.handler }

// Close closes the database.
func (a *App) Close() error {
	a.Accounts.Close()
	return a.DB.Close()
}

// Serve serves the API on ln until ctx ends, then shuts down gracefully: readiness
// fails at once, the server goes on serving for Config.DrainDelay, then stops
// accepting connections and lets requests in flight finish for up to 30 seconds.
// It also runs the periodic upkeep and the delivery of queued mails, and serves
// the metrics on Config.MetricsAddr when it is set.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(a.handler.EndStreams)
	upkeep, stopUpkeep := context.WithCancel(context.WithoutCancel(ctx))
	// The mail and webhook workers are waited for, so that they have recorded the
	// outcome of the deliveries they were making before Close closes the database.
	var mailer sync.WaitGroup
	defer func() {
		stopUpkeep()
		mailer.Wait()
	}()
	go a.upkeep(upkeep, time.Hour)
	go a.sweep(upkeep, a.Config.SweepInterval)
	mailer.Go(func() { a.Mail.Run(upkeep) })
	mailer.Go(func() { a.Webhooks.Run(upkeep) })

	errc := make(chan error, 2)
	var msrv *http.Server
	if a.Metrics != nil {
		mln, err := net.Listen("tcp", a.Config.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.Metrics.Handler())
		msrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: srv.ErrorLog}
		go func() { errc <- fmt.Errorf("metrics: %w", msrv.Serve(mln)) }()
		a.Log.Info("metrics listening", "addr", mln.Addr().String(), "path", "/metrics")
	}
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("backrest listening", "addr", ln.Addr().String(), "url", a.Config.BaseURL)
	select {
	case err := <-errc:
		srv.Close()
		if msrv != nil {
			msrv.Close()
		}
		return err
	case <-ctx.Done():
	}
	a.handler.Drain()
	if d := a.Config.DrainDelay; d > 0 {
		a.Log.Info("shutting down: readiness fails, still serving", "for", d.String())
		time.Sleep(d)
	}
	a.Log.Info("shutting down: finishing requests in flight")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	if msrv != nil {
		// The metrics stay until the last request is answered.
		err = errors.Join(err, msrv.Shutdown(shutdown))
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// upkeep removes expired sessions, unconfirmed sign-ups whose links have expired,
// full rate-limit buckets and events past their retention now and then every
// interval, until ctx ends.
func (a *App) upkeep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.Accounts.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("deleting expired sessions", "err", err)
		} else if n > 0 {
			a.Log.Info("deleted expired sessions", "count", n)
		}
		if n, err := a.Accounts.DeleteExpiredSignups(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("deleting expired sign-ups", "err", err)
		} else if n > 0 {
			a.Log.Info("deleted expired sign-ups", "count", n)
		}
		err := a.DB.InTx(ctx, func(tx *store.Tx) error {
			_, err := store.DeleteFullRateBuckets(ctx, tx, a.now())
			return err
		})
		if err != nil && ctx.Err() == nil {
			a.Log.Error("deleting rate-limit buckets", "err", err)
		}
		var purged int64
		err = a.DB.InTx(ctx, func(tx *store.Tx) error {
			purged, err = store.PurgeEvents(ctx, tx, a.now().Add(-a.Config.EventRetention))
			return err
		})
		if err != nil && ctx.Err() == nil {
			a.Log.Error("purging events", "err", err)
		} else if purged > 0 {
			a.Log.Info("purged events", "count", purged)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep deletes expired uploads and orphaned bytes now and then every interval
// (never again when interval is not positive), until ctx ends.
func (a *App) sweep(ctx context.Context, every time.Duration) {
	for {
		st, err := a.Files.Sweep(ctx)
		if a.Metrics != nil {
			a.Metrics.BlobSwept(st.Blobs.Bytes)
		}
		if err != nil && ctx.Err() == nil {
			a.Log.Error("sweeping files", "err", err)
		} else if st.Uploads > 0 || st.Blobs.Deleted > 0 {
			a.Log.Info("swept files", "expired_uploads", st.Uploads, "orphans", st.Blobs.Deleted, "bytes", st.Blobs.Bytes)
		}
		if every <= 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
