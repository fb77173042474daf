package http

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// deadlines bounds how long a client may hold a connection without making
// progress. A request body must keep arriving: the read deadline moves forward
// before each read, by Options.BodyTimeout, but never past what the minimum rate
// Options.BodyMinRate allows. A response must keep being read: the write deadline
// moves forward by Options.WriteTimeout before each write. A response sent before
// its request body was read whole (an error, or a call that takes no body) closes
// the connection, so that the rest of the body is never waited for.
func (s *Server) deadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		dw := &deadlineWriter{ResponseWriter: w, rc: rc, timeout: s.cfg.WriteTimeout}
		dw.extend()
		if r.Body != nil && r.Body != http.NoBody {
			pb := &progressBody{body: r.Body, rc: rc, idle: s.cfg.BodyTimeout, rate: s.cfg.BodyMinRate, start: time.Now()}
			// A handler that never reads the body still bounds the server's own
			// reading of it after the handler.
			pb.extend()
			dw.body = pb
			// A copy of the request carries the wrapped body: the server checks the
			// type of the original one to drain what the handler left unread.
			r2 := *r
			r2.Body = pb
			r = &r2
		}
		next.ServeHTTP(dw, r)
	})
}

// errAbandoned is the error of reading a request body after the response began
// without it.
var errAbandoned = errors.New("request body abandoned: the response has begun")

// progressBody is a request body whose reads must make progress in time.
type progressBody struct {
	body  io.ReadCloser
	rc    *http.ResponseController
	idle  time.Duration
	rate  int64
	start time.Time
	n     int64
	// done is set once a read failed or reached the end, or the body was
	// abandoned: the server may then read the connection itself, and its deadline
	// is no longer this body's.
	done      bool
	abandoned bool
}

// extend moves the read deadline forward for the next read.
func (b *progressBody) extend() {
	if !b.done && b.idle > 0 {
		// Not every ResponseWriter supports deadlines (test recorders do not).
		_ = b.rc.SetReadDeadline(b.deadline(time.Now()))
	}
}

// abandonDrain is how long, at most, the server goes on reading the rest of an
// abandoned body (net/http discards up to 256 KiB of it) before it closes the
// connection. Closing a socket with unread bytes makes it send a reset, which can
// destroy the answer before a client still sending its body has read it; a short
// drain lets such a client read the answer, and a silent one is still cut soon.
const abandonDrain = 5 * time.Second

// abandon gives up the rest of the body: the connection closes after the
// response, once net/http has discarded what arrives of the rest within
// abandonDrain (or the body timeout, when shorter).
func (b *progressBody) abandon(h http.Header) {
	if b.done {
		return
	}
	b.done, b.abandoned = true, true
	h.Set("Connection", "close")
	drain := abandonDrain
	if b.idle > 0 {
		drain = min(drain, b.idle)
	}
	_ = b.rc.SetReadDeadline(time.Now().Add(drain))
}

func (b *progressBody) Read(p []byte) (int, error) {
	if b.abandoned {
		return 0, errAbandoned
	}
	b.extend()
	n, err := b.body.Read(p)
	b.n += int64(n)
	if err != nil {
		b.done = true
	}
	return n, err
}

// deadline returns the read deadline of a read starting at now: idle from now,
// or earlier when the bytes so far arrived below the minimum rate.
func (b *progressBody) deadline(now time.Time) time.Time {
	d := now.Add(b.idle)
	if b.rate > 0 {
		byRate := b.start.Add(b.idle + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second)))
		if byRate.Before(d) {
			d = byRate
		}
	}
	return d
}

func (b *progressBody) Close() error { return b.body.Close() }

// deadlineWriter is a ResponseWriter whose writes must make progress in time.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	// body is the request body, nil when the request has none.
	body *progressBody
}

// extend moves the write deadline to timeout from now. It also replaces the
// deadline that an earlier request on the same connection left behind.
func (w *deadlineWriter) extend() {
	if w.timeout > 0 {
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	}
}

func (w *deadlineWriter) WriteHeader(status int) {
	if w.body != nil {
		w.body.abandon(w.Header())
	}
	w.extend()
	w.ResponseWriter.WriteHeader(status)
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	if w.body != nil {
		w.body.abandon(w.Header())
	}
	w.extend()
	return w.ResponseWriter.Write(p)
}

// Flush sends what the response buffered.
func (w *deadlineWriter) Flush() {
	w.extend()
	_ = w.rc.Flush()
}

// Unwrap returns the ResponseWriter wrapped, for http.ResponseController.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// copyChunk is how much of a response ReadFrom copies under one write deadline.
const copyChunk = 256 << 10

// ReadFrom copies src to the response chunk by chunk, each under a fresh write
// deadline. A file, or a file limited by an io.LimitedReader, stays eligible for
// sendfile.
func (w *deadlineWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := w.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{w}, src)
	}
	if w.body != nil {
		w.body.abandon(w.Header())
	}
	inner, remain := src, int64(-1)
	if lr, ok := src.(*io.LimitedReader); ok {
		inner, remain = lr.R, lr.N
	}
	var total int64
	for remain != 0 {
		chunk := int64(copyChunk)
		if remain > 0 && remain < chunk {
			chunk = remain
		}
		w.extend()
		n, err := rf.ReadFrom(&io.LimitedReader{R: inner, N: chunk})
		total += n
		if remain > 0 {
			remain -= n
		}
		if lr, ok := src.(*io.LimitedReader); ok {
			lr.N -= n
		}
		if err != nil {
			return total, err
		}
		if n < chunk {
			break
		}
	}
	return total, nil
}
