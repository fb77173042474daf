package content

import (
	"context"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// The kinds of change that the event log records.
const (
	EventCreate = "create"
	EventUpdate = "update"
	EventDelete = "delete"
)

// logChange writes the change of item to the event log in tx, as its last
// statement: the event commits, or rolls back, with the change.
func (s *Service) logChange(ctx context.Context, tx *store.Tx, item *Item, kind string) error {
	return store.InsertEvent(ctx, tx, store.Event{Type: item.Type.Name, Item: item.ID, Kind: kind,
		Owner: item.Owner.String(), Created: s.now()})
}

// TypeByName returns the type of the name, or nil.
func (s *Service) TypeByName(name string) *Type { return s.byName[name] }

// MayViewOwned reports whether caller (nil when anonymous) may view an item of t
// owned by owner, such as one just deleted, judged by its owner alone.
func (t *Type) MayViewOwned(caller *backrest.User, owner backrest.UserID) bool {
	return t.mayOn(ActionView, caller, &Item{Owner: owner})
}
