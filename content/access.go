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

// itemActions are the actions on an item that its __meta__ lists.
var itemActions = [...]string{ActionView, ActionEdit, ActionDelete}

// actionSets holds every subset of itemActions, in their order, indexed by the
// bit mask of its members, so that Actions allocates nothing.
var actionSets = func() (sets [1 << len(itemActions)][]string) {
	for mask := range sets {
		sets[mask] = []string{}
		for i, a := range itemActions {
			if mask&(1<<i) != 0 {
				sets[mask] = append(sets[mask], a)
			}
		}
	}
	return sets
}()

// Actions returns the actions caller may take on item, for its __meta__. The
// slice is shared: callers must not change it.
func (t *Type) Actions(caller *backrest.User, item *Item) []string {
	mask := 0
	for i, a := range itemActions {
		if t.mayOn(a, caller, item) {
			mask |= 1 << i
		}
	}
	return actionSets[mask]
}

// forbidden is the error of a refused action.
func forbidden(caller *backrest.User) error {
	if caller == nil {
		return backrest.ErrAnonymous
	}
	return backrest.Errorf(backrest.EFORBIDDEN, "You may not do this")
}
