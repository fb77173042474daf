package bench

import (
	"context"
	"slices"
	"sync"
	"time"
)

// op makes one request and checks its answer; a non-nil error counts as an error.
type op func(ctx context.Context) error

// stats are the measurements of one load run.
type stats struct {
	requests   int
	errors     int
	firstError string
	elapsed    time.Duration
	latencies  []time.Duration // sorted
}

// rps returns the requests per second of the run.
func (s stats) rps() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.requests) / s.elapsed.Seconds()
}

// percentile returns the latency below which a fraction p of the requests fell.
func (s stats) percentile(p float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	i := int(p * float64(len(s.latencies)))
	return s.latencies[min(i, len(s.latencies)-1)]
}

// load runs clients loops of the op that newOp returns for each client, each making
// one request after the other: first for warmup, whose requests are not counted,
// then for d. A request counts when it starts after the warm-up and within d, and
// each client makes at least one that counts, so that slow requests are measured
// too; the run lasts until the last one ends. It returns early, with ctx's error,
// when ctx ends.
func load(ctx context.Context, clients int, warmup, d time.Duration, newOp func() op) (stats, error) {
	start := time.Now()
	measureFrom, end := start.Add(warmup), start.Add(warmup+d)
	type result struct {
		lat        []time.Duration
		errors     int
		firstError string
	}
	results := make([]result, clients)
	var wg sync.WaitGroup
	for i := range clients {
		do := newOp()
		wg.Go(func() {
			r := &results[i]
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) && len(r.lat) > 0 {
					return
				}
				err := do(ctx)
				if t0.Before(measureFrom) {
					continue
				}
				r.lat = append(r.lat, time.Since(t0))
				if err != nil && ctx.Err() == nil {
					if r.errors == 0 {
						r.firstError = err.Error()
					}
					r.errors++
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return stats{}, err
	}
	s := stats{elapsed: time.Since(measureFrom)}
	for _, r := range results {
		s.latencies = append(s.latencies, r.lat...)
		s.errors += r.errors
		if s.firstError == "" {
			s.firstError = r.firstError
		}
	}
	s.requests = len(s.latencies)
	slices.Sort(s.latencies)
	return s, nil
}
