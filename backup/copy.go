package backup

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/store"
)

// A copy moves a whole deployment: every row of every table of one database
// into another (SQLite or PostgreSQL, either way) and the bytes of every file
// from one blob store into another (a folder or S3, either way). Unlike a
// backup it does not take a snapshot: the servers of the source are meant to be
// stopped, and the checks at the end fail when the source changed meanwhile.
//
// The target must be empty. The copy first records in it, in the table
// store.CopyProgressTable, what it is a copy of; then it migrates it, creates the
// tables of the content types, and copies the tables one after another in the
// order of their foreign keys, each in primary-key order, in batches: a batch
// and the key of its last row are committed together, so an interrupted copy,
// run again with the same source and target, goes on after the last batch
// committed, without duplicates. The bytes of a batch of file rows are copied
// before the batch commits, under the new keys the target store gives them,
// which the copied rows name; bytes copied for a batch that did not commit are
// removed when the copy goes on.
//
// At the end the copy sets the auto-increment sequences of the target past the
// source's, compares the number of rows and a digest of every table on both
// sides, reads back the bytes of every file from the target store and checks
// them against their row, and only then drops its progress table.

// CopySource is the deployment a copy reads.
type CopySource struct {
	DB    *store.DB
	Blobs blob.Store
	// Database and Files describe the database and the store, without secrets:
	// an interrupted copy goes on only with the same descriptions.
	Database, Files string
}

// CopyTarget is the deployment a copy writes. The database and the store are
// either open (DB, Blobs) when they exist already, or made by CreateDB and
// CreateBlobs once the copy has checked everything else, so that a refused copy
// leaves nothing behind.
type CopyTarget struct {
	DB          *store.DB
	CreateDB    func(ctx context.Context) (*store.DB, error)
	Blobs       blob.Store
	CreateBlobs func() (blob.Store, error)
	// Database and Files describe the database and the store, without secrets.
	Database, Files string
}

// CopyOptions are the optional settings of Copy.
type CopyOptions struct {
	// Progress receives the progress; nil: none. Terminal says whether it is a
	// terminal (a line rewritten in place) or not (a plain line now and then).
	Progress io.Writer
	Terminal bool
	// Batch is the most rows committed together; 0 means 1000. The rows of
	// files commit 64 at a time at most.
	Batch int
	// Workers is the number of files whose bytes are copied at once; 0 means 8.
	Workers int
	// AfterBatch, when set, is called after each batch committed, with the
	// table's name and its rows copied so far; tests interrupt a copy with it.
	AfterBatch func(table string, rows int64)
}

// CopyReport describes a copy that ended, successfully or not.
type CopyReport struct {
	// Resumed is set when the copy went on from an interrupted one.
	Resumed bool
	// Tables are the tables checked, in the order they were copied.
	Tables []TableCheck
	// Sequences are the auto-increment positions set, by table.
	Sequences map[string]int64
	// Skipped are the tables of the source that are not backrest's, left.
	Skipped []string
	// Rows are the rows copied by this run, Files and Bytes the files whose
	// bytes it copied and their size.
	Rows, Files, Bytes int64
	// Checked are the files whose bytes were read back and checked, CheckedBytes
	// their size; Orphans the blobs of an interrupted run that were removed.
	Checked, CheckedBytes int64
	Orphans               int
	// Elapsed is the time the copy took, checks included.
	Elapsed time.Duration
}

// TableCheck is the check of one table: its rows and the digest of their values
// in key order, on each side.
type TableCheck struct {
	Name                       string
	SourceRows, TargetRows     int64
	SourceDigest, TargetDigest string
}

// OK reports whether both sides agree.
func (c TableCheck) OK() bool {
	return c.SourceRows == c.TargetRows && c.SourceDigest == c.TargetDigest
}

// ErrTargetNotEmpty is wrapped by the error of a copy into a target that holds
// data, other than an interrupted copy of the same source.
var ErrTargetNotEmpty = errors.New("the target is not empty")

// ErrCopyMismatch is wrapped by the error of a copy whose checks found the
// target different from the source.
var ErrCopyMismatch = errors.New("the copy differs from the source")

// copyHeader is what the progress table records of a copy under the part "".
type copyHeader struct {
	Source      string `json:"source"`
	SourceFiles string `json:"source_files"`
	TargetFiles string `json:"target_files"`
	Started     string `json:"started"`
}

