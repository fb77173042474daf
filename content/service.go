package content

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Files keeps the files of file fields. The content service calls it inside the
// transaction of each change, so that a file's bytes come and go with the item.
type Files interface {
	// Attach stores the file set on a file field of item (the bytes of a data URL
	// or the id of a file the caller uploaded before) and returns the file now
	// held by the field. A bad value is an EINVALID *backrest.Error naming the
	// field.
	Attach(ctx context.Context, tx *store.Tx, caller *backrest.User, a *backrest.Attachment, item int64, field string) (*backrest.File, error)
	// Release deletes a file no longer held (replaced, cleared, or its item
	// deleted); its bytes go once tx commits.
	Release(ctx context.Context, tx *store.Tx, file int64) error
	// Files returns the files with the ids, for the items that hold them.
	Files(ctx context.Context, r store.Reader, ids []int64) (map[int64]*backrest.File, error)
}

// Options are the settings of a Service.
type Options struct {
	// Types are the content types: those of the schema file and those registered
	// from Go.
	Types []Type
	// CategoryGroups are the named groups of category titles. Non-nil (even
	// empty) replaces the stored groups; nil leaves them as they are, for a program
	// that does not load the schema file.
	CategoryGroups map[string][]string
	// Files keeps the files of file fields; it must be set when a type has one.
	Files Files
	// AllowDestructive lets a changed definition remove fields or change their type,
	// losing their data; without it such changes are refused at start-up.
	AllowDestructive bool
	// Logger receives the logs; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxCascade bounds the items one deletion may remove through on_delete
	// cascade rules, the deleted item included; 0 means DefaultMaxCascade.
	MaxCascade int
}

// DefaultMaxCascade is the default bound of Options.MaxCascade: a deletion that
// would remove more items through cascades is refused (409) and changes nothing.
const DefaultMaxCascade = 1000

// Service stores content items and answers the actions on them, checking the
// caller's permissions first.
type Service struct {
	db     *store.DB
	types  []*Type
	byName map[string]*Type
	files  Files
	now    func() time.Time
	log    *slog.Logger
	// heldBy maps a type to the relation fields that hold its items.
	heldBy map[string][]holder
	// maxCascade is Options.MaxCascade.
	maxCascade int
}

// holder is a relation field, of the type t, that holds items of another type.
type holder struct {
	t *Type
	f *Field
}

