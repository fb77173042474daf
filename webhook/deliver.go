package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/backrest/backrest/store"
)

// The headers of a delivery.
const (
	// HeaderEvent is the id of the event in the log: the same event delivered
	// again (at least once) has the same id, for receivers to ignore repeats.
	HeaderEvent = "X-Backrest-Event"
	// HeaderWebhook is the id of the webhook.
	HeaderWebhook = "X-Backrest-Webhook"
	// HeaderAttempt counts the attempts of the delivery, from 1.
	HeaderAttempt = "X-Backrest-Attempt"
	// HeaderTimestamp is when the attempt was signed, in seconds since 1970.
	HeaderTimestamp = "X-Backrest-Timestamp"
	// HeaderSignature is v1= and the signature: see Sign.
	HeaderSignature = "X-Backrest-Signature"
)

// Payload is the JSON body of a delivery: the event as the log records it.
type Payload struct {
	// ID is the id of the event in the log.
	ID      int64 `json:"id"`
	Webhook int64 `json:"webhook"`
	// Type is the name of the item's content type.
	Type string `json:"type"`
	Item int64  `json:"item"`
	// Kind is create, update or delete.
	Kind string `json:"kind"`
	// Owner is the id of the item's owner at the change.
	Owner string `json:"owner"`
	// Created is when the change was made (RFC 3339, UTC).
	Created string `json:"created"`
	// URL is the item's URL in the API.
	URL string `json:"url,omitempty"`
}

