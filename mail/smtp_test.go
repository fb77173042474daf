package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest/mail/mailtest"
	"github.com/emersion/go-smtp"
)

// newSMTP returns a sender for the server at addr.
func newSMTP(t *testing.T, scheme string, user *url.Userinfo, addr string, cfg *tls.Config) *SMTP {
	t.Helper()
	u := url.URL{Scheme: scheme, User: user, Host: addr}
	s, err := NewSMTP(u.String(), testFrom)
	if err != nil {
		t.Fatal(err)
	}
	s.TLSConfig = cfg
	return s
}

// sendAndCheck sends testMessage with s and checks that srv got it intact.
func sendAndCheck(t *testing.T, s *SMTP, srv *mailtest.Server, wantTLS bool) {
	t.Helper()
	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != "backrest@example.com" || len(got.To) != 1 || got.To[0] != "ann@example.org" {
		t.Errorf("envelope from %q to %q", got.From, got.To)
	}
	if got.TLS != wantTLS {
		t.Errorf("TLS = %v, want %v", got.TLS, wantTLS)
	}
	checkMessage(t, got.Data, testMessage())
}

func TestSMTPPlain(t *testing.T) {
	t.Parallel()
	srv := &mailtest.Server{}
	addr, _ := mailtest.Start(t, srv, mailtest.Plain)
	sendAndCheck(t, newSMTP(t, "smtp", nil, addr, nil), srv, false)
}

func TestSMTPStartTLS(t *testing.T) {
	t.Parallel()
	srv := &mailtest.Server{}
	addr, cfg := mailtest.Start(t, srv, mailtest.StartTLS)
	sendAndCheck(t, newSMTP(t, "smtp", nil, addr, cfg), srv, true)
}

func TestSMTPStartTLSUntrusted(t *testing.T) {
	t.Parallel()
	srv := &mailtest.Server{}
	addr, _ := mailtest.Start(t, srv, mailtest.StartTLS)
	err := newSMTP(t, "smtp", nil, addr, nil).Send(context.Background(), testMessage())
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v, want an unknown authority error", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server got %d messages", n)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := &mailtest.Server{}
	addr, cfg := mailtest.Start(t, srv, mailtest.ImplicitTLS)
	sendAndCheck(t, newSMTP(t, "smtps", nil, addr, cfg), srv, true)
}

func TestSMTPAuth(t *testing.T) {
	t.Parallel()
	const pass = "s3cret:/@ %x"
	srv := &mailtest.Server{User: "mailer@example.com", Pass: pass}
	addr, cfg := mailtest.Start(t, srv, mailtest.StartTLS)

	err := newSMTP(t, "smtp", url.UserPassword(srv.User, "wrong-"+pass), addr, cfg).
		Send(context.Background(), testMessage())
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &smtpErr) || smtpErr.Code != 535 {
		t.Fatalf("wrong password: err = %v, want a 535 error", err)
	}
	if strings.Contains(err.Error(), pass) {
		t.Errorf("error %q shows the password", err)
	}
	if !strings.HasPrefix(err.Error(), "mail: send to ann@example.org: ") {
		t.Errorf("error %q lacks context", err)
	}

	sendAndCheck(t, newSMTP(t, "smtp", url.UserPassword(srv.User, pass), addr, cfg), srv, true)
}

func TestSMTPAuthImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := &mailtest.Server{User: "u", Pass: "p"}
	addr, cfg := mailtest.Start(t, srv, mailtest.ImplicitTLS)
	sendAndCheck(t, newSMTP(t, "smtps", url.UserPassword("u", "p"), addr, cfg), srv, true)
}

func TestSMTPRefusedRecipient(t *testing.T) {
	t.Parallel()
	srv := &mailtest.Server{Refuse: "ann@example.org"}
	addr, cfg := mailtest.Start(t, srv, mailtest.StartTLS)
	err := newSMTP(t, "smtp", nil, addr, cfg).Send(context.Background(), testMessage())
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &smtpErr) || smtpErr.Code != 550 {
		t.Fatalf("err = %v, want a 550 error", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server got %d messages", n)
	}
}

func TestSMTPDeadline(t *testing.T) {
	t.Parallel()
	// A server that accepts connections and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = newSMTP(t, "smtp", nil, l.Addr().String(), nil).Send(ctx, testMessage())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v", d)
	}
}

func TestNewSMTP(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, addr string
		tls       bool
	}{
		{"smtp://mail.example.com", "mail.example.com:587", false},
		{"smtps://mail.example.com", "mail.example.com:465", true},
		{"smtp://u:p@mail.example.com:25", "mail.example.com:25", false},
		{"smtps://[::1]:2465", "[::1]:2465", true},
	} {
		s, err := NewSMTP(tc.url, testFrom)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if s.addr != tc.addr || s.implicitTLS != tc.tls {
			t.Errorf("%s: addr %s tls %v, want %s %v", tc.url, s.addr, s.implicitTLS, tc.addr, tc.tls)
		}
	}

	s, err := NewSMTP("smtp://me%40example.com:p%40ss%2Fw@mail.example.com", testFrom)
	if err != nil {
		t.Fatal(err)
	}
	if s.user != "me@example.com" || s.pass != "p@ss/w" {
		t.Errorf("user %q pass %q", s.user, s.pass)
	}
	if got := s.String(); strings.Contains(got, "p%40ss") || !strings.Contains(got, "mail.example.com") {
		t.Errorf("String() = %q", got)
	}

	for _, bad := range []string{
		"http://u:hunter2@mail.example.com",
		"smtp://u:hunter2@",
		"smtp://u:hunter2%zz@mail.example.com",
		"smtp://u:hunter2@mail.example.com:port",
		"smtp://u:hunter2@[::1",
		"::hunter2",
	} {
		_, err := NewSMTP(bad, testFrom)
		if err == nil {
			t.Errorf("%s: no error", bad)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error %q shows the password", bad, err)
		}
	}
	if _, err := NewSMTP("smtp://localhost", "not an address"); err == nil {
		t.Error("bad From: no error")
	}
}

func TestSMTPLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.3.4.5": true, "[::1]": true,
		"mail.example.com": false, "10.0.0.1": false,
	} {
		s, err := NewSMTP("smtp://"+host, testFrom)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.loopback(); got != want {
			t.Errorf("%s: loopback = %v", host, got)
		}
	}
}

func TestSMTPAuthNeedsTLS(t *testing.T) {
	t.Parallel()
	srv := &mailtest.Server{User: "u", Pass: "hunter2"}
	addr, _ := mailtest.Start(t, srv, mailtest.Plain)
	s := newSMTP(t, "smtp", url.UserPassword("u", "hunter2"), addr, nil)
	s.host = "mail.example.com" // as if the server were not on this machine
	err := s.Send(context.Background(), testMessage())
	if err == nil || !strings.Contains(err.Error(), "offers no TLS") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v, want a refusal to send the password in clear", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server got %d messages", n)
	}
}
