package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestOutbox(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "outbox")
	var logs bytes.Buffer
	o := NewOutbox(dir, testFrom, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err := o.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}

	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o700 {
		t.Errorf("outbox mode %v, want 0700", perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("outbox holds %v, want one file", entries)
	}
	name := entries[0].Name()
	if !regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{8}\.eml$`).MatchString(name) {
		t.Errorf("file name %q", name)
	}
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	checkMessage(t, raw, testMessage())

	var line struct {
		Level   string
		Msg     string
		To      string
		Subject string
		File    string
		Links   []string
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if line.Level != "INFO" || line.To != testMessage().To || line.Subject != testMessage().Subject ||
		line.File != filepath.Join(dir, name) || len(line.Links) != 1 || line.Links[0] != testLink {
		t.Errorf("log line %s", logs.String())
	}

	// A second message gets its own file.
	if err := o.Send(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("outbox holds %v, want two files", entries)
	}
}

func TestOutboxRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var logs bytes.Buffer
	o := NewOutbox(dir, testFrom, slog.New(slog.NewTextHandler(&logs, nil)))
	m := testMessage()
	m.Subject = "Hi\r\nBcc: eve@example.net"
	if err := o.Send(context.Background(), m); err == nil {
		t.Error("no error for a subject with CRLF")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Send(ctx, testMessage()); err == nil {
		t.Error("no error for a cancelled context")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || logs.Len() != 0 {
		t.Errorf("outbox holds %v, log %q", entries, logs.String())
	}
}

func TestOutboxUnwritable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := NewOutbox(filepath.Join(file, "outbox"), testFrom, nil)
	if err := o.Send(context.Background(), testMessage()); err == nil {
		t.Error("no error for an outbox under a file")
	}
}
