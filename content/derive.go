package content

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/backrest/backrest"
)

// FieldsOf derives the fields of a content type from the exported fields of a Go
// struct (or pointer to one), in their order. A field's name is its json tag's
// name, else its Go name in snake_case; a json tag "-" skips it. Its kind follows
// its Go type: string is string, integers are integer, floats number, bool
// boolean, time.Time datetime, *backrest.File file, and maps, slices, other structs,
// interfaces and json.RawMessage json. The tag backrest holds the constraints,
// comma-separated: required, text (a string stored as text), min=N, max=N,
// max_length=N, pattern=RE (last, as it may contain commas) and enum=A|B|C.
//
//	type Foo struct {
//		Size  int64  `json:"size" backrest:"required,min=0"`
//		Color string `json:"color" backrest:"enum=red|green|blue"`
//	}
func FieldsOf(v any) ([]Field, error) {
	rt := reflect.TypeOf(v)
	for rt != nil && rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if rt == nil || rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("content: FieldsOf wants a struct, not %T", v)
	}
	var fields []Field
	for i := range rt.NumField() {
		sf := rt.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = snakeCase(sf.Name)
		}
		f := Field{Name: name, Kind: kindOf(sf.Type)}
		if err := f.parseTag(sf.Tag.Get("backrest")); err != nil {
			return nil, fmt.Errorf("content: field %s: %w", sf.Name, err)
		}
		fields = append(fields, f)
	}
	return fields, nil
}

var (
	timeType = reflect.TypeFor[time.Time]()
	fileType = reflect.TypeFor[*backrest.File]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// kindOf returns the kind of fields of the Go type.
func kindOf(t reflect.Type) Kind {
	switch t {
	case timeType, reflect.PointerTo(timeType):
		return DateTime
	case fileType:
		return FileKind
	case rawType:
		return JSON
	}
	if t.Kind() == reflect.Pointer {
		return kindOf(t.Elem())
	}
	switch t.Kind() {
	case reflect.String:
		return String
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Integer
	case reflect.Float32, reflect.Float64:
		return Number
	case reflect.Bool:
		return Boolean
	}
	return JSON
}

// parseTag applies the constraints of a backrest tag.
func (f *Field) parseTag(tag string) error {
	for tag != "" {
		var item string
		if strings.HasPrefix(tag, "pattern=") {
			item, tag = tag, ""
		} else {
			item, tag, _ = strings.Cut(tag, ",")
		}
		key, val, _ := strings.Cut(strings.TrimSpace(item), "=")
		number := func() (*float64, error) {
			x, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			return &x, nil
		}
		var err error
		switch key {
		case "":
		case "required":
			f.Required = true
		case "text":
			if f.Kind != String {
				return fmt.Errorf("text applies to strings")
			}
			f.Kind = Text
		case "min":
			f.Min, err = number()
		case "max":
			f.Max, err = number()
		case "max_length":
			f.MaxLength, err = strconv.Atoi(val)
		case "pattern":
			f.Pattern = val
		case "enum":
			for _, e := range strings.Split(val, "|") {
				if f.Kind == String {
					f.Enum = append(f.Enum, e)
					continue
				}
				x, perr := strconv.ParseFloat(e, 64)
				if perr != nil {
					return fmt.Errorf("enum value %q: %w", e, perr)
				}
				f.Enum = append(f.Enum, x)
			}
		default:
			return fmt.Errorf("unknown constraint %q", key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// snakeCase turns a Go name such as PublishedAt or HTMLBody into published_at or
// html_body.
func snakeCase(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(runes[i-1]) || (i+1 < len(runes) && unicode.IsLower(runes[i+1]))) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
