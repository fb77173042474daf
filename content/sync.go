package content

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/backrest/backrest/store"
)

// ErrDestructive is wrapped by the error of a schema change that would lose data.
var ErrDestructive = errors.New("destructive schema change")

// table is the table of a type's own fields; it is named apart from backrest's own
// tables by the double underscore, which type names cannot start with.
func table(typeName string) string { return "content__" + typeName }

// column is the column of an own field.
func column(field string) string { return "f_" + field }

// index is the index of an own field.
func index(typeName, field string) string { return "cx_" + typeName + "__" + field }

// storedField is what the database remembers of a field.
type storedField struct {
	Name string `json:"name"`
	Kind Kind   `json:"type"`
}

// storedType is what the database remembers of a type: enough to tell what a new
// definition changes in its table.
type storedType struct {
	Name   string        `json:"name"`
	Fields []storedField `json:"fields"`
}

// syncTables brings the tables of the types in line with their definitions in one
// transaction: it creates the tables of new types and the columns of new fields.
// Removing a field or changing its type loses data: unless allowDestructive, it is
// refused with an error that wraps ErrDestructive and names every such change.
// Types no longer declared keep their tables and items, unserved.
func syncTables(ctx context.Context, db *store.DB, types []*Type, allowDestructive bool, log *slog.Logger) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockSchema(ctx); err != nil {
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
		for _, t := range types {
			old, ok := stored[t.Name]
			var stmts, lost []string
			if !ok {
				stmts = createTable(tx, t)
			} else {
				stmts, lost = alterTable(tx, t, old)
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
			if len(stmts) == 0 {
				continue
			}
			def, err := json.Marshal(storedOf(t))
			if err != nil {
				return err
			}
			now := time.Now().UnixMicro()
			if ok {
				_, err = tx.Exec(ctx, "UPDATE content_types SET definition = ?, modified = ? WHERE name = ?", string(def), now, t.Name)
			} else {
				_, err = tx.Exec(ctx, "INSERT INTO content_types (name, definition, modified) VALUES (?, ?, ?)", t.Name, string(def), now)
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
func storedOf(t *Type) storedType {
	st := storedType{Name: t.Name, Fields: []storedField{}}
	for _, f := range t.Fields {
		st.Fields = append(st.Fields, storedField{Name: f.Name, Kind: f.Kind})
	}
	return st
}

// createTable returns the statements creating the table of a new type.
func createTable(tx *store.Tx, t *Type) []string {
	cols := []string{"id " + tx.IDKey() + " PRIMARY KEY REFERENCES content (id) ON DELETE CASCADE", "created BIGINT NOT NULL"}
	for _, f := range t.Fields {
		cols = append(cols, column(f.Name)+" "+f.Kind.column())
	}
	stmts := []string{"CREATE TABLE " + table(t.Name) + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"}
	for _, f := range t.Fields {
		if f.Kind.indexed() {
			stmts = append(stmts, createIndex(tx, t.Name, f.Name))
		}
	}
	return stmts
}

// createIndex returns the statement creating the index of an own field, which
// serves equality filters in the default order (newest first) and sorting by the
// field.
func createIndex(tx *store.Tx, typeName, field string) string {
	return fmt.Sprintf("CREATE INDEX %s ON %s (%s, created, id)", index(typeName, field), table(typeName), tx.IndexColumn(column(field)))
}

// alterTable returns the statements bringing the table of t from its stored
// definition to the current one, and the changes among them that lose data.
func alterTable(tx *store.Tx, t *Type, old storedType) (stmts, lost []string) {
	oldKinds := map[string]Kind{}
	for _, f := range old.Fields {
		oldKinds[f.Name] = f.Kind
	}
	drop := func(name string, k Kind) {
		if k.indexed() {
			stmts = append(stmts, "DROP INDEX "+index(t.Name, name))
		}
		stmts = append(stmts, "ALTER TABLE "+table(t.Name)+" DROP COLUMN "+column(name))
	}
	for _, f := range old.Fields {
		if t.Field(f.Name) == nil {
			lost = append(lost, fmt.Sprintf("type %s: field %s (%s) removed", t.Name, f.Name, f.Kind))
			drop(f.Name, f.Kind)
		}
	}
	for _, f := range t.Fields {
		k, ok := oldKinds[f.Name]
		if ok && k == f.Kind {
			continue
		}
		if ok {
			lost = append(lost, fmt.Sprintf("type %s: field %s changes type from %s to %s", t.Name, f.Name, k, f.Kind))
			drop(f.Name, k)
		}
		stmts = append(stmts, "ALTER TABLE "+table(t.Name)+" ADD COLUMN "+column(f.Name)+" "+f.Kind.column())
		if f.Kind.indexed() {
			stmts = append(stmts, createIndex(tx, t.Name, f.Name))
		}
	}
	return stmts, lost
}
