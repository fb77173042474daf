// Package bench is backrest's load generator: it prepares data through the public
// API of a server, then measures the throughput and latency of the API's calls
// with concurrent keep-alive clients, against a bare net/http baseline measured in
// the same run. The command `backrest bench` runs it; docs/performance.md tells
// how to read its numbers.
//
// It loads a server already running on this machine (Options.URL) or, by default,
// one it starts in its own process on a temporary data folder, on SQLite or on a
// PostgreSQL database (Options.DB).
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a run. The zero value of a field takes its default.
type Options struct {
	// URL is the base URL of a running server on this machine (loopback only),
	// or the comma-separated base URLs of several instances of one deployment
	// (one database), which the clients call in turn. Empty: start a server in
	// this process.
	URL string
	// Email and Password are those of an existing, active account on the server
	// at URL; an in-process server gets an account of its own.
	Email, Password string
	// PIDs are the process ids of the servers at URL, to report their peak
	// memory and the CPU time they spend per request.
	PIDs []int
	// DB is the database of the in-process server: empty for SQLite in the
	// temporary data folder, or a postgres:// URL.
	DB string
	// SQLiteSync is the SQLite sync mode of the in-process server
	// (backrest.Config.SQLiteSync); empty means the default.
	SQLiteSync string
	// MetricsAddr, when set, makes the in-process server serve its Prometheus
	// metrics on that address (backrest.Config.MetricsAddr), so that their cost
	// is measured.
	MetricsAddr string
	// S3 is where the in-process server keeps the bytes of files: empty for the
	// temporary data folder, or the URL of an S3 bucket (backrest.Config.S3).
	S3 string
	// Items is how many content items to prepare; default 10000.
	Items int
	// Clients is how many clients run at once; default 32.
	Clients int
	// Duration is how long each scenario is measured; default 5s.
	Duration time.Duration
	// Warmup is how long each scenario runs before it is measured; default a
	// fifth of Duration, at most a second.
	Warmup time.Duration
	// CheckEvery is how often the clients decode and check an answer's body in
	// full: one answer in CheckEvery; default 8, and 1 checks every answer. Every
	// answer's status is checked, and that its body is a JSON object or array as
	// expected. Decoding every answer would take CPU from the server on the same
	// machine in proportion to the size of the answers, which is what the
	// scenarios differ in.
	CheckEvery int
	// Subscribers is how many streams of the change feed the fanout scenario
	// opens; default 1000.
	Subscribers int
	// Writes is how many items a second the fanout scenario creates while its
	// streams are open; default 20.
	Writes int
	// Scenarios are the names of the scenarios to run; default all.
	Scenarios []string
	// Log receives progress messages and the in-process server's error log; nil
	// discards them.
	Log io.Writer
	// ReserveHashProcs is app.Options.ReserveHashProcs for the in-process server,
	// as backrest serve sets it. It changes GOMAXPROCS while hashes run.
	ReserveHashProcs bool
}

// Report is the outcome of a run.
type Report struct {
	// Target is "in-process" or the URL of the server loaded.
	Target string `json:"target"`
	// Database is "sqlite" or "postgres" for an in-process server, else empty.
	Database string `json:"database,omitempty"`
	// Files is "folder" or "s3", where an in-process server keeps the bytes of
	// files, else empty.
	Files string `json:"files,omitempty"`
	// Clients, Seconds, WarmupSeconds and Items are the settings of the run.
	Clients       int     `json:"clients"`
	Seconds       float64 `json:"duration_seconds"`
	WarmupSeconds float64 `json:"warmup_seconds"`
	Items         int     `json:"items"`
	// Notes say what the run did besides measuring and what it skipped.
	Notes []string `json:"notes"`
	// Baseline is the bare net/http handler, the faster of its runs before and
	// after the scenarios; Results are the scenarios, in order.
	Baseline Result   `json:"baseline"`
	Results  []Result `json:"results"`
}

// Result is the measurement of one scenario.
type Result struct {
	Scenario string `json:"scenario"`
	// Requests counts the requests started while measuring, Errors those whose
	// answer was not the expected one; FirstError describes the first of them.
	Requests   int    `json:"requests"`
	Errors     int    `json:"errors"`
	FirstError string `json:"first_error,omitempty"`
	// RequestsPerSecond is the throughput, and OfBaseline its fraction of the
	// baseline's.
	RequestsPerSecond float64 `json:"requests_per_second"`
	OfBaseline        float64 `json:"of_baseline"`
	// P50 and P99 are latency percentiles in milliseconds.
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	// PeakRSS is the server's peak resident memory in bytes while the scenario
	// ran (the sum of the processes' peaks for several), 0 when unknown.
	// In-process, it includes the load generator's.
	PeakRSS int64 `json:"peak_rss_bytes,omitempty"`
	// CPUPerRequest is the CPU time (user and system) that the server's processes
	// spent while the scenario was measured, over the requests measured, in
	// milliseconds; 0 when unknown. In-process, it includes the load generator's.
	CPUPerRequest float64 `json:"cpu_ms_per_request,omitempty"`
	// Subscribers, WritesPerSecond, MemoryPerSubscriber (in bytes) and
	// WritesSkipped are those of the fanout scenario (see fanout), whose requests
	// are events delivered and whose latencies are delivery delays.
	Subscribers         int   `json:"subscribers,omitempty"`
	WritesPerSecond     int   `json:"writes_per_second,omitempty"`
	MemoryPerSubscriber int64 `json:"memory_per_subscriber_bytes,omitempty"`
	WritesSkipped       int   `json:"writes_skipped,omitempty"`
}

