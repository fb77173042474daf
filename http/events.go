package http

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/content"
)

// eventBatch is how many events of the log a stream reads at once: what a
// stream holds in memory is bounded by it.
const eventBatch = 100

// eventRetry is the reconnection delay, in milliseconds, that streams advise
// clients to wait, and that a stream ended by a shutdown sends last.
const eventRetry = 2000

// streams counts the open change feeds, in total and per user, and ends them all
// when the server shuts down.
type streams struct {
	mu      sync.Mutex
	total   int
	perUser map[string]int
	closing chan struct{}
	once    sync.Once
}

func newStreams() *streams {
	return &streams{perUser: map[string]int{}, closing: make(chan struct{})}
}

// acquire counts a new stream of the user (or address) key, unless a limit is
// reached.
func (st *streams) acquire(key string, perUser, total int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.total >= total || st.perUser[key] >= perUser {
		return false
	}
	st.total++
	st.perUser[key]++
	return true
}

// release uncounts a stream of key.
func (st *streams) release(key string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.total--
	if st.perUser[key]--; st.perUser[key] <= 0 {
		delete(st.perUser, key)
	}
}

// EndStreams ends the open change feeds, each with a hint to reconnect after a
// while; a graceful shutdown calls it, since a feed never ends by itself. Feeds
// opened afterwards end at once.
func (s *Server) EndStreams() { s.streams.once.Do(func() { close(s.streams.closing) }) }

// feedFilter is what a change feed subscribes to.
type feedFilter struct {
	types map[string]*content.Type // by type name
	id    int64                    // 0: every item
}

// parseFeed reads the query of a change feed: ?types=PLURAL,… and optionally &id=,
// and where it resumes: the Last-Event-ID header or else &lastEventId= (-1: now).
func (s *Server) parseFeed(r *http.Request) (*feedFilter, int64, error) {
	q := r.URL.Query()
	f := &feedFilter{types: map[string]*content.Type{}}
	raw := q.Get("types")
	if raw == "" {
		return nil, 0, queryError("types", "Required: the plural names of the types, separated by commas")
	}
	for _, p := range strings.Split(raw, ",") {
		var t *content.Type
		if s.content != nil {
			t = s.content.TypeByPlural(strings.TrimSpace(p))
		}
		if t == nil {
			return nil, 0, queryError("types", "Unknown type: "+strconv.Quote(p))
		}
		f.types[t.Name] = t
	}
	if raw := q.Get("id"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return nil, 0, queryError("id", "Must be a positive integer")
		}
		f.id = id
	}
	// The header wins: a browser's EventSource reconnects to the same URL with
	// the header of the last event it received.
	var last int64 = -1
	raw, loc, name := r.Header.Get("Last-Event-ID"), "header", "Last-Event-ID"
	if raw == "" {
		raw, loc, name = q.Get("lastEventId"), "querystring", "lastEventId"
	}
	if raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 0 {
			return nil, 0, &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
				{Location: loc, Name: name, Description: "Must be the id of an event"}}}
		}
		last = id
	}
	return f, last, nil
}

