package http_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/mail/mailtest"
	"github.com/backrest/backrest/store/storetest"
)

// smtpFrom is the sender address of the mails of SMTP test servers.
const smtpFrom = "Backrest <noreply@example.net>"

// forEachSMTP runs f on each backend with a fresh server that sends its mails
// to its own SMTP server s, made by newServer and started in plain text. The URL
// of s carries its user name and password when it has them.
func forEachSMTP(t *testing.T, newServer func() *mailtest.Server, f func(t *testing.T, e *env, s *mailtest.Server)) {
	t.Helper()
	forEachSMTPConfig(t, newServer, f)
}

// forEachSMTPConfig is forEachSMTP with changes to the configuration.
func forEachSMTPConfig(t *testing.T, newServer func() *mailtest.Server, f func(t *testing.T, e *env, s *mailtest.Server),
	configure ...func(*backrest.Config)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := newServer()
		addr, _ := mailtest.Start(t, s, mailtest.Plain)
		u := url.URL{Scheme: "smtp", Host: addr}
		if s.User != "" {
			u.User = url.UserPassword(s.User, s.Pass)
		}
		f(t, newEnv(t, b, append([]func(*backrest.Config){func(cfg *backrest.Config) {
			cfg.SMTP = u.String()
			cfg.MailFrom = smtpFrom
		}}, configure...)...), s)
	})
}

// smtpMail is a mail received by an SMTP test server, read back with net/mail
// and mime/multipart.
type smtpMail struct {
	From, To   *mail.Address
	Subject    string
	Text, HTML string
}

