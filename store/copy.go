package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The SQL of copying a whole deployment from one database to another (package
// backup's Copy): the tables of a database read from its catalog, their rows
// streamed in primary-key order and inserted in batches, each batch with the
// copy's progress in the same transaction, and the positions of the
// auto-increment sequences.

// CopyKind is how a copy reads and writes the values of a column: the same Go
// type on both databases, whatever the column's SQL type is called on each.
type CopyKind int

// The kinds of columns. Values are nil (NULL) or string, int64, float64 and
// []byte.
const (
	CopyText CopyKind = iota
	CopyInt
	CopyFloat
	CopyBytes
)

func (k CopyKind) String() string {
	return [...]string{"text", "integer", "float", "bytes"}[k]
}

// CopyColumn is a column of a copied table.
type CopyColumn struct {
	Name string
	Kind CopyKind
}

// CopyTable is a table of a database as a copy sees it. Get them with
// CopyTables.
type CopyTable struct {
	Name    string
	Columns []CopyColumn
	// Key are the indexes in Columns of the primary key's columns, in the key's
	// order.
	Key []int
	// Serial is the auto-increment column, or empty.
	Serial string
	// References are the tables its foreign keys name.
	References []string
	// triggers are, on SQLite, the table's triggers; on PostgreSQL one without
	// a name when it has triggers of its own.
	triggers []trigger
}

// trigger is a trigger of a table: its name and the statement creating it.
type trigger struct{ name, create string }

// Column returns the index of the column name, or -1.
func (t *CopyTable) Column(name string) int {
	return slices.IndexFunc(t.Columns, func(c CopyColumn) bool { return c.Name == name })
}

// CopyProgressTable is the table in which a copy keeps its progress in the
// target database, from its start to its end; a database that has it holds an
// unfinished copy.
const CopyProgressTable = "copy_progress"

// notCopied are the tables a copy leaves: the migrations, made by migrating
// the target, the copy's own progress, and the search texts of content (an
// FTS5 table and its shadow tables on SQLite, a plain table on PostgreSQL),
// which the target rebuilds from the items at its first start (see EndCopy).
var notCopied = map[string]bool{"schema_migrations": true, CopyProgressTable: true, "content_search": true,
	"content_search_data": true, "content_search_idx": true, "content_search_content": true, "content_search_docsize": true,
	"content_search_config": true}

// quote returns name as an SQL identifier.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// Tables returns the names of the tables of the database (PostgreSQL: of its
// current schema), sorted, SQLite's own left out.
func (db *DB) Tables(ctx context.Context) ([]string, error) {
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
	if db.Postgres() {
		q = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
	}
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: tables: %w", err)
	}
	names, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("store: tables: %w", err)
	}
	return names, nil
}

// scanStrings returns the one text column of rows, and closes them.
func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CopyTables returns the tables a copy carries, every table but the
// migrations' record and the copy's progress, ordered so that each comes after
// the tables its foreign keys reference.
func (db *DB) CopyTables(ctx context.Context) ([]CopyTable, error) {
	names, err := db.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var tables []CopyTable
	for _, name := range names {
		if notCopied[name] {
			continue
		}
		t, err := db.copyTable(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("store: table %s: %w", name, err)
		}
		tables = append(tables, t)
	}
	return orderByReferences(tables)
}

// orderByReferences sorts tables so that each comes after those it references
// (itself aside), keeping the order of names otherwise.
func orderByReferences(tables []CopyTable) ([]CopyTable, error) {
	placed := map[string]bool{}
	present := map[string]bool{}
	for _, t := range tables {
		present[t.Name] = true
	}
	var out []CopyTable
	for len(out) < len(tables) {
		progress := false
		for _, t := range tables {
			if placed[t.Name] {
				continue
			}
			ready := true
			for _, r := range t.References {
				if r != t.Name && present[r] && !placed[r] {
					ready = false
				}
			}
			if ready {
				out = append(out, t)
				placed[t.Name] = true
				progress = true
			}
		}
		if !progress {
			return nil, errors.New("store: the foreign keys of the tables form a cycle: no order to copy them in")
		}
	}
	return out, nil
}