// events answers GET /-/events: a stream of Server-Sent Events of the changes to
// the items of the types asked for that the caller may view, read from the event
// log. Each event's id is its place in the log; a client that reconnects with
// Last-Event-ID receives the events it missed, or a reload event when some of
// them have left the log.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	filter, last, err := s.parseFeed(r)
	if err != nil {
		return err
	}
	token := sessionToken(r)
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	var caller *backrest.User
	key := "addr " + s.clientAddr(r)
	if sess != nil {
		caller, key = sess.User, "user "+sess.User.ID.String()
	}
	if !s.streams.acquire(key, s.cfg.EventStreamsPerUser, s.cfg.EventStreams) {
		return &backrest.Error{Code: backrest.ETOOMANY, Message: "Too many open event streams", RetryAfter: time.Minute}
	}
	defer s.streams.release(key)

	ctx := r.Context()
	leave := s.tail.join()
	defer leave()
	first, newest, err := s.content.EventBounds(ctx)
	if err != nil {
		return err
	}
	reload := last >= 0 && last < first
	cursor := last
	if last < 0 || reload || last > newest {
		cursor = newest
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	st := &feedStream{s: s, filter: filter, token: token, signedIn: sess != nil, caller: caller, cursor: cursor,
		out: &feedWriter{w: w, rc: rc, b: make([]byte, 0, 4<<10)}}
	out := st.out
	out.retry(eventRetry)
	if reload {
		out.event(cursor, "reload", []byte("{}"))
	}
	if err := out.flush(); err != nil {
		return nil
	}

	heartbeat := time.NewTicker(s.cfg.EventHeartbeat)
	defer heartbeat.Stop()
	for {
		events, more, from, err := s.tail.after(st.cursor)
		if err != nil {
			// The shared reader logged it.
			out.retry(eventRetry)
			_ = out.flush()
			return nil
		}
		if st.cursor < from {
			// Behind what the shared reader keeps: the stream reads the log itself,
			// and each item for its caller.
			batch, err := s.content.EventsAfter(ctx, st.cursor, eventBatch)
			if err != nil {
				s.streamError(out, err)
				return nil
			}
			if len(batch) == 0 {
				// The events up to from have left the log since.
				st.cursor = from
			}
			for _, e := range batch {
				if !st.deliver(ctx, e, nil, false) {
					return nil
				}
			}
			if err := out.flush(); err != nil {
				return nil
			}
			continue
		}
		for _, e := range events {
			if !st.deliver(ctx, e.Event, e.item, true) {
				return nil
			}
		}
		if err := out.flush(); err != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.streams.closing:
			out.retry(eventRetry)
			_ = out.flush()
			return nil
		case <-more:
		case <-heartbeat.C:
			// Also ends a stream whose session expired, which no event tells.
			if sess != nil {
				u, err := s.streamUser(ctx, token)
				if err != nil || u == nil {
					s.sessionEnded(out, err)
					return nil
				}
				st.caller = u
			}
			out.b = append(out.b, ":\n\n"...)
			if err := out.flush(); err != nil {
				return nil
			}
		}
	}
}

// feedStream is the state of one change feed.
type feedStream struct {
	s      *Server
	out    *feedWriter
	filter *feedFilter
	// token is the session token of a signed-in stream, whose caller is read
	// again at each account event of theirs.
	token    string
	signedIn bool
	caller   *backrest.User
	// cursor is the id of the last event of the log the stream took.
	cursor int64
}

// deliver takes the event e of the log, and reports whether the stream goes on.
// With loaded set, item is e's item as the shared reader read it (nil: gone);
// else the stream reads it for its caller.
func (st *feedStream) deliver(ctx context.Context, e content.Event, item *content.Item, loaded bool) bool {
	st.cursor = e.ID
	var err error
	if e.Type == "" {
		err = st.account(ctx, e)
	} else {
		err = st.s.feedEvent(ctx, st.out, st.caller, st.filter, e, item, loaded)
	}
	switch {
	case err == errStreamEnded:
		return false
	case err != nil:
		st.s.streamError(st.out, err)
		return false
	}
	return true
}

// errStreamEnded ends a stream whose session ended, once it was told.
var errStreamEnded = errors.New("http: the session of the stream ended")

// account takes an account event: a signed-in stream reads its caller again when
// the event is theirs, so that their roles apply from there on; it ends the
// stream when their session ended, and sends their profile when it changed.
func (st *feedStream) account(ctx context.Context, e content.Event) error {
	if !st.signedIn || e.Owner != st.caller.ID.String() {
		return nil
	}
	u, err := st.s.streamUser(ctx, st.token)
	if err != nil || u == nil {
		st.s.sessionEnded(st.out, err)
		return errStreamEnded
	}
	st.caller = u
	if e.Kind != content.EventProfile {
		return nil
	}
	data, err := json.Marshal(u.JSON())
	if err != nil {
		return err
	}
	st.out.event(e.ID, "profile-changed", data)
	return nil
}

// streamUser returns the user of the stream's session now, nil when it ended.
func (s *Server) streamUser(ctx context.Context, token string) (*backrest.User, error) {
	sess, err := s.accounts.Authenticate(ctx, token)
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return sess.User, nil
}