// readSMTP checks the envelope of m, that it is a multipart/alternative mail
// from smtpFrom to the address with a quoted-printable text/plain and text/html
// part, and returns it decoded.
func readSMTP(t *testing.T, m mailtest.Message, to string) smtpMail {
	t.Helper()
	if m.From != "noreply@example.net" || len(m.To) != 1 || m.To[0] != to {
		t.Fatalf("envelope from %q to %q, want from noreply@example.net to %s", m.From, m.To, to)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("net/mail: %v\n%s", err, m.Data)
	}
	var got smtpMail
	if got.From, err = mail.ParseAddress(msg.Header.Get("From")); err != nil || got.From.Name != "Backrest" || got.From.Address != "noreply@example.net" {
		t.Fatalf("From %q: %v", msg.Header.Get("From"), err)
	}
	if got.To, err = mail.ParseAddress(msg.Header.Get("To")); err != nil || got.To.Address != to {
		t.Fatalf("To %q: %v", msg.Header.Get("To"), err)
	}
	if got.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil || got.Subject == "" {
		t.Fatalf("Subject %q: %v", msg.Header.Get("Subject"), err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Fatalf("part Content-Transfer-Encoding %q", cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		ct, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type %q: %v", p.Header.Get("Content-Type"), err)
		}
		types = append(types, ct)
		switch ct {
		case "text/plain":
			got.Text = string(body)
		case "text/html":
			got.HTML = string(body)
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Fatalf("parts %q, want text/plain and text/html", types)
	}
	return got
}

// linkIn returns the one link of the mail's text that contains part, after
// checking that the HTML part links to it too.
func linkIn(t *testing.T, m smtpMail, part string) string {
	t.Helper()
	var links []string
	for _, l := range linkRE.FindAllString(m.Text, -1) {
		if strings.Contains(l, part) {
			links = append(links, l)
		}
	}
	if len(links) != 1 {
		t.Fatalf("text part has links %q with %q: %s", links, part, m.Text)
	}
	if !strings.Contains(m.HTML, `href="`+strings.ReplaceAll(links[0], "&", "&amp;")+`"`) {
		t.Fatalf("HTML part lacks the link %s: %s", links[0], m.HTML)
	}
	return links[0]
}

func TestSignupThroughSMTP(t *testing.T) {
	forEachSMTP(t, func() *mailtest.Server { return &mailtest.Server{} }, func(t *testing.T, e *env, s *mailtest.Server) {
		b := e.browser()
		b.post("/-/signup", obj{"email": "Bob@Example.com", "password": pw, "firstname": "Bob"}).expectSuccess()
		e.flush()
		msgs := s.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d mails, want 1", len(msgs))
		}
		if msgs[0].TLS {
			t.Error("mail sent over TLS to a plain server")
		}
		m := readSMTP(t, msgs[0], "Bob@Example.com")
		link := linkIn(t, m, "/-/signup?token=")
		if !strings.HasPrefix(link, e.srv.URL+"/-/signup?token=") {
			t.Fatalf("link %s is not absolute on the base URL", link)
		}

		res := b.get(link).expect(http.StatusFound)
		if loc := res.header.Get("Location"); loc != e.srv.URL+"/#/welcome" {
			t.Fatalf("redirect to %q", loc)
		}
		if sessionCookie(res) == nil {
			t.Fatal("confirmation set no session")
		}
		info := b.get("/-/login").expect(200).JSON()
		if info["authenticated"] != true || info["email"] != "Bob@Example.com" {
			t.Fatalf("after confirmation: %v", info)
		}
	})
}

// A mail the server refuses does not fail the sign-up: it is tried again with a
// growing wait, then given up on, logged and counted.
func TestSignupRefusedBySMTP(t *testing.T) {
	refusing := func() *mailtest.Server { return &mailtest.Server{Refuse: "ann@example.com"} }
	forEachSMTPConfig(t, refusing, func(t *testing.T, e *env, s *mailtest.Server) {
		b := e.browser()
		b.post("/-/signup", obj{"email": "ann@example.com", "password": pw}).expectSuccess()
		if n := e.users(); n != 1 {
			t.Fatalf("%d users after the sign-up, want 1", n)
		}
		for attempt := 1; attempt <= 3; attempt++ {
			e.flush()
			if got := e.app.Mail.Undeliverable(); got != int64(attempt/3) {
				t.Fatalf("after attempt %d, %d mails given up on", attempt, got)
			}
			e.clock.Advance(time.Hour)
		}
		e.clock.Advance(24 * time.Hour)
		e.flush()
		if waiting, failed := e.mailCounts(); waiting != 0 || failed != 1 || e.app.Mail.Undeliverable() != 1 {
			t.Fatalf("%d mails waiting, %d failed, %d given up on; want 0, 1, 1", waiting, failed, e.app.Mail.Undeliverable())
		}
		if n := len(s.Messages()); n != 0 {
			t.Fatalf("server got %d mails", n)
		}
		b.login("ann@example.com", pw).expectError(400, "login", "Login failed")
	}, func(c *backrest.Config) { c.MailAttempts = 3 })
}

func TestResetThroughSMTPWithAuth(t *testing.T) {
	withAuth := func() *mailtest.Server { return &mailtest.Server{User: "mailer@example.net", Pass: "s3cret:/@ %x"} }
	forEachSMTP(t, withAuth, func(t *testing.T, e *env, s *mailtest.Server) {
		e.addUser("ann@example.com", pw, "Ann", "")
		b := e.browser()
		b.post("/-/reset/", obj{"email": "ann@example.com"}).expectSuccess()
		e.flush()
		m := readSMTP(t, s.Messages()[0], "ann@example.com")
		link := linkIn(t, m, "/-/reset/")
		token := strings.TrimPrefix(link, e.srv.URL+"/-/reset/")
		if token == link {
			t.Fatalf("reset link %s", link)
		}
		res := b.get(link).expect(http.StatusFound)
		if loc := res.header.Get("Location"); loc != e.srv.URL+"/#/reset/"+token {
			t.Fatalf("reset redirect %q", loc)
		}
		b.put("/-/reset/"+token, obj{"password": "new password"}).expectSuccess()
		e.browser().login("ann@example.com", "new password").expectSuccess()

		// The notice of the change goes through the same server.
		e.flush()
		msgs := s.Messages()
		if len(msgs) != 2 {
			t.Fatalf("%d mails, want 2", len(msgs))
		}
		if notice := readSMTP(t, msgs[1], "ann@example.com"); !strings.Contains(strings.ToLower(notice.Subject), "password") {
			t.Fatalf("second mail is not a password notice: %q", notice.Subject)
		}
	})
}
