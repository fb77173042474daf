package content

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Listing limits.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Query is a parsed listing request.
type Query struct {
	// Limit is the page size and Offset the number of items skipped.
	Limit, Offset int
	// Sort is the field sorted by, Desc for descending order. Ties are ordered by
	// creation date, then id, in the same direction.
	Sort string
	Desc bool
	// Filters are the equality filters: an item is listed when, for every filter,
	// the field equals one of the values.
	Filters []Filter
}

// Filter is an equality filter on a field, "owner" or "category"; with Sub, on
// the field Sub of the items that the relation field Field holds.
type Filter struct {
	Field  string
	Sub    string
	Values []any
}

// ParseQuery parses the query parameters of a listing of t: limit, offset, sort
// and equality filters on the declared fields (not text, json or file ones), owner
// and, for types with categories, category. A parameter given several times
// matches any of its values; "_" (a cache buster) is ignored. Every bad parameter
// is reported at once, with location querystring.
func (t *Type) ParseQuery(params url.Values) (*Query, error) {
	q := &Query{Limit: DefaultLimit, Sort: "creation_date", Desc: true}
	var v backrest.Validation
	bad := func(name, msg string) { v.Add("querystring", name, msg) }
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, name := range keys {
		vals := params[name]
		single := func() (string, bool) {
			if len(vals) != 1 {
				bad(name, "Give this parameter once")
				return "", false
			}
			return vals[0], true
		}
		switch name {
		case "_", "expand":
			// expand is parsed by Service.ParseExpand.
		case "limit":
			if s, ok := single(); ok {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 || n > MaxLimit {
					bad(name, fmt.Sprintf("Must be a whole number from 1 to %d", MaxLimit))
				}
				q.Limit = n
			}
		case "offset":
			if s, ok := single(); ok {
				n, err := strconv.Atoi(s)
				if err != nil || n < 0 {
					bad(name, "Must be a whole number, 0 or more")
				}
				q.Offset = n
			}
		case "sort":
			if s, ok := single(); ok {
				field, desc := strings.CutPrefix(s, "-")
				if !t.sortable(field) {
					bad(name, "Cannot sort by "+strconv.Quote(field)+"; sort by one of: "+strings.Join(t.SortFields(), ", "))
				}
				q.Sort, q.Desc = field, desc
			}
		case "owner":
			f := Filter{Field: name}
			for _, s := range vals {
				id, ok := backrest.ParseUserID(s)
				if !ok {
					bad(name, "Must be a user id")
					break
				}
				f.Values = append(f.Values, id.String())
			}
			q.Filters = append(q.Filters, f)
		case "category":
			if !t.Categories {
				bad(name, "This type has no categories")
				continue
			}
			f := Filter{Field: name}
			for _, s := range vals {
				f.Values = append(f.Values, strings.TrimSpace(s))
			}
			q.Filters = append(q.Filters, f)
		default:
			if rel, sub, ok := strings.Cut(name, "."); ok {
				fd := t.Field(rel)
				var sf *Field
				if fd != nil && fd.Kind == Relation && fd.target != nil {
					sf = fd.target.Field(sub)
				}
				if sf == nil || !sf.Sortable() {
					bad(name, "Unknown parameter; filter on the items a relation holds with RELATION.FIELD, FIELD a filterable field of their type")
					continue
				}
				f := Filter{Field: rel, Sub: sub}
				for _, s := range vals {
					val, ok := sf.parseParam(s)
					if !ok {
						bad(name, "Must be "+article(sf.Kind))
						break
					}
					f.Values = append(f.Values, val)
				}
				q.Filters = append(q.Filters, f)
				continue
			}
			fd := t.Field(name)
			if fd == nil || !fd.Kind.Indexed() {
				bad(name, "Unknown parameter; filter by one of: "+strings.Join(t.filterFields(), ", "))
				continue
			}
			f := Filter{Field: name}
			for _, s := range vals {
				val, ok := fd.parseParam(s)
				if !ok {
					bad(name, "Must be "+article(fd.Kind))
					break
				}
				f.Values = append(f.Values, val)
			}
			q.Filters = append(q.Filters, f)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return q, nil
}

// sortable reports whether listings of t may be sorted by the field.
func (t *Type) sortable(field string) bool {
	if slices.Contains(store.ContentSortFields, field) {
		return true
	}
	f := t.Field(field)
	return f != nil && f.Sortable()
}

// SortFields lists the fields listings of t may be sorted by.
func (t *Type) SortFields() []string {
	out := slices.Clone(store.ContentSortFields)
	for _, f := range t.Fields {
		if f.Sortable() {
			out = append(out, f.Name)
		}
	}
	return out
}

// filterFields lists the query parameters of listings of t.
func (t *Type) filterFields() []string {
	out := []string{"limit", "offset", "sort", "owner"}
	if t.Categories {
		out = append(out, "category")
	}
	for _, f := range t.Fields {
		if f.Kind.Indexed() {
			out = append(out, f.Name)
		}
	}
	return out
}

// article names a kind for messages.
func article(k Kind) string {
	switch k {
	case Integer:
		return "an integer"
	case Number:
		return "a number"
	case Boolean:
		return "true or false"
	case DateTime:
		return "a date and time (RFC 3339)"
	case Relation:
		return "an item id"
	case User:
		return "a user id"
	}
	return "a " + string(k)
}

// parseParam converts a query parameter to the stored form of the field's values.
func (f *Field) parseParam(s string) (any, bool) {
	var v any
	switch f.Kind {
	case String:
		if checkString(s, 0) != "" {
			return nil, false
		}
		return s, true
	case Boolean:
		switch s {
		case "true", "1":
			return int64(1), true
		case "false", "0":
			return int64(0), true
		}
		return nil, false
	case DateTime:
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, false
		}
		v = tm
	case Integer:
		n, ok := ParseInteger(s)
		if !ok {
			return nil, false
		}
		v = n
	case Relation:
		// A filter on a relation to several items matches the items that list
		// one of the values.
		n, ok := ParseInteger(s)
		if !ok || n <= 0 {
			return nil, false
		}
		return n, true
	case User:
		id, ok := backrest.ParseUserID(s)
		return id.String(), ok
	case Number:
		n, ok := ParseNumber(s)
		if !ok {
			return nil, false
		}
		v = n
	default:
		return nil, false
	}
	g := *f
	g.Required, g.Min, g.Max, g.Enum, g.pattern = false, nil, nil, nil, nil
	v, msg := g.check(v)
	if msg != "" || v == nil {
		return nil, false
	}
	sv, err := storedValue(f, v)
	return sv, err == nil
}

// Page is one page of a listing.
type Page struct {
	Items []*Item
	// Total is the number of items that the query selects, over all pages.
	Total int64
	// Next is the offset of the next page, 0 when this is the last.
	Next int
}

// List returns the page of the items of t that q selects and caller may view.
func (s *Service) List(ctx context.Context, caller *backrest.User, t *Type, q *Query) (*Page, error) {
	verdict := t.may(ActionView, caller)
	if verdict == denied {
		return nil, forbidden(caller)
	}
	sq := store.ContentQuery{Sort: q.Sort, Desc: q.Desc, Limit: q.Limit, Offset: q.Offset,
		Filters: make([]store.ContentFilter, len(q.Filters))}
	if verdict == ownerOnly {
		sq.Owner = caller.ID.String()
	}
	for i, f := range q.Filters {
		sq.Filters[i] = store.ContentFilter{Field: f.Field, Values: f.Values}
		if f.Sub == "" {
			continue
		}
		// The related items are filtered on fields the caller must be able to
		// read: those of the items it may view.
		target := t.Field(f.Field).target
		switch target.may(ActionView, caller) {
		case denied:
			return nil, &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{{Location: "querystring",
				Name: f.Field + "." + f.Sub, Description: "You may not view the " + target.Plural + " to filter on them"}}}
		case ownerOnly:
			sq.Filters[i].RelatedOwner = caller.ID.String()
		}
		sq.Filters[i].Related, sq.Filters[i].Sub = target.table, f.Sub
	}
	rows, total, err := store.ListContent(ctx, s.db, t.table, sq)
	if err != nil {
		return nil, err
	}
	items, err := s.items(ctx, s.db, t, rows)
	if err != nil {
		return nil, err
	}
	page := &Page{Items: items, Total: total}
	if next := q.Offset + q.Limit; int64(next) < page.Total {
		page.Next = next
	}
	return page, nil
}
