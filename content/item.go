package content

import (
	"bytes"
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
	// Fields holds the values of the own fields: string (string and text), int64,
	// float64, bool, time.Time, json.RawMessage (json) and *backrest.File (file). An
	// unset field is absent or nil.
	Fields map[string]any
	// Categories are the item's category titles, sorted; nil when the type has none.
	Categories []string
}

// MaxCategories is the largest number of categories an item may have, and
// CategoryMaxLength the longest category title.
const (
	MaxCategories     = 100
	CategoryMaxLength = 100
)

// input is a validated request body: the keys the type knows, converted.
type input struct {
	title, description *string
	// fields holds the own fields sent; nil clears a field. File fields hold the
	// json.RawMessage posted, for Files.Attach.
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

// Validate checks a request body against the type: on create the required fields
// must be there. It reports every failing field at once, as an EINVALID
// *backrest.Error. Keys the type does not know, and __meta__, are ignored.
func (t *Type) Validate(body map[string]json.RawMessage, create bool) error {
	_, err := t.decode(body, create)
	return err
}

// decode validates a request body and converts the values of the known keys.
func (t *Type) decode(body map[string]json.RawMessage, create bool) (*input, error) {
	var v backrest.Validation
	in := &input{fields: map[string]any{}}
	raw, ok := body["title"]
	switch {
	case !ok && create, ok && isNull(raw):
		v.Body("title", "Required")
	case ok:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			v.Body("title", "Must be a string")
		} else if strings.TrimSpace(s) == "" {
			v.Body("title", "Required")
		} else if msg := checkString(s, TitleMaxLength); msg != "" {
			v.Body("title", msg)
		} else {
			in.title = &s
		}
	}
	if raw, ok := body["description"]; ok {
		var s string
		if !isNull(raw) && json.Unmarshal(raw, &s) != nil {
			v.Body("description", "Must be a string")
		} else if msg := checkString(s, 0); msg != "" {
			v.Body("description", msg)
		} else {
			in.description = &s
		}
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		raw, ok := body[f.Name]
		if !ok {
			if create && f.Required {
				v.Body(f.Name, "Required")
			}
			continue
		}
		val, msg := f.decode(raw)
		if msg != "" {
			v.Body(f.Name, msg)
			continue
		}
		in.fields[f.Name] = val
	}
	if raw, ok := body["categories"]; ok && t.Categories {
		cats, msg := decodeCategories(raw)
		if msg != "" {
			v.Body("categories", msg)
		} else {
			in.categories = cats
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// isNull reports whether raw is the JSON null.
func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

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

// decode converts the JSON value of the field, or says why it is not acceptable.
// For file fields it returns the value as it is, for Files.Attach.
func (f *Field) decode(raw json.RawMessage) (any, string) {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		if f.Required {
			return nil, "Required"
		}
		return nil, ""
	}
	switch f.Kind {
	case String, Text:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "Must be a string"
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
		n, ok := parseInteger(raw)
		if !ok {
			return nil, "Must be an integer"
		}
		if msg := f.checkRange(float64(n)); msg != "" {
			return nil, msg
		}
		return f.checkEnum(n)
	case Number:
		if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
			return nil, "Must be a number"
		}
		n, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || math.IsInf(n, 0) || !json.Valid(raw) {
			return nil, "Must be a number"
		}
		if msg := f.checkRange(n); msg != "" {
			return nil, msg
		}
		return f.checkEnum(n)
	case Boolean:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, "Must be true or false"
		}
		return b, ""
	case DateTime:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "Must be a date and time (RFC 3339) string"
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, "Must be a date and time (RFC 3339), such as 2024-05-01T12:00:00Z"
		}
		tm = tm.UTC().Truncate(time.Microsecond)
		if y := tm.Year(); y < 1 || y > 9999 {
			return nil, "Must be in the years 0001 to 9999 (UTC)"
		}
		return tm, ""
	case JSON:
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			return nil, "Must be JSON"
		}
		return json.RawMessage(b.Bytes()), ""
	case FileKind:
		return json.RawMessage(slices.Clone(raw)), ""
	}
	return nil, "Unsupported field type"
}

// parseInteger parses a JSON number with an integral value in the range of int64:
// 3, -7, 3.0 and 1e3 are integers, 3.5 is not.
func parseInteger(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) || !json.Valid(raw) {
		return 0, false
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n, true
	}
	x, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || x != math.Trunc(x) || x < -(1<<63) || x >= 1<<63 {
		return 0, false
	}
	return int64(x), true
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

// decodeCategories decodes a list of category titles, without duplicates.
func decodeCategories(raw json.RawMessage) ([]string, string) {
	if isNull(raw) {
		return []string{}, ""
	}
	var titles []string
	if json.Unmarshal(raw, &titles) != nil {
		return nil, "Must be a list of category titles"
	}
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
