package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/blob/blobtest"
	"github.com/backrest/backrest/files"
	"github.com/backrest/backrest/store/storetest"
)

// env is an environment for run with only the given variables.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out, &out); err != nil || !strings.HasPrefix(out.String(), "backrest ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), &out, &out); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(context.Background(), nil, env(nil), &out, &out); err == nil {
		t.Fatal("no command accepted")
	}
}

func TestMigrate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b)}
		var out bytes.Buffer
		if err := run(context.Background(), []string{"migrate"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "applied migrations") {
			t.Fatalf("first migrate: %q, %v", out.String(), err)
		}
		out.Reset()
		if err := run(context.Background(), []string{"migrate"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "up to date") {
			t.Fatalf("second migrate: %q, %v", out.String(), err)
		}
	})
}

// backrest user add works while a server runs on the same data folder, and the
// server sees the new user at once.
func TestUserAddWhileServing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		addr := freeAddr(t)
		vars := map[string]string{
			"BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b), "BACKREST_ADDR": addr,
			"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1",
		}
		base := serveInBackground(t, addr, vars)

		var out bytes.Buffer
		args := []string{"user", "add", "--password", "s3cret pass", "--firstname", "Root", "--role", "admin", "--role", "editor", "root@example.com"}
		if err := run(context.Background(), args, env(vars), &out, &out); err != nil {
			t.Fatalf("user add: %v: %s", err, out.String())
		}
		if err := run(context.Background(), args, env(vars), &out, &out); err == nil || !strings.Contains(err.Error(), "Email already exists") {
			t.Fatalf("second user add: %v", err)
		}
		if err := run(context.Background(), []string{"user", "add", "not-an-address"}, env(vars), &out, &out); err == nil {
			t.Fatal("bad address accepted")
		}
		if err := run(context.Background(), []string{"user", "add", "--inactive", "later@example.com"}, env(vars), &out, &out); err != nil {
			t.Fatalf("user add without a password: %v", err)
		}

		res, err := http.DefaultClient.Do(jsonRequest(t, "PUT", base+"/-/login", `{"login": "root@example.com", "password": "s3cret pass"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Status string
			User   struct {
				Firstname string
				Roles     []string
			}
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Status != "success" ||
			body.User.Firstname != "Root" || strings.Join(body.User.Roles, ",") != "admin,editor" {
			t.Fatalf("login as the new user: %+v, %v", body, err)
		}
	})
}

func jsonRequest(t *testing.T, method, url, body string) *http.Request {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// serveInBackground runs serve at addr with the variables vars until the test
// ends, and returns its base URL once it answers.
func serveInBackground(t *testing.T, addr string, vars map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(vars), logs, logs) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, logs.String())
		}
	})
	base := "http://" + addr
	waitUp(t, base)
	return base
}

// waitUp waits until the server at base answers.
func waitUp(t *testing.T, base string) {
	t.Helper()
	for range 200 {
		res, err := http.Get(base + "/-/")
		if err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("server at %s did not come up", base)
}

// A request in flight when the server is told to stop still gets its answer.
func TestGracefulShutdown(t *testing.T) {
	addr := freeAddr(t)
	vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_ADDR": addr}
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(vars), &logs, &logs) }()
	base := "http://" + addr
	waitUp(t, base)

	// A slow upload: the body arrives after the shutdown began.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"login": "nobody@example.com", "password": "whatever"}`
	head := "PUT /-/login HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + body[:10])); err != nil {
		t.Fatal(err)
	}
	// Let the server start reading the request, then stop it while the rest of the
	// body is still on its way.
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(100 * time.Millisecond)
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("in-flight request: %d", res.StatusCode)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func TestMain(m *testing.M) {
	if table := os.Getenv(copyChildEnv); table != "" {
		copyChild(table)
	}
	os.Exit(blobtest.Main(m))
}

// files check reports orphaned bytes and files whose bytes are gone; files sweep
// removes the orphans older than the grace period. Both work on a folder and on
// S3.
func TestFilesCommands(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		data := t.TempDir()
		blobs, err := blob.NewLocal(filepath.Join(data, "files"))
		if err != nil {
			t.Fatal(err)
		}
		filesCommands(t, data, "", blobs)
	})
	t.Run("s3", func(t *testing.T) {
		u := blobtest.URL(t)
		cfg, err := blob.ParseS3URL(u)
		if err != nil {
			t.Fatal(err)
		}
		blobs, err := blob.NewS3(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		filesCommands(t, t.TempDir(), u, blobs)
	})
}

