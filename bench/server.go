package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
)

// benchSchema declares the content type of the scenarios: item (plural items),
// with an integer size to filter on, a text body and two relations to other items
// to expand, viewable by any logged-in user.
const benchSchema = `{
  "types": [{
    "name": "item",
    "plural": "items",
    "fields": [
      {"name": "size", "type": "integer"},
      {"name": "body", "type": "text"},
      {"name": "parent", "type": "relation", "target": "item", "on_delete": "set_null"},
      {"name": "related", "type": "relation", "target": "item", "on_delete": "set_null"}
    ],
    "access": {"view": "authenticated"}
  }]
}
`

// server is a backrest server running in this process on a temporary data folder.
type server struct {
	url             string
	database        string
	email, password string
	stop            func()
}

// startServer starts a server on a loopback port, with the benchmark's content
// type, no rate limits, no bound on the change feeds of one user but the total
// (at least o.Subscribers) and an account of its own. Its database is SQLite, or a
// postgres:// URL (o.DB); o.SQLiteSync is its SQLite sync mode (empty: the default);
// o.S3 is empty to keep files in the data folder, or the URL of an S3 bucket;
// o.MetricsAddr is the address of its metrics (empty: none). The server logs its
// errors to o.Log.
func startServer(ctx context.Context, o Options) (*server, error) {
	dir, err := os.MkdirTemp("", "backrest-bench-")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	cfg := backrest.DefaultConfig()
	cfg.DataDir, cfg.DB, cfg.S3, cfg.MetricsAddr = dir, o.DB, o.S3, o.MetricsAddr
	if o.SQLiteSync != "" {
		cfg.SQLiteSync = o.SQLiteSync
	}
	cfg.Schema = filepath.Join(dir, "schema.json")
	cfg.RateLimits = backrest.RateLimits{}
	// The fanout scenario's streams are all of one user.
	cfg.EventStreams = max(cfg.EventStreams, o.Subscribers)
	cfg.EventStreamsPerUser = cfg.EventStreams
	if err := os.WriteFile(cfg.Schema, []byte(benchSchema), 0o644); err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	logger := slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.New(ctx, cfg, app.Options{Logger: logger, ReserveHashProcs: o.ReserveHashProcs})
	if err != nil {
		ln.Close()
		return fail(fmt.Errorf("starting the server: %w", err))
	}
	s := &server{url: cfg.BaseURL, database: "sqlite", email: "bench-" + strings.ToLower(rand.Text()[:12]) + "@example.com", password: rand.Text()}
	if o.DB != "" {
		s.database = "postgres"
	}
	// A new address each run, so that runs can share a PostgreSQL database.
	if _, err := a.Accounts.AddUser(ctx, account.NewUser{Email: s.email, Password: s.password}); err != nil {
		ln.Close()
		a.Close()
		return fail(fmt.Errorf("adding the benchmark's user: %w", err))
	}
	serveCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Serve(serveCtx, ln); err != nil {
			logger.Error("serving", "err", err)
		}
	}()
	s.stop = func() {
		cancel()
		<-done
		a.Close()
		os.RemoveAll(dir)
	}
	return s, nil
}
