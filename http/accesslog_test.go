package http

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequestID checks that the request id of any header value is one that is
// safe to log and echo: the value itself when it is sane, else a new one.
func FuzzRequestID(f *testing.F) {
	for _, s := range []string{"", "abc-123", "a b", "x\r\nSet-Cookie: y", strings.Repeat("a", 64), strings.Repeat("a", 65), "é", "trace:1.2_3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest("GET", "/-/", nil)
		r.Header[RequestIDHeader] = []string{v}
		id := requestID(r)
		if !saneRequestID(id) {
			t.Fatalf("request id %q for %q is not sane", id, v)
		}
		if len(id) > maxRequestID || strings.ContainsFunc(id, func(c rune) bool {
			return !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:", c)
		}) {
			t.Fatalf("request id %q holds a character it may not", id)
		}
		if saneRequestID(v) != (id == v) {
			t.Fatalf("header %q gave id %q", v, id)
		}
	})
}
