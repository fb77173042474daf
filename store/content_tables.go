package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// The storage of content items: the common fields of every item live in the
// table content (created by the migrations), the own fields of each content type
// in a table of the type's own, content__NAME, which SyncContentTables creates and
// alters at start-up from the types' definitions. Categories live in categories
// and content_categories. Package content describes its types to this layer as
// ContentTables and reads and writes items as ContentRows.

// ColumnType is the SQL type of an own field's column; the names are understood
// alike by SQLite and PostgreSQL.
type ColumnType string

// The column types. Values are read back as string (TextColumn), int64
// (BigintColumn, SmallintColumn) or float64 (DoubleColumn).
const (
	TextColumn     ColumnType = "TEXT"
	BigintColumn   ColumnType = "BIGINT"
	DoubleColumn   ColumnType = "DOUBLE PRECISION"
	SmallintColumn ColumnType = "SMALLINT"
)

// ContentColumn is the column of an own field of a content type.
type ContentColumn struct {
	// Field is the field's name.
	Field string
	// Kind is the field's kind as the content layer names it; it is recorded, and a
	// change of kind replaces the column, losing its values.
	Kind string
	// Type is the column's SQL type.
	Type ColumnType
	// Indexed columns get an index serving equality filters and sorting.
	Indexed bool
	// References makes the column a foreign key to content (id): a relation to
	// one item. Package content applies the field's rule before it deletes an
	// item; the key's own action (SET NULL) serves deletions the database makes
	// itself, those of the items of a deleted account.
	References bool
	// List stores the field, an ordered list of item ids, in a join table of its
	// own instead of a column (a relation to several items): the table
	// crel__TYPE__FIELD (item, position, target), with foreign keys to content
	// (a deleted target leaves the list) and an index on target. Its values are
	// []int64.
	List bool
	// RefersToUsers makes the column a foreign key to users (id): a field that
	// holds a user. The key clears it (ON DELETE SET NULL) when the user goes
	// without the field's rule having been applied.
	RefersToUsers bool
	// Searched fields (strings and texts) are part of the item's search text
	// (see SearchText), after its title and description, in the order of the
	// columns.
	Searched bool
}

// ContentTable describes the storage of a content type. Build it with
// NewContentTable: it keeps the statements that read the type's items.
type ContentTable struct {
	// Name is the type's name.
	Name string
	// Columns are the own fields, in their declared order.
	Columns []ContentColumn
	// Categories is true when items of the type have categories.
	Categories bool

	table string
	// selectRows, insertFields and updateFields are the statements that read
	// items, insert and update their own fields.
	selectRows, insertFields, updateFields string
	// selectCols is the SELECT list of selectRows, for reading from other joins.
	selectCols string
	columns    map[string]string // field name -> column
}

// NewContentTable returns the description of the storage of the type name.
func NewContentTable(name string, categories bool, columns []ContentColumn) *ContentTable {
	t := &ContentTable{Name: name, Columns: columns, Categories: categories, table: contentTable(name),
		columns: make(map[string]string, len(columns))}
	var b strings.Builder
	b.WriteString("SELECT c.id, c.owner, c.title, c.description, c.created, c.modified")
	for _, c := range columns {
		if c.List {
			continue
		}
		b.WriteString(", t.")
		b.WriteString(contentColumn(c.Field))
		t.columns[c.Field] = contentColumn(c.Field)
	}
	t.selectCols = b.String()
	b.WriteString(" FROM content c JOIN ")
	b.WriteString(t.table)
	b.WriteString(" t ON t.id = c.id")
	t.selectRows = b.String()
	var cols, sets []string
	for _, c := range columns {
		if c.List {
			continue
		}
		cols = append(cols, ", "+contentColumn(c.Field))
		sets = append(sets, contentColumn(c.Field)+" = ?")
	}
	t.insertFields = "INSERT INTO " + t.table + " (id, created" + strings.Join(cols, "") + ") VALUES (?, ?" + strings.Repeat(", ?", len(cols)) + ")"
	t.updateFields = "UPDATE " + t.table + " SET " + strings.Join(sets, ", ") + " WHERE id = ?"
	return t
}

// contentTable is the table of a type's own fields; it is named apart from
// backrest's own tables by the double underscore, which type names cannot start
// with.
func contentTable(typeName string) string { return "content__" + typeName }

// contentColumn is the column of an own field.
func contentColumn(field string) string { return "f_" + field }

