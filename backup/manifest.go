package backup

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// The names inside a backup.
const (
	// ManifestName is the manifest's file. A backup without it is incomplete.
	ManifestName = "manifest.json"
	// DatabaseName is the copy of the SQLite database, under the name the data
	// folder gives it.
	DatabaseName = "backrest.db"
	// FilesDir is the folder of the file bytes, fanned out by the first two hex
	// digits of their key as in the data folder.
	FilesDir = "files"
)

// manifestFormat is the version of the manifest's layout.
const manifestFormat = 1

// maxManifestSize bounds the manifest read: about ten million files.
const maxManifestSize = 2 << 30

// Manifest lists the content of a backup with the size and SHA-256 digest of each
// part, so that a restore can tell an intact backup from a damaged one.
type Manifest struct {
	// Format is the version of the layout, 1.
	Format int `json:"format"`
	// Backrest is the version of the program that made the backup.
	Backrest string `json:"backrest"`
	// Created is the instant of the database snapshot the backup holds.
	Created time.Time `json:"created"`
	// Database is the copy of the database: DatabaseName for SQLite, DumpName for
	// PostgreSQL.
	Database Part `json:"database"`
	// Schema is set for PostgreSQL: the schema dumped, which a restore recreates.
	Schema string `json:"postgres_schema,omitempty"`
	// Files are the bytes of every file row of the database, in key order.
	Files []Blob `json:"files"`
}

// Part is one file of a backup.
type Part struct {
	// Size is the number of bytes.
	Size int64 `json:"size"`
	// SHA256 is the hex SHA-256 digest of the bytes.
	SHA256 string `json:"sha256"`
}

// Blob is the bytes of one file, stored in the backup under FilesDir/KE/KEY.
type Blob struct {
	// Key is the blob key that the database row names.
	Key string `json:"key"`
	Part
}

// databaseName returns the name of the database copy in the backup.
func (m *Manifest) databaseName() string {
	if m.Schema != "" {
		return DumpName
	}
	return DatabaseName
}

// Path returns the slash-separated path of the blob inside the backup.
func (b Blob) Path() string { return FilesDir + "/" + b.Key[:2] + "/" + b.Key }

// DecodeManifest reads a manifest and checks its form: known fields only, the
// known format, keys of 32 lower-case hex digits without repeats, digests of 64,
// sizes not negative.
func DecodeManifest(r io.Reader) (*Manifest, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxManifestSize))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("manifest: data after the manifest")
	}
	if m.Format != manifestFormat {
		return nil, fmt.Errorf("manifest: format %d, want %d", m.Format, manifestFormat)
	}
	if err := m.Database.check(); err != nil {
		return nil, fmt.Errorf("manifest: database: %w", err)
	}
	if m.Schema != "" && !identifier(m.Schema) {
		return nil, fmt.Errorf("manifest: malformed schema %q", m.Schema)
	}
	seen := make(map[string]bool, len(m.Files))
	for i, b := range m.Files {
		if !isHex(b.Key, 32) {
			return nil, fmt.Errorf("manifest: file %d: malformed key %q", i, b.Key)
		}
		if seen[b.Key] {
			return nil, fmt.Errorf("manifest: file %d: key %s listed twice", i, b.Key)
		}
		seen[b.Key] = true
		if err := b.check(); err != nil {
			return nil, fmt.Errorf("manifest: file %s: %w", b.Key, err)
		}
	}
	return &m, nil
}

func (p Part) check() error {
	if p.Size < 0 {
		return fmt.Errorf("negative size %d", p.Size)
	}
	if !isHex(p.SHA256, 64) {
		return fmt.Errorf("malformed SHA-256 %q", p.SHA256)
	}
	return nil
}

// isHex reports whether s is n lower-case hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// identifier reports whether s is a plain lower-case SQL identifier.
func identifier(s string) bool {
	if s == "" || len(s) > 63 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
