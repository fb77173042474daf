package http

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// outageRetry is the Retry-After of answers while the database is unreachable.
const outageRetry = 5 * time.Second

// outage logs a database outage once when it starts and once when it ends, with
// the number of requests it failed, instead of one error per request.
type outage struct {
	db    Database
	log   *slog.Logger
	every time.Duration // how often the database is tried during an outage

	mu     sync.Mutex
	down   bool
	since  time.Time
	failed int
}

// fail records a request that failed with err, which o.db found Unavailable. The
// first starts an outage, whose end a probe of the database watches for.
func (o *outage) fail(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed++
	if o.down {
		return
	}
	o.down, o.since = true, time.Now()
	o.log.Error("database unreachable: answering 503 until it is back", "err", err)
	go o.probe()
}

// probe tries the database every o.every until it answers, then ends the outage.
// It gives up without a word when the database was closed.
func (o *outage) probe() {
	for {
		time.Sleep(o.every)
		ctx, cancel := context.WithTimeout(context.Background(), o.every+5*time.Second)
		err := o.db.Ping(ctx)
		cancel()
		if err != nil && (o.db.Unavailable(err) || errors.Is(err, context.DeadlineExceeded)) {
			continue
		}
		o.mu.Lock()
		if err == nil {
			o.log.Info("database reachable again", "failed_requests", o.failed, "outage", time.Since(o.since).Round(time.Millisecond).String())
		}
		o.down, o.failed = false, 0
		o.mu.Unlock()
		return
	}
}
