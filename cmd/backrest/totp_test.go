package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/backrest/backrest/store/storetest"
)

// user reset-totp removes a second factor while a server runs: the next login
// is a whole one again.
func TestUserResetTOTP(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		addr := freeAddr(t)
		vars := map[string]string{
			"BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b), "BACKREST_ADDR": addr,
			"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1",
		}
		base := serveInBackground(t, addr, vars)
		cmd := func(args ...string) (string, error) {
			var out bytes.Buffer
			err := run(context.Background(), args, env(vars), &out, &out)
			return out.String(), err
		}
		if out, err := cmd("user", "add", "--password", "ann's pass", "ann@example.com"); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		call := func(method, path, body string) map[string]any {
			t.Helper()
			res, err := client.Do(jsonRequest(t, method, base+path, body))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var m map[string]any
			if err := json.NewDecoder(res.Body).Decode(&m); err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %v %v", method, path, res.StatusCode, m, err)
			}
			return m
		}
		login := `{"login": "ann@example.com", "password": "ann's pass"}`
		call("PUT", "/-/login", login)
		if out, err := cmd("user", "reset-totp", "ann@example.com"); err != nil || !strings.Contains(out, "had no second factor") {
			t.Fatalf("reset without a second factor: %v %s", err, out)
		}
		secret := call("POST", "/-/userprofile/totp", `{"password": "ann's pass"}`)["secret"].(string)
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		call("PUT", "/-/userprofile/totp", `{"code": "`+code+`"}`)
		if m := call("PUT", "/-/login", login); m["status"] != "second_factor" {
			t.Fatalf("login with a second factor: %v", m)
		}
		if _, err := cmd("user", "reset-totp", "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "no such user") {
			t.Fatalf("unknown user: %v", err)
		}
		if out, err := cmd("user", "reset-totp", "ann@example.com"); err != nil || !strings.Contains(out, "removed the second factor") {
			t.Fatalf("reset: %v %s", err, out)
		}
		if m := call("PUT", "/-/login", login); m["status"] != "success" {
			t.Fatalf("login after the reset: %v", m)
		}
	})
}
