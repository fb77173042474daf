package account

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/backrest/backrest"
)

// Purposes of mailed tokens. A token made for one purpose never verifies for another.
const (
	PurposeSignup = "signup"
	PurposeReset  = "reset"
	PurposeEmail  = "email"
)

// Tokens signs and verifies the tokens of mailed links.
//
// A token is base64url(payload) "." base64url(HMAC-SHA256(key, payload)), where the
// key is derived from the server secret and the purpose. The payload names the user,
// the expiry, and a fingerprint of the state the token is meant to change (the
// password hash for a reset, the address for an e-mail change). Once that state
// changes, the fingerprint no longer matches and the token is dead: tokens work once
// without any table of used tokens.
type Tokens struct {
	secret []byte
}

// NewTokens returns Tokens signing with secret.
func NewTokens(secret string) *Tokens { return &Tokens{secret: []byte(secret)} }

// Claims is what a token carries.
type Claims struct {
	Purpose string `json:"p"`
	User    string `json:"u"`
	Expires int64  `json:"e"`
	// State is the fingerprint of the state the token may change.
	State string `json:"s,omitempty"`
	// Extra carries purpose-specific data (the new address of an e-mail change).
	Extra string `json:"x,omitempty"`
}

func (t *Tokens) key(purpose string) []byte {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte("backrest token key\x00" + purpose))
	return m.Sum(nil)
}

// Fingerprint returns a short keyed digest of state, to put in Claims.State.
func (t *Tokens) Fingerprint(state string) string {
	m := hmac.New(sha256.New, t.key("state"))
	m.Write([]byte(state))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// Sign returns the token for c.
func (t *Tokens) Sign(c Claims) string {
	payload, _ := json.Marshal(c) // Claims always encodes
	p := base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, t.key(c.Purpose))
	m.Write([]byte(p))
	return p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var b64url = base64.RawURLEncoding.Strict()

// errBadToken is what every token that does not verify gives: callers cannot tell
// why, and the API answers 404.
var errBadToken = backrest.Errorf(backrest.ENOTFOUND, "Invalid or expired token")

// Verify checks token's signature for purpose and its expiry at now, and returns its
// claims. Any failure is an ENOTFOUND error.
func (t *Tokens) Verify(token, purpose string, now time.Time) (Claims, error) {
	var c Claims
	p, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 2048 {
		return c, errBadToken
	}
	// Strict decoding: a token has one spelling, so no changed character in
	// the unused bits of the last one still verifies.
	got, err := b64url.DecodeString(sig)
	if err != nil {
		return c, errBadToken
	}
	m := hmac.New(sha256.New, t.key(purpose))
	m.Write([]byte(p))
	if !hmac.Equal(got, m.Sum(nil)) {
		return c, errBadToken
	}
	payload, err := b64url.DecodeString(p)
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, errBadToken
	}
	if c.Purpose != purpose || now.Unix() >= c.Expires {
		return c, errBadToken
	}
	return c, nil
}
