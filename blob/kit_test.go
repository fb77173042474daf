package blob

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/backrest/backrest/blob/blobtest"
)

func TestMain(m *testing.M) {
	os.Exit(blobtest.Main(m))
}

// kit is a store under test with what the shared cases need to look behind it.
type kit struct {
	Store
	// unit is the amount Create moves at once: Local's copy buffer, S3's part.
	unit int64
	// leftovers lists the writes in progress: Local's temporary files, S3's
	// multipart uploads.
	leftovers func(t *testing.T) []string
	// startWrite begins a write that never ends, as a crash leaves it.
	startWrite func(t *testing.T)
	// putForeign puts things that are not blobs where the store keeps its blobs.
	putForeign func(t *testing.T)
}

// forEachStore runs f as a subtest on a new, empty store of each kind: a folder,
// and, when BACKREST_TEST_S3 is set, a prefix of its own on an S3 server.
func forEachStore(t *testing.T, f func(t *testing.T, k *kit)) {
	t.Helper()
	t.Run("local", func(t *testing.T) { f(t, localKit(t)) })
	t.Run("s3", func(t *testing.T) { f(t, s3Kit(t)) })
}

// forEachStoreParallel is forEachStore with parallel subtests.
func forEachStoreParallel(t *testing.T, f func(t *testing.T, k *kit)) {
	t.Helper()
	forEachStore(t, func(t *testing.T, k *kit) {
		t.Parallel()
		f(t, k)
	})
}

func localKit(t *testing.T) *kit {
	l := newTestLocal(t)
	return &kit{
		Store: l,
		unit:  copyBufferSize,
		leftovers: func(t *testing.T) []string {
			var out []string
			for _, f := range files(t, l) {
				if strings.HasPrefix(f, tmpDir+string(filepath.Separator)) {
					out = append(out, f)
				}
			}
			return out
		},
		startWrite: func(t *testing.T) {
			f, err := l.fs.createTemp(filepath.Join(l.dir, tmpDir))
			if err != nil {
				t.Fatal(err)
			}
			f.Write(block[:100])
			f.Close()
		},
		putForeign: func(t *testing.T) {
			for _, rel := range []string{"README", "zz/zz0123456789abcdef0123456789abcd", "ab/notakey", "ab/cd0123456789abcdef0123456789abcd"} {
				writeFile(t, l, rel, 1, time.Now())
			}
		},
	}
}

// newTestS3 returns an S3 store on a new prefix of the test server, with parts of
// the smallest size S3 accepts.
func newTestS3(t *testing.T) *S3 {
	t.Helper()
	cfg, err := ParseS3URL(blobtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.PartSize = MinPartSize
	s, err := NewS3(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func s3Kit(t *testing.T) *kit {
	s := newTestS3(t)
	return &kit{
		Store: s,
		unit:  s.partSize,
		leftovers: func(t *testing.T) []string {
			var out []string
			pages := s3.NewListMultipartUploadsPaginator(s.client, &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: &s.prefix})
			for pages.HasMorePages() {
				page, err := pages.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range page.Uploads {
					out = append(out, aws.ToString(u.Key)+" "+aws.ToString(u.UploadId))
				}
			}
			return out
		},
		startWrite: func(t *testing.T) {
			ctx := t.Context()
			key := s.object(newKey())
			up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &s.bucket, Key: key, UploadId: up.UploadId,
				PartNumber: aws.Int32(1), Body: bytes.NewReader(block[:100]), ContentLength: aws.Int64(100)})
			if err != nil {
				t.Fatal(err)
			}
		},
		putForeign: func(t *testing.T) {
			for _, name := range []string{s.prefix + "README", s.prefix + "ab/cd0123456789abcdef0123456789abcd",
				s.prefix + "0123456789ABCDEF0123456789ABCDEF", s.prefix + "0123456789abcdef0123456789abcdef.tmp",
				strings.TrimSuffix(s.prefix, "/") + "0123456789abcdef0123456789abcdef"} {
				_, err := s.client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &s.bucket, Key: aws.String(name),
					Body: strings.NewReader("x"), ContentLength: aws.Int64(1)})
				if err != nil {
					t.Fatal(err)
				}
			}
		},
	}
}

// keys returns the keys and sizes of the blobs of s.
func keys(t *testing.T, s Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := s.Walk(context.Background(), func(info Info) error {
		out[info.Key] = info.Size
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// present reports whether s has the blob key.
func present(t *testing.T, s Store, key string) bool {
	t.Helper()
	f, _, err := s.Open(context.Background(), key)
	if errors.Is(err, ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return true
}
