package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/backrest/backrest"
)

const fileColumns = "id, uuid, blob_key, filename, mimetype, size, sha256, owner, content_id, field, created, modified"

// errFileNotFound is the error of a file lookup that finds no row.
var errFileNotFound = backrest.Errorf(backrest.ENOTFOUND, "File not found")

func scanFile(row interface{ Scan(...any) error }) (*backrest.File, error) {
	var (
		f                 backrest.File
		owner             string
		content           sql.NullInt64
		field             sql.NullString
		created, modified int64
	)
	err := row.Scan(&f.ID, &f.UUID, &f.Key, &f.Filename, &f.MimeType, &f.Size, &f.SHA256, &owner,
		&content, &field, &created, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errFileNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: read file: %w", err)
	}
	var ok bool
	if f.Owner, ok = backrest.ParseUserID(owner); !ok {
		return nil, fmt.Errorf("store: file %d: malformed owner %q", f.ID, owner)
	}
	f.Content, f.Field = content.Int64, field.String
	f.Created, f.Modified = fromMicros(created), fromMicros(modified)
	return &f, nil
}

// holder returns the stored form of the item and field holding a file: NULLs when
// item is 0.
func holder(item int64, field string) (any, any) {
	if item == 0 {
		return nil, nil
	}
	return item, field
}

// InsertFile inserts f (its ID is set) held by f.Content and f.Field, or unattached
// when f.Content is 0. It sets Created and Modified to now.
func InsertFile(ctx context.Context, tx *Tx, f *backrest.File) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	f.Created, f.Modified = now, now
	content, field := holder(f.Content, f.Field)
	args := []any{f.UUID, f.Key, f.Filename, f.MimeType, f.Size, f.SHA256, f.Owner.String(), content, field,
		micros(now), micros(now)}
	q := `INSERT INTO files (uuid, blob_key, filename, mimetype, size, sha256, owner, content_id, field, created, modified)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	if err := tx.QueryRow(ctx, q, args...).Scan(&f.ID); err != nil {
		return fmt.Errorf("store: insert file: %w", err)
	}
	return nil
}

// OwnerBytes returns how many bytes the files of owner take together, within tx.
// It first makes tx the only transaction that counts owner's files until it ends:
// on SQLite the single writer does, on PostgreSQL a lock on owner, so that
// concurrent uploads checked against a quota cannot jointly exceed it.
func OwnerBytes(ctx context.Context, tx *Tx, owner string) (int64, error) {
	if tx.Postgres() {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "files-owner:"+owner); err != nil {
			return 0, fmt.Errorf("store: lock owner's files: %w", err)
		}
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(SUM(size), 0) FROM files WHERE owner = ?", owner).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: owner's bytes: %w", err)
	}
	return n, nil
}

// FileByUUID returns the file with the uuid, or an ENOTFOUND error.
func FileByUUID(ctx context.Context, r Reader, uuid string) (*backrest.File, error) {
	return scanFile(r.QueryRow(ctx, "SELECT "+fileColumns+" FROM files WHERE uuid = ?", uuid))
}

// FileByID returns the file with the id, or an ENOTFOUND error.
func FileByID(ctx context.Context, r Reader, id int64) (*backrest.File, error) {
	return scanFile(r.QueryRow(ctx, "SELECT "+fileColumns+" FROM files WHERE id = ?", id))
}

// FileAt returns the file held by the field of the item, or an ENOTFOUND error.
func FileAt(ctx context.Context, r Reader, item int64, field string) (*backrest.File, error) {
	return scanFile(r.QueryRow(ctx, "SELECT "+fileColumns+" FROM files WHERE content_id = ? AND field = ?", item, field))
}

// placeholders returns n comma-separated placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// stringArgs returns ss as statement arguments.
func stringArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return args
}

// FilesByID returns the files with the ids that exist, by id.
func FilesByID(ctx context.Context, r Reader, ids []int64) (map[int64]*backrest.File, error) {
	out := make(map[int64]*backrest.File, len(ids))
	const chunk = 500
	for len(ids) > 0 {
		n := min(len(ids), chunk)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		rows, err := r.Query(ctx, "SELECT "+fileColumns+" FROM files WHERE id IN ("+placeholders(n)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("store: read files: %w", err)
		}
		for rows.Next() {
			f, err := scanFile(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[f.ID] = f
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: read files: %w", err)
		}
	}
	return out, nil
}

// AttachFile makes the unattached file id held by the field of the item. It
// reports false, changing nothing, when the file does not exist or is held already.
func AttachFile(ctx context.Context, tx *Tx, id, item int64, field string) (bool, error) {
	res, err := tx.Exec(ctx, "UPDATE files SET content_id = ?, field = ?, modified = ? WHERE id = ? AND content_id IS NULL",
		item, field, micros(time.Now()), id)
	if err != nil {
		return false, fmt.Errorf("store: attach file: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: attach file: %w", err)
	}
	return n == 1, nil
}

// DeleteFile deletes the row of the file id and returns its blob key, or "" when
// there is no such row.
func DeleteFile(ctx context.Context, tx *Tx, id int64) (string, error) {
	var key string
	err := tx.QueryRow(ctx, "DELETE FROM files WHERE id = ? RETURNING blob_key", id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: delete file: %w", err)
	}
	return key, nil
}

// DeleteUnattachedFiles deletes up to limit files that no content holds and that
// were uploaded before cutoff, and returns their blob keys.
func DeleteUnattachedFiles(ctx context.Context, tx *Tx, cutoff time.Time, limit int) ([]string, error) {
	rows, err := tx.Query(ctx, `DELETE FROM files WHERE id IN (
		SELECT id FROM files WHERE content_id IS NULL AND created < ? ORDER BY created LIMIT ?)
		RETURNING blob_key`, micros(cutoff), limit)
	if err != nil {
		return nil, fmt.Errorf("store: delete unattached files: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, fmt.Errorf("store: delete unattached files: %w", err)
		}
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: delete unattached files: %w", err)
	}
	return keys, nil
}

// FileBlobsKnown reports which of the blob keys a file row names.
func FileBlobsKnown(ctx context.Context, r Reader, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := r.Query(ctx, "SELECT blob_key FROM files WHERE blob_key IN ("+placeholders(len(keys))+")", stringArgs(keys)...)
	if err != nil {
		return nil, fmt.Errorf("store: file blobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, fmt.Errorf("store: file blobs: %w", err)
		}
		out[key] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: file blobs: %w", err)
	}
	return out, nil
}

// AllFiles calls fn for every file, in id order, until fn returns an error, which
// it returns. It is meant for checks of the whole store.
func AllFiles(ctx context.Context, r Reader, fn func(*backrest.File) error) error {
	rows, err := r.Query(ctx, "SELECT "+fileColumns+" FROM files ORDER BY id")
	if err != nil {
		return fmt.Errorf("store: read files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: read files: %w", err)
	}
	return nil
}