// relationTable is the join table of a relation field to several items.
func relationTable(typeName, field string) string { return "crel__" + typeName + "__" + field }

// contentIndex is the index of an own field.
func contentIndex(typeName, field string) string { return "cx_" + typeName + "__" + field }

// listKindPrefix starts the recorded kind of a list (ContentColumn.List), so
// that a removal knows to drop its table.
const listKindPrefix = "list:"

// ErrDestructive is wrapped by the error of a schema change that would lose data.
var ErrDestructive = errors.New("destructive schema change")

// storedField is what the database remembers of a field.
type storedField struct {
	Name string `json:"name"`
	Kind string `json:"type"`
}

// storedType is what the database remembers of a type: enough to tell what a new
// definition changes in its table.
type storedType struct {
	Name   string        `json:"name"`
	Fields []storedField `json:"fields"`
	// Search lists the searched fields whose values the items' search texts
	// hold; nil in a definition recorded before search texts were kept.
	Search []string `json:"search"`
}

// SyncContentTables brings the tables of the types in line with their
// definitions in one transaction: it creates the tables of new types and the
// columns of new fields. Removing a field or changing its kind loses data: unless
// allowDestructive, it is refused with an error that wraps ErrDestructive and
// names every such change. Types no longer declared keep their tables and items,
// unserved. now dates the recorded definitions.
func SyncContentTables(ctx context.Context, db *DB, tables []*ContentTable, allowDestructive bool, now time.Time, log *slog.Logger) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockSchema(ctx); err != nil {
			return fmt.Errorf("content: schema lock: %w", err)
		}
		stored := map[string]storedType{}
		rows, err := tx.Query(ctx, "SELECT name, definition FROM content_types")
		if err != nil {
			return fmt.Errorf("content: read types: %w", err)
		}
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return fmt.Errorf("content: read types: %w", err)
			}
			var st storedType
			if err := json.Unmarshal([]byte(def), &st); err != nil {
				rows.Close()
				return fmt.Errorf("content: stored definition of %s: %w", name, err)
			}
			stored[name] = st
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("content: read types: %w", err)
		}
		var refused []string
		for _, t := range tables {
			old, ok := stored[t.Name]
			var stmts, lost []string
			if !ok {
				stmts = createContentTable(tx, t)
			} else {
				stmts, lost = alterContentTable(tx, t, old)
			}
			if len(lost) > 0 && !allowDestructive {
				refused = append(refused, lost...)
				continue
			}
			for _, l := range lost {
				log.Warn("content schema change loses data", "change", l)
			}
			for _, s := range stmts {
				if _, err := tx.Exec(ctx, s); err != nil {
					return fmt.Errorf("content: type %s: %s: %w", t.Name, s, err)
				}
			}
			reindex := ok && (old.Search == nil || !slices.Equal(old.Search, storedOf(t).Search))
			if reindex {
				if err := reindexSearch(ctx, tx, t); err != nil {
					return err
				}
				log.Info("content type search texts rebuilt", "type", t.Name)
			}
			if len(stmts) == 0 && !reindex {
				continue
			}
			def, err := json.Marshal(storedOf(t))
			if err != nil {
				return err
			}
			if ok {
				_, err = tx.Exec(ctx, "UPDATE content_types SET definition = ?, modified = ? WHERE name = ?", string(def), micros(now), t.Name)
			} else {
				_, err = tx.Exec(ctx, "INSERT INTO content_types (name, definition, modified) VALUES (?, ?, ?)", t.Name, string(def), micros(now))
			}
			if err != nil {
				return fmt.Errorf("content: record type %s: %w", t.Name, err)
			}
			log.Info("content type table updated", "type", t.Name, "statements", len(stmts))
		}
		if len(refused) > 0 {
			return fmt.Errorf("content: %w refused (start with --schema-allow-destructive, BACKREST_SCHEMA_ALLOW_DESTRUCTIVE=true, to apply it and lose that data): %s",
				ErrDestructive, strings.Join(refused, "; "))
		}
		return nil
	})
}

// storedOf returns what the database remembers of t.
func storedOf(t *ContentTable) storedType {
	st := storedType{Name: t.Name, Fields: []storedField{}, Search: []string{}}
	for _, c := range t.Columns {
		if c.Searched {
			st.Search = append(st.Search, c.Field)
		}
		kind := c.Kind
		if c.List {
			kind = listKindPrefix + kind
		}
		st.Fields = append(st.Fields, storedField{Name: c.Field, Kind: kind})
	}
	return st
}

