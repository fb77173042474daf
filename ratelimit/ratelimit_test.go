package ratelimit

import (
	"context"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store/storetest"
)

// Clients count by IPv4 address, or by the /64 of an IPv6 one.
func TestAddrKey(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.7":                 "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":        "2001:db8:1:2::/64",
		"2001:db8:1:2::9":             "2001:db8:1:2::/64",
		"fe80::1%eth0":                "fe80::/64",
		"::ffff:203.0.113.7":          "::ffff:203.0.113.7",
		"not an address":              "not an address",
		"2001:db8:1:3:ffff:ffff:ff:1": "2001:db8:1:3::/64",
	} {
		if got := addrKey(addr); got != want {
			t.Errorf("addrKey(%q) = %q, want %q", addr, got, want)
		}
	}
}

// BenchmarkLogin measures what the default limits add to a login: the reservation
// before it and, for one that succeeds, the give-back after it.
func BenchmarkLogin(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			l := New(storetest.Open(b, backend), backrest.DefaultConfig().RateLimits, Options{})
			ctx := context.Background()
			for b.Loop() {
				if err := l.Login(ctx, "203.0.113.7", "ann@example.com"); err != nil {
					b.Fatal(err)
				}
				l.LoginDone(ctx, "203.0.113.7", "ann@example.com", false)
			}
		})
	}
}
