package files

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store"
)

// Viewer tells whether a caller may view a content item, and so the files it
// holds. The content service implements it; callers of Open and Delete pass it,
// nil when there is no content (then only admins see attached files).
type Viewer interface {
	// CanView reports whether caller, nil when anonymous, may view the item.
	CanView(ctx context.Context, caller *backrest.User, item int64) (bool, error)
}

// Options configure a Service.
type Options struct {
	// UploadLimit is the largest file accepted, in bytes.
	UploadLimit int64
	// Quota is how many bytes the files of one owner may take together; zero
	// means no bound.
	Quota int64
	// UploadTTL is how long an upload that no content holds is kept.
	UploadTTL time.Duration
	// SweepGrace is how old bytes that no row names must be before Sweep deletes
	// them; younger ones may belong to a transaction in progress. It must exceed
	// the longest request (see the blob package).
	SweepGrace time.Duration
	// Sniff returns the media type of a file from up to its first 512 bytes, for
	// files sent without a specific type; nil makes them application/octet-stream.
	// The wiring (package app) passes net/http's DetectContentType.
	Sniff func(data []byte) string
	// Logger receives errors that do not fail a request, such as bytes left for
	// the sweeper; nil means slog.Default().
	Logger *slog.Logger
	// Fault, when set, is called at each step of an upload, with the step's name,
	// and an error it returns fails that step. Tests use it to check that a
	// failure at any step leaves rows and bytes consistent; it is nil otherwise.
	Fault func(step string) error
}

// The steps of an upload at which Options.Fault is called.
const (
	// StepPut is before the bytes are written.
	StepPut = "put"
	// StepInsert is after the bytes are written, before the row is inserted.
	StepInsert = "insert"
	// StepCommit is after the row is inserted, before the transaction commits.
	StepCommit = "commit"
	// StepCommitted is after the transaction has committed.
	StepCommitted = "committed"
)

// Service keeps files. It is safe for concurrent use.
type Service struct {
	db    *store.DB
	blobs blob.Store
	opts  Options
	log   *slog.Logger
}

// New returns a Service keeping rows in db and bytes in blobs.
func New(db *store.DB, blobs blob.Store, opts Options) *Service {
	s := &Service{db: db, blobs: blobs, opts: opts, log: opts.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// fault runs the fault hook of step, if any.
func (s *Service) fault(step string) error {
	if s.opts.Fault == nil {
		return nil
	}
	if err := s.opts.Fault(step); err != nil {
		return fmt.Errorf("files: %s: %w", step, err)
	}
	return nil
}

// Upload is a file sent by a client.
type Upload struct {
	// Body is the content; it is read once, as a stream.
	Body io.Reader
	// Filename is the name the client gave, cleaned by Upload.
	Filename string
	// MimeType is the declared media type; when missing or generic the bytes are
	// sniffed.
	MimeType string
}

// ErrTooLarge is the error of a file larger than the upload limit.
var ErrTooLarge = backrest.Errorf(backrest.ETOOLARGE, "File too large")

// ErrQuota is the error of a file that would take its owner past the quota.
var ErrQuota = backrest.Errorf(backrest.ETOOLARGE, "Storage quota exceeded: delete files first")

// checkQuota returns ErrQuota (or, naming field when not empty, an error of the
// same kind) when f would take its owner past the quota, counting in tx.
func (s *Service) checkQuota(ctx context.Context, tx *store.Tx, f *backrest.File, field string) error {
	if s.opts.Quota <= 0 {
		return nil
	}
	used, err := store.OwnerBytes(ctx, tx, f.Owner.String())
	if err != nil {
		return err
	}
	if used+f.Size <= s.opts.Quota {
		return nil
	}
	if field == "" {
		return ErrQuota
	}
	return &backrest.Error{Code: backrest.ETOOLARGE, Message: ErrQuota.Message, Fields: []backrest.FieldError{
		{Location: "body", Name: field, Description: ErrQuota.Message}}}
}

// Upload stores a file for caller, unattached: only caller sees it until a content
// field holds it, and Sweep deletes it after the upload time to live. Its bytes
// are written before the transaction recording it begins.
func (s *Service) Upload(ctx context.Context, caller *backrest.User, u Upload) (*backrest.File, error) {
	if caller == nil {
		return nil, backrest.ErrAnonymous
	}
	b := blob.NewBatch(s.blobs)
	f, err := s.put(ctx, b, u.Body, u.MimeType, u.Filename)
	if err != nil {
		return nil, err
	}
	f.Owner = caller.ID
	bound := false
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		s.bind(tx, b)
		bound = true
		if err := s.fault(StepInsert); err != nil {
			return err
		}
		if err := s.checkQuota(ctx, tx, f, ""); err != nil {
			return err
		}
		if err := store.InsertFile(ctx, tx, f); err != nil {
			return err
		}
		return s.fault(StepCommit)
	})
	if !bound {
		s.rollback(ctx, b)
	}
	if err != nil {
		return nil, err
	}
	if err := s.fault(StepCommitted); err != nil {
		return nil, err
	}
	return f, nil
}

