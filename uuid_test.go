package backrest_test

import (
	"strings"
	"testing"

	"github.com/backrest/backrest"
)

func TestNewUUID(t *testing.T) {
	seen := map[backrest.UUID]bool{}
	for range 100 {
		u := backrest.NewUUID()
		if u[6]>>4 != 4 || u[8]>>6 != 2 {
			t.Fatalf("%s: not a version 4, RFC 4122 variant UUID", u)
		}
		if seen[u] {
			t.Fatalf("%s drawn twice", u)
		}
		seen[u] = true
	}
}

func TestParseUUID(t *testing.T) {
	const want = "0123456789abcdef0123456789abcdef"
	for _, s := range []string{want, strings.ToUpper(want), "01234567-89ab-cdef-0123-456789abcdef"} {
		if u, ok := backrest.ParseUUID(s); !ok || u.String() != want {
			t.Errorf("ParseUUID(%q) = %s, %v", s, u, ok)
		}
	}
	for _, s := range []string{"", want[:31], want + "0", "0123456789abcdef0123456789abcdeg", "é" + want[2:]} {
		if _, ok := backrest.ParseUUID(s); ok {
			t.Errorf("ParseUUID(%q) accepted", s)
		}
	}
}

func FuzzParseUUID(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef")
	f.Add("01234567-89AB-cdef-0123-456789abcdef")
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := backrest.ParseUUID(s)
		if !ok {
			return
		}
		// What parses has one canonical form that parses to the same UUID.
		back, ok := backrest.ParseUUID(u.String())
		if !ok || back != u || len(u.String()) != 32 || u.String() != strings.ToLower(strings.ReplaceAll(s, "-", "")) {
			t.Fatalf("%q parsed to %s", s, u)
		}
	})
}
