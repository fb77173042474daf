package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/backrest/backrest/store/storetest"
)

// The webhook commands add, list and delete webhooks; bad input is refused with
// the flag named and adds nothing.
func TestWebhookCommands(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b)}
		cmd := func(args ...string) (string, error) {
			var out, log bytes.Buffer
			err := run(context.Background(), args, env(vars), &out, &log)
			return out.String(), err
		}
		must := func(args ...string) string {
			t.Helper()
			out, err := cmd(args...)
			if err != nil {
				t.Fatalf("%v: %v: %s", args, err, out)
			}
			return out
		}
		out := must("webhook", "add", "https://example.com/hook")
		if !strings.HasPrefix(out, "added webhook 1: https://example.com/hook (types all, kinds create,update,delete)\nsecret: whsec_") {
			t.Fatalf("add: %s", out)
		}
		out = must("webhook", "add", "--kind", "delete", "--hook-secret", "a-given-secret-0123", "--inactive", "https://example.com/deletes")
		if out != "added webhook 2: https://example.com/deletes (types all, kinds delete)\n" {
			t.Fatalf("add with a secret: %q", out)
		}
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"webhook", "add", "ftp://example.com"}, "webhook add: url: Must be an absolute http:// or https:// URL"},
			{[]string{"webhook", "add", "http://127.0.0.1:9/"}, "webhook add: url: Must not lead to a loopback"},
			{[]string{"webhook", "add", "--kind", "insert", "https://example.com"}, "webhook add: kinds: Each kind must be"},
			{[]string{"webhook", "add", "--type", "nope", "https://example.com"}, "webhook add: types: Unknown content type"},
			{[]string{"webhook", "add", "--hook-secret", "short", "https://example.com"}, "webhook add: secret:"},
			{[]string{"webhook", "delete", "7"}, "webhook delete: no such webhook"},
			{[]string{"webhook", "delete", "x"}, "webhook delete: want the id of a webhook"},
			{[]string{"webhook", "frob"}, "unknown webhook command"},
		} {
			if out, err := cmd(c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v: %v, want %q: %s", c.args, err, c.want, out)
			}
		}
		table := must("webhook", "list")
		lines := strings.Split(strings.TrimSpace(table), "\n")
		if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "ID URL TYPES KINDS STATE PENDING FAILED LAST ERROR" ||
			strings.Join(strings.Fields(lines[2]), " ") != "2 https://example.com/deletes all delete inactive 0 0 -" {
			t.Fatalf("list:\n%s", table)
		}
		must("webhook", "delete", "1")
		if table := must("webhook", "list"); strings.Contains(table, "example.com/hook") {
			t.Fatalf("deleted webhook listed:\n%s", table)
		}
	})
}
