// Command backrest runs the backrest server and its administrative commands.
//
//	backrest serve
//	backrest user add [--password P] [--firstname F] [--lastname L] [--role R]... [--inactive] EMAIL
//	backrest user list [--q TEXT] [--role R] [--active[=false]] [--limit N] [--offset N] [--json]
//	backrest user set [--firstname F] [--lastname L] [--email E] [--role R]... [--no-roles] [--active[=false]] EMAIL
//	backrest user delete EMAIL
//	backrest user reset-totp EMAIL
//	backrest migrate
//	backrest files check|sweep
//	backrest backup DEST
//	backrest restore SRC
//	backrest copy [--to-data DIR] [--to-db URL] [--to-s3 URL]
//	backrest version
//	backrest bench [flags]
//
// Every setting is a flag and a BACKREST_* environment variable (see package cli);
// `backrest serve -h` lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/backup"
	"github.com/backrest/backrest/bench"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/cli"
	"github.com/backrest/backrest/store"
	"github.com/mattn/go-isatty"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "backrest:", err)
		os.Exit(1)
	}
}

const usage = `usage: backrest COMMAND [flags]

commands:
  serve            run the server
  user add         add a user: [--password P] [--firstname F] [--lastname L] [--role R]... [--inactive] EMAIL
  user list        list the users: [--q TEXT] [--role R] [--active[=false]] [--limit N] [--offset N] [--json]
  user set         change a user: [--firstname F] [--lastname L] [--email E] [--role R]... [--no-roles] [--active[=false]] EMAIL
  user delete      delete a user and their items: EMAIL
  user reset-totp  remove a user's second factor and recovery codes: EMAIL
  webhook add      add a webhook and print its secret: [--type T]... [--kind K]... [--hook-secret S] [--inactive] URL
  webhook list     list the webhooks and the state of their deliveries
  webhook delete   delete a webhook: ID
  migrate          bring the database schema up to date
  files check      check that every file has its bytes intact and list bytes without a file
  files sweep      delete expired uploads and orphaned bytes now (as the server does hourly)
  backup DEST      copy the database and the file bytes, consistently, while the server runs
  restore SRC      restore a backup into an empty data folder
  copy             copy the whole deployment into an empty one: --to-data DIR, --to-db URL, --to-s3 URL
  version          print the version, module version and revision (also --version, -v)
  bench            measure the API under load (see docs/performance.md)

Run backrest COMMAND -h for the flags of a command and their BACKREST_* variables.
`

