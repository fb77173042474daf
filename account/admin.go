package account

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// The administration of users, files and counts by a user with the role admin.
// Every call checks the caller first: anyone else, anonymous included, gets
// EFORBIDDEN.

// MaxPageLimit is the largest page of the admin lists; DefaultPageLimit the page
// when none is asked for.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 1000
)

// maxRoleLength bounds a role's name, in characters.
const maxRoleLength = 100

// Operator returns the caller of the administrative commands run from a shell
// (backrest user ...): an admin who is no user, so that the rules an admin keeps
// about their own account do not stand in the way of repairing any account.
func Operator() *backrest.User { return &backrest.User{Roles: []string{backrest.RoleAdmin}} }

var errNotAdmin = backrest.Errorf(backrest.EFORBIDDEN, "Only admins may do this")

// RequireAdmin returns EFORBIDDEN unless caller has the role admin.
func RequireAdmin(caller *backrest.User) error {
	if !caller.IsAdmin() {
		return errNotAdmin
	}
	return nil
}

// ListUsers returns a page of the users that q selects, newest first, and how many

// UserQuery selects a page of users for ListUsers: the filters and the page.
type UserQuery = store.UserQuery

// it selects over all pages. A zero q.Limit means DefaultPageLimit.
func (s *Service) ListUsers(ctx context.Context, caller *backrest.User, q UserQuery) ([]*backrest.User, int64, error) {
	if err := RequireAdmin(caller); err != nil {
		return nil, 0, err
	}
	if q.Limit == 0 {
		q.Limit = DefaultPageLimit
	}
	return store.ListUsers(ctx, s.db, q)
}

// User returns the user with the id; unknown is ENOTFOUND.
func (s *Service) User(ctx context.Context, caller *backrest.User, id backrest.UserID) (*backrest.User, error) {
	if err := RequireAdmin(caller); err != nil {
		return nil, err
	}
	return store.User(ctx, s.db, id)
}

// UserByEmail returns the user with the address (in any case); unknown is
// ENOTFOUND.
func (s *Service) UserByEmail(ctx context.Context, caller *backrest.User, email string) (*backrest.User, error) {
	if err := RequireAdmin(caller); err != nil {
		return nil, err
	}
	return store.UserByEmail(ctx, s.db, email)
}