// New checks the types, brings their tables up to date (see the package
// documentation) and returns the service.
func New(ctx context.Context, db *store.DB, opts Options) (*Service, error) {
	types := make([]Type, len(opts.Types))
	for i, t := range opts.Types {
		t.Fields = slices.Clone(t.Fields)
		for j := range t.Fields {
			t.Fields[j].Enum = slices.Clone(t.Fields[j].Enum)
		}
		types[i] = t
	}
	if err := checkTypes(types); err != nil {
		return nil, err
	}
	if err := checkGroups(opts.CategoryGroups); err != nil {
		return nil, err
	}
	s := &Service{db: db, byName: map[string]*Type{}, files: opts.Files,
		now: opts.Now, log: opts.Logger, maxCascade: cmp.Or(opts.MaxCascade, DefaultMaxCascade)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	for i := range types {
		t := &types[i]
		if s.files == nil {
			for _, f := range t.Fields {
				if f.Kind == FileKind {
					return nil, fmt.Errorf("content type %q: field %q is a file field, but no file storage is configured", t.Name, f.Name)
				}
			}
		}
		s.types = append(s.types, t)
		s.byName[t.Name] = t
	}
	if err := checkRelations(s.types); err != nil {
		return nil, err
	}
	s.heldBy = map[string][]holder{}
	for _, t := range s.types {
		for i := range t.Fields {
			if f := &t.Fields[i]; f.Kind == Relation {
				s.heldBy[f.Target] = append(s.heldBy[f.Target], holder{t, f})
			}
		}
	}
	tables := make([]*store.ContentTable, len(s.types))
	for i, t := range s.types {
		t.table = contentTable(t)
		tables[i] = t.table
	}
	if err := store.SyncContentTables(ctx, db, tables, opts.AllowDestructive, s.now(), s.log); err != nil {
		return nil, err
	}
	if opts.CategoryGroups != nil {
		if err := store.SyncCategoryGroups(ctx, db, opts.CategoryGroups); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Types returns the content types, in the order they were given.
func (s *Service) Types() []*Type { return s.types }

// TypeByPlural returns the type whose collection is /-/PLURAL, or nil.
func (s *Service) TypeByPlural(plural string) *Type {
	for _, t := range s.types {
		if t.Plural == plural {
			return t
		}
	}
	return nil
}

// HasCategories reports whether some type has categories.
func (s *Service) HasCategories() bool {
	return slices.ContainsFunc(s.types, func(t *Type) bool { return t.Categories })
}

var errNotFound = backrest.Errorf(backrest.ENOTFOUND, "No such item")

// Get returns the item of type t with the id, if caller may view it.
func (s *Service) Get(ctx context.Context, caller *backrest.User, t *Type, id int64) (*Item, error) {
	if t.may(ActionView, caller) == denied {
		return nil, forbidden(caller)
	}
	item, err := s.Load(ctx, t, id)
	if err != nil {
		return nil, err
	}
	if !t.mayOn(ActionView, caller, item) {
		return nil, forbidden(caller)
	}
	return item, nil
}

// CanView reports whether caller (nil when anonymous) may view the item with the
// id, of any type; it is false for an unknown item. Downloads of the files an item
// holds ask it.
func (s *Service) CanView(ctx context.Context, caller *backrest.User, id int64) (bool, error) {
	typeName, owner, ok, err := store.ContentOwner(ctx, s.db, id)
	if err != nil || !ok {
		return false, err
	}
	t := s.byName[typeName]
	if t == nil {
		return false, nil
	}
	ownerID, _ := backrest.ParseUserID(owner)
	return t.mayOn(ActionView, caller, &Item{Owner: ownerID}), nil
}

// Create validates the input and stores it as a new item of type t owned by
// caller.
func (s *Service) Create(ctx context.Context, caller *backrest.User, t *Type, body *Input) (*Item, error) {
	if t.may(ActionCreate, caller) != allowed || caller == nil {
		return nil, forbidden(caller)
	}
	in, err := t.check(body, true)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	item := &Item{Type: t, Owner: caller.ID, Title: *in.title, Created: now, Modified: now, Fields: map[string]any{}}
	if in.description != nil {
		item.Description = *in.description
	}
	if t.Categories {
		item.Categories = in.categories
		if item.Categories == nil {
			item.Categories = []string{}
		}
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if item.ID, err = store.InsertContent(ctx, tx, t.Name, item.Owner.String(), item.Title, item.Description, now); err != nil {
			return err
		}
		if err := s.applyFields(ctx, tx, caller, item, nil, in); err != nil {
			return err
		}
		title, desc := item.Title, item.Description
		if t.Hooks.Create != nil {
			if err := t.Hooks.Create(ctx, &Change{Caller: caller, Item: item, Input: in.hookInput(), Tx: tx}); err != nil {
				return err
			}
		}
		if item.Title != title || item.Description != desc {
			if err := s.updateCommon(ctx, tx, item); err != nil {
				return err
			}
		}
		vals, err := fieldValues(t, item)
		if err != nil {
			return err
		}
		if err := store.InsertContentFields(ctx, tx, t.table, item.ID, now, vals); err != nil {
			return err
		}
		if err := store.WriteContentSearch(ctx, tx, item.ID, searchText(item)); err != nil {
			return err
		}
		if err := setCategories(ctx, tx, item); err != nil {
			return err
		}
		return s.logChange(ctx, tx, item, EventCreate)
	})
	if err != nil {
		return nil, err
	}
	return item, nil
}

// Update applies the keys of the input that t knows to the item with the id, if
// caller may edit it, and bumps its modification date.
func (s *Service) Update(ctx context.Context, caller *backrest.User, t *Type, id int64, body *Input) (*Item, error) {
	if t.may(ActionEdit, caller) == denied {
		return nil, forbidden(caller)
	}
	var item *Item
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		old, err := s.lock(ctx, tx, t, id)
		if err != nil {
			return err
		}
		if !t.mayOn(ActionEdit, caller, old) {
			return forbidden(caller)
		}
		in, err := t.check(body, false)
		if err != nil {
			return err
		}
		item = old.clone()
		if in.title != nil {
			item.Title = *in.title
		}
		if in.description != nil {
			item.Description = *in.description
		}
		if in.categories != nil {
			item.Categories = in.categories
		}
		item.Modified = s.now().UTC().Truncate(time.Microsecond)
		if !item.Modified.After(old.Modified) {
			item.Modified = old.Modified.Add(time.Microsecond)
		}
		if err := s.applyFields(ctx, tx, caller, item, old, in); err != nil {
			return err
		}
		if t.Hooks.Update != nil {
			if err := t.Hooks.Update(ctx, &Change{Caller: caller, Item: item, Old: old, Input: in.hookInput(), Tx: tx}); err != nil {
				return err
			}
		}
		if err := s.updateCommon(ctx, tx, item); err != nil {
			return err
		}
		vals, err := fieldValues(t, item)
		if err != nil {
			return err
		}
		if err := store.UpdateContentFields(ctx, tx, t.table, item.ID, vals); err != nil {
			return err
		}
		if err := store.WriteContentSearch(ctx, tx, item.ID, searchText(item)); err != nil {
			return err
		}
		if in.categories != nil {
			if err := setCategories(ctx, tx, item); err != nil {
				return err
			}
		}
		return s.logChange(ctx, tx, item, EventUpdate)
	})
	if err != nil {
		return nil, err
	}
	return item, nil
}

