package mail

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

const (
	testFrom = "Backrest <backrest@example.com>"
	// testLink is long and has '=' so that quoted-printable must break and
	// escape it.
	testLink = "https://app.example.com/-/signup/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFubiJ9.c2lnbmF0dXJl?next=%2F%23%2Fwelcome&x=1"
)

func testMessage() Message {
	return Message{
		To:      "Ann Élise <ann@example.org>",
		Subject: "Bienvenue à bord ✓",
		Text:    "Hello Ann,\n\nConfirm your account:\n\n" + testLink + "\n\nSee you soon — the team\n",
		HTML:    `<p>Hello Ann,</p><p><a href="` + strings.ReplaceAll(testLink, "&", "&amp;") + `">Confirm</a></p>`,
	}
}

// parsed is a message read back with net/mail and mime/multipart.
type parsed struct {
	header    mail.Header
	subject   string
	text      string
	html      string
	textCTE   string
	htmlCTE   string
	textType  string
	htmlType  string
	partCount int
}

// parse reads raw back, failing the test when it is not a well-formed
// multipart/alternative message.
func parse(t testing.TB, raw []byte) parsed {
	t.Helper()
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Fatalf("line %d is %d bytes long", i, len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail: %v\n%s", err, raw)
	}
	var p parsed
	p.header = msg.Header
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("subject: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(part))
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		p.partCount++
		ct, cte := part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding")
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			p.text, p.textType, p.textCTE = string(body), ct, cte
		case strings.HasPrefix(ct, "text/html"):
			p.html, p.htmlType, p.htmlCTE = string(body), ct, cte
		default:
			t.Fatalf("unexpected part %q", ct)
		}
	}
	return p
}

// checkMessage checks that raw is m sent from testFrom.
func checkMessage(t *testing.T, raw []byte, m Message) {
	t.Helper()
	p := parse(t, raw)
	from, err := p.header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "backrest@example.com" || from[0].Name != "Backrest" {
		t.Errorf("From %v: %v", from, err)
	}
	to, err := p.header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ann@example.org" || to[0].Name != "Ann Élise" {
		t.Errorf("To %v: %v", to, err)
	}
	if p.subject != m.Subject {
		t.Errorf("Subject %q, want %q", p.subject, m.Subject)
	}
	if d, err := p.header.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date %v: %v", d, err)
	}
	if id := p.header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") || len(id) < 30 {
		t.Errorf("Message-ID %q", id)
	}
	if v := p.header.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version %q", v)
	}
	if p.partCount != 2 {
		t.Errorf("%d parts, want 2", p.partCount)
	}
	if p.textType != "text/plain; charset=utf-8" || p.textCTE != "quoted-printable" {
		t.Errorf("text part: %q %q", p.textType, p.textCTE)
	}
	if p.htmlType != "text/html; charset=utf-8" || p.htmlCTE != "quoted-printable" {
		t.Errorf("html part: %q %q", p.htmlType, p.htmlCTE)
	}
	if want := strings.ReplaceAll(m.Text, "\n", "\r\n"); p.text != want {
		t.Errorf("text %q, want %q", p.text, want)
	}
	if p.html != m.HTML {
		t.Errorf("html %q, want %q", p.html, m.HTML)
	}
	if links := Links(p.text); len(links) != 1 || links[0] != testLink {
		t.Errorf("links in text: %q", links)
	}
	if !strings.Contains(p.html, `href="`+strings.ReplaceAll(testLink, "&", "&amp;")+`"`) {
		t.Errorf("link missing from html %q", p.html)
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	raw, err := Build(testFrom, testMessage())
	if err != nil {
		t.Fatal(err)
	}
	checkMessage(t, raw, testMessage())
	if !bytes.Contains(raw, []byte("\r\nSubject: =?utf-8?q?")) {
		t.Errorf("non-ASCII subject not encoded:\n%s", raw)
	}
}

func TestBuildTextOnly(t *testing.T) {
	t.Parallel()
	m := testMessage()
	m.HTML = ""
	raw, err := Build(testFrom, m)
	if err != nil {
		t.Fatal(err)
	}
	if p := parse(t, raw); p.partCount != 1 || p.html != "" || !strings.Contains(p.text, testLink) {
		t.Errorf("%d parts, text %q", p.partCount, p.text)
	}
}

