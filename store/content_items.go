package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ContentRow is a content item as stored: the common fields, and the values of
// the own fields in the order of the table's columns.
type ContentRow struct {
	ID                 int64
	Owner              string
	Title, Description string
	Created, Modified  time.Time
	// Values are the own fields' values, nil for NULL, else as the column types
	// read back (see ColumnType).
	Values []any
	// Categories are the item's category titles, sorted; nil when the type has
	// none.
	Categories []string
}

// InsertContent inserts the common fields of a new item of the type and returns
// its id. The item is complete once InsertContentFields has inserted its own
// fields, in the same transaction.
func InsertContent(ctx context.Context, tx *Tx, typeName, owner, title, description string, created time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, "INSERT INTO content (type, owner, title, description, created, modified) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		typeName, owner, title, description, micros(created), micros(created)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("content: insert: %w", err)
	}
	return id, nil
}

// InsertContentFields inserts the own fields of the new item id, values in the
// order of t's columns.
func InsertContentFields(ctx context.Context, tx *Tx, t *ContentTable, id int64, created time.Time, values []any) error {
	cols, lists := t.split(values)
	if _, err := tx.Exec(ctx, t.insertFields, append([]any{id, micros(created)}, cols...)...); err != nil {
		return fmt.Errorf("content: insert %s: %w", t.Name, err)
	}
	return writeLists(ctx, tx, t, id, lists, false)
}

// split parts values, in the order of t's columns, into those of the table's
// columns and those of its lists (by index in Columns).
func (t *ContentTable) split(values []any) (cols []any, lists map[int][]int64) {
	cols = make([]any, 0, len(values))
	for i, c := range t.Columns {
		if !c.List {
			cols = append(cols, values[i])
			continue
		}
		if lists == nil {
			lists = map[int][]int64{}
		}
		ids, _ := values[i].([]int64)
		lists[i] = ids
	}
	return cols, lists
}

// writeLists writes the join rows of the item's lists, replacing those it had
// unless it is new.
func writeLists(ctx context.Context, tx *Tx, t *ContentTable, id int64, lists map[int][]int64, replace bool) error {
	for i, ids := range lists {
		rt := relationTable(t.Name, t.Columns[i].Field)
		if replace {
			if _, err := tx.Exec(ctx, "DELETE FROM "+rt+" WHERE item = ?", id); err != nil {
				return fmt.Errorf("content: update %s: %w", rt, err)
			}
		}
		for pos, target := range ids {
			if _, err := tx.Exec(ctx, "INSERT INTO "+rt+" (item, position, target) VALUES (?, ?, ?)", id, pos, target); err != nil {
				return fmt.Errorf("content: insert %s: %w", rt, err)
			}
		}
	}
	return nil
}

// UpdateContent writes the common fields of the item id.
func UpdateContent(ctx context.Context, tx *Tx, id int64, title, description string, modified time.Time) error {
	_, err := tx.Exec(ctx, "UPDATE content SET title = ?, description = ?, modified = ? WHERE id = ?",
		title, description, micros(modified), id)
	if err != nil {
		return fmt.Errorf("content: update %d: %w", id, err)
	}
	return nil
}

// UpdateContentFields writes the own fields of the item id, values in the order
// of t's columns.
func UpdateContentFields(ctx context.Context, tx *Tx, t *ContentTable, id int64, values []any) error {
	cols, lists := t.split(values)
	if len(cols) > 0 {
		if _, err := tx.Exec(ctx, t.updateFields, append(cols, id)...); err != nil {
			return fmt.Errorf("content: update %s: %w", t.Name, err)
		}
	}
	return writeLists(ctx, tx, t, id, lists, true)
}

// ItemRef is the type and owner of an item.
type ItemRef struct {
	Type, Owner string
}