// copyTable reads the description of the table name from the catalog.
func (db *DB) copyTable(ctx context.Context, name string) (CopyTable, error) {
	t := CopyTable{Name: name}
	if db.Postgres() {
		return t, db.copyTablePostgres(ctx, &t)
	}
	return t, db.copyTableSQLite(ctx, &t)
}

func (db *DB) copyTableSQLite(ctx context.Context, t *CopyTable) error {
	rows, err := db.read.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", t.Name)
	if err != nil {
		return err
	}
	pk := map[int]int{} // position in the key -> column
	for rows.Next() {
		var name, decl string
		var pos int
		if err := rows.Scan(&name, &decl, &pos); err != nil {
			rows.Close()
			return err
		}
		if pos > 0 {
			pk[pos] = len(t.Columns)
		}
		t.Columns = append(t.Columns, CopyColumn{Name: name, Kind: sqliteKind(decl)})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for i := 1; i <= len(pk); i++ {
		t.Key = append(t.Key, pk[i])
	}
	if t.Key, err = checkKey(t); err != nil {
		return err
	}
	var create string
	if err := db.read.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", t.Name).Scan(&create); err != nil {
		return err
	}
	if strings.Contains(strings.ToUpper(create), "AUTOINCREMENT") && len(t.Key) == 1 {
		t.Serial = t.Columns[t.Key[0]].Name
	}
	refs, err := db.read.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?) ORDER BY 1`, t.Name)
	if err != nil {
		return err
	}
	if t.References, err = scanStrings(refs); err != nil {
		return err
	}
	trig, err := db.read.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name", t.Name)
	if err != nil {
		return err
	}
	defer trig.Close()
	for trig.Next() {
		var g trigger
		if err := trig.Scan(&g.name, &g.create); err != nil {
			return err
		}
		t.triggers = append(t.triggers, g)
	}
	return trig.Err()
}

// checkKey returns the key of t, or an error when it has none.
func checkKey(t *CopyTable) ([]int, error) {
	if len(t.Key) == 0 {
		return nil, errors.New("no primary key: its rows cannot be copied in order")
	}
	return t.Key, nil
}

// sqliteKind is the kind of a column of SQLite's declared type decl, after its
// rules of type affinity.
func sqliteKind(decl string) CopyKind {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return CopyInt
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return CopyText
	case d == "", strings.Contains(d, "BLOB"):
		return CopyBytes
	}
	return CopyFloat
}

func (db *DB) copyTablePostgres(ctx context.Context, t *CopyTable) error {
	rows, err := db.read.QueryContext(ctx, `SELECT column_name, data_type, is_identity = 'YES' OR COALESCE(column_default, '') LIKE 'nextval(%'
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, t.Name)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name, typ string
		var serial bool
		if err := rows.Scan(&name, &typ, &serial); err != nil {
			rows.Close()
			return err
		}
		k, err := postgresKind(typ)
		if err != nil {
			rows.Close()
			return fmt.Errorf("column %s: %w", name, err)
		}
		if serial {
			t.Serial = name
		}
		t.Columns = append(t.Columns, CopyColumn{Name: name, Kind: k})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	keys, err := db.read.QueryContext(ctx, `SELECT a.attname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
		WHERE i.indisprimary AND n.nspname = current_schema() AND c.relname = $1
		ORDER BY array_position(i.indkey::int2[], a.attnum)`, t.Name)
	if err != nil {
		return err
	}
	names, err := scanStrings(keys)
	if err != nil {
		return err
	}
	for _, n := range names {
		t.Key = append(t.Key, t.Column(n))
	}
	if t.Key, err = checkKey(t); err != nil {
		return err
	}
	refs, err := db.read.QueryContext(ctx, `SELECT DISTINCT r.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_class r ON r.oid = k.confrelid
		WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname = $1 ORDER BY 1`, t.Name)
	if err != nil {
		return err
	}
	if t.References, err = scanStrings(refs); err != nil {
		return err
	}
	var triggers bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_trigger g
		JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT g.tgisinternal AND n.nspname = current_schema() AND c.relname = $1)`, t.Name).Scan(&triggers); err != nil {
		return err
	}
	if triggers {
		t.triggers = []trigger{{}}
	}
	return nil
}

// postgresKind is the kind of a column of the PostgreSQL data type typ.
func postgresKind(typ string) (CopyKind, error) {
	switch typ {
	case "text", "character varying", "character", "json", "jsonb", "uuid":
		return CopyText, nil
	case "bigint", "integer", "smallint":
		return CopyInt, nil
	case "double precision", "real":
		return CopyFloat, nil
	case "bytea":
		return CopyBytes, nil
	}
	return 0, fmt.Errorf("type %s is not one a copy knows", typ)
}

// orderBy returns the ORDER BY clause of the rows of t in key order: text in
// the order of its bytes on both databases (SQLite's BINARY collation,
// PostgreSQL's "C").
func (db *DB) orderBy(t *CopyTable) string {
	var cols []string
	for _, i := range t.Key {
		cols = append(cols, db.keyExpr(t, i))
	}
	return " ORDER BY " + strings.Join(cols, ", ")
}

// keyExpr is the column i of t as it is compared in key order.
func (db *DB) keyExpr(t *CopyTable, i int) string {
	c := quote(t.Columns[i].Name)
	if db.Postgres() && t.Columns[i].Kind == CopyText {
		c += ` COLLATE "C"`
	}
	return c
}

// CopyRows calls fn with every row of t, in key order, its values in the order
// of t.Columns (see CopyKind), starting after the row whose key values are
// after (nil: from the first). fn may keep the row.
func (db *DB) CopyRows(ctx context.Context, t *CopyTable, after []any, fn func(row []any) error) error {
	var cols []string
	for _, c := range t.Columns {
		cols = append(cols, quote(c.Name))
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + quote(t.Name)
	if after != nil {
		var keys []string
		for _, i := range t.Key {
			keys = append(keys, db.keyExpr(t, i))
		}
		q += " WHERE (" + strings.Join(keys, ", ") + ") > (" + strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ") + ")"
	}
	q += db.orderBy(t)
	if db.d.dollar {
		q = dollarize(q)
	}
	rows, err := db.read.QueryContext(ctx, q, after...)
	if err != nil {
		return fmt.Errorf("store: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	dest := make([]any, len(t.Columns))
	for rows.Next() {
		for i, c := range t.Columns {
			switch c.Kind {
			case CopyText:
				dest[i] = new(sql.NullString)
			case CopyInt:
				dest[i] = new(sql.NullInt64)
			case CopyFloat:
				dest[i] = new(sql.NullFloat64)
			case CopyBytes:
				dest[i] = new([]byte)
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: read %s: %w", t.Name, err)
		}
		row := make([]any, len(dest))
		for i, d := range dest {
			switch d := d.(type) {
			case *sql.NullString:
				if d.Valid {
					row[i] = d.String
				}
			case *sql.NullInt64:
				if d.Valid {
					row[i] = d.Int64
				}
			case *sql.NullFloat64:
				if d.Valid {
					row[i] = d.Float64
				}
			case *[]byte:
				if *d != nil {
					row[i] = *d
				}
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: read %s: %w", t.Name, err)
	}
	return nil
}

// CountRows returns the number of rows of the table name.
func (db *DB) CountRows(ctx context.Context, name string) (int64, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quote(name)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", name, err)
	}
	return n, nil
}

// maxParams bounds the parameters of one statement (SQLite's limit is 32766,
// PostgreSQL's 65535).
const maxParams = 30000

// InsertCopied inserts rows, values in the order of t.Columns, into t in one
// transaction that also records state as the copy's progress under part (see
// BeginCopy). The table's triggers do not fire for them: the rows they would
// write are copied as they are.
func (db *DB) InsertCopied(ctx context.Context, t *CopyTable, rows [][]any, part, state string) error {
	if db.Postgres() {
		return db.insertCopiedPostgres(ctx, t, rows, part, state)
	}
	var cols []string
	for _, c := range t.Columns {
		cols = append(cols, quote(c.Name))
	}
	head := "INSERT INTO " + quote(t.Name) + " (" + strings.Join(cols, ", ") + ") VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	per := max(1, maxParams/len(cols))
	return db.InTx(ctx, func(tx *Tx) error {
		for _, g := range t.triggers {
			if _, err := tx.Exec(ctx, "DROP TRIGGER "+quote(g.name)); err != nil {
				return fmt.Errorf("store: copy %s: drop trigger %s: %w", t.Name, g.name, err)
			}
		}
		for start := 0; start < len(rows); start += per {
			chunk := rows[start:min(len(rows), start+per)]
			args := make([]any, 0, len(chunk)*len(cols))
			for _, r := range chunk {
				args = append(args, r...)
			}
			q := head + strings.TrimSuffix(strings.Repeat(one+", ", len(chunk)), ", ")
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("store: copy into %s: %w", t.Name, err)
			}
		}
		for _, g := range t.triggers {
			if _, err := tx.Exec(ctx, g.create); err != nil {
				return fmt.Errorf("store: copy %s: create trigger %s: %w", t.Name, g.name, err)
			}
		}
		return saveCopyState(ctx, tx, part, state)
	})
}

// insertCopiedPostgres is InsertCopied on PostgreSQL, with COPY, several times
// as fast as INSERT statements.
func (db *DB) insertCopiedPostgres(ctx context.Context, t *CopyTable, rows [][]any, part, state string) error {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: copy into %s: %w", t.Name, err)
	}
	defer conn.Close()
	err = conn.Raw(func(driverConn any) error {
		tx, err := driverConn.(*stdlib.Conn).Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if len(t.triggers) > 0 {
			if _, err := tx.Exec(ctx, "ALTER TABLE "+quote(t.Name)+" DISABLE TRIGGER USER"); err != nil {
				return err
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		if len(t.triggers) > 0 {
			if _, err := tx.Exec(ctx, "ALTER TABLE "+quote(t.Name)+" ENABLE TRIGGER USER"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO "+CopyProgressTable+" (part, state) VALUES ($1, $2) ON CONFLICT (part) DO UPDATE SET state = excluded.state", part, state); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return fmt.Errorf("store: copy into %s: %w", t.Name, err)
	}
	return nil
}

// SequencePosition returns the last value that the auto-increment column of t
// gave (0 when none), which may be past the largest id left in the table.
func (db *DB) SequencePosition(ctx context.Context, t *CopyTable) (int64, error) {
	if t.Serial == "" {
		return 0, nil
	}
	var n sql.NullInt64
	var err error
	if db.Postgres() {
		err = db.read.QueryRowContext(ctx, `SELECT pg_sequence_last_value(pg_get_serial_sequence(quote_ident(current_schema()) || '.' || quote_ident($1), $2))`,
			t.Name, t.Serial).Scan(&n)
	} else {
		err = db.read.QueryRowContext(ctx, "SELECT seq FROM sqlite_sequence WHERE name = ?", t.Name).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("store: sequence of %s: %w", t.Name, err)
	}
	return n.Int64, nil
}

// SetSequence makes the auto-increment column of t give values after n and
// after the largest in the table.
func (db *DB) SetSequence(ctx context.Context, t *CopyTable, n int64) error {
	if t.Serial == "" {
		return nil
	}
	var top int64
	if err := db.read.QueryRowContext(ctx, "SELECT COALESCE(MAX("+quote(t.Serial)+"), 0) FROM "+quote(t.Name)).Scan(&top); err != nil {
		return fmt.Errorf("store: sequence of %s: %w", t.Name, err)
	}
	n = max(n, top)
	if n <= 0 {
		return nil
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if db.Postgres() {
			_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence(quote_ident(current_schema()) || '.' || quote_ident(?), ?), ?, true)`, t.Name, t.Serial, n)
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE sqlite_sequence SET seq = ? WHERE name = ?", n, t.Name)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k > 0 {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", t.Name, n)
		return err
	})
}

