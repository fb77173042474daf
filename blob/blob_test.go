package blob

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestNewKey(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		k := newKey()
		if !validKey(k) {
			t.Fatalf("newKey() = %q, not valid", k)
		}
		if seen[k] {
			t.Fatalf("newKey() repeated %q", k)
		}
		seen[k] = true
	}
}

func TestValidKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{
		"",
		"../x",
		"..",
		"0123456789abcdef0123456789abcde",   // 31
		"0123456789abcdef0123456789abcdef0", // 33
		"0123456789ABCDEF0123456789ABCDEF",  // upper case
		"../../../../../../../../etc/passw",
		"01/3456789abcdef0123456789abcdef",
		"01\\3456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789abcde\x00",
	} {
		if validKey(k) {
			t.Errorf("validKey(%q) = true", k)
		}
	}
	if !validKey("0123456789abcdef0123456789abcdef") {
		t.Error("validKey rejects a well-formed key")
	}
}

func TestLimitReader(t *testing.T) {
	t.Parallel()
	const n = 100
	data := strings.Repeat("x", n)

	got, err := io.ReadAll(LimitReader(strings.NewReader(data), n))
	if err != nil || len(got) != n {
		t.Errorf("exactly n bytes: read %d, %v", len(got), err)
	}
	got, err = io.ReadAll(LimitReader(strings.NewReader(data[:n-1]), n))
	if err != nil || len(got) != n-1 {
		t.Errorf("fewer than n bytes: read %d, %v", len(got), err)
	}
	got, err = io.ReadAll(LimitReader(strings.NewReader(data+"y"), n))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("n+1 bytes: err = %v, want ErrTooLarge", err)
	}
	if len(got) > n {
		t.Errorf("n+1 bytes: delivered %d bytes, more than the limit", len(got))
	}
	// The error sticks.
	r := LimitReader(strings.NewReader(data+data), n)
	io.Copy(io.Discard, r)
	if _, err := r.Read(make([]byte, 10)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("read after ErrTooLarge: %v", err)
	}
	// One-byte reads find the limit too.
	r = LimitReader(bytes.NewReader([]byte(data+"y")), n)
	var total int
	for {
		k, err := r.Read(make([]byte, 1))
		total += k
		if err != nil {
			if !errors.Is(err, ErrTooLarge) || total != n {
				t.Errorf("one-byte reads: %d bytes then %v", total, err)
			}
			break
		}
	}
}
