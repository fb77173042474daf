// Command backrest runs the backrest server and its administrative commands.
//
//	backrest serve
//	backrest user add [--password P] [--firstname F] [--lastname L] [--role R]... [--inactive] EMAIL
//	backrest migrate
//	backrest version
//
// Every setting is a flag and a BACKREST_* environment variable; `backrest serve -h`
// lists them.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	bhttp "github.com/backrest/backrest/http"
	"github.com/backrest/backrest/mail"
	"github.com/backrest/backrest/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "backrest:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: backrest COMMAND [flags]

commands:
  serve      run the server
  user add   [--password P] [--firstname F] [--lastname L] [--role R]... [--inactive] EMAIL
  migrate    bring the database schema up to date
  version    print the version

Run backrest COMMAND -h for the flags of a command.
`

// run is the whole program: main only adds the process's signals, arguments,
// environment and output, so that tests can run it as it is.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stderr)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown user command; want: user add")
		}
		return userAdd(ctx, args[2:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "backrest", backrest.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// parse fills a configuration from the flags of a command, then the environment.
func parse(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (backrest.Config, *flag.FlagSet, error) {
	cfg := backrest.DefaultConfig()
	fs := flag.NewFlagSet("backrest "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFlags(fs, &cfg)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	if err := applyEnv(fs, getenv); err != nil {
		return cfg, nil, err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return cfg, fs, nil
}

func newLogger(cfg backrest.Config, stderr io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}

// app is everything wired together.
type app struct {
	cfg      backrest.Config
	db       *store.DB
	accounts *account.Service
	log      *slog.Logger
}

// open connects to the database, migrates it and builds the services.
func open(ctx context.Context, cfg backrest.Config, log *slog.Logger) (*app, error) {
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*app, error) {
		db.Close()
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fail(err)
	}
	if len(applied) > 0 {
		log.Info("database migrated", "versions", applied)
	}
	if cfg.Secret == "" {
		cfg.Secret, err = db.Setting(ctx, "secret", func() (string, error) {
			b := make([]byte, 32)
			_, err := rand.Read(b)
			return hex.EncodeToString(b), err
		})
		if err != nil {
			return fail(err)
		}
	}
	var sender mail.Sender
	if cfg.SMTP != "" {
		smtp, err := mail.NewSMTP(cfg.SMTP, cfg.MailFrom)
		if err != nil {
			return fail(err)
		}
		sender = smtp
	} else {
		sender = mail.NewOutbox(filepath.Join(cfg.DataDir, "outbox"), cfg.MailFrom, log)
	}
	templates, err := mail.LoadTemplates(cfg.MailTemplates)
	if err != nil {
		return fail(err)
	}
	accounts, err := account.NewService(db, cfg, mail.NewMailer(templates, sender), account.Options{Logger: log})
	if err != nil {
		return fail(err)
	}
	return &app{cfg: cfg, db: db, accounts: accounts, log: log}, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, _, err := parse("serve", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	a, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           bhttp.NewServer(bhttp.Deps{Config: a.cfg, Accounts: a.accounts, Logger: log}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	upkeep, stopUpkeep := context.WithCancel(context.WithoutCancel(ctx))
	defer stopUpkeep()
	go a.upkeep(upkeep, time.Hour)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("backrest listening", "addr", ln.Addr().String(), "url", a.cfg.BaseURL, "db", dbKind(cfg))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func dbKind(cfg backrest.Config) string {
	if cfg.DB == "" {
		return "sqlite:" + filepath.Join(cfg.DataDir, "backrest.db")
	}
	return "postgres"
}

// upkeep removes expired sessions now and then every interval, until ctx ends.
func (a *app) upkeep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.accounts.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("deleting expired sessions", "err", err)
		} else if n > 0 {
			a.log.Info("deleted expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// roles is a repeatable --role flag.
type roles []string

func (r *roles) String() string     { return strings.Join(*r, ",") }
func (r *roles) Set(s string) error { *r = append(*r, s); return nil }

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var n account.NewUser
	var rs roles
	cfg, fs, err := parse("user add", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&n.Password, "password", "", "password (none: the user must reset it)")
		fs.StringVar(&n.Firstname, "firstname", "", "first name")
		fs.StringVar(&n.Lastname, "lastname", "", "last name")
		fs.Var(&rs, "role", "global role (repeatable), such as admin")
		fs.BoolVar(&n.Inactive, "inactive", false, "create the user inactive (unconfirmed)")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("user add: want exactly one EMAIL after the flags")
	}
	n.Email, n.Roles = fs.Arg(0), rs
	a, err := open(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.db.Close()
	u, err := a.accounts.AddUser(ctx, n)
	if err != nil {
		var e *backrest.Error
		if errors.As(err, &e) && len(e.Fields) > 0 {
			return fmt.Errorf("user add: %s: %s", e.Fields[0].Name, e.Fields[0].Description)
		}
		return err
	}
	fmt.Fprintf(stdout, "created user %s <%s>\n", u.ID, u.Email)
	return nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := parse("migrate", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	}
	fmt.Fprintln(stdout, "applied migrations", applied)
	return nil
}
