package account_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/mail"
	"github.com/backrest/backrest/store/storetest"
)

// Whatever a client sends as a passkey credential or assertion, the answer is a
// 400 on "credential" (or "name") and no session or passkey: never another error
// nor a panic.
func FuzzPasskeyInput(f *testing.F) {
	for _, s := range []string{`{}`, `"x"`, `null`, `{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{}}`,
		`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA","userHandle":"AAAA"}}`,
		`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiQUFBQSJ9","attestationObject":"oA"}}`} {
		f.Add([]byte(s))
	}
	templates, err := mail.LoadTemplates("")
	if err != nil {
		f.Fatal(err)
	}
	cfg := backrest.DefaultConfig()
	db := storetest.Open(f, storetest.SQLite)
	mailer := mail.NewQueue(db, templates, mail.NewOutbox(f.TempDir(), cfg.MailFrom, slog.New(slog.DiscardHandler)), mail.QueueOptions{})
	s, err := account.NewService(db, mailer, account.Options{Secret: "test secret", BaseURL: "https://app.example.com", Links: testLinks{},
		Argon2: backrest.Argon2Params{Memory: 64, Time: 1, Threads: 1}, HashConcurrency: 1, SessionTTL: cfg.SessionTTL})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	u, err := s.AddUser(ctx, account.NewUser{Email: "fuzz@example.com"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sess, err := s.PasskeyLogin(ctx, data)
		if sess != nil || backrest.ErrorCode(err) != backrest.EINVALID {
			t.Fatalf("login with %q: %v, %v", data, sess, err)
		}
		p, err := s.RegisterPasskey(ctx, u, nil, data)
		if p != nil || backrest.ErrorCode(err) != backrest.EINVALID {
			t.Fatalf("registration of %q: %v, %v", data, p, err)
		}
	})
}
