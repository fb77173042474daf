package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
	"github.com/backrest/backrest/webhook"
)

// hookRequest is a request a receiver got.
type hookRequest struct {
	header http.Header
	body   []byte
	p      webhook.Payload
	// status is the answer, 0 when the receiver kept the request until the
	// sender gave up.
	status int
	at     time.Time
}

// receiver is a webhook receiver on 127.0.0.1 that records what it gets and
// answers as its mode says.
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	// failing makes it answer 500 or keep requests unanswered, in turn;
	// failWhen, when set, fails the requests of the events it picks.
	failing  bool
	failWhen func(webhook.Payload) bool
	reqs     []hookRequest
}

func newReceiver(t *testing.T, failing bool) *receiver {
	r := &receiver{t: t, failing: failing}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// serve records a request as it arrives, then answers it, recording the status
// before the answer is sent: once the sender knows the outcome, so does the
// test.
func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	h := hookRequest{header: req.Header.Clone(), body: body, at: time.Now()}
	if err == nil {
		err = json.Unmarshal(body, &h.p)
	}
	r.mu.Lock()
	fail := r.failing || (r.failWhen != nil && r.failWhen(h.p))
	n := len(r.reqs)
	r.reqs = append(r.reqs, h)
	status := http.StatusNoContent
	switch {
	case err != nil:
		status = http.StatusBadRequest
	case fail && n%3 == 2:
		status = 0
	case fail:
		status = http.StatusInternalServerError
	}
	r.reqs[n].status = status
	r.mu.Unlock()
	if status == 0 {
		// Unanswered until the sender's timeout ends the request.
		<-req.Context().Done()
		return
	}
	w.WriteHeader(status)
	if fail {
		io.WriteString(w, "not now\n")
	}
}

func (r *receiver) setFailing(v bool) {
	r.mu.Lock()
	r.failing = v
	r.mu.Unlock()
}

// requests returns a copy of the requests received so far.
func (r *receiver) requests() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}

// attempts returns the requests for the event, in the order received.
func (r *receiver) attempts(event int64) []hookRequest {
	var out []hookRequest
	for _, h := range r.requests() {
		if h.p.ID == event {
			out = append(out, h)
		}
	}
	return out
}

// waitUntil waits for cond, checked every few milliseconds; the test's timeout
// bounds the wait, and what is waited for is said when the wait is long.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	warned := false
	for !cond() {
		if !warned && time.Since(start) > time.Minute {
			t.Logf("still waiting for %s", what)
			warned = true
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// webhookConfig sets small delays for the tests, and allows the receivers on
// 127.0.0.1.
func webhookConfig(c *backrest.Config) {
	c.WebhookAllowPrivate = true
	c.WebhookRetry = 10 * time.Millisecond
	c.WebhookRetryMax = 40 * time.Millisecond
	c.WebhookTimeout = time.Second
	c.WebhookAttempts = 1000
}

// runWebhooks runs the webhook worker of the server until the test ends.
func (e *env) runWebhooks() {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.app.Webhooks.Run(ctx)
	}()
	e.t.Cleanup(func() {
		stop()
		<-done
	})
}

// forEachWebhookDB runs f on a fresh server with the test schema and the webhook
// settings of the tests, on each backend.
func forEachWebhookDB(t *testing.T, f func(t *testing.T, e *env), configure ...func(*backrest.Config)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f(t, newEnvOpts(t, b, app.Options{Types: []content.Type{fooType()}},
			append([]func(*backrest.Config){withSchema(t, testSchema), webhookConfig}, configure...)...))
	})
}

