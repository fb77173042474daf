// Package webhook POSTs the events of the change log to the URLs that admins
// configure, signed, at least once, in order per item, retried with exponential
// backoff until acknowledged.
//
// An event reaches a webhook in two steps. First it is queued: the worker copies
// the events of the log after the webhook's cursor (queued_to) into deliveries,
// those that the webhook's types and kinds cover, and moves the cursor, in one
// transaction; a delivery then no longer needs the log, which is purged after its
// retention. Then it is delivered: a worker claims the due deliveries, each the
// first of its item (the later ones wait until it ends), for a lease, POSTs them
// and records the outcome. Several instances on one PostgreSQL database share
// both steps: a webhook being queued is locked, and the others wait for it; a
// delivery being claimed is locked, and the others skip it (SKIP LOCKED); a lease
// that ends (an instance stopped mid-delivery) lets another instance take the
// delivery again.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Webhook is a configured webhook with the state of its deliveries.
type Webhook = store.Webhook

// Delivery is one event to POST to one webhook, with the state of its attempts.
type Delivery = store.Delivery

// The kinds of change a webhook may cover, those of the event log.
var Kinds = []string{"create", "update", "delete"}

// The states of a delivery.
const (
	Pending = store.DeliveryPending
	// Waiting is a delivery behind an earlier one of its item, shown as pending
	// in the admin API.
	Waiting   = store.DeliveryWaiting
	Delivered = store.DeliveryDelivered
	Failed    = store.DeliveryFailed
)

// Options tune a Service; zero fields take the defaults.
type Options struct {
	// MaxAttempts is how many attempts a delivery gets before it is given up
	// on; 20 by default.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubled after each
	// further one up to MaxBackoff; 10 seconds and 1 hour by default.
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one attempt, from connecting to reading the answer; 10
	// seconds by default.
	Timeout time.Duration
	// Lease is how long a worker holds the deliveries it took before another may
	// take them, for a worker that stopped mid-delivery; by default twice
	// Timeout and 5 seconds. It must exceed the longest attempt.
	Lease time.Duration
	// Poll is how often the worker looks for work when nothing woke it; 30
	// seconds by default.
	Poll time.Duration
	// Concurrency is how many deliveries a worker sends at once; 8 by default.
	Concurrency int
	// Retention is how long delivered and failed deliveries are kept for the
	// admin API; 24 hours by default.
	Retention time.Duration
	// AllowPrivate lets webhooks reach loopback, private, link-local and other
	// non-public addresses, which are refused by default (see README, SSRF).
	AllowPrivate bool
	// TypeName returns the name of the content type of a name or plural, false
	// when there is none.
	TypeName func(string) (string, bool)
	// ItemURL returns the URL of an item of a type, empty when unknown.
	ItemURL func(typ string, id int64) string
	// Logger receives deliveries given up on and the worker's errors; nil means
	// slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service keeps the webhooks and delivers their events.
type Service struct {
	db     *store.DB
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	client *http.Client
	wake   chan struct{}
}

// New returns a Service on db.
func New(db *store.DB, opts Options) *Service {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 20
	}
	def(&opts.Backoff, 10*time.Second)
	def(&opts.MaxBackoff, time.Hour)
	def(&opts.Timeout, 10*time.Second)
	def(&opts.Lease, 2*opts.Timeout+5*time.Second)
	def(&opts.Poll, 30*time.Second)
	def(&opts.Retention, 24*time.Hour)
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.TypeName == nil {
		opts.TypeName = func(string) (string, bool) { return "", false }
	}
	s := &Service{db: db, opts: opts, log: opts.Logger, now: opts.Now, wake: make(chan struct{}, 1)}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.client = newClient(opts.Timeout, opts.AllowPrivate)
	return s
}

var errNotAdmin = backrest.Errorf(backrest.EFORBIDDEN, "Only admins may do this")

func requireAdmin(caller *backrest.User) error {
	if caller == nil || !caller.IsAdmin() {
		return errNotAdmin
	}
	return nil
}

// Input is a webhook's configuration as an admin gives it; nil fields were not
// given.
type Input struct {
	// URL is where events are POSTed: http or https.
	URL *string
	// Types are names (or plurals) of content types; empty covers every type,
	// and so does nil for a new webhook.
	Types *[]string
	// Kinds are kinds of change (create, update, delete); nil for a new webhook
	// covers all three.
	Kinds *[]string
	// Secret is the key of the signatures; nil for a new webhook generates one.
	Secret *string
	// RotateSecret replaces the secret of a webhook by a generated one.
	RotateSecret bool
	// Active is whether the webhook's events are delivered; a new webhook is
	// active unless it is false. The events of an inactive webhook are still
	// queued, and delivered once it is active again.
	Active *bool
}

// The bounds of a given secret and of a URL, in bytes.
const (
	minSecret = 16
	maxSecret = 256
	maxURL    = 2000
)

