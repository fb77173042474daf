// Package mailtest runs a real SMTP server for tests.
//
// The server listens on a loopback port, in plain text, with STARTTLS or with
// implicit TLS, can require AUTH PLAIN and refuse a recipient, and keeps every
// message it accepts so that a test can read what was sent:
//
//	s := &mailtest.Server{}
//	addr, _ := mailtest.Start(t, s, mailtest.Plain)
//	// ... send mail to smtp://addr ...
//	msgs := s.Wait(t, 1)
package mailtest

import (
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
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message accepted by a Server.
type Message struct {
	// From is the envelope sender (MAIL FROM).
	From string
	// To lists the envelope recipients (RCPT TO).
	To []string
	// TLS reports whether the message came over an encrypted connection.
	TLS bool
	// Data is the message text as received, headers and body.
	Data []byte
}

// Server is an SMTP server that keeps the messages it accepts. Set its fields
// before Start; the zero value accepts any message without authentication.
type Server struct {
	// User and Pass, when User is set, are the only credentials accepted:
	// AUTH PLAIN is offered and required before MAIL FROM. A Plain server
	// accepts AUTH in clear; the others only once the connection is encrypted.
	User, Pass string
	// Refuse is a recipient address answered with 550 at RCPT TO.
	Refuse string

	mu   sync.Mutex
	msgs []Message
	down bool
}

// SetDown makes the server unavailable, or available again: while it is down,
// every connection is answered 451 (a transient failure: try again later) at its
// greeting, and no message is accepted.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

func (s *Server) isDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// waitFor bounds Wait.
const waitFor = 5 * time.Second

// Wait waits until at least n messages have been accepted and returns all of
// them, oldest first. It fails the test when they have not arrived within 5
// seconds.
func (s *Server) Wait(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		msgs := s.Messages()
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: %d messages after %v, want %d", len(msgs), waitFor, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
}

// session is one SMTP connection to a Server.
type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.User || pass != ss.s.Pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == ss.s.Refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.s.add(Message{From: ss.from, To: ss.to, TLS: isTLS, Data: data})
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// Mode is how a Server uses TLS.
type Mode int

// The modes of a Server.
const (
	// Plain offers no TLS.
	Plain Mode = iota
	// StartTLS offers STARTTLS.
	StartTLS
	// ImplicitTLS speaks TLS from the first byte, as on port 465.
	ImplicitTLS
)

// Start runs s on 127.0.0.1 until the test ends. It returns the server's
// address (host:port) and, when mode uses TLS, a client configuration that
// trusts the server's self-signed certificate for 127.0.0.1 and localhost;
// with Plain, client is nil.
func Start(t testing.TB, s *Server, mode Mode) (addr string, client *tls.Config) {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		if s.isDown() {
			return nil, errors.New("service unavailable")
		}
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 5 * time.Second
	srv.WriteTimeout = 5 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = mode == Plain
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if mode != Plain {
		cert, pool := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		client = &tls.Config{RootCAs: pool}
	}
	if mode == ImplicitTLS {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), client
}

// selfSigned returns a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
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