// logged returns the content events of the log (not the account events).
func (e *env) logged() []store.Event {
	e.t.Helper()
	evs, err := store.EventsAfter(context.Background(), e.app.DB, 0, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Event
	for _, ev := range evs {
		if ev.Type != "" {
			out = append(out, ev)
		}
	}
	return out
}

// status returns the delivery state of the webhook at url, as the admin API gives it.
func status(admin *browser, url string) map[string]any {
	return admin.get(url).expect(200).JSON()["status"].(map[string]any)
}

// settled reports whether the webhook at url has queued the events up to last
// (or past it, to account events) and delivered or given up on them all.
func settled(admin *browser, url string, last int64) bool {
	st := status(admin, url)
	return st["queued_to"].(float64) >= float64(last) && st["pending"] == float64(0)
}

// checkSignatures verifies the signature of every request the receiver got.
func checkSignatures(t *testing.T, r *receiver, secret string, webhookID float64) {
	t.Helper()
	for _, h := range r.requests() {
		if err := webhook.Verify(secret, h.header.Get(webhook.HeaderTimestamp), h.header.Get(webhook.HeaderSignature), h.body,
			time.Now(), 10*time.Minute); err != nil {
			t.Fatalf("request %s: %v", h.body, err)
		}
		if err := webhook.Verify("another secret, 0123", h.header.Get(webhook.HeaderTimestamp), h.header.Get(webhook.HeaderSignature),
			h.body, time.Now(), 10*time.Minute); err == nil {
			t.Fatal("a signature verifies with another secret")
		}
		if h.header.Get(webhook.HeaderEvent) != strconv.FormatInt(h.p.ID, 10) || h.header.Get(webhook.HeaderWebhook) != fmt.Sprint(webhookID) ||
			h.p.Webhook != int64(webhookID) || h.header.Get("Content-Type") != "application/json" {
			t.Fatalf("headers %v of %s", h.header, h.body)
		}
	}
}

// checkAcknowledged checks that every event of want was acknowledged, in order
// per item: an event is acknowledged again only before the next event of its
// item, which a repeated delivery (at least once) may do.
func checkAcknowledged(t *testing.T, r *receiver, want []store.Event) {
	t.Helper()
	type key struct {
		typ  string
		item int64
	}
	got := map[key][]int64{}
	for _, h := range r.requests() {
		if h.status/100 != 2 {
			continue
		}
		k := key{h.p.Type, h.p.Item}
		if l := got[k]; len(l) == 0 || l[len(l)-1] != h.p.ID {
			got[k] = append(got[k], h.p.ID)
		}
	}
	expect := map[key][]int64{}
	for _, e := range want {
		k := key{e.Type, e.Item}
		expect[k] = append(expect[k], e.ID)
	}
	if len(got) != len(expect) {
		t.Fatalf("acknowledged events of %d items, want %d: %v, want %v", len(got), len(expect), got, expect)
	}
	for k, ids := range expect {
		if !slices.Equal(got[k], ids) {
			t.Fatalf("item %v: acknowledged %v, want %v in this order", k, got[k], ids)
		}
	}
}

func TestWebhookDelivery(t *testing.T) {
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		rec := newReceiver(t, true)
		narrow := newReceiver(t, false)
		admin, _ := e.as("admin@example.com", "admin")
		ed, _ := e.as("ed@example.com", "editor")
		alice, _ := e.as("alice@example.com")
		// An event before the webhook exists is not delivered.
		ed.post("/-/notices", obj{"title": "before"}).expect(201)

		hook := admin.post("/-/admin/webhooks", obj{"url": rec.srv.URL + "/hook"}).expect(201)
		h := hook.JSON()
		secret, _ := h["secret"].(string)
		url := h["__meta__"].(map[string]any)["url"].(string)
		if len(secret) < 40 || hook.header.Get("Location") != url || !slices.Equal(toStrings(h["kinds"]), webhook.Kinds) ||
			len(h["types"].([]any)) != 0 || h["active"] != true {
			t.Fatalf("new webhook %s", hook.body)
		}
		nh := admin.post("/-/admin/webhooks", obj{"url": narrow.srv.URL, "types": []string{"notices"},
			"kinds": []string{"delete", "create"}, "secret": "a-given-secret-0123"}).expect(201).JSON()
		if _, shown := nh["secret"]; shown || !slices.Equal(toStrings(nh["kinds"]), []string{"create", "delete"}) ||
			!slices.Equal(toStrings(nh["types"]), []string{"notice"}) {
			t.Fatalf("narrow webhook %v", nh)
		}
		if _, shown := admin.get(url).expect(200).JSON()["secret"]; shown {
			t.Fatal("the secret is shown again")
		}
		e.runWebhooks()

		n1 := itemID(t, ed.post("/-/notices", obj{"title": "n1"}).expect(201))
		d1 := itemID(t, alice.post("/-/diaries", obj{"title": "d1"}).expect(201))
		ed.put(fmt.Sprintf("/-/notices/%v", n1), obj{"title": "n1 again"}).expect(200)
		alice.put(fmt.Sprintf("/-/diaries/%v", d1), obj{"title": "d1 again"}).expect(200)
		n2 := itemID(t, ed.post("/-/notices", obj{"title": "n2"}).expect(201))
		ed.put(fmt.Sprintf("/-/notices/%v", n1), obj{"title": "n1 thrice"}).expect(200)
		ed.delete(fmt.Sprintf("/-/notices/%v", n1)).expect(200)
		alice.delete(fmt.Sprintf("/-/diaries/%v", d1)).expect(200)
		ed.put(fmt.Sprintf("/-/notices/%v", n2), obj{"title": "n2 again"}).expect(200)
		// An account event of the log, which no webhook receives.
		alice.put("/-/userprofile", obj{"firstname": "Al"}).expectSuccess()
		events := e.logged()[1:]
		if len(events) != 9 {
			t.Fatalf("%d events", len(events))
		}

		// While the receiver fails, the first event is tried again and again,
		// and the state says so.
		last := events[len(events)-1].ID
		waitUntil(t, "three attempts, every event queued", func() bool {
			return len(rec.attempts(events[0].ID)) >= 3 && status(admin, url)["queued_to"].(float64) >= float64(last)
		})
		st := status(admin, url)
		if st["pending"] != float64(len(events)) || st["last_error"] == nil || st["next_attempt"] == nil ||
			st["last_delivered_event"] != nil {
			t.Fatalf("status while failing: %v", st)
		}
		rec.setFailing(false)
		waitUntil(t, "every delivery", func() bool { return settled(admin, url, last) })
		waitUntil(t, "every narrow delivery", func() bool { return settled(admin, nh["__meta__"].(map[string]any)["url"].(string), last) })

		checkSignatures(t, rec, secret, h["id"].(float64))
		checkAcknowledged(t, rec, events)
		var covered []store.Event
		for _, ev := range events {
			if ev.Type == "notice" && ev.Kind != "update" {
				covered = append(covered, ev)
			}
		}
		checkSignatures(t, narrow, "a-given-secret-0123", nh["id"].(float64))
		checkAcknowledged(t, narrow, covered)
		// Nothing its configuration does not cover.
		for _, h := range narrow.requests() {
			if h.p.Type != "notice" || h.p.Kind == "update" {
				t.Fatalf("the narrow webhook got %s", h.body)
			}
		}

		// Attempts are counted, and each waited for at least its backoff.
		tries := rec.attempts(events[0].ID)
		for i, h := range tries {
			if h.header.Get(webhook.HeaderAttempt) != strconv.Itoa(i+1) {
				t.Fatalf("attempt %d has header %q", i+1, h.header.Get(webhook.HeaderAttempt))
			}
			if i > 0 {
				backoff := min(10*time.Millisecond<<(i-1), 40*time.Millisecond)
				if gap := h.at.Sub(tries[i-1].at); gap < backoff {
					t.Fatalf("attempt %d came %v after the one before, before its backoff %v", i+1, gap, backoff)
				}
			}
		}
		first := tries[len(tries)-1].p
		if first.Type != "notice" || first.Item != int64(n1) || first.Kind != "create" || first.Owner != events[0].Owner ||
			first.URL != e.srv.URL+fmt.Sprintf("/-/notices/%v", n1) || first.Created == "" {
			t.Fatalf("payload %+v", first)
		}

		st = status(admin, url)
		if st["last_delivered_event"] == nil || st["last_delivered"] == nil || st["failed"] != float64(0) || st["next_attempt"] != nil {
			t.Fatalf("status after: %v", st)
		}
		ds := admin.get(url + "/deliveries?state=delivered&limit=5").expect(200)
		list := ds.list()
		if ds.total() != len(events) || len(list) != 5 || list[0]["event"] != float64(events[len(events)-1].ID) || ds.header.Get("Link") == "" {
			t.Fatalf("deliveries: %d, %s", ds.total(), ds.body)
		}
		all := admin.get(url + "/deliveries?limit=1000").expect(200).list()
		oldest := all[len(all)-1]
		if oldest["event"] != float64(events[0].ID) || oldest["attempts"].(float64) < 3 || oldest["state"] != "delivered" ||
			oldest["last_status"] != float64(204) || oldest["finished"] == nil || oldest["next_attempt"] != nil {
			t.Fatalf("first delivery %v", oldest)
		}
		if admin.get(url+"/deliveries?state=pending").expect(200).total() != 0 {
			t.Fatal("pending deliveries left")
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

func TestWebhookGiveUp(t *testing.T) {
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		rec := newReceiver(t, false)
		admin, _ := e.as("admin@example.com", "admin")
		ed, _ := e.as("ed@example.com", "editor")
		url := admin.post("/-/admin/webhooks", obj{"url": rec.srv.URL}).expect(201).JSON()["__meta__"].(map[string]any)["url"].(string)
		id := itemID(t, ed.post("/-/notices", obj{"title": "a"}).expect(201))
		ed.put(fmt.Sprintf("/-/notices/%v", id), obj{"title": "b"}).expect(200)
		events := e.logged()
		rec.mu.Lock()
		rec.failWhen = func(p webhook.Payload) bool { return p.ID == events[0].ID }
		rec.mu.Unlock()
		e.runWebhooks()

		// The first event is given up on after its attempts; the next event of
		// its item is delivered then.
		waitUntil(t, "the second event", func() bool { return settled(admin, url, events[1].ID) })
		if n := len(rec.attempts(events[0].ID)); n != 3 {
			t.Fatalf("%d attempts, want 3", n)
		}
		checkAcknowledged(t, rec, events[1:])
		st := status(admin, url)
		if st["failed"] != float64(1) || st["last_delivered_event"] != float64(events[1].ID) || st["last_error"] == nil {
			t.Fatalf("status %v", st)
		}
		failed := admin.get(url + "/deliveries?state=failed").expect(200).list()
		if len(failed) != 1 || failed[0]["event"] != float64(events[0].ID) || failed[0]["attempts"] != float64(3) ||
			failed[0]["finished"] == nil {
			t.Fatalf("failed deliveries %v", failed)
		}
		if le, _ := failed[0]["last_error"].(string); le != "HTTP 500: not now" && le != "No answer within 1s" {
			t.Fatalf("last error %q", le)
		}
	}, func(c *backrest.Config) { c.WebhookAttempts = 3 })
}

func TestWebhookRestart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, b)
		cfg.Schema = withSchemaPath(t, testSchema)
		webhookConfig(&cfg)
		rec := newReceiver(t, true)
		one := startEnv(t, cfg, app.Options{})
		admin, _ := one.as("admin@example.com", "admin")
		ed, _ := one.as("ed@example.com", "editor")
		url := admin.post("/-/admin/webhooks", obj{"url": rec.srv.URL}).expect(201).JSON()["__meta__"].(map[string]any)["url"].(string)
		id := itemID(t, ed.post("/-/notices", obj{"title": "a"}).expect(201))
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			one.app.Webhooks.Run(ctx)
		}()
		waitUntil(t, "two attempts", func() bool { return len(rec.requests()) >= 2 })
		stop()
		<-done
		// Changed while no worker runs.
		ed.put(fmt.Sprintf("/-/notices/%v", id), obj{"title": "b"}).expect(200)
		ed.delete(fmt.Sprintf("/-/notices/%v", id)).expect(200)
		events := one.logged()
		one.srv.Close()
		one.app.Close()

		rec.setFailing(false)
		two := startEnv(t, cfg, app.Options{})
		two.runWebhooks()
		url = two.url(url[len(one.srv.URL):])
		admin2 := two.browser()
		admin2.login("admin@example.com", pw).expectSuccess()
		waitUntil(t, "every delivery", func() bool { return settled(admin2, url, events[len(events)-1].ID) })
		checkAcknowledged(t, rec, events)
	})
}

