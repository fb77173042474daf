package backup

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The progress of a copy: on a terminal a line rewritten in place, elsewhere
// plain lines; the counts, with the rate of this run only (not of what an
// interrupted run copied) and the time left.
func TestMeter(t *testing.T) {
	for _, plain := range []bool{true, false} {
		var out bytes.Buffer
		long := time.Now().Add(-10 * time.Second)
		m := &meter{w: &out, plain: plain, verb: "copy", noun: "rows", allItems: 100, allBytes: 1000, start: long, last: long}
		m.done(20, 200)
		m.doing("users")
		m.Write(make([]byte, 300))
		m.finish()
		lines := strings.Split(strings.TrimRight(out.String(), " \n"), "\r")
		if plain {
			lines = strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
		} else if parts := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r"); parts[0] != "" || len(parts) != 3 ||
			!strings.HasSuffix(out.String(), "\n") || len(parts[2]) < len(parts[1]) {
			// The shorter last line is padded to wipe the longer one before.
			t.Fatalf("terminal: %q", out.String())
		} else {
			lines = lines[1:]
		}
		want := []string{`^copy: 20/100 rows, 500 B/1000 B, 0 rows/s, \d+ B/s, \d+s left \(users\) *$`, `^copy: 20/100 rows, 500 B/1000 B, 0 rows/s, \d+ B/s *$`}
		if len(lines) != 2 {
			t.Fatalf("plain %v: %q", plain, out.String())
		}
		for i, l := range lines {
			if !regexp.MustCompile(want[i]).MatchString(l) {
				t.Fatalf("plain %v: line %q, want %s", plain, l, want[i])
			}
		}
	}
	var out bytes.Buffer
	m := &meter{w: &out, plain: true, verb: "check", noun: "rows", allItems: 3, start: time.Now()}
	m.add(3)
	m.finish()
	if out.String() != "check: 3/3 rows\n" {
		t.Fatalf("without bytes: %q", out.String())
	}
}
