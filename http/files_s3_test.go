package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/blob"
	"github.com/backrest/backrest/blob/blobtest"
	"github.com/backrest/backrest/store/storetest"
)

func TestMain(m *testing.M) {
	os.Exit(blobtest.Main(m))
}

// s3PartSize is the part size of the S3 stores of these tests: the smallest S3
// accepts, so that a file of a few parts stays small.
const s3PartSize = blob.MinPartSize

// onS3 makes a server keep its files in a bucket prefix of its own on the S3 test
// server, and returns the store it uses, to look behind the server's back.
func onS3(t *testing.T, store **blob.S3) func(*backrest.Config) {
	t.Helper()
	u := blobtest.URL(t, fmt.Sprintf("part-size=%d", s3PartSize))
	return func(c *backrest.Config) {
		c.S3 = u
		cfg, err := blob.ParseS3URL(u)
		if err != nil {
			t.Fatal(err)
		}
		if *store, err = blob.NewS3(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
	}
}

// objects returns the number of blobs in s.
func objects(t *testing.T, s *blob.S3) int {
	t.Helper()
	var n int
	if err := s.Walk(context.Background(), func(blob.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// nothingToSweep fails unless a sweep (whose grace is 0) finds no orphaned blob
// and no upload left in progress.
func nothingToSweep(t *testing.T, e *env) {
	t.Helper()
	st, err := e.app.Files.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Blobs.Deleted != 0 {
		t.Fatalf("sweep = %+v: bytes were left behind", st)
	}
}

// s3Env starts a server on a new database of each backend with its files on a
// new prefix of the S3 test server, and runs f on it with the S3 store.
func forEachDBOnS3(t *testing.T, f func(t *testing.T, e *env, s *blob.S3), configure ...func(*backrest.Config)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		var s *blob.S3
		e := newEnv(t, b, append([]func(*backrest.Config){onS3(t, &s), noGrace}, configure...)...)
		f(t, e, s)
	})
}

// TestFilesOnS3 uploads, downloads and deletes files through the server with
// their bytes on an S3 service, small ones and ones of several parts.
func TestFilesOnS3(t *testing.T) {
	const limit = 3*s3PartSize + 100
	forEachDBOnS3(t, func(t *testing.T, e *env, s *blob.S3) {
		b := e.loggedIn("ann@example.com")
		small := []byte("0123456789abcdefghij")
		sf := b.upload(small, "text/plain", "small.txt")
		large := make([]byte, limit)
		rand.NewChaCha8([32]byte{7}).Read(large)
		lf := b.upload(large, "application/octet-stream", "large.bin")
		if lf.Size != limit {
			t.Fatalf("large upload = %+v", lf)
		}
		if n := objects(t, s); n != 2 {
			t.Fatalf("%d objects in the bucket, want 2", n)
		}

		for _, c := range []struct {
			f    fileJSON
			data []byte
		}{{sf, small}, {lf, large}} {
			res := b.get(c.f.URL).expect(http.StatusOK)
			sum := sha256.Sum256(c.data)
			etag := `"` + hex.EncodeToString(sum[:]) + `"`
			if !bytes.Equal(res.body, c.data) || res.header.Get("Etag") != etag || res.header.Get("Content-Length") != fmt.Sprint(len(c.data)) {
				t.Fatalf("%s: %d bytes, ETag %q, Content-Length %q", c.f.Filename, len(res.body), res.header.Get("Etag"), res.header.Get("Content-Length"))
			}
			b.send("GET", c.f.URL, nil, map[string]string{"If-None-Match": etag}).expect(http.StatusNotModified)
			head := b.do("HEAD", c.f.URL, nil).expect(http.StatusOK)
			if len(head.body) != 0 || head.header.Get("Content-Length") != fmt.Sprint(len(c.data)) {
				t.Fatalf("%s: HEAD: %d bytes, Content-Length %q", c.f.Filename, len(head.body), head.header.Get("Content-Length"))
			}
		}
		// Ranges: within a part, across parts, the end, and several at once.
		n := int64(limit)
		for _, r := range [][2]int64{{2, 5}, {s3PartSize - 10, s3PartSize + 9}, {2*s3PartSize + 1, n - 1}} {
			res := b.send("GET", lf.URL, nil, map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", r[0], r[1])}).expect(http.StatusPartialContent)
			if !bytes.Equal(res.body, large[r[0]:r[1]+1]) || res.header.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", r[0], r[1], n) {
				t.Fatalf("range %v: %d bytes, Content-Range %q", r, len(res.body), res.header.Get("Content-Range"))
			}
		}
		res := b.send("GET", lf.URL, nil, map[string]string{"Range": "bytes=0-0,-1"}).expect(http.StatusPartialContent)
		if !strings.HasPrefix(res.header.Get("Content-Type"), "multipart/byteranges") ||
			!bytes.Contains(res.body, large[:1]) || !bytes.Contains(res.body, large[n-1:]) {
			t.Fatalf("multiple ranges: Content-Type %q", res.header.Get("Content-Type"))
		}
		b.send("GET", lf.URL, nil, map[string]string{"Range": fmt.Sprintf("bytes=%d-", n)}).
			expectError(http.StatusRequestedRangeNotSatisfiable, "", "")

		// Too large: refused, whether found while streaming (chunked) or
		// declared, and no part is left in the bucket.
		tooLarge := append(large, 'x')
		b.send("POST", "/-/files", io.MultiReader(bytes.NewReader(tooLarge)), map[string]string{"Content-Type": "text/plain"}).
			expectError(http.StatusRequestEntityTooLarge, "", "")
		b.send("POST", "/-/files", bytes.NewReader(tooLarge), map[string]string{"Content-Type": "text/plain"}).
			expectError(http.StatusRequestEntityTooLarge, "", "")
		nothingToSweep(t, e)

		// Deleting an upload deletes its bytes, after the commit.
		b.delete(lf.URL).expectSuccess()
		b.get(lf.URL).expectError(http.StatusNotFound, "", "")
		b.get(sf.URL).expect(http.StatusOK)
		if n := objects(t, s); n != 1 {
			t.Fatalf("%d objects in the bucket after the deletion, want 1", n)
		}
		nothingToSweep(t, e)
		e.verify(true)
		b.delete(sf.URL).expectSuccess()
		if n := objects(t, s); n != 0 {
			t.Fatalf("%d objects in the bucket, want none", n)
		}
	}, func(c *backrest.Config) { c.UploadLimit = limit })
}

// TestUploadFaultsOnS3 makes uploads fail at each step with the bytes on S3: the
// protocol holds there as on a folder.
func TestUploadFaultsOnS3(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, bk storetest.Backend) {
		t.Parallel()
		var s *blob.S3
		onS3(t, &s)(&backrest.Config{})
		e, fs := faultEnvOn(t, bk, s, t.TempDir())
		uploadFaults(t, e, fs)
		nothingToSweep(t, e)
	})
}