// defaults fills in the zero fields of o and checks it.
func (o *Options) defaults() error {
	if o.Items == 0 {
		o.Items = 10000
	}
	if o.Clients == 0 {
		o.Clients = 32
	}
	if o.Duration == 0 {
		o.Duration = 5 * time.Second
	}
	if o.Warmup == 0 {
		o.Warmup = min(o.Duration/5, time.Second)
	}
	if o.CheckEvery == 0 {
		o.CheckEvery = 8
	}
	if o.Subscribers == 0 {
		o.Subscribers = 1000
	}
	if o.Writes == 0 {
		o.Writes = 20
	}
	if len(o.Scenarios) == 0 {
		o.Scenarios = scenarioNames()
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	switch {
	case o.Items < 1 || o.Clients < 1 || o.CheckEvery < 1 || o.Subscribers < 1 || o.Writes < 1 || o.Duration < 0 || o.Warmup < 0:
		return errors.New("items, clients, check, subscribers and writes must be positive, durations not negative")
	case o.URL != "" && o.DB != "":
		return errors.New("--db is for the in-process server; a server at --url has its own")
	case o.URL != "" && o.S3 != "":
		return errors.New("--s3 is for the in-process server; a server at --url has its own")
	case o.URL != "" && (o.Email == "" || o.Password == ""):
		return errors.New("a server at --url needs --user and --password of an existing account")
	case o.URL == "" && len(o.PIDs) > 0:
		return errors.New("--pid is for a server at --url; the in-process server's memory is reported anyway")
	}
	for _, name := range o.Scenarios {
		if !slices.Contains(scenarioNames(), name) {
			return fmt.Errorf("unknown scenario %q; the scenarios are %s", name, strings.Join(scenarioNames(), ","))
		}
	}
	return nil
}

// Run prepares the data, then measures the baseline, each scenario and the
// baseline again.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	rep := &Report{Target: "in-process", Clients: o.Clients, Seconds: o.Duration.Seconds(),
		WarmupSeconds: o.Warmup.Seconds(), Items: o.Items}
	client := &http.Client{Transport: newTransport(o.Clients), Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()

	f := &fixture{api: &api{client: client}, email: o.Email, password: o.Password}
	var procs []memWatch
	if o.URL == "" {
		srv, err := startServer(ctx, o)
		if err != nil {
			return nil, err
		}
		defer srv.stop()
		f.api.bases, f.email, f.password = []string{srv.url}, srv.email, srv.password
		rep.Database, rep.Files = srv.database, "folder"
		if o.S3 != "" {
			rep.Files = "s3"
		}
		rep.Notes = append(rep.Notes, "in-process server: rate limits disabled; peak RSS includes the load generator")
		procs = []memWatch{{proc: "/proc/self"}}
	} else {
		for _, raw := range strings.Split(o.URL, ",") {
			u, err := url.Parse(strings.TrimSpace(raw))
			if err != nil {
				return nil, fmt.Errorf("--url: %w", err)
			}
			if err := checkLoopback(ctx, u); err != nil {
				return nil, err
			}
			f.api.bases = append(f.api.bases, strings.TrimRight(u.String(), "/"))
		}
		rep.Target = strings.Join(f.api.bases, ",")
		if len(f.api.bases) > 1 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%d instances, each request sent to the next in turn", len(f.api.bases)))
		}
		for _, pid := range o.PIDs {
			procs = append(procs, memWatch{proc: "/proc/" + strconv.Itoa(pid)})
		}
	}
	if err := f.api.login(ctx, f.email, f.password); err != nil {
		return nil, fmt.Errorf("logging in: %w", err)
	}

	needs := map[need]bool{}
	var selected []scenario
	for _, s := range scenarios {
		if slices.Contains(o.Scenarios, s.name) {
			selected = append(selected, s)
			needs[s.needs] = true
		}
	}
	fmt.Fprintf(o.Log, "bench: preparing data on %s\n", rep.Target)
	notes, err := f.prepare(ctx, o.Items, o.Clients, needs)
	if err != nil {
		return nil, err
	}
	rep.Notes = append(rep.Notes, notes...)
	rep.Notes = append(rep.Notes, fmt.Sprintf("answers: every status checked; the body of one in %d decoded and checked in full", o.CheckEvery))
	f.api.checkEvery = uint64(o.CheckEvery)

	body := baselineBody(f.readSize)
	baseURL, stopBaseline, err := startBaseline(body)
	if err != nil {
		return nil, err
	}
	defer stopBaseline()
	baseline := func() (Result, error) {
		fmt.Fprintln(o.Log, "bench: measuring baseline")
		st, err := load(ctx, o.Clients, o.Warmup, o.Duration, baselineOp(&api{bases: []string{baseURL}, client: client, checkEvery: uint64(o.CheckEvery)}))
		return result("baseline", st, 0), err
	}
	before, err := baseline()
	if err != nil {
		return nil, err
	}

	for _, s := range selected {
		if !f.has(s.needs) {
			continue
		}
		fmt.Fprintf(o.Log, "bench: measuring %s\n", s.name)
		if s.measure != nil {
			res, err := s.measure(ctx, o, f, procs)
			if err != nil {
				return nil, err
			}
			rep.Results = append(rep.Results, res)
			continue
		}
		if o.URL == "" {
			// Return what earlier scenarios left, so that the peak is this one's.
			debug.FreeOSMemory()
		}
		var stops []func() int64
		for _, p := range procs {
			stops = append(stops, p.start())
		}
		// The CPU time is counted from the end of the warm-up.
		cpuFrom := make(chan time.Duration, 1)
		timer := time.AfterFunc(o.Warmup, func() { cpuFrom <- cpuTime(procs) })
		stopBackground := background(ctx, o.Clients, s, f)
		st, err := load(ctx, o.Clients, o.Warmup, o.Duration, func() op { return s.newOp(f) })
		stopBackground()
		cpu := cpuTime(procs)
		var peak int64
		for _, stop := range stops {
			peak += stop()
		}
		if err != nil {
			timer.Stop()
			return nil, err
		}
		res := result(s.name, st, peak)
		if cpu -= <-cpuFrom; len(procs) > 0 && st.requests > 0 {
			res.CPUPerRequest = float64(cpu.Microseconds()) / 1000 / float64(st.requests)
		}
		rep.Results = append(rep.Results, res)
	}

	// The baseline runs before and after the scenarios; the faster run counts, so
	// that a burst of other work on the machine during one does not skew them all.
	after, err := baseline()
	if err != nil {
		return nil, err
	}
	rep.Baseline = before
	if after.RequestsPerSecond > before.RequestsPerSecond {
		rep.Baseline = after
	}
	rep.Baseline.OfBaseline = 1
	rep.Notes = append(rep.Notes, fmt.Sprintf("baseline: a bare net/http handler answering %d bytes of JSON; "+
		"%.0f requests/s before the scenarios, %.0f after; the faster counts", len(body), before.RequestsPerSecond, after.RequestsPerSecond))
	for i := range rep.Results {
		rep.Results[i].OfBaseline = rep.Results[i].RequestsPerSecond / rep.Baseline.RequestsPerSecond
	}
	if list, expand := rep.result("list"), rep.result("expand"); list != nil && expand != nil {
		note := fmt.Sprintf("expand: %.3f of list's requests/s", expand.RequestsPerSecond/list.RequestsPerSecond)
		if expand.CPUPerRequest > 0 {
			note += fmt.Sprintf("; list's CPU time per request is %.3f of expand's", list.CPUPerRequest/expand.CPUPerRequest)
		}
		rep.Notes = append(rep.Notes, note)
	}
	return rep, nil
}

// result returns the result of the scenario, nil if it did not run.
func (r *Report) result(scenario string) *Result {
	for i := range r.Results {
		if r.Results[i].Scenario == scenario {
			return &r.Results[i]
		}
	}
	return nil
}

// background starts the unmeasured clients of a scenario, if it has any, and
// returns the function that stops them and waits for them.
func background(ctx context.Context, clients int, s scenario, f *fixture) func() {
	if s.background == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range clients {
		do := s.background(f)
		wg.Go(func() {
			for ctx.Err() == nil {
				_ = do(ctx) // unmeasured: only the load it makes matters
			}
		})
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

// result summarizes the stats of a scenario; OfBaseline is left to the caller.
func result(name string, st stats, peak int64) Result {
	return Result{Scenario: name, Requests: st.requests, Errors: st.errors, FirstError: st.firstError,
		RequestsPerSecond: st.rps(), PeakRSS: peak,
		P50: ms(st.percentile(0.50)), P99: ms(st.percentile(0.99))}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