// ContentRefs returns the type and owner of each of the items with the ids that
// exists, of any type.
func ContentRefs(ctx context.Context, r Reader, ids []int64) (map[int64]ItemRef, error) {
	out := make(map[int64]ItemRef, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := r.Query(ctx, "SELECT id, type, owner FROM content WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("content: read items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ref ItemRef
		if err := rows.Scan(&id, &ref.Type, &ref.Owner); err != nil {
			return nil, fmt.Errorf("content: read items: %w", err)
		}
		out[id] = ref
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: read items: %w", err)
	}
	return out, nil
}

// Referrers returns the ids of the items of t whose relation field holds the
// item target (an int64), or whose user field holds the user target (the id's
// string), in ascending order.
func Referrers(ctx context.Context, r Reader, t *ContentTable, field string, target any) ([]int64, error) {
	q := "SELECT id FROM " + t.table + " WHERE " + contentColumn(field) + " = ? ORDER BY id"
	if t.isList(field) {
		q = "SELECT DISTINCT item FROM " + relationTable(t.Name, field) + " WHERE target = ? ORDER BY item"
	}
	rows, err := r.Query(ctx, q, target)
	if err != nil {
		return nil, fmt.Errorf("content: referrers of %v in %s.%s: %w", target, t.Name, field, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("content: referrers of %v: %w", target, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ClearReferences removes the item target from the relation field of the items
// of t: a relation to one item becomes NULL, a list loses it. Given a user's id
// (its string), it clears the user field that holds that user.
func ClearReferences(ctx context.Context, tx *Tx, t *ContentTable, field string, target any) error {
	q := "UPDATE " + t.table + " SET " + contentColumn(field) + " = NULL WHERE " + contentColumn(field) + " = ?"
	if t.isList(field) {
		q = "DELETE FROM " + relationTable(t.Name, field) + " WHERE target = ?"
	}
	if _, err := tx.Exec(ctx, q, target); err != nil {
		return fmt.Errorf("content: clear references to %v in %s.%s: %w", target, t.Name, field, err)
	}
	return nil
}

// isList reports whether the field of t is a list.
func (t *ContentTable) isList(field string) bool {
	for _, c := range t.Columns {
		if c.Field == field {
			return c.List
		}
	}
	return false
}

// int64Args returns ids as query arguments.
func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// LockContent locks the row of the item id of t for the rest of tx (so that
// changes to one item queue) and reads the item; it returns nil when there is no
// such item of the type.
func LockContent(ctx context.Context, tx *Tx, t *ContentTable, id int64) (*ContentRow, error) {
	var owner string
	err := tx.QueryRow(ctx, "UPDATE content SET modified = modified WHERE id = ? AND type = ? RETURNING owner", id, t.Name).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("content: lock item %d: %w", id, err)
	}
	return ContentByID(ctx, tx, t, id)
}

// DeleteContent deletes the item id, its own fields and categories with it.
func DeleteContent(ctx context.Context, tx *Tx, id int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM content WHERE id = ?", id); err != nil {
		return fmt.Errorf("content: delete %d: %w", id, err)
	}
	return nil
}

// ContentOwner returns the type and owner of the item id, of any type; ok is
// false when there is no such item.
func ContentOwner(ctx context.Context, r Reader, id int64) (typeName, owner string, ok bool, err error) {
	err = r.QueryRow(ctx, "SELECT type, owner FROM content WHERE id = ?", id).Scan(&typeName, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("content: read item %d: %w", id, err)
	}
	return typeName, owner, true, nil
}

// ContentByID returns the item id of t, nil when there is no such item.
func ContentByID(ctx context.Context, r Reader, t *ContentTable, id int64) (*ContentRow, error) {
	rows, err := readContent(ctx, r, t, 1, " WHERE c.id = ?", id)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// readContent reads the items of t that the rest of the query (WHERE, ORDER BY,
// LIMIT) selects, with their categories; expect is how many there may be.
func readContent(ctx context.Context, r Reader, t *ContentTable, expect int, rest string, args ...any) ([]ContentRow, error) {
	return readContentSQL(ctx, r, t, expect, t.selectRows+rest, args...)
}

// readContentSQL reads the items of t that the query selects, with their
// categories: a query with the SELECT list t.selectCols, from content c joined
// with t's table t; expect is how many there may be.
func readContentSQL(ctx context.Context, r Reader, t *ContentTable, expect int, query string, args ...any) ([]ContentRow, error) {
	rows, err := r.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	out := make([]ContentRow, 0, expect)
	n := len(t.Columns)
	nc := len(t.columns)
	dest := make([]any, 6+nc)
	vals := make([]sql.Null[any], nc)
	// The rows' values share one array.
	values := make([]any, n*expect)
	for rows.Next() {
		var row ContentRow
		var created, modified int64
		dest[0], dest[1], dest[2], dest[3], dest[4], dest[5] = &row.ID, &row.Owner, &row.Title, &row.Description, &created, &modified
		for i := range vals {
			vals[i] = sql.Null[any]{}
			dest[6+i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("content: read %s: %w", t.Name, err)
		}
		row.Created, row.Modified = fromMicros(created), fromMicros(modified)
		if len(values) < n {
			values = make([]any, n*8)
		}
		row.Values, values = values[:n:n], values[n:]
		j := 0
		for i, c := range t.Columns {
			if c.List {
				continue
			}
			j++
			if !vals[j-1].Valid {
				continue
			}
			v, err := columnValue(c.Type, vals[j-1].V)
			if err != nil {
				return nil, fmt.Errorf("content: item %d, field %s: %w", row.ID, c.Field, err)
			}
			row.Values[i] = v
		}
		if t.Categories {
			row.Categories = []string{}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: read %s: %w", t.Name, err)
	}
	rows.Close()
	if len(t.columns) < n && len(out) > 0 {
		if err := readLists(ctx, r, t, out); err != nil {
			return nil, err
		}
	}
	if t.Categories && len(out) > 0 {
		if err := readCategories(ctx, r, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readLists reads the lists of the items of t, one query a list.
func readLists(ctx context.Context, r Reader, t *ContentTable, items []ContentRow) error {
	byID := make(map[int64]*ContentRow, len(items))
	args := make([]any, len(items))
	for i := range items {
		byID[items[i].ID] = &items[i]
		args[i] = items[i].ID
	}
	for i, c := range t.Columns {
		if !c.List {
			continue
		}
		for j := range items {
			items[j].Values[i] = []int64{}
		}
		rt := relationTable(t.Name, c.Field)
		rows, err := r.Query(ctx, "SELECT item, target FROM "+rt+" WHERE item IN ("+placeholders(len(items))+") ORDER BY item, position", args...)
		if err != nil {
			return fmt.Errorf("content: read %s: %w", rt, err)
		}
		for rows.Next() {
			var id, target int64
			if err := rows.Scan(&id, &target); err != nil {
				rows.Close()
				return fmt.Errorf("content: read %s: %w", rt, err)
			}
			row := byID[id]
			row.Values[i] = append(row.Values[i].([]int64), target)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("content: read %s: %w", rt, err)
		}
	}
	return nil
}

// columnValue converts a column's value, as the driver returns it, to the form of
// the column type: string, int64 or float64. A value already in that form is
// returned as it is, without boxing it again.
func columnValue(typ ColumnType, v any) (any, error) {
	switch typ {
	case TextColumn:
		switch x := v.(type) {
		case string:
			return v, nil
		case []byte:
			return string(x), nil
		}
	case BigintColumn, SmallintColumn:
		switch x := v.(type) {
		case int64:
			return v, nil
		case int32:
			return int64(x), nil
		case int16:
			return int64(x), nil
		}
	case DoubleColumn:
		switch x := v.(type) {
		case float64:
			return v, nil
		case int64:
			return float64(x), nil
		}
	}
	return nil, fmt.Errorf("unexpected stored value of Go type %T", v)
}

// readCategories reads the categories of the items.
func readCategories(ctx context.Context, r Reader, items []ContentRow) error {
	byID := make(map[int64]*ContentRow, len(items))
	args := make([]any, len(items))
	for i := range items {
		byID[items[i].ID] = &items[i]
		args[i] = items[i].ID
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
	for i := range items {
		slices.Sort(items[i].Categories)
	}
	return nil
}

// SetContentCategories replaces the categories of the item id by titles,
// creating the titles not used before.
func SetContentCategories(ctx context.Context, tx *Tx, id int64, titles []string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM content_categories WHERE content_id = ?", id); err != nil {
		return fmt.Errorf("content: categories of %d: %w", id, err)
	}
	for _, title := range titles {
		if _, err := tx.Exec(ctx, "INSERT INTO categories (title) VALUES (?) ON CONFLICT (title) DO NOTHING", title); err != nil {
			return fmt.Errorf("content: category %q: %w", title, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO content_categories (content_id, category_id) SELECT ?, id FROM categories WHERE title = ?", id, title); err != nil {
			return fmt.Errorf("content: category %q of %d: %w", title, id, err)
		}
	}
	return nil
}

// SyncCategoryGroups records the category groups: the titles declared in a group
// are created or moved to it; titles no longer in any group leave theirs.
func SyncCategoryGroups(ctx context.Context, db *DB, groups map[string][]string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var declared []any
		for g, titles := range groups {
			for _, title := range titles {
				title = strings.TrimSpace(title)
				if _, err := tx.Exec(ctx, "INSERT INTO categories (title, grp) VALUES (?, ?) ON CONFLICT (title) DO UPDATE SET grp = excluded.grp", title, g); err != nil {
					return fmt.Errorf("content: category %q: %w", title, err)
				}
				declared = append(declared, title)
			}
		}
		q := "UPDATE categories SET grp = '' WHERE grp <> ''"
		if len(declared) > 0 {
			q += " AND title NOT IN (" + placeholders(len(declared)) + ")"
		}
		if _, err := tx.Exec(ctx, q, declared...); err != nil {
			return fmt.Errorf("content: category groups: %w", err)
		}
		return nil
	})
}

// Category is a category title with its group, "" for none.
type Category struct {
	Title string
	Group string
}

// CategoryScope says whose items' categories a caller sees: those of every item
// of the types AllOf, and those of the items of Owner among the types OwnOf.
type CategoryScope struct {
	AllOf []string
	OwnOf []string
	Owner string
}

// Categories returns the categories of a group and those that some item within
// scope has, in no particular order.
func Categories(ctx context.Context, r Reader, scope CategoryScope) ([]Category, error) {
	var conds []string
	var args []any
	if len(scope.AllOf) > 0 {
		conds = append(conds, "c.type IN ("+placeholders(len(scope.AllOf))+")")
		args = append(args, stringArgs(scope.AllOf)...)
	}
	if len(scope.OwnOf) > 0 {
		conds = append(conds, "(c.owner = ? AND c.type IN ("+placeholders(len(scope.OwnOf))+"))")
		args = append(append(args, scope.Owner), stringArgs(scope.OwnOf)...)
	}
	q := "SELECT title, grp FROM categories k WHERE grp <> ''"
	if len(conds) > 0 {
		q += " OR EXISTS (SELECT 1 FROM content_categories cc JOIN content c ON c.id = cc.content_id WHERE cc.category_id = k.id AND (" +
			strings.Join(conds, " OR ") + "))"
	}
	rows, err := r.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("content: categories: %w", err)
	}
	defer rows.Close()
	out := []Category{}
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Title, &c.Group); err != nil {
			return nil, fmt.Errorf("content: categories: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: categories: %w", err)
	}
	return out, nil
}

// ContentByIDs returns the items of t with the ids, in no particular order;
// ids of no item of t are left out.
func ContentByIDs(ctx context.Context, r Reader, t *ContentTable, ids []int64) ([]ContentRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return readContent(ctx, r, t, len(ids), " WHERE c.id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
}

// HeldBy returns, for each of the targets, the ids of the items of t whose
// relation field holds it: the newest first, at most limit of them, and only
// those of owner unless owner is "". It reads them in one query.
func HeldBy(ctx context.Context, r Reader, t *ContentTable, field string, targets []int64, limit int, owner string) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(targets))
	if len(targets) == 0 {
		return out, nil
	}
	var inner string
	if t.isList(field) {
		inner = "SELECT h.target AS target, h.item AS id, ROW_NUMBER() OVER (PARTITION BY h.target ORDER BY c.created DESC, c.id DESC) AS n FROM " +
			relationTable(t.Name, field) + " h JOIN content c ON c.id = h.item WHERE h.target IN (" + placeholders(len(targets)) + ")"
	} else {
		col := "t." + contentColumn(field)
		inner = "SELECT " + col + " AS target, t.id AS id, ROW_NUMBER() OVER (PARTITION BY " + col + " ORDER BY t.created DESC, t.id DESC) AS n FROM " +
			t.table + " t JOIN content c ON c.id = t.id WHERE " + col + " IN (" + placeholders(len(targets)) + ")"
	}
	args := int64Args(targets)
	if owner != "" {
		inner += " AND c.owner = ?"
		args = append(args, owner)
	}
	rows, err := r.Query(ctx, "SELECT target, id FROM ("+inner+") x WHERE n <= ? ORDER BY target, n", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("content: items holding others in %s.%s: %w", t.Name, field, err)
	}
	defer rows.Close()
	for rows.Next() {
		var target, id int64
		if err := rows.Scan(&target, &id); err != nil {
			return nil, fmt.Errorf("content: items holding others in %s.%s: %w", t.Name, field, err)
		}
		out[target] = append(out[target], id)
	}
	return out, rows.Err()
}
