package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message accepted by the test server.
type received struct {
	from string
	to   []string
	tls  bool
	data []byte
}

// backend is an in-process SMTP server backend that keeps what it receives.
type backend struct {
	user, pass string // when set, AUTH PLAIN is offered and required
	refuse     string // a recipient answered with 550

	mu   sync.Mutex
	msgs []received
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, conn: c}, nil
}

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b      *backend
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string {
	if s.b.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.b.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, received{from: s.from, to: s.to, tls: isTLS, data: data})
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

// Server modes.
const (
	plain    = "plain"    // no TLS
	starttls = "starttls" // STARTTLS offered
	implicit = "implicit" // TLS from the first byte
)

// startServer runs an SMTP server for be on 127.0.0.1 and returns its address
// and, when it uses TLS, a client configuration that trusts its certificate.
func startServer(t *testing.T, be *backend, mode string) (string, *tls.Config) {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ReadTimeout = 5 * time.Second
	srv.WriteTimeout = 5 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var client *tls.Config
	if mode != plain {
		cert, pool := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		client = &tls.Config{RootCAs: pool}
	}
	if mode == implicit {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), client
}

// selfSigned returns a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

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

// sendAndCheck sends testMessage with s and checks that be got it intact.
func sendAndCheck(t *testing.T, s *SMTP, be *backend, wantTLS bool) {
	t.Helper()
	if err := s.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.from != "backrest@example.com" || len(got.to) != 1 || got.to[0] != "ann@example.org" {
		t.Errorf("envelope from %q to %q", got.from, got.to)
	}
	if got.tls != wantTLS {
		t.Errorf("TLS = %v, want %v", got.tls, wantTLS)
	}
	checkMessage(t, got.data, testMessage())
}

func TestSMTPPlain(t *testing.T) {
	t.Parallel()
	be := &backend{}
	addr, _ := startServer(t, be, plain)
	sendAndCheck(t, newSMTP(t, "smtp", nil, addr, nil), be, false)
}

func TestSMTPStartTLS(t *testing.T) {
	t.Parallel()
	be := &backend{}
	addr, cfg := startServer(t, be, starttls)
	sendAndCheck(t, newSMTP(t, "smtp", nil, addr, cfg), be, true)
}

func TestSMTPStartTLSUntrusted(t *testing.T) {
	t.Parallel()
	be := &backend{}
	addr, _ := startServer(t, be, starttls)
	err := newSMTP(t, "smtp", nil, addr, nil).Send(context.Background(), testMessage())
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v, want an unknown authority error", err)
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("server got %d messages", n)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	t.Parallel()
	be := &backend{}
	addr, cfg := startServer(t, be, implicit)
	sendAndCheck(t, newSMTP(t, "smtps", nil, addr, cfg), be, true)
}

func TestSMTPAuth(t *testing.T) {
	t.Parallel()
	const pass = "s3cret:/@ %x"
	be := &backend{user: "mailer@example.com", pass: pass}
	addr, cfg := startServer(t, be, starttls)

	err := newSMTP(t, "smtp", url.UserPassword(be.user, "wrong-"+pass), addr, cfg).
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

	sendAndCheck(t, newSMTP(t, "smtp", url.UserPassword(be.user, pass), addr, cfg), be, true)
}

func TestSMTPAuthImplicitTLS(t *testing.T) {
	t.Parallel()
	be := &backend{user: "u", pass: "p"}
	addr, cfg := startServer(t, be, implicit)
	sendAndCheck(t, newSMTP(t, "smtps", url.UserPassword("u", "p"), addr, cfg), be, true)
}

func TestSMTPRefusedRecipient(t *testing.T) {
	t.Parallel()
	be := &backend{refuse: "ann@example.org"}
	addr, cfg := startServer(t, be, starttls)
	err := newSMTP(t, "smtp", nil, addr, cfg).Send(context.Background(), testMessage())
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &smtpErr) || smtpErr.Code != 550 {
		t.Fatalf("err = %v, want a 550 error", err)
	}
	if n := len(be.messages()); n != 0 {
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
	be := &backend{user: "u", pass: "hunter2"}
	addr, _ := startServer(t, be, plain)
	s := newSMTP(t, "smtp", url.UserPassword("u", "hunter2"), addr, nil)
	s.host = "mail.example.com" // as if the server were not on this machine
	err := s.Send(context.Background(), testMessage())
	if err == nil || !strings.Contains(err.Error(), "offers no TLS") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v, want a refusal to send the password in clear", err)
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("server got %d messages", n)
	}
}