// put writes the bytes of r, at most the upload limit, in b and returns the file
// they make, without id or holder. The media type is the declared one, or sniffed.
func (s *Service) put(ctx context.Context, b *blob.Batch, r io.Reader, mimeType, filename string) (*backrest.File, error) {
	if err := s.fault(StepPut); err != nil {
		return nil, err
	}
	r = blob.LimitReader(r, s.opts.UploadLimit)
	mimeType = cleanMimeType(mimeType)
	if mimeType == "" {
		br := bufio.NewReaderSize(r, 512)
		head, err := br.Peek(512)
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, uploadError(err)
		}
		mimeType = s.sniff(head)
		r = br
	}
	info, err := b.Put(ctx, r)
	if err != nil {
		return nil, uploadError(err)
	}
	return &backrest.File{UUID: backrest.NewUUID().String(), Key: info.Key, Filename: CleanFilename(filename), MimeType: mimeType,
		Size: info.Size, SHA256: info.SHA256}, nil
}

// sniff returns the media type of a file beginning with head.
func (s *Service) sniff(head []byte) string {
	if s.opts.Sniff == nil {
		return "application/octet-stream"
	}
	if mt := cleanMimeType(s.opts.Sniff(head)); mt != "" {
		return mt
	}
	return "application/octet-stream"
}

// uploadError turns the error of reading an upload into the error to report.
func uploadError(err error) error {
	if errors.Is(err, blob.ErrTooLarge) {
		return ErrTooLarge
	}
	return err
}

// bind makes the outcome of tx decide the fate of the bytes put in b: deleted if
// tx rolls back, kept if it commits. After a failed commit, whose outcome is
// unknown, neither happens and Sweep deletes the bytes if no row names them.
func (s *Service) bind(tx *store.Tx, b *blob.Batch) {
	tx.OnRollback(func(ctx context.Context) error {
		s.rollback(ctx, b)
		return nil
	})
	tx.OnCommit(func(ctx context.Context) error {
		// b has nothing to delete on commit; this ends it.
		return b.Commit(ctx)
	})
}

// rollback deletes the bytes put in b. What it fails to delete is left to Sweep.
func (s *Service) rollback(ctx context.Context, b *blob.Batch) {
	if err := b.Rollback(ctx); err != nil {
		s.log.Warn("bytes of a failed upload left for the sweeper", "err", err)
	}
}