// Delete deletes the item with the id, if caller may, with the files it holds.
func (s *Service) Delete(ctx context.Context, caller *backrest.User, t *Type, id int64) error {
	if t.may(ActionDelete, caller) == denied {
		return forbidden(caller)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		item, err := s.lock(ctx, tx, t, id)
		if err != nil {
			return err
		}
		if !t.mayOn(ActionDelete, caller, item) {
			return forbidden(caller)
		}
		return s.remove(ctx, tx, caller, item, map[int64]bool{})
	})
}

// remove deletes item in tx, with its files, after applying the on_delete rule
// of each relation field that holds it: a restricting holder refuses the
// deletion (ECONFLICT), a cascading one is removed in turn, and the others
// forget the item. deleting holds the items this deletion removes already.
func (s *Service) remove(ctx context.Context, tx *store.Tx, caller *backrest.User, item *Item, deleting map[int64]bool) error {
	t := item.Type
	deleting[item.ID] = true
	if t.Hooks.Delete != nil {
		if err := t.Hooks.Delete(ctx, &Change{Caller: caller, Item: item, Input: map[string]any{}, Tx: tx}); err != nil {
			return err
		}
	}
	for _, h := range s.heldBy[t.Name] {
		ids, err := store.Referrers(ctx, tx, h.t.table, h.f.Name, item.ID)
		if err != nil {
			return err
		}
		ids = slices.DeleteFunc(ids, func(id int64) bool { return deleting[id] })
		if len(ids) == 0 {
			continue
		}
		switch h.f.OnDelete {
		case Restrict:
			return &backrest.Error{Code: backrest.ECONFLICT, Fields: []backrest.FieldError{{Location: "path", Name: "id",
				Description: fmt.Sprintf("The %s %d is held by the field %s of the %s %d; remove it from there first", t.Name, item.ID, h.f.Name, h.t.Name, ids[0])}}}
		case SetNull:
			if err := store.ClearReferences(ctx, tx, h.t.table, h.f.Name, item.ID); err != nil {
				return err
			}
		case Cascade:
			if err := s.checkCascade(deleting, ids, fmt.Sprintf("the %s %d", t.Name, item.ID)); err != nil {
				return err
			}
			for _, id := range ids {
				if deleting[id] {
					continue
				}
				held, err := s.lock(ctx, tx, h.t, id)
				if err != nil {
					return err
				}
				if err := s.remove(ctx, tx, caller, held, deleting); err != nil {
					return err
				}
			}
		}
	}
	for _, f := range t.Fields {
		if file, ok := item.Fields[f.Name].(*backrest.File); ok && file != nil {
			if err := s.files.Release(ctx, tx, file.ID); err != nil {
				return fmt.Errorf("content: release file %d: %w", file.ID, err)
			}
		}
	}
	if err := store.DeleteContent(ctx, tx, item.ID); err != nil {
		return err
	}
	return s.logChange(ctx, tx, item, EventDelete)
}

