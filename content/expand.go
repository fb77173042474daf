package content

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Expansion limits: a path of ?expand follows at most MaxExpandDepth relations,
// and a back-relation embeds at most MaxHeldItems items of each item, the newest.
const (
	MaxExpandDepth = 3
	MaxHeldItems   = 20
)

// Expansion is a parsed ?expand: the relations whose items a read embeds, each
// with the relations to follow from them.
type Expansion struct {
	steps []expandStep
}

// expandStep is one relation of an Expansion: a relation field of the type (field)
// or, for a back-relation, a relation field of another type that holds items of
// the type (held).
type expandStep struct {
	// key names the step in representations: the field's name, or PLURAL(FIELD).
	key   string
	field *Field
	held  *holder
	next  *Expansion
}

// ParseExpand parses the values of the expand parameter of a read of items of t:
// comma-separated paths of relations, each step a relation field of the type
// reached (field), or the items of another type whose field holds it
// (PLURAL(FIELD)), at most MaxExpandDepth steps. It returns nil when values are
// empty. Errors have location querystring and name expand.
func (s *Service) ParseExpand(t *Type, values []string) (*Expansion, error) {
	var root *Expansion
	for _, v := range values {
		for _, path := range strings.Split(v, ",") {
			if path = strings.TrimSpace(path); path == "" {
				continue
			}
			if root == nil {
				root = &Expansion{}
			}
			if msg := s.addPath(root, t, path); msg != "" {
				return nil, &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
					{Location: "querystring", Name: "expand", Description: msg}}}
			}
		}
	}
	return root, nil
}

// addPath adds the path, from the type t, to e; it returns why it cannot.
func (s *Service) addPath(e *Expansion, t *Type, path string) string {
	segs := strings.Split(path, ".")
	if len(segs) > MaxExpandDepth {
		return fmt.Sprintf("%q: follow at most %d relations", path, MaxExpandDepth)
	}
	for k, seg := range segs {
		i := slices.IndexFunc(e.steps, func(st expandStep) bool { return st.key == seg })
		if i < 0 {
			st, msg := s.step(t, seg)
			if msg != "" {
				return fmt.Sprintf("%q: %s", path, msg)
			}
			e.steps = append(e.steps, st)
			i = len(e.steps) - 1
		}
		st := &e.steps[i]
		if st.next == nil {
			st.next = &Expansion{}
		}
		if st.field != nil && st.field.Kind == User && k < len(segs)-1 {
			return fmt.Sprintf("%q: %s is a user, which has no relations to follow", path, seg)
		}
		e, t = st.next, st.target()
	}
	return ""
}

// step resolves one step of a path from the type t.
func (s *Service) step(t *Type, seg string) (expandStep, string) {
	if plural, field, ok := strings.Cut(seg, "("); ok && strings.HasSuffix(field, ")") {
		field = strings.TrimSuffix(field, ")")
		for _, h := range s.heldBy[t.Name] {
			if h.t.Plural == plural && h.f.Name == field {
				return expandStep{key: seg, held: &h}, ""
			}
		}
		return expandStep{}, fmt.Sprintf("%s has no relation field %s to the %s items", plural, field, t.Name)
	}
	f := t.Field(seg)
	if f == nil || f.Kind != Relation && f.Kind != User {
		return expandStep{}, fmt.Sprintf("%s has no relation field %s; give a relation field, or PLURAL(FIELD) for the items that hold this one", t.Name, seg)
	}
	return expandStep{key: seg, field: f}, ""
}

// BackRelation is a relation field of another type that holds items of a type:
// ?expand=PLURAL(FIELD) embeds the items that hold an item.
type BackRelation struct {
	// Type is the type of the holding items and Field their relation field.
	Type  *Type
	Field *Field
}

// Key is the step of ?expand that follows the back-relation: PLURAL(FIELD).
func (b BackRelation) Key() string { return b.Type.Plural + "(" + b.Field.Name + ")" }

// BackRelations returns the relation fields that hold items of t.
func (s *Service) BackRelations(t *Type) []BackRelation {
	out := make([]BackRelation, len(s.heldBy[t.Name]))
	for i, h := range s.heldBy[t.Name] {
		out[i] = BackRelation{Type: h.t, Field: h.f}
	}
	return out
}

// target returns the type of the items the step reaches.
func (st *expandStep) target() *Type {
	if st.field != nil {
		return st.field.target
	}
	return st.held.t
}

