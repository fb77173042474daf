package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/backrest/backrest/backup"
	"github.com/backrest/backrest/blob/blobtest"
	"github.com/backrest/backrest/cli"
	"github.com/backrest/backrest/store/storetest"
)

// client is a logged-in HTTP client of a server.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

// login logs in at the server base and returns its client; it fails the test
// when the password is refused.
func login(t *testing.T, base, email, password string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: base, http: &http.Client{Jar: jar}}
	if code, body := c.do("PUT", "/-/login", fmt.Sprintf(`{"login": %q, "password": %q}`, email, password)); code != 200 {
		t.Fatalf("login at %s: %d %s", base, code, body)
	}
	return c
}

// do sends a request with the JSON body (none when empty) and returns the
// status and body of the answer.
func (c *client) do(method, path, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// serveFor runs serve with vars until the returned function is called.
func serveFor(t *testing.T, vars map[string]string) (string, func()) {
	t.Helper()
	addr := freeAddr(t)
	vars = maps.Clone(vars)
	vars["BACKREST_ADDR"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(vars), logs, logs) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, logs.String())
		}
	}
	t.Cleanup(stop)
	base := "http://" + addr
	waitUp(t, base)
	return base, stop
}

const copyCmdSchema = `{"types": [{"name": "note", "categories": true, "fields": [
	{"name": "body", "type": "text"}, {"name": "attachment", "type": "file"}]}]}`

// copySource makes a deployment on SQLite and a folder, with a user and five
// items with files, through a server, and returns its variables.
func copySource(t *testing.T) map[string]string {
	t.Helper()
	schema := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(schema, []byte(copyCmdSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_SCHEMA": schema, "BACKREST_BASE_URL": "https://app.example",
		"BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "add", "--password", "s3cret pass", "ann@example.com"}, env(vars), &out, &out); err != nil {
		t.Fatal(err)
	}
	base, stop := serveFor(t, vars)
	ann := login(t, base, "ann@example.com", "s3cret pass")
	for i := range 5 {
		data := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(fmt.Sprint(i), 1000*i+1)))
		body := fmt.Sprintf(`{"title": "note %d", "body": "é %d", "categories": ["c%d"], "attachment": {"data": "data:text/plain;base64,%s", "filename": "f%d.txt"}}`, i, i, i%2, data, i)
		if code, res := ann.do("POST", "/-/notes", body); code != 201 {
			t.Fatalf("create: %d %s", code, res)
		}
	}
	stop()
	return vars
}

// sameAnswers serves the deployments of the variables src and dst and checks
// that they answer alike: logins with the same password, the same items and
// categories, the same bytes of files; and that a new item on dst gets the
// next id.
func sameAnswers(t *testing.T, src, dst map[string]string) {
	t.Helper()
	srcBase, _ := serveFor(t, src)
	dstBase, _ := serveFor(t, dst)
	a, b := login(t, srcBase, "ann@example.com", "s3cret pass"), login(t, dstBase, "ann@example.com", "s3cret pass")
	for _, path := range []string{"/-/notes?limit=100", "/-/categories", "/-/login"} {
		ca, ba := a.do("GET", path, "")
		cb, bb := b.do("GET", path, "")
		if ca != 200 || cb != ca || ba != bb {
			t.Fatalf("GET %s: the copy answers %d %s\nthe source %d %s", path, cb, bb, ca, ba)
		}
	}
	_, list := a.do("GET", "/-/notes", "")
	var items []struct {
		Attachment struct{ URL string } `json:"attachment"`
	}
	if err := json.Unmarshal([]byte(list), &items); err != nil || len(items) != 5 {
		t.Fatalf("items: %v %s", err, list)
	}
	for _, it := range items {
		path := strings.TrimPrefix(it.Attachment.URL, "https://app.example")
		ca, ba := a.do("GET", path, "")
		cb, bb := b.do("GET", path, "")
		if ca != 200 || cb != 200 || ba != bb {
			t.Fatalf("GET %s: the copy answers %d (%d bytes), the source %d (%d bytes)", path, cb, len(bb), ca, len(ba))
		}
	}
	if code, res := b.do("POST", "/-/notes", `{"title": "after"}`); code != 201 || !strings.Contains(res, `"id":6,`) {
		t.Fatalf("create on the copy: %d %s", code, res)
	}
}

