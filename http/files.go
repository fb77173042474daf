package http

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/files"
)

// multipartOverhead is how many bytes of a multipart upload beyond the upload limit
// may be boundaries, part headers and small fields.
const multipartOverhead = 1 << 20

// upload stores a file sent as the raw body, named by Content-Disposition or
// ?filename=, or as the first file part of a multipart form, and answers its JSON.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	if err := s.limits.Upload(r.Context(), sess.User.ID.String()); err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isMultipart := mt == "multipart/form-data"
	limit := s.cfg.UploadLimit
	if isMultipart {
		limit += multipartOverhead
	}
	if r.ContentLength > limit {
		return files.ErrTooLarge
	}
	body := &clientReader{r: http.MaxBytesReader(w, r.Body, limit)}
	var u files.Upload
	if isMultipart {
		r.Body = body
		part, err := firstFilePart(r)
		if err != nil {
			return body.blame(err)
		}
		defer part.Close()
		// The part's reader fails on a malformed or truncated body.
		u = files.Upload{Body: &clientReader{r: part, next: body}, Filename: part.FileName(), MimeType: part.Header.Get("Content-Type")}
	} else {
		u = files.Upload{Body: body, Filename: rawFilename(r), MimeType: r.Header.Get("Content-Type")}
	}
	f, err := s.files.Upload(r.Context(), sess.User, u)
	if err != nil {
		if cr, ok := u.Body.(*clientReader); ok {
			return cr.blame(err)
		}
		return err
	}
	w.Header().Set("Location", s.fileURL(f))
	writeJSON(w, http.StatusCreated, s.fileJSON(f))
	return nil
}

// errNoFilePart is the error of a multipart upload without a file.
var errNoFilePart = &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
	{Location: "body", Name: "file", Description: "The form has no file part"}}}

// errBadMultipart is the error of a malformed multipart body.
var errBadMultipart = backrest.Invalid("body", "Malformed multipart body")

// firstFilePart returns the first part of the multipart body of r that is a file
// (has a file name), skipping the others.
func firstFilePart(r *http.Request) (*multipart.Part, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errBadMultipart
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, errNoFilePart
		}
		if err != nil {
			return nil, errors.Join(errBadMultipart, err)
		}
		if p.FileName() != "" {
			return p, nil
		}
		if _, err := io.Copy(io.Discard, p); err != nil {
			return nil, errors.Join(errBadMultipart, err)
		}
	}
}

// rawFilename returns the file name of a raw upload: the filename parameter of
// Content-Disposition (filename*, RFC 5987, when given), else ?filename=.
func rawFilename(r *http.Request) string {
	if cd := r.Header.Get("Content-Disposition"); cd != "" {
		if _, params, err := mime.ParseMediaType(cd); err == nil && params["filename"] != "" {
			return params["filename"]
		}
	}
	return r.URL.Query().Get("filename")
}

// clientReader reads what a client sent and remembers its first error, so that a
// failed upload can be blamed on the client (a body too large, cut short or
// malformed) rather than on the server.
type clientReader struct {
	r   io.Reader
	err error
	// next is the reader that r reads from, if it is a clientReader too.
	next *clientReader
}

