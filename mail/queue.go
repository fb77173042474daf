package mail

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backrest/backrest/store"
)

// Queue keeps mails in the database until they are delivered. A mail is queued in
// the transaction of the change it belongs to, so it is sent if and only if the
// change commits, and no restart or outage of the mail server loses it. A worker
// (Run) delivers the mails with a Sender, retrying failures with exponential
// backoff; several instances on one database share the work without sending a
// mail twice while its claim holds.
type Queue struct {
	db        *store.DB
	templates *Templates
	sender    Sender
	opts      QueueOptions
	log       *slog.Logger
	now       func() time.Time

	wake chan struct{}
	// pass is held by a delivery pass, so that Flush waits for one in progress.
	pass          sync.Mutex
	undeliverable atomic.Int64
}

// QueueOptions tune a Queue; zero fields take the defaults.
type QueueOptions struct {
	// MaxAttempts is how many deliveries of a mail are tried before it is given up
	// on (logged and counted); 10 by default.
	MaxAttempts int
	// Backoff is the wait after the first failure, doubled after each further one
	// up to MaxBackoff; 30 seconds and 1 hour by default.
	Backoff, MaxBackoff time.Duration
	// Lease is how long a worker holds the mails it took before another may take
	// them, for a worker that stopped mid-delivery; 5 minutes by default. It must
	// exceed the longest delivery.
	Lease time.Duration
	// Poll is how often the worker looks for mails that are due when nothing woke
	// it; 1 minute by default.
	Poll time.Duration
	// Logger receives deliveries given up on; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewQueue returns a Queue on db that renders mails with t and delivers them with s.
func NewQueue(db *store.DB, t *Templates, s Sender, opts QueueOptions) *Queue {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	def(&opts.Backoff, 30*time.Second)
	def(&opts.MaxBackoff, time.Hour)
	def(&opts.Lease, 5*time.Minute)
	def(&opts.Poll, time.Minute)
	q := &Queue{db: db, templates: t, sender: s, opts: opts, log: opts.Logger, now: opts.Now, wake: make(chan struct{}, 1)}
	if q.log == nil {
		q.log = slog.Default()
	}
	if q.now == nil {
		q.now = time.Now
	}
	return q
}

// Send renders the template for the recipient with data and queues the message in
// tx. The worker is woken once tx commits.
func (q *Queue) Send(ctx context.Context, tx *store.Tx, template, to string, data any) error {
	_, err := q.queue(ctx, tx, template, to, data)
	if err != nil {
		return err
	}
	tx.OnCommit(func(context.Context) error {
		q.Wake()
		return nil
	})
	return nil
}

// Rehearse does the work of Send in tx, and leaves no mail: a caller that must not
// tell by its timing whether it sent a mail calls it when it sends none.
func (q *Queue) Rehearse(ctx context.Context, tx *store.Tx, template, to string, data any) error {
	id, err := q.queue(ctx, tx, template, to, data)
	if err != nil {
		return err
	}
	return store.DropMail(ctx, tx, id)
}

func (q *Queue) queue(ctx context.Context, tx *store.Tx, template, to string, data any) (int64, error) {
	m, err := q.templates.Render(template, to, data)
	if err != nil {
		return 0, err
	}
	return store.QueueMail(ctx, tx, store.QueuedMail{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}, q.now())
}

// Wake makes the worker look for due mails now.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run delivers the queued mails until ctx ends: whenever a queued mail commits,
// and every Poll for mails due again after a failure or queued by another
// instance.
func (q *Queue) Run(ctx context.Context) {
	t := time.NewTicker(q.opts.Poll)
	defer t.Stop()
	for {
		if err := q.deliver(ctx); err != nil && ctx.Err() == nil {
			q.log.Error("mail queue", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-t.C:
		}
	}
}

// Flush delivers every mail due now, after waiting for a delivery pass of this
// Queue in progress. Mails that fail are due again later, as in Run.
func (q *Queue) Flush(ctx context.Context) error { return q.deliver(ctx) }

// Undeliverable returns how many mails this Queue gave up on.
func (q *Queue) Undeliverable() int64 { return q.undeliverable.Load() }

// batch is how many mails one claim takes.
const batch = 16

// deliver claims and delivers due mails until none is left.
func (q *Queue) deliver(ctx context.Context) error {
	q.pass.Lock()
	defer q.pass.Unlock()
	claim := randomHex(16)
	for {
		now := q.now()
		ms, err := store.ClaimMails(ctx, q.db, claim, now, now.Add(q.opts.Lease), batch)
		if err != nil || len(ms) == 0 {
			return err
		}
		for _, m := range ms {
			if err := q.send(ctx, claim, m); err != nil {
				return err
			}
		}
	}
}

// send delivers one claimed mail and records the outcome. Only a failure to record
// it is returned.
func (q *Queue) send(ctx context.Context, claim string, m store.QueuedMail) error {
	err := q.sender.Send(ctx, Message{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	// The outcome is recorded even when ctx ended meanwhile.
	bg := context.WithoutCancel(ctx)
	if err == nil {
		return store.MailSent(bg, q.db, m.ID, claim)
	}
	giveUp := m.Attempts >= q.opts.MaxAttempts
	if giveUp {
		q.undeliverable.Add(1)
		q.log.Error("mail undeliverable: given up", "to", m.To, "subject", m.Subject, "attempts", m.Attempts, "err", err)
	} else {
		q.log.Warn("mail not delivered: will retry", "to", m.To, "subject", m.Subject, "attempts", m.Attempts, "err", err)
	}
	rerr := store.MailFailed(bg, q.db, m.ID, claim, q.now().Add(q.backoff(m.Attempts)), err.Error(), giveUp)
	if ctx.Err() != nil {
		return errors.Join(ctx.Err(), rerr)
	}
	return rerr
}

// backoff is the wait after the attempts-th failed delivery.
func (q *Queue) backoff(attempts int) time.Duration {
	d := q.opts.Backoff
	for i := 1; i < attempts && d < q.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, q.opts.MaxBackoff)
}
