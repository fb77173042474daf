package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/backrest/backrest"
)

// UserQuery selects a page of users for an admin. Zero values select everything.
type UserQuery struct {
	// Q is a substring of the address, first or last name, compared regardless of
	// case (of ASCII letters on SQLite); % and _ in it are plain characters.
	Q string
	// Role keeps the users who have the global role.
	Role string
	// Active, when set, keeps the active (true) or inactive (false) users.
	Active *bool
	// Limit and Offset page the result, newest first.
	Limit, Offset int
}

// likeEscape makes s a LIKE pattern that matches s literally (with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// where returns the WHERE clause of the query and its arguments.
func (q UserQuery) where() (string, []any) {
	var conds []string
	var args []any
	if q.Q != "" {
		// Both sides go through the database's lower(), which folds ASCII letters on
		// SQLite and all letters on PostgreSQL.
		p := "%" + likeEscape(q.Q) + "%"
		conds = append(conds, `(lower(email) LIKE lower(?) ESCAPE '\' OR lower(firstname) LIKE lower(?) ESCAPE '\'
			OR lower(lastname) LIKE lower(?) ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	if q.Role != "" {
		conds = append(conds, `roles LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(roleJSON(q.Role))+"%")
	}
	if q.Active != nil {
		conds = append(conds, "active = ?")
		args = append(args, boolInt(*q.Active))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// roleJSON is a role as it appears in the stored JSON array of roles.
func roleJSON(role string) string {
	b, _ := json.Marshal(role) // a string always encodes
	return string(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ListUsers returns a page of the users that q selects, newest first, and how many
// it selects over all pages.
func ListUsers(ctx context.Context, r Reader, q UserQuery) ([]*backrest.User, int64, error) {
	where, args := q.where()
	var total int64
	if err := r.QueryRow(ctx, "SELECT count(*) FROM users"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	rows, err := r.Query(ctx, "SELECT "+userColumns+" FROM users"+where+" ORDER BY created DESC, id DESC LIMIT ? OFFSET ?",
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var users []*backrest.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	return users, total, nil
}

// SaveUser stores the address, names, roles and state of u, a user read before, and
// sets u.Modified to now. An active user becomes confirmed. An address that another user
// has gives ErrEmailTaken; an unknown user ENOTFOUND.
func SaveUser(ctx context.Context, tx *Tx, u *backrest.User, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	if u.Active {
		u.Confirmed = true
	}
	res, err := tx.Exec(ctx, `UPDATE users SET email = ?, email_key = ?, firstname = ?, lastname = ?, roles = ?,
		active = ?, confirmed = ?, modified = ? WHERE id = ?`,
		u.Email, EmailKey(u.Email), u.Firstname, u.Lastname, encodeRoles(u.Roles),
		boolInt(u.Active), boolInt(u.Confirmed), micros(now), u.ID.String())
	if err != nil {
		if IsUnique(err) {
			return ErrEmailTaken
		}
		return fmt.Errorf("store: save user: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return backrest.Errorf(backrest.ENOTFOUND, "user not found")
	}
	u.Modified = now
	return nil
}

// UserCounts counts the users by state.
type UserCounts struct {
	Total   int64 `json:"total"`
	Active  int64 `json:"active"`
	Pending int64 `json:"pending"`
	Admins  int64 `json:"admins"`
}

// CountUsers counts all users, the active ones, the pending sign-ups (never
// confirmed) and those with the role admin.
func CountUsers(ctx context.Context, r Reader) (UserCounts, error) {
	var c UserCounts
	err := r.QueryRow(ctx, `SELECT count(*),
		coalesce(sum(CASE WHEN active = 1 THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN active = 0 AND confirmed = 0 THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN roles LIKE ? ESCAPE '\' THEN 1 ELSE 0 END), 0) FROM users`,
		"%"+likeEscape(roleJSON(backrest.RoleAdmin))+"%").Scan(&c.Total, &c.Active, &c.Pending, &c.Admins)
	if err != nil {
		return c, fmt.Errorf("store: count users: %w", err)
	}
	return c, nil
}

// CountItems returns the number of content items of each type that has had any,
// from the counts the triggers keep.
func CountItems(ctx context.Context, r Reader) (map[string]int64, error) {
	rows, err := r.Query(ctx, "SELECT type, sum(n) FROM content_counts GROUP BY type")
	if err != nil {
		return nil, fmt.Errorf("store: count items: %w", err)
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			return nil, fmt.Errorf("store: count items: %w", err)
		}
		counts[t] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: count items: %w", err)
	}
	return counts, nil
}

// CountFiles returns the number of files and the sum of their sizes.
func CountFiles(ctx context.Context, r Reader) (count, bytes int64, err error) {
	err = r.QueryRow(ctx, "SELECT count(*), coalesce(sum(size), 0) FROM files").Scan(&count, &bytes)
	if err != nil {
		err = fmt.Errorf("store: count files: %w", err)
	}
	return count, bytes, err
}

// HeldFile is a file and the type of the item holding it ("" while unattached).
type HeldFile struct {
	*backrest.File
	ItemType string
}

// ListFiles returns a page of the files, of the owner when it is set, newest first,
// each with the type of the item that holds it, and how many files there are over
// all pages.
func ListFiles(ctx context.Context, r Reader, owner *backrest.UserID, limit, offset int) ([]HeldFile, int64, error) {
	where, args := "", []any{}
	if owner != nil {
		where, args = " WHERE f.owner = ?", append(args, owner.String())
	}
	var total int64
	if err := r.QueryRow(ctx, "SELECT count(*) FROM files f"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count files: %w", err)
	}
	cols := "f." + strings.ReplaceAll(fileColumns, ", ", ", f.")
	rows, err := r.Query(ctx, "SELECT "+cols+", coalesce(c.type, '') FROM files f LEFT JOIN content c ON c.id = f.content_id"+
		where+" ORDER BY f.created DESC, f.id DESC LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list files: %w", err)
	}
	defer rows.Close()
	var out []HeldFile
	for rows.Next() {
		var h HeldFile
		f, err := scanFile(scanExtra{rows, &h.ItemType})
		if err != nil {
			return nil, 0, err
		}
		h.File = f
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list files: %w", err)
	}
	return out, total, nil
}