// BeginCopy makes the table of a copy's progress in the database, with header
// (what the copy is of) as its part "". Call it on an empty database, before
// anything else is written, so that an interrupted copy is told from a
// database in use.
func (db *DB) BeginCopy(ctx context.Context, header string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TABLE "+CopyProgressTable+" (part TEXT PRIMARY KEY, state TEXT NOT NULL)"); err != nil {
			return fmt.Errorf("store: begin copy: %w", err)
		}
		return saveCopyState(ctx, tx, "", header)
	})
}

// saveCopyState records state as the progress of part.
func saveCopyState(ctx context.Context, tx *Tx, part, state string) error {
	_, err := tx.Exec(ctx, "INSERT INTO "+CopyProgressTable+" (part, state) VALUES (?, ?) ON CONFLICT (part) DO UPDATE SET state = excluded.state", part, state)
	if err != nil {
		return fmt.Errorf("store: copy progress: %w", err)
	}
	return nil
}

// SaveCopyState records state as the progress of part of the copy into db.
func (db *DB) SaveCopyState(ctx context.Context, part, state string) error {
	return db.InTx(ctx, func(tx *Tx) error { return saveCopyState(ctx, tx, part, state) })
}

// CopyState returns the progress recorded by the copy into db, by part (the
// header under ""), or nil when db holds no copy's progress.
func (db *DB) CopyState(ctx context.Context) (map[string]string, error) {
	tables, err := db.Tables(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(tables, CopyProgressTable) {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, "SELECT part, state FROM "+CopyProgressTable)
	if err != nil {
		return nil, fmt.Errorf("store: copy progress: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var part, state string
		if err := rows.Scan(&part, &state); err != nil {
			return nil, fmt.Errorf("store: copy progress: %w", err)
		}
		out[part] = state
	}
	return out, rows.Err()
}

// EndCopy drops the table of the copy's progress: the copy is complete. The
// search texts of content were not copied: they are written anew from the
// copied items first, in the same transaction.
func (db *DB) EndCopy(ctx context.Context) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT name, definition FROM content_types")
		if err != nil {
			return err
		}
		var types []storedType
		for rows.Next() {
			var name, def string
			var st storedType
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(def), &st); err != nil {
				rows.Close()
				return fmt.Errorf("definition of %s: %w", name, err)
			}
			types = append(types, st)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, st := range types {
			if st.Search == nil {
				// Recorded before search texts: the first start writes them.
				continue
			}
			cols := make([]ContentColumn, len(st.Fields))
			for i, f := range st.Fields {
				cols[i] = ContentColumn{Field: f.Name, List: strings.HasPrefix(f.Kind, listKindPrefix), Searched: slices.Contains(st.Search, f.Name)}
			}
			if err := reindexSearch(ctx, tx, NewContentTable(st.Name, false, cols)); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "DROP TABLE "+CopyProgressTable)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: end copy: %w", err)
	}
	return nil
}

