package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// defaultTimeout bounds a delivery when the context has no deadline.
const defaultTimeout = 30 * time.Second

// SMTP is a Sender that delivers messages to an SMTP server.
type SMTP struct {
	// TLSConfig, when not nil, is used for STARTTLS and implicit TLS instead
	// of the default configuration (for example to trust a private CA). Its
	// ServerName defaults to the host of the URL.
	TLSConfig *tls.Config

	implicitTLS bool
	host        string
	addr        string // host:port
	user, pass  string
	from        string // From header
	envFrom     string // bare address for MAIL FROM
	redacted    string // the URL with the password masked
}

// NewSMTP returns an SMTP sender for rawURL, sending from the address from.
//
// rawURL is smtp://[user:pass@]host[:port] (port 587 by default; STARTTLS is
// used when the server offers it) or smtps://[user:pass@]host[:port] (port
// 465 by default; implicit TLS). The user name and password are URL-escaped;
// when given they are sent with SASL PLAIN, which is refused on a connection
// that is neither encrypted nor to a loopback address. Errors never contain
// the password.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// A *url.Error quotes the whole URL, password included: keep only
		// the reason, and not even that when it quotes a piece of the URL.
		var ue *url.Error
		var ee url.EscapeError
		if errors.As(err, &ee) || !errors.As(err, &ue) {
			return nil, errors.New("mail: invalid SMTP URL")
		}
		return nil, fmt.Errorf("mail: invalid SMTP URL: %w", ue.Err)
	}
	s := &SMTP{redacted: u.Redacted()}
	port := "587"
	switch u.Scheme {
	case "smtp":
	case "smtps":
		port = "465"
		s.implicitTLS = true
	default:
		return nil, fmt.Errorf("mail: invalid SMTP URL %s: scheme must be smtp or smtps", s.redacted)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, fmt.Errorf("mail: invalid SMTP URL %s: no host", s.redacted)
	}
	if p := u.Port(); p != "" {
		port = p
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	a, err := parseAddress("From", from)
	if err != nil {
		return nil, err
	}
	s.from, s.envFrom = from, a.Address
	return s, nil
}

// String returns the server URL with the password masked, for logs.
func (s *SMTP) String() string { return s.redacted }

// Send delivers m to the server. The delivery is bounded by ctx, or by 30
// seconds when ctx has no deadline.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	raw, err := Build(s.from, m)
	if err != nil {
		return err
	}
	to, _ := mail.ParseAddress(m.To) // Build has validated it
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	if err := s.deliver(ctx, to.Address, raw); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return fmt.Errorf("mail: send to %s: %w", to.Address, err)
	}
	return nil
}

// deliver runs one SMTP transaction for raw to the envelope recipient to.
func (s *SMTP) deliver(ctx context.Context, to string, raw []byte) error {
	c, stop, err := s.dial(ctx, !s.implicitTLS)
	if err != nil && !s.implicitTLS && err.Error() == errNoStartTLS {
		c, stop, err = s.dial(ctx, false)
	}
	if err != nil {
		return err
	}
	defer stop()
	defer c.Close()

	if s.user != "" || s.pass != "" {
		if _, encrypted := c.TLSConnectionState(); !encrypted && !s.loopback() {
			return fmt.Errorf("server %s offers no TLS: refusing to send the password in clear", s.addr)
		}
		if err := c.Auth(sasl.NewPlainClient("", s.user, s.pass)); err != nil {
			return fmt.Errorf("auth as %s: %w", s.user, err)
		}
	}
	if err := c.SendMail(s.envFrom, []string{to}, bytes.NewReader(raw)); err != nil {
		return err
	}
	c.Quit() // the message is accepted: a failing QUIT changes nothing
	return nil
}

// errNoStartTLS is the text of go-smtp's error when the server does not offer
// STARTTLS.
const errNoStartTLS = "smtp: server doesn't support STARTTLS"

// dial connects to the server and, when startTLS is set, upgrades the
// connection with STARTTLS. The returned stop function must be called once
// the client is done: until then, the connection is closed as soon as ctx
// ends, which bounds the whole exchange (the client only bounds each command).
func (s *SMTP) dial(ctx context.Context, startTLS bool) (*smtp.Client, func() bool, error) {
	var (
		conn net.Conn
		err  error
	)
	if s.implicitTLS {
		conn, err = (&tls.Dialer{Config: s.tlsConfig()}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	if !startTLS {
		return smtp.NewClient(conn), stop, nil
	}
	c, err := smtp.NewClientStartTLS(conn, s.tlsConfig())
	if err != nil {
		stop()
		conn.Close()
		return nil, nil, err
	}
	return c, stop, nil
}

// tlsConfig returns the TLS configuration to use, with ServerName set.
func (s *SMTP) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.host
	}
	return cfg
}

// loopback reports whether the server is on this machine, where a password
// may travel unencrypted.
func (s *SMTP) loopback() bool {
	if s.host == "localhost" {
		return true
	}
	ip := net.ParseIP(s.host)
	return ip != nil && ip.IsLoopback()
}
