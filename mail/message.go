package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one e-mail to one recipient, with a plain text and an HTML body.
type Message struct {
	// To is the recipient, an RFC 5322 address such as "ann@example.com" or
	// "Ann <ann@example.com>".
	To string
	// Subject is the subject line, in UTF-8, on one line.
	Subject string
	// Text is the plain text body.
	Text string
	// HTML is the HTML body; when empty the message only has the text part.
	HTML string
}

// Sender delivers messages. Implementations know their own From address.
type Sender interface {
	// Send delivers m, or returns an error saying why it could not.
	Send(ctx context.Context, m Message) error
}

// maxAddressLen bounds the length of a From or To header value so that the
// header line stays within the 998 characters of RFC 5322.
const maxAddressLen = 900

// parseAddress validates a From or To value: one address, no line breaks.
func parseAddress(field, s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("mail: %s contains a line break", field)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("mail: invalid %s address %q: %w", field, s, err)
	}
	if len(a.String()) > maxAddressLen {
		return nil, fmt.Errorf("mail: %s address is too long", field)
	}
	return a, nil
}

// Build renders m, sent by from, as an RFC 5322 message with CRLF line
// endings: From, To, Subject, Date, Message-ID and MIME-Version headers and a
// multipart/alternative body holding a text/plain and a text/html part, both
// UTF-8 and quoted-printable. It refuses addresses or a subject that contain
// a line break, that are not valid, or that are not UTF-8.
func Build(from string, m Message) ([]byte, error) {
	fromAddr, err := parseAddress("From", from)
	if err != nil {
		return nil, err
	}
	toAddr, err := parseAddress("To", m.To)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("mail: subject contains a line break")
	}
	if !utf8.ValidString(m.Subject) {
		return nil, errors.New("mail: subject is not valid UTF-8")
	}

	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", fromAddr.String())
	header("To", toAddr.String())
	header("Subject", encodeHeader(m.Subject))
	header("Date", time.Now().Format(time.RFC1123Z))
	header("Message-ID", messageID(fromAddr.Address))
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")

	if err := writePart(mw, "text/plain", m.Text); err != nil {
		return nil, err
	}
	if m.HTML != "" {
		if err := writePart(mw, "text/html", m.HTML); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writePart adds one quoted-printable UTF-8 part of the given media type.
func writePart(mw *multipart.Writer, mediaType, body string) error {
	w, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mediaType + "; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(body)); err != nil {
		return err
	}
	return qp.Close()
}

// messageID returns a new random Message-ID at the domain of addr.
func messageID(addr string) string {
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	return "<" + randomHex(16) + "@" + domain + ">"
}

// randomHex returns n random bytes as hexadecimal.
func randomHex(n int) string {
	p := make([]byte, n)
	rand.Read(p) // never returns an error
	return hex.EncodeToString(p)
}

// encodeHeader returns s as an unstructured header value that decodes back
// to exactly s. Printable ASCII that a reader would not alter is kept as it
// is; anything else (non-ASCII or control characters, leading or trailing
// spaces, text that looks like an encoded-word, long lines) is written as
// RFC 2047 Q-encoded words folded onto lines of at most 76 characters.
//
// mime.QEncoding is not used because it leaves printable ASCII untouched even
// where the reader would change it, and does not fold long values.
func encodeHeader(s string) string {
	if isPlainHeader(s) {
		return s
	}
	const (
		prefix, suffix = "=?utf-8?q?", "?="
		maxPayload     = 75 - len(prefix) - len(suffix) // RFC 2047 §2
	)
	var (
		out  strings.Builder
		word strings.Builder
	)
	flush := func() {
		if out.Len() > 0 {
			out.WriteString("\r\n ")
		}
		out.WriteString(prefix + word.String() + suffix)
		word.Reset()
	}
	for len(s) > 0 {
		// One rune at a time, so that no encoded word splits a character.
		_, size := utf8.DecodeRuneInString(s)
		var enc strings.Builder
		for i := 0; i < size; i++ {
			c := s[i]
			switch {
			case c == ' ':
				enc.WriteByte('_')
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
				c == '!', c == '*', c == '+', c == '-', c == '/':
				enc.WriteByte(c)
			default:
				fmt.Fprintf(&enc, "=%02X", c)
			}
		}
		if word.Len()+enc.Len() > maxPayload {
			flush()
		}
		word.WriteString(enc.String())
		s = s[size:]
	}
	flush()
	return out.String()
}

// isPlainHeader reports whether s can be written as a header value verbatim
// and be read back unchanged.
func isPlainHeader(s string) bool {
	if len(s) > 76 || strings.Contains(s, "=?") ||
		strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
