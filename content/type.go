// Package content holds backrest's content collections: the definitions of content
// types (declared in a schema file or registered from Go), the validation of items
// (given as Go values) against them, the permissions of each action, and the
// service that creates, changes, reads and lists items. Package store owns their
// tables and statements; this package converts items to and from its rows
// (rows.go). It knows nothing of HTTP or JSON bodies.
package content

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Kind is the type of a field.
type Kind string

// The kinds of fields.
const (
	String   Kind = "string"   // a line of text, indexed: filterable and sortable
	Text     Kind = "text"     // a longer text, not indexed
	Integer  Kind = "integer"  // a 64-bit integer
	Number   Kind = "number"   // a floating-point number
	Boolean  Kind = "boolean"  // true or false
	DateTime Kind = "datetime" // an RFC 3339 time, stored in UTC to the microsecond
	JSON     Kind = "json"     // any JSON value, stored as it is
	FileKind Kind = "file"     // a file, kept by the Files of the service
	Relation Kind = "relation" // the id of another item (or, Multiple, an ordered list of ids)
	User     Kind = "user"     // the id of a user, a backrest.UserID
)

// kinds lists the valid kinds.
var kinds = []Kind{String, Text, Integer, Number, Boolean, DateTime, JSON, FileKind, Relation, User}

// The rules of a relation field when an item it holds is deleted.
const (
	// Restrict refuses the deletion (409) while an item holds the deleted one.
	Restrict = "restrict"
	// Cascade deletes the items that hold the deleted one, with their files.
	Cascade = "cascade"
	// SetNull clears a relation to one item, and removes the deleted item from a
	// list.
	SetNull = "set_null"
)

// Indexed reports whether fields of the kind are indexed, and so may be filtered
// and sorted on (relation fields to several items may be filtered on only).
func (k Kind) Indexed() bool {
	switch k {
	case String, Integer, Number, Boolean, DateTime, Relation, User:
		return true
	}
	return false
}

// DefaultMaxLength is the longest string field (in characters) accepted when the
// field sets no max_length, and MaxStringLength is the largest max_length a string
// field may set: string fields are indexed, and index entries must stay small.
const (
	DefaultMaxLength = 255
	MaxStringLength  = 500
	// TitleMaxLength is the longest title accepted.
	TitleMaxLength = 500
)

// Field is a field of a content type besides the common ones.
type Field struct {
	// Name is the key of the field in representations: lower-case letters, digits
	// and _, starting with a letter, at most 28 characters.
	Name string `json:"name"`
	// Kind is the field's type.
	Kind Kind `json:"type"`
	// Required fields must be given, not null and, for strings, not empty, when an
	// item is created, and cannot be cleared later.
	Required bool `json:"required,omitempty"`
	// Min and Max bound integer and number fields.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// MaxLength bounds the length of string and text fields, in characters.
	MaxLength int `json:"max_length,omitempty"`
	// Pattern is a regular expression (Go's RE2 syntax) that string and text values
	// must match; anchor it with ^…$ to match the whole value.
	Pattern string `json:"pattern,omitempty"`
	// Enum lists the values allowed for string, integer and number fields.
	Enum []any `json:"enum,omitempty"`
	// Description documents the field in the OpenAPI document.
	Description string `json:"description,omitempty"`
	// Target is the name of the type of the items a relation field holds.
	Target string `json:"target,omitempty"`
	// Multiple makes a relation field an ordered list of items, without
	// duplicates; MinItems and MaxItems bound its length (Required means at least
	// one).
	Multiple bool `json:"multiple,omitempty"`
	MinItems int  `json:"min_items,omitempty"`
	MaxItems int  `json:"max_items,omitempty"`
	// OnDelete is what deleting an item held by a relation field (or the user
	// held by a user field) does to the items that hold it: Restrict (the
	// default), Cascade or SetNull.
	OnDelete string `json:"on_delete,omitempty"`

	pattern *regexp.Regexp
	// target is the type of Target, set by New.
	target *Type
}

// TargetType returns the type of the items a relation field holds, once the
// service is made (nil before, and for other fields).
func (f *Field) TargetType() *Type { return f.target }

// Sortable reports whether listings may be sorted by the field.
func (f *Field) Sortable() bool { return f.Kind.Indexed() && !f.Multiple }

// Rule names who may take an action: Anyone, Authenticated, Owner, or "role:NAME"
// for users with the global role NAME.
type Rule string

// The rules besides roles.
const (
	Anyone        Rule = "anyone"
	Authenticated Rule = "authenticated"
	Owner         Rule = "owner"
)

// Role returns the rule of users with the global role.
func Role(name string) Rule { return Rule("role:" + name) }

