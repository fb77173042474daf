package mail

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Outbox is a Sender that writes each message as an .eml file into a folder
// instead of delivering it, and logs its links, so that a developer can follow
// them without a mail server.
type Outbox struct {
	dir  string
	from string
	log  *slog.Logger
}

// NewOutbox returns an Outbox that writes messages from the address from into
// dir, creating dir when needed, and logs to log (slog.Default() when nil).
func NewOutbox(dir, from string, log *slog.Logger) *Outbox {
	if log == nil {
		log = slog.Default()
	}
	return &Outbox{dir: dir, from: from, log: log}
}

// Send writes m atomically as DIR/<UTC time>-<random>.eml and logs, at Info
// level, its recipient, subject, file and the http(s) links of its text.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: send to %s: %w", m.To, err)
	}
	raw, err := Build(o.from, m)
	if err != nil {
		return err
	}
	path, err := o.write(raw)
	if err != nil {
		return fmt.Errorf("mail: send to %s: %w", m.To, err)
	}
	o.log.LogAttrs(ctx, slog.LevelInfo, "mail written to outbox",
		slog.String("to", m.To),
		slog.String("subject", m.Subject),
		slog.String("file", path),
		slog.Any("links", Links(m.Text)))
	return nil
}

// write stores raw under a new name in the outbox: it writes and syncs a
// temporary file in the same folder, then renames it, so that a reader never
// sees a partial .eml file.
func (o *Outbox) write(raw []byte) (string, error) {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(o.dir, ".outbox-*.tmp")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	_, err = f.Write(raw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	name := time.Now().UTC().Format("20060102T150405.000000000Z") + "-" + randomHex(4) + ".eml"
	path := filepath.Join(o.dir, name)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, nil
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// Links returns the http and https URLs found in text, in order, without
// trailing sentence punctuation.
func Links(text string) []string {
	links := linkRE.FindAllString(text, -1)
	for i, l := range links {
		links[i] = strings.TrimRight(l, ".,;:!?')]")
	}
	return links
}