// filesCommands runs the files commands on the data folder data, with the bytes
// in blobs: the folder's, or the bucket of the S3 URL s3.
func filesCommands(t *testing.T, data, s3 string, blobs blob.Store) {
	vars := map[string]string{"BACKREST_DATA": data, "BACKREST_S3": s3, "BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1"}
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "0 files checked: 0 missing, 0 corrupt; 0 blobs without a file") {
		t.Fatalf("check of nothing: %q, %v", out.String(), err)
	}
	orphan, err := blobs.Create(ctx, strings.NewReader("orphan"))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "orphan: "+orphan.Key) {
		t.Fatalf("check with an orphan: %q, %v", out.String(), err)
	}
	// The orphan is younger than the default grace period: kept.
	out.Reset()
	if err := run(ctx, []string{"files", "sweep"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "0 orphaned") {
		t.Fatalf("sweep: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(ctx, []string{"files", "sweep", "--sweep-grace", "0"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "1 orphaned") {
		t.Fatalf("sweep without grace: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "0 blobs without a file") {
		t.Fatalf("check after the sweep: %q, %v", out.String(), err)
	}
	if err := run(ctx, []string{"files", "frob"}, env(vars), &out, &out); err == nil {
		t.Fatal("unknown files command accepted")
	}

	// A file whose bytes are gone fails the check.
	cfg := backrest.DefaultConfig()
	cfg.DataDir, cfg.S3 = data, s3
	a, err := app.New(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	u := &backrest.User{ID: backrest.UserID{1}}
	f, err := a.Files.Upload(ctx, u, files.Upload{Body: strings.NewReader("bytes"), Filename: "f.txt"})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.Delete(ctx, f.Key); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err == nil || !strings.Contains(out.String(), "missing: "+f.UUID) {
		t.Fatalf("check with a missing file: %q, %v", out.String(), err)
	}
}

// A bad S3 setting stops the command with a message that names the problem and
// never shows the secret.
func TestS3Setting(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ s3, limit, want string }{
		{"s3://AK:Sup3r/Secret@host/bucket", "", "malformed"},
		{"s3://AK:Sup3rSecret@host/Bucket", "", "bad bucket name"},
		{"s3://AK:Sup3rSecret@host/bucket?part-size=5242880", "60000000000", "raise part-size"},
		// Nothing listens on port 1.
		{"s3://AK:Sup3rSecret@127.0.0.1:1/bucket?tls=false", "", `bucket "bucket" at http://127.0.0.1:1`},
	} {
		vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_S3": c.s3, "BACKREST_UPLOAD_LIMIT": c.limit}
		var out bytes.Buffer
		err := run(ctx, []string{"files", "check"}, env(vars), &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("BACKREST_S3=%s: %v, want an error saying %q", c.s3, err, c.want)
			continue
		}
		if strings.Contains(err.Error()+out.String(), "Sup3r") {
			t.Errorf("BACKREST_S3=%s: %v: the secret is shown", c.s3, err)
		}
	}
}

// Help is on stdout and no error; it shows the usage line with the arguments, the
// command's own flags before the settings, and each setting's variable.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"serve", "-h"}, {"serve", "--help"}, {"migrate", "-h"}, {"files", "check", "-h"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, env(nil), &out, &errOut); err != nil || errOut.Len() > 0 {
			t.Fatalf("%v: %v, stderr %q", args, err, errOut.String())
		}
		for _, want := range []string{"usage: backrest " + args[0], "Server and database:", "--addr STRING  (BACKREST_ADDR)",
			"--sqlite-sync full|normal  (BACKREST_SQLITE_SYNC)", "(default full)", "--debug  (BACKREST_DEBUG)",
			"--limit-login-account N/DURATION  (BACKREST_LIMIT_LOGIN_ACCOUNT)", "--session-ttl DURATION  (BACKREST_SESSION_TTL)"} {
			if !strings.Contains(out.String(), want) {
				t.Fatalf("%v: no %q in\n%s", args, want, out.String())
			}
		}
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "add", "-h"}, env(nil), &out, &out); err != nil {
		t.Fatal(err)
	}
	help := out.String()
	if !strings.HasPrefix(help, "usage: backrest user add [flags] EMAIL\n") {
		t.Fatalf("user add usage: %s", help)
	}
	own := []string{"--password PASSWORD\n", "--firstname NAME\n", "--lastname NAME\n", "--role ROLE\n", "--inactive\n"}
	settings := strings.Index(help, "Server and database:")
	for _, f := range own {
		if i := strings.Index(help, f); i < 0 || i > settings {
			t.Fatalf("user add: own flag %q not before the settings:\n%s", f, help)
		}
	}
	if strings.Contains(help, "BACKREST_PASSWORD\n") || strings.Contains(help, "BACKREST_ROLE") {
		t.Fatalf("user add: own flags have no variable:\n%s", help)
	}

	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"user", "-h"}, {"files", "--help"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, env(nil), &out, &errOut); err != nil || errOut.Len() > 0 || !strings.Contains(out.String(), "usage: backrest COMMAND") {
			t.Fatalf("%v: %v: %q, stderr %q", args, err, out.String(), errOut.String())
		}
	}
	var errOut bytes.Buffer
	out.Reset()
	if err := run(context.Background(), []string{"bench", "-h"}, env(nil), &out, &errOut); err != nil || errOut.Len() > 0 || !strings.Contains(out.String(), "usage: backrest bench") {
		t.Fatalf("bench -h: %v: %q, stderr %q", err, out.String(), errOut.String())
	}
	if err := run(context.Background(), []string{"bench", "--frob"}, env(nil), &out, &errOut); err == nil || !strings.Contains(err.Error(), "see backrest bench -h") {
		t.Fatalf("bench --frob: %v", err)
	}
}

