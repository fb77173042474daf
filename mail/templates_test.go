package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testData() Data {
	return Data{
		AppName:   "Acme & Co",
		BaseURL:   "https://app.example.com",
		Email:     "ann@example.org",
		Firstname: "Ann",
		Link:      testLink,
		Expires:   "1 hour",
		NewEmail:  "ann.new@example.org",
		Code:      "12345678",
	}
}

func TestTemplatesDefaults(t *testing.T) {
	t.Parallel()
	tm, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"signup":           {"Confirm your Acme & Co account"},
		"reset":            {"Reset your Acme & Co password", "1 hour", "ann@example.org"},
		"email_change":     {"Confirm your new Acme & Co e-mail address", "ann.new@example.org", "ann@example.org"},
		"password_changed": {"Your Acme & Co password was changed", "reset your password"},
		"email_changed":    {"Your Acme & Co e-mail address was changed", "ann.new@example.org", "ann@example.org"},
		"login_code":       {"Your Acme & Co sign-in code: 12345678", "12345678", "1 hour", "ann@example.org"},
	} {
		m, err := tm.Render(name, "ann@example.org", testData())
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if m.To != "ann@example.org" || m.Subject != want[0] {
			t.Errorf("%s: To %q Subject %q", name, m.To, m.Subject)
		}
		for _, s := range want[1:] {
			if !strings.Contains(m.Text, s) || !strings.Contains(m.HTML, strings.ReplaceAll(s, "&", "&amp;")) {
				t.Errorf("%s: %q missing from text or HTML:\n%s\n%s", name, s, m.Text, m.HTML)
			}
		}
		if !strings.HasPrefix(m.Text, "Hello Ann,") || !strings.Contains(m.HTML, "Hello Ann,") {
			t.Errorf("%s: no greeting", name)
		}
		// One call to action, in both parts; the HTML escapes it.
		if links := Links(m.Text); len(links) != 1 || links[0] != testLink {
			t.Errorf("%s: text links %q", name, links)
		}
		if !strings.Contains(m.HTML, `<a href="`+strings.ReplaceAll(testLink, "&", "&amp;")+`"`) {
			t.Errorf("%s: link missing from HTML:\n%s", name, m.HTML)
		}
		if !strings.Contains(m.HTML, "Acme &amp; Co") || strings.Contains(m.HTML, "Acme & Co") {
			t.Errorf("%s: HTML not escaped", name)
		}
		if _, err := Build(testFrom, m); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	d := testData()
	d.Firstname = ""
	m, err := tm.Render("signup", "ann@example.org", d)
	if err != nil || !strings.HasPrefix(m.Text, "Hello,") {
		t.Errorf("no first name: %v %q", err, m.Text)
	}
	if _, err := tm.Render("nope", "ann@example.org", d); err == nil {
		t.Error("unknown template: no error")
	}
	if _, err := tm.Render("signup", "ann@example.org", map[string]string{"Link": testLink}); err == nil {
		t.Error("missing field: no error")
	}
}

func TestTemplatesOverride(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("signup.subject.txt", "\n  Welcome aboard, {{.Firstname}}!\n")
	write("reset.html", `<p>Reset: <a href="{{.Link}}">here</a> {{.Firstname}}</p>`)
	write("unrelated.txt", "ignored")

	tm, err := LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := testData()
	d.Firstname = "<b>Ann</b>"
	m, err := tm.Render("signup", "ann@example.org", d)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Welcome aboard, <b>Ann</b>!" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Text, "Thank you for signing up") {
		t.Errorf("default text not kept: %q", m.Text)
	}
	m, err = tm.Render("reset", "ann@example.org", d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<p>Reset: <a href="` + strings.ReplaceAll(testLink, "&", "&amp;") + `">here</a> &lt;b&gt;Ann&lt;/b&gt;</p>`; m.HTML != want {
		t.Errorf("html %q, want %q", m.HTML, want)
	}
	if m.Subject != "Reset your Acme & Co password" {
		t.Errorf("default subject not kept: %q", m.Subject)
	}

	for _, bad := range []string{filepath.Join(dir, "missing"), filepath.Join(dir, "unrelated.txt")} {
		if _, err := LoadTemplates(bad); err == nil {
			t.Errorf("LoadTemplates(%q): no error", bad)
		}
	}

	write("email_change.txt", "{{.Link")
	if _, err := LoadTemplates(dir); err == nil || !strings.Contains(err.Error(), "email_change.txt") {
		t.Errorf("broken template: err = %v", err)
	}
}

// The HTML messages share one layout; a replacement layout.html restyles them all,
// and a broken one is refused.
func TestTemplatesLayout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	layout := `{{define "layout"}}<main><h1>{{template "title" .}}</h1>{{template "body" .}}<a href="{{.Link}}">{{template "action" .}}</a>{{block "note" .}}{{end}}</main>{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "layout.html"), []byte(layout), 0o600); err != nil {
		t.Fatal(err)
	}
	tm, err := LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"signup", "reset", "email_change", "password_changed", "email_changed", "login_code"} {
		m, err := tm.Render(name, "ann@example.org", testData())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasPrefix(m.HTML, "<main><h1>"+strings.ReplaceAll(m.Subject, "&", "&amp;")+"</h1>") || !strings.HasSuffix(m.HTML, "</main>") {
			t.Errorf("%s: layout not used: %s", name, m.HTML)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "layout.html"), []byte(`{{define "layout"}}{{.Link`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTemplates(dir); err == nil || !strings.Contains(err.Error(), "layout.html") {
		t.Errorf("broken layout: err = %v", err)
	}
}