// Access holds the rules of each action on a type. Empty rules take the defaults:
// any authenticated user may view and create, the owner may edit and delete. A user
// with the global role admin may always do everything.
type Access struct {
	View   Rule `json:"view,omitempty"`
	Create Rule `json:"create,omitempty"`
	Edit   Rule `json:"edit,omitempty"`
	Delete Rule `json:"delete,omitempty"`
}

// The actions on content.
const (
	ActionView   = "view"
	ActionCreate = "create"
	ActionEdit   = "edit"
	ActionDelete = "delete"
)

// Change is what a hook sees of a change to an item.
type Change struct {
	// Caller is the user making the change, nil for an anonymous one.
	Caller *backrest.User
	// Item is the item as it will be stored: created, updated or (for deletions) as
	// it was. A create or update hook may change its fields.
	Item *Item
	// Old is the item before an update, nil otherwise.
	Old *Item
	// Input holds the keys of the request body that the type knows.
	Input map[string]any
	// Tx is the transaction of the change, for hooks that read or write more.
	Tx *store.Tx
}

// Hook runs inside the transaction of a change, after the input was validated. It
// refuses the change by returning an error: a *backrest.Error (such as the Err of a
// backrest.Validation, reporting fields) is reported to the caller as it is.
//
// On SQLite a hook holds the single writer while it runs: it should be quick, and
// write through Change.Tx, never through a transaction of its own (store.DB.InTx),
// which would wait forever for the one the hook runs in.
type Hook func(ctx context.Context, c *Change) error

// Hooks are the Go functions that a type runs on changes.
type Hooks struct {
	Create, Update, Delete Hook
}

// Type is a content type.
type Type struct {
	// Name is the type's name, as in the items' "type": lower-case letters, digits
	// and _, starting with a letter, at most 28 characters.
	Name string `json:"name"`
	// Plural names the collection in URLs (/-/PLURAL); default Name + "s".
	Plural string `json:"plural,omitempty"`
	// Description documents the type in the OpenAPI document.
	Description string `json:"description,omitempty"`
	// Fields are the type's own fields, in the order of representations.
	Fields []Field `json:"fields,omitempty"`
	// Categories gives items a set of category titles.
	Categories bool `json:"categories,omitempty"`
	// Access holds who may take each action.
	Access Access `json:"access,omitzero"`
	// Hooks run on changes; only types registered from Go have them.
	Hooks Hooks `json:"-"`

	fields map[string]*Field
	// table is the storage of the type's items, set by New.
	table *store.ContentTable
}

var (
	nameRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,27}$`)
	pluralRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	roleRE   = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,100}$`)
)

// commonFields are the names every type has, which own fields cannot take.
var commonFields = []string{"id", "type", "owner", "title", "description", "creation_date", "modification_date", "categories", "__meta__"}

// reservedPlurals are the paths under /-/ that the API uses itself.
var reservedPlurals = []string{"signup", "login", "logout", "reset", "password", "email", "userprofile", "categories", "files", "openapi",
	"signin", "oidc", "identities", "passkeys", "webauthn"}

// Field returns the own field with the name, or nil.
func (t *Type) Field(name string) *Field { return t.fields[name] }

// rule returns the rule of an action, with the defaults filled in.
func (t *Type) rule(action string) Rule {
	var r Rule
	def := Authenticated
	switch action {
	case ActionView:
		r = t.Access.View
	case ActionCreate:
		r = t.Access.Create
	case ActionEdit:
		r, def = t.Access.Edit, Owner
	case ActionDelete:
		r, def = t.Access.Delete, Owner
	}
	if r == "" {
		return def
	}
	return r
}

// prepare checks the definition, fills in defaults and compiles patterns. Every
// problem is reported at once.
func (t *Type) prepare() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if !nameRE.MatchString(t.Name) {
		bad("name %q: want lower-case letters, digits and _, starting with a letter, at most 28 characters", t.Name)
	}
	if t.Plural == "" {
		t.Plural = t.Name + "s"
	}
	if !pluralRE.MatchString(t.Plural) {
		bad("plural %q: want lower-case letters, digits, _ and -, starting with a letter", t.Plural)
	} else if slices.Contains(reservedPlurals, t.Plural) {
		bad("plural %q: the API uses /-/%s itself", t.Plural, t.Plural)
	}
	for action, r := range map[string]Rule{ActionView: t.Access.View, ActionCreate: t.Access.Create, ActionEdit: t.Access.Edit, ActionDelete: t.Access.Delete} {
		if r == "" {
			continue
		}
		if err := r.check(); err != nil {
			bad("access %s: %v", action, err)
		} else if action == ActionCreate && r == Owner {
			bad("access create: a new item has no owner yet; use authenticated or a role")
		}
	}
	t.fields = map[string]*Field{}
	for i := range t.Fields {
		f := &t.Fields[i]
		if err := f.prepare(); err != nil {
			bad("field %q: %v", f.Name, err)
			continue
		}
		if _, dup := t.fields[f.Name]; dup {
			bad("field %q: declared twice", f.Name)
		}
		t.fields[f.Name] = f
	}
	if len(errs) > 0 {
		return fmt.Errorf("content type %q: %s", t.Name, strings.Join(errs, "; "))
	}
	return nil
}

