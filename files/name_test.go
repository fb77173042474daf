package files

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{
		"photo.png":            "photo.png",
		"/etc/passwd":          "passwd",
		`C:\Users\ann\cv.pdf`:  "cv.pdf",
		"dir/":                 "file",
		"..":                   "file",
		".":                    "file",
		"":                     "file",
		" \t ":                 "file",
		".hidden":              ".hidden",
		"a\r\nb":               "ab",
		"tab\there":            "tabhere",
		"x\u202egnp.exe":       "xgnp.exe",
		"line\u2028sep":        "linesep",
		"caf\xe9":              "caf\ufffd",
		"résumé 日本.txt":        "résumé 日本.txt",
		"  padded name.txt   ": "padded name.txt",
	} {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("ü", 300) + ".jpeg"
	got := CleanFilename(long)
	if len(got) > MaxFilenameLength || !strings.HasSuffix(got, ".jpeg") || !utf8.ValidString(got) {
		t.Errorf("long name cleaned to %d bytes: %q", len(got), got)
	}
	noExt := strings.Repeat("a", 400) + "." + strings.Repeat("b", 40)
	if got := CleanFilename(noExt); len(got) != MaxFilenameLength {
		t.Errorf("long name with a long extension cleaned to %d bytes", len(got))
	}
}

func FuzzCleanFilename(f *testing.F) {
	for _, s := range []string{"a.txt", "../x", "a\x00b", "\u202e", strings.Repeat("é", 200) + ".txt", "..", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := CleanFilename(name)
		if got == "" || got == "." || got == ".." || len(got) > MaxFilenameLength || !utf8.ValidString(got) {
			t.Fatalf("CleanFilename(%q) = %q", name, got)
		}
		if strings.ContainsAny(got, `/\`) {
			t.Fatalf("CleanFilename(%q) = %q keeps a path separator", name, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
				t.Fatalf("CleanFilename(%q) = %q keeps %U", name, got, r)
			}
		}
		if CleanFilename(got) != got {
			t.Fatalf("CleanFilename is not idempotent on %q", got)
		}
	})
}

func TestCleanMimeType(t *testing.T) {
	for in, want := range map[string]string{
		"image/PNG":                         "image/png",
		"text/plain; charset=UTF-8":         "text/plain; charset=UTF-8",
		"text/plain;charset=utf-8":          "text/plain; charset=utf-8",
		"application/octet-stream":          "",
		"application/x-www-form-urlencoded": "",
		"":                                  "",
		"garbage":                           "",
		"text/":                             "",
		"text/plain; a=" + strings.Repeat("x", 300): "text/plain",
	} {
		if got := cleanMimeType(in); got != want {
			t.Errorf("cleanMimeType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDataURL(t *testing.T) {
	payload := []byte("\x00\x01binary\xff data that is not text")
	std := base64.StdEncoding.EncodeToString(payload)
	for _, c := range []struct {
		url, mime string
	}{
		{"data:image/png;base64," + std, "image/png"},
		{"DATA:image/png;BASE64," + std, "image/png"},
		{"data:text/plain;charset=utf-8;base64," + std, "text/plain; charset=utf-8"},
		{"data:;base64," + std, ""},
		{"data:application/octet-stream;base64," + std, ""},
		{"data:image/png;base64," + base64.RawStdEncoding.EncodeToString(payload), "image/png"},
		{"data:image/png;base64," + base64.URLEncoding.EncodeToString(payload), "image/png"},
		{"data:image/png;base64," + std[:8] + "\r\n" + std[8:], "image/png"},
	} {
		d, err := parseDataURL(c.url)
		if err != nil {
			t.Errorf("parseDataURL(%q): %v", c.url, err)
			continue
		}
		if d.mimeType != c.mime {
			t.Errorf("parseDataURL(%q) type %q, want %q", c.url, d.mimeType, c.mime)
		}
		got, err := io.ReadAll(d.reader())
		if err != nil || !bytes.Equal(got, payload) {
			t.Errorf("decoding %q = %q, %v", c.url, got, err)
		}
	}
	for _, bad := range []string{"", "data:", "data:image/png;base64", "data:image/png," + std, "http://x/y.png", "dat"} {
		if _, err := parseDataURL(bad); err == nil {
			t.Errorf("parseDataURL(%q) succeeded", bad)
		}
	}
	for _, bad := range []string{"data:;base64,@@@@", "data:;base64,QUJD=EFG", "data:;base64,Q"} {
		d, err := parseDataURL(bad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(d.reader()); !errors.Is(err, errBadData) {
			t.Errorf("decoding %q = %v, want errBadData", bad, err)
		}
	}
}

func FuzzDataURL(f *testing.F) {
	f.Add("data:image/png;base64,iVBORw0KGgo=")
	f.Add("data:;base64,")
	f.Add("data:text/plain;charset=x;base64,YWJj\n")
	f.Add("data:a/b;base64,-_-_")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDataURL(s)
		if err != nil {
			return
		}
		out, err := io.ReadAll(d.reader())
		if err != nil && !errors.Is(err, errBadData) {
			t.Fatalf("decoding %q: unexpected error %v", s, err)
		}
		if len(out) > len(d.payload) {
			t.Fatalf("decoding %q gave more bytes than its text", s)
		}
	})
}
