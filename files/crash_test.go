package files_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/files"
	"github.com/backrest/backrest/store"
)

var (
	crashSeed   = flag.Uint64("crash.seed", 0, "seed of TestCrash (0: from the clock)")
	crashRounds = flag.Int("crash.rounds", 20, "rounds of TestCrash")
)

// crashClients is the number of clients working at once.
const crashClients = 4

// crashSchema has a type whose items hold a file.
const crashSchema = `{"types": [{"name": "album", "fields": [{"name": "cover", "type": "file"}]}]}`

// album is what the server acknowledged about an album.
type album struct {
	// cover is the UUID of its cover file.
	cover string
	// deleted is true once its deletion was acknowledged.
	deleted bool
	// uncertain is true when a change was sent without a definite answer (the
	// server died), so that its outcome is unknown until the next acknowledged one.
	uncertain bool
	// busy is true while a client changes it.
	busy bool
}

// ledger records what the server acknowledged, across rounds.
type ledger struct {
	mu sync.Mutex
	// uploads holds the unattached uploads answered with 201, by UUID, with their
	// digest.
	uploads map[string]string
	// taken holds the uploads a deletion or an attachment was sent for, whatever
	// its answer.
	taken map[string]bool
	// deleted holds the uploads whose deletion was answered with success.
	deleted map[string]bool
	// ids holds the ids of the uploads, by UUID.
	ids map[string]int64
	// albums holds the albums whose creation was acknowledged, by id.
	albums map[int64]*album
	// unexpected lists the answers with an unexpected status: with a server that
	// only ever dies, every answer is the expected one.
	unexpected []string
	// counts of acknowledged operations, for the log.
	created, replaced, removed int
}

// takeUpload returns an acknowledged upload not taken yet, and marks it taken.
func (l *ledger) takeUpload(r *rand.Rand) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var candidates []string
	for u := range l.uploads {
		if !l.taken[u] {
			candidates = append(candidates, u)
		}
	}
	if len(candidates) == 0 {
		return "", false
	}
	slices.Sort(candidates)
	u := candidates[r.IntN(len(candidates))]
	l.taken[u] = true
	return u, true
}

// takeAlbum returns an album not deleted and not busy, and marks it busy.
func (l *ledger) takeAlbum(r *rand.Rand) (int64, *album, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ids []int64
	for id, a := range l.albums {
		if !a.busy && !(a.deleted && !a.uncertain) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, nil, false
	}
	slices.Sort(ids)
	id := ids[r.IntN(len(ids))]
	l.albums[id].busy = true
	return id, l.albums[id], true
}

