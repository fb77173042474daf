package account

import (
	"strings"
	"testing"

	"github.com/backrest/backrest"
)

// The checks of typed codes let through only what the flows can use: a second
// factor is exactly one of a 6-digit code or a bounded recovery code, and a
// sign-in by mail is a link, or a valid address with an 8-digit code.
func FuzzCodeInput(f *testing.F) {
	for _, s := range [][3]string{{"123456", "", ""}, {"12345", "abcde-fghij", ""}, {"", "ABCDE FGHIJ", "ann@example.com"},
		{"12345678", "", "ann@example.com"}, {" 12345678 ", "x", "not an address"}, {"１２３４５６", "", ""}} {
		f.Add(s[0], s[1], s[2], true, false)
	}
	f.Fuzz(func(t *testing.T, code, recovery, email string, hasCode, hasRecovery bool) {
		opt := func(s string, has bool) *string {
			if !has {
				return nil
			}
			return &s
		}
		var v backrest.Validation
		sf := SecondFactor{Code: opt(code, hasCode), RecoveryCode: opt(recovery, hasRecovery)}
		checkSecondFactor(&v, sf)
		if v.Err() == nil {
			if (sf.Code == nil) == (sf.RecoveryCode == nil) {
				t.Fatalf("accepted %v", sf)
			}
			if sf.Code != nil && (len(code) != 6 || strings.Trim(code, "0123456789") != "") {
				t.Fatalf("accepted code %q", code)
			}
			if sf.RecoveryCode != nil && len(recovery) > 64 {
				t.Fatalf("accepted a recovery code of %d bytes", len(recovery))
			}
		}
		if n := normalRecovery(recovery); normalRecovery(n) != n || strings.ContainsAny(n, "- ") {
			t.Fatalf("normalRecovery(%q) = %q", recovery, n)
		}
		v = backrest.Validation{}
		in := LoginCodeInput{Email: opt(email, hasCode), Code: opt(code, true), Link: opt(recovery, hasRecovery && !hasCode)}
		checkLoginCodeInput(&v, in)
		if v.Err() == nil && in.Link == nil {
			c := strings.TrimSpace(code)
			if in.Email == nil || !ValidEmail(*in.Email) || len(c) != LoginCodeDigits || strings.Trim(c, "0123456789") != "" {
				t.Fatalf("accepted %q %q", email, code)
			}
		}
	})
}
