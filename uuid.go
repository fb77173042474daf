package backrest

import (
	"crypto/rand"
	"encoding/hex"
)

// UUID is a 128-bit identifier, rendered as 32 lower-case hex digits.
type UUID [16]byte

// NewUUID returns a random (version 4, RFC 4122 variant) UUID.
func NewUUID() UUID {
	var u UUID
	rand.Read(u[:]) // never fails, see crypto/rand.Read
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// String renders u as 32 lower-case hex digits.
func (u UUID) String() string { return hex.EncodeToString(u[:]) }

// ParseUUID parses 32 hex digits of either case, dashes allowed (as in the
// canonical form 8-4-4-4-12).
func ParseUUID(s string) (UUID, bool) {
	var u UUID
	clean := make([]byte, 0, 32)
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			clean = append(clean, s[i])
		}
	}
	if len(clean) != 32 {
		return u, false
	}
	if _, err := hex.Decode(u[:], clean); err != nil {
		return u, false
	}
	return u, true
}
