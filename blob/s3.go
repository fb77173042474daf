package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3 is a Store on a bucket of an S3-compatible object storage service (Amazon
// S3, MinIO, SeaweedFS, Ceph, R2…). Blobs are the objects PREFIX+KEY of the
// bucket. It is safe for concurrent use, also by several processes sharing the
// bucket.
//
// A blob is written in one request when it fits in one part, otherwise as a
// multipart upload, part after part: an upload in progress holds one part in
// memory, whatever the size of the blob. Either way the object appears whole when
// the last request succeeds, and S3 acknowledges only durable writes, so Create
// keeps the protocol of the package. An interrupted multipart upload is invisible
// and is the S3 form of a temporary file: Create aborts it on error, and Sweep
// aborts those a crash left behind once they are older than the grace period.
type S3 struct {
	client *s3.Client
	bucket string
	prefix string
	// partSize is the size of the parts of multipart uploads.
	partSize int64
	// parts holds buffers of partSize bytes (*[]byte), reused across uploads.
	parts sync.Pool
}

var _ Store = (*S3)(nil)

// NewS3 returns an S3 store with cfg, once it has checked that the bucket exists
// and the credentials open it.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.PartSize <= 0 {
		return nil, errors.New("blob: S3: the part size must be positive")
	}
	creds := aws.Credentials{AccessKeyID: cfg.AccessKey, SecretAccessKey: cfg.SecretKey, Source: "backrest"}
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(cfg.Endpoint),
		Region:       cfg.Region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		UsePathStyle: cfg.PathStyle,
		// Checksums only where S3 requires them: many S3-compatible services
		// refuse the trailing checksums that the SDK sends by default. The bytes
		// are protected by TLS or by the signed SHA-256 of each plain-HTTP request
		// body, and by the SHA-256 the files package records and checks.
		RequestChecksumCalculation:                aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation:                aws.ResponseChecksumValidationWhenRequired,
		DisableLogOutputChecksumValidationSkipped: true,
	})
	s := &S3{client: client, bucket: cfg.Bucket, prefix: cfg.Prefix, partSize: cfg.PartSize}
	s.parts.New = func() any {
		b := make([]byte, s.partSize)
		return &b
	}
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return nil, fmt.Errorf("blob: S3 bucket %q at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	return s, nil
}

// object returns the name of the object of the blob key.
func (s *S3) object(key string) *string {
	return aws.String(s.prefix + key)
}

// Create implements Store. It reads r one part at a time, hashing it on the way:
// a blob that fits in one part is sent with one PutObject, a larger one as a
// multipart upload, aborted on error.
func (s *S3) Create(ctx context.Context, r io.Reader) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	key := newKey()
	h := sha256.New()
	src := io.TeeReader(ctxReader{ctx, r}, h)
	bp := s.parts.Get().(*[]byte)
	defer s.parts.Put(bp)
	buf := *bp

	n, err := io.ReadFull(src, buf)
	var size int64
	switch err {
	case io.EOF, io.ErrUnexpectedEOF: // it fits in one part
		size = int64(n)
		_, err = s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: s.object(key),
			Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(size)})
	case nil: // a full part, maybe more
		size, err = s.multipart(ctx, key, src, buf)
	}
	// Any other error is the reader's, before anything was sent.
	if err != nil {
		return Info{}, fmt.Errorf("blob: create: %w", err)
	}
	return Info{Key: key, Size: size, SHA256: hex.EncodeToString(h.Sum(nil)), ModTime: time.Now()}, nil
}

// multipart uploads the object of key as a multipart upload whose first part,
// full, is in buf and whose other parts are read from src into buf. It returns the
// size of the object. On error it aborts the upload.
func (s *S3) multipart(ctx context.Context, key string, src io.Reader, buf []byte) (int64, error) {
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: s.object(key)})
	if err != nil {
		return 0, err
	}
	size, err := s.uploadParts(ctx, key, up.UploadId, src, buf)
	if err != nil {
		// Best effort: an upload left behind is aborted by Sweep.
		s.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
			Bucket: &s.bucket, Key: s.object(key), UploadId: up.UploadId})
		return 0, err
	}
	return size, nil
}

// uploadParts uploads the parts of the upload id, the first in buf, the others
// read from src, and completes the upload.
func (s *S3) uploadParts(ctx context.Context, key string, id *string, src io.Reader, buf []byte) (int64, error) {
	var parts []types.CompletedPart
	var size int64
	n := len(buf)
	for n > 0 {
		if len(parts) == maxParts {
			return 0, fmt.Errorf("more than %d parts of %d bytes: %w", maxParts, s.partSize, ErrTooLarge)
		}
		num := aws.Int32(int32(len(parts) + 1))
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &s.bucket, Key: s.object(key), UploadId: id,
			PartNumber: num, Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n))})
		if err != nil {
			return 0, err
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: num})
		size += int64(n)
		n, err = io.ReadFull(src, buf)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return 0, err
		}
	}
	_, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &s.bucket, Key: s.object(key),
		UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return size, err
}

// Open implements Store. It asks for the blob's size; the bytes are fetched by
// the first Read, from the current offset, so that a Seek costs nothing and a
// Ping checks that the bucket is there and the credentials may use it (a HEAD
// of the bucket), for the readiness check.
func (s *S3) Ping(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return fmt.Errorf("blob: S3 bucket: %w", err)
	}
	return nil
}

