package http

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/content"
)

// appendItem appends the representation of item for caller to dst: the common
// fields, the own fields in their declared order, the categories when the type
// has them, and __meta__ with the item's absolute url, the actions the caller
// may take and, when the read expands relations, expand: the related items'
// representations by relation. Strings, numbers, booleans and times, which make up most items, and
// __meta__ are encoded directly; other values go through encoding/json.
func (s *Server) appendItem(dst []byte, caller *backrest.User, item *content.Item) ([]byte, error) {
	t := item.Type
	b := append(dst, `{"id":`...)
	b = strconv.AppendInt(b, item.ID, 10)
	b = appendKey(b, "type")
	b = appendString(b, t.Name)
	b = appendKey(b, "owner")
	b = append(b, '"')
	b = hex.AppendEncode(b, item.Owner[:])
	b = append(b, '"')
	b = appendKey(b, "title")
	b = appendString(b, item.Title)
	b = appendKey(b, "description")
	b = appendString(b, item.Description)
	b = appendKey(b, "creation_date")
	b = appendTime(b, item.Created)
	b = appendKey(b, "modification_date")
	b = appendTime(b, item.Modified)
	var err error
	for _, f := range t.Fields {
		b = appendKey(b, f.Name)
		switch x := item.Fields[f.Name].(type) {
		case time.Time:
			b = appendTime(b, x)
		case *backrest.File:
			if x == nil {
				b = append(b, "null"...)
			} else {
				b, err = appendValue(b, s.fileJSON(x))
			}
		case []int64:
			b = appendIDs(b, x)
		case backrest.UserID:
			b = append(b, '"')
			b = hex.AppendEncode(b, x[:])
			b = append(b, '"')
		case nil:
			if f.Kind == content.Relation && f.Multiple {
				b = append(b, "[]"...)
			} else {
				b = append(b, "null"...)
			}
		default:
			b, err = appendValue(b, x)
		}
		if err != nil {
			return dst, err
		}
	}
	if t.Categories {
		b = appendKey(b, "categories")
		b = append(b, '[')
		for i, c := range item.Categories {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, c)
		}
		b = append(b, ']')
	}
	b = append(b, `,"__meta__":{"url":`...)
	b = appendString(b, s.itemURL(t, item.ID))
	b = append(b, `,"actions":[`...)
	for i, a := range t.Actions(caller, item) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, a)
	}
	b = append(b, ']')
	if item.Expanded != nil {
		b = append(b, `,"expand":{`...)
		for i, e := range item.Expanded {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e.Key)
			b = append(b, ':')
			if b, err = s.appendEmbedded(b, caller, e); err != nil {
				return dst, err
			}
		}
		b = append(b, '}')
	}
	return append(b, "}}"...), nil
}

// appendEmbedded appends the items embedded for one step of an expansion: the
// item or null for a relation to one item, else an array.
func (s *Server) appendEmbedded(b []byte, caller *backrest.User, e content.Embedded) ([]byte, error) {
	var err error
	if e.Users != nil {
		if len(e.Users) == 0 {
			return append(b, "null"...), nil
		}
		return appendValue(b, userJSON(caller, e.Users[0]))
	}
	if e.One {
		if len(e.Items) == 0 {
			return append(b, "null"...), nil
		}
		return s.appendItem(b, caller, e.Items[0])
	}
	b = append(b, '[')
	for i, it := range e.Items {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = s.appendItem(b, caller, it); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// publicUserJSON is a user as shown to callers other than the user and admins.
type publicUserJSON struct {
	ID        string `json:"id"`
	ShortID   string `json:"short_id"`
	Firstname string `json:"firstname"`
	Lastname  string `json:"lastname"`
}

// userJSON returns the representation of u that caller may see: the whole
// USER for the user and admins, else its public part (content.UserPublic).
func userJSON(caller, u *backrest.User) any {
	if content.UserPublic(caller, u) {
		return publicUserJSON{ID: u.ID.String(), ShortID: u.ID.Short(), Firstname: u.Firstname, Lastname: u.Lastname}
	}
	return u.JSON()
}

// appendIDs appends the ids as a JSON array.
func appendIDs(b []byte, ids []int64) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return append(b, ']')
}

// appendKey appends a comma and the key of an object member, a name of ours that
// needs no escaping.
func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendTime appends t as a JSON string in RFC 3339 in UTC.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendValue appends the JSON form of v.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	}
	data, err := marshal(v)
	return append(b, data...), err
}

// appendString appends s as a JSON string, escaped as encoding/json does without
// HTML escaping: quotes, backslashes and control characters, U+2028 and U+2029,
// and invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// marshal encodes v without escaping HTML characters.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// itemURL returns the absolute URL of an item.
func (s *Server) itemURL(t *content.Type, id int64) string {
	return s.base() + "/-/" + t.Plural + "/" + strconv.FormatInt(id, 10)
}

// fileJSON is the representation of a file, in an item or as the answer to an
// upload.
type fileJSON struct {
	ID       int64  `json:"id"`
	UUID     string `json:"uuid"`
	Filename string `json:"filename"`
	MimeType string `json:"mimetype"`
	Size     int64  `json:"size"`
	// URL is where the file is downloaded: BASE/-/UUID~.
	URL string `json:"url"`
}

// fileJSON returns the representation of f.
func (s *Server) fileJSON(f *backrest.File) fileJSON {
	return fileJSON{ID: f.ID, UUID: f.UUID, Filename: f.Filename, MimeType: f.MimeType, Size: f.Size, URL: s.fileURL(f)}
}

// fileURL returns the absolute URL at which f is downloaded.
func (s *Server) fileURL(f *backrest.File) string {
	return s.base() + "/-/" + f.UUID + "~"
}

// base returns the public URL of the server, without a trailing slash.
func (s *Server) base() string { return strings.TrimSuffix(s.cfg.BaseURL, "/") }