// removeOnCommit deletes the bytes under keys once tx has committed and the commit
// is durable. What it fails to delete is left to Sweep.
func (s *Service) removeOnCommit(tx *store.Tx, keys ...string) {
	if len(keys) == 0 {
		return
	}
	b := blob.NewBatch(s.blobs)
	for _, k := range keys {
		b.Remove(k)
	}
	tx.OnCommit(func(ctx context.Context) error {
		if err := s.db.SyncCommitted(ctx); err != nil {
			s.log.Warn("bytes of deleted files left for the sweeper", "err", err)
			return nil
		}
		if err := b.Commit(ctx); err != nil {
			s.log.Warn("bytes of deleted files left for the sweeper", "err", err)
		}
		return nil
	})
}

// ParseUUID returns the canonical form (32 lower-case hex digits) of a file's
// UUID, accepting dashes and upper case, and false when s is not a UUID.
func ParseUUID(s string) (string, bool) {
	id, ok := backrest.ParseUUID(s)
	if !ok {
		return "", false
	}
	return id.String(), true
}

// errNoFile is the error of a file that does not exist.
var errNoFile = backrest.Errorf(backrest.ENOTFOUND, "File not found")

// errNotYours is the error of a caller who may not see or change a file.
var errNotYours = backrest.Errorf(backrest.EFORBIDDEN, "You may not access this file")

// mayView reports whether caller may view f: its uploader while it is unattached,
// whoever may view its item once attached (as items says), and admins always.
func mayView(ctx context.Context, items Viewer, caller *backrest.User, f *backrest.File) (bool, error) {
	if caller.IsAdmin() {
		return true, nil
	}
	if f.Content == 0 {
		return caller != nil && caller.ID == f.Owner, nil
	}
	if items == nil {
		return false, nil
	}
	return items.CanView(ctx, caller, f.Content)
}

// Open returns the file with the uuid and its bytes, open for reading, if caller
// (nil when anonymous) may view it; items tells who may view the item holding
// an attached file. Close the bytes when done.
func (s *Service) Open(ctx context.Context, items Viewer, caller *backrest.User, uuid string) (*backrest.File, blob.File, error) {
	uuid, ok := ParseUUID(uuid)
	if !ok {
		return nil, nil, errNoFile
	}
	f, err := store.FileByUUID(ctx, s.db, uuid)
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return nil, nil, errNoFile
	}
	if err != nil {
		return nil, nil, err
	}
	ok, err = mayView(ctx, items, caller, f)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		if caller == nil {
			return nil, nil, backrest.ErrAnonymous
		}
		return nil, nil, errNotYours
	}
	r, _, err := s.blobs.Open(ctx, f.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("files: bytes of file %d: %w", f.ID, err)
	}
	return f, r, nil
}

// Delete deletes the unattached upload with the uuid, which caller uploaded (or
// caller is an admin). Files held by content go with their field or item instead:
// deleting one is an ECONFLICT error, or EFORBIDDEN to a caller who may not view
// its item, as items tells.
func (s *Service) Delete(ctx context.Context, items Viewer, caller *backrest.User, uuid string) error {
	if caller == nil {
		return backrest.ErrAnonymous
	}
	uuid, ok := ParseUUID(uuid)
	if !ok {
		return errNoFile
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		f, err := store.FileByUUID(ctx, tx, uuid)
		if backrest.ErrorCode(err) == backrest.ENOTFOUND {
			return errNoFile
		}
		if err != nil {
			return err
		}
		if f.Content != 0 {
			ok, err := mayView(ctx, items, caller, f)
			if err != nil {
				return err
			}
			if !ok {
				return errNotYours
			}
			return backrest.Errorf(backrest.ECONFLICT, "The file is held by content: change or delete the content instead")
		}
		if f.Owner != caller.ID && !caller.IsAdmin() {
			return errNotYours
		}
		return s.Release(ctx, tx, f.ID)
	})
}

// Release deletes the file id, which its holder no longer holds (replaced,
// cleared, or its item deleted). Its bytes go once tx has committed. Releasing a
// file that does not exist does nothing.
func (s *Service) Release(ctx context.Context, tx *store.Tx, id int64) error {
	key, err := store.DeleteFile(ctx, tx, id)
	if err != nil {
		return err
	}
	if key != "" {
		s.removeOnCommit(tx, key)
	}
	return nil
}

