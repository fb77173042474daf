package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest/blob/blobtest"
	"github.com/backrest/backrest/store/storetest"
)

func TestMain(m *testing.M) {
	os.Exit(blobtest.Main(m))
}

// TestCommand runs the whole tool against its own in-process server with tiny
// settings, on each database, and checks that every scenario made requests
// without errors, and that -json writes a report that parses.
func TestCommand(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		var stdout, stderr bytes.Buffer
		args := []string{"-n", "50", "-c", "2", "-d", "100ms", "-warmup", "20ms", "-subscribers", "10", "-json"}
		if dsn := storetest.DSN(t, backend); dsn != "" {
			args = append(args, "-db", dsn)
		}
		if err := Command(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatalf("bench: %v\n%s", err, stderr.String())
		}
		var rep Report
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("-json output does not parse: %v\n%s", err, stdout.String())
		}
		if rep.Database != string(backend) {
			t.Errorf("database %q, want %q", rep.Database, backend)
		}
		if rep.Baseline.Requests == 0 || rep.Baseline.Errors != 0 {
			t.Errorf("baseline: %+v", rep.Baseline)
		}
		ran := map[string]bool{}
		for _, r := range rep.Results {
			ran[r.Scenario] = true
			if r.Requests == 0 || r.Errors != 0 || r.RequestsPerSecond <= 0 || r.OfBaseline <= 0 || r.P50 <= 0 {
				t.Errorf("%s: %+v", r.Scenario, r)
			}
			if r.PeakRSS <= 0 {
				t.Errorf("%s: no peak RSS", r.Scenario)
			}
		}
		if !slices.ContainsFunc(rep.Notes, func(n string) bool {
			return strings.HasPrefix(n, "expand: ") && strings.Contains(n, " of list's requests/s")
		}) {
			t.Errorf("no note comparing expand with list: %q", rep.Notes)
		}
		for _, name := range scenarioNames() {
			if !ran[name] {
				t.Errorf("scenario %s did not run; notes: %q", name, rep.Notes)
			}
		}
		if t.Failed() {
			t.Logf("report: %s", stdout.String())
		}
	})
}

// TestURL loads a server by its URL with an existing account, reporting the
// memory and CPU time of the process given by its id; given twice, under two
// names, it is loaded as two instances called in turn.
func TestURL(t *testing.T) {
	srv, err := startServer(context.Background(), Options{Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()
	other := strings.Replace(srv.url, "127.0.0.1", "localhost", 1)
	rep, err := Run(context.Background(), Options{URL: srv.url + "," + other, Email: srv.email, Password: srv.password,
		PIDs: []int{os.Getpid()}, Items: 10, Clients: 2, Duration: 200 * time.Millisecond, Scenarios: []string{"info", "auth"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Target != srv.url+","+other || len(rep.Results) != 2 || !slices.Contains(rep.Notes, "2 instances, each request sent to the next in turn") {
		t.Fatalf("report: %+v", rep)
	}
	var cpu float64
	for _, r := range rep.Results {
		if r.Requests == 0 || r.Errors != 0 || r.PeakRSS <= 0 {
			t.Errorf("%s: %+v", r.Scenario, r)
		}
		cpu += r.CPUPerRequest
	}
	// The process is the server and the clients, busy for the whole run.
	if cpu <= 0 {
		t.Errorf("no CPU time reported: %+v", rep.Results)
	}
}

// TestTable checks the table output and the selection of scenarios.
func TestTable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"-n", "10", "-c", "1", "-d", "50ms", "-scenarios", "info"}
	if err := Command(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"| scenario ", "| baseline ", "| info ", "in-process server on sqlite"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "| auth ") {
		t.Errorf("auth ran though not selected:\n%s", out)
	}
}

// TestS3 runs the file scenarios with the in-process server's files on S3.
func TestS3(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"-n", "50", "-c", "2", "-d", "100ms", "-warmup", "20ms", "-json", "-scenarios", "upload,download", "-s3", blobtest.URL(t)}
	if err := Command(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	var rep Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, stdout.String())
	}
	if rep.Files != "s3" || len(rep.Results) != 2 {
		t.Fatalf("report: %s", stdout.String())
	}
	for _, r := range rep.Results {
		if r.Requests == 0 || r.Errors != 0 {
			t.Errorf("%s: %+v", r.Scenario, r)
		}
	}
}

// TestOptions checks that bad settings are refused before anything runs.
func TestOptions(t *testing.T) {
	for _, o := range []Options{
		{Scenarios: []string{"nonesuch"}},
		{URL: "http://127.0.0.1:1"}, // no account
		{URL: "http://127.0.0.1:1", Email: "a@example.com", Password: "x", DB: "postgres://x"},      // --db with --url
		{URL: "http://127.0.0.1:1", Email: "a@example.com", Password: "x", S3: "s3://k:s@h/bucket"}, // --s3 with --url
		{PIDs: []int{1}},
		{Clients: -1},
	} {
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("Run(%+v): no error", o)
		}
	}
}

// TestLoopbackOnly checks that only servers on this machine are loaded.
func TestLoopbackOnly(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080": true,
		"http://[::1]:8080":     true,
		"http://192.0.2.1:8080": false,
		"ftp://127.0.0.1/":      false,
	} {
		u, _ := url.Parse(raw)
		if err := checkLoopback(context.Background(), u); (err == nil) != ok {
			t.Errorf("checkLoopback(%s) = %v", raw, err)
		}
	}
}
