package http

import (
	"fmt"

	"github.com/backrest/backrest/content"
)

// The JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses) of a type's items, for the
// OpenAPI document. They are derived from the same definitions that validation
// uses. File fields refer to the schemas "#/components/schemas/File" (a file in a
// representation) and "#/components/schemas/FileInput" (a file posted).

// fieldSchema returns the schema of a field's values; input selects the form sent
// by clients rather than the one in representations.
func fieldSchema(f *content.Field, input bool) map[string]any {
	s := map[string]any{}
	var typ string
	switch f.Kind {
	case content.String, content.Text:
		typ = "string"
		if n := f.LengthLimit(); n > 0 {
			s["maxLength"] = n
		}
		if f.Pattern != "" {
			s["pattern"] = f.Pattern
		}
		if input && f.Required {
			s["minLength"] = 1
		}
	case content.Integer, content.Number:
		typ = string(f.Kind)
		if f.Min != nil {
			s["minimum"] = *f.Min
		}
		if f.Max != nil {
			s["maximum"] = *f.Max
		}
	case content.Boolean:
		typ = "boolean"
	case content.DateTime:
		typ = "string"
		s["format"] = "date-time"
	case content.JSON:
		s["description"] = "Any JSON value"
	case content.User:
		typ = "string"
		s["pattern"] = "^[0-9a-f]{32}$"
		s["description"] = "The id of a user"
	case content.Relation:
		id := map[string]any{"type": "integer", "minimum": 1}
		if !f.Multiple {
			typ = "integer"
			s["minimum"] = 1
			s["description"] = "The id of a " + f.Target
			break
		}
		s["type"], s["items"], s["uniqueItems"] = "array", id, true
		s["description"] = "The ids of " + f.Target + " items, in order"
		if n := f.MinItems; n > 0 || f.Required {
			s["minItems"] = max(n, 1)
		}
		if f.MaxItems > 0 {
			s["maxItems"] = f.MaxItems
		}
	case content.FileKind:
		ref := "#/components/schemas/File"
		if input {
			ref = "#/components/schemas/FileInput"
		}
		if f.Required {
			s["$ref"] = ref
		} else {
			s["oneOf"] = []any{map[string]any{"$ref": ref}, map[string]any{"type": "null"}}
		}
	}
	if len(f.Enum) > 0 {
		enum := append([]any{}, f.Enum...)
		if !f.Required {
			enum = append(enum, nil)
		}
		s["enum"] = enum
	}
	if typ != "" {
		if f.Required {
			s["type"] = typ
		} else {
			s["type"] = []string{typ, "null"}
		}
	}
	if f.Description != "" {
		s["description"] = f.Description
	}
	return s
}

