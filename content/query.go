package content

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// Ranges are the range filters: an item is listed when, for every one, its
	// field compares with the value as the operator says.
	Ranges []store.ContentRange
	// Search holds the words of ?q=, folded: an item is listed when its search
	// text holds every one.
	Search []string
	// After is the position that ?cursor= continues from, nil for none.
	After *Cursor
	// NoTotal is true when ?total=false: the total is not counted.
	NoTotal bool
	// key identifies the selection (filters, search and sort), which a cursor
	// must have been made for.
	key string
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
		case "cursor":
			// Decoded below, once the sort is known.
			if _, ok := single(); !ok {
				continue
			}
		case "total":
			if s, ok := single(); ok {
				switch s {
				case "true":
				case "false":
					q.NoTotal = true
				default:
					bad(name, "Must be true or false")
				}
			}
		case "q":
			if s, ok := single(); ok {
				words, msg := searchWords(s)
				if msg != "" {
					bad(name, msg)
				}
				q.Search = words
			}
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
			if field, op, ok := strings.Cut(name, "."); ok && rangeOps[op] != "" && !t.isRelation(field) {
				rg, msg := t.parseRange(field, op, vals)
				if msg != "" {
					bad(name, msg)
					continue
				}
				q.Ranges = append(q.Ranges, rg)
				continue
			}
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
	q.key = selectionKey(params)
	if c, ok := params["cursor"]; ok {
		if _, ok := params["offset"]; ok {
			bad("offset", "Give either offset or cursor")
		} else if q.After = t.decodeCursor(c[0], q); q.After == nil {
			bad("cursor", "Not a cursor of this listing: follow the Link header of a listing with the same filters, search and sort")
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// rangeOps maps the suffixes of range filters to their comparisons.
var rangeOps = map[string]store.RangeOp{"gt": store.Greater, "gte": store.GreaterEqual, "lt": store.Less, "lte": store.LessEqual}

// isRelation reports whether t has a relation field of that name.
func (t *Type) isRelation(name string) bool {
	f := t.Field(name)
	return f != nil && f.Kind == Relation
}

// parseRange parses the range filter FIELD.OP=value; msg says what is wrong.
func (t *Type) parseRange(field, op string, vals []string) (rg store.ContentRange, msg string) {
	const which = "Range filters (.gt, .gte, .lt, .lte) apply to integer, number and datetime fields, creation_date and modification_date"
	if len(vals) != 1 {
		return rg, "Give this parameter once"
	}
	rg = store.ContentRange{Field: field, Op: rangeOps[op]}
	switch field {
	case "creation_date", "modification_date":
		tm, err := time.Parse(time.RFC3339Nano, vals[0])
		if err != nil {
			return rg, "Must be " + article(DateTime)
		}
		rg.Value = tm.UnixMicro()
		return rg, ""
	}
	fd := t.Field(field)
	if fd == nil || (fd.Kind != Integer && fd.Kind != Number && fd.Kind != DateTime) {
		return rg, which
	}
	val, ok := fd.parseParam(vals[0])
	if !ok {
		return rg, "Must be " + article(fd.Kind)
	}
	rg.Value = val
	return rg, ""
}

// Search limits: the words of a query, and the characters of one.
const (
	MaxSearchWords      = 8
	MaxSearchWordLength = 64
)

// searchWords splits a search query into its words, folded; msg says what is
// wrong with it.
func searchWords(s string) (words []string, msg string) {
	if !utf8.ValidString(s) {
		return nil, "Must be text (UTF-8)"
	}
	for _, w := range strings.Fields(s) {
		if utf8.RuneCountInString(w) > MaxSearchWordLength {
			return nil, fmt.Sprintf("Words must be at most %d characters", MaxSearchWordLength)
		}
		if w = store.FoldSearch(w); w != "" && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil, "Give at least one word"
	}
	if len(words) > MaxSearchWords {
		return nil, fmt.Sprintf("Give at most %d words", MaxSearchWords)
	}
	return words, ""
}

// selectionKey identifies the selection and order that the parameters ask for:
// all but those of paging, totals and expansion.
func selectionKey(params url.Values) string {
	h := sha256.New()
	keys := make([]string, 0, len(params))
	for k := range params {
		switch k {
		case "limit", "offset", "cursor", "total", "expand", "_":
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vals := slices.Clone(params[k])
		slices.Sort(vals)
		fmt.Fprintf(h, "%q=%q;", k, vals)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
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
		if f.Kind == Integer || f.Kind == Number || f.Kind == DateTime {
			out = append(out, f.Name+".gt", f.Name+".gte", f.Name+".lt", f.Name+".lte")
		}
	}
	return append(out, "creation_date.gt", "creation_date.gte", "creation_date.lt", "creation_date.lte",
		"modification_date.gt", "modification_date.gte", "modification_date.lt", "modification_date.lte", "q", "cursor", "total")
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
	// Total is the number of items that the query selects, over all pages: counted
	// for a first page (one without a cursor), carried by the cursor after; -1
	// when not counted (?total=false).
	Total int64
	// Cursor is the ?cursor= of the next page, "" when this is the last.
	Cursor string
}

// List returns the page of the items of t that q selects and caller may view.
func (s *Service) List(ctx context.Context, caller *backrest.User, t *Type, q *Query) (*Page, error) {
	verdict := t.may(ActionView, caller)
	if verdict == denied {
		return nil, forbidden(caller)
	}
	sq := store.ContentQuery{Sort: q.Sort, Desc: q.Desc, Limit: q.Limit, Offset: q.Offset, Ranges: q.Ranges, Search: q.Search,
		Filters: make([]store.ContentFilter, len(q.Filters))}
	total := int64(-1)
	switch {
	case q.NoTotal:
	case q.After != nil && q.After.Total >= 0:
		total = q.After.Total
	default:
		sq.Count = true
	}
	if q.After != nil {
		sq.After = &q.After.Key
	}
	sq.Matches = total
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
	res, err := store.ListContent(ctx, s.db, t.table, sq)
	if err != nil {
		return nil, err
	}
	items, err := s.items(ctx, s.db, t, res.Rows)
	if err != nil {
		return nil, err
	}
	if sq.Count {
		total = res.Total
	}
	page := &Page{Items: items, Total: total}
	if res.Next != nil {
		page.Cursor = encodeCursor(&Cursor{Key: *res.Next, Total: total}, q)
	}
	return page, nil
}