// TestCrash kills a server with SIGKILL at random moments while clients upload
// and delete files and create, change and delete items holding files; it restarts
// the server each time. After every crash it checks that every file row has its
// bytes with the recorded size and digest, that what the server acknowledged
// stands (uploads, deletions, the file each item holds), and that a sweep leaves
// no bytes without a row.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test builds and kills a server; skipped with -short")
	}
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("crash test seed %d (replay with -crash.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	bin := buildBackrest(t)
	data := t.TempDir()
	schema := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(schema, []byte(crashSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	addUser(t, bin, data, "crash@example.com", "password1")
	l := &ledger{uploads: map[string]string{}, taken: map[string]bool{}, deleted: map[string]bool{},
		ids: map[string]int64{}, albums: map[int64]*album{}}

	var swept int
	for round := range *crashRounds {
		srv := startServer(t, bin, data, "BACKREST_SCHEMA="+schema)
		token := login(t, srv.url, "crash@example.com", "password1")
		var wg sync.WaitGroup
		for c := range crashClients {
			cl := &crashClient{url: srv.url, token: token, l: l,
				r: rand.New(rand.NewPCG(seed, uint64(round*crashClients+c+1))), http: &http.Client{Timeout: 10 * time.Second}}
			wg.Go(cl.run)
		}
		time.Sleep(time.Duration(10+rng.IntN(300)) * time.Millisecond)
		srv.kill()
		wg.Wait()
		if len(l.unexpected) > 0 {
			t.Fatalf("seed %d, round %d: unexpected answers: %q", seed, round, l.unexpected)
		}
		swept += checkAfterCrash(t, data, l, seed, round)
	}
	t.Logf("%d rounds: %d uploads acknowledged, %d deleted; %d items created, %d files replaced, %d items deleted; %d orphans swept after crashes",
		*crashRounds, len(l.uploads), len(l.deleted), l.created, l.replaced, l.removed, swept)
}

// crashClient works against a server until it stops answering.
type crashClient struct {
	url, token string
	l          *ledger
	r          *rand.Rand
	http       *http.Client
}

// errStatus is the error of an answer with an unexpected status.
type errStatus struct {
	status        int
	request, body string
}

func (e *errStatus) Error() string { return fmt.Sprintf("%s: %d %s", e.request, e.status, e.body) }

// do sends a request and decodes the JSON answer into out when the status is
// want. A transport error means the server died; the outcome is then unknown.
func (c *crashClient) do(method, path, contentType string, body []byte, want int, out any) error {
	req, _ := http.NewRequest(method, c.url+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return &errStatus{status: res.StatusCode, request: method + " " + path, body: string(data)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// bytes returns up to max random bytes.
func (c *crashClient) bytes(max int) []byte {
	data := make([]byte, c.r.IntN(max))
	for i := range data {
		data[i] = byte(c.r.Uint32())
	}
	return data
}

// coverBody returns the JSON body setting the cover, beside the extra keys: a new
// data URL, or one of the acknowledged uploads.
func (c *crashClient) coverBody(extra map[string]any) []byte {
	body := map[string]any{}
	for k, v := range extra {
		body[k] = v
	}
	upload := ""
	if c.r.IntN(2) == 0 {
		upload, _ = c.l.takeUpload(c.r)
	}
	if upload != "" {
		body["cover"] = map[string]any{"id": c.uploadID(upload)}
	} else {
		body["cover"] = map[string]any{"filename": "cover.bin",
			"data": "data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(c.bytes(48<<10))}
	}
	data, _ := json.Marshal(body)
	return data
}

// uploadID returns the id of an upload from its UUID, which the ledger keeps
// beside the digest.
func (c *crashClient) uploadID(uuid string) int64 {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	return c.l.ids[uuid]
}

// itemJSON is the part of an album's representation the test reads.
type itemJSON struct {
	ID    int64    `json:"id"`
	Cover fileJSON `json:"cover"`
}

func (c *crashClient) run() {
	for {
		var err error
		switch n := c.r.IntN(20); {
		case n < 7:
			err = c.upload()
		case n < 10:
			err = c.deleteUpload()
		case n < 13:
			err = c.createAlbum()
		case n < 17:
			err = c.replaceCover()
		default:
			err = c.deleteAlbum()
		}
		var es *errStatus
		if errors.As(err, &es) {
			c.l.mu.Lock()
			c.l.unexpected = append(c.l.unexpected, es.Error())
			c.l.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (c *crashClient) upload() error {
	data := c.bytes(256 << 10)
	var f fileJSON
	if err := c.do("POST", "/-/files?filename=crash.bin", "application/octet-stream", data, http.StatusCreated, &f); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	c.l.mu.Lock()
	c.l.uploads[f.UUID] = hex.EncodeToString(sum[:])
	c.l.ids[f.UUID] = f.ID
	c.l.mu.Unlock()
	return nil
}

func (c *crashClient) deleteUpload() error {
	uuid, ok := c.l.takeUpload(c.r)
	if !ok {
		return nil
	}
	if err := c.do("DELETE", "/-/"+uuid+"~", "", nil, http.StatusOK, nil); err != nil {
		return err
	}
	c.l.mu.Lock()
	c.l.deleted[uuid] = true
	c.l.mu.Unlock()
	return nil
}

func (c *crashClient) createAlbum() error {
	body := c.coverBody(map[string]any{"title": "album"})
	var it itemJSON
	if err := c.do("POST", "/-/albums", "application/json", body, http.StatusCreated, &it); err != nil {
		return err
	}
	c.l.mu.Lock()
	c.l.albums[it.ID] = &album{cover: it.Cover.UUID}
	c.l.created++
	c.l.mu.Unlock()
	return nil
}

// change sends a change of an album taken from the ledger and records its
// outcome with done when acknowledged.
func (c *crashClient) change(method string, body []byte, done func(*album, *itemJSON)) error {
	id, a, ok := c.l.takeAlbum(c.r)
	if !ok {
		return nil
	}
	var it itemJSON
	var out any = &it
	if method == "DELETE" {
		out = nil
	}
	err := c.do(method, fmt.Sprintf("/-/albums/%d", id), "application/json", body, http.StatusOK, out)
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	a.busy = false
	var es *errStatus
	if errors.As(err, &es) && es.status == http.StatusNotFound && a.uncertain {
		// A deletion whose answer was lost went through.
		a.deleted, a.uncertain = true, false
		return nil
	}
	if err != nil {
		a.uncertain = true
		return err
	}
	a.uncertain = false
	done(a, &it)
	return nil
}

func (c *crashClient) replaceCover() error {
	body := c.coverBody(nil)
	return c.change("PUT", body, func(a *album, it *itemJSON) {
		a.cover = it.Cover.UUID
		c.l.replaced++
	})
}

func (c *crashClient) deleteAlbum() error {
	return c.change("DELETE", nil, func(a *album, _ *itemJSON) {
		a.deleted = true
		c.l.removed++
	})
}

// checkAfterCrash checks the data folder of a killed server: rows and bytes agree,
// what was acknowledged stands, and a sweep leaves no orphans. It returns the
// number of orphans and temporary files the sweep removed.
func checkAfterCrash(t *testing.T, data string, l *ledger, seed uint64, round int) int {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d, round %d: %s", seed, round, fmt.Sprintf(format, args...))
	}
	ctx := context.Background()
	db, err := store.Open(ctx, "", data)
	if err != nil {
		fail("%v", err)
	}
	defer db.Close()
	blobs, err := blob.NewLocal(filepath.Join(data, "files"))
	if err != nil {
		fail("%v", err)
	}
	// The server is dead: no transaction is in progress, every orphan may go.
	svc := files.New(db, blobs, files.Options{UploadLimit: 1 << 30, UploadTTL: 1000 * time.Hour})
	rep, err := svc.Verify(ctx)
	if err != nil {
		fail("verify: %v", err)
	}
	if len(rep.Missing) > 0 || len(rep.Corrupt) > 0 {
		fail("rows without their bytes: missing %v, corrupt %v", rep.Missing, rep.Corrupt)
	}
	for uuid := range l.deleted {
		if _, err := store.FileByUUID(ctx, db, uuid); backrest.ErrorCode(err) != backrest.ENOTFOUND {
			fail("upload %s deleted with success is still there (%v)", uuid, err)
		}
	}
	for uuid, sum := range l.uploads {
		if l.taken[uuid] {
			continue
		}
		f, err := store.FileByUUID(ctx, db, uuid)
		if backrest.ErrorCode(err) == backrest.ENOTFOUND {
			fail("acknowledged upload %s lost", uuid)
		}
		if err != nil {
			fail("%v", err)
		}
		if f.SHA256 != sum {
			fail("upload %s has digest %s, want %s", uuid, f.SHA256, sum)
		}
	}
	for id, a := range l.albums {
		if a.uncertain {
			continue
		}
		f, err := store.FileAt(ctx, db, id, "cover")
		switch {
		case a.deleted && backrest.ErrorCode(err) != backrest.ENOTFOUND:
			fail("album %d deleted with success still holds a file (%v)", id, err)
		case a.deleted:
		case err != nil:
			fail("album %d lost its cover %s: %v", id, a.cover, err)
		case f.UUID != a.cover:
			fail("album %d holds %s, want the acknowledged %s", id, f.UUID, a.cover)
		}
	}
	st, err := svc.Sweep(ctx)
	if err != nil {
		fail("sweep: %v", err)
	}
	rep, err = svc.Verify(ctx)
	if err != nil {
		fail("verify: %v", err)
	}
	if !rep.OK() {
		fail("after the sweep: %+v", rep)
	}
	if tmp, _ := os.ReadDir(filepath.Join(data, "files", "tmp")); len(tmp) > 0 {
		fail("%d temporary files left after the sweep", len(tmp))
	}
	return st.Blobs.Deleted
}