// tableState is the progress of the copy of one table.
type tableState struct {
	Rows int64 `json:"rows"`
	// Bytes are the bytes of files copied with the rows (table files).
	Bytes int64 `json:"bytes,omitempty"`
	// After is the key of the last row copied, each value in the text form of
	// its kind (see encodeKey); nil before the first batch.
	After []string `json:"after,omitempty"`
	Done  bool     `json:"done,omitempty"`
}

// The table of files, whose blob_key column names bytes that the copy moves.
const (
	filesTable  = "files"
	blobKeyCol  = "blob_key"
	fileBatch   = 64
	tablePrefix = "table:"
)

// Copy copies the deployment src into the empty deployment dst (see above). On
// success the target serves as the source did. A copy interrupted, by an error
// or a crash, goes on where it stopped when run again with the same source and
// target. It refuses a target that holds anything else, with an error wrapping
// ErrTargetNotEmpty, and an error wrapping ErrCopyMismatch says that the checks
// failed (the report then gives each table's).
func Copy(ctx context.Context, src CopySource, dst CopyTarget, opts CopyOptions) (CopyReport, error) {
	began := time.Now()
	rep, err := runCopy(ctx, src, &dst, opts)
	rep.Elapsed = time.Since(began)
	if err != nil {
		return rep, fmt.Errorf("copy: %w", err)
	}
	return rep, nil
}

func runCopy(ctx context.Context, src CopySource, dst *CopyTarget, opts CopyOptions) (CopyReport, error) {
	rep := CopyReport{Sequences: map[string]int64{}}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	applied, known, err := src.DB.MigrationVersions(ctx)
	if err != nil {
		return rep, err
	}
	if !slices.Equal(applied, known) {
		return rep, fmt.Errorf("the source database has the migrations %v, this backrest has %v: run backrest migrate with the source's settings first, with the same version of backrest",
			applied, known)
	}
	if st, err := src.DB.CopyState(ctx); err != nil {
		return rep, err
	} else if st != nil {
		return rep, fmt.Errorf("the source database %s holds an unfinished copy: finish that copy first", src.Database)
	}
	header := copyHeader{Source: src.Database, SourceFiles: src.Files, TargetFiles: dst.Files}
	var state map[string]string
	if dst.DB != nil {
		if state, err = targetState(ctx, dst, header); err != nil {
			return rep, err
		}
	}
	rep.Resumed = state != nil
	if dst.Blobs != nil && state == nil {
		if err := storeEmpty(ctx, dst.Blobs, dst.Files); err != nil {
			return rep, err
		}
	}
	if dst.DB == nil {
		if dst.DB, err = dst.CreateDB(ctx); err != nil {
			return rep, err
		}
	}
	if dst.Blobs == nil {
		if dst.Blobs, err = dst.CreateBlobs(); err != nil {
			return rep, err
		}
	}
	if state == nil {
		header.Started = time.Now().UTC().Format(time.RFC3339)
		b, _ := json.Marshal(header)
		if err := dst.DB.BeginCopy(ctx, string(b)); err != nil {
			return rep, err
		}
		state = map[string]string{}
	}
	if _, err := dst.DB.Migrate(ctx); err != nil {
		return rep, err
	}
	if err := dst.DB.CreateContentTablesLike(ctx, src.DB); err != nil {
		return rep, err
	}
	tables, err := matchTables(ctx, src.DB, dst.DB, &rep)
	if err != nil {
		return rep, err
	}
	if rep.Resumed {
		if rep.Orphans, err = removeOrphans(ctx, dst); err != nil {
			return rep, err
		}
	}
	if err := copyTables(ctx, src, dst, tables, state, opts, &rep); err != nil {
		return rep, err
	}
	for i := range tables {
		t := &tables[i]
		if t.Serial == "" {
			continue
		}
		n, err := src.DB.SequencePosition(ctx, t)
		if err != nil {
			return rep, err
		}
		if err := dst.DB.SetSequence(ctx, t, n); err != nil {
			return rep, err
		}
		if n, err = dst.DB.SequencePosition(ctx, t); err != nil {
			return rep, err
		}
		rep.Sequences[t.Name] = n
	}
	if err := checkCopy(ctx, src, dst, tables, opts, &rep); err != nil {
		return rep, err
	}
	return rep, dst.DB.EndCopy(ctx)
}