// checkRoles records what is wrong with a list of roles and returns it without
// duplicates, in the order given.
func checkRoles(v *backrest.Validation, roles []string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if strings.TrimSpace(r) == "" || r != strings.TrimSpace(r) || utf8.RuneCountInString(r) > maxRoleLength {
			v.Body("roles", fmt.Sprintf("A role is a name of 1 to %d characters without surrounding spaces", maxRoleLength))
			return nil
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// checkNewEmail records why email cannot be the address of user id (zero for a new
// user): malformed, or another confirmed user's.
func (s *Service) checkNewEmail(ctx context.Context, v *backrest.Validation, id backrest.UserID, email *string) error {
	if email == nil || !ValidEmail(*email) {
		v.Body("email", "Invalid email address")
		return nil
	}
	other, err := store.UserByEmail(ctx, s.db, *email)
	switch {
	case backrest.ErrorCode(err) == backrest.ENOTFOUND:
	case err != nil:
		return err
	case other.ID != id && !other.Pending():
		v.Body("email", "Email already exists")
	}
	return nil
}

// NewUserByAdmin is a user an admin creates; nil fields were not given.
type NewUserByAdmin struct {
	Email, Password, Firstname, Lastname *string
	Roles                                []string
	// Active defaults to true. An inactive new user is a pending sign-up.
	Active *bool
	// SendReset mails the new (active) user a link to set the password.
	SendReset bool
}

// CreateUser creates a user with the same checks as a sign-up. The password is
// optional (a user without one logs in after setting one by a reset link, which
// SendReset mails at once). An unconfirmed sign-up of the address is replaced.
func (s *Service) CreateUser(ctx context.Context, caller *backrest.User, n NewUserByAdmin) (*backrest.User, error) {
	if err := RequireAdmin(caller); err != nil {
		return nil, err
	}
	var v backrest.Validation
	if err := s.checkNewEmail(ctx, &v, backrest.UserID{}, n.Email); err != nil {
		return nil, err
	}
	if n.Password != nil {
		s.checkPassword(&v, "password", n.Password)
	}
	checkName(&v, "firstname", n.Firstname)
	checkName(&v, "lastname", n.Lastname)
	roles := checkRoles(&v, n.Roles)
	active := n.Active == nil || *n.Active
	if n.SendReset && !active {
		v.Body("send_reset", "Only an active user can be sent a link to set the password")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u := &backrest.User{Email: *n.Email, Firstname: deref(n.Firstname), Lastname: deref(n.Lastname), Roles: roles, Active: active}
	if n.Password != nil {
		hash, err := s.hasher.Hash(ctx, *n.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.DeletePendingEmail(ctx, tx, u.Email); err != nil {
			return err
		}
		if err := store.CreateUser(ctx, tx, u, s.now()); err != nil {
			return err
		}
		if n.SendReset {
			// The user and the mail with their link commit together.
			return s.mailer.Send(ctx, tx, MailReset, u.Email, s.resetMail(u))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UserChanges are an admin's changes to a user; nil fields stay as they are.
type UserChanges struct {
	Email, Firstname, Lastname *string
	Roles                      *[]string
	Active                     *bool
}

// UpdateUser changes a user's address, names, roles and state. Deactivating a user
// ends their sessions; activating a pending sign-up confirms it; a confirmed
// user's previous address gets the notice of an e-mail change. An admin cannot
// take their own admin role away nor deactivate themselves.
func (s *Service) UpdateUser(ctx context.Context, caller *backrest.User, id backrest.UserID, c UserChanges) (*backrest.User, error) {
	if err := RequireAdmin(caller); err != nil {
		return nil, err
	}
	if _, err := store.User(ctx, s.db, id); err != nil {
		return nil, err
	}
	var v backrest.Validation
	if c.Email != nil {
		if err := s.checkNewEmail(ctx, &v, id, c.Email); err != nil {
			return nil, err
		}
	}
	checkName(&v, "firstname", c.Firstname)
	checkName(&v, "lastname", c.Lastname)
	var roles []string
	if c.Roles != nil {
		roles = checkRoles(&v, *c.Roles)
		if id == caller.ID && !v.Has("roles") && !slices.Contains(roles, backrest.RoleAdmin) {
			v.Body("roles", "You cannot remove your own admin role")
		}
	}
	if c.Active != nil && !*c.Active && id == caller.ID {
		v.Body("active", "You cannot deactivate yourself")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var u *backrest.User
	err := s.db.InTx(ctx, func(tx *store.Tx) (err error) {
		// Read again in the transaction, so that the changes apply to the row as it is.
		if u, err = store.User(ctx, tx, id); err != nil {
			return err
		}
		wasActive, old := u.Active, *u
		if c.Email != nil && store.EmailKey(*c.Email) != store.EmailKey(u.Email) {
			// An unconfirmed sign-up of the new address gives way.
			if err := store.DeletePendingEmail(ctx, tx, *c.Email); err != nil {
				return err
			}
		}
		if c.Email != nil {
			u.Email = *c.Email
		}
		if c.Firstname != nil {
			u.Firstname = *c.Firstname
		}
		if c.Lastname != nil {
			u.Lastname = *c.Lastname
		}
		if c.Roles != nil {
			u.Roles = roles
		}
		if c.Active != nil {
			u.Active = *c.Active
		}
		if err := store.SaveUser(ctx, tx, u, s.now()); err != nil {
			return err
		}
		if wasActive && !u.Active {
			if err := store.DeleteUserSessions(ctx, tx, id, ""); err != nil {
				return err
			}
		}
		if old.Confirmed && store.EmailKey(old.Email) != store.EmailKey(u.Email) {
			// As after a confirmed change: the previous address learns of it.
			data := s.mailData(&old, s.opts.BaseURL)
			data.NewEmail = u.Email
			if err := s.mailer.Send(ctx, tx, MailEmailChanged, old.Email, data); err != nil {
				return err
			}
		}
		return store.InsertAccountEvent(ctx, tx, id, store.EventProfile, s.now())
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// errSelf refuses an admin's deletion of their own account through the admin API.
var errSelf = &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
	{Location: "path", Name: "id", Description: "You cannot delete yourself"}}}

// DeleteUser deletes a user with their sessions and items. An admin cannot delete
// themselves this way.
func (s *Service) DeleteUser(ctx context.Context, caller *backrest.User, id backrest.UserID) error {
	if err := RequireAdmin(caller); err != nil {
		return err
	}
	if id == caller.ID {
		return errSelf
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := store.User(ctx, tx, id); err != nil {
			return err
		}
		return s.deleteUser(ctx, tx, caller, id)
	})
}

// EndSessions ends every session of the user.
func (s *Service) EndSessions(ctx context.Context, caller *backrest.User, id backrest.UserID) error {
	if err := RequireAdmin(caller); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := store.User(ctx, tx, id); err != nil {
			return err
		}
		if err := store.DeleteUserSessions(ctx, tx, id, ""); err != nil {
			return err
		}
		return store.InsertAccountEvent(ctx, tx, id, store.EventSessions, s.now())
	})
}

// errNotPending refuses to resend the confirmation of a user who is not a pending
// sign-up.
var errNotPending = &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
	{Location: "path", Name: "id", Description: "Not pending"}}}

// ResendConfirmation mails the confirmation link again to a pending sign-up,
// restarting its time to live, as a reset request for the address does.
func (s *Service) ResendConfirmation(ctx context.Context, caller *backrest.User, id backrest.UserID) error {
	if err := RequireAdmin(caller); err != nil {
		return err
	}
	u, err := store.User(ctx, s.db, id)
	if err != nil {
		return err
	}
	if !u.Pending() {
		return errNotPending
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		touched, err := store.TouchPendingUser(ctx, tx, u.ID, u.PasswordHash, s.now())
		if err != nil {
			return err
		}
		if !touched {
			// Confirmed, replaced or removed meanwhile.
			return errNotPending
		}
		return s.queueSignup(ctx, tx, u)
	})
}

// Files returns a page of the files, of owner when it is set, newest first, with
// the type of the item holding each, and how many there are over all pages. A zero
// limit means DefaultPageLimit.
func (s *Service) Files(ctx context.Context, caller *backrest.User, owner *backrest.UserID, limit, offset int) ([]store.HeldFile, int64, error) {
	if err := RequireAdmin(caller); err != nil {
		return nil, 0, err
	}
	if limit == 0 {
		limit = DefaultPageLimit
	}
	return store.ListFiles(ctx, s.db, owner, limit, offset)
}

// Stats are the counts of a dashboard.
type Stats struct {
	Users store.UserCounts
	// Items counts the items of each type that has any.
	Items     map[string]int64
	Files     int64
	FileBytes int64
}

// Stats counts users by state, items by type, and files with their bytes.
func (s *Service) Stats(ctx context.Context, caller *backrest.User) (*Stats, error) {
	if err := RequireAdmin(caller); err != nil {
		return nil, err
	}
	var st Stats
	var err error
	if st.Users, err = store.CountUsers(ctx, s.db); err != nil {
		return nil, err
	}
	if st.Items, err = store.CountItems(ctx, s.db); err != nil {
		return nil, err
	}
	if st.Files, st.FileBytes, err = store.CountFiles(ctx, s.db); err != nil {
		return nil, err
	}
	return &st, nil
}
