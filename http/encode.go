package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/backrest/backrest"
)

// buffers are the encoding buffers of responses.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// appendBuffers are the byte slices that writeAppended lends.
var appendBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// writeAppended writes, as a response with the status, the JSON body that fill
// appends to a pooled buffer; when fill fails, it writes nothing and returns the
// error.
func writeAppended(w http.ResponseWriter, status int, fill func([]byte) ([]byte, error)) error {
	p := appendBuffers.Get().(*[]byte)
	defer appendBuffers.Put(p)
	b, err := fill((*p)[:0])
	if err != nil {
		return err
	}
	b = append(b, '\n')
	writeBody(w, status, b)
	if cap(b) <= 1<<20 {
		*p = b[:0] // keep the grown slice for the next response
	}
	return nil
}

// internalError is the body of a response whose own encoding failed.
var internalError = []byte(`{"status":"error","errors":[{"location":"body","name":"server","description":"Internal server error"}]}` + "\n")

// writeJSON writes v as the JSON body of a response with the status. The body is
// encoded whole first, so that it goes out with a Content-Length in as few writes
// as possible, and a value that fails to encode is a clean 500, not half a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			buffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeBody(w, http.StatusInternalServerError, internalError)
		return
	}
	writeBody(w, status, buf.Bytes())
}

// writeBody writes body, encoded JSON, as a response with the status.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may have gone; nothing to do about it
}

// success is the body of an action that returns no resource.
var success = map[string]string{"status": "success"}

// errorBody is the shape of every error response.
type errorBody struct {
	Status string                `json:"status"`
	Errors []backrest.FieldError `json:"errors"`
}

// statusOf maps error codes to HTTP status codes: the one place that does so.
var statusOf = map[string]int{
	backrest.EINVALID:     http.StatusBadRequest,
	backrest.EFORBIDDEN:   http.StatusForbidden,
	backrest.ENOTFOUND:    http.StatusNotFound,
	backrest.ECONFLICT:    http.StatusConflict,
	backrest.ETOOLARGE:    http.StatusRequestEntityTooLarge,
	backrest.ETOOMANY:     http.StatusTooManyRequests,
	backrest.EUNAVAILABLE: http.StatusServiceUnavailable,
	backrest.EINTERNAL:    http.StatusInternalServerError,
}

// defaultField says where an error without fields is reported, by status.
var defaultField = map[int]backrest.FieldError{
	http.StatusBadRequest:            {Location: "body", Name: "body", Description: "Bad request"},
	http.StatusForbidden:             {Location: "header", Name: "authorization", Description: "Forbidden"},
	http.StatusNotFound:              {Location: "path", Name: "url", Description: "Not found"},
	http.StatusMethodNotAllowed:      {Location: "path", Name: "method", Description: "Method not allowed"},
	http.StatusConflict:              {Location: "body", Name: "body", Description: "Conflict"},
	http.StatusRequestEntityTooLarge: {Location: "body", Name: "body", Description: "Request body too large"},
	http.StatusUnsupportedMediaType:  {Location: "header", Name: "content-type", Description: "Request body must be JSON (Content-Type: application/json)"},
	http.StatusTooManyRequests:       {Location: "header", Name: "client", Description: "Too many requests; try again later"},
	http.StatusInternalServerError:   {Location: "body", Name: "server", Description: "Internal server error"},
	http.StatusServiceUnavailable:    {Location: "body", Name: "server", Description: "Service unavailable; try again later"},
}

// writeStatusError writes the error body of status with an optional description.
func writeStatusError(w http.ResponseWriter, status int, description string) {
	f, ok := defaultField[status]
	if !ok {
		f = backrest.FieldError{Location: "path", Name: "url", Description: http.StatusText(status)}
	}
	if description != "" {
		f.Description = description
	}
	writeJSON(w, status, errorBody{Status: "error", Errors: []backrest.FieldError{f}})
}

// writeError writes err as a JSON error response. Errors that are not *backrest.Error
// are logged and reported as a bare 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *backrest.Error
	if !errors.As(err, &e) || statusOf[e.Code] == 0 || e.Code == backrest.EINTERNAL {
		s.log.Error("request failed", "method", r.Method, "route", routeOf(r), "request_id", requestIDOf(r), "err", err)
		writeStatusError(w, http.StatusInternalServerError, "")
		return
	}
	status := statusOf[e.Code]
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
	}
	if len(e.Fields) == 0 {
		writeStatusError(w, status, e.Message)
		return
	}
	writeJSON(w, status, errorBody{Status: "error", Errors: e.Fields})
}

// isJSON reports whether a Content-Type names JSON.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}
