package content

import (
	"strings"

	"github.com/backrest/backrest"
)

// allows reports whether the rule lets caller act on an item of the owner. An
// anonymous caller is nil; admins are let through by the callers of allows.
func (r Rule) allows(caller *backrest.User, owner backrest.UserID) bool {
	switch r {
	case Anyone:
		return true
	case Authenticated:
		return caller != nil
	case Owner:
		return caller != nil && caller.ID == owner
	}
	role, _ := strings.CutPrefix(string(r), "role:")
	return caller.HasRole(role)
}

// verdict is what the rule of an action says before the item is read.
type verdict int

const (
	denied    verdict = iota // the caller may not take the action
	allowed                  // the caller may take the action on any item of the type
	ownerOnly                // the caller may take the action on their own items
)

// may says whether caller may take action on items of t, before any item is read.
func (t *Type) may(action string, caller *backrest.User) verdict {
	if caller.IsAdmin() {
		return allowed
	}
	r := t.rule(action)
	if r == Owner {
		if caller == nil {
			return denied
		}
		return ownerOnly
	}
	if r.allows(caller, backrest.UserID{}) {
		return allowed
	}
	return denied
}

// mayOn reports whether caller may take action on item.
func (t *Type) mayOn(action string, caller *backrest.User, item *Item) bool {
	return caller.IsAdmin() || t.rule(action).allows(caller, item.Owner)
}

// Actions returns the actions caller may take on item, for its __meta__.
func (t *Type) Actions(caller *backrest.User, item *Item) []string {
	var out []string
	for _, a := range []string{ActionView, ActionEdit, ActionDelete} {
		if t.mayOn(a, caller, item) {
			out = append(out, a)
		}
	}
	return out
}

// forbidden is the error of a refused action.
func forbidden(caller *backrest.User) error {
	if caller == nil {
		return backrest.Errorf(backrest.EFORBIDDEN, "Log in first")
	}
	return backrest.Errorf(backrest.EFORBIDDEN, "You may not do this")
}
