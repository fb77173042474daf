package http_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/cli"
	bhttp "github.com/backrest/backrest/http"
	"github.com/backrest/backrest/mail"
	"github.com/backrest/backrest/store/storetest"
)

func TestHealth(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.get("/-/health/live").expectSuccess()
		b.get("/-/health/ready").expectSuccess()
		b.post("/-/health/ready", map[string]any{}).expectError(http.StatusMethodNotAllowed, "method", "")

		// Once draining, readiness fails while the server goes on serving.
		e.app.Handler().(*bhttp.Server).Drain()
		r := b.get("/-/health/ready")
		r.expectError(http.StatusServiceUnavailable, "server", "The server is shutting down")
		if r.header.Get("Retry-After") == "" {
			t.Error("a 503 of readiness has no Retry-After")
		}
		b.get("/-/health/live").expectSuccess()
		b.get("/-/").expect(http.StatusOK)
	})
}

func TestReadinessChecksTheFileStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		b := e.browser()
		b.get("/-/health/ready").expectSuccess()
		// The volume of the files goes away.
		if err := os.RemoveAll(filepath.Join(e.data, "files")); err != nil {
			t.Fatal(err)
		}
		r := b.get("/-/health/ready")
		r.expectError(http.StatusServiceUnavailable, "files", "The file store does not answer")
		if bytes.Contains(r.body, []byte(`"database"`)) {
			t.Errorf("the database is reported down too: %s", r.body)
		}
		b.get("/-/health/live").expectSuccess()
	})
}

func TestReadinessChecksTheDatabase(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, be storetest.Backend) {
		t.Parallel()
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, be)
		a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a.Handler())
		defer srv.Close()
		get := func() (int, string) {
			res, err := http.Get(srv.URL + "/-/health/ready")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body)
		}
		if status, body := get(); status != http.StatusOK {
			t.Fatalf("ready: %d %s", status, body)
		}
		a.Close() // the database is gone
		status, body := get()
		if status != http.StatusServiceUnavailable || !strings.Contains(body, `"name":"database"`) || !strings.Contains(body, `"status":"error"`) {
			t.Fatalf("ready with the database closed: %d %s", status, body)
		}
	})
}

// loggedEnv starts a server whose whole log, in format at level info, goes to the
// buffer returned. Mails go to the outbox without being logged.
func loggedEnv(t *testing.T, be storetest.Backend, format string, configure ...func(*backrest.Config)) (*env, *syncBuffer) {
	t.Helper()
	cfg := testConfig(t.TempDir())
	cfg.DB = storetest.DSN(t, be)
	cfg.LogFormat, cfg.LogLevel = format, "info"
	for _, f := range configure {
		f(&cfg)
	}
	buf := &syncBuffer{}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := app.Options{Logger: cli.NewLogger(cfg, buf), Sender: mail.NewOutbox(filepath.Join(cfg.DataDir, "outbox"), cfg.MailFrom, quiet)}
	return startEnv(t, cfg, opts), buf
}

// accessLines returns the access log lines of a JSON log.
func accessLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("a log line is not JSON: %v: %s", err, sc.Text())
		}
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

func TestAccessLogHoldsNoSecret(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, be storetest.Backend) {
		t.Parallel()
		e, log := loggedEnv(t, be, "json")
		const email, password, newPassword = "alice@example.com", "wonderland-secret", "looking-glass-secret"
		b := e.browser()
		b.post("/-/signup", map[string]any{"email": email, "password": password}).expectSuccess()
		signup := e.link(email, "signup?token=")
		b.get(signup).expect(http.StatusFound)
		cookie := ""
		for _, c := range b.client.Jar.Cookies(httptest.NewRequest("GET", e.srv.URL, nil).URL) {
			if c.Name == bhttp.SessionCookie {
				cookie = c.Value
			}
		}
		if cookie == "" {
			t.Fatal("no session after the sign-up link")
		}
		login := e.browser().login(email, password)
		login.expect(http.StatusOK)
		var bearer string
		for _, c := range login.header.Values("Set-Cookie") {
			if v, ok := strings.CutPrefix(c, bhttp.SessionCookie+"="); ok {
				bearer, _, _ = strings.Cut(v, ";")
			}
		}
		api := e.browser()
		api.header.Set("Authorization", "Bearer "+bearer)
		me := api.get("/-/userprofile")
		me.expect(http.StatusOK)
		userID := me.JSON()["id"].(string)

		b.put("/-/email/", map[string]any{"email": "alice@bar.com", "password": password}).expectSuccess()
		change := e.link("alice@bar.com", "/-/email/")
		b.get(change).expect(http.StatusFound)
		e.browser().post("/-/reset/", map[string]any{"email": "alice@bar.com"}).expectSuccess()
		reset := e.link("alice@bar.com", "/-/reset/")
		e.browser().get(reset).expect(http.StatusFound)
		e.browser().put(reset, map[string]any{"password": newPassword}).expectSuccess()
		e.browser().get(reset).expect(http.StatusNotFound) // used

		out := log.String()
		secrets := map[string]string{"password": password, "new password": newPassword, "session cookie": cookie, "bearer token": bearer}
		for name, link := range map[string]string{"sign-up": signup, "e-mail change": change, "reset": reset} {
			tok := regexp.MustCompile(`(token=|/-/email/|/-/reset/)([^&/?#]+)`).FindStringSubmatch(link)
			if tok == nil {
				t.Fatalf("no token in the %s link %s", name, link)
			}
			secrets[name+" token"] = tok[2]
			secrets[name+" link"] = link
		}
		for name, s := range secrets {
			if s == "" {
				t.Fatalf("empty %s", name)
			}
			if strings.Contains(out, s) {
				t.Errorf("the log holds the %s", name)
			}
		}

		lines := accessLines(t, out)
		routes := map[string]bool{}
		for _, l := range lines {
			for _, k := range []string{"method", "route", "status", "bytes", "duration_ms", "request_id", "user"} {
				if _, ok := l[k]; !ok {
					t.Fatalf("access log line without %s: %v", k, l)
				}
			}
			routes[l["method"].(string)+" "+l["route"].(string)] = true
			if l["route"] == "/-/userprofile" && l["user"] != userID {
				t.Errorf("the profile call is logged with user %v, not %s", l["user"], userID)
			}
		}
		for _, want := range []string{"GET /-/signup", "PUT /-/login", "GET /-/userprofile", "GET /-/email/{token}", "GET /-/reset/{token}", "PUT /-/reset/{token}", "POST /-/reset/{$}"} {
			if !routes[want] {
				t.Errorf("no access log line of %s; lines: %v", want, routes)
			}
		}
	})
}

