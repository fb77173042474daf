package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Schema is the content of a schema file (BACKREST_SCHEMA): the content types of
// the app and the named groups of its categories.
type Schema struct {
	// Types are the content types.
	Types []Type `json:"types"`
	// CategoryGroups maps a group name to the category titles in it. Items may also
	// use titles of no group.
	CategoryGroups map[string][]string `json:"category_groups,omitempty"`
}

// LoadSchema reads and checks a schema file.
func LoadSchema(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("content: schema: %w", err)
	}
	s, err := ParseSchema(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseSchema decodes and checks a schema. Unknown keys are errors, so that a
// misspelt setting does not go unnoticed. The error lists every problem found, each
// with its type and field.
func ParseSchema(data []byte) (*Schema, error) {
	var s Schema
	if err := decodeStrict(data, &s); err != nil {
		return nil, decodeProblems(data, err)
	}
	if err := errors.Join(checkTypes(s.Types), checkGroups(s.CategoryGroups)); err != nil {
		return nil, err
	}
	return &s, nil
}

// decodeStrict decodes the JSON value data into v, refusing unknown keys and data
// after the value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// decodeProblems explains err, the failure to decode the schema data: it decodes
// each type, and each field of a type that fails, on its own to name them, and
// checks the types that decode, so that every problem is told at once.
func decodeProblems(data []byte, err error) error {
	var loose struct {
		Types []json.RawMessage `json:"types"`
	}
	if json.Unmarshal(data, &loose) != nil {
		return fmt.Errorf("content: schema: %w", err)
	}
	var errs []error
	var good []Type
	for i, raw := range loose.Types {
		var t Type
		if terr := decodeStrict(raw, &t); terr != nil {
			errs = append(errs, typeProblems(i, raw, terr))
			continue
		}
		good = append(good, t)
	}
	if len(errs) == 0 {
		return fmt.Errorf("content: schema: %w", err)
	}
	return errors.Join(append(errs, checkTypes(good))...)
}

// typeProblems explains err, the failure to decode the type number i (from 0),
// naming the type and each field at fault.
func typeProblems(i int, raw json.RawMessage, err error) error {
	var loose struct {
		Name   any               `json:"name"`
		Fields []json.RawMessage `json:"fields"`
	}
	_ = json.Unmarshal(raw, &loose)
	typ := describe("content type", loose.Name, i)
	var errs []error
	for j, f := range loose.Fields {
		if ferr := decodeStrict(f, new(Field)); ferr != nil {
			var field struct {
				Name any `json:"name"`
			}
			_ = json.Unmarshal(f, &field)
			errs = append(errs, fmt.Errorf("%s: %s: %w", typ, describe("field", field.Name, j), ferr))
		}
	}
	if len(errs) == 0 {
		return fmt.Errorf("%s: %w", typ, err)
	}
	return errors.Join(errs...)
}

// describe names a type or field by its name, or by its place (from 0) when it has
// no name that is a string.
func describe(what string, name any, i int) string {
	if s, ok := name.(string); ok && s != "" {
		return fmt.Sprintf("%s %q", what, s)
	}
	return fmt.Sprintf("%s number %d", what, i+1)
}

// checkTypes prepares each type and checks that names and plurals are unique.
func checkTypes(types []Type) error {
	var errs []error
	names, plurals := map[string]bool{}, map[string]bool{}
	for i := range types {
		t := &types[i]
		if err := t.prepare(); err != nil {
			errs = append(errs, err)
			continue
		}
		if names[t.Name] {
			errs = append(errs, fmt.Errorf("content type %q: declared twice", t.Name))
		}
		if plurals[t.Plural] {
			errs = append(errs, fmt.Errorf("content type %q: another type has the plural %q", t.Name, t.Plural))
		}
		names[t.Name], plurals[t.Plural] = true, true
	}
	return errors.Join(errs...)
}

// checkGroups checks the category groups: each title in one group at most.
func checkGroups(groups map[string][]string) error {
	var errs []error
	seen := map[string]string{}
	for g, titles := range groups {
		if strings.TrimSpace(g) == "" || len(g) > 100 {
			errs = append(errs, fmt.Errorf("category group %q: want a name of 1 to 100 characters", g))
		}
		for _, title := range titles {
			if err := checkCategory(title); err != "" {
				errs = append(errs, fmt.Errorf("category group %q: %q: %s", g, title, err))
			} else if title != strings.TrimSpace(title) {
				errs = append(errs, fmt.Errorf("category group %q: %q: titles have no leading or trailing spaces", g, title))
			}
			if other, dup := seen[title]; dup {
				errs = append(errs, fmt.Errorf("category %q is in groups %q and %q: titles are unique", title, other, g))
			}
			seen[title] = g
		}
	}
	return errors.Join(errs...)
}

// checkRelations resolves the targets of the relation fields of the types and
// refuses cascades that form a cycle, which would delete an item because it was
// deleted. Each problem names its types and fields.
func checkRelations(types []*Type) error {
	byName := make(map[string]*Type, len(types))
	for _, t := range types {
		byName[t.Name] = t
	}
	var errs []error
	// cascades maps a type to the relation fields that cascade its deletions.
	cascades := map[string][]string{}
	for _, t := range types {
		for i := range t.Fields {
			f := &t.Fields[i]
			if f.Kind != Relation {
				continue
			}
			if f.target = byName[f.Target]; f.target == nil {
				errs = append(errs, fmt.Errorf("content type %q: field %q: target %q: no such content type", t.Name, f.Name, f.Target))
				continue
			}
			if f.OnDelete == Cascade {
				cascades[f.Target] = append(cascades[f.Target], t.Name+"."+f.Name)
			}
		}
	}
	// A depth-first search from each type finds the cycles through it.
	reported := map[string]bool{}
	var path []string
	var visit func(typ, start string, seen map[string]bool)
	visit = func(typ, start string, seen map[string]bool) {
		for _, edge := range cascades[typ] {
			next, _, _ := strings.Cut(edge, ".")
			path = append(path, edge)
			if next == start {
				if !reported[start] {
					for _, p := range path {
						n, _, _ := strings.Cut(p, ".")
						reported[n] = true
					}
					errs = append(errs, fmt.Errorf("content types: on_delete cascade forms a cycle: deleting an item of type %s cascades through %s back to type %s", start, strings.Join(path, ", "), start))
				}
			} else if !seen[next] {
				seen[next] = true
				visit(next, start, seen)
			}
			path = path[:len(path)-1]
		}
	}
	for _, t := range types {
		visit(t.Name, t.Name, map[string]bool{t.Name: true})
	}
	return errors.Join(errs...)
}