// run is the whole program: main only adds the process's signals, arguments,
// environment and output, so that tests can run it as it is. Help asked for is
// written to stdout and is no error.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := command(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// command runs the command named by args[0].
func command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	group := args[0] == "user" || args[0] == "files" || args[0] == "webhook"
	if args[0] == "help" || isHelp(args[0]) || (group && len(args) == 2 && isHelp(args[1])) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "user":
		sub := map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
			"add": userAdd, "list": userList, "set": userSet, "delete": userDelete, "reset-totp": userResetTOTP}
		if len(args) < 2 || sub[args[1]] == nil {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown user command; want: user add, list, set, delete or reset-totp")
		}
		return sub[args[1]](ctx, args[2:], getenv, stdout, stderr)
	case "webhook":
		sub := map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
			"add": webhookAdd, "list": webhookList, "delete": webhookDelete}
		if len(args) < 2 || sub[args[1]] == nil {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown webhook command; want: webhook add, list or delete")
		}
		return sub[args[1]](ctx, args[2:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "files":
		if len(args) < 2 || (args[1] != "check" && args[1] != "sweep") {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown files command; want: files check or files sweep")
		}
		return filesCommand(ctx, args[1], args[2:], getenv, stdout, stderr)
	case "backup":
		return backupCommand(ctx, args[1:], getenv, stdout, stderr)
	case "restore":
		return restoreCommand(ctx, args[1:], getenv, stdout, stderr)
	case "copy":
		return copyCommand(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-version", "-v":
		info, _ := debug.ReadBuildInfo()
		fmt.Fprint(stdout, versionText(info))
		return nil
	case "bench":
		tuneRuntime(getenv, backrest.DefaultConfig())
		return bench.Command(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// isHelp reports whether arg asks for help, as the flag package understands it.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

// parse fills a configuration from the flags of a command, then the environment,
// and returns the arguments after the flags.
func parse(c cli.Command, args []string, getenv func(string) string, stdout io.Writer) (backrest.Config, []string, error) {
	cfg := backrest.DefaultConfig()
	rest, err := cli.Parse(c, &cfg, args, getenv, stdout)
	return cfg, rest, err
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := parse(cli.Command{Name: "backrest serve", About: "Runs the server until SIGINT or SIGTERM."}, args, getenv, stdout)
	if err != nil {
		return err
	}
	tuneRuntime(getenv, cfg)
	a, err := app.New(ctx, cfg, app.Options{Logger: cli.NewLogger(cfg, stderr), ReserveHashProcs: getenv("GOMAXPROCS") == ""})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	return a.Serve(ctx, ln)
}

// tuneRuntime sets the Go runtime up for serving: unless GOMEMLIMIT is set, a soft
// memory limit of 80 MiB plus the argon2id memory of the password hashing workers
// makes the garbage collector return the hashes' memory (19 MiB each by default)
// before the heap doubles; it is a target, not a cap. (Serving also gives each
// running hash a Go processor of its own, unless GOMAXPROCS is set; see
// app.Options.ReserveHashProcs.)
func tuneRuntime(getenv func(string) string, cfg backrest.Config) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80<<20 + int64(cfg.HashConcurrency)*int64(cfg.Argon2.Memory)<<10)
	}
}

// roles is a repeatable --role flag.
type roles []string

func (r *roles) String() string     { return strings.Join(*r, ",") }
func (r *roles) Set(s string) error { *r = append(*r, s); return nil }

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var n account.NewUser
	var rs roles
	cfg, rest, err := parse(cli.Command{Name: "backrest user add", Args: "EMAIL",
		About: "Adds a user with the address EMAIL, active unless --inactive. It works while a server\nruns on the same database.",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&n.Password, "password", "", "the `password` (none: the user must reset it before logging in)")
			fs.StringVar(&n.Firstname, "firstname", "", "first `name`")
			fs.StringVar(&n.Lastname, "lastname", "", "last `name`")
			fs.Var(&rs, "role", "global `role` (repeatable), such as admin")
			fs.BoolVar(&n.Inactive, "inactive", false, "create the user inactive (unconfirmed)")
		}}, args, getenv, stdout)
	if err != nil {
		return err
	}
	n.Email, n.Roles = rest[0], rs
	a, err := app.New(ctx, cfg, app.Options{Logger: cli.NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Accounts.AddUser(ctx, n)
	if err != nil {
		return fieldError("user add", err)
	}
	fmt.Fprintf(stdout, "created user %s <%s>\n", u.ID, u.Email)
	return nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := parse(cli.Command{Name: "backrest migrate", About: "Brings the database schema up to date."}, args, getenv, stdout)
	if err != nil {
		return err
	}
	db, err := store.OpenWith(ctx, cfg.DB, cfg.DataDir, store.Options{SQLiteSync: cfg.SQLiteSync})
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

// filesCommand runs files check or files sweep. Both are safe while a server runs
// on the same data: check only reads (and may list as orphans the bytes of uploads
// in progress), sweep keeps what is younger than the sweep grace period.
func filesCommand(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	about := "Checks that every file has its bytes intact and lists the bytes that no file names."
	if cmd == "sweep" {
		about = "Deletes expired uploads and orphaned bytes now, as the server does every sweep interval."
	}
	cfg, _, err := parse(cli.Command{Name: "backrest files " + cmd, About: about}, args, getenv, stdout)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Options{Logger: cli.NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer a.Close()
	if cmd == "sweep" {
		st, err := a.Files.Sweep(ctx)
		fmt.Fprintf(stdout, "deleted %d expired uploads; %d orphaned blobs and temporary files (%d bytes) of %d blobs\n",
			st.Uploads, st.Blobs.Deleted, st.Blobs.Bytes, st.Blobs.Scanned)
		return err
	}
	rep, err := a.Files.Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d files checked: %d missing, %d corrupt; %d blobs without a file\n",
		rep.Files, len(rep.Missing), len(rep.Corrupt), len(rep.Orphans))
	for _, u := range rep.Missing {
		fmt.Fprintln(stdout, "missing:", u)
	}
	for _, u := range rep.Corrupt {
		fmt.Fprintln(stdout, "corrupt:", u)
	}
	for _, k := range rep.Orphans {
		fmt.Fprintln(stdout, "orphan:", k)
	}
	if len(rep.Missing) > 0 || len(rep.Corrupt) > 0 {
		return errors.New("files check: some files lack their bytes")
	}
	return nil
}

// versionText is the output of backrest version: the program's version, then the
// module version, VCS revision and Go version that info (nil when unknown)
// records. go install …@VERSION records the module version; a build in a
// checkout records the revision.
func versionText(info *debug.BuildInfo) string {
	var b strings.Builder
	fmt.Fprintln(&b, "backrest", backrest.Version)
	if info == nil {
		return b.String()
	}
	if info.Main.Path != "" {
		fmt.Fprintln(&b, "module", info.Main.Path, info.Main.Version)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		line := "revision " + rev
		if t := settings["vcs.time"]; t != "" {
			line += " " + t
		}
		if settings["vcs.modified"] == "true" {
			line += " (modified)"
		}
		fmt.Fprintln(&b, line)
	}
	fmt.Fprintln(&b, "go", info.GoVersion)
	return b.String()
}

// progressOn returns w when it is a terminal, for progress lines, else nil.
func progressOn(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return f
	}
	return nil
}

func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := parse(cli.Command{Name: "backrest backup", Args: "DEST",
		About: "Copies the database and the bytes of its files, consistently and while the server runs,\n" +
			"into the new or empty folder DEST, or into the archive DEST when it ends in .tar.gz, with a\n" +
			"manifest of SHA-256 checksums. On PostgreSQL the database is a pg_dump archive of its schema\n" +
			"(pg_dump must be installed). Progress is shown when stderr is a terminal."}, args, getenv, stdout)
	if err != nil {
		return err
	}
	if cfg.DB == "" {
		// A mistyped data folder must not yield the backup of a new, empty one.
		if _, err := os.Stat(filepath.Join(cfg.DataDir, backup.DatabaseName)); err != nil {
			return fmt.Errorf("backup: no database in the data folder %s: %w", cfg.DataDir, err)
		}
	}
	// The database is opened as it is: a backup migrates nothing.
	db, err := store.OpenWith(ctx, cfg.DB, cfg.DataDir, store.Options{SQLiteSync: cfg.SQLiteSync})
	if err != nil {
		return err
	}
	defer db.Close()
	blobs, err := app.OpenBlobs(cfg)
	if err != nil {
		return err
	}
	st, err := backup.Create(ctx, db, blobs, rest[0], backup.Options{Progress: progressOn(stderr), DSN: cfg.DB})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up the database (%d bytes) and %d files (%d bytes) to %s in %d snapshots\n",
		st.Database, st.Files, st.Bytes, rest[0], st.Rounds)
	return nil
}

func restoreCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := parse(cli.Command{Name: "backrest restore", Args: "SRC",
		About: "Restores the backup SRC (a folder or .tar.gz made by backrest backup) into the data folder,\n" +
			"which must be empty or missing, and, for a backup of PostgreSQL, into the database, whose\n" +
			"schema must hold no table (pg_restore must be installed). Every part is checked against the\n" +
			"manifest first: a damaged backup is refused before anything is written. Start the server\n" +
			"afterwards."}, args, getenv, stdout)
	if err != nil {
		return err
	}
	st, err := backup.Restore(ctx, rest[0], cfg.DataDir, func() (blob.Store, error) { return app.OpenBlobs(cfg) },
		backup.Options{Progress: progressOn(stderr), DSN: cfg.DB})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored the database (%d bytes) and %d files (%d bytes) into %s\n", st.Database, st.Files, st.Bytes, cfg.DataDir)
	return nil
}