// targetState returns the progress of the interrupted copy that the target
// database holds, or nil when it holds nothing; any other content is refused.
func targetState(ctx context.Context, dst *CopyTarget, header copyHeader) (map[string]string, error) {
	state, err := dst.DB.CopyState(ctx)
	if err != nil {
		return nil, err
	}
	if state == nil {
		tables, err := dst.DB.Tables(ctx)
		if err != nil {
			return nil, err
		}
		if len(tables) > 0 {
			return nil, fmt.Errorf("%w: the database %s holds %d tables (%s): copy only into an empty database",
				ErrTargetNotEmpty, dst.Database, len(tables), list(tables))
		}
		return nil, nil
	}
	var h copyHeader
	if err := json.Unmarshal([]byte(state[""]), &h); err != nil {
		return nil, fmt.Errorf("the progress of the copy in %s is unreadable: %w", dst.Database, err)
	}
	if h.Source != header.Source || h.SourceFiles != header.SourceFiles || h.TargetFiles != header.TargetFiles {
		return nil, fmt.Errorf("%w: the database %s holds an unfinished copy of %s with files from %s into %s, not of %s with files from %s into %s",
			ErrTargetNotEmpty, dst.Database, h.Source, h.SourceFiles, h.TargetFiles, header.Source, header.SourceFiles, header.TargetFiles)
	}
	return state, nil
}

// list names the first few of names.
func list(names []string) string {
	if len(names) > 5 {
		return strings.Join(names[:5], ", ") + ", …"
	}
	return strings.Join(names, ", ")
}

