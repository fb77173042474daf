package account_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/mail"
	"github.com/backrest/backrest/store/storetest"
)

func newService(t *testing.T, b storetest.Backend) *account.Service {
	cfg := backrest.DefaultConfig()
	templates, err := mail.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, b)
	mailer := mail.NewQueue(db, templates, mail.NewOutbox(t.TempDir(), cfg.MailFrom, slog.New(slog.DiscardHandler)), mail.QueueOptions{})
	s, err := account.NewService(db, mailer, account.Options{
		Secret: "test secret", Links: testLinks{}, PasswordMinLength: cfg.PasswordMinLength,
		Argon2: backrest.Argon2Params{Memory: 64, Time: 1, Threads: 1}, HashConcurrency: 1, SessionTTL: cfg.SessionTTL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testLinks builds links on a fixed base.
type testLinks struct{}

func (testLinks) Signup(token string) string      { return "http://127.0.0.1/signup/" + token }
func (testLinks) Reset(token string) string       { return "http://127.0.0.1/reset/" + token }
func (testLinks) LoginCode(token string) string   { return "http://127.0.0.1/login/code/" + token }
func (testLinks) EmailChange(token string) string { return "http://127.0.0.1/email/" + token }

func ptr(s string) *string { return &s }

// A user without a password (made by an operator) sets one without giving a
// current one; once it has one, the current one is required.
func TestChangePasswordWithoutCurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		s := newService(t, b)
		ctx := context.Background()
		u, err := s.AddUser(ctx, account.NewUser{Email: "nopw@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Login(ctx, "nopw@example.com", ""); !account.IsLoginFailure(err) {
			t.Fatalf("login without a password: %v", err)
		}
		sess := &account.Session{User: u}
		if err := s.ChangePassword(ctx, sess, account.PasswordChange{Password: ptr("first password")}); err != nil {
			t.Fatal(err)
		}
		sess, err = s.Login(ctx, "nopw@example.com", "first password")
		if err != nil {
			t.Fatal(err)
		}
		err = s.ChangePassword(ctx, sess, account.PasswordChange{Password: ptr("second password")})
		if e, ok := err.(*backrest.Error); !ok || e.Fields[0].Name != "current" || e.Fields[0].Description != "current is missing" {
			t.Fatalf("second change without current: %v", err)
		}
	})
}

// Concurrent uses of one reset link change the password once.
func TestResetOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		s := newService(t, b)
		ctx := context.Background()
		u, err := s.AddUser(ctx, account.NewUser{Email: "ann@example.com", Password: "old password"})
		if err != nil {
			t.Fatal(err)
		}
		token := s.Tokens().Sign(account.Claims{Purpose: account.PurposeReset, User: u.ID.String(),
			Expires: time.Now().Add(time.Hour).Unix(), State: s.Tokens().Fingerprint("reset\x00ann@example.com\x00" + u.PasswordHash)})
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { errs[i] = s.Reset(ctx, token, ptr("new password "+strings.Repeat("x", i))) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if backrest.ErrorCode(err) != backrest.ENOTFOUND {
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d resets succeeded, want 1", ok)
		}
	})
}

