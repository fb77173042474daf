package files

import (
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFilenameLength is the longest file name kept, in bytes.
const MaxFilenameLength = 255

// defaultFilename is the name of a file sent without a usable one.
const defaultFilename = "file"

// CleanFilename returns name made safe to store and to send back in headers: only
// its last path element (after any / or \), valid UTF-8, without control, format
// (such as bidirectional overrides) or line separator characters, trimmed of
// spaces, and at most MaxFilenameLength bytes, shortened before its extension. A
// name left empty, or "." or "..", becomes "file".
func CleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if len(name) > MaxFilenameLength {
		ext := path.Ext(name)
		if len(ext) > 16 || strings.TrimSpace(ext) != ext {
			ext = ""
		}
		name = strings.TrimSpace(truncate(name[:len(name)-len(ext)], MaxFilenameLength-len(ext))) + ext
	}
	if name == "" || name == "." || name == ".." {
		return defaultFilename
	}
	return name
}

// truncate returns the longest prefix of s of at most n bytes that ends on a rune
// boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// maxMimeTypeLength is the longest media type kept, parameters included.
const maxMimeTypeLength = 255

// genericTypes are declared media types that say nothing about the bytes, so that
// they are sniffed instead: what clients send when they do not know, and what curl
// sends with --data-binary.
var genericTypes = map[string]bool{
	"application/octet-stream":          true,
	"application/x-www-form-urlencoded": true,
	"binary/octet-stream":               true,
}

// cleanMimeType returns the declared media type in canonical form (lower case,
// parameters quoted as needed), or "" when it is missing, malformed, too long or
// generic, and the bytes must be sniffed.
func cleanMimeType(declared string) string {
	mt, params, err := mime.ParseMediaType(declared)
	if err != nil || genericTypes[mt] || !strings.Contains(mt, "/") {
		return ""
	}
	s := mime.FormatMediaType(mt, params)
	if s == "" || len(s) > maxMimeTypeLength {
		s = mime.FormatMediaType(mt, nil)
	}
	if len(s) > maxMimeTypeLength {
		return ""
	}
	return s
}