// itemSchema returns the JSON Schema of the representations of t's items; they
// refer to "#/components/schemas/Meta" for __meta__, with, when t has relations
// (its own, or back-relations to it), the related items that ?expand embeds.
func itemSchema(t *content.Type, back []content.BackRelation) map[string]any {
	props := map[string]any{
		"id":                map[string]any{"type": "integer", "description": "Unique across all content"},
		"type":              map[string]any{"const": t.Name},
		"owner":             map[string]any{"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "The id of the user who created the item"},
		"title":             map[string]any{"type": "string"},
		"description":       map[string]any{"type": "string"},
		"creation_date":     map[string]any{"type": "string", "format": "date-time"},
		"modification_date": map[string]any{"type": "string", "format": "date-time"},
		"__meta__":          map[string]any{"$ref": "#/components/schemas/Meta"},
	}
	required := []string{"id", "type", "owner", "title", "description", "creation_date", "modification_date"}
	for i := range t.Fields {
		f := &t.Fields[i]
		props[f.Name] = fieldSchema(f, false)
		required = append(required, f.Name)
	}
	if t.Categories {
		props["categories"] = categoriesSchema()
		required = append(required, "categories")
	}
	required = append(required, "__meta__")
	expand := map[string]any{}
	for i := range t.Fields {
		f := &t.Fields[i]
		if f.Kind == content.User {
			expand[f.Name] = map[string]any{"oneOf": []any{embeddedUserSchema(), map[string]any{"type": "null"}},
				"description": "The user of " + f.Name + ", null when unset; email and roles only for the user and admins"}
		}
		if f.Kind != content.Relation {
			continue
		}
		target := map[string]any{"$ref": "#/components/schemas/" + schemaName(f.Target)}
		if f.Multiple {
			expand[f.Name] = map[string]any{"type": "array", "items": target, "description": "The " + f.Target + " items of " + f.Name + " that the caller may view, in order"}
		} else {
			expand[f.Name] = map[string]any{"oneOf": []any{target, map[string]any{"type": "null"}},
				"description": "The " + f.Target + " of " + f.Name + ", null when unset or when the caller may not view it"}
		}
	}
	for _, b := range back {
		expand[b.Key()] = map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/" + schemaName(b.Type.Name)},
			"maxItems": content.MaxHeldItems, "description": "The newest " + b.Type.Plural + " whose " + b.Field.Name + " holds this " + t.Name + " and that the caller may view"}
	}
	if len(expand) > 0 {
		props["__meta__"] = map[string]any{"allOf": []any{map[string]any{"$ref": "#/components/schemas/Meta"}, map[string]any{"properties": map[string]any{
			"expand": map[string]any{"type": "object", "properties": expand, "additionalProperties": false,
				"description": "The related items that ?expand= asks for, by relation; nested expansions are in their own __meta__"},
		}}}}
	}
	s := map[string]any{"type": "object", "properties": props, "required": required}
	if t.Description != "" {
		s["description"] = t.Description
	}
	return s
}