// createContentTable returns the statements creating the table of a new type.
func createContentTable(tx *Tx, t *ContentTable) []string {
	cols := []string{"id " + tx.db.d.idKey + " PRIMARY KEY REFERENCES content (id) ON DELETE CASCADE", "created BIGINT NOT NULL"}
	for _, c := range t.Columns {
		if !c.List {
			cols = append(cols, columnDefinition(c))
		}
	}
	stmts := []string{"CREATE TABLE " + t.table + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"}
	for _, c := range t.Columns {
		stmts = append(stmts, addedColumnIndexes(tx, t, c)...)
	}
	return stmts
}

// columnDefinition is the definition of the column of an own field.
func columnDefinition(c ContentColumn) string {
	def := contentColumn(c.Field) + " " + string(c.Type)
	if c.References {
		def += " REFERENCES content (id) ON DELETE SET NULL"
	}
	if c.RefersToUsers {
		def += " REFERENCES users (id) ON DELETE SET NULL"
	}
	return def
}

// addedColumnIndexes returns the statements creating the index of a new own
// field's column, or the join table of a list and its index.
func addedColumnIndexes(tx *Tx, t *ContentTable, c ContentColumn) []string {
	if c.List {
		rt := relationTable(t.Name, c.Field)
		return []string{
			"CREATE TABLE " + rt + " (\n\titem BIGINT NOT NULL REFERENCES content (id) ON DELETE CASCADE,\n\tposition INTEGER NOT NULL,\n\t" +
				"target BIGINT NOT NULL REFERENCES content (id) ON DELETE CASCADE,\n\tPRIMARY KEY (item, position)\n)" + tx.db.d.withoutRowID,
			"CREATE INDEX " + rt + "__target ON " + rt + " (target, item)",
		}
	}
	if c.Indexed {
		return []string{createContentIndex(tx, t.Name, c.Field)}
	}
	return nil
}

// createContentIndex returns the statement creating the index of an own field,
// which serves equality filters in the default order (newest first) and sorting
// by the field.
func createContentIndex(tx *Tx, typeName, field string) string {
	return fmt.Sprintf("CREATE INDEX %s ON %s (%s, created, id)", contentIndex(typeName, field), contentTable(typeName),
		tx.db.d.nullsFirst(contentColumn(field)))
}

// alterContentTable returns the statements bringing the table of t from its
// stored definition to the current one, and the changes among them that lose
// data.
func alterContentTable(tx *Tx, t *ContentTable, old storedType) (stmts, lost []string) {
	oldKinds := map[string]string{}
	for _, f := range old.Fields {
		oldKinds[f.Name] = f.Kind
	}
	current := make(map[string]ContentColumn, len(t.Columns))
	for _, c := range t.Columns {
		current[c.Field] = c
	}
	kindOf := func(c ContentColumn) string {
		if c.List {
			return listKindPrefix + c.Kind
		}
		return c.Kind
	}
	// The index of a column goes first (SQLite does not drop an indexed column);
	// only the columns of indexed kinds have one. A list has a table instead.
	drop := func(name, kind string) {
		if strings.HasPrefix(kind, listKindPrefix) {
			stmts = append(stmts, "DROP TABLE "+relationTable(t.Name, name))
			return
		}
		stmts = append(stmts, "DROP INDEX IF EXISTS "+contentIndex(t.Name, name))
		stmts = append(stmts, "ALTER TABLE "+t.table+" DROP COLUMN "+contentColumn(name))
	}
	for _, f := range old.Fields {
		if _, ok := current[f.Name]; !ok {
			lost = append(lost, fmt.Sprintf("type %s: field %s (%s) removed", t.Name, f.Name, f.Kind))
			drop(f.Name, f.Kind)
		}
	}
	for _, c := range t.Columns {
		k, ok := oldKinds[c.Field]
		if ok && k == kindOf(c) {
			continue
		}
		if ok {
			lost = append(lost, fmt.Sprintf("type %s: field %s changes type from %s to %s", t.Name, c.Field, k, kindOf(c)))
			drop(c.Field, k)
		}
		if !c.List {
			stmts = append(stmts, "ALTER TABLE "+t.table+" ADD COLUMN "+columnDefinition(c))
		}
		stmts = append(stmts, addedColumnIndexes(tx, t, c)...)
	}
	return stmts, lost
}
