package http

import (
	"context"
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

// parseFeed reads the query of a change feed: ?types=PLURAL,… and optionally &id=.
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
	var last int64 = -1
	if raw := r.Header.Get("Last-Event-ID"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 0 {
			return nil, 0, &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
				{Location: "header", Name: "Last-Event-ID", Description: "Must be the id of an event"}}}
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
	changed := s.content.EventsChanged()
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
	out := &feedWriter{w: w, rc: rc, b: make([]byte, 0, 4<<10)}
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
		for {
			batch, err := s.content.EventsAfter(ctx, cursor, eventBatch)
			if err != nil {
				s.streamError(out, err)
				return nil
			}
			if len(batch) == 0 {
				break
			}
			// Permissions are those of the caller now: a role change or a logout
			// takes effect on the next batch.
			if sess != nil {
				if caller, err = s.streamUser(ctx, token); err != nil || caller == nil {
					s.sessionEnded(out, err)
					return nil
				}
			}
			for _, e := range batch {
				cursor = e.ID
				if err := s.feedEvent(ctx, out, caller, filter, e); err != nil {
					s.streamError(out, err)
					return nil
				}
			}
			if err := out.flush(); err != nil {
				return nil
			}
			if len(batch) < eventBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.streams.closing:
			out.retry(eventRetry)
			_ = out.flush()
			return nil
		case <-changed:
			changed = s.content.EventsChanged()
		case <-heartbeat.C:
			// Also a fallback for a lost wake-up: the log is read again.
			changed = s.content.EventsChanged()
			if sess != nil {
				if u, err := s.streamUser(ctx, token); err != nil || u == nil {
					s.sessionEnded(out, err)
					return nil
				}
			}
			out.b = append(out.b, ":\n\n"...)
			if err := out.flush(); err != nil {
				return nil
			}
		}
	}
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

// feedEvent writes the event e when the stream subscribes to it and caller may
// view its item: a create or update as the item's representation now (an item
// deleted since is left out: its delete follows), a delete as the item's id and
// type.
func (s *Server) feedEvent(ctx context.Context, out *feedWriter, caller *backrest.User, f *feedFilter, e content.Event) error {
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
	item, err := s.content.Get(ctx, caller, t, e.Item)
	switch backrest.ErrorCode(err) {
	case "":
	case backrest.ENOTFOUND, backrest.EFORBIDDEN:
		return nil
	default:
		return err
	}
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