func TestWebhookMissedEvents(t *testing.T) {
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		rec := newReceiver(t, false)
		admin, _ := e.as("admin@example.com", "admin")
		ed, _ := e.as("ed@example.com", "editor")
		url := admin.post("/-/admin/webhooks", obj{"url": rec.srv.URL}).expect(201).JSON()["__meta__"].(map[string]any)["url"].(string)
		from := status(admin, url)["queued_to"].(float64)
		for i := range 3 {
			ed.post("/-/notices", obj{"title": strconv.Itoa(i)}).expect(201)
		}
		events := e.logged()
		// The log is purged before the events were queued, as after a stop longer
		// than the retention: the newest event stays.
		err := e.app.DB.InTx(context.Background(), func(tx *store.Tx) error {
			_, err := store.PurgeEvents(context.Background(), tx, time.Now().Add(time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.app.Webhooks.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		st := status(admin, url)
		if st["missed"] != float64(events[2].ID-1)-from || st["last_error"] == nil || st["last_delivered_event"] != float64(events[2].ID) {
			t.Fatalf("status %v", st)
		}
		checkAcknowledged(t, rec, events[2:])
	})
}

func TestWebhookConfig(t *testing.T) {
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		good := admin.post("/-/admin/webhooks", obj{"url": "https://example.com/hook", "types": []string{"notice", "diaries"},
			"kinds": []string{"update"}}).expect(201).JSON()
		url := good["__meta__"].(map[string]any)["url"].(string)
		before := admin.get("/-/admin/webhooks").expect(200).body
		for _, c := range []struct {
			body obj
			name string
		}{
			{obj{}, "url"},
			{obj{"url": "ftp://example.com/x"}, "url"},
			{obj{"url": "/relative"}, "url"},
			{obj{"url": 12}, "url"},
			{obj{"url": "https://example.com", "types": []string{"nope"}}, "types"},
			{obj{"url": "https://example.com", "types": "notices"}, "types"},
			{obj{"url": "https://example.com", "kinds": []string{"insert"}}, "kinds"},
			{obj{"url": "https://example.com", "kinds": []string{}}, "kinds"},
			{obj{"url": "https://example.com", "secret": "short"}, "secret"},
			{obj{"url": "https://example.com", "secret": "has spaces in it, long enough"}, "secret"},
			{obj{"url": "https://example.com", "active": "yes"}, "active"},
			{obj{"url": "https://example.com", "rotate_secret": true}, "rotate_secret"},
			{obj{"url": "https://example.com", "typez": []string{"notices"}}, "typez"},
		} {
			admin.post("/-/admin/webhooks", c.body).expectError(400, c.name, "")
			if c.name != "url" && c.name != "rotate_secret" {
				admin.put(url, c.body).expectError(400, c.name, "")
			}
		}
		admin.put(url, obj{"secret": "a-given-secret-0123", "rotate_secret": true}).expectError(400, "secret", "")
		if after := admin.get("/-/admin/webhooks").expect(200).body; string(after) != string(before) {
			t.Fatalf("bad input changed the webhooks: %s, was %s", after, before)
		}
		admin.put("/-/admin/webhooks/999", obj{"active": false}).expect(404)
		admin.get("/-/admin/webhooks/x").expect(404)
		admin.get(url+"/deliveries?state=lost").expectError(400, "state", "")

		// A change of the kinds, and a rotated secret shown once.
		changed := admin.put(url, obj{"kinds": []string{"delete", "update"}, "active": false, "rotate_secret": true}).expect(200).JSON()
		if changed["active"] != false || !slices.Equal(toStrings(changed["kinds"]), []string{"update", "delete"}) ||
			len(changed["secret"].(string)) < 40 || !slices.Equal(toStrings(changed["types"]), []string{"notice", "diary"}) {
			t.Fatalf("changed %v", changed)
		}
		admin.delete(url).expect(200)
		admin.get(url).expect(404)
		admin.delete(url).expect(404)
	})
}

