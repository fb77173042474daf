package backrest

import (
	"encoding/hex"
	"slices"
	"time"
)

// RoleAdmin is the global role that may do everything.
const RoleAdmin = "admin"

// UserID is a user's UUID. It is rendered as 32 hex digits without dashes.
type UserID [16]byte

// String renders id as 32 lower-case hex digits.
func (id UserID) String() string { return hex.EncodeToString(id[:]) }

// Short returns the first 8 hex digits, the user's short_id.
func (id UserID) Short() string { return id.String()[:8] }

// ParseUserID parses a user's UUID; see ParseUUID.
func ParseUserID(s string) (UserID, bool) {
	u, ok := ParseUUID(s)
	return UserID(u), ok
}

// User is an account.
type User struct {
	ID        UserID
	Email     string
	Firstname string
	Lastname  string
	Roles     []string
	// Active is false until the sign-up is confirmed, and while an admin has
	// deactivated the user.
	Active bool
	// Confirmed is true once the address was confirmed or the user made active by
	// an operator: an inactive user who is not confirmed is a pending sign-up.
	Confirmed bool
	// PasswordHash is the encoded hash, or empty for a user without a password.
	PasswordHash string
	Created      time.Time
	Modified     time.Time
}

// Pending reports whether the user is a sign-up that was never confirmed.
func (u *User) Pending() bool { return !u.Active && !u.Confirmed }

// HasRole reports whether the user has the global role.
func (u *User) HasRole(role string) bool {
	return u != nil && slices.Contains(u.Roles, role)
}

// IsAdmin reports whether the user has the global role admin.
func (u *User) IsAdmin() bool { return u.HasRole(RoleAdmin) }

// UserJSON is the representation of a user in the API.
type UserJSON struct {
	ID        string   `json:"id"`
	ShortID   string   `json:"short_id"`
	Email     string   `json:"email"`
	Firstname string   `json:"firstname"`
	Lastname  string   `json:"lastname"`
	Roles     []string `json:"roles"`
}

// JSON returns the API representation of u.
func (u *User) JSON() UserJSON {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return UserJSON{ID: u.ID.String(), ShortID: u.ID.Short(), Email: u.Email,
		Firstname: u.Firstname, Lastname: u.Lastname, Roles: roles}
}