// backrest copy moves a deployment from SQLite and a folder into PostgreSQL
// and S3 when the tests have them (else another data folder), and a server on
// the copy answers as one on the source: the same items, the same bytes of
// files, logins with the same passwords.
func TestCopyCommand(t *testing.T) {
	vars := copySource(t)
	target := maps.Clone(vars)
	target["BACKREST_DATA"] = filepath.Join(t.TempDir(), "target")
	args := []string{"copy", "--to-data", target["BACKREST_DATA"]}
	if os.Getenv(storetest.EnvPostgres) != "" {
		target["BACKREST_DB"] = storetest.DSN(t, storetest.Postgres)
		args = append(args, "--to-db", target["BACKREST_DB"])
	}
	if blobtest.Enabled() {
		target["BACKREST_S3"] = blobtest.URL(t)
		args = append(args, "--to-s3", target["BACKREST_S3"])
	}
	var out bytes.Buffer
	if err := run(context.Background(), args, env(vars), &out, &out); err != nil {
		t.Fatalf("copy: %v\n%s", err, out.String())
	}
	for _, want := range []string{`copied \d+ rows and 5 files \(10005 bytes\)`, `\n  content +5 rows  sha256 [0-9a-f]{16}  ok\n`, `\n  files +5 rows .* ok\n`,
		"sequence of content set to 5", `checked the bytes of 5 files \(10005 bytes\)`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Fatalf("the report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "DIFFERENT") || strings.Contains(out.String(), "\r") {
		t.Fatalf("report:\n%s", out.String())
	}
	sameAnswers(t, vars, target)
}

// copyChildEnv, in the environment of this test binary, makes it a process
// that copies the deployment of its settings into the data folder
// copyChildTarget and halts after the first batch of the table it names, to
// be killed.
const (
	copyChildEnv    = "BACKREST_TEST_COPY_CHILD"
	copyChildTarget = "BACKREST_TEST_COPY_TARGET"
)

// copyChild is the process of copyChildEnv; it never returns.
func copyChild(table string) {
	ctx := context.Background()
	cfg, _, err := parse(cli.Command{Name: "copy child"}, nil, os.Getenv, io.Discard)
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	src, dst, closeAll, err := copyEnds(ctx, cfg, copyFlags{data: os.Getenv(copyChildTarget), workers: 2})
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	defer closeAll(&dst)
	_, err = backup.Copy(ctx, src, dst, backup.CopyOptions{Batch: 2, AfterBatch: func(t string, _ int64) {
		if t == table {
			fmt.Println("halted")
			select {}
		}
	}})
	fmt.Println("the copy ended:", err)
	os.Exit(2)
}

// A copy killed (SIGKILL) after a committed batch of files goes on when the
// command runs again, and the copy answers as the source.
func TestCopyCommandKilled(t *testing.T) {
	vars := copySource(t)
	target := maps.Clone(vars)
	target["BACKREST_DATA"] = filepath.Join(t.TempDir(), "target")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// Only the source's settings: none of the BACKREST_* variables of the tests'
	// environment.
	cmd.Env = []string{copyChildEnv + "=files", copyChildTarget + "=" + target["BACKREST_DATA"]}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// The child dies with the thread that started it: that thread is kept until
	// the child has exited.
	started, exited := make(chan error), make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "halted\n" {
		cmd.Process.Kill()
		<-exited
		t.Fatalf("the copy did not halt: %q %v", line, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited

	var out bytes.Buffer
	if err := run(context.Background(), []string{"serve"}, env(target), &out, &out); err == nil || !strings.Contains(err.Error(), "unfinished copy") {
		t.Fatalf("serve on the killed copy: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"copy", "--to-data", target["BACKREST_DATA"]}, env(vars), &out, &out); err != nil {
		t.Fatalf("copy again: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "went on with an interrupted copy\n") || !regexp.MustCompile(`copied \d+ rows and 3 files`).MatchString(out.String()) {
		t.Fatalf("the copy did not go on after the 2 files copied:\n%s", out.String())
	}
	sameAnswers(t, vars, target)
}

// Bad arguments of backrest copy are refused before anything is written, with
// a message naming the flag or what is wrong; so is a target that holds data.
func TestCopyCommandErrors(t *testing.T) {
	ctx := context.Background()
	src := map[string]string{"BACKREST_DATA": t.TempDir(), "BACKREST_ARGON2_MEMORY": "64", "BACKREST_ARGON2_TIME": "1"}
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "add", "--password", "s3cret pass", "ann@example.com"}, env(src), &out, &out); err != nil {
		t.Fatal(err)
	}
	used := t.TempDir()
	if err := run(ctx, []string{"user", "add", "--password", "s3cret pass", "bob@example.com"}, env(map[string]string{"BACKREST_DATA": used}), &out, &out); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	for _, c := range []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"copy"}, src, "copy: name the target: --to-data DIR"},
		{[]string{"copy", "--to-db", "postgres://x@127.0.0.1/db"}, src, "copy: name the target"},
		{[]string{"copy", "--to-data", fresh, "--to-db", "mysql://u:secret@h/db"}, src, `--to-db: want a postgres:// URL, not "mysql://u:xxxxx@h/db"`},
		{[]string{"copy", "--to-data", fresh, "--to-s3", "s3://bucket"}, src, "--to-s3: "},
		{[]string{"copy", "--to-data", fresh, "--workers", "0"}, src, "--workers: want at least 1"},
		{[]string{"copy", "--to-data", fresh, "extra"}, src, `unexpected argument "extra"`},
		{[]string{"copy", "--to-data", src["BACKREST_DATA"]}, src, "the target database is the source's"},
		{[]string{"copy", "--to-data", fresh}, map[string]string{"BACKREST_DATA": filepath.Join(t.TempDir(), "none")}, "no database in the source data folder"},
		{[]string{"copy", "--to-data", used}, src, "the target is not empty: the database sqlite:" + used + "/backrest.db holds"},
	} {
		out.Reset()
		err := run(ctx, c.args, env(c.vars), &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: %v, want %q", c.args, err, c.want)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Fatalf("%v: the error shows the password: %v", c.args, err)
		}
		if _, err := os.Stat(fresh); !os.IsNotExist(err) {
			t.Fatalf("%v: the target folder was made", c.args)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"copy", "-h"}, env(nil), &out, &out); err != nil || !strings.HasPrefix(out.String(), "usage: backrest copy [flags]\n") ||
		!strings.Contains(out.String(), "--to-db URL") {
		t.Fatalf("copy -h: %q, %v", out.String(), err)
	}
}
