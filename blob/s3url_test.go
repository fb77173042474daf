package blob

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseS3URL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url  string
		want S3Config
	}{
		{"s3://AK:SK@s3.example.com/bucket",
			S3Config{Endpoint: "https://s3.example.com:443", Region: "us-east-1", AccessKey: "AK", SecretKey: "SK", Bucket: "bucket", PathStyle: true, PartSize: DefaultPartSize}},
		{"s3://AK:SK@127.0.0.1:8333/my.bucket-1/a/b/?tls=false&region=eu-west-3&path-style=false&part-size=5242880",
			S3Config{Endpoint: "http://127.0.0.1:8333", Region: "eu-west-3", AccessKey: "AK", SecretKey: "SK", Bucket: "my.bucket-1", Prefix: "a/b/", PathStyle: false, PartSize: 5 << 20}},
		{"s3://AK:SK@minio:9000/files?tls=0",
			S3Config{Endpoint: "http://minio:9000", Region: "us-east-1", AccessKey: "AK", SecretKey: "SK", Bucket: "files", PathStyle: true, PartSize: DefaultPartSize}},
		{"s3://AK:SK@minio/files?tls=false",
			S3Config{Endpoint: "http://minio:80", Region: "us-east-1", AccessKey: "AK", SecretKey: "SK", Bucket: "files", PathStyle: true, PartSize: DefaultPartSize}},
		// A secret with reserved characters, percent-encoded; + stays itself.
		{"s3://AK:a%2Fb+c%40d%3Ae%25@[::1]:9000/bkt/",
			S3Config{Endpoint: "https://[::1]:9000", Region: "us-east-1", AccessKey: "AK", SecretKey: "a/b+c@d:e%", Bucket: "bkt", PathStyle: true, PartSize: DefaultPartSize}},
	} {
		got, err := ParseS3URL(c.url)
		if err != nil || got != c.want {
			t.Errorf("ParseS3URL(%q) =\n %+v, %v; want\n %+v", c.url, got, err, c.want)
		}
	}
}

func TestParseS3URLErrors(t *testing.T) {
	t.Parallel()
	const secret = "Sup3rSecretValue"
	for _, c := range []struct{ url, want string }{
		{"", "not a \"\" URL"},
		{"https://AK:" + secret + "@host/bucket", `not a "https" URL`},
		{"s3:host/bucket", "no host"},
		{"s3:///bucket", "no host"},
		{"s3://host/bucket", "credentials"},
		{"s3://AK@host/bucket", "credentials"},
		{"s3://:" + secret + "@host/bucket", "credentials"},
		{"s3://AK:" + secret + "@host", "bucket"},
		{"s3://AK:" + secret + "@host/", "bucket"},
		{"s3://AK:" + secret + "@host/B", "bucket"},
		{"s3://AK:" + secret + "@host/Bucket", "bucket"},
		{"s3://AK:" + secret + "@host/-bucket", "bucket"},
		{"s3://AK:" + secret + "@host/bucket_x", "bucket"},
		{"s3://AK:" + secret + "@host/" + strings.Repeat("b", 64), "bucket"},
		{"s3://AK:" + secret + "@host/bucket/a//b", "prefix"},
		{"s3://AK:" + secret + "@host/bucket/a/../b", "prefix"},
		{"s3://AK:" + secret + "@host:0/bucket", "port"},
		{"s3://AK:" + secret + "@::1/bucket", "bad host"},
		{"s3://AK:" + secret + "@h!st/bucket", "bad host"},
		{"s3://AK:" + secret + "@host:99999/bucket", "port"},
		{"s3://AK:" + secret + "@host/bucket?tls=maybe", "tls"},
		{"s3://AK:" + secret + "@host/bucket?path-style=", "path-style"},
		{"s3://AK:" + secret + "@host/bucket?region=", "region"},
		{"s3://AK:" + secret + "@host/bucket?region=a&region=b", "2 times"},
		{"s3://AK:" + secret + "@host/bucket?part-size=1024", "part-size"},
		{"s3://AK:" + secret + "@host/bucket?part-size=5GiB", "part-size"},
		{"s3://AK:" + secret + "@host/bucket?part-size=6442450944", "part-size"},
		{"s3://AK:" + secret + "@host/bucket?secure=no", `unknown parameter "secure"`},
		{"s3://AK:" + secret + "@host/bucket#x", "fragment"},
		// An unencoded / in the secret ends the host: url's error would quote it.
		{"s3://AK:Sup3r/SecretValue@host/bucket", "malformed"},
		{"s3://AK:" + secret + "@ho%zzst/bucket", "malformed"},
	} {
		_, err := ParseS3URL(c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseS3URL(%q) = %v, want an error saying %q", c.url, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "Sup3r") || strings.Contains(err.Error(), "SecretValue") {
			t.Errorf("ParseS3URL(%q) = %v: the error shows the secret", c.url, err)
		}
	}
}

func FuzzParseS3URL(f *testing.F) {
	for _, s := range []string{
		"s3://AK:SK@s3.example.com/bucket",
		"s3://AK:SK@127.0.0.1:8333/my.bucket-1/a/b/?tls=false&region=eu-west-3&path-style=false&part-size=5242880",
		"s3://AK:a%2Fb@[::1]:9000/bkt/",
		"s3://AK:Sup3r/Secret@host/bucket",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := ParseS3URL(raw)
		if err != nil {
			// The secret, when there is a distinctive one, is never shown.
			if u, perr := url.Parse(raw); perr == nil && u.User != nil {
				if p, _ := u.User.Password(); len(p) >= 8 && strings.Count(raw, p) == 1 && strings.Contains(err.Error(), p) {
					t.Fatalf("ParseS3URL(%q) = %v: the error shows the secret", raw, err)
				}
			}
			return
		}
		if !strings.HasPrefix(cfg.Endpoint, "http://") && !strings.HasPrefix(cfg.Endpoint, "https://") {
			t.Fatalf("endpoint %q", cfg.Endpoint)
		}
		if _, err := url.Parse(cfg.Endpoint); err != nil {
			t.Fatalf("endpoint %q: %v", cfg.Endpoint, err)
		}
		if !validBucket(cfg.Bucket) || cfg.AccessKey == "" || cfg.SecretKey == "" || cfg.Region == "" {
			t.Fatalf("config %+v", cfg)
		}
		if cfg.Prefix != "" && (!strings.HasSuffix(cfg.Prefix, "/") || strings.HasPrefix(cfg.Prefix, "/") || strings.Contains(cfg.Prefix, "//")) {
			t.Fatalf("prefix %q", cfg.Prefix)
		}
		if cfg.PartSize < MinPartSize || cfg.PartSize > MaxPartSize {
			t.Fatalf("part size %d", cfg.PartSize)
		}
	})
}
