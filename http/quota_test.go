package http_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
)

// withQuota sets the storage quota of each user to n bytes.
func withQuota(n int64) func(*backrest.Config) {
	return func(c *backrest.Config) { c.Quota = n }
}

// rawUploads sends n raw uploads of size bytes at once as b and returns the
// statuses of the answers.
func (b *browser) rawUploads(n, size int) []int {
	b.e.t.Helper()
	statuses := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			req, err := http.NewRequest("POST", b.e.url("/-/files?filename=f.bin"), bytes.NewReader(make([]byte, size)))
			if err != nil {
				b.e.t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/octet-stream")
			res, err := b.client.Do(req)
			if err != nil {
				b.e.t.Error(err)
				return
			}
			defer res.Body.Close()
			if _, err := io.Copy(io.Discard, res.Body); err != nil {
				b.e.t.Error(err)
			}
			statuses[i] = res.StatusCode
		})
	}
	close(start)
	wg.Wait()
	if b.e.t.Failed() {
		b.e.t.FailNow()
	}
	return statuses
}

// An upload or a data URL that would take its user past the quota is refused
// with 413, storing nothing; the quota counts each user's files apart, and
// deleting files frees it.
func TestQuota(t *testing.T) {
	forEachFileDB(t, func(t *testing.T, e *env) {
		ann, bob := e.loggedIn("ann@example.com"), e.loggedIn("bob@example.com")
		first := ann.upload(make([]byte, 600), "application/octet-stream", "a.bin")
		res := ann.send("POST", "/-/files?filename=b.bin", bytes.NewReader(make([]byte, 401)),
			map[string]string{"Content-Type": "application/octet-stream"})
		res.expectError(http.StatusRequestEntityTooLarge, "", "")
		if !strings.Contains(string(res.body), "quota") {
			t.Fatalf("413 does not name the quota: %s", res.body)
		}
		e.expectBlobs(1)

		// A data URL counts too, and fails its item whole.
		ann.post("/-/photos", obj{"title": "p", "image": dataURL("image/png", "p.png", make([]byte, 401))}).
			expectError(http.StatusRequestEntityTooLarge, "image", "")
		if list := ann.get("/-/photos").expect(http.StatusOK).body; strings.TrimSpace(string(list)) != "[]" {
			t.Fatalf("items after a refused data URL: %s", list)
		}
		e.expectBlobs(1)
		item := ann.post("/-/photos", obj{"title": "p", "image": dataURL("image/png", "p.png", make([]byte, 400))}).expect(http.StatusCreated).JSON()
		e.expectBlobs(2)

		// Replacing a file counts the new one without the one it replaces.
		ann.put(itemURL(t, item), obj{"title": "p", "image": dataURL("image/png", "q.png", make([]byte, 400))}).expect(http.StatusOK)
		e.expectBlobs(2)

		// Another user has a quota of their own.
		bob.upload(make([]byte, 1000), "application/octet-stream", "b.bin")

		// Deleting an upload, and an item with its file, frees the quota.
		ann.delete("/-/" + first.UUID + "~").expectSuccess()
		ann.delete(itemURL(t, item)).expect(http.StatusOK)
		ann.upload(make([]byte, 1000), "application/octet-stream", "c.bin")
		e.verify(true)
	}, withQuota(1000))
}

// Concurrent uploads cannot jointly take a user past the quota.
func TestQuotaConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ann := e.loggedIn("ann@example.com")
		statuses := ann.rawUploads(30, 100)
		stored := 0
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				stored++
			case http.StatusRequestEntityTooLarge:
			default:
				t.Fatalf("status %d, want 201 or 413", s)
			}
		}
		rows, _ := e.counts()
		t.Logf("%d concurrent uploads of 100 bytes under a quota of 1000: %d stored", len(statuses), stored)
		if stored != 10 || rows != 10 {
			t.Fatalf("%d uploads answered 201 and %d stored, want 10", stored, rows)
		}
	}, withQuota(1000))
}

// Uploads beyond the user's rate limit are refused with 429 and Retry-After,
// storing nothing, and do not count against another user.
func TestRateLimitUpload(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ann, bob := e.loggedIn("ann@example.com"), e.loggedIn("bob@example.com")
		statuses := ann.rawUploads(20, 10)
		stored := 0
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				stored++
			case http.StatusTooManyRequests:
			default:
				t.Fatalf("status %d, want 201 or 429", s)
			}
		}
		if rows, _ := e.counts(); stored != 5 || rows != 5 {
			t.Fatalf("%d uploads answered 201 and %d stored, want 5", stored, rows)
		}
		res := ann.send("POST", "/-/files?filename=x.bin", strings.NewReader("x"), map[string]string{"Content-Type": "text/plain"})
		res.expectError(http.StatusTooManyRequests, "", "")
		if ra := res.header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("429 with Retry-After %q", ra)
		}
		bob.upload([]byte("bob"), "text/plain", "b.txt")
		if rows, _ := e.counts(); rows != 6 {
			t.Fatalf("%d files stored, want 6", rows)
		}
	}, func(c *backrest.Config) { c.RateLimits.UploadPerUser = backrest.Limit{Burst: 5, Per: longPeriod} })
}

// A negative quota is refused at start-up rather than read as no bound.
func TestQuotaNegativeRefused(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Quota = -1
	a, err := app.New(context.Background(), cfg, app.Options{})
	if err == nil {
		a.Close()
		t.Fatal("a negative quota was accepted")
	}
	if !strings.Contains(err.Error(), "quota") {
		t.Fatalf("error does not name the quota: %v", err)
	}
}
