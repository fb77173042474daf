// Package storetest opens fresh databases for tests: a SQLite file in a temporary
// folder, and, when BACKREST_TEST_POSTGRES names a PostgreSQL server, a schema of
// its own on that server, dropped when the test ends. Tests run the same cases on
// each with ForEach.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/backrest/backrest/store"
)

// EnvPostgres is the variable naming the PostgreSQL server of the tests.
const EnvPostgres = "BACKREST_TEST_POSTGRES"

// Backend is a database kind that tests run on.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends returns the backends available: SQLite always, PostgreSQL when
// BACKREST_TEST_POSTGRES is set.
func Backends() []Backend {
	if os.Getenv(EnvPostgres) != "" {
		return []Backend{SQLite, Postgres}
	}
	return []Backend{SQLite}
}

// ForEach runs f as a subtest on each backend, and says once when PostgreSQL is
// skipped.
func ForEach(t *testing.T, f func(t *testing.T, b Backend)) {
	t.Helper()
	if os.Getenv(EnvPostgres) == "" {
		t.Logf("PostgreSQL cases skipped: set %s to a postgres:// URL to run them", EnvPostgres)
	}
	for _, b := range Backends() {
		t.Run(string(b), func(t *testing.T) { f(t, b) })
	}
}

// DSN returns the database setting (backrest.Config.DB) of a new, empty database of
// the backend: "" for SQLite (in dataDir), or a URL of a new PostgreSQL schema.
func DSN(t testing.TB, b Backend) string {
	t.Helper()
	if b == SQLite {
		return ""
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL not configured: set %s", EnvPostgres)
	}
	raw := make([]byte, 8)
	rand.Read(raw)
	schema := "test_" + hex.EncodeToString(raw)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated, empty database of the backend, closed when the test ends.
func Open(t testing.TB, b Backend) *store.DB {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), DSN(t, b), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
