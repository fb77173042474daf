package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// fanoutWait is how much longer than its duration the fanout scenario waits
// for every stream to read an event.
const fanoutWait = 30 * time.Second

// fanoutMarker begins the title of the items that the fan-out scenario creates;
// the rest of the title is the time the create was sent, in Unix nanoseconds.
const fanoutMarker = `"title":"fanout `

// fanout measures the change feed: o.Subscribers streams of GET
// /-/events?types=items are open while another client creates o.Writes items a
// second. Its result counts the events delivered (Requests, RequestsPerSecond),
// the delay from the create being sent to the event being read (P50, P99), the
// streams that failed (Errors), the writes skipped while o.Clients were still
// under way (WritesSkipped), and the memory the open streams take, divided by
// their number (MemoryPerSubscriber: the resident memory with the streams open
// and idle less that before they opened; in-process it includes the client side
// of the connections; summed over procs, the server's processes). With several
// instances, the streams and the writes go to each in turn.
func fanout(ctx context.Context, o Options, f *fixture, procs []memWatch) (Result, error) {
	res := Result{Scenario: "fanout", Subscribers: o.Subscribers, WritesPerSecond: o.Writes}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if o.URL == "" {
		debug.FreeOSMemory()
	}
	base := rss(procs)
	// Each stream holds its own connection.
	client := &http.Client{Transport: &http.Transport{
		DialContext:        (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		DisableCompression: true,
	}}
	defer client.CloseIdleConnections()

	var (
		mu                      sync.Mutex
		lat                     []time.Duration
		errs                    int
		firstError              string
		measureFrom, measureEnd time.Time
	)
	fail := func(err error) {
		if ctx.Err() != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if errs == 0 {
			firstError = err.Error()
		}
		errs++
	}
	// Streams open a few at a time, as browsers arriving would.
	opened := make(chan error, o.Subscribers)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var started atomic.Bool
	// reached counts the streams that have read an event since the warm-up, open
	// the streams that opened.
	var reached, open atomic.Int64
	for range o.Subscribers {
		sem <- struct{}{}
		wg.Go(func() {
			resp, err := f.api.openStream(ctx, client)
			<-sem
			opened <- err
			if err != nil {
				return
			}
			open.Add(1)
			counted := false
			defer resp.Body.Close()
			var mine []time.Duration
			r := bufio.NewReaderSize(resp.Body, 4<<10)
			for {
				line, err := r.ReadSlice('\n')
				if err != nil {
					if err == bufio.ErrBufferFull {
						// A long line: only its start is read for the marker.
						for err == bufio.ErrBufferFull {
							_, err = r.ReadSlice('\n')
						}
						if err == nil {
							continue
						}
					}
					if started.Load() && ctx.Err() == nil {
						fail(fmt.Errorf("a stream ended: %w", err))
					}
					break
				}
				now := time.Now()
				i := bytes.Index(line, []byte(fanoutMarker))
				if i < 0 || !bytes.HasPrefix(line, []byte("data: ")) {
					continue
				}
				rest := line[i+len(fanoutMarker):]
				j := bytes.IndexByte(rest, '"')
				sent, perr := strconv.ParseInt(string(rest[:max(j, 0)]), 10, 64)
				if j < 0 || perr != nil {
					fail(fmt.Errorf("an event of an unexpected title: %.80s", line))
					continue
				}
				mu.Lock()
				in := !now.Before(measureFrom) && now.Before(measureEnd)
				mu.Unlock()
				if in {
					mine = append(mine, now.Sub(time.Unix(0, sent)))
					if !counted {
						counted = true
						reached.Add(1)
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	for range o.Subscribers {
		if err := <-opened; err != nil {
			fail(fmt.Errorf("opening a stream: %w", err))
		}
	}
	started.Store(true)
	if now := rss(procs); now > base {
		res.MemoryPerSubscriber = (now - base) / int64(o.Subscribers)
	}
	var stops []func() int64
	for _, p := range procs {
		stops = append(stops, p.start())
	}

	// The measurement lasts o.Duration after the warm-up, and until every stream
	// has read an event, so that slow streams are measured too (as load does);
	// a stream that reads none in fanoutWait more is an error.
	start := time.Now()
	end := start.Add(o.Warmup + o.Duration)
	mu.Lock()
	measureFrom, measureEnd = start.Add(o.Warmup), end.Add(fanoutWait)
	mu.Unlock()
	// The writes: one every 1/W second, each in its own goroutine (at most
	// o.Clients at once, further ones are skipped), so that a slow one does not
	// delay the next.
	writers := make(chan struct{}, o.Clients)
	var writes sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(o.Writes))
	for now := range tick.C {
		if ctx.Err() != nil || !now.Before(end) && reached.Load() >= open.Load() {
			break
		}
		if !now.Before(end.Add(fanoutWait)) {
			fail(fmt.Errorf("%d of %d streams read no event in %s", open.Load()-reached.Load(), open.Load(), o.Duration+fanoutWait))
			break
		}
		select {
		case writers <- struct{}{}:
		default:
			// The server fell behind: the write is left out, and counted.
			res.WritesSkipped++
			continue
		}
		writes.Go(func() {
			defer func() { <-writers }()
			var buf bytes.Buffer
			size := f.sizeBase + filterValues + rand.Int64N(sizeSpan-filterValues)
			title := "fanout " + strconv.FormatInt(time.Now().UnixNano(), 10)
			if _, err := f.api.call(ctx, request{method: "POST", path: "/-/items", body: newItem(title, size, 0, 0)}, &buf, nil, 201); err != nil {
				fail(err)
			}
		})
	}
	tick.Stop()
	mu.Lock()
	measureEnd = time.Now()
	elapsed := measureEnd.Sub(measureFrom)
	mu.Unlock()
	writes.Wait()
	cancel()
	wg.Wait()
	for _, stop := range stops {
		res.PeakRSS += stop()
	}
	slices.Sort(lat)
	st := stats{requests: len(lat), latencies: lat, elapsed: elapsed}
	res.Requests, res.RequestsPerSecond = st.requests, st.rps()
	res.P50, res.P99 = ms(st.percentile(0.50)), ms(st.percentile(0.99))
	res.Errors, res.FirstError = errs, firstError
	return res, nil
}

// openStream opens GET /-/events?types=items with the session of a and checks
// the answer's status and type.
func (a *api) openStream(ctx context.Context, client *http.Client) (*http.Response, error) {
	base := a.bases[(a.next.Add(1)-1)%uint64(len(a.bases))]
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/-/events?types=items", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Cookie", a.cookie)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		return nil, fmt.Errorf("GET /-/events: status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp, nil
}

// rss returns the resident memory of the processes, in bytes.
func rss(procs []memWatch) int64 {
	var n int64
	for _, p := range procs {
		n += p.read("VmRSS:")
	}
	return n
}