// checkCascade refuses (ECONFLICT) to cascade a deletion to the items ids, held
// by what, when the deletion would then remove more than MaxCascade items.
func (s *Service) checkCascade(deleting map[int64]bool, ids []int64, what string) error {
	if len(deleting)+len(ids) <= s.maxCascade {
		return nil
	}
	return &backrest.Error{Code: backrest.ECONFLICT, Fields: []backrest.FieldError{{Location: "path", Name: "id",
		Description: fmt.Sprintf("Deleting this would delete more than %d items through on_delete cascade (%d items hold %s); delete some of them first", s.maxCascade, len(ids), what)}}}
}

// lock locks the item's row for the rest of tx (so that changes to one item queue)
// and reads the item.
func (s *Service) lock(ctx context.Context, tx *store.Tx, t *Type, id int64) (*Item, error) {
	row, err := store.LockContent(ctx, tx, t.table, id)
	if err != nil {
		return nil, err
	}
	item, err := s.item(ctx, tx, t, row)
	if err != nil {
		return nil, err
	}
	if item == nil {
		return nil, errNotFound
	}
	return item, nil
}

// updateCommon writes the common fields of item.
func (s *Service) updateCommon(ctx context.Context, tx *store.Tx, item *Item) error {
	if strings.TrimSpace(item.Title) == "" {
		return backrest.Invalid("title", "Required")
	}
	return store.UpdateContent(ctx, tx, item.ID, item.Title, item.Description, item.Modified)
}

