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
// misspelt setting does not go unnoticed.
func ParseSchema(data []byte) (*Schema, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Schema
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("content: schema: %w", err)
	}
	if dec.More() {
		return nil, errors.New("content: schema: data after the schema object")
	}
	if err := checkTypes(s.Types); err != nil {
		return nil, err
	}
	if err := checkGroups(s.CategoryGroups); err != nil {
		return nil, err
	}
	return &s, nil
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