func TestWebhookPrivateAddresses(t *testing.T) {
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		for _, u := range []string{"http://127.0.0.1:8080/", "http://localhost/x", "http://10.1.2.3/", "http://[::1]/",
			"http://169.254.169.254/latest/meta-data", "http://[fe80::1]/", "http://0.0.0.0/", "http://100.64.0.1/"} {
			admin.post("/-/admin/webhooks", obj{"url": u}).expectError(400, "url", "")
		}
		if n := len(admin.get("/-/admin/webhooks").expect(200).list()); n != 0 {
			t.Fatalf("%d webhooks", n)
		}
	}, func(c *backrest.Config) { c.WebhookAllowPrivate = false })
}

func TestWebhookAdminOnly(t *testing.T) {
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		user, _ := e.as("user@example.com", "editor")
		url := admin.post("/-/admin/webhooks", obj{"url": "https://example.com/hook"}).expect(201).JSON()["__meta__"].(map[string]any)["url"].(string)
		before := admin.get("/-/admin/webhooks").expect(200).body
		for _, b := range []*browser{user, e.browser()} {
			b.get("/-/admin/webhooks").expect(403)
			b.post("/-/admin/webhooks", obj{"url": "https://example.com/other"}).expect(403)
			b.post("/-/admin/webhooks", obj{"url": "ftp://bad"}).expect(403)
			b.get(url).expect(403)
			b.put(url, obj{"active": false}).expect(403)
			b.get(url + "/deliveries").expect(403)
			b.delete(url).expect(403)
		}
		if after := admin.get("/-/admin/webhooks").expect(200).body; string(after) != string(before) {
			t.Fatalf("a non-admin changed the webhooks: %s", after)
		}
	})
}

func TestWebhookAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	dsn := storetest.DSN(t, storetest.Postgres)
	cfg := func() backrest.Config {
		c := testConfig(t.TempDir())
		c.DB = dsn
		c.Schema = withSchemaPath(t, testSchema)
		webhookConfig(&c)
		return c
	}
	a := startEnv(t, cfg(), app.Options{})
	b := startEnv(t, cfg(), app.Options{})
	rec := newReceiver(t, true)
	admin, _ := a.as("admin@example.com", "admin")
	ed, _ := a.as("ed@example.com", "editor")
	url := admin.post("/-/admin/webhooks", obj{"url": rec.srv.URL}).expect(201).JSON()["__meta__"].(map[string]any)["url"].(string)
	a.runWebhooks()
	b.runWebhooks()
	var ids []float64
	for i := range 6 {
		ids = append(ids, itemID(t, ed.post("/-/notices", obj{"title": strconv.Itoa(i)}).expect(201)))
	}
	for _, id := range ids {
		ed.put(fmt.Sprintf("/-/notices/%v", id), obj{"title": "again"}).expect(200)
	}
	events := a.logged()
	waitUntil(t, "failures", func() bool { return len(rec.requests()) >= 6 })
	rec.setFailing(false)
	waitUntil(t, "every delivery", func() bool { return settled(admin, url, events[len(events)-1].ID) })
	checkAcknowledged(t, rec, events)
}

