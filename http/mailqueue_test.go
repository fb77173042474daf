package http_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/mail/mailtest"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// mailCounts returns how many mails wait in the queue and how many were given up on.
func (e *env) mailCounts() (waiting, failed int) {
	e.t.Helper()
	waiting, failed, err := store.MailCounts(context.Background(), e.app.DB)
	if err != nil {
		e.t.Fatal(err)
	}
	return waiting, failed
}

// recipients counts the mails an SMTP test server got, by recipient.
func recipients(s *mailtest.Server) map[string]int {
	n := map[string]int{}
	for _, m := range s.Messages() {
		for _, to := range m.To {
			n[to]++
		}
	}
	return n
}

// While the mail server is down, requests that send mail still succeed; once it is
// back, every mail arrives exactly once.
func TestMailsSurviveAnSMTPOutage(t *testing.T) {
	forEachSMTP(t, func() *mailtest.Server { return &mailtest.Server{} }, func(t *testing.T, e *env, s *mailtest.Server) {
		s.SetDown(true)
		e.addUser("ann@example.com", pw, "Ann", "")
		e.addUser("bob@example.com", pw, "Bob", "")
		b := e.browser()
		b.post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		b.post("/-/reset/", obj{"email": "bob@example.com"}).expectSuccess()
		b.post("/-/signup", obj{"email": "carol@example.com", "password": pw}).expectSuccess()
		for i := range 3 {
			if i > 0 {
				e.clock.Advance(10 * time.Minute)
			}
			e.flush()
		}
		if n := len(s.Messages()); n != 0 {
			t.Fatalf("a server that is down got %d mails", n)
		}
		if waiting, failed := e.mailCounts(); waiting != 3 || failed != 0 {
			t.Fatalf("%d mails waiting, %d failed; want 3, 0", waiting, failed)
		}

		s.SetDown(false)
		// The failed mails wait for their next attempt...
		e.flush()
		if n := len(s.Messages()); n != 0 {
			t.Fatalf("%d mails sent before their next attempt was due", n)
		}
		// ...and go once it is due, each once.
		e.clock.Advance(time.Hour)
		e.flush()
		e.clock.Advance(24 * time.Hour)
		e.flush()
		want := map[string]int{"ann@example.com": 1, "bob@example.com": 1, "carol@example.com": 1}
		if got := recipients(s); len(got) != len(want) || got["ann@example.com"] != 1 || got["bob@example.com"] != 1 || got["carol@example.com"] != 1 {
			t.Fatalf("mails by recipient %v, want %v", got, want)
		}
		if waiting, failed := e.mailCounts(); waiting != 0 || failed != 0 {
			t.Fatalf("%d mails waiting, %d failed after delivery", waiting, failed)
		}
		// The links of the delayed mails work.
		link := linkIn(t, readSMTP(t, findMail(t, s, "carol@example.com"), "carol@example.com"), "/-/signup?token=")
		e.browser().get(link).expect(302)
	})
}

// findMail returns the one mail the server got for the recipient.
func findMail(t *testing.T, s *mailtest.Server, to string) mailtest.Message {
	t.Helper()
	for _, m := range s.Messages() {
		if len(m.To) == 1 && m.To[0] == to {
			return m
		}
	}
	t.Fatalf("no mail to %s", to)
	return mailtest.Message{}
}

// outboxFiles counts the mails written to the outbox folder.
func outboxFiles(t *testing.T, data string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(data, "outbox", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	return len(files)
}

// A mail queued by a server that stops before delivering it is delivered by the
// next one; one a stopped worker held is delivered once its hold ends.
func TestMailSurvivesRestart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, b)
		one := startEnv(t, cfg, app.Options{})
		one.addUser("ann@example.com", pw, "Ann", "")
		one.addUser("bob@example.com", pw, "Bob", "")
		one.browser().post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		one.browser().post("/-/reset/", obj{"email": "bob@example.com"}).expectSuccess()
		// A worker takes Bob's mail and stops before sending it.
		ctx := context.Background()
		held, err := store.ClaimMails(ctx, one.app.DB, "stopped worker", one.clock.Now(), one.clock.Now().Add(5*time.Minute), 1)
		if err != nil || len(held) != 1 {
			t.Fatalf("claim: %v %v", held, err)
		}
		one.srv.Close()
		one.app.Close()
		if n := outboxFiles(t, cfg.DataDir); n != 0 {
			t.Fatalf("%d mails written before the restart", n)
		}

		two := startEnv(t, cfg, app.Options{})
		if ms := two.mails(held[0].To); len(ms) != 0 {
			t.Fatalf("a held mail was sent again while its hold lasts: %v", ms)
		}
		other := "ann@example.com"
		if held[0].To == other {
			other = "bob@example.com"
		}
		if ms := two.mails(other); len(ms) != 1 {
			t.Fatalf("%d mails to %s after the restart, want 1", len(ms), other)
		}
		two.clock.Advance(6 * time.Minute)
		for _, to := range []string{"ann@example.com", "bob@example.com"} {
			if ms := two.mails(to); len(ms) != 1 {
				t.Fatalf("%d mails to %s, want 1", len(ms), to)
			}
			link, err := url.Parse(two.link(to, "/-/reset/"))
			if err != nil {
				t.Fatal(err)
			}
			two.browser().get(link.RequestURI()).expect(302)
		}
		if n := outboxFiles(t, cfg.DataDir); n != 2 {
			t.Fatalf("%d mails in the outbox, want 2", n)
		}
	})
}