// storeEmpty reports an error unless blobs holds no blob.
func storeEmpty(ctx context.Context, blobs blob.Store, name string) error {
	var keys []string
	err := blobs.Walk(ctx, func(i blob.Info) error {
		keys = append(keys, i.Key)
		if len(keys) == 3 {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if len(keys) > 0 {
		return fmt.Errorf("%w: the file store %s holds blobs (%s): copy only into an empty one", ErrTargetNotEmpty, name, list(keys))
	}
	return nil
}

// errStop ends a walk early.
var errStop = errors.New("stop")

// matchTables returns the tables to copy: those of the migrated target, each
// of which the source must have with the same columns. The source's other
// tables are listed in rep.Skipped.
func matchTables(ctx context.Context, src, dst *store.DB, rep *CopyReport) ([]store.CopyTable, error) {
	tables, err := dst.CopyTables(ctx)
	if err != nil {
		return nil, err
	}
	have, err := src.CopyTables(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]store.CopyTable{}
	for _, t := range have {
		byName[t.Name] = t
	}
	for _, t := range tables {
		s, ok := byName[t.Name]
		if !ok {
			return nil, fmt.Errorf("the source database has no table %s", t.Name)
		}
		delete(byName, t.Name)
		if !sameColumns(s, t) {
			return nil, fmt.Errorf("the table %s has the columns %s in the source and %s in the target", t.Name, columns(s), columns(t))
		}
	}
	for name := range byName {
		rep.Skipped = append(rep.Skipped, name)
	}
	slices.Sort(rep.Skipped)
	return tables, nil
}

// sameColumns reports whether a and b have the same columns, of the same kinds,
// and the same key, in any order.
func sameColumns(a, b store.CopyTable) bool {
	if len(a.Columns) != len(b.Columns) || len(a.Key) != len(b.Key) {
		return false
	}
	for _, c := range a.Columns {
		i := b.Column(c.Name)
		if i < 0 || b.Columns[i].Kind != c.Kind {
			return false
		}
	}
	for i, k := range a.Key {
		if a.Columns[k].Name != b.Columns[b.Key[i]].Name {
			return false
		}
	}
	return true
}

// columns describes the columns of t for messages.
func columns(t store.CopyTable) string {
	var s []string
	for _, c := range t.Columns {
		s = append(s, c.Name+" "+c.Kind.String())
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// removeOrphans deletes the blobs of the target store that no file row of the
// target names: bytes copied for a batch that an interrupted copy did not
// commit.
func removeOrphans(ctx context.Context, dst *CopyTarget) (int, error) {
	named := map[string]bool{}
	if err := store.AllFiles(ctx, dst.DB, func(f *backrest.File) error {
		named[f.Key] = true
		return nil
	}); err != nil {
		return 0, err
	}
	var orphans []string
	if err := dst.Blobs.Walk(ctx, func(i blob.Info) error {
		if !named[i.Key] {
			orphans = append(orphans, i.Key)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	for _, k := range orphans {
		if err := dst.Blobs.Delete(ctx, k); err != nil {
			return 0, err
		}
	}
	return len(orphans), nil
}

// copyTables copies the rows of tables not done yet, after the progress state
// records, with the bytes of files.
func copyTables(ctx context.Context, src CopySource, dst *CopyTarget, tables []store.CopyTable, state map[string]string, opts CopyOptions, rep *CopyReport) error {
	states := make([]tableState, len(tables))
	p := &meter{w: opts.Progress, plain: !opts.Terminal, verb: "copy", noun: "rows", start: time.Now()}
	for i := range tables {
		if s, ok := state[tablePrefix+tables[i].Name]; ok {
			if err := json.Unmarshal([]byte(s), &states[i]); err != nil {
				return fmt.Errorf("the progress of table %s is unreadable: %w", tables[i].Name, err)
			}
		}
		n, err := src.DB.CountRows(ctx, tables[i].Name)
		if err != nil {
			return err
		}
		p.allItems += n
		p.done(states[i].Rows, states[i].Bytes)
	}
	var err error
	if _, p.allBytes, err = store.CountFiles(ctx, src.DB); err != nil {
		return err
	}
	defer p.finish()
	for i := range tables {
		if states[i].Done {
			continue
		}
		if err := copyTable(ctx, src, dst, &tables[i], &states[i], opts, p, rep); err != nil {
			return err
		}
	}
	return nil
}

// copyTable copies the rows of t after st.After, in batches.
func copyTable(ctx context.Context, src CopySource, dst *CopyTarget, t *store.CopyTable, st *tableState, opts CopyOptions, p *meter, rep *CopyReport) error {
	p.doing(t.Name)
	after, err := decodeKey(t, st.After)
	if err != nil {
		return fmt.Errorf("the progress of table %s: %w", t.Name, err)
	}
	limit := opts.Batch
	files := t.Name == filesTable
	if files {
		limit = min(limit, fileBatch)
	}
	var batch [][]any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var bytes int64
		if files {
			var created []string
			bytes, created, err = copyFileBytes(ctx, src.Blobs, dst.Blobs, t, batch, opts.Workers, p)
			if err != nil {
				return err
			}
			defer func() {
				if err != nil {
					for _, k := range created {
						dst.Blobs.Delete(context.WithoutCancel(ctx), k)
					}
				}
			}()
		}
		next := *st
		next.Rows += int64(len(batch))
		next.Bytes += bytes
		next.After = encodeKey(t, batch[len(batch)-1])
		b, _ := json.Marshal(next)
		if err = dst.DB.InsertCopied(ctx, t, batch, tablePrefix+t.Name, string(b)); err != nil {
			return err
		}
		*st = next
		rep.Rows += int64(len(batch))
		if files {
			rep.Files += int64(len(batch))
			rep.Bytes += bytes
		}
		p.add(int64(len(batch)))
		batch = batch[:0]
		if opts.AfterBatch != nil {
			opts.AfterBatch(t.Name, st.Rows)
		}
		return nil
	}
	err = src.DB.CopyRows(ctx, t, after, func(row []any) error {
		batch = append(batch, row)
		if len(batch) < limit {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	st.Done = true
	b, _ := json.Marshal(st)
	return dst.DB.SaveCopyState(ctx, tablePrefix+t.Name, string(b))
}

// copyFileBytes copies the bytes of the file rows of batch from one store to
// the other, workers at a time, checks them against their row, and makes each
// row name its new key. It returns the bytes copied and the keys made, which
// it deletes itself on error.
func copyFileBytes(ctx context.Context, from, to blob.Store, t *store.CopyTable, batch [][]any, workers int, p *meter) (int64, []string, error) {
	key, sz, sum, id := t.Column(blobKeyCol), t.Column("size"), t.Column("sha256"), t.Column("uuid")
	if key < 0 || sz < 0 || sum < 0 || id < 0 {
		return 0, nil, fmt.Errorf("the table %s lacks the columns blob_key, size, sha256 or uuid", t.Name)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		created []string
		total   int64
		first   error
		wg      sync.WaitGroup
	)
	jobs := make(chan []any)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for row := range jobs {
				info, err := copyOneBlob(ctx, from, to, row[key].(string), p)
				mu.Lock()
				if err == nil {
					created = append(created, info.Key)
					if info.Size != row[sz] || info.SHA256 != row[sum] {
						err = fmt.Errorf("the bytes of file %s in the source store (%d bytes, SHA-256 %s) differ from its row (%v bytes, %v): run backrest files check",
							row[id], info.Size, info.SHA256, row[sz], row[sum])
					}
					total += info.Size
					row[key] = info.Key
				}
				if err != nil && first == nil {
					first = fmt.Errorf("file %v: %w", row[id], err)
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	for _, row := range batch {
		if ctx.Err() != nil {
			break
		}
		jobs <- row
	}
	close(jobs)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	if first != nil {
		for _, k := range created {
			to.Delete(context.WithoutCancel(ctx), k)
		}
		return 0, nil, first
	}
	return total, created, nil
}

// copyOneBlob copies the blob key from one store into the other.
func copyOneBlob(ctx context.Context, from, to blob.Store, key string, p *meter) (blob.Info, error) {
	r, _, err := from.Open(ctx, key)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return blob.Info{}, fmt.Errorf("its bytes are missing from the source store (run backrest files check): %w", err)
		}
		return blob.Info{}, err
	}
	defer r.Close()
	return to.Create(ctx, io.TeeReader(r, p))
}

// encodeKey returns the key values of row in text, after their kinds.
func encodeKey(t *store.CopyTable, row []any) []string {
	out := make([]string, len(t.Key))
	for i, k := range t.Key {
		switch v := row[k].(type) {
		case string:
			out[i] = v
		case int64:
			out[i] = strconv.FormatInt(v, 10)
		case float64:
			out[i] = strconv.FormatFloat(v, 'g', -1, 64)
		case []byte:
			out[i] = base64.StdEncoding.EncodeToString(v)
		}
	}
	return out
}

// decodeKey reverses encodeKey; nil stays nil.
func decodeKey(t *store.CopyTable, s []string) ([]any, error) {
	if s == nil {
		return nil, nil
	}
	if len(s) != len(t.Key) {
		return nil, fmt.Errorf("a key of %d values, want %d", len(s), len(t.Key))
	}
	out := make([]any, len(s))
	for i, k := range t.Key {
		var err error
		switch t.Columns[k].Kind {
		case store.CopyText:
			out[i] = s[i]
		case store.CopyInt:
			out[i], err = strconv.ParseInt(s[i], 10, 64)
		case store.CopyFloat:
			out[i], err = strconv.ParseFloat(s[i], 64)
		case store.CopyBytes:
			out[i], err = base64.StdEncoding.DecodeString(s[i])
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkCopy compares every table of both databases and reads back the bytes of
// every file of the target; a difference is an error wrapping ErrCopyMismatch.
func checkCopy(ctx context.Context, src CopySource, dst *CopyTarget, tables []store.CopyTable, opts CopyOptions, rep *CopyReport) error {
	p := &meter{w: opts.Progress, plain: !opts.Terminal, verb: "check", noun: "rows", start: time.Now()}
	for i := range tables {
		n, err := dst.DB.CountRows(ctx, tables[i].Name)
		if err != nil {
			return err
		}
		p.allItems += n
	}
	var bad []string
	for i := range tables {
		t := &tables[i]
		p.doing(t.Name)
		c := TableCheck{Name: t.Name}
		var serr, terr error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SourceRows, c.SourceDigest, serr = tableDigest(ctx, src.DB, t, nil)
		}()
		c.TargetRows, c.TargetDigest, terr = tableDigest(ctx, dst.DB, t, p)
		wg.Wait()
		if err := errors.Join(serr, terr); err != nil {
			return err
		}
		rep.Tables = append(rep.Tables, c)
		if !c.OK() {
			bad = append(bad, fmt.Sprintf("%s: %d rows with digest %s in the source, %d rows with %s in the target",
				c.Name, c.SourceRows, c.SourceDigest, c.TargetRows, c.TargetDigest))
		}
	}
	p.finish()
	if len(bad) > 0 {
		return fmt.Errorf("%w (was the source written to meanwhile?): %s", ErrCopyMismatch, strings.Join(bad, "; "))
	}
	return checkBytes(ctx, dst, opts, rep)
}

// checkBytes reads back the bytes of every file row of the target and checks
// their size and SHA-256, and that the store holds no other blob.
func checkBytes(ctx context.Context, dst *CopyTarget, opts CopyOptions, rep *CopyReport) error {
	sizes := map[string]int64{}
	if err := dst.Blobs.Walk(ctx, func(i blob.Info) error {
		sizes[i.Key] = i.Size
		return nil
	}); err != nil {
		return err
	}
	var rows []*backrest.File
	var total int64
	if err := store.AllFiles(ctx, dst.DB, func(f *backrest.File) error {
		rows = append(rows, f)
		total += f.Size
		return nil
	}); err != nil {
		return err
	}
	p := &meter{w: opts.Progress, plain: !opts.Terminal, verb: "check", noun: "files", allItems: int64(len(rows)), allBytes: total, start: time.Now()}
	defer p.finish()
	var (
		mu  sync.Mutex
		bad []string
		wg  sync.WaitGroup
	)
	jobs := make(chan *backrest.File)
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				err := checkBlob(ctx, dst.Blobs, f, sizes, p)
				mu.Lock()
				if err != nil {
					bad = append(bad, fmt.Sprintf("file %s: %v", f.UUID, err))
				} else {
					rep.Checked++
					rep.CheckedBytes += f.Size
				}
				mu.Unlock()
				p.file()
			}
		}()
	}
	for _, f := range rows {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	named := map[string]bool{}
	for _, f := range rows {
		named[f.Key] = true
	}
	for k := range sizes {
		if !named[k] {
			bad = append(bad, "blob "+k+" of the target store: no file names it")
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return fmt.Errorf("%w: %d problems with the bytes of files: %s", ErrCopyMismatch, len(bad), list(bad))
	}
	return nil
}

// checkBlob reads the bytes of the file f from blobs and compares them to its
// row.
func checkBlob(ctx context.Context, blobs blob.Store, f *backrest.File, sizes map[string]int64, p *meter) error {
	if sz, ok := sizes[f.Key]; !ok {
		return errors.New("its bytes are missing from the target store")
	} else if sz != f.Size {
		return fmt.Errorf("%d bytes in the target store, its row says %d", sz, f.Size)
	}
	r, _, err := blobs.Open(ctx, f.Key)
	if err != nil {
		return err
	}
	defer r.Close()
	got, err := digest(io.TeeReader(r, p))
	if err != nil {
		return err
	}
	if got != (Part{Size: f.Size, SHA256: f.SHA256}) {
		return fmt.Errorf("%d bytes with SHA-256 %s in the target store, its row says %d bytes with %s", got.Size, got.SHA256, f.Size, f.SHA256)
	}
	return nil
}

// TableDigest returns the number of rows of the table t of db and the SHA-256
// of their values, in key order: the same on SQLite and PostgreSQL for the same
// rows. The blob keys of files, which a copy makes anew, are left out.
func TableDigest(ctx context.Context, db *store.DB, t *store.CopyTable) (int64, string, error) {
	return tableDigest(ctx, db, t, nil)
}

// tableDigest is TableDigest, counting the rows read on p (nil: none).
func tableDigest(ctx context.Context, db *store.DB, t *store.CopyTable, p *meter) (int64, string, error) {
	skip := -1
	if t.Name == filesTable {
		skip = t.Column(blobKeyCol)
	}
	h := sha256.New()
	var n int64
	var buf []byte
	err := db.CopyRows(ctx, t, nil, func(row []any) error {
		n++
		buf = buf[:0]
		for i, v := range row {
			if i != skip {
				buf = appendValue(buf, v)
			}
		}
		h.Write(buf)
		if p != nil && n%1000 == 0 {
			p.add(1000)
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	if p != nil {
		p.add(n % 1000)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// appendValue appends v, a value of store.CopyRows, to b in a form that tells
// every value and kind apart.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, 'n')
	case int64:
		return binary.BigEndian.AppendUint64(append(b, 'i'), uint64(v))
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 'f'), math.Float64bits(v))
	case string:
		return append(binary.AppendUvarint(append(b, 't'), uint64(len(v))), v...)
	case []byte:
		return append(binary.AppendUvarint(append(b, 'b'), uint64(len(v))), v...)
	}
	panic(fmt.Sprintf("backup: a value of type %T", v))
}