// Narrowing a webhook's kinds drops its deliveries no longer covered, and the
// next covered one of the item, which waited behind them, is delivered.
func TestWebhookNarrowed(t *testing.T) {
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		// The receiver never acknowledges a create or an update.
		rec := newReceiver(t, false)
		rec.failWhen = func(p webhook.Payload) bool { return p.Kind != "delete" }
		admin, _ := e.as("admin@example.com", "admin")
		ed, _ := e.as("ed@example.com", "editor")
		url := admin.post("/-/admin/webhooks", obj{"url": rec.srv.URL}).expect(201).JSON()["__meta__"].(map[string]any)["url"].(string)
		id := itemID(t, ed.post("/-/notices", obj{"title": "a"}).expect(201))
		ed.put(fmt.Sprintf("/-/notices/%v", id), obj{"title": "b"}).expect(200)
		ed.delete(fmt.Sprintf("/-/notices/%v", id)).expect(200)
		events := e.logged()
		e.runWebhooks()
		waitUntil(t, "a failed attempt", func() bool { return len(rec.attempts(events[0].ID)) >= 1 })
		if st := status(admin, url); st["pending"] != float64(3) {
			t.Fatalf("status %v", st)
		}
		admin.put(url, obj{"kinds": []string{"delete"}}).expect(200)
		waitUntil(t, "the delete", func() bool { return settled(admin, url, events[2].ID) })
		checkAcknowledged(t, rec, events[2:])
		if ds := admin.get(url + "/deliveries").expect(200).list(); len(ds) != 1 || ds[0]["kind"] != "delete" || ds[0]["state"] != "delivered" {
			t.Fatalf("deliveries %v", ds)
		}
	})
}
