package content

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"

	"github.com/backrest/backrest/store"
)

// Cursor is the position a ?cursor= continues a listing from: the key of the
// last item of the page before, and the total counted on the first page (-1 when
// not counted).
//
// A cursor is base64url (unpadded) of the JSON array
// [1, SELECTION, TOTAL, SORT_VALUE, CREATED, ID]: the version, the key of the
// selection it was made for (selectionKey), then its position. It is not signed:
// it holds nothing a client may not know or choose, and it is checked before use
// (its selection must be the request's, its values those of the sort), so that a
// changed one at worst starts the page elsewhere.
type Cursor struct {
	Key   store.ContentKey
	Total int64
}

// maxCursorLength bounds the cursors decoded: a string sort value is at most
// MaxStringLength characters of up to 4 bytes, escaped.
const maxCursorLength = 4 * (6*4*MaxStringLength + 200) / 3

// encodeCursor returns the ?cursor= of c in the listing q.
func encodeCursor(c *Cursor, q *Query) string {
	b, err := json.Marshal([]any{1, q.key, c.Total, c.Key.Sort, c.Key.Created, c.Key.ID})
	if err != nil {
		// The values are strings and numbers: they marshal.
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor decodes the ?cursor= of the listing q of t; nil when it is not
// a cursor of this listing (another selection or sort, or malformed).
func (t *Type) decodeCursor(s string, q *Query) *Cursor {
	if len(s) > maxCursorLength {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var parts []any
	if d.Decode(&parts) != nil || d.More() || len(parts) != 6 {
		return nil
	}
	version, _ := parts[0].(json.Number)
	key, _ := parts[1].(string)
	if version != "1" || key != q.key {
		return nil
	}
	total, ok1 := integer(parts[2])
	created, ok2 := integer(parts[4])
	id, ok3 := integer(parts[5])
	if !ok1 || !ok2 || !ok3 || total < -1 || id <= 0 {
		return nil
	}
	c := &Cursor{Total: total, Key: store.ContentKey{Created: created, ID: id}}
	sv := parts[3]
	switch q.Sort {
	case "id", "creation_date":
		if sv != nil {
			return nil
		}
		return c
	case "title":
		title, ok := sv.(string)
		if !ok {
			return nil
		}
		c.Key.Sort = title
		return c
	case "modification_date":
		n, ok := integer(sv)
		if !ok {
			return nil
		}
		c.Key.Sort = n
		return c
	}
	f := t.Field(q.Sort)
	if f == nil {
		return nil
	}
	if sv == nil {
		return c
	}
	switch f.Kind.columnType() {
	case store.TextColumn:
		str, ok := sv.(string)
		if !ok {
			return nil
		}
		c.Key.Sort = str
	case store.DoubleColumn:
		n, ok := sv.(json.Number)
		x, err := n.Float64()
		if !ok || err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil
		}
		c.Key.Sort = x
	default:
		n, ok := integer(sv)
		if !ok {
			return nil
		}
		c.Key.Sort = n
	}
	return c
}

// integer returns v, a decoded JSON value, as an int64.
func integer(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}
