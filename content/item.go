package content

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backrest/backrest"
)

// Item is one content item.
type Item struct {
	ID          int64
	Type        *Type
	Owner       backrest.UserID
	Title       string
	Description string
	Created     time.Time
	Modified    time.Time
	// Fields holds the values of the own fields: string (string and text), int64
	// (integer, and relation to one item: its id), float64, bool, time.Time,
	// json.RawMessage (json), *backrest.File (file) and []int64 (relation to
	// several items: their ids, in order). An unset field is absent or nil.
	Fields map[string]any
	// Categories are the item's category titles, sorted; nil when the type has none.
	Categories []string
	// Expanded holds the related items a read embeds (Service.Expand), in the
	// order of the expansion's steps.
	Expanded []Embedded
}

// MaxCategories is the largest number of categories an item may have, and
// CategoryMaxLength the longest category title.
const (
	MaxCategories     = 100
	CategoryMaxLength = 100
)

// Input is a change to an item as a client asks it: the keys it sent, in their
// Go form. The service validates it against the type.
type Input struct {
	// Title and Description are nil when not sent.
	Title, Description *string
	// Fields holds the own fields sent, by name: nil clears a field; otherwise a
	// string (string and text), int64 (integer, relation to one item), float64,
	// bool, time.Time, json.RawMessage (json), *backrest.Attachment (file) or
	// []int64 (relation to several items).
	Fields map[string]any
	// Categories are nil when not sent; empty clears them.
	Categories []string
	// Malformed holds, by key, why a value sent could not be read as its field's
	// kind (such as a string sent for an integer). Such keys are refused, with
	// every other finding of the validation.
	Malformed map[string]string
}

// input is a validated Input: the keys the type knows, checked and normalised.
type input struct {
	title, description *string
	// fields holds the own fields sent; nil clears a field. File fields hold the
	// *backrest.Attachment sent, for Files.Attach.
	fields map[string]any
	// categories is nil unless the key was sent.
	categories []string
}

// hookInput returns the input as a hook sees it: the known keys, converted.
func (in *input) hookInput() map[string]any {
	m := map[string]any{}
	if in.title != nil {
		m["title"] = *in.title
	}
	if in.description != nil {
		m["description"] = *in.description
	}
	for k, v := range in.fields {
		m[k] = v
	}
	if in.categories != nil {
		m["categories"] = slices.Clone(in.categories)
	}
	return m
}

// Validate checks an input against the type: on create the required fields must
// be there. It reports every failing field at once, as an EINVALID
// *backrest.Error. Fields the type does not know are ignored.
func (t *Type) Validate(in *Input, create bool) error {
	_, err := t.check(in, create)
	return err
}