// check reports whether r is a valid rule.
func (r Rule) check() error {
	switch r {
	case Anyone, Authenticated, Owner:
		return nil
	}
	if role, ok := strings.CutPrefix(string(r), "role:"); ok && roleRE.MatchString(role) {
		return nil
	}
	return fmt.Errorf("unknown rule %q: want anyone, authenticated, owner or role:NAME", r)
}

// prepare checks a field's definition and compiles its pattern.
func (f *Field) prepare() error {
	if !nameRE.MatchString(f.Name) {
		return fmt.Errorf("name: want lower-case letters, digits and _, starting with a letter, at most 28 characters")
	}
	if slices.Contains(commonFields, f.Name) {
		return fmt.Errorf("name: every item has a field %s already", f.Name)
	}
	if !slices.Contains(kinds, f.Kind) {
		return fmt.Errorf("type %q: want one of string, text, integer, number, boolean, datetime, json, file, relation, user", f.Kind)
	}
	if f.Kind == User && (f.Target != "" || f.Multiple) {
		return fmt.Errorf("target and multiple apply to relation fields only: a user field holds one user")
	}
	if f.Kind == Relation || f.Kind == User {
		if f.Kind == Relation && !nameRE.MatchString(f.Target) {
			return fmt.Errorf("target %q: want the name of a content type", f.Target)
		}
		switch f.OnDelete {
		case "":
			f.OnDelete = Restrict
		case Restrict, Cascade, SetNull:
		default:
			return fmt.Errorf("on_delete %q: want restrict, cascade or set_null", f.OnDelete)
		}
		if f.OnDelete == SetNull && f.Required && !f.Multiple {
			return fmt.Errorf("on_delete set_null cannot clear a required field")
		}
	} else if f.Target != "" || f.Multiple || f.OnDelete != "" {
		return fmt.Errorf("target, multiple and on_delete apply to relation fields only (on_delete to user fields too)")
	}
	if f.MinItems < 0 || f.MaxItems < 0 {
		return fmt.Errorf("min_items and max_items must be positive")
	}
	if (f.MinItems != 0 || f.MaxItems != 0) && !f.Multiple {
		return fmt.Errorf("min_items and max_items apply to relation fields with multiple only")
	}
	if f.MaxItems != 0 && f.MinItems > f.MaxItems {
		return fmt.Errorf("min_items is greater than max_items")
	}
	numeric := f.Kind == Integer || f.Kind == Number
	textual := f.Kind == String || f.Kind == Text
	if (f.Min != nil || f.Max != nil) && !numeric {
		return fmt.Errorf("min and max apply to integer and number fields only")
	}
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		return fmt.Errorf("min is greater than max")
	}
	if (f.MaxLength != 0 || f.Pattern != "") && !textual {
		return fmt.Errorf("max_length and pattern apply to string and text fields only")
	}
	if f.MaxLength < 0 {
		return fmt.Errorf("max_length must be positive")
	}
	if f.Kind == String && f.MaxLength > MaxStringLength {
		return fmt.Errorf("max_length of a string field is at most %d; use a text field for longer values", MaxStringLength)
	}
	if f.Pattern != "" {
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			return fmt.Errorf("pattern: %w", err)
		}
		f.pattern = re
	}
	if len(f.Enum) > 0 {
		if f.Kind != String && !numeric {
			return fmt.Errorf("enum applies to string, integer and number fields only")
		}
		for i, v := range f.Enum {
			norm, ok := enumValue(f.Kind, v)
			if !ok {
				return fmt.Errorf("enum value %v is not a valid %s", v, f.Kind)
			}
			f.Enum[i] = norm
		}
	}
	return nil
}

// LengthLimit returns the longest value accepted, in characters, 0 for no bound:
// MaxLength, or DefaultMaxLength for a string field that sets none.
func (f *Field) LengthLimit() int {
	if f.MaxLength == 0 && f.Kind == String {
		return DefaultMaxLength
	}
	return f.MaxLength
}

// enumValue converts an enum value of a definition to the form values of the kind
// take after validation: string, int64 or float64.
func enumValue(k Kind, v any) (any, bool) {
	switch k {
	case String:
		s, ok := v.(string)
		return s, ok
	case Integer:
		switch n := v.(type) {
		case int:
			return int64(n), true
		case int64:
			return n, true
		case float64:
			if n == float64(int64(n)) {
				return int64(n), true
			}
		}
	case Number:
		switch n := v.(type) {
		case int:
			return float64(n), true
		case int64:
			return float64(n), true
		case float64:
			return n, true
		}
	}
	return nil, false
}
