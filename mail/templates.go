package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var embedded embed.FS

// Data is the data the default templates use. Render accepts any value with
// the fields its templates use; Data has all of them.
type Data struct {
	AppName   string // the application's name
	BaseURL   string // the public URL of the application
	Email     string // the account's address (before the change, in email_change and email_changed)
	Firstname string // the user's first name; may be empty
	Link      string // the call to action
	Expires   string // how long Link stays valid, such as "1 hour"
	NewEmail  string // the new address, for email_change and email_changed
	Code      string // the code to type in, for login_code
}

// Templates renders the messages of the application.
type Templates struct {
	byName map[string]*template
}

// template is the three files of one message.
type template struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

// layoutFile is the HTML page around every message: head, greeting, call to
// action and footer. A message's NAME.html defines "title", "body", "action" and
// optionally "note", and calls {{template "layout" .}}; a replacement NAME.html may
// instead be a whole page of its own.
const layoutFile = "layout.html"

// LoadTemplates returns the embedded default templates, each file of which is
// replaced by the file of the same name in dir when dir is not empty and
// holds one (NAME.subject.txt, NAME.txt or NAME.html). A deployment can so
// replace any subset of the files. A dir that does not exist is an error.
func LoadTemplates(dir string) (*Templates, error) {
	if dir != "" {
		if st, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("mail: templates: %w", err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("mail: templates: %s is not a folder", dir)
		}
	}
	entries, err := fs.ReadDir(embedded, "templates")
	if err != nil {
		return nil, err
	}
	layoutSrc, err := read(dir, layoutFile)
	if err != nil {
		return nil, err
	}
	layout, err := htmltemplate.New(layoutFile).Option("missingkey=error").Parse(layoutSrc)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	t := &Templates{byName: map[string]*template{}}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".html")
		if !ok || e.Name() == layoutFile {
			continue
		}
		var tm template
		if tm.subject, err = loadText(dir, name+".subject.txt"); err != nil {
			return nil, err
		}
		if tm.text, err = loadText(dir, name+".txt"); err != nil {
			return nil, err
		}
		src, err := read(dir, name+".html")
		if err != nil {
			return nil, err
		}
		html, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if tm.html, err = html.New(name + ".html").Parse(src); err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
		t.byName[name] = &tm
	}
	return t, nil
}

// loadText reads and parses a text/template file.
func loadText(dir, file string) (*texttemplate.Template, error) {
	src, err := read(dir, file)
	if err != nil {
		return nil, err
	}
	tm, err := texttemplate.New(file).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return tm, nil
}

// read returns the file from dir when it is there, else the embedded one.
func read(dir, file string) (string, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("mail: template: %w", err)
		}
	}
	b, err := embedded.ReadFile("templates/" + file)
	if err != nil {
		return "", fmt.Errorf("mail: template: %w", err)
	}
	return string(b), nil
}

// Render returns the message name, addressed to to, rendered with data. The
// subject is trimmed of surrounding white space.
func (t *Templates) Render(name, to string, data any) (Message, error) {
	tm, ok := t.byName[name]
	if !ok {
		return Message{}, fmt.Errorf("mail: no template %q", name)
	}
	var subject, text, html bytes.Buffer
	if err := tm.subject.Execute(&subject, data); err != nil {
		return Message{}, fmt.Errorf("mail: %w", err)
	}
	if err := tm.text.Execute(&text, data); err != nil {
		return Message{}, fmt.Errorf("mail: %w", err)
	}
	if err := tm.html.Execute(&html, data); err != nil {
		return Message{}, fmt.Errorf("mail: %w", err)
	}
	return Message{
		To:      to,
		Subject: strings.TrimSpace(subject.String()),
		Text:    text.String(),
		HTML:    html.String(),
	}, nil
}