// Sign returns the signature of a delivery: the HMAC-SHA256, in lower-case hex,
// of the timestamp (decimal seconds since 1970), a dot and the body, keyed with
// the webhook's secret as it was given or shown.
func Sign(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(strconv.AppendInt(nil, timestamp, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks the signature header (v1=HEX) and timestamp header of a delivery
// of body against the secret, and that the timestamp is within tolerance of now,
// so that a captured request cannot be replayed later. Receivers written in Go
// may use it.
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts < 0 {
		return errors.New("webhook: malformed timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook: timestamp out of tolerance")
	}
	want := Sign(secret, ts, body)
	for _, part := range strings.Split(signature, ",") {
		sig, ok := strings.CutPrefix(strings.TrimSpace(part), "v1=")
		if ok && hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("webhook: signature does not match")
}

// Wake makes the worker look for work now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run queues and delivers the events of the webhooks until ctx ends: whenever
// events are logged (by any instance, on PostgreSQL), when a delivery is due
// again, and every Poll. It also deletes the deliveries finished for longer than
// Retention, hourly. It records the outcome of the attempts in flight before it
// returns.
func (s *Service) Run(ctx context.Context) {
	var purged time.Time
	for {
		changed := s.db.EventsChanged()
		wait := s.opts.Poll
		if err := s.Flush(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("webhooks", "err", err)
		} else if next, err := store.NextDeliveryDue(ctx, s.db); err == nil && !next.IsZero() {
			wait = min(wait, max(next.Sub(s.now()), time.Millisecond))
		}
		if now := s.now(); now.Sub(purged) >= time.Hour {
			purged = now
			var n int64
			err := s.db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				n, err = store.PurgeDeliveries(ctx, tx, now.Add(-s.opts.Retention))
				return err
			})
			if err != nil && ctx.Err() == nil {
				s.log.Error("purging webhook deliveries", "err", err)
			} else if n > 0 {
				s.log.Info("purged webhook deliveries", "count", n)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-changed:
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// queueBatch is how many events of the log are queued for a webhook at once.
const queueBatch = 500

// Flush queues the events logged for the webhooks, then delivers every delivery
// due now, one attempt each, until none is due. Failed attempts are due again
// later, as in Run.
func (s *Service) Flush(ctx context.Context) error {
	for {
		var n int
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			n, err = store.QueueWebhookEvents(ctx, tx, s.now(), queueBatch)
			return err
		})
		if err != nil {
			return err
		}
		if n < queueBatch {
			break
		}
	}
	claim := randomHex(16)
	for {
		now := s.now()
		ds, err := store.ClaimDeliveries(ctx, s.db, claim, now, now.Add(s.opts.Lease), s.opts.Concurrency)
		if err != nil || len(ds) == 0 {
			return err
		}
		targets, err := store.WebhookTargets(ctx, s.db)
		if err != nil {
			return err
		}
		errs := make([]error, len(ds))
		var wg sync.WaitGroup
		for i, d := range ds {
			wg.Go(func() {
				o := s.attempt(ctx, targets[d.Webhook], d)
				// The outcome is recorded even when ctx ended meanwhile.
				errs[i] = store.RecordDelivery(context.WithoutCancel(ctx), s.db, d, claim, o, s.now())
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// attempt POSTs the delivery d to its webhook w and returns the outcome.
func (s *Service) attempt(ctx context.Context, w *Webhook, d Delivery) store.DeliveryOutcome {
	var o store.DeliveryOutcome
	if w == nil || !w.Covers(d.Event.Type, d.Event.Kind) {
		// The webhook changed since the delivery was claimed.
		o.GiveUp, o.Error = true, "The webhook no longer covers this event"
		return o
	}
	o.Status, o.Error = s.post(ctx, w, d)
	if o.Error == "" {
		o.Delivered = true
		return o
	}
	if d.Attempts >= s.opts.MaxAttempts {
		o.GiveUp = true
		s.log.Error("webhook delivery given up", "webhook", w.ID, "event", d.Event.ID, "attempts", d.Attempts, "err", o.Error)
	} else {
		o.Retry = s.now().Add(s.backoff(d.Attempts))
		s.log.Warn("webhook delivery failed: will retry", "webhook", w.ID, "event", d.Event.ID, "attempts", d.Attempts, "err", o.Error)
	}
	return o
}

// post sends one attempt and returns the status of the answer (0 without one)
// and, unless it is 2xx, why it failed.
func (s *Service) post(ctx context.Context, w *Webhook, d Delivery) (int, string) {
	p := Payload{ID: d.Event.ID, Webhook: w.ID, Type: d.Event.Type, Item: d.Event.Item, Kind: d.Event.Kind,
		Owner: d.Event.Owner, Created: d.Event.Created.UTC().Format(time.RFC3339Nano)}
	if s.opts.ItemURL != nil {
		p.URL = s.opts.ItemURL(d.Event.Type, d.Event.Item)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return 0, err.Error()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "Bad URL: " + err.Error()
	}
	ts := s.now().Unix()
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "backrest-webhook")
	h.Set(HeaderEvent, strconv.FormatInt(d.Event.ID, 10))
	h.Set(HeaderWebhook, strconv.FormatInt(w.ID, 10))
	h.Set(HeaderAttempt, strconv.Itoa(d.Attempts))
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, "v1="+Sign(w.Secret, ts, body))
	res, err := s.client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return 0, fmt.Sprintf("No answer within %s", s.opts.Timeout)
		}
		return 0, err.Error()
	}
	defer res.Body.Close()
	// What little of the answer is read goes into the error; the rest is
	// drained, for the connection to be reused.
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return res.StatusCode, ""
	}
	msg := "HTTP " + strconv.Itoa(res.StatusCode)
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		msg += " (redirects are not followed)"
	}
	if text := oneLine(snippet); text != "" {
		msg += ": " + text
	}
	return res.StatusCode, msg
}

// oneLine returns b as valid UTF-8 (a rune cut at its end dropped) on one line.
func oneLine(b []byte) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "")), " ")
}

// backoff is the wait after the attempts-th failed attempt.
func (s *Service) backoff(attempts int) time.Duration {
	d := s.opts.Backoff
	for i := 1; i < attempts && d < s.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.opts.MaxBackoff)
}

// newClient returns the client of deliveries: attempts bounded by timeout,
// redirects not followed, no proxy from the environment, and unless
// allowPrivate only public addresses connected to. The address is checked as
// the connection is made, after name resolution, so that a name that resolves to
// a private address is refused too, whenever it is resolved.
func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if !public(ip) {
				return fmt.Errorf("address %s is not public: refused (BACKREST_WEBHOOK_ALLOW_PRIVATE allows it)", ip)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// nonPublic are the ranges of addresses that a webhook may not reach unless
// private addresses are allowed, besides loopback, private, link-local,
// multicast and unspecified ones.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64, which may map to private IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("2001::/23"),      // IETF protocol assignments
	netip.MustParsePrefix("2002::/16"),      // 6to4, which embeds IPv4
}

// public reports whether ip is a public unicast address.
func public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
