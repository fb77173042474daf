package http

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/content"
)

// tailKeep is how many of the newest events the shared reader of the log keeps
// for the streams: a stream further behind (one that resumes, or one that did not
// keep up) reads the log itself until it is back within them.
const tailKeep = 1024

// tailEvent is an event of the log as the shared reader read it.
type tailEvent struct {
	content.Event
	// item is the item of a create or update as read with the event, for every
	// stream to judge and write for its caller; nil when it was gone by then.
	item *content.Item
}

// tail is the reader of the event log that the change feeds of a server share.
// At each wake-up (a commit of this process, a notification from another
// instance, or the heartbeat, in case a wake-up was lost) it reads the new events
// once, with the items they name, and wakes the streams, which take them from it:
// the queries of a commit do not grow with the streams. It never waits for a
// stream. It runs while streams are open.
type tail struct {
	content *content.Service
	every   time.Duration
	log     *slog.Logger

	mu      sync.Mutex
	streams int
	// run counts the runs of the reader: one that was stopped publishes nothing.
	run  int
	stop context.CancelFunc
	// from and events: the reader holds every event of the log with an id above
	// from that it read; from is -1 until its first read.
	from   int64
	events []*tailEvent
	// err is the failure of the latest read, nil when it succeeded.
	err error
	// changed is closed when events were added or err changed.
	changed chan struct{}
}

func newTail(c *content.Service, every time.Duration, log *slog.Logger) *tail {
	return &tail{content: c, every: every, log: log, from: -1, changed: make(chan struct{})}
}

// join counts a stream in, starting the reader with the first one; the function
// it returns counts the stream out, and stops the reader with the last one.
func (tl *tail) join() (leave func()) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.streams++; tl.streams == 1 {
		ctx, stop := context.WithCancel(context.Background())
		tl.run++
		tl.stop = stop
		go tl.follow(ctx, tl.run)
	}
	return func() {
		tl.mu.Lock()
		defer tl.mu.Unlock()
		if tl.streams--; tl.streams == 0 {
			tl.stop()
			tl.run++
			tl.from, tl.events, tl.err = -1, nil, nil
		}
	}
}

// after returns the events read with ids above cursor and a channel closed when
// more are read or reading fails, or the failure of the latest read. A stream
// whose cursor is below from must read the log itself up to from.
func (tl *tail) after(cursor int64) (events []*tailEvent, more <-chan struct{}, from int64, err error) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.err != nil {
		return nil, tl.changed, -1, tl.err
	}
	if cursor < tl.from {
		return nil, tl.changed, tl.from, nil
	}
	i := sort.Search(len(tl.events), func(i int) bool { return tl.events[i].ID > cursor })
	return tl.events[i:], tl.changed, tl.from, nil
}

// publish adds the events that run read after the id start (the first read sets
// from to it), or records the failure of a read, and wakes the streams when
// anything changed.
func (tl *tail) publish(run int, start int64, events []*tailEvent, err error) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if run != tl.run {
		return
	}
	changed := len(events) > 0 || (err == nil) != (tl.err == nil) || (err == nil && tl.from < 0)
	tl.err = err
	if err == nil {
		if tl.from < 0 {
			tl.from = start
		}
		tl.events = append(tl.events, events...)
		if n := len(tl.events); n > 2*tailKeep {
			// Copied, so that the slices handed out stay as they are.
			tl.from = tl.events[n-tailKeep-1].ID
			tl.events = append([]*tailEvent(nil), tl.events[n-tailKeep:]...)
		}
	}
	if changed {
		close(tl.changed)
		tl.changed = make(chan struct{})
	}
}

// follow reads the log at each wake-up until ctx ends.
func (tl *tail) follow(ctx context.Context, run int) {
	tick := time.NewTicker(tl.every)
	defer tick.Stop()
	cursor := int64(-1)
	for {
		// The wake-up is taken before the read, so that none is missed.
		changed := tl.content.EventsChanged()
		cursor = tl.read(ctx, run, cursor)
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
	}
}

// read reads the events after cursor (-1: it starts at the newest event of the
// log) with their items and publishes them; it returns the id of the last event
// read.
func (tl *tail) read(ctx context.Context, run int, cursor int64) int64 {
	fail := func(err error) int64 {
		if ctx.Err() == nil {
			tl.log.Warn("reading the event log failed", "err", err)
			tl.publish(run, cursor, nil, err)
		}
		return cursor
	}
	if cursor < 0 {
		_, newest, err := tl.content.EventBounds(ctx)
		if err != nil {
			return fail(err)
		}
		cursor = newest
	}
	for {
		batch, err := tl.content.EventsAfter(ctx, cursor, eventBatch)
		if err != nil {
			return fail(err)
		}
		events := make([]*tailEvent, len(batch))
		// An item changed more than once in the batch is read once.
		type key struct {
			t  string
			id int64
		}
		items := map[key]*content.Item{}
		for i, e := range batch {
			ev := &tailEvent{Event: e}
			events[i] = ev
			t := tl.content.TypeByName(e.Type)
			if t == nil || e.Kind == content.EventDelete {
				continue
			}
			k := key{e.Type, e.Item}
			item, seen := items[k]
			if !seen {
				item, err = tl.content.Load(ctx, t, e.Item)
				switch backrest.ErrorCode(err) {
				case "":
				case backrest.ENOTFOUND:
					item = nil
				default:
					return fail(err)
				}
				items[k] = item
			}
			ev.item = item
		}
		tl.publish(run, cursor, events, nil)
		if len(batch) > 0 {
			cursor = batch[len(batch)-1].ID
		}
		if len(batch) < eventBatch {
			return cursor
		}
	}
}