// A command's own flags are not read from the environment.
func TestOwnFlagsHaveNoVariable(t *testing.T) {
	vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_PASSWORD": "from the environment",
		"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "add", "ann@example.com"}, env(vars), &out, &out); err != nil {
		t.Fatal(err)
	}
	cfg := backrest.DefaultConfig()
	cfg.DataDir = vars["BACKREST_DATA"]
	cfg.Argon2 = backrest.Argon2Params{Memory: 64, Time: 1, Threads: 1}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Accounts.Login(context.Background(), "ann@example.com", "from the environment"); err == nil {
		t.Fatal("user add took its password from BACKREST_PASSWORD")
	}
}

func TestVersionFlags(t *testing.T) {
	for _, arg := range []string{"--version", "-v", "version"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{arg}, env(nil), &out, &out); err != nil || !strings.HasPrefix(out.String(), "backrest "+backrest.Version+"\n") {
			t.Fatalf("%s: %q, %v", arg, out.String(), err)
		}
	}
}

// backrest version prints the module version and VCS revision that the Go
// toolchain recorded in the binary.
func TestVersionBuildInfo(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(t.TempDir(), "backrest")
	build := exec.Command(gobin, "build", "-buildvcs=auto", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	// What the toolchain says it recorded.
	info, err := exec.Command(gobin, "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var module, revision string
	for _, line := range strings.Split(string(info), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "mod" {
			module = f[1] + " " + f[2]
		}
		if len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision=") {
			revision = strings.TrimPrefix(f[1], "vcs.revision=")
		}
	}
	if module == "" || !strings.Contains(string(out), "\nmodule "+module+"\n") {
		t.Fatalf("version printed %q; the binary records module %q", out, module)
	}
	if revision != "" && !strings.Contains(string(out), "\nrevision "+revision) {
		t.Fatalf("version printed %q; the binary records revision %s", out, revision)
	}
	t.Logf("%s", out)
}

func TestVersionText(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/backrest/backrest", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: "true"}}}
	want := "backrest " + backrest.Version + "\nmodule github.com/backrest/backrest v1.2.3\nrevision abc123 2026-01-02T03:04:05Z (modified)\ngo go1.26.8\n"
	if got := versionText(info); got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if got := versionText(nil); got != "backrest "+backrest.Version+"\n" {
		t.Fatalf("without build info: %q", got)
	}
}

// A deployment moves from its data folder to S3 and back with backup and
// restore: the restored files pass the check, and a bucket prefix that holds
// files already is refused.
func TestBackupRestoreS3(t *testing.T) {
	ctx := context.Background()
	s3 := blobtest.URL(t)
	base := map[string]string{"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1"}
	with := func(kv ...string) map[string]string {
		m := maps.Clone(base)
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	local := with("BACKREST_DATA", t.TempDir())
	cfg := backrest.DefaultConfig()
	cfg.DataDir = local["BACKREST_DATA"]
	a, err := app.New(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	u := &backrest.User{ID: backrest.UserID{1}}
	for _, body := range []string{"one", strings.Repeat("two", 1000)} {
		if _, err := a.Files.Upload(ctx, u, files.Upload{Body: strings.NewReader(body), Filename: "f.txt"}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	var out bytes.Buffer
	check := func(vars map[string]string) {
		t.Helper()
		out.Reset()
		if err := run(ctx, []string{"files", "check"}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "2 files checked: 0 missing, 0 corrupt; 0 blobs without a file") {
			t.Fatalf("check: %q, %v", out.String(), err)
		}
	}

	toS3 := filepath.Join(t.TempDir(), "to-s3")
	if err := run(ctx, []string{"backup", toS3}, env(local), &out, &out); err != nil {
		t.Fatalf("backup: %q, %v", out.String(), err)
	}
	onS3 := with("BACKREST_DATA", filepath.Join(t.TempDir(), "s3"), "BACKREST_S3", s3)
	out.Reset()
	if err := run(ctx, []string{"restore", toS3}, env(onS3), &out, &out); err != nil || !strings.Contains(out.String(), "and 2 files (3003 bytes)") {
		t.Fatalf("restore onto S3: %q, %v", out.String(), err)
	}
	check(onS3)
	again := with("BACKREST_DATA", filepath.Join(t.TempDir(), "again"), "BACKREST_S3", s3)
	if err := run(ctx, []string{"restore", toS3}, env(again), &out, &out); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into a bucket prefix with files: %v", err)
	}

	back := filepath.Join(t.TempDir(), "back")
	if err := run(ctx, []string{"backup", back}, env(onS3), &out, &out); err != nil {
		t.Fatalf("backup from S3: %q, %v", out.String(), err)
	}
	local2 := with("BACKREST_DATA", filepath.Join(t.TempDir(), "local"))
	if err := run(ctx, []string{"restore", back}, env(local2), &out, &out); err != nil {
		t.Fatalf("restore from S3: %q, %v", out.String(), err)
	}
	check(local2)
}

// backrest backup copies a data folder, restore brings it back into an empty one
// only, and the restored data serves the same accounts.
func TestBackupRestoreCommands(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1"}
	var out bytes.Buffer
	add := []string{"user", "add", "--password", "s3cret pass", "ann@example.com"}
	if err := run(ctx, add, env(vars), &out, &out); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "b.tar.gz")
	out.Reset()
	if err := run(ctx, []string{"backup", dest}, env(vars), &out, &out); err != nil || !strings.Contains(out.String(), "and 0 files (0 bytes) to "+dest+" in 1 snapshots") {
		t.Fatalf("backup: %q, %v", out.String(), err)
	}
	restored := map[string]string{"BACKREST_DATA": filepath.Join(t.TempDir(), "restored"), "BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1"}
	out.Reset()
	if err := run(ctx, []string{"restore", dest}, env(restored), &out, &out); err != nil || !strings.Contains(out.String(), "restored the database") {
		t.Fatalf("restore: %q, %v", out.String(), err)
	}
	if err := run(ctx, []string{"restore", dest}, env(restored), &out, &out); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("restore into a used folder: %v", err)
	}
	if err := run(ctx, add, env(restored), &out, &out); err == nil || !strings.Contains(err.Error(), "Email already exists") {
		t.Fatalf("the restored data lacks the user: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup"}, "want DEST after the flags"},
		{[]string{"backup", filepath.Join(t.TempDir(), "b")}, "backup: no database in the data folder"},
		{[]string{"restore"}, "want SRC after the flags"},
		{[]string{"restore", filepath.Join(t.TempDir(), "nothing")}, "has no manifest.json"},
	} {
		err := run(ctx, c.args, env(map[string]string{"BACKREST_DATA": filepath.Join(t.TempDir(), "d")}), &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"backup", "-h"}, env(nil), &out, &out); err != nil || !strings.HasPrefix(out.String(), "usage: backrest backup [flags] DEST\n") {
		t.Fatalf("backup -h: %q, %v", out.String(), err)
	}
}

// Arguments a command does not take are errors, before anything starts.
func TestUnexpectedArguments(t *testing.T) {
	vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_ADDR": freeAddr(t)}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "extra-arg"}, `unexpected argument "extra-arg" (see backrest serve -h)`},
		{[]string{"migrate", "now"}, `unexpected argument "now"`},
		{[]string{"files", "check", "all"}, `unexpected argument "all"`},
		{[]string{"user", "add", "a@example.com", "b@example.com"}, `unexpected argument "b@example.com"`},
		{[]string{"user", "add"}, "want EMAIL after the flags"},
		{[]string{"user", "add", "a@example.com", "--password", "pw"}, "flag --password after the arguments: flags go first"},
		{[]string{"serve", "--frob"}, "flag provided but not defined: -frob (see backrest serve -h)"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), c.args, env(vars), &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// Every refused value names its flag or variable and the form expected, and all
// refused variables are told at once.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		vars map[string]string
		want []string
	}{
		{nil, map[string]string{"BACKREST_DEBUG": "yes"}, []string{`invalid value "yes" for BACKREST_DEBUG: want true or false`}},
		{nil, map[string]string{"BACKREST_ARGON2_THREADS": "abc", "BACKREST_SESSION_TTL": "5", "BACKREST_SQLITE_SYNC": "off"}, []string{
			`invalid value "abc" for BACKREST_ARGON2_THREADS: want an integer from 0 to 255`,
			`invalid value "5" for BACKREST_SESSION_TTL: want a duration such as 90s, 15m or 24h`,
			`invalid value "off" for BACKREST_SQLITE_SYNC: want full or normal`}},
		{nil, map[string]string{"BACKREST_LIMIT_LOGIN_ADDR": "10"}, []string{`BACKREST_LIMIT_LOGIN_ADDR: want N/DURATION, such as 10/15m`}},
		{nil, map[string]string{"BACKREST_BODY_LIMIT": "1MB"}, []string{`BACKREST_BODY_LIMIT: want an integer`}},
		{[]string{"--argon2-memory", "-1"}, nil, []string{`invalid value "-1" for flag -argon2-memory: want an integer from 0 to 4294967295`}},
		{[]string{"--debug=yes"}, nil, []string{`invalid boolean value "yes" for -debug: want true or false`}},
		{nil, map[string]string{"BACKREST_CORS_ORIGINS": "http://localhost:5173,*"}, []string{
			`invalid value "http://localhost:5173,*" for BACKREST_CORS_ORIGINS: want comma-separated origins such as http://localhost:5173`}},
		{[]string{"--cors-origins", "http://localhost:5173/app"}, nil, []string{`for flag -cors-origins: want comma-separated origins`}},
	} {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"migrate"}, c.args...), env(c.vars), &out, &out)
		if err == nil {
			t.Fatalf("%v %v accepted", c.args, c.vars)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%v %v: %q, want %q", c.args, c.vars, err, w)
			}
		}
		if strings.Contains(err.Error(), "strconv") || strings.Contains(err.Error(), "parse error") {
			t.Fatalf("%v %v: parser's own message: %q", c.args, c.vars, err)
		}
	}
}

