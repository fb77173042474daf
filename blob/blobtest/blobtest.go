// Package blobtest gives tests a real S3-compatible service: when BACKREST_TEST_S3
// is set, it starts a SeaweedFS server (weed mini) on 127.0.0.1 the first time a
// test asks for it, in a temporary folder of its own and on free ports, and hands
// each test a prefix of its own in one bucket, so that tests run in parallel and
// see only their own blobs. Main stops the server when the tests end.
//
// BACKREST_TEST_S3 is the path of the weed binary, or 1 to have
// scripts/seaweedfs.sh build it (or reuse the one it cached).
package blobtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// EnvS3 is the variable that turns the S3 tests on.
const EnvS3 = "BACKREST_TEST_S3"

// The bucket and credentials of the test server.
const (
	bucket    = "backrest-test"
	accessKey = "backrest"
	secretKey = "backrest-test-secret"
)

// startTimeout bounds the start of the server, which takes seconds on a busy
// machine.
const startTimeout = 3 * time.Minute

var (
	once sync.Once
	srv  *server
	// startErr is the error of the start, reported by every test that asks.
	startErr error
)

// server is a running weed mini process.
type server struct {
	cmd *exec.Cmd
	dir string
	// s3Port is the port of its S3 endpoint.
	s3Port int
	// sockets are the Unix sockets it makes outside dir.
	sockets []string
	exited  chan struct{}
}

// Enabled reports whether the S3 tests run.
func Enabled() bool { return os.Getenv(EnvS3) != "" }

// URL returns the s3:// URL (the setting BACKREST_S3) of an empty store of the
// test's own: a new prefix in the bucket of the server, started if needed, with
// the query params added (such as "part-size=5242880"). It skips the test when
// BACKREST_TEST_S3 is not set and fails it when the server does not start.
func URL(t testing.TB, params ...string) string {
	t.Helper()
	if !Enabled() {
		t.Skipf("S3 cases skipped: set %s to the path of a weed binary (or 1 to build it with scripts/seaweedfs.sh) to run them", EnvS3)
	}
	once.Do(func() { srv, startErr = start() })
	if startErr != nil {
		t.Fatalf("S3 test server: %v", startErr)
	}
	var b [8]byte
	rand.Read(b[:])
	u := fmt.Sprintf("s3://%s:%s@127.0.0.1:%d/%s/%s?tls=false", accessKey, secretKey, srv.s3Port, bucket, hex.EncodeToString(b[:]))
	for _, p := range params {
		u += "&" + p
	}
	return u
}

// Main runs the tests of m, then stops the server if one was started, and returns
// the exit code for os.Exit. Packages using URL call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if srv != nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "blobtest:", err)
		}
	}
	return code
}

// start starts weed mini and waits until its bucket answers.
func start() (*server, error) {
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "backrest-weed-")
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(12)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &server{dir: dir, s3Port: ports[0], exited: make(chan struct{})}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	args := []string{"mini", "-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-bucket=" + bucket,
		"-master.telemetry=false", "-webdav=false", "-admin.ui=false", "-admin.port.legacy=0",
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.port.https=0", "-metricsPort=0",
		"-filer.localSocket=" + filepath.Join(dir, "filer.sock"), "-s3.localSocket=" + filepath.Join(dir, "s3.sock"),
		"-webdav.cacheDir=" + dir}
	for i, flag := range []string{"s3.port", "s3.port.grpc", "master.port", "master.port.grpc", "volume.port",
		"volume.port.grpc", "filer.port", "filer.port.grpc", "webdav.port", "admin.port", "admin.port.grpc", "debug.port"} {
		args = append(args, "-"+flag+"="+strconv.Itoa(ports[i]))
		// Its services talk gRPC over sockets named after their ports in /tmp.
		if service, ok := strings.CutSuffix(flag, ".port.grpc"); ok {
			s.sockets = append(s.sockets, fmt.Sprintf("/tmp/seaweedfs-%s-grpc-%d.sock", service, ports[i]))
		}
	}
	log, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer log.Close()
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+accessKey, "AWS_SECRET_ACCESS_KEY="+secretKey, "TMPDIR="+dir)
	// The server dies with the tests even if they never reach Main's end. The
	// signal comes when the thread that started it ends, and Go ends threads (as
	// when a goroutine locked to one returns), so a goroutine keeps that thread
	// for itself until the server exits.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		if err := s.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.waitReady(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// waitReady waits until the bucket answers a signed request.
func (s *server) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String("http://127.0.0.1:" + strconv.Itoa(s.s3Port)),
		Region:       "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, nil
		}),
		UsePathStyle:     true,
		RetryMaxAttempts: 1,
	})
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var err error
	for {
		_, err = client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("weed exited at start: %s", s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("weed not ready after %s (%v): %s", startTimeout, err, s.logTail())
		case <-tick.C:
		}
	}
}

// stop stops the server by its process id, waits for it and removes its folder
// and sockets.
func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	for _, name := range s.sockets {
		os.Remove(name)
	}
	return os.RemoveAll(s.dir)
}

// logTail returns the end of the server's log.
func (s *server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "weed.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// binary returns the path of the weed binary named by BACKREST_TEST_S3, or, when
// it is 1, the one scripts/seaweedfs.sh builds or reuses.
func binary() (string, error) {
	v := os.Getenv(EnvS3)
	if v != "1" {
		if _, err := os.Stat(v); err != nil {
			return "", fmt.Errorf("%s: %w", EnvS3, err)
		}
		return v, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot find scripts/seaweedfs.sh")
	}
	script := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "seaweedfs.sh")
	var stderr bytes.Buffer
	cmd := exec.Command("bash", script)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w: %s", script, err, stderr.String())
	}
	var last string
	for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			last = line
		}
	}
	return last, nil
}

// freePorts returns n distinct ports free on 127.0.0.1, found by listening on
// them all at once.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
