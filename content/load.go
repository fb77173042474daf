package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// selectItems is the start of the query reading items of t: the common fields from
// content (c), then the own fields from the type's table (t).
func selectItems(t *Type) string {
	var b strings.Builder
	b.WriteString("SELECT c.id, c.owner, c.title, c.description, c.created, c.modified")
	for _, f := range t.Fields {
		b.WriteString(", t.")
		b.WriteString(column(f.Name))
	}
	b.WriteString(" FROM content c JOIN ")
	b.WriteString(table(t.Name))
	b.WriteString(" t ON t.id = c.id")
	return b.String()
}

// load reads the items of t that the rest of the query (WHERE, ORDER BY, LIMIT)
// selects, with their categories and files.
func (s *Service) load(ctx context.Context, r store.Reader, t *Type, where string, args ...any) ([]*Item, error) {
	q := selectItems(t)
	if where != "" {
		q += " WHERE " + where
	}
	rows, err := r.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("content: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	var items []*Item
	var fileIDs []int64
	dest := make([]any, 6+len(t.Fields))
	vals := make([]sql.Null[any], len(t.Fields))
	for rows.Next() {
		item := &Item{Type: t, Fields: make(map[string]any, len(t.Fields))}
		var owner string
		var created, modified int64
		dest[0], dest[1], dest[2], dest[3], dest[4], dest[5] = &item.ID, &owner, &item.Title, &item.Description, &created, &modified
		for i := range vals {
			vals[i] = sql.Null[any]{}
			dest[6+i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("content: read %s: %w", t.Name, err)
		}
		var ok bool
		if item.Owner, ok = backrest.ParseUserID(owner); !ok {
			return nil, fmt.Errorf("content: item %d: malformed owner %q", item.ID, owner)
		}
		item.Created, item.Modified = time.UnixMicro(created).UTC(), time.UnixMicro(modified).UTC()
		for i, f := range t.Fields {
			if !vals[i].Valid {
				continue
			}
			v, err := loadedValue(f.Kind, vals[i].V)
			if err != nil {
				return nil, fmt.Errorf("content: item %d, field %s: %w", item.ID, f.Name, err)
			}
			if id, ok := v.(int64); ok && f.Kind == FileKind {
				fileIDs = append(fileIDs, id)
			}
			item.Fields[f.Name] = v
		}
		if t.Categories {
			item.Categories = []string{}
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: read %s: %w", t.Name, err)
	}
	rows.Close()
	if t.Categories && len(items) > 0 {
		if err := loadCategories(ctx, r, items); err != nil {
			return nil, err
		}
	}
	if len(fileIDs) > 0 {
		if err := s.loadFiles(ctx, r, t, items, fileIDs); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// loadedValue converts a column's value, as the driver returns it, to the Go form of
// a field of the kind.
func loadedValue(k Kind, v any) (any, error) {
	switch k {
	case String, Text:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case JSON:
		switch x := v.(type) {
		case string:
			return json.RawMessage(x), nil
		case []byte:
			return json.RawMessage(x), nil
		}
	case Integer, FileKind, DateTime, Boolean:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case int32:
			n = int64(x)
		case int16:
			n = int64(x)
		default:
			return nil, fmt.Errorf("unexpected stored value of Go type %T", v)
		}
		switch k {
		case DateTime:
			return time.UnixMicro(n).UTC(), nil
		case Boolean:
			return n != 0, nil
		}
		return n, nil
	case Number:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
	}
	return nil, fmt.Errorf("unexpected stored value of Go type %T", v)
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

// placeholders returns n comma-separated placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// loadCategories reads the categories of items.
func loadCategories(ctx context.Context, r store.Reader, items []*Item) error {
	byID := make(map[int64]*Item, len(items))
	args := make([]any, len(items))
	for i, item := range items {
		byID[item.ID] = item
		args[i] = item.ID
	}
	rows, err := r.Query(ctx, "SELECT cc.content_id, k.title FROM content_categories cc JOIN categories k ON k.id = cc.category_id WHERE cc.content_id IN ("+
		placeholders(len(items))+")", args...)
	if err != nil {
		return fmt.Errorf("content: read categories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			return fmt.Errorf("content: read categories: %w", err)
		}
		if item := byID[id]; item != nil {
			item.Categories = append(item.Categories, title)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("content: read categories: %w", err)
	}
	for _, item := range items {
		slices.Sort(item.Categories)
	}
	return nil
}
