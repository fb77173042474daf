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
	// EventProfile and EventSessions are the kinds of account event, whose Type
	// is empty: see store.EventProfile.
	EventProfile  = store.EventProfile
	EventSessions = store.EventSessions
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

// Event is a change recorded in the event log.
type Event = store.Event

// EventsAfter returns up to limit events of the log with ids above after, oldest
// first.
func (s *Service) EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error) {
	return store.EventsAfter(ctx, s.db, after, limit)
}

// EventBounds returns the smallest and largest ids in the event log, zeros when
// it is empty.
func (s *Service) EventBounds(ctx context.Context) (first, last int64, err error) {
	return store.EventBounds(ctx, s.db)
}

// EventsChanged returns a channel closed once events may have been added to the
// log since the call; see store.DB.EventsChanged.
func (s *Service) EventsChanged() <-chan struct{} { return s.db.EventsChanged() }

// Load returns the item of type t with the id as it is now, whoever may view it:
// the change feed reads an item once for all its subscribers, then asks MayView
// for each.
func (s *Service) Load(ctx context.Context, t *Type, id int64) (*Item, error) {
	row, err := store.ContentByID(ctx, s.db, t.table, id)
	if err != nil {
		return nil, err
	}
	item, err := s.item(ctx, s.db, t, row)
	if err != nil {
		return nil, err
	}
	if item == nil {
		return nil, errNotFound
	}
	return item, nil
}

// MayView reports whether caller (nil when anonymous) may view item, as Get
// judges it.
func (t *Type) MayView(caller *backrest.User, item *Item) bool {
	return t.may(ActionView, caller) != denied && t.mayOn(ActionView, caller, item)
}