func (c *clientReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// Close closes r, which must be a request body.
func (c *clientReader) Close() error { return c.r.(io.Closer).Close() }

// blame returns the error to report for err, which ended an upload: 413 when the
// body was too large, 400 when it could not be read, else err itself.
func (c *clientReader) blame(err error) error {
	var tooLarge *http.MaxBytesError
	for r := c; r != nil; r = r.next {
		if errors.As(r.err, &tooLarge) {
			return files.ErrTooLarge
		}
	}
	if errors.As(err, &tooLarge) {
		return files.ErrTooLarge
	}
	var e *backrest.Error
	if errors.As(err, &e) {
		return err
	}
	for r := c; r != nil; r = r.next {
		if r.err != nil {
			return backrest.Invalid("body", "Could not read the request body")
		}
	}
	return err
}

// download serves the bytes of a file, GET /-/UUID~, to a caller who may view it,
// with ranges and conditional requests.
func (s *Server) download(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	var caller *backrest.User
	if sess != nil {
		caller = sess.User
	}
	uuid := strings.TrimSuffix(r.PathValue("file"), "~")
	f, body, err := s.files.Open(r.Context(), s.items(), caller, uuid)
	if err != nil {
		return err
	}
	defer body.Close()
	h := w.Header()
	h.Set("Content-Type", f.MimeType)
	h.Set("Content-Disposition", contentDisposition("inline", f.Filename))
	h.Set("ETag", `"`+f.SHA256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	// Permissions may change: caches keep no copy they would not revalidate.
	h.Set("Cache-Control", "private, no-cache")
	// Files share the origin of the API and the front end: a stored HTML or SVG
	// file must not run scripts there. PDF viewers do not run sandboxed.
	if mt, _, _ := mime.ParseMediaType(f.MimeType); mt != "application/pdf" {
		h.Set("Content-Security-Policy", "sandbox")
	}
	if rng, ok := satisfiable(r.Header.Get("Range")); !ok && r.Header.Get("If-Range") == "" {
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(f.Size, 10))
		(&jsonErrorWriter{ResponseWriter: w}).WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return nil
	} else if ok {
		r.Header.Set("Range", rng)
	}
	http.ServeContent(&jsonErrorWriter{ResponseWriter: w}, r, "", f.Created, body)
	return nil
}

// satisfiable drops the empty suffix ranges (bytes=-0, which no byte satisfies
// and http.ServeContent would answer as the range 20-19 of 20 bytes) from a Range
// header. It reports false when there were ranges and nothing else remains.
func satisfiable(rng string) (string, bool) {
	specs, ok := strings.CutPrefix(rng, "bytes=")
	if !ok {
		return rng, true
	}
	var keep []string
	for spec := range strings.SplitSeq(specs, ",") {
		if start, end, ok := strings.Cut(strings.TrimSpace(spec), "-"); ok && start == "" && strings.Trim(end, "0") == "" && end != "" {
			continue
		}
		keep = append(keep, spec)
	}
	if len(keep) == 0 {
		return "", false
	}
	return "bytes=" + strings.Join(keep, ","), true
}

// deleteUpload deletes an unattached upload, DELETE /-/UUID~, by its uploader.
func (s *Server) deleteUpload(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.mustSession(r)
	if err != nil {
		return err
	}
	if err := s.files.Delete(r.Context(), s.items(), sess.User, strings.TrimSuffix(r.PathValue("file"), "~")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// items returns who decides whether a caller may view the item holding a file:
// the content service, or nil when there is none.
func (s *Server) items() files.Viewer {
	if s.content == nil {
		return nil
	}
	return s.content
}

// jsonErrorWriter writes the error statuses of http.ServeContent (such as 416 for
// a range past the end) with the JSON error body of the API instead of text.
type jsonErrorWriter struct {
	http.ResponseWriter
	failed bool
}

func (j *jsonErrorWriter) WriteHeader(status int) {
	if status < 400 {
		j.ResponseWriter.WriteHeader(status)
		return
	}
	j.failed = true
	h := j.Header()
	h.Del("Content-Disposition")
	h.Del("Content-Security-Policy")
	writeStatusError(j.ResponseWriter, status, "")
}

func (j *jsonErrorWriter) Write(p []byte) (int, error) {
	if j.failed {
		return len(p), nil
	}
	return j.ResponseWriter.Write(p)
}

// ReadFrom lets http.ServeContent copy with sendfile when the response can.
func (j *jsonErrorWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := j.ResponseWriter.(io.ReaderFrom); ok && !j.failed {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{j}, r)
}

// contentDisposition returns a Content-Disposition header value of the kind
// (inline or attachment) for the file name, safe per RFC 6266: a quoted ASCII
// fallback, and the exact name as RFC 5987 UTF-8 when they differ.
func contentDisposition(kind, name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := kind + `; filename="` + ascii + `"`
	if ascii == name {
		return v
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for _, c := range []byte(name) {
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return v + "; filename*=UTF-8''" + b.String()
}

// isAttrChar reports whether c may appear unencoded in an RFC 5987 value.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
