package content

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// The conversion of items to and from the rows of package store, which owns
// their tables.

// columnType is the type of the column that stores fields of the kind.
func (k Kind) columnType() store.ColumnType {
	switch k {
	case Integer, DateTime, FileKind, Relation:
		return store.BigintColumn
	case User:
		return store.TextColumn
	case Number:
		return store.DoubleColumn
	case Boolean:
		return store.SmallintColumn
	}
	return store.TextColumn
}

// contentTable returns the description of the storage of t.
func contentTable(t *Type) *store.ContentTable {
	cols := make([]store.ContentColumn, len(t.Fields))
	for i, f := range t.Fields {
		cols[i] = store.ContentColumn{Field: f.Name, Kind: string(f.Kind), Type: f.Kind.columnType(), Indexed: f.Kind.Indexed(),
			Searched: f.Kind == String || f.Kind == Text}
		if f.Kind == Relation {
			// The target is part of the recorded kind: retargeting replaces the
			// column, as a change of type does.
			cols[i].Kind += ":" + f.Target
			cols[i].References, cols[i].List = !f.Multiple, f.Multiple
			cols[i].Indexed = !f.Multiple
		}
		cols[i].RefersToUsers = f.Kind == User
	}
	return store.NewContentTable(t.Name, t.Categories, cols)
}

// searchText returns the search text of item: its title, description and
// string and text fields.
func searchText(item *Item) string {
	texts := []string{item.Title, item.Description}
	for _, f := range item.Type.Fields {
		if f.Kind != String && f.Kind != Text {
			continue
		}
		if s, ok := item.Fields[f.Name].(string); ok {
			texts = append(texts, s)
		}
	}
	return store.SearchText(texts)
}

// fieldValues returns the values of t's own fields in item, in their stored form
// and the order of the table's columns.
func fieldValues(t *Type, item *Item) ([]any, error) {
	args := make([]any, 0, len(t.Fields))
	for i := range t.Fields {
		f := &t.Fields[i]
		v, err := storedValue(f, item.Fields[f.Name])
		if err != nil {
			return nil, fmt.Errorf("content: field %s of %s: %w", f.Name, t.Name, err)
		}
		args = append(args, v)
	}
	return args, nil
}

// storedValue converts the value of a field to its column's form; a relation to
// several items keeps its []int64, which store writes to its join table.
func storedValue(f *Field, v any) (any, error) {
	k := f.Kind
	if v == nil {
		if k == Relation && f.Multiple {
			return []int64{}, nil
		}
		return nil, nil
	}
	switch x := v.(type) {
	case []int64:
		if k == Relation && f.Multiple {
			return x, nil
		}
	case string:
		if k == String || k == Text {
			return x, nil
		}
	case int64:
		if k == Integer || (k == Relation && !f.Multiple) {
			return x, nil
		}
	case int:
		if k == Integer {
			return int64(x), nil
		}
	case float64:
		if k == Number {
			return v, nil
		}
	case bool:
		if k == Boolean {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case time.Time:
		if k == DateTime {
			return x.UnixMicro(), nil
		}
	case json.RawMessage:
		if k == JSON {
			return string(x), nil
		}
	case backrest.UserID:
		if k == User {
			return x.String(), nil
		}
	case *backrest.File:
		if k == FileKind {
			if x == nil {
				return nil, nil
			}
			return x.ID, nil
		}
	}
	return nil, fmt.Errorf("a value of Go type %T does not fit a %s field", v, k)
}

// loadedValue converts a column's value, in the form store reads it back, to the
// Go form of a field of the kind. File fields keep the file's id, for loadFiles.
// A value already in its Go form is returned as it is, without boxing it again.
func loadedValue(k Kind, v any) (any, error) {
	switch x := v.(type) {
	case string:
		switch k {
		case String, Text:
			return v, nil
		case JSON:
			return json.RawMessage(x), nil
		case User:
			if id, ok := backrest.ParseUserID(x); ok {
				return id, nil
			}
		}
	case []int64:
		if k == Relation {
			return v, nil
		}
	case int64:
		switch k {
		case Integer, FileKind, Relation:
			return v, nil
		case DateTime:
			return time.UnixMicro(x).UTC(), nil
		case Boolean:
			return x != 0, nil
		}
	case float64:
		if k == Number {
			return v, nil
		}
	}
	return nil, fmt.Errorf("unexpected stored value of Go type %T", v)
}

// items converts the rows of t to items, with their files.
func (s *Service) items(ctx context.Context, r store.Reader, t *Type, rows []store.ContentRow) ([]*Item, error) {
	items := make([]*Item, len(rows))
	var fileIDs []int64
	for i := range rows {
		row := &rows[i]
		item := &Item{ID: row.ID, Type: t, Title: row.Title, Description: row.Description, Created: row.Created,
			Modified: row.Modified, Fields: make(map[string]any, len(t.Fields)), Categories: row.Categories}
		var ok bool
		if item.Owner, ok = backrest.ParseUserID(row.Owner); !ok {
			return nil, fmt.Errorf("content: item %d: malformed owner %q", row.ID, row.Owner)
		}
		for j, f := range t.Fields {
			if row.Values[j] == nil {
				continue
			}
			v, err := loadedValue(f.Kind, row.Values[j])
			if err != nil {
				return nil, fmt.Errorf("content: item %d, field %s: %w", item.ID, f.Name, err)
			}
			if id, ok := v.(int64); ok && f.Kind == FileKind {
				fileIDs = append(fileIDs, id)
			}
			item.Fields[f.Name] = v
		}
		items[i] = item
	}
	if len(fileIDs) > 0 {
		if err := s.loadFiles(ctx, r, t, items, fileIDs); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// item converts a row of t to an item, nil when row is nil.
func (s *Service) item(ctx context.Context, r store.Reader, t *Type, row *store.ContentRow) (*Item, error) {
	if row == nil {
		return nil, nil
	}
	items, err := s.items(ctx, r, t, []store.ContentRow{*row})
	if err != nil {
		return nil, err
	}
	return items[0], nil
}

// loadFiles replaces the file ids in the file fields of items by the files.
func (s *Service) loadFiles(ctx context.Context, r store.Reader, t *Type, items []*Item, ids []int64) error {
	if s.files == nil {
		return fmt.Errorf("content: type %s holds files, but no file storage is configured", t.Name)
	}
	files, err := s.files.Files(ctx, r, ids)
	if err != nil {
		return fmt.Errorf("content: read files: %w", err)
	}
	for _, item := range items {
		for _, f := range t.Fields {
			if id, ok := item.Fields[f.Name].(int64); ok && f.Kind == FileKind {
				if file := files[id]; file != nil {
					item.Fields[f.Name] = file
				} else {
					delete(item.Fields, f.Name)
				}
			}
		}
	}
	return nil
}