// check validates an input and normalises the values of the known keys.
func (t *Type) check(in *Input, create bool) (*input, error) {
	var v backrest.Validation
	out := &input{fields: map[string]any{}}
	switch msg, bad := in.Malformed["title"]; {
	case bad:
		v.Body("title", msg)
	case in.Title == nil:
		if create {
			v.Body("title", "Required")
		}
	case strings.TrimSpace(*in.Title) == "":
		v.Body("title", "Required")
	default:
		if msg := checkString(*in.Title, TitleMaxLength); msg != "" {
			v.Body("title", msg)
		} else {
			out.title = in.Title
		}
	}
	if msg, bad := in.Malformed["description"]; bad {
		v.Body("description", msg)
	} else if in.Description != nil {
		if msg := checkString(*in.Description, 0); msg != "" {
			v.Body("description", msg)
		} else {
			out.description = in.Description
		}
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		if msg, bad := in.Malformed[f.Name]; bad {
			v.Body(f.Name, msg)
			continue
		}
		val, ok := in.Fields[f.Name]
		if !ok {
			if create && f.Required {
				v.Body(f.Name, "Required")
			}
			continue
		}
		val, msg := f.check(val)
		if msg != "" {
			v.Body(f.Name, msg)
			continue
		}
		out.fields[f.Name] = val
	}
	if msg, bad := in.Malformed["categories"]; bad && t.Categories {
		v.Body("categories", msg)
	} else if in.Categories != nil && t.Categories {
		cats, msg := checkCategories(in.Categories)
		if msg != "" {
			v.Body("categories", msg)
		} else {
			out.categories = cats
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkString returns why s is not acceptable text, or "".
func checkString(s string, maxLen int) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "Must not contain NUL characters"
	}
	if maxLen > 0 && utf8.RuneCountInString(s) > maxLen {
		return fmt.Sprintf("Must be at most %d characters", maxLen)
	}
	return ""
}

// ParseInteger parses a number, written as JSON writes numbers, with an integral
// value in the range of int64: 3, -7, 3.0 and 1e3 are integers, 3.5 is not. Bodies
// and query strings take integers in this form.
func ParseInteger(s string) (int64, bool) {
	if !numberSyntax(s) {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x != math.Trunc(x) || x < -(1<<63) || x >= 1<<63 {
		return 0, false
	}
	return int64(x), true
}

// ParseNumber parses a finite number, written as JSON writes numbers.
func ParseNumber(s string) (float64, bool) {
	if !numberSyntax(s) {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

// numberSyntax reports whether s is a number in JSON's grammar.
func numberSyntax(s string) bool {
	return len(s) > 0 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) && json.Valid([]byte(s))
}

// check returns the value of the field in its stored Go form, or why it is not
// acceptable.
func (f *Field) check(v any) (any, string) {
	if v == nil {
		if f.Required {
			return nil, "Required"
		}
		return nil, ""
	}
	switch f.Kind {
	case String, Text:
		s, ok := v.(string)
		if !ok {
			break
		}
		if s == "" && f.Required {
			return nil, "Required"
		}
		if msg := checkString(s, f.LengthLimit()); msg != "" {
			return nil, msg
		}
		if f.pattern != nil && !f.pattern.MatchString(s) {
			return nil, "Does not match the pattern " + f.Pattern
		}
		return f.checkEnum(s)
	case Integer:
		n, ok := v.(int64)
		if !ok {
			break
		}
		if msg := f.checkRange(float64(n)); msg != "" {
			return nil, msg
		}
		return f.checkEnum(n)
	case Number:
		n, ok := v.(float64)
		if !ok || math.IsInf(n, 0) || math.IsNaN(n) {
			break
		}
		if msg := f.checkRange(n); msg != "" {
			return nil, msg
		}
		return f.checkEnum(n)
	case Boolean:
		if b, ok := v.(bool); ok {
			return b, ""
		}
	case DateTime:
		tm, ok := v.(time.Time)
		if !ok {
			break
		}
		tm = tm.UTC().Truncate(time.Microsecond)
		if y := tm.Year(); y < 1 || y > 9999 {
			return nil, "Must be in the years 0001 to 9999 (UTC)"
		}
		return tm, ""
	case JSON:
		if raw, ok := v.(json.RawMessage); ok && json.Valid(raw) {
			return raw, ""
		}
	case Relation:
		return f.checkRelation(v)
	case User:
		if id, ok := v.(backrest.UserID); ok && id != (backrest.UserID{}) {
			return id, ""
		}
	case FileKind:
		if a, ok := v.(*backrest.Attachment); ok {
			if a == nil {
				return f.check(nil)
			}
			return a, ""
		}
	}
	return nil, "Must be " + article(f.Kind)
}

// checkRelation checks the form of the value of a relation field: an item id, or
// a list of them without duplicates within the field's bounds. Whether the items
// exist and may be viewed is checked when the change is stored.
func (f *Field) checkRelation(v any) (any, string) {
	if !f.Multiple {
		if id, ok := v.(int64); ok && id > 0 {
			return id, ""
		}
		return nil, "Must be the id of an item"
	}
	ids, ok := v.([]int64)
	if !ok {
		return nil, "Must be a list of item ids"
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return nil, "Must be a list of item ids"
		}
		if seen[id] {
			return nil, fmt.Sprintf("Lists the item %d twice", id)
		}
		seen[id] = true
	}
	least := f.MinItems
	if f.Required && least == 0 {
		least = 1
	}
	if len(ids) < least {
		return nil, fmt.Sprintf("Must list at least %d items", least)
	}
	if f.MaxItems > 0 && len(ids) > f.MaxItems {
		return nil, fmt.Sprintf("Must list at most %d items", f.MaxItems)
	}
	return slices.Clone(ids), ""
}

// checkRange returns why n is out of the field's bounds, or "".
func (f *Field) checkRange(n float64) string {
	if f.Min != nil && n < *f.Min {
		return "Must be at least " + formatNumber(*f.Min)
	}
	if f.Max != nil && n > *f.Max {
		return "Must be at most " + formatNumber(*f.Max)
	}
	return ""
}

// checkEnum returns v, or why it is not one of the field's enum values.
func (f *Field) checkEnum(v any) (any, string) {
	if len(f.Enum) == 0 || slices.Contains(f.Enum, v) {
		return v, ""
	}
	vals := make([]string, len(f.Enum))
	for i, e := range f.Enum {
		vals[i] = fmt.Sprint(e)
	}
	return nil, "Must be one of: " + strings.Join(vals, ", ")
}

// formatNumber renders a bound without a needless fraction.
func formatNumber(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// checkCategories checks a list of category titles and returns it trimmed,
// sorted and without duplicates.
func checkCategories(titles []string) ([]string, string) {
	out := []string{}
	for _, t := range titles {
		t = strings.TrimSpace(t)
		if msg := checkCategory(t); msg != "" {
			return nil, fmt.Sprintf("%q: %s", t, msg)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > MaxCategories {
		return nil, fmt.Sprintf("Must have at most %d categories", MaxCategories)
	}
	slices.Sort(out)
	return out, ""
}

// checkCategory returns why a category title is not acceptable, or "".
func checkCategory(title string) string {
	if strings.TrimSpace(title) == "" {
		return "A category title must not be empty"
	}
	return checkString(title, CategoryMaxLength)
}
