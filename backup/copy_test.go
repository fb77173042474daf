package backup_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/backup"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/blob/blobtest"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/files"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

func TestMain(m *testing.M) {
	os.Exit(blobtest.Main(m))
}

// copySchema has a type of every storage: own columns of each kind, a file, a
// relation to one item and a list of them, categories.
const copySchema = `{
	"category_groups": {"topics": ["news", "howto"]},
	"types": [
		{"name": "note", "categories": true, "fields": [
			{"name": "body", "type": "text"},
			{"name": "rank", "type": "integer"},
			{"name": "score", "type": "number"},
			{"name": "pinned", "type": "boolean"},
			{"name": "at", "type": "datetime"},
			{"name": "extra", "type": "json"},
			{"name": "attachment", "type": "file"},
			{"name": "parent", "type": "relation", "target": "note", "on_delete": "set_null"},
			{"name": "links", "type": "relation", "target": "note", "multiple": true}
		]}
	]
}`

// deployment is a data folder (and maybe a database URL and a bucket): the
// settings of one backrest.
type deployment struct {
	data, db, s3 string
}

func (d deployment) config(t testing.TB) backrest.Config {
	t.Helper()
	cfg := backrest.DefaultConfig()
	cfg.DataDir, cfg.DB, cfg.S3 = d.data, d.db, d.s3
	cfg.Argon2.Memory, cfg.Argon2.Time = 64, 1
	cfg.Schema = filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(cfg.Schema, []byte(copySchema), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// open starts the app of d.
func (d deployment) open(t *testing.T) *app.App {
	t.Helper()
	a, err := app.New(t.Context(), d.config(t), app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fill puts users, sessions, items (some deleted, so that ids have gaps past
// the last), files, categories, a rate-limit bucket and events into d.
func fill(t *testing.T, d deployment, items int) {
	t.Helper()
	ctx := t.Context()
	a := d.open(t)
	defer a.Close()
	var users []*backrest.User
	for i := range 3 {
		u, err := a.Accounts.AddUser(ctx, account.NewUser{Email: fmt.Sprintf("user%d@example.com", i), Password: "pass word " + fmt.Sprint(i), Firstname: "Ü" + fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	if _, err := a.Accounts.Login(ctx, "user1@example.com", "pass word 1"); err != nil {
		t.Fatal(err)
	}
	email, password := "pending@example.com", "pending pass"
	if err := a.Accounts.Signup(ctx, account.SignupInput{Email: &email, Password: &password}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Exec(ctx, "INSERT INTO rate_limits (name, expires) VALUES (?, ?)", "login:127.0.0.1", time.Now().Add(time.Hour).UnixMicro()); err != nil {
		t.Fatal(err)
	}
	note := a.Content.TypeByPlural("notes")
	var ids []int64
	for i := range items {
		title := fmt.Sprintf("note %d", i)
		in := &content.Input{Title: &title, Fields: map[string]any{
			"body": strings.Repeat("x", i%7), "rank": int64(i), "score": float64(i) / 3, "pinned": i%2 == 0,
			"at": time.UnixMicro(1700000000000000 + int64(i)).UTC(), "extra": json.RawMessage(`{"i":` + fmt.Sprint(i) + `}`)}}
		if i%3 == 0 {
			in.Categories = []string{"news"}
		}
		if len(ids) > 0 {
			in.Fields["parent"] = ids[len(ids)-1]
			in.Fields["links"] = ids[max(0, len(ids)-3):]
		}
		if i%4 == 0 {
			f, err := a.Files.Upload(ctx, users[i%3], files.Upload{Body: strings.NewReader(strings.Repeat(fmt.Sprint(i), 100*i+1)), Filename: fmt.Sprintf("f%d.txt", i)})
			if err != nil {
				t.Fatal(err)
			}
			in.Fields["attachment"] = &backrest.Attachment{ID: f.ID}
		}
		it, err := a.Content.Create(ctx, users[i%3], note, in)
		if err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
		ids = append(ids, it.ID)
	}
	// An upload that no item holds, and the last item deleted: the sequence is
	// past the largest id left.
	if _, err := a.Files.Upload(ctx, users[0], files.Upload{Body: strings.NewReader("loose"), Filename: "loose.txt"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Content.Delete(ctx, users[(items-1)%3], note, ids[len(ids)-1]); err != nil {
		t.Fatal(err)
	}
}

// digests returns the rows and digest of every table of the database of d.
func digests(t *testing.T, d deployment) map[string]string {
	t.Helper()
	db, err := store.Open(t.Context(), d.db, d.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := db.CopyTables(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i := range tables {
		n, sum, err := backup.TableDigest(t.Context(), db, &tables[i])
		if err != nil {
			t.Fatal(err)
		}
		out[tables[i].Name] = fmt.Sprintf("%d %s", n, sum)
	}
	return out
}

// ends opens the source and target of a copy from a to b.
func ends(t testing.TB, a, b deployment) (backup.CopySource, backup.CopyTarget, func()) {
	t.Helper()
	ctx := t.Context()
	src := backup.CopySource{Database: "db:" + a.data + a.db, Files: "files:" + a.data + a.s3}
	dst := backup.CopyTarget{Database: "db:" + b.data + b.db, Files: "files:" + b.data + b.s3}
	var err error
	if src.DB, err = store.Open(ctx, a.db, a.data); err != nil {
		t.Fatal(err)
	}
	if src.Blobs, err = app.OpenBlobs(a.config(t)); err != nil {
		t.Fatal(err)
	}
	if dst.DB, err = store.Open(ctx, b.db, b.data); err != nil {
		t.Fatal(err)
	}
	if dst.Blobs, err = app.OpenBlobs(b.config(t)); err != nil {
		t.Fatal(err)
	}
	return src, dst, func() { src.DB.Close(); dst.DB.Close() }
}

// copyAll copies a into b.
func copyAll(t *testing.T, a, b deployment, opts backup.CopyOptions) (backup.CopyReport, error) {
	t.Helper()
	src, dst, done := ends(t, a, b)
	defer done()
	return backup.Copy(t.Context(), src, dst, opts)
}

// blobCount returns the number of blobs in the store of d.
func blobCount(t *testing.T, d deployment) int {
	t.Helper()
	s, err := app.OpenBlobs(d.config(t))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.Walk(t.Context(), func(blob.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// other returns a new empty deployment: PostgreSQL and S3 when the tests have
// them, else SQLite and a folder.
func other(t *testing.T) deployment {
	d := deployment{data: t.TempDir()}
	if os.Getenv(storetest.EnvPostgres) != "" {
		d.db = storetest.DSN(t, storetest.Postgres)
	}
	if blobtest.Enabled() {
		d.s3 = blobtest.URL(t)
	}
	return d
}

// A deployment copied from SQLite and a folder to PostgreSQL and S3 (when the
// tests have them) and back is equal, table by table, to the original; the
// copy serves the same items, files and logins.
func TestCopyRoundTrip(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" || !blobtest.Enabled() {
		t.Logf("round trip through SQLite and a folder only: set %s and %s to go through PostgreSQL and S3", storetest.EnvPostgres, blobtest.EnvS3)
	}
	src := deployment{data: t.TempDir()}
	fill(t, src, 40)
	want := digests(t, src)
	mid := other(t)
	rep, err := copyAll(t, src, mid, backup.CopyOptions{Batch: 7})
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	if len(rep.Tables) != len(want) || rep.Files != 11 || rep.Checked != 11 || rep.Sequences["content"] != 40 {
		t.Fatalf("report: %+v", rep)
	}
	back := deployment{data: t.TempDir()}
	if _, err := copyAll(t, mid, back, backup.CopyOptions{}); err != nil {
		t.Fatalf("copy back: %v", err)
	}
	if got := digests(t, back); !equalMaps(got, want) {
		t.Fatalf("after the round trip:\n%v\nwant\n%v", got, want)
	}
	for _, d := range []deployment{mid, back} {
		serves(t, src, d)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// serves checks that the copy d serves what src does: the same items, the bytes
// of their files, logins with the same passwords, and new ids past the old.
func serves(t *testing.T, src, d deployment) {
	t.Helper()
	ctx := t.Context()
	a, b := src.open(t), d.open(t)
	defer a.Close()
	defer b.Close()
	for _, x := range []*app.App{a, b} {
		if _, err := x.Accounts.Login(ctx, "user2@example.com", "pass word 2"); err != nil {
			t.Fatalf("login: %v", err)
		}
	}
	admin := &backrest.User{ID: backrest.UserID{9}, Roles: []string{"admin"}}
	ta, tb := a.Content.TypeByPlural("notes"), b.Content.TypeByPlural("notes")
	for id := int64(1); id < 40; id++ {
		ia, err := a.Content.Get(ctx, admin, ta, id)
		if err != nil {
			t.Fatal(err)
		}
		ib, err := b.Content.Get(ctx, admin, tb, id)
		if err != nil {
			t.Fatalf("item %d in the copy: %v", id, err)
		}
		if fields(ia) != fields(ib) || ia.Title != ib.Title || ia.Owner != ib.Owner || !ia.Created.Equal(ib.Created) || !slices.Equal(ia.Categories, ib.Categories) {
			t.Fatalf("item %d: %+v, want %+v", id, ib, ia)
		}
		f, ok := ia.Fields["attachment"].(*backrest.File)
		if !ok {
			continue
		}
		got := readFile(t, b, admin, f.UUID)
		if want := readFile(t, a, admin, f.UUID); got != want {
			t.Fatalf("file %s: %q, want %q", f.UUID, got, want)
		}
	}
	first, err := a.Content.Get(ctx, admin, ta, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The search texts, which a copy leaves, were written anew from the items.
	q := &content.Query{Limit: 100, Sort: "creation_date", Desc: true, Search: []string{store.FoldSearch(strings.Fields(first.Title)[0])}}
	pa, err := a.Content.List(ctx, admin, ta, q)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Content.List(ctx, admin, tb, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(pa.Items) == 0 || len(pb.Items) != len(pa.Items) || pb.Total != pa.Total {
		t.Fatalf("search %q: %d items (total %d) in the copy, %d (total %d) in the source", q.Search, len(pb.Items), pb.Total, len(pa.Items), pa.Total)
	}
	title := "new"
	it, err := b.Content.Create(ctx, &backrest.User{ID: first.Owner}, tb, &content.Input{Title: &title, Fields: map[string]any{}})
	if err == nil && it.ID != 41 {
		err = fmt.Errorf("id %d, want 41", it.ID)
	}
	if err != nil {
		t.Fatalf("create in the copy: %v", err)
	}
}

// fields returns the own fields of it as text, each file by its uuid, size
// and digest.
func fields(it *content.Item) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(it.Fields)) {
		v := it.Fields[k]
		if f, ok := v.(*backrest.File); ok {
			v = f.UUID + " " + f.Filename + " " + fmt.Sprint(f.Size) + " " + f.SHA256
		}
		fmt.Fprintf(&b, "%s=%v;", k, v)
	}
	return b.String()
}

// readFile returns the bytes of the file uuid of a, read by caller.
func readFile(t *testing.T, a *app.App, caller *backrest.User, uuid string) string {
	t.Helper()
	_, r, err := a.Files.Open(t.Context(), a.Content, caller, uuid)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A copy interrupted midway (its context cancelled after a batch) goes on when
// run again and ends equal to the source, without duplicates; bytes that a
// crash left for a batch that did not commit are removed, and a server refuses
// the database meanwhile.
func TestCopyResumes(t *testing.T) {
	src := deployment{data: t.TempDir()}
	fill(t, src, 30)
	want := digests(t, src)
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		dst := deployment{data: t.TempDir(), db: storetest.DSN(t, b)}
		if b == storetest.Postgres && blobtest.Enabled() {
			dst.s3 = blobtest.URL(t)
		}
		for _, stop := range []string{"content", "content_categories", "files"} {
			ctx, cancel := context.WithCancel(t.Context())
			s, d, done := ends(t, src, dst)
			_, err := backup.Copy(ctx, s, d, backup.CopyOptions{Batch: 4, AfterBatch: func(table string, rows int64) {
				if table == stop && rows >= 4 {
					cancel()
				}
			}})
			done()
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("stopped in %s: %v", stop, err)
			}
		}
		// A server refuses the unfinished copy.
		if _, err := app.New(t.Context(), dst.config(t), app.Options{Logger: slog.New(slog.DiscardHandler)}); err == nil || !strings.Contains(err.Error(), "unfinished copy") {
			t.Fatalf("serving an unfinished copy: %v", err)
		}
		// A crash may leave bytes stored for a batch that did not commit.
		s, d, done := ends(t, src, dst)
		if _, err := d.Blobs.Create(t.Context(), strings.NewReader("orphan")); err != nil {
			t.Fatal(err)
		}
		rep, err := backup.Copy(t.Context(), s, d, backup.CopyOptions{Batch: 4})
		done()
		if err != nil {
			t.Fatalf("resumed: %v", err)
		}
		if !rep.Resumed || rep.Rows == 0 || rep.Orphans != 1 {
			t.Fatalf("report: %+v", rep)
		}
		if got := digests(t, dst); !equalMaps(got, want) {
			t.Fatalf("after resuming:\n%v\nwant\n%v", got, want)
		}
		if n := blobCount(t, dst); n != 9 {
			t.Fatalf("%d blobs, want 9", n)
		}
		// Done: the target is a deployment now, which a copy refuses.
		if _, err := copyAll(t, src, dst, backup.CopyOptions{}); !errors.Is(err, backup.ErrTargetNotEmpty) {
			t.Fatalf("copy into a finished copy: %v", err)
		}
	})
}

// A target that holds a database or blobs is refused, naming what it holds,
// and left as it was; so is an interrupted copy of another source, which is
// no source either.
func TestCopyRefusesNonEmptyTarget(t *testing.T) {
	src := deployment{data: t.TempDir()}
	fill(t, src, 5)
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		used := deployment{data: t.TempDir(), db: storetest.DSN(t, b)}
		fill(t, used, 2)
		before := digests(t, used)
		blobs := blobCount(t, used)
		_, err := copyAll(t, src, used, backup.CopyOptions{})
		if !errors.Is(err, backup.ErrTargetNotEmpty) || !strings.Contains(err.Error(), " tables (") || !strings.Contains(err.Error(), "categories, content, ") {
			t.Fatalf("copy into a used database: %v", err)
		}
		if got := digests(t, used); !equalMaps(got, before) || blobCount(t, used) != blobs {
			t.Fatal("the refused copy changed the target")
		}

		// An empty database beside a folder of blobs.
		files := deployment{data: t.TempDir(), db: storetest.DSN(t, b)}
		s, d, done := ends(t, src, files)
		if _, err := d.Blobs.Create(t.Context(), strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
		_, err = backup.Copy(t.Context(), s, d, backup.CopyOptions{})
		done()
		if !errors.Is(err, backup.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "holds blobs") {
			t.Fatalf("copy into a store with blobs: %v", err)
		}
		db, err := store.Open(t.Context(), files.db, files.data)
		if err != nil {
			t.Fatal(err)
		}
		tables, err := db.Tables(t.Context())
		db.Close()
		if err != nil || len(tables) != 0 {
			t.Fatalf("the refused copy made tables %v (%v)", tables, err)
		}

		// An interrupted copy of another source.
		part := deployment{data: t.TempDir(), db: storetest.DSN(t, b)}
		ctx, cancel := context.WithCancel(t.Context())
		s, d, done = ends(t, src, part)
		_, err = backup.Copy(ctx, s, d, backup.CopyOptions{Batch: 1, AfterBatch: func(string, int64) { cancel() }})
		done()
		if !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		s, d, done = ends(t, used, part)
		_, err = backup.Copy(t.Context(), s, d, backup.CopyOptions{})
		done()
		if !errors.Is(err, backup.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "holds an unfinished copy of db:"+src.data) {
			t.Fatalf("copy of another source into an interrupted copy: %v", err)
		}
		// Nor is an unfinished copy a source.
		s, d, done = ends(t, part, deployment{data: t.TempDir()})
		_, err = backup.Copy(t.Context(), s, d, backup.CopyOptions{})
		done()
		if err == nil || !strings.Contains(err.Error(), "holds an unfinished copy: finish that copy first") {
			t.Fatalf("copy of an unfinished copy: %v", err)
		}
	})
}

// The checks find a target that differs from the source: a row changed in the
// source after the copy makes the copy's check fail.
func TestCopyChecksFindDifferences(t *testing.T) {
	src := deployment{data: t.TempDir()}
	fill(t, src, 5)
	dst := deployment{data: t.TempDir()}
	s, d, done := ends(t, src, dst)
	defer done()
	_, err := backup.Copy(t.Context(), s, d, backup.CopyOptions{Batch: 2, AfterBatch: func(table string, rows int64) {
		if table == "users" && rows == 2 {
			if _, err := s.DB.Exec(t.Context(), "UPDATE users SET firstname = 'changed' WHERE email = 'user0@example.com'"); err != nil {
				t.Error(err)
			}
		}
	}})
	if !errors.Is(err, backup.ErrCopyMismatch) || !strings.Contains(err.Error(), "users: 4 rows with digest") {
		t.Fatalf("copy of a source changed meanwhile: %v", err)
	}
	tables, err := d.DB.Tables(t.Context())
	if err != nil || !slices.Contains(tables, store.CopyProgressTable) {
		t.Fatalf("a failed copy dropped its progress: %v %v", tables, err)
	}
}

// BenchmarkCopy copies a deployment of BACKREST_BENCH_COPY_ITEMS items
// (default 10000; one in BACKREST_BENCH_COPY_FILE_EVERY, default 100, with a
// file of 64 KiB) from SQLite and a folder into PostgreSQL and S3 (when the
// tests have them, else another folder), checks included, and reports rows
// and bytes per second.
func BenchmarkCopy(b *testing.B) {
	items, every := envInt(b, "BACKREST_BENCH_COPY_ITEMS", 10000), envInt(b, "BACKREST_BENCH_COPY_FILE_EVERY", 100)
	src := deployment{data: b.TempDir()}
	cfg := src.config(b)
	cfg.SQLiteSync = store.SyncNormal
	ctx := context.Background()
	a, err := app.New(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	u, err := a.Accounts.AddUser(ctx, account.NewUser{Email: "bench@example.com", Password: "bench password"})
	if err != nil {
		b.Fatal(err)
	}
	note := a.Content.TypeByPlural("notes")
	payload := strings.Repeat("0123456789abcdef", 4096)
	began := time.Now()
	var wg sync.WaitGroup
	var next atomic.Int64
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= items {
					return
				}
				title := fmt.Sprintf("note %d", i)
				in := &content.Input{Title: &title, Fields: map[string]any{"body": "text of the note " + title, "rank": int64(i)}}
				if i%every == 0 {
					f, err := a.Files.Upload(ctx, u, files.Upload{Body: strings.NewReader(payload + title), Filename: "f.txt"})
					if err != nil {
						errs <- err
						return
					}
					in.Fields["attachment"] = &backrest.Attachment{ID: f.ID}
				}
				if _, err := a.Content.Create(ctx, u, note, in); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	a.Close()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.Logf("prepared %d items in %s", items, time.Since(began).Round(time.Millisecond))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst := deployment{data: b.TempDir()}
		if os.Getenv(storetest.EnvPostgres) != "" {
			dst.db = storetest.DSN(b, storetest.Postgres)
		}
		if blobtest.Enabled() {
			dst.s3 = blobtest.URL(b)
		}
		s, d, done := ends(b, src, dst)
		b.StartTimer()
		rep, err := backup.Copy(ctx, s, d, backup.CopyOptions{})
		b.StopTimer()
		done()
		if err != nil {
			b.Fatal(err)
		}
		secs := rep.Elapsed.Seconds()
		b.ReportMetric(float64(rep.Rows)/secs, "rows/s")
		b.ReportMetric(float64(rep.Bytes)/secs/(1<<20), "MiB/s")
		b.ReportMetric(float64(rep.Rows), "rows")
		b.ReportMetric(float64(rep.Files), "files")
		into := "SQLite and a folder"
		if dst.db != "" {
			into = "PostgreSQL"
		}
		if dst.s3 != "" {
			into += " and S3"
		}
		b.Logf("SQLite and a folder into %s: %d rows and %d files (%d bytes) in %s, %d tables checked, %d files read back", into,
			rep.Rows, rep.Files, rep.Bytes, rep.Elapsed.Round(time.Millisecond), len(rep.Tables), rep.Checked)
		b.StartTimer()
	}
}

// envInt returns the positive integer of the variable name, or def.
func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s: want a positive integer, not %q", name, v)
	}
	return n
}