func TestAccessLogFields(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, be storetest.Backend) {
		t.Parallel()
		e, log := loggedEnv(t, be, "json")
		b := e.browser()
		b.header.Set("X-Request-Id", "trace-42.a:b_c")
		r := b.get("/-/nothing/here")
		r.expect(http.StatusNotFound)
		if got := r.header.Get("X-Request-Id"); got != "trace-42.a:b_c" {
			t.Errorf("a sane request id comes back as %q", got)
		}
		// Ids that could forge log lines or are too long are replaced.
		for _, bad := range []string{"a b", "x\ty", "é", strings.Repeat("a", 65), `"}`} {
			b.header.Set("X-Request-Id", bad)
			got := b.get("/-/").header.Get("X-Request-Id")
			if got == bad || !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(got) {
				t.Errorf("request id %q comes back as %q", bad, got)
			}
		}
		b.header.Del("X-Request-Id")
		id1, id2 := b.get("/-/").header.Get("X-Request-Id"), b.get("/-/").header.Get("X-Request-Id")
		if id1 == "" || id1 == id2 {
			t.Errorf("generated request ids %q and %q", id1, id2)
		}
		// Health polls are not logged at info level.
		b.get("/-/health/ready").expectSuccess()

		lines := accessLines(t, log.String())
		var found bool
		for _, l := range lines {
			if l["route"] == "/-/health/ready" {
				t.Errorf("a health poll is logged at info level: %v", l)
			}
			if l["request_id"] == "trace-42.a:b_c" {
				found = true
				if l["route"] != "/-/" || l["method"] != "GET" || l["status"] != float64(404) || l["user"] != "" || l["bytes"].(float64) <= 0 {
					t.Errorf("line of the unknown path: %v", l)
				}
				if strings.Contains(log.String(), "nothing/here") {
					t.Error("the raw path is logged")
				}
			}
		}
		if !found {
			t.Fatalf("no line with the request id: %s", log.String())
		}
		if len(lines) != 8 {
			t.Errorf("%d access log lines for 8 requests (and a health poll): %s", len(lines), log.String())
		}
	})
}

func TestLogLevelAndTextFormat(t *testing.T) {
	e, log := loggedEnv(t, storetest.SQLite, "text", func(c *backrest.Config) { c.LogLevel = "warn" })
	e.browser().get("/-/").expect(http.StatusOK)
	if strings.Contains(log.String(), "msg=request") {
		t.Errorf("the access log is written at level warn: %s", log.String())
	}
	e, log = loggedEnv(t, storetest.SQLite, "text")
	e.browser().get("/-/").expect(http.StatusOK)
	if !regexp.MustCompile(`level=INFO msg=request method=GET route=/-/\{\$\} status=200 bytes=\d+ duration_ms=[0-9.]+ user="" request_id=[0-9a-f]{24}`).MatchString(log.String()) {
		t.Errorf("text access log line: %s", log.String())
	}
}

// scrape returns the metrics of e's server in the text format.
func scrape(t *testing.T, e *env) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.app.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// metric returns the value of the series named exactly (with its labels) in a
// scrape, or -1.
func metric(scrape, series string) float64 {
	for _, line := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			if err := json.Unmarshal([]byte(v), &f); err == nil {
				return f
			}
		}
	}
	return -1
}