// CreateContentTablesLike creates in db the tables of the content types that
// src holds (recorded in its content_types), as SyncContentTables made them
// there, leaving those db has already. Their rows are left to copy, the record
// in content_types among them.
func (db *DB) CreateContentTablesLike(ctx context.Context, src *DB) error {
	tables, err := src.contentTables(ctx)
	if err != nil {
		return err
	}
	have, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		for _, t := range tables {
			if slices.Contains(have, t.table) {
				continue
			}
			for _, s := range createContentTable(tx, t) {
				if _, err := tx.Exec(ctx, s); err != nil {
					return fmt.Errorf("store: content type %s: %s: %w", t.Name, s, err)
				}
			}
		}
		return nil
	})
}

// contentTables returns the descriptions of the content types whose tables db
// holds, read from their recorded definitions and the catalog.
func (db *DB) contentTables(ctx context.Context) ([]*ContentTable, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT name, definition FROM content_types ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: content types: %w", err)
	}
	var stored []storedType
	for rows.Next() {
		var name, def string
		var st storedType
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: content types: %w", err)
		}
		if err := json.Unmarshal([]byte(def), &st); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: stored definition of %s: %w", name, err)
		}
		st.Name = name
		stored = append(stored, st)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: content types: %w", err)
	}
	var out []*ContentTable
	for _, st := range stored {
		cols, err := db.columnTypes(ctx, contentTable(st.Name))
		if err != nil {
			return nil, err
		}
		refs, err := db.referencingColumns(ctx, contentTable(st.Name))
		if err != nil {
			return nil, err
		}
		indexes, err := db.indexNames(ctx, contentTable(st.Name))
		if err != nil {
			return nil, err
		}
		var columns []ContentColumn
		for _, f := range st.Fields {
			if kind, ok := strings.CutPrefix(f.Kind, listKindPrefix); ok {
				columns = append(columns, ContentColumn{Field: f.Name, Kind: kind, List: true})
				continue
			}
			typ, ok := cols[contentColumn(f.Name)]
			if !ok {
				return nil, fmt.Errorf("store: content type %s: field %s has no column", st.Name, f.Name)
			}
			columns = append(columns, ContentColumn{Field: f.Name, Kind: f.Kind, Type: typ,
				Indexed: slices.Contains(indexes, contentIndex(st.Name, f.Name)), References: refs[contentColumn(f.Name)]})
		}
		out = append(out, NewContentTable(st.Name, false, columns))
	}
	return out, nil
}