// Expand embeds in each of the items (of one type) the items that e reaches and
// caller may view, in Item.Expanded; the items caller may not view are left out.
// Each step costs a fixed number of queries, whatever the number of items: the
// relation fields of the steps that reach the same type share one.
func (s *Service) Expand(ctx context.Context, caller *backrest.User, items []*Item, e *Expansion) error {
	if e == nil || len(items) == 0 {
		return nil
	}
	held := map[*Type][]int64{}
	var userIDs []backrest.UserID
	for i := range e.steps {
		if f := e.steps[i].field; f != nil && f.Kind == User {
			for _, item := range items {
				if id, ok := item.Fields[f.Name].(backrest.UserID); ok {
					userIDs = append(userIDs, id)
				}
			}
		} else if f != nil {
			for _, item := range items {
				held[f.target] = append(held[f.target], heldIDs(item, f)...)
			}
		}
	}
	read := make(map[*Type]map[int64]*Item, len(held))
	for t, ids := range held {
		related, err := s.visible(ctx, caller, t, ids)
		if err != nil {
			return err
		}
		read[t] = related
	}
	var users map[backrest.UserID]*backrest.User
	if len(userIDs) > 0 {
		var err error
		if users, err = store.UsersByID(ctx, s.db, userIDs); err != nil {
			return err
		}
	}
	for i := range e.steps {
		st := &e.steps[i]
		var related map[int64]*Item
		if st.field != nil && st.field.Kind == User {
			for _, item := range items {
				var out []*backrest.User
				if id, ok := item.Fields[st.field.Name].(backrest.UserID); ok && users[id] != nil {
					out = append(out, users[id])
				}
				item.expandUsers(st.key, out)
			}
			continue
		}
		if st.field != nil {
			related = expandField(items, st, read[st.field.target])
		} else {
			var err error
			if related, err = s.expandHeld(ctx, caller, items, st); err != nil {
				return err
			}
		}
		if len(st.next.steps) == 0 || len(related) == 0 {
			continue
		}
		next := make([]*Item, 0, len(related))
		for _, it := range related {
			next = append(next, it)
		}
		slices.SortFunc(next, func(a, b *Item) int { return cmp.Compare(a.ID, b.ID) })
		if err := s.Expand(ctx, caller, next, st.next); err != nil {
			return err
		}
	}
	return nil
}

// heldIDs returns the ids that the relation field f of item holds.
func heldIDs(item *Item, f *Field) []int64 {
	switch x := item.Fields[f.Name].(type) {
	case int64:
		return []int64{x}
	case []int64:
		return x
	}
	return nil
}

// expandField embeds the items that the relation field of the step holds, of
// those read (the visible items of its target type), and returns them by id. When
// the step has steps of its own, the items it returns are copies, so that what
// those embed is not embedded by another step that reached the same items.
func expandField(items []*Item, st *expandStep, read map[int64]*Item) map[int64]*Item {
	related := map[int64]*Item{}
	for _, item := range items {
		var out []*Item
		for _, id := range heldIDs(item, st.field) {
			r := related[id]
			if r == nil {
				if r = read[id]; r == nil {
					continue
				}
				if len(st.next.steps) > 0 {
					c := *r
					c.Expanded = nil
					r = &c
				}
				related[id] = r
			}
			out = append(out, r)
		}
		item.expand(st.key, !st.field.Multiple, out)
	}
	return related
}

// expandHeld embeds the items of another type whose field holds each item.
func (s *Service) expandHeld(ctx context.Context, caller *backrest.User, items []*Item, st *expandStep) (map[int64]*Item, error) {
	h := st.held
	verdict := h.t.may(ActionView, caller)
	if verdict == denied {
		for _, item := range items {
			item.expand(st.key, false, nil)
		}
		return nil, nil
	}
	owner := ""
	if verdict == ownerOnly {
		owner = caller.ID.String()
	}
	targets := make([]int64, len(items))
	for i, item := range items {
		targets[i] = item.ID
	}
	byTarget, err := store.HeldBy(ctx, s.db, h.t.table, h.f.Name, targets, MaxHeldItems, owner)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, l := range byTarget {
		ids = append(ids, l...)
	}
	related, err := s.visible(ctx, caller, h.t, ids)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		var out []*Item
		for _, id := range byTarget[item.ID] {
			if r := related[id]; r != nil {
				out = append(out, r)
			}
		}
		item.expand(st.key, false, out)
	}
	return related, nil
}

// visible reads the items of t with the ids that caller may view.
func (s *Service) visible(ctx context.Context, caller *backrest.User, t *Type, ids []int64) (map[int64]*Item, error) {
	out := map[int64]*Item{}
	if len(ids) == 0 || t.may(ActionView, caller) == denied {
		return out, nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rows, err := store.ContentByIDs(ctx, s.db, t.table, ids)
	if err != nil {
		return nil, err
	}
	items, err := s.items(ctx, s.db, t, rows)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		if t.mayOn(ActionView, caller, item) {
			out[item.ID] = item
		}
	}
	return out, nil
}

// Embedded are the items that an item embeds for one step of an Expansion.
type Embedded struct {
	// Key is the step: a relation field's name, or PLURAL(FIELD) for the items
	// of another type that hold the item.
	Key string
	// One is true for a relation field to one item: Items holds it, or nothing
	// when it is unset or the caller may not view it.
	One bool
	// Items are the items embedded, in the field's order; for a back-relation
	// the newest first.
	Items []*Item
	// Users, for a user field (One is then true too), holds its user, or nothing
	// when it is unset. How much of a user to show depends on who asks: see
	// UserPublic.
	Users []*backrest.User
}

// expandUsers records the user embedded for the user field key.
func (item *Item) expandUsers(key string, users []*backrest.User) {
	if users == nil {
		users = []*backrest.User{}
	}
	item.Expanded = append(item.Expanded, Embedded{Key: key, One: true, Users: users})
}

// UserPublic reports whether caller may see only the public part of the user u
// (its id, short id and names), and not its e-mail address and roles, which
// only the user and admins see, as elsewhere in the API.
func UserPublic(caller, u *backrest.User) bool {
	return caller == nil || caller.ID != u.ID && !caller.IsAdmin()
}

// expand records the items embedded for the step key.
func (item *Item) expand(key string, one bool, items []*Item) {
	if items == nil {
		items = []*Item{}
	}
	for i := range item.Expanded {
		if item.Expanded[i].Key == key {
			item.Expanded[i].Items = items
			return
		}
	}
	item.Expanded = append(item.Expanded, Embedded{Key: key, One: one, Items: items})
}