// Files returns the files with the ids that exist, by id, for representations.
func (s *Service) Files(ctx context.Context, r store.Reader, ids []int64) (map[int64]*backrest.File, error) {
	return store.FilesByID(ctx, r, ids)
}

// Attach sets the file field of item to a and returns the file the field now
// holds, nil when a is nil (the field is cleared). a holds the bytes of a data
// URL, stored as a new file, or the id of a file caller uploaded. A file the
// field held before is released. Invalid values are EINVALID errors naming the
// field.
func (s *Service) Attach(ctx context.Context, tx *store.Tx, caller *backrest.User, a *backrest.Attachment, item int64, field string) (*backrest.File, error) {
	switch {
	case a == nil:
		return nil, s.releaseAt(ctx, tx, item, field, 0)
	case a.DataURL != "":
		name := a.Filename
		if name == "" {
			name = defaultFilename
		}
		return s.attachData(ctx, tx, caller, a.DataURL, name, item, field)
	}
	return s.attachUpload(ctx, tx, caller, a.ID, item, field)
}

// releaseAt releases the file held by the field of item, unless it is keep.
func (s *Service) releaseAt(ctx context.Context, tx *store.Tx, item int64, field string, keep int64) error {
	old, err := store.FileAt(ctx, tx, item, field)
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if old.ID == keep {
		return nil
	}
	return s.Release(ctx, tx, old.ID)
}

// attachData stores the bytes of a data URL as the file held by the field.
func (s *Service) attachData(ctx context.Context, tx *store.Tx, caller *backrest.User, data, filename string, item int64, field string) (*backrest.File, error) {
	if caller == nil {
		return nil, backrest.ErrAnonymous
	}
	d, err := parseDataURL(data)
	if err != nil {
		return nil, backrest.Invalid(field, "Must be a data URL: data:MIME;base64,…")
	}
	b := blob.NewBatch(s.blobs)
	s.bind(tx, b)
	f, err := s.put(ctx, b, d.reader(), d.mimeType, filename)
	if errors.Is(err, errBadData) {
		return nil, backrest.Invalid(field, "Invalid base64 data")
	}
	if errors.Is(err, ErrTooLarge) {
		return nil, &backrest.Error{Code: backrest.ETOOLARGE, Fields: []backrest.FieldError{
			{Location: "body", Name: field, Description: "File too large"}}}
	}
	if err != nil {
		return nil, err
	}
	if err := s.releaseAt(ctx, tx, item, field, 0); err != nil {
		return nil, err
	}
	f.Owner, f.Content, f.Field = caller.ID, item, field
	if err := s.checkQuota(ctx, tx, f, field); err != nil {
		return nil, err
	}
	if err := store.InsertFile(ctx, tx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// attachUpload makes the upload id, which caller made, the file held by the field.
func (s *Service) attachUpload(ctx context.Context, tx *store.Tx, caller *backrest.User, id, item int64, field string) (*backrest.File, error) {
	unknown := backrest.Invalid(field, "Unknown file: upload it first")
	f, err := store.FileByID(ctx, tx, id)
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return nil, unknown
	}
	if err != nil {
		return nil, err
	}
	if f.Content == item && f.Field == field {
		return f, nil
	}
	if f.Content != 0 {
		return nil, backrest.Invalid(field, "The file is held by other content")
	}
	if caller == nil || (f.Owner != caller.ID && !caller.IsAdmin()) {
		return nil, unknown
	}
	if err := s.releaseAt(ctx, tx, item, field, f.ID); err != nil {
		return nil, err
	}
	ok, err := store.AttachFile(ctx, tx, f.ID, item, field)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, unknown
	}
	f.Content, f.Field = item, field
	return f, nil
}
