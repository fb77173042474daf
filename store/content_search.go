package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Search: each item has a search text, its title, description and searched
// own fields (ContentColumn.Searched) folded by FoldSearch, one a line, in the
// table content_search (migration 012). A search lists the items whose text holds
// every word of the query, folded alike, as a substring. Both databases compare
// the folded texts exactly, so they find the same items: SQLite through an FTS5
// trigram index, PostgreSQL through a pg_trgm index; a word shorter than three
// characters is matched without the index's help.

// FoldSearch folds s for search: its accents are removed (é becomes e) and its
// case folded by Unicode's full case folding (É, é and e are alike, ß is ss). It
// is safe for concurrent use: the transformers it uses keep state, so each call
// makes its own.
func FoldSearch(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		out = s
	}
	return cases.Fold().String(out)
}

// SearchText returns the search text of an item from the texts of its searched
// fields (title, description and the own fields the type searches).
func SearchText(texts []string) string {
	var b strings.Builder
	for _, s := range texts {
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(FoldSearch(s))
	}
	return b.String()
}

// WriteContentSearch sets the search text of the item id to text (made by
// SearchText), in the transaction of the item's change.
func WriteContentSearch(ctx context.Context, tx *Tx, id int64, text string) error {
	var err error
	if tx.Postgres() {
		_, err = tx.Exec(ctx, "INSERT INTO content_search (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc", id, text)
	} else {
		if _, err = tx.Exec(ctx, "DELETE FROM content_search WHERE rowid = ?", id); err == nil {
			_, err = tx.Exec(ctx, "INSERT INTO content_search (rowid, doc) VALUES (?, ?)", id, text)
		}
	}
	if err != nil {
		return fmt.Errorf("content: search text of %d: %w", id, err)
	}
	return nil
}

// postgresReader is a Reader that tells its database.
type postgresReader interface{ Postgres() bool }

// onPostgres reports whether r reads a PostgreSQL database.
func onPostgres(r Reader) bool {
	pr, ok := r.(postgresReader)
	return ok && pr.Postgres()
}

// searchConditions returns the conditions on the search texts s (content_search)
// that select those holding every word (folded), and their arguments.
func searchConditions(r Reader, words []string) ([]string, []any) {
	var conds []string
	var args []any
	if onPostgres(r) {
		for _, w := range words {
			conds = append(conds, `s.doc LIKE ? ESCAPE '\'`)
			args = append(args, "%"+likeEscaper.Replace(w)+"%")
		}
		return conds, args
	}
	// The trigram index finds the texts that hold every three-character piece
	// of the words of three characters or more: their pieces side by side, the
	// last one ending the word, which reads fewer of its lists than the word's
	// every trigram and their positions would. instr then checks every word on
	// the rows it yields (or on all rows when no word is that long).
	var phrases []string
	for _, w := range words {
		r := []rune(w)
		if len(r) < 3 {
			continue
		}
		for i := 0; i < len(r); i += 3 {
			piece := string(r[min(i, len(r)-3) : min(i, len(r)-3)+3])
			if q := `"` + strings.ReplaceAll(piece, `"`, `""`) + `"`; !slices.Contains(phrases, q) {
				phrases = append(phrases, q)
			}
		}
	}
	if len(phrases) > 0 {
		conds, args = append(conds, "s.content_search MATCH ?"), append(args, strings.Join(phrases, " AND "))
	}
	for _, w := range words {
		conds, args = append(conds, "instr(s.doc, ?) > 0"), append(args, w)
	}
	return conds, args
}

// likeEscaper escapes the wildcards of LIKE (with ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// reindexSearch rewrites the search texts of every item of t, in batches, in tx.
func reindexSearch(ctx context.Context, tx *Tx, t *ContentTable) error {
	var cols []string
	for _, c := range t.Columns {
		if c.Searched && !c.List {
			cols = append(cols, ", t."+contentColumn(c.Field))
		}
	}
	q := "SELECT c.id, c.title, c.description" + strings.Join(cols, "") + " FROM content c JOIN " + t.table + " t ON t.id = c.id WHERE c.id > ? ORDER BY c.id LIMIT 1000"
	type doc struct {
		id   int64
		text string
	}
	var last int64
	for {
		rows, err := tx.Query(ctx, q, last)
		if err != nil {
			return fmt.Errorf("content: search texts of %s: %w", t.Name, err)
		}
		var batch []doc
		for rows.Next() {
			texts := make([]*string, 2+len(cols))
			dest := make([]any, 1+len(texts))
			var id int64
			dest[0] = &id
			for i := range texts {
				dest[1+i] = &texts[i]
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return fmt.Errorf("content: search texts of %s: %w", t.Name, err)
			}
			var ss []string
			for _, s := range texts {
				if s != nil {
					ss = append(ss, *s)
				}
			}
			batch = append(batch, doc{id, SearchText(ss)})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("content: search texts of %s: %w", t.Name, err)
		}
		for _, d := range batch {
			if err := WriteContentSearch(ctx, tx, d.id, d.text); err != nil {
				return err
			}
		}
		if len(batch) < 1000 {
			return nil
		}
		last = batch[len(batch)-1].id
	}
}