// A schema file with several problems is refused with all of them, each naming
// its type and field.
func TestSchemaFileProblems(t *testing.T) {
	schema := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(schema, []byte(`{"types": [
		{"name": "note", "fields": [{"name": "body", "type": "text", "maxlength": 10}, {"name": "rank", "type": "integer", "min": "one"}]},
		{"name": "page", "fields": [{"name": "size", "type": "integer", "pattern": "^a$"}]},
		{"name": "post", "plurl": "posts"}
	]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_ADDR": freeAddr(t), "BACKREST_SCHEMA": schema}
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve"}, env(vars), &out, &out)
	if err == nil {
		t.Fatal("bad schema accepted")
	}
	for _, want := range []string{
		`content type "note": field "body": json: unknown field "maxlength"`,
		`content type "note": field "rank": json: cannot unmarshal`,
		`content type "page": field "size": max_length and pattern apply to string and text fields only`,
		`content type "post": json: unknown field "plurl"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("no %q in\n%v", want, err)
		}
	}
}

// Commands that do not load the schema file leave its category groups as the
// server set them.
func TestAdminCommandsKeepCategoryGroups(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		addr := freeAddr(t)
		vars := map[string]string{
			"BACKREST_DATA": t.TempDir(), "BACKREST_DB": storetest.DSN(t, b), "BACKREST_ADDR": addr,
			"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1",
		}
		serveVars := maps.Clone(vars)
		serveVars["BACKREST_SCHEMA"] = filepath.Join("..", "..", "examples", "schema.json")
		base := serveInBackground(t, addr, serveVars)

		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		var out bytes.Buffer
		const want = `[{"title":"mine","group":null},{"title":"beginners","group":"audience"},{"title":"experts","group":"audience"},` +
			`{"title":"howto","group":"topics"},{"title":"news","group":"topics"},{"title":"release","group":"topics"}]`
		for i, args := range [][]string{
			{"user", "add", "--password", "s3cret pass", "root@example.com"},
			{"files", "check"},
			{"migrate"},
			{"files", "sweep"},
		} {
			out.Reset()
			if err := run(context.Background(), args, env(vars), &out, &out); err != nil {
				t.Fatalf("%v: %v: %s", args, err, out.String())
			}
			if i == 0 {
				res, err := client.Do(jsonRequest(t, "PUT", base+"/-/login", `{"login": "root@example.com", "password": "s3cret pass"}`))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				res, err = client.Do(jsonRequest(t, "POST", base+"/-/documents", `{"title": "d", "slug": "d", "categories": ["mine"]}`))
				if err != nil || res.StatusCode != http.StatusCreated {
					t.Fatalf("create a document: %v, %v", res, err)
				}
				res.Body.Close()
			}
			res, err := client.Get(base + "/-/categories")
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || compactJSON(t, data) != want {
				t.Fatalf("categories after %v: %s, %v; want %s", args, data, err, want)
			}
		}
	})
}

