package files_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// binaries caches the backrest binary built for the tests of this process.
var binaries struct {
	once sync.Once
	path string
	err  error
}

// buildBackrest builds the backrest command once per test process and returns
// the path of the binary.
func buildBackrest(tb testing.TB) string {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("the go command is needed to build backrest")
	}
	binaries.once.Do(func() {
		dir, err := os.MkdirTemp("", "backrest-bin-")
		if err != nil {
			binaries.err = err
			return
		}
		binaries.path = filepath.Join(dir, "backrest")
		args := []string{"build", "-o", binaries.path}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command(goTool, append(args, "github.com/backrest/backrest/cmd/backrest")...).CombinedOutput()
		if err != nil {
			binaries.err = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if binaries.err != nil {
		tb.Fatal(binaries.err)
	}
	return binaries.path
}

// TestMain removes the binary built for the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.path != "" {
		os.RemoveAll(filepath.Dir(binaries.path))
	}
	os.Exit(code)
}

// server is a backrest serve process.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	log  *bytes.Buffer
}

// processEnv returns the environment of backrest processes on the data folder:
// cheap password hashing, no rate limits in the way.
func processEnv(data string, extra ...string) []string {
	return append(append(os.Environ(),
		"BACKREST_DATA="+data,
		"BACKREST_DB=",
		"BACKREST_ARGON2_MEMORY=64",
		"BACKREST_ARGON2_TIME=1",
		"BACKREST_LIMIT_LOGIN_ADDR=1000/1s",
		"BACKREST_LIMIT_UPLOAD=0/1h",
	), extra...)
}

// addUser creates an active user on the data folder with `backrest user add`.
func addUser(tb testing.TB, bin, data, email, password string) {
	tb.Helper()
	cmd := exec.Command(bin, "user", "add", "--password", password, email)
	cmd.Env = processEnv(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("user add: %v: %s", err, out)
	}
}

// freeAddr returns a local address with a port that was free a moment ago.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer starts `backrest serve` on the data folder and waits until it
// answers.
func startServer(tb testing.TB, bin, data string, extra ...string) *server {
	tb.Helper()
	addr := freeAddr(tb)
	s := &server{url: "http://" + addr, done: make(chan struct{}), log: &bytes.Buffer{}}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = processEnv(data, append([]string{"BACKREST_ADDR=" + addr}, extra...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	tb.Cleanup(s.kill)
	for {
		res, err := http.Get(s.url + "/-/")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			tb.Fatalf("backrest serve exited: %s", s.log)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill kills the server with SIGKILL and waits for it to end.
func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// status returns a field of /proc/PID/status in KiB, such as VmRSS or VmHWM.
func (s *server) status(tb testing.TB, field string) int64 {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				tb.Fatalf("%s: %q", field, line)
			}
			return n
		}
	}
	tb.Fatalf("no %s in /proc/PID/status", field)
	return 0
}

// login logs in and returns the session token, sent as a bearer token.
func login(tb testing.TB, url, email, password string) string {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"login": email, "password": password})
	req, _ := http.NewRequest("PUT", url+"/-/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	for _, c := range res.Cookies() {
		if c.Value != "" {
			return c.Value
		}
	}
	tb.Fatalf("login: %s, no session", res.Status)
	return ""
}

// fileJSON is the representation of a file.
type fileJSON struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}