// columnTypes returns the SQL types of the columns of table, by column, in the
// names of ColumnType.
func (db *DB) columnTypes(ctx context.Context, table string) (map[string]ColumnType, error) {
	q := "SELECT name, type FROM pragma_table_info(?)"
	if db.Postgres() {
		q = "SELECT column_name, upper(data_type) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1"
	}
	rows, err := db.read.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("store: columns of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]ColumnType{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("store: columns of %s: %w", table, err)
		}
		out[name] = ColumnType(strings.ToUpper(typ))
	}
	return out, rows.Err()
}

// referencingColumns returns the columns of table that have a foreign key.
func (db *DB) referencingColumns(ctx context.Context, table string) (map[string]bool, error) {
	q := `SELECT "from" FROM pragma_foreign_key_list(?)`
	if db.Postgres() {
		q = `SELECT a.attname FROM pg_constraint k
			JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (k.conkey)
			WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname = $1`
	}
	rows, err := db.read.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("store: foreign keys of %s: %w", table, err)
	}
	names, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("store: foreign keys of %s: %w", table, err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// indexNames returns the names of the indexes of table.
func (db *DB) indexNames(ctx context.Context, table string) ([]string, error) {
	q := "SELECT name FROM pragma_index_list(?)"
	if db.Postgres() {
		q = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1"
	}
	rows, err := db.read.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("store: indexes of %s: %w", table, err)
	}
	names, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("store: indexes of %s: %w", table, err)
	}
	return names, nil
}

// MigrationVersions returns the versions of the migrations applied to db, and
// those this program has, both in order.
func (db *DB) MigrationVersions(ctx context.Context) (applied, known []int, err error) {
	ms, err := loadMigrations(db.d)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range ms {
		known = append(known, m.version)
	}
	tables, err := db.Tables(ctx)
	if err != nil || !slices.Contains(tables, "schema_migrations") {
		return nil, known, err
	}
	rows, err := db.read.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, nil, fmt.Errorf("store: migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, nil, fmt.Errorf("store: migrations: %w", err)
		}
		applied = append(applied, v)
	}
	return applied, known, rows.Err()
}