func compactJSON(t *testing.T, data []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	return b.String()
}

// Progress goes to stderr only when it is a terminal.
func TestProgressOnTerminalOnly(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if progressOn(f) != nil || progressOn(&bytes.Buffer{}) != nil {
		t.Fatal("progress shown on a file")
	}
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	if progressOn(tty) == nil {
		t.Fatal("no progress on a terminal")
	}
}

// lockedBuffer is a log destination that a test may read while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// status returns the status of a GET of url, or 0 when it got no answer.
func status(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// serve serves the metrics on their own address, and at SIGTERM (here: the end of
// ctx) readiness fails while the server goes on answering for the drain delay
// (long enough for the two requests below on a loaded machine).
func TestServeMetricsAndDrain(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_ADDR": addr, "BACKREST_METRICS_ADDR": metricsAddr,
		"BACKREST_DRAIN_DELAY": "10s", "BACKREST_LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(vars), logs, logs) }()
	base := "http://" + addr
	waitUp(t, base)
	if code, body := status(t, base+"/-/health/ready"); code != http.StatusOK {
		t.Fatalf("ready: %d %s", code, body)
	}
	code, metrics := status(t, "http://"+metricsAddr+"/metrics")
	if code != http.StatusOK || !strings.Contains(metrics, `backrest_http_requests_total{method="GET",route="/-/health/ready",status="200"} 1`) {
		t.Fatalf("metrics: %d %s", code, metrics)
	}
	if code, _ := status(t, base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("metrics on the API's address: %d", code)
	}

	cancel()
	for !strings.Contains(logs.String(), "readiness fails, still serving") {
		time.Sleep(10 * time.Millisecond)
	}
	if code, body := status(t, base+"/-/health/ready"); code != http.StatusServiceUnavailable || !strings.Contains(body, "The server is shutting down") {
		t.Errorf("ready while draining: %d %s", code, body)
	}
	if code, body := status(t, base+"/-/health/live"); code != http.StatusOK {
		t.Errorf("live while draining: %d %s", code, body)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %s", line)
		}
	}
}