// inputSchema returns the JSON Schema of the bodies that create (create true) or
// update items of t. Other keys are allowed and ignored.
func inputSchema(t *content.Type, create bool) map[string]any {
	props := map[string]any{
		"title":       map[string]any{"type": "string", "minLength": 1, "maxLength": content.TitleMaxLength},
		"description": map[string]any{"type": []string{"string", "null"}},
	}
	var required []string
	if create {
		required = append(required, "title")
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		props[f.Name] = fieldSchema(f, true)
		if create && f.Required {
			required = append(required, f.Name)
		}
	}
	if t.Categories {
		props["categories"] = map[string]any{"oneOf": []any{categoriesSchema(), map[string]any{"type": "null"}}}
	}
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// categoriesSchema is the schema of an item's categories.
func categoriesSchema() map[string]any {
	return map[string]any{"type": "array", "maxItems": content.MaxCategories, "uniqueItems": true,
		"items": map[string]any{"type": "string", "minLength": 1, "maxLength": content.CategoryMaxLength}}
}

// queryParameters describes the query parameters of a listing of t: name, JSON
// Schema and description of each.
func queryParameters(t *content.Type) []queryParameter {
	ps := []queryParameter{
		{"limit", map[string]any{"type": "integer", "minimum": 1, "maximum": content.MaxLimit, "default": content.DefaultLimit}, "Page size"},
		{"offset", map[string]any{"type": "integer", "minimum": 0, "default": 0}, "Number of items skipped; not with cursor. Follow the Link header rather than setting it"},
		{"cursor", map[string]any{"type": "string"}, "Where the page starts: the cursor of the Link header of the page before, valid with the same filters, search and sort"},
		{"total", map[string]any{"type": "boolean", "default": true}, "false: no X-Total-Count, nothing counted"},
		{"q", map[string]any{"type": "string", "minLength": 1}, fmt.Sprintf("Search: only the items whose title, description, string or text fields hold every word "+
			"(at most %d, of at most %d characters), as a part of a word or more, regardless of case and accents", content.MaxSearchWords, content.MaxSearchWordLength)},
		{"sort", map[string]any{"type": "string", "enum": sortValues(t.SortFields())}, "Field to sort by, - for descending; default -creation_date"},
		{"owner", map[string]any{"type": "string"}, "Only the items of this user"},
		expandParameter,
	}
	if t.Categories {
		ps = append(ps, queryParameter{"category", map[string]any{"type": "string"}, "Only the items with this category; repeat for any of several"})
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		if !f.Kind.Indexed() {
			continue
		}
		s := filterSchema(f)
		desc := "Only the items whose " + f.Name + " equals this; repeat for any of several"
		if f.Multiple {
			desc = "Only the items whose " + f.Name + " lists this item; repeat for any of several"
		}
		ps = append(ps, queryParameter{f.Name, s, desc})
	}
	ranged := []queryParameter{}
	for _, name := range []string{"creation_date", "modification_date"} {
		ranged = append(ranged, queryParameter{name, map[string]any{"type": "string", "format": "date-time"}, ""})
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		if f.Kind == content.Integer || f.Kind == content.Number || f.Kind == content.DateTime {
			ranged = append(ranged, queryParameter{f.Name, filterSchema(f), ""})
		}
	}
	for _, r := range ranged {
		for _, op := range []struct{ suffix, says string }{{"gt", "greater than"}, {"gte", "at least"}, {"lt", "less than"}, {"lte", "at most"}} {
			ps = append(ps, queryParameter{r.Name + "." + op.suffix, r.Schema, "Only the items whose " + r.Name + " is set and " + op.says + " this"})
		}
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		target := f.TargetType()
		if target == nil {
			continue
		}
		for j := range target.Fields {
			sf := &target.Fields[j]
			if !sf.Sortable() {
				continue
			}
			ps = append(ps, queryParameter{f.Name + "." + sf.Name, filterSchema(sf), "Only the items whose " + f.Name + " holds " + article(target.Name) +
				" (that the caller may view) whose " + sf.Name + " equals this; repeat for any of several"})
		}
	}
	return ps
}

// embeddedUserSchema is the schema of a user embedded by ?expand: its public
// part, and its e-mail address and roles when the caller is the user or an admin.
func embeddedUserSchema() map[string]any {
	str := map[string]any{"type": "string"}
	return map[string]any{"type": "object",
		"properties": map[string]any{"id": map[string]any{"type": "string", "pattern": "^[0-9a-f]{32}$"}, "short_id": str,
			"firstname": str, "lastname": str, "email": str, "roles": map[string]any{"type": "array", "items": str}},
		"required": []string{"id", "short_id", "firstname", "lastname"}}
}

// filterSchema returns the schema of the values of an equality filter on the
// field, as a query string gives them.
func filterSchema(f *content.Field) map[string]any {
	switch f.Kind {
	case content.Boolean:
		return map[string]any{"type": "string", "enum": []any{"true", "false", "1", "0"}}
	case content.Relation:
		return map[string]any{"type": "integer", "minimum": 1}
	case content.User:
		return map[string]any{"type": "string", "pattern": "^[0-9a-f]{32}$"}
	}
	s := fieldSchema(f, true)
	delete(s, "minLength")
	if typ, ok := s["type"].([]string); ok {
		s["type"] = typ[0]
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 && enum[len(enum)-1] == nil {
		s["enum"] = enum[:len(enum)-1]
	}
	return s
}

// expandParameter is the expand parameter of reads and listings.
var expandParameter = queryParameter{"expand", map[string]any{"type": "string"},
	"Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, " +
		"and paths of them joined by . (at most 3 steps)"}

// queryParameter is a query parameter of listings.
type queryParameter struct {
	Name        string
	Schema      map[string]any
	Description string
}

// sortValues returns the values of ?sort= for the fields.
func sortValues(fields []string) []any {
	out := make([]any, 0, 2*len(fields))
	for _, f := range fields {
		out = append(out, f, "-"+f)
	}
	return out
}