// Instances on one database deliver together without sending a mail twice.
func TestMailQueueShared(t *testing.T) {
	forEachSMTPConfig(t, func() *mailtest.Server { return &mailtest.Server{} }, func(t *testing.T, e *env, s *mailtest.Server) {
		cfg := e.app.Config
		instances := []*env{e, startEnv(t, cfg, app.Options{}), startEnv(t, cfg, app.Options{})}
		const n = 40
		for i := range n {
			e.addUser("user"+strings.Repeat("x", i)+"@example.com", pw, "", "")
			instances[i%3].browser().post("/-/reset/", obj{"email": "user" + strings.Repeat("x", i) + "@example.com"}).expectSuccess()
		}
		var wg sync.WaitGroup
		for _, in := range instances {
			wg.Go(func() {
				if err := in.app.Mail.Flush(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got := recipients(s)
		if len(got) != n {
			t.Fatalf("%d recipients got mail, want %d", len(got), n)
		}
		for to, k := range got {
			if k != 1 {
				t.Errorf("%s got %d mails", to, k)
			}
		}
	}, func(c *backrest.Config) { c.RateLimits.ResetPerAddr = backrest.Limit{Burst: 1000, Per: time.Hour} })
}

// The worker delivers a mail as soon as the change that queued it commits, without
// waiting for its next look at the queue.
func TestMailWorkerWakesOnCommit(t *testing.T) {
	forEachSMTP(t, func() *mailtest.Server { return &mailtest.Server{} }, func(t *testing.T, e *env, s *mailtest.Server) {
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.app.Mail.Run(ctx)
		}()
		t.Cleanup(func() {
			stop()
			<-done
		})
		e.addUser("ann@example.com", pw, "Ann", "")
		e.browser().post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		// The worker's fallback look at the queue is a minute away, Wait gives up
		// after 5 seconds.
		if msgs := s.Wait(t, 1); len(msgs) != 1 {
			t.Fatalf("%d mails", len(msgs))
		}
	})
}

// A reset for an address without an account queues nothing and leaves no mail.
func TestResetUnknownAddressQueuesNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.browser().post("/-/reset/", obj{"email": "nobody@example.com"}).expectSuccess()
		if waiting, failed := e.mailCounts(); waiting != 0 || failed != 0 {
			t.Fatalf("%d mails waiting, %d failed", waiting, failed)
		}
		if ms := e.mails("nobody@example.com"); len(ms) != 0 {
			t.Fatalf("mails to an unknown address: %v", ms)
		}
		if _, err := os.Stat(filepath.Join(e.data, "outbox")); !os.IsNotExist(err) {
			t.Fatalf("outbox: %v", err)
		}
	})
}

// A mail is queued in the transaction of its change: a sign-up whose mail cannot be
// queued (here, a template that does not render) leaves no account behind.
func TestSignupAndItsMailCommitTogether(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "signup.txt"), []byte("{{.NoSuchField}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	forEachDB(t, func(t *testing.T, e *env) {
		e.browser().post("/-/signup", obj{"email": "ann@example.com", "password": pw}).expectError(500, "", "")
		if n := e.users(); n != 0 {
			t.Fatalf("%d users after a sign-up whose mail failed, want 0", n)
		}
		if waiting, failed := e.mailCounts(); waiting != 0 || failed != 0 {
			t.Fatalf("%d mails waiting, %d failed", waiting, failed)
		}
	}, func(c *backrest.Config) { c.MailTemplates = dir })
}