// check records what is wrong with in and applies the rest to w.
func (s *Service) check(v *backrest.Validation, w *Webhook, in Input) {
	if in.URL != nil {
		if msg := s.checkURL(*in.URL); msg != "" {
			v.Body("url", msg)
		}
		w.URL = *in.URL
	}
	if in.Types != nil {
		w.Types = []string{}
		for _, t := range *in.Types {
			name, ok := s.opts.TypeName(t)
			if !ok {
				v.Body("types", "Unknown content type: "+quote(t))
				break
			}
			if !slices.Contains(w.Types, name) {
				w.Types = append(w.Types, name)
			}
		}
	}
	if in.Kinds != nil {
		w.Kinds = []string{}
		for _, k := range *in.Kinds {
			if !slices.Contains(Kinds, k) {
				v.Body("kinds", "Each kind must be create, update or delete, not "+quote(k))
				break
			}
			if !slices.Contains(w.Kinds, k) {
				w.Kinds = append(w.Kinds, k)
			}
		}
		if len(*in.Kinds) == 0 {
			v.Body("kinds", "Give at least one of create, update and delete")
		}
		// Stored in the order of Kinds, whatever the order given.
		slices.SortFunc(w.Kinds, func(a, b string) int { return slices.Index(Kinds, a) - slices.Index(Kinds, b) })
	}
	if in.Secret != nil {
		if in.RotateSecret {
			v.Body("secret", "Give a secret or rotate_secret, not both")
		}
		if !validSecret(*in.Secret) {
			v.Body("secret", "Must be 16 to 256 printable ASCII characters without spaces")
		}
		w.Secret = *in.Secret
	}
	if in.Active != nil {
		w.Active = *in.Active
	}
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "�") + `"`
}

func validSecret(s string) bool {
	if len(s) < minSecret || len(s) > maxSecret {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// checkURL returns what is wrong with the URL of a webhook, empty when nothing.
func (s *Service) checkURL(raw string) string {
	if len(raw) > maxURL {
		return "Must be at most 2000 bytes"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "Must be an absolute http:// or https:// URL"
	}
	if u.Port() != "" {
		if p := u.Port(); len(p) > 5 || strings.Trim(p, "0123456789") != "" {
			return "Must be an absolute http:// or https:// URL"
		}
	}
	if s.opts.AllowPrivate {
		return ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	ip, err := netip.ParseAddr(host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || (err == nil && !public(ip)) {
		return "Must not lead to a loopback, private or other non-public address (allowed by BACKREST_WEBHOOK_ALLOW_PRIVATE)"
	}
	return ""
}

// newSecret returns a generated secret: whsec_ and 32 random bytes in base64url.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// List returns every webhook with the state of its deliveries, without their
// secrets.
func (s *Service) List(ctx context.Context, caller *backrest.User) ([]*Webhook, error) {
	if err := requireAdmin(caller); err != nil {
		return nil, err
	}
	ws, err := store.ListWebhooks(ctx, s.db)
	for _, w := range ws {
		w.Secret = ""
	}
	return ws, err
}

// Get returns the webhook of the id, without its secret; unknown is ENOTFOUND.
func (s *Service) Get(ctx context.Context, caller *backrest.User, id int64) (*Webhook, error) {
	if err := requireAdmin(caller); err != nil {
		return nil, err
	}
	w, err := store.GetWebhook(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	w.Secret = ""
	return w, nil
}

// Create adds a webhook, which receives the events logged from now on. A
// generated secret is in the webhook returned, the only time it is shown; a
// given one is not.
func (s *Service) Create(ctx context.Context, caller *backrest.User, in Input) (*Webhook, error) {
	if err := requireAdmin(caller); err != nil {
		return nil, err
	}
	w := &Webhook{Types: []string{}, Kinds: slices.Clone(Kinds), Active: true}
	var v backrest.Validation
	if in.URL == nil {
		v.Body("url", "Required: the http:// or https:// URL to POST events to")
	}
	if in.RotateSecret {
		v.Body("rotate_secret", "Only for an existing webhook: a new one gets a secret")
	}
	s.check(&v, w, in)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var secret string
	if in.Secret == nil {
		w.Secret = newSecret()
		secret = w.Secret
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		id, err := store.CreateWebhook(ctx, tx, w, s.now())
		w.ID = id
		return err
	})
	if err != nil {
		return nil, err
	}
	if w, err = store.GetWebhook(ctx, s.db, w.ID); err != nil {
		return nil, err
	}
	w.Secret = secret
	return w, nil
}

// Update changes the fields of in that are given. Narrowing the types or kinds
// drops the pending deliveries no longer covered. The secret is in the webhook
// returned when it was rotated, else it is empty.
func (s *Service) Update(ctx context.Context, caller *backrest.User, id int64, in Input) (*Webhook, error) {
	if err := requireAdmin(caller); err != nil {
		return nil, err
	}
	var secret string
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		w, err := store.GetWebhook(ctx, tx, id)
		if err != nil {
			return err
		}
		var v backrest.Validation
		s.check(&v, w, in)
		if err := v.Err(); err != nil {
			return err
		}
		if in.RotateSecret {
			w.Secret = newSecret()
			secret = w.Secret
		}
		return store.UpdateWebhook(ctx, tx, w, s.now())
	})
	if err != nil {
		return nil, err
	}
	s.Wake()
	w, err := store.GetWebhook(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	w.Secret = secret
	return w, nil
}

// Delete deletes the webhook and its deliveries, pending ones included.
func (s *Service) Delete(ctx context.Context, caller *backrest.User, id int64) error {
	if err := requireAdmin(caller); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error { return store.DeleteWebhook(ctx, tx, id) })
}

// Deliveries returns a page of the deliveries of the webhook, newest event
// first, those in state only unless it is empty, and their number over all pages.
func (s *Service) Deliveries(ctx context.Context, caller *backrest.User, id int64, state string, limit, offset int) ([]Delivery, int64, error) {
	if err := requireAdmin(caller); err != nil {
		return nil, 0, err
	}
	if _, err := store.GetWebhook(ctx, s.db, id); err != nil {
		return nil, 0, err
	}
	return store.ListDeliveries(ctx, s.db, id, state, limit, offset)
}