func TestBuildSubjects(t *testing.T) {
	t.Parallel()
	for _, subject := range []string{
		"", "Confirm your account", " leading", "trailing ", "two  spaces",
		"tab\there", "=?utf-8?q?not_encoded?=", "a?=b =?c", "nul\x00bell\x07del\x7f",
		strings.Repeat("long ascii subject ", 60),
		strings.Repeat("Ünïcödé ✓ 😀", 40),
		strings.Repeat("x", 2000),
	} {
		raw, err := Build(testFrom, Message{To: "ann@example.org", Subject: subject, Text: "x"})
		if err != nil {
			t.Errorf("%q: %v", subject, err)
			continue
		}
		if got := parse(t, raw).subject; got != subject {
			t.Errorf("subject %q came back as %q", subject, got)
		}
	}
	raw, err := Build(testFrom, Message{To: "ann@example.org", Subject: "Plain words", Text: "x"})
	if err != nil || !bytes.Contains(raw, []byte("\r\nSubject: Plain words\r\n")) {
		t.Errorf("plain subject not kept as is: %v\n%s", err, raw)
	}
}

func TestBuildRefusesInjection(t *testing.T) {
	t.Parallel()
	ok := Message{To: "ann@example.org", Subject: "Hi", Text: "x"}
	for name, tc := range map[string]struct {
		from string
		m    Message
	}{
		"To CRLF":      {testFrom, Message{To: "ann@example.org\r\nBcc: eve@example.net", Subject: "Hi"}},
		"To LF":        {testFrom, Message{To: "ann@example.org\nBcc: eve@example.net", Subject: "Hi"}},
		"To CR":        {testFrom, Message{To: "ann@example.org\rBcc: eve@example.net", Subject: "Hi"}},
		"To folded":    {testFrom, Message{To: "Ann\r\n <ann@example.org>", Subject: "Hi"}},
		"Subject CRLF": {testFrom, Message{To: "ann@example.org", Subject: "Hi\r\nBcc: eve@example.net"}},
		"Subject LF":   {testFrom, Message{To: "ann@example.org", Subject: "Hi\nBcc: eve@example.net"}},
		"Subject CR":   {testFrom, Message{To: "ann@example.org", Subject: "Hi\rBcc: eve@example.net"}},
		"From LF":      {"backrest@example.com\nBcc: eve@example.net", ok},
		"To list":      {testFrom, Message{To: "ann@example.org, eve@example.net", Subject: "Hi"}},
		"To invalid":   {testFrom, Message{To: "not an address", Subject: "Hi"}},
		"To empty":     {testFrom, Message{Subject: "Hi"}},
		"From invalid": {"backrest", ok},
		"Subject UTF8": {testFrom, Message{To: "ann@example.org", Subject: "bad \xff"}},
	} {
		if raw, err := Build(tc.from, tc.m); err == nil {
			t.Errorf("%s: no error:\n%s", name, raw)
		}
	}
}

func TestLinks(t *testing.T) {
	t.Parallel()
	got := Links("Open https://a.example/x?y=1. Or (http://b.example/z), not ftp://c.example <https://d.example/>")
	want := []string{"https://a.example/x?y=1", "http://b.example/z", "https://d.example/"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Links = %q, want %q", got, want)
	}
}

func FuzzBuild(f *testing.F) {
	f.Add("ann@example.org", "Hello", "Open "+testLink)
	f.Add("Ann Élise <ann@example.org>", "Bienvenue à bord ✓", "x\r\ny\rz\n")
	f.Add(`"Ann, \"the\" boss" <ann@example.org>`, " =?utf-8?q?x?= ", "")
	f.Add("=?utf-8?q?Ann?= <ann@example.org>", strings.Repeat("é", 100), strings.Repeat("a", 200))
	f.Add("group: ann@example.org;", "a\tb", "--")
	f.Add("ann@example.org\r\nBcc: eve@example.net", "Hi\nBcc: eve@example.net", "")
	f.Fuzz(func(t *testing.T, to, subject, text string) {
		raw, err := Build(testFrom, Message{To: to, Subject: subject, Text: text, HTML: "<p>" + text + "</p>"})
		if err != nil {
			return
		}
		want, err := mail.ParseAddress(to)
		if err != nil {
			t.Fatalf("Build accepted To %q that net/mail refuses: %v", to, err)
		}
		p := parse(t, raw)
		if p.subject != subject {
			t.Fatalf("subject %q came back as %q", subject, p.subject)
		}
		if n := len(p.header["To"]); n != 1 {
			t.Fatalf("%d To headers", n)
		}
		got, err := p.header.AddressList("To")
		if err != nil || len(got) != 1 {
			t.Fatalf("To %q: %v %v", p.header.Get("To"), got, err)
		}
		if got[0].Address != want.Address {
			t.Fatalf("To address %q, want %q", got[0].Address, want.Address)
		}
		if len(p.header["Bcc"]) != 0 || len(p.header["Cc"]) != 0 {
			t.Fatalf("extra recipients: %v", p.header)
		}
	})
}