func TestMetrics(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, be storetest.Backend) {
		t.Parallel()
		e := newEnv(t, be, func(c *backrest.Config) {
			c.MetricsAddr = "127.0.0.1:0"
			c.RateLimits.LoginFailuresPerAddr = backrest.Limit{Burst: 1, Per: time.Hour}
		})
		if e.app.Metrics == nil {
			t.Fatal("no metrics with a metrics address")
		}
		e.addUser("bob@example.com", "bob-password", "Bob", "")
		b := e.browser()
		b.post("/-/signup", map[string]any{"email": "alice@example.com", "password": "wonderland"}).expectSuccess()
		b.get(e.link("alice@example.com", "signup?token=")).expect(http.StatusFound)
		e.browser().login("bob@example.com", "bob-password").expect(http.StatusOK)
		b.get("/-/userprofile").expect(http.StatusOK)
		b.get("/-/reset/not-a-token").expect(http.StatusNotFound)
		b.get("/-/reset/another-bad-one").expect(http.StatusNotFound)
		e.browser().login("bob@example.com", "wrong").expect(http.StatusBadRequest)
		e.browser().login("bob@example.com", "wrong").expect(http.StatusTooManyRequests)
		b.do("POST", "/-/files?filename=a.txt", "hello", "text/plain").expect(http.StatusCreated)

		s := scrape(t, e)
		for series, want := range map[string]float64{
			`backrest_http_requests_total{method="GET",route="/-/reset/{token}",status="404"}`: 2,
			`backrest_http_requests_total{method="GET",route="/-/userprofile",status="200"}`:   1,
			`backrest_http_requests_total{method="PUT",route="/-/login",status="429"}`:         1,
			`backrest_http_request_duration_seconds_count{method="PUT",route="/-/login"}`:      3,
			`backrest_rate_limit_refusals_total{route="/-/login"}`:                             1,
			`backrest_sessions_created_total`:                                                  2,
			`backrest_mails_sent_total`:                                                        1,
			`backrest_blob_written_bytes_total`:                                                5,
			`backrest_http_requests_in_flight`:                                                 0,
			`backrest_password_hash_waiting`:                                                   0,
			`backrest_mail_queue_waiting`:                                                      0,
			`backrest_password_hash_running`:                                                   0,
			`backrest_password_hash_workers`:                                                   float64(testConfig("").HashConcurrency),
		} {
			if got := metric(s, series); got != want {
				t.Errorf("%s = %v, want %v", series, got, want)
			}
		}
		if strings.Contains(s, "not-a-token") {
			t.Error("a raw path is a label")
		}
		pools := []string{"read", "write"}
		if be == storetest.Postgres {
			pools = []string{"postgres"}
			if n := metric(s, "backrest_sqlite_write_group_size_count"); n != 0 {
				t.Errorf("%v write groups on PostgreSQL", n)
			}
		} else if n := metric(s, "backrest_sqlite_write_group_size_count"); n < 3 {
			t.Errorf("%v SQLite commits counted", n)
		}
		for _, p := range pools {
			if metric(s, `backrest_db_connections_max{pool="`+p+`"}`) <= 0 {
				t.Errorf("no pool %s in:\n%s", p, s)
			}
		}
	})
}

func TestNoMetricsByDefault(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	if e.app.Metrics != nil {
		t.Fatal("metrics without a metrics address")
	}
	e.browser().get("/-/metrics").expect(http.StatusNotFound)
}

// failingSender fails every delivery.
type failingSender struct{}

func (failingSender) Send(context.Context, mail.Message) error {
	return errors.New("the mail server is down")
}

func TestMailQueueMetrics(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, be storetest.Backend) {
		t.Parallel()
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, be)
		cfg.MetricsAddr = "127.0.0.1:0"
		e := startEnv(t, cfg, app.Options{Sender: failingSender{}})
		s := scrape(t, e)
		for _, series := range []string{"backrest_mail_queue_waiting", "backrest_mail_queue_failed", "backrest_mail_queue_oldest_seconds", "backrest_mail_delivery_failures_total"} {
			if got := metric(s, series); got != 0 {
				t.Errorf("%s = %v before any mail", series, got)
			}
		}
		e.clock.Advance(-time.Hour) // the mail is queued an hour ago
		e.browser().post("/-/signup", map[string]any{"email": "alice@example.com", "password": "wonderland"}).expectSuccess()
		e.clock.Advance(time.Hour)
		if err := e.app.Mail.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		s = scrape(t, e)
		for series, want := range map[string]float64{"backrest_mail_queue_waiting": 1, "backrest_mail_queue_failed": 0,
			"backrest_mail_delivery_failures_total": 1, "backrest_mails_sent_total": 0} {
			if got := metric(s, series); got != want {
				t.Errorf("%s = %v, want %v", series, got, want)
			}
		}
		if age := metric(s, "backrest_mail_queue_oldest_seconds"); age < 3600 {
			t.Errorf("the oldest mail waiting is %v s old, not an hour", age)
		}
	})
}