// applyFields sets the own fields of in on item: plain values as they are, files
// through Files, releasing the files of old that they replace.
func (s *Service) applyFields(ctx context.Context, tx *store.Tx, caller *backrest.User, item, old *Item, in *input) error {
	var v backrest.Validation
	if err := s.checkTargets(ctx, tx, caller, item.Type, old, in, &v); err != nil {
		return err
	}
	for _, f := range item.Type.Fields {
		val, ok := in.fields[f.Name]
		if !ok {
			continue
		}
		if f.Kind != FileKind {
			item.Fields[f.Name] = val
			continue
		}
		var prev *backrest.File
		if old != nil {
			prev, _ = old.Fields[f.Name].(*backrest.File)
		}
		var file *backrest.File
		if val != nil {
			var err error
			file, err = s.files.Attach(ctx, tx, caller, val.(*backrest.Attachment), item.ID, f.Name)
			var e *backrest.Error
			if errors.As(err, &e) && e.Code == backrest.EINVALID {
				for _, fe := range e.Fields {
					v.Add(fe.Location, fe.Name, fe.Description)
				}
				if len(e.Fields) == 0 {
					v.Body(f.Name, e.Message)
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("content: attach %s: %w", f.Name, err)
			}
		}
		if prev != nil && (file == nil || file.ID != prev.ID) {
			if err := s.files.Release(ctx, tx, prev.ID); err != nil {
				return fmt.Errorf("content: release file %d: %w", prev.ID, err)
			}
		}
		item.Fields[f.Name] = file
	}
	return v.Err()
}

// checkTargets checks that the items set on the relation fields of in exist, are
// of their fields' target types, and may be viewed by caller, reporting each
// field that fails to v. A missing item and a hidden one get the same message,
// so that a caller learns nothing of the items it may not view. The items that
// the field of old (nil on create) holds already are kept as they are, so that a
// representation posted back is accepted.
func (s *Service) checkTargets(ctx context.Context, tx *store.Tx, caller *backrest.User, t *Type, old *Item, in *input, v *backrest.Validation) error {
	if err := s.checkUsers(ctx, tx, t, old, in, v); err != nil {
		return err
	}
	var ids []int64
	for _, f := range t.Fields {
		switch x := in.fields[f.Name].(type) {
		case int64:
			if f.Kind == Relation {
				ids = append(ids, x)
			}
		case []int64:
			ids = append(ids, x...)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	refs, err := store.ContentRefs(ctx, tx, ids)
	if err != nil {
		return err
	}
	visible := func(f *Field, id int64) bool {
		ref, ok := refs[id]
		if !ok || ref.Type != f.Target {
			return false
		}
		owner, ok := backrest.ParseUserID(ref.Owner)
		return ok && f.target.mayOn(ActionView, caller, &Item{Owner: owner})
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		if f.Kind != Relation {
			continue
		}
		var list []int64
		switch x := in.fields[f.Name].(type) {
		case int64:
			list = []int64{x}
		case []int64:
			list = x
		}
		var kept []int64
		if old != nil {
			switch x := old.Fields[f.Name].(type) {
			case int64:
				kept = []int64{x}
			case []int64:
				kept = x
			}
		}
		for _, id := range list {
			if !slices.Contains(kept, id) && !visible(f, id) {
				v.Body(f.Name, fmt.Sprintf("No %s with the id %d that you may view", f.Target, id))
				break
			}
		}
	}
	return nil
}

// checkUsers checks that the users set on the user fields of in exist and are not
// sign-ups never confirmed, reporting each field that fails to v. The user that
// the field of old holds already is kept as it is.
func (s *Service) checkUsers(ctx context.Context, tx *store.Tx, t *Type, old *Item, in *input, v *backrest.Validation) error {
	var ids []backrest.UserID
	for _, f := range t.Fields {
		if id, ok := in.fields[f.Name].(backrest.UserID); ok && f.Kind == User && (old == nil || old.Fields[f.Name] != id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	users, err := store.UsersByID(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, f := range t.Fields {
		id, ok := in.fields[f.Name].(backrest.UserID)
		if !ok || f.Kind != User || old != nil && old.Fields[f.Name] == id {
			continue
		}
		if u := users[id]; u == nil || u.Pending() {
			v.Body(f.Name, "No user with the id "+id.String())
		}
	}
	return nil
}

// ReleaseUser applies, in tx, the on_delete rule of each user field that holds
// the user id, before the user is deleted: a restricting field refuses the
// deletion (ECONFLICT), a cascading one deletes the items that hold the user
// (with their files, applying their own relations' rules), and set_null clears
// the field. caller is the user who deletes the account, for the hooks.
func (s *Service) ReleaseUser(ctx context.Context, tx *store.Tx, caller *backrest.User, id backrest.UserID) error {
	deleting := map[int64]bool{}
	for _, t := range s.types {
		for i := range t.Fields {
			f := &t.Fields[i]
			if f.Kind != User {
				continue
			}
			ids, err := store.Referrers(ctx, tx, t.table, f.Name, id.String())
			if err != nil {
				return err
			}
			ids = slices.DeleteFunc(ids, func(hid int64) bool { return deleting[hid] })
			if len(ids) == 0 {
				continue
			}
			switch f.OnDelete {
			case Restrict:
				return &backrest.Error{Code: backrest.ECONFLICT, Fields: []backrest.FieldError{{Location: "path", Name: "id",
					Description: fmt.Sprintf("The user %s is held by the field %s of the %s %d; remove it from there first", id, f.Name, t.Name, ids[0])}}}
			case SetNull:
				if err := store.ClearReferences(ctx, tx, t.table, f.Name, id.String()); err != nil {
					return err
				}
			case Cascade:
				if err := s.checkCascade(deleting, ids, "the user "+id.String()); err != nil {
					return err
				}
				for _, hid := range ids {
					if deleting[hid] {
						continue
					}
					held, err := s.lock(ctx, tx, t, hid)
					if err != nil {
						return err
					}
					if err := s.remove(ctx, tx, caller, held, deleting); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// clone returns a copy of item whose fields and categories may be changed.
func (item *Item) clone() *Item {
	c := *item
	c.Fields = make(map[string]any, len(item.Fields))
	for k, v := range item.Fields {
		c.Fields[k] = v
	}
	c.Categories = slices.Clone(item.Categories)
	return &c
}