// request that reads nothing (HEAD, 304) fetches nothing.
func (s *S3) Open(ctx context.Context, key string) (File, Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, Info{}, err
	}
	if !validKey(key) {
		return nil, Info{}, fmt.Errorf("%w: %w %q", ErrNotFound, ErrInvalidKey, key)
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: s.object(key)})
	if notFound(err) {
		return nil, Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob: open: %w", err)
	}
	info := Info{Key: key, Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified)}
	return &s3File{ctx: ctx, s: s, key: key, size: info.Size}, info, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validKey(key) {
		return fmt.Errorf("%w %q", ErrInvalidKey, key)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: s.object(key)})
	if err != nil && !notFound(err) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}

// Walk implements Store: it lists the objects under the prefix, page by page. It
// skips any object that is not a blob, such as one put in the bucket by hand.
func (s *S3) Walk(ctx context.Context, fn func(Info) error) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &s.prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("blob: walk: %w", err)
		}
		for _, o := range page.Contents {
			if err := ctx.Err(); err != nil {
				return err
			}
			key, ok := strings.CutPrefix(aws.ToString(o.Key), s.prefix)
			if !ok || !validKey(key) {
				continue
			}
			if err := fn(Info{Key: key, Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeTemp aborts the multipart uploads of blobs started before cutoff: left by
// a crash, they are of no use. It returns the number of uploads aborted and the
// size of their parts.
func (s *S3) removeTemp(ctx context.Context, cutoff time.Time) (int, int64, error) {
	var n int
	var size int64
	var errs []error
	pages := s3.NewListMultipartUploadsPaginator(s.client, &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: &s.prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return n, size, fmt.Errorf("blob: uploads in progress: %w", err)
		}
		for _, u := range page.Uploads {
			key, ok := strings.CutPrefix(aws.ToString(u.Key), s.prefix)
			if !ok || !validKey(key) || u.Initiated == nil || !u.Initiated.Before(cutoff) {
				continue
			}
			partSize, err := s.uploadedSize(ctx, u.Key, u.UploadId)
			if err == nil {
				_, err = s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: u.Key, UploadId: u.UploadId})
			}
			if notFound(err) {
				continue // completed or aborted meanwhile
			}
			if err != nil {
				if ctx.Err() != nil {
					return n, size, ctx.Err()
				}
				errs = append(errs, err)
				continue
			}
			n++
			size += partSize
		}
	}
	if err := errors.Join(errs...); err != nil {
		return n, size, fmt.Errorf("blob: uploads in progress: %w", err)
	}
	return n, size, nil
}

// uploadedSize returns the size of the parts of the multipart upload id of object.
func (s *S3) uploadedSize(ctx context.Context, object, id *string) (int64, error) {
	var size int64
	pages := s3.NewListPartsPaginator(s.client, &s3.ListPartsInput{Bucket: &s.bucket, Key: object, UploadId: id})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		for _, p := range page.Parts {
			size += aws.ToInt64(p.Size)
		}
	}
	return size, nil
}

// notFound reports whether err is S3's answer for a missing object or upload.
func notFound(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "NotFound", "NoSuchKey", "NoSuchUpload":
		return true
	}
	return false
}

// s3File is an open S3 blob. It reads with one GET from the current offset to the
// end, made by the first Read after Open or after a Seek that moved the offset.
type s3File struct {
	// ctx is the context of Open, which the GETs use: io.Reader has none.
	ctx  context.Context
	s    *S3
	key  string
	size int64
	// off is the offset of the next Read.
	off int64
	// body is the response being read, at off; nil before the first Read and
	// after a Seek that moved the offset.
	body   io.ReadCloser
	closed bool
}

// errClosed is the error of the methods of a closed s3File.
var errClosed = errors.New("blob: use of a closed file")

func (f *s3File) Read(p []byte) (int, error) {
	if f.closed {
		return 0, errClosed
	}
	if f.off >= f.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if f.body == nil {
		in := &s3.GetObjectInput{Bucket: &f.s.bucket, Key: f.s.object(f.key)}
		if f.off > 0 {
			in.Range = aws.String("bytes=" + strconv.FormatInt(f.off, 10) + "-")
		}
		out, err := f.s.client.GetObject(f.ctx, in)
		if notFound(err) {
			return 0, fmt.Errorf("%w: %s", ErrNotFound, f.key)
		}
		if err != nil {
			return 0, fmt.Errorf("blob: read: %w", err)
		}
		f.body = out.Body
	}
	n, err := f.body.Read(p)
	f.off += int64(n)
	if err == io.EOF && f.off < f.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (f *s3File) Seek(offset int64, whence int) (int64, error) {
	if f.closed {
		return 0, errClosed
	}
	switch whence {
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.size
	case io.SeekStart:
	default:
		return 0, fmt.Errorf("blob: seek: bad whence %d", whence)
	}
	if offset < 0 {
		return 0, errors.New("blob: seek: negative offset")
	}
	if offset != f.off && f.body != nil {
		f.body.Close()
		f.body = nil
	}
	f.off = offset
	return offset, nil
}

func (f *s3File) Close() error {
	if f.closed {
		return errClosed
	}
	f.closed = true
	if f.body != nil {
		return f.body.Close()
	}
	return nil
}