// sessionEnded ends a stream whose session ended (err nil) or could not be read.
func (s *Server) sessionEnded(out *feedWriter, err error) {
	if err != nil {
		s.streamError(out, err)
		return
	}
	out.event(0, "session-ended", []byte("{}"))
	_ = out.flush()
}

// streamError ends a stream that failed, with a hint to reconnect.
func (s *Server) streamError(out *feedWriter, err error) {
	if out.closed {
		return
	}
	s.log.Warn("event stream failed", "err", err)
	out.retry(eventRetry)
	_ = out.flush()
}

// feedEvent writes the content event e when the stream subscribes to it and
// caller may view its item: a create or update as the item's representation (an
// item deleted since is left out: its delete follows), a delete as the item's id
// and type. With loaded set, item is the item as the shared reader read it (nil:
// gone), judged here for caller; else it is read for caller.
func (s *Server) feedEvent(ctx context.Context, out *feedWriter, caller *backrest.User, f *feedFilter, e content.Event, item *content.Item, loaded bool) error {
	t := f.types[e.Type]
	if t == nil || (f.id != 0 && f.id != e.Item) {
		return nil
	}
	if e.Kind == content.EventDelete {
		owner, ok := backrest.ParseUserID(e.Owner)
		if !ok || !t.MayViewOwned(caller, owner) {
			return nil
		}
		b := append(out.scratch[:0], `{"id":`...)
		b = strconv.AppendInt(b, e.Item, 10)
		b = appendKey(b, "type")
		b = appendString(b, t.Name)
		out.scratch = append(b, '}')
		out.event(e.ID, e.Kind, out.scratch)
		return nil
	}
	if loaded {
		if item == nil || !t.MayView(caller, item) {
			return nil
		}
	} else {
		var err error
		item, err = s.content.Get(ctx, caller, t, e.Item)
		switch backrest.ErrorCode(err) {
		case "":
		case backrest.ENOTFOUND, backrest.EFORBIDDEN:
			return nil
		default:
			return err
		}
	}
	var err error
	if out.scratch, err = s.appendItem(out.scratch[:0], caller, item); err != nil {
		return err
	}
	out.event(e.ID, e.Kind, out.scratch)
	return nil
}

// feedWriter buffers the lines of a stream of Server-Sent Events and writes them
// out at once.
type feedWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	b       []byte
	scratch []byte
	// closed is set once a write failed: the client is gone or does not read.
	closed bool
}

// event adds an event; id 0 adds none.
func (o *feedWriter) event(id int64, name string, data []byte) {
	if id > 0 {
		o.b = append(o.b, "id: "...)
		o.b = strconv.AppendInt(o.b, id, 10)
		o.b = append(o.b, '\n')
	}
	o.b = append(o.b, "event: "...)
	o.b = append(o.b, name...)
	o.b = append(o.b, "\ndata: "...)
	o.b = append(o.b, data...)
	o.b = append(o.b, "\n\n"...)
}

// retry adds the reconnection delay advice.
func (o *feedWriter) retry(ms int) {
	o.b = append(o.b, "retry: "...)
	o.b = strconv.AppendInt(o.b, int64(ms), 10)
	o.b = append(o.b, "\n\n"...)
}

// flush writes what is buffered and sends it. Each write has the server's
// progress deadline (Options.WriteTimeout), moved forward before it: a stream may
// stay idle for as long as it lasts, but a client that does not read is dropped
// when one write cannot complete in time, without holding up other streams.
func (o *feedWriter) flush() error {
	if o.closed {
		return http.ErrHandlerTimeout
	}
	if len(o.b) > 0 {
		_, err := o.w.Write(o.b)
		o.b = o.b[:0]
		if err != nil {
			o.closed = true
			return err
		}
	}
	if err := o.rc.Flush(); err != nil {
		o.closed = true
		return err
	}
	return nil
}

// queryError is the EINVALID error of a bad query parameter.
func queryError(name, description string) error {
	return &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
		{Location: "querystring", Name: name, Description: description}}}
}
