package blob

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Part sizes of S3 multipart uploads: the bounds S3 sets and the default.
const (
	// MinPartSize is the smallest part S3 accepts (but for the last one).
	MinPartSize = 5 << 20
	// MaxPartSize is the largest part S3 accepts.
	MaxPartSize = 5 << 30
	// DefaultPartSize is the part size when the URL does not set one.
	DefaultPartSize = 8 << 20
	// maxParts is the largest number of parts of one upload S3 accepts.
	maxParts = 10000
)

// S3Config is the configuration of an S3 store: where it is, how to sign in and
// how to upload. ParseS3URL reads it from a URL.
type S3Config struct {
	// Endpoint is the URL of the service: http:// or https://HOST:PORT.
	Endpoint string
	// Region is the region requests are signed for.
	Region string
	// AccessKey and SecretKey are the credentials.
	AccessKey, SecretKey string
	// Bucket is the bucket holding the blobs; it must exist.
	Bucket string
	// Prefix is put before each blob's key in the bucket: empty, or a path
	// ending in "/", such as "backrest/".
	Prefix string
	// PathStyle addresses the bucket as HOST/BUCKET rather than BUCKET.HOST.
	PathStyle bool
	// PartSize is the size of the parts of multipart uploads, and so the memory
	// one upload in progress holds. Blobs up to this size are sent in one request.
	PartSize int64
}

// MaxSize is the size of the largest blob the store can take: S3 accepts at most
// 10,000 parts in one upload.
func (c S3Config) MaxSize() int64 { return maxParts * c.PartSize }

// ParseS3URL reads the configuration of an S3 store from a URL of the form
//
//	s3://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX][?region=R&tls=false&path-style=false&part-size=N]
//
// KEY and SECRET are percent-encoded where they hold reserved characters (a "/"
// as %2F, a "%" as %25). The port defaults to 443, or 80 with tls=false; region
// to us-east-1; path-style to true (HOST/BUCKET; false addresses BUCKET.HOST);
// part-size, in bytes, to 8 MiB (5 MiB to 5 GiB). Errors never repeat the secret.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the URL or parts of it, secret included.
		return S3Config{}, errors.New("blob: S3 URL: malformed; want s3://KEY:SECRET@HOST:PORT/BUCKET, with reserved characters of KEY and SECRET percent-encoded (/ as %2F)")
	}
	bad := func(format string, args ...any) (S3Config, error) {
		return S3Config{}, fmt.Errorf("blob: S3 URL: "+format, args...)
	}
	if u.Scheme != "s3" {
		return bad("want s3://KEY:SECRET@HOST:PORT/BUCKET, not a %q URL", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return bad("want s3://KEY:SECRET@HOST:PORT/BUCKET: no host")
	}
	cfg := S3Config{Region: "us-east-1", PathStyle: true, PartSize: DefaultPartSize}
	if u.User != nil {
		cfg.AccessKey = u.User.Username()
		cfg.SecretKey, _ = u.User.Password()
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return bad("want the credentials as KEY:SECRET@ before the host")
	}
	if u.Fragment != "" {
		return bad("unexpected fragment")
	}
	tls := true
	for name, values := range u.Query() {
		if len(values) != 1 {
			return bad("%s given %d times", name, len(values))
		}
		v := values[0]
		switch name {
		case "region":
			if v == "" {
				return bad("empty region")
			}
			cfg.Region = v
		case "tls", "path-style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return bad("%s: want true or false, not %q", name, v)
			}
			if name == "tls" {
				tls = b
			} else {
				cfg.PathStyle = b
			}
		case "part-size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < MinPartSize || n > MaxPartSize {
				return bad("part-size: want a number of bytes from %d (5 MiB) to %d (5 GiB), not %q", MinPartSize, int64(MaxPartSize), v)
			}
			cfg.PartSize = n
		default:
			return bad("unknown parameter %q (known: region, tls, path-style, part-size)", name)
		}
	}
	host, port := u.Hostname(), u.Port()
	if !validHost(host) {
		return bad("bad host %q: a name or an IP address ([…] for IPv6)", host)
	}
	if port == "" {
		port = "443"
		if !tls {
			port = "80"
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return bad("bad port %q", port)
	}
	scheme := "https"
	if !tls {
		scheme = "http"
	}
	cfg.Endpoint = scheme + "://" + net.JoinHostPort(host, port)

	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if !validBucket(bucket) {
		return bad("bad bucket name %q: 3 to 63 lower-case letters, digits, dots and hyphens", bucket)
	}
	cfg.Bucket = bucket
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		for _, seg := range strings.Split(prefix, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return bad("bad prefix %q", prefix)
			}
		}
		cfg.Prefix = prefix + "/"
	}
	return cfg, nil
}

// validHost reports whether host is an IP address or a DNS name.
func validHost(host string) bool {
	if net.ParseIP(host) != nil {
		return true
	}
	if host == "" || len(host) > 253 {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

// validBucket reports whether name follows S3's rules for bucket names: 3 to 63
// lower-case letters, digits, dots and hyphens, starting and ending with a letter
// or digit.
func validBucket(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		if !alnum && ((c != '.' && c != '-') || i == 0 || i == len(name)-1) {
			return false
		}
	}
	return true
}
