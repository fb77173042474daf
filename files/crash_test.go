package files_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// crashClients is the number of clients uploading and deleting at once.
const crashClients = 4

// ledger records what the server acknowledged, across rounds.
type ledger struct {
	mu sync.Mutex
	// acked holds the uploads answered with 201, by UUID, with their digest.
	acked map[string]string
	// deleting holds the uploads a deletion was sent for, whatever its answer.
	deleting map[string]bool
	// deleted holds the uploads whose deletion was answered with success.
	deleted map[string]bool
}

// pick returns an acknowledged upload not being deleted, and marks it deleting.
func (l *ledger) pick(r *rand.Rand) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var candidates []string
	for u := range l.acked {
		if !l.deleting[u] {
			candidates = append(candidates, u)
		}
	}
	if len(candidates) == 0 {
		return "", false
	}
	slices.Sort(candidates)
	u := candidates[r.IntN(len(candidates))]
	l.deleting[u] = true
	return u, true
}

// TestCrash kills a server with SIGKILL at random moments while clients upload and
// delete files, restarts it, and checks after every crash that every file row has
// its bytes with the recorded size and digest, that every acknowledged upload not
// deleted survived, and that a sweep leaves no bytes without a row.
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
	addUser(t, bin, data, "crash@example.com", "password1")
	l := &ledger{acked: map[string]string{}, deleting: map[string]bool{}, deleted: map[string]bool{}}

	var swept int
	for round := range *crashRounds {
		srv := startServer(t, bin, data)
		token := login(t, srv.url, "crash@example.com", "password1")
		var wg sync.WaitGroup
		for c := range crashClients {
			r := rand.New(rand.NewPCG(seed, uint64(round*crashClients+c+1)))
			wg.Go(func() { crashClient(srv.url, token, r, l) })
		}
		time.Sleep(time.Duration(10+rng.IntN(300)) * time.Millisecond)
		srv.kill()
		wg.Wait()
		swept += checkAfterCrash(t, data, l, seed, round)
	}
	t.Logf("%d rounds: %d uploads acknowledged, %d deletions sent (%d acknowledged), %d orphans swept after crashes",
		*crashRounds, len(l.acked), len(l.deleting), len(l.deleted), swept)
}

// crashClient uploads and deletes files until the server stops answering.
func crashClient(url, token string, r *rand.Rand, l *ledger) {
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(req *http.Request) (int, []byte, error) {
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return res.StatusCode, body, err
	}
	for {
		if r.IntN(10) < 3 {
			uuid, ok := l.pick(r)
			if ok {
				req, _ := http.NewRequest("DELETE", url+"/-/"+uuid+"~", nil)
				status, _, err := do(req)
				if err != nil {
					return
				}
				if status == http.StatusOK {
					l.mu.Lock()
					l.deleted[uuid] = true
					l.mu.Unlock()
				}
				continue
			}
		}
		data := make([]byte, r.IntN(256<<10))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		req, _ := http.NewRequest("POST", url+"/-/files?filename=crash.bin", bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/octet-stream")
		status, body, err := do(req)
		if err != nil {
			return
		}
		var f fileJSON
		if status != http.StatusCreated || json.Unmarshal(body, &f) != nil {
			return
		}
		sum := sha256.Sum256(data)
		l.mu.Lock()
		l.acked[f.UUID] = hex.EncodeToString(sum[:])
		l.mu.Unlock()
	}
}

// checkAfterCrash checks the data folder of a killed server: rows and bytes agree,
// acknowledged uploads survived, and a sweep leaves no orphans.
// It returns the number of orphans and temporary files the sweep removed.
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
	for uuid, sum := range l.acked {
		if l.deleting[uuid] {
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