func TestHasher(t *testing.T) {
	h, err := account.NewHasher(backrest.Argon2Params{Memory: 64, Time: 1, Threads: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hash, err := h.Hash(ctx, "secret")
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q, %v", hash, err)
	}
	again, _ := h.Hash(ctx, "secret")
	if again == hash {
		t.Fatal("no salt")
	}
	for _, c := range []struct {
		hash, pw string
		ok       bool
	}{{hash, "secret", true}, {hash, "Secret", false}, {"", "", false}} {
		if ok, err := h.Verify(ctx, c.hash, c.pw); ok != c.ok || err != nil {
			t.Fatalf("verify %q %q: %v %v", c.hash, c.pw, ok, err)
		}
	}
	for _, bad := range []string{"plain", "$argon2id$v=19$m=64,t=1,p=0$AAAA$AAAA", "$argon2id$v=18$m=64,t=1,p=1$AAAA$AAAA", "$bcrypt$x$y$z$w"} {
		if _, err := h.Verify(ctx, bad, "x"); err == nil {
			t.Fatalf("malformed hash %q accepted", bad)
		}
	}
	if _, err := account.NewHasher(backrest.Argon2Params{Memory: 1, Time: 1, Threads: 1}, 1); err == nil {
		t.Fatal("tiny parameters accepted")
	}
}

func TestTokens(t *testing.T) {
	tk := account.NewTokens("secret")
	now := time.Now()
	c := account.Claims{Purpose: account.PurposeReset, User: "u", Expires: now.Add(time.Hour).Unix(), State: "s"}
	token := tk.Sign(c)
	if got, err := tk.Verify(token, account.PurposeReset, now); err != nil || got != c {
		t.Fatalf("verify: %+v, %v", got, err)
	}
	if _, err := tk.Verify(token, account.PurposeSignup, now); err == nil {
		t.Fatal("token verified for another purpose")
	}
	if _, err := account.NewTokens("other").Verify(token, account.PurposeReset, now); err == nil {
		t.Fatal("token verified with another secret")
	}
	if _, err := tk.Verify(token, account.PurposeReset, now.Add(time.Hour)); err == nil {
		t.Fatal("expired token verified")
	}
	// Tokens longer than any the server mails are refused unread.
	long := tk.Sign(account.Claims{Purpose: account.PurposeReset, User: "u", Expires: c.Expires, Extra: strings.Repeat("x", 2048)})
	if _, err := tk.Verify(long, account.PurposeReset, now); err == nil {
		t.Fatal("overlong token verified")
	}
	// A payload re-signed for another purpose under the right key still names its
	// own purpose, and is refused.
	forged := tk.Sign(account.Claims{Purpose: account.PurposeSignup, User: "u", Expires: c.Expires})
	p, _, _ := strings.Cut(forged, ".")
	_, sig, _ := strings.Cut(token, ".")
	if _, err := tk.Verify(p+"."+sig, account.PurposeReset, now); err == nil {
		t.Fatal("spliced token verified")
	}
}

// FuzzVerify feeds arbitrary tokens to the parser: it never panics, and whatever
// verifies re-signs to the same claims.
func FuzzVerify(f *testing.F) {
	tk := account.NewTokens("secret")
	now := time.Unix(1_800_000_000, 0)
	f.Add(tk.Sign(account.Claims{Purpose: account.PurposeSignup, User: "abc", Expires: now.Unix() + 60}))
	f.Add("")
	f.Add(".")
	f.Add("e30.")
	f.Add("eyJwIjoic2lnbnVwIn0.AAAA")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := tk.Verify(token, account.PurposeSignup, now)
		if err != nil {
			if backrest.ErrorCode(err) != backrest.ENOTFOUND {
				t.Fatalf("error %v is not ENOTFOUND", err)
			}
			return
		}
		if c.Purpose != account.PurposeSignup || c.Expires <= now.Unix() {
			t.Fatalf("verified bad claims %+v", c)
		}
		if tk.Sign(c) != token {
			t.Fatalf("%q verified but is not how its claims sign", token)
		}
	})
}

// TestTokenOneSpelling changes each character of a token to every other character
// of the alphabet: none of the changed tokens verifies.
func TestTokenOneSpelling(t *testing.T) {
	tk := account.NewTokens("secret")
	now := time.Unix(1_800_000_000, 0)
	for _, c := range []account.Claims{
		{Purpose: account.PurposeSignup, User: "abc", Expires: now.Unix() + 60},
		{Purpose: account.PurposeSignup, User: "abcd", Expires: now.Unix() + 60, State: "s"},
	} {
		token := tk.Sign(c)
		if _, err := tk.Verify(token, account.PurposeSignup, now); err != nil {
			t.Fatal(err)
		}
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
		for i := range len(token) {
			for _, r := range alphabet {
				if byte(r) == token[i] {
					continue
				}
				changed := token[:i] + string(r) + token[i+1:]
				if _, err := tk.Verify(changed, account.PurposeSignup, now); err == nil {
					t.Fatalf("changed token %q verifies (position %d)", changed, i)
				}
			}
		}
	}
}

func TestValidEmail(t *testing.T) {
	for s, want := range map[string]bool{
		"a@b.c": true, "alice@example.com": true, "a.b+c@d-e.org": true,
		"": false, "a": false, "@b.c": false, "a@": false, "a b@c.d": false, "A <a@b.c>": false,
		"a@b.c\r\nBcc: x@y.z": false, strings.Repeat("a", 250) + "@b.cd": false,
	} {
		if got := account.ValidEmail(s); got != want {
			t.Errorf("ValidEmail(%q) = %v", s, got)
		}
	}
}

// BenchmarkVerify measures one password verification with the default argon2id
// parameters: the floor of a login's latency.
func BenchmarkVerify(b *testing.B) {
	h, err := account.NewHasher(backrest.DefaultConfig().Argon2, 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	hash, _ := h.Hash(ctx, "correct horse")
	for b.Loop() {
		if ok, err := h.Verify(ctx, hash, "correct horse"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// A caller whose context ends while waiting for a worker gives up; a closed
// Hasher refuses work.
func TestHasherWaitsAndCloses(t *testing.T) {
	h, err := account.NewHasher(backrest.Argon2Params{Memory: 64, Time: 1, Threads: 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "x"); err == nil {
		t.Fatal("hash with an ended context")
	}
	h.Close()
	h.Close()
	if _, err := h.Hash(context.Background(), "x"); err == nil {
		t.Fatal("hash after Close")
	}
}

// BenchmarkTokenVerify measures the verification of a mailed link's token.
func BenchmarkTokenVerify(b *testing.B) {
	tk := account.NewTokens("a secret of some length")
	now := time.Unix(1_800_000_000, 0)
	token := tk.Sign(account.Claims{Purpose: account.PurposeReset, User: strings.Repeat("ab", 16), Expires: now.Unix() + 3600,
		State: tk.Fingerprint("the password hash")})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tk.Verify(token, account.PurposeReset, now); err != nil {
			b.Fatal(err)
		}
	}
}
