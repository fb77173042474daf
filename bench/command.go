package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
)

// Command is `backrest bench`: it parses args, runs the benchmark and writes the
// report to stdout, as a table or, with -json, as JSON; progress goes to stderr.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o Options
	var scenarioList string
	var asJSON bool
	fs := flag.NewFlagSet("backrest bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	usage := func(w io.Writer) {
		fmt.Fprint(w, "usage: backrest bench [flags]\n\n"+
			"Measures the API with concurrent keep-alive clients against a bare net/http baseline.\n"+
			"Without --url it starts a server in this process on a temporary data folder.\n\nscenarios:\n")
		for _, s := range scenarios {
			fmt.Fprintf(w, "  %-9s %s\n", s.name, s.about)
		}
		fmt.Fprint(w, "\nflags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.URL, "url", "", "base URL of a running server on this machine, or comma-separated URLs of instances on one database, called in turn (default: start one in this process)")
	fs.StringVar(&o.Email, "user", "", "e-mail of an existing account on the server at --url")
	fs.StringVar(&o.Password, "password", "", "password of the --user account")
	var pids string
	fs.StringVar(&pids, "pid", "", "process id of the server at --url (comma-separated for several), to report its peak memory and CPU time per request")
	fs.StringVar(&o.DB, "db", "", "database of the in-process server: empty for SQLite, or postgres://…")
	fs.StringVar(&o.SQLiteSync, "sqlite-sync", "", "SQLite sync mode of the in-process server: full (default) or normal")
	fs.StringVar(&o.MetricsAddr, "metrics", "", "address on which the in-process server serves its Prometheus metrics at /metrics (default: no metrics)")
	fs.StringVar(&o.S3, "s3", "", "where the in-process server keeps file bytes: empty for its data folder, or s3://KEY:SECRET@HOST:PORT/BUCKET… as BACKREST_S3")
	fs.IntVar(&o.Items, "n", 10000, "content items to prepare")
	fs.IntVar(&o.Clients, "c", 32, "concurrent clients")
	fs.IntVar(&o.Subscribers, "subscribers", 1000, "streams of the change feed open in the fanout scenario")
	fs.IntVar(&o.Writes, "writes", 20, "items created per second while the fanout scenario's streams are open")
	fs.IntVar(&o.CheckEvery, "check", 8, "decode and check the body of one answer in this many (1: every answer); every status is checked")
	fs.DurationVar(&o.Duration, "d", 5e9, "how long each scenario is measured")
	fs.DurationVar(&o.Warmup, "warmup", 0, "how long each scenario runs before it is measured (default d/5, at most 1s)")
	fs.StringVar(&scenarioList, "scenarios", strings.Join(scenarioNames(), ","), "scenarios to run, comma-separated")
	fs.BoolVar(&asJSON, "json", false, "write the report as JSON")
	var cpuProfile string
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (server and clients, when in-process) to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return err
		}
		return fmt.Errorf("bench: %w (see backrest bench -h)", err)
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	for _, p := range strings.Split(pids, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pid, err := strconv.Atoi(p)
		if err != nil || pid <= 0 {
			return fmt.Errorf("bench: --pid %q: want process ids, comma-separated", pids)
		}
		o.PIDs = append(o.PIDs, pid)
	}
	for _, name := range strings.Split(scenarioList, ",") {
		if name = strings.TrimSpace(name); name != "" {
			o.Scenarios = append(o.Scenarios, name)
		}
	}
	o.Log = stderr
	o.ReserveHashProcs = os.Getenv("GOMAXPROCS") == ""
	rep, err := Run(ctx, o)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.WriteTable(stdout)
	return nil
}

// WriteTable writes the report as a Markdown table, preceded by the settings and
// notes of the run and followed by the first error of each scenario that had some.
func (r *Report) WriteTable(w io.Writer) {
	target := "server at " + r.Target
	if r.Target == "in-process" {
		target = "in-process server on " + r.Database + ", files in " + map[string]string{"folder": "its data folder", "s3": "S3"}[r.Files]
	}
	fmt.Fprintf(w, "backrest bench: %s, %d clients, %gs per scenario after %gs of warm-up, %d items\n",
		target, r.Clients, r.Seconds, r.WarmupSeconds, r.Items)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	fmt.Fprintln(w)
	rows := [][]string{{"scenario", "requests/s", "of baseline", "p50 ms", "p99 ms", "errors", "peak RSS MiB", "CPU ms/req"}}
	for _, res := range append([]Result{r.Baseline}, r.Results...) {
		rss, cpu := "-", "-"
		if res.PeakRSS > 0 {
			rss = strconv.FormatInt(res.PeakRSS>>20, 10)
		}
		if res.CPUPerRequest > 0 {
			cpu = strconv.FormatFloat(res.CPUPerRequest, 'f', 3, 64)
		}
		rows = append(rows, []string{res.Scenario, strconv.FormatFloat(res.RequestsPerSecond, 'f', 0, 64),
			strconv.FormatFloat(res.OfBaseline, 'f', 3, 64),
			strconv.FormatFloat(res.P50, 'f', 2, 64), strconv.FormatFloat(res.P99, 'f', 2, 64),
			strconv.Itoa(res.Errors), rss, cpu})
	}
	writeMarkdown(w, rows)
	for _, res := range r.Results {
		if res.Subscribers > 0 {
			fmt.Fprintf(w, "\n%s: %d streams, %d items created a second: %.0f events delivered a second (%.3f of %d), "+
				"delivery p50 %.2f ms, p99 %.2f ms, %.1f KiB per stream\n",
				res.Scenario, res.Subscribers, res.WritesPerSecond, res.RequestsPerSecond,
				res.RequestsPerSecond/float64(res.Subscribers*res.WritesPerSecond), res.Subscribers*res.WritesPerSecond,
				res.P50, res.P99, float64(res.MemoryPerSubscriber)/1024)
			if res.WritesSkipped > 0 {
				fmt.Fprintf(w, "%s: %d writes skipped while %d were under way: the server fell behind\n", res.Scenario, res.WritesSkipped, r.Clients)
			}
		}
	}
	for _, res := range r.Results {
		if res.FirstError != "" {
			fmt.Fprintf(w, "\n%s: first error: %s\n", res.Scenario, res.FirstError)
		}
	}
}

// writeMarkdown writes rows as a Markdown table with aligned columns: the first
// row is the header, the first column left-aligned and the others right-aligned.
func writeMarkdown(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	line := func(cells []string) {
		for i, cell := range cells {
			if i == 0 {
				fmt.Fprintf(w, "| %-*s ", widths[i], cell)
			} else {
				fmt.Fprintf(w, "| %*s ", widths[i], cell)
			}
		}
		fmt.Fprintln(w, "|")
	}
	line(rows[0])
	sep := make([]string, len(widths))
	for i, n := range widths {
		if i == 0 {
			sep[i] = strings.Repeat("-", n)
		} else {
			sep[i] = strings.Repeat("-", n-1) + ":"
		}
	}
	fmt.Fprint(w, "|")
	for _, s := range sep {
		fmt.Fprintf(w, " %s |", s)
	}
	fmt.Fprintln(w)
	for _, row := range rows[1:] {
		line(row)
	}
}
