package backup

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"
	"testing"
)

const goodManifest = `{"format": 1, "backrest": "0.1.0", "created": "2026-01-02T03:04:05Z",
	"database": {"size": 4096, "sha256": "0000000000000000000000000000000000000000000000000000000000000000"},
	"files": [{"key": "0123456789abcdef0123456789abcdef", "size": 3, "sha256": "1111111111111111111111111111111111111111111111111111111111111111"}]}`

func TestDecodeManifest(t *testing.T) {
	m, err := DecodeManifest(strings.NewReader(goodManifest))
	if err != nil || len(m.Files) != 1 || m.Files[0].Path() != "files/01/0123456789abcdef0123456789abcdef" || m.databaseName() != DatabaseName {
		t.Fatalf("%+v, %v", m, err)
	}
	for _, c := range []struct{ from, to, want string }{
		{`"format": 1`, `"format": 2`, "format 2, want 1"},
		{`"key": "0123456789abcdef0123456789abcdef"`, `"key": "../../../../etc/passwd"`, "malformed key"},
		{`"key": "0123456789abcdef0123456789abcdef"`, `"key": "0123456789ABCDEF0123456789ABCDEF"`, "malformed key"},
		{`"size": 3`, `"size": -3`, "negative size"},
		{`"sha256": "1111`, `"sha256": "zz11`, "malformed SHA-256"},
		{`"backrest"`, `"extra": 1, "backrest"`, "unknown field"},
		{`"format": 1,`, `"format": 1, "postgres_schema": "a; DROP",`, "malformed schema"},
		{`}]}`, `}, {"key": "0123456789abcdef0123456789abcdef", "size": 3, "sha256": "1111111111111111111111111111111111111111111111111111111111111111"}]}`, "listed twice"},
		{`}]}`, `}]} {}`, "data after the manifest"},
	} {
		in := strings.Replace(goodManifest, c.from, c.to, 1)
		if _, err := DecodeManifest(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: %v, want %q", c.from, c.to, err, c.want)
		}
	}
}

// Whatever the input, DecodeManifest accepts only manifests whose paths stay in
// the backup folder, and what it accepts encodes back to itself.
func FuzzDecodeManifest(f *testing.F) {
	f.Add([]byte(goodManifest))
	f.Add([]byte(`{"format": 1, "database": {"size": 0, "sha256": ""}, "files": null}`))
	f.Add([]byte(`{"format": 1, "postgres_schema": "public"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeManifest(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, b := range m.Files {
			if p := b.Path(); path.Clean(p) != p || !backupName(p) {
				t.Fatalf("accepted path %q", p)
			}
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := DecodeManifest(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("re-encoded manifest refused: %v: %s", err, again)
		}
		if len(m2.Files) != len(m.Files) || m2.Database != m.Database || m2.Schema != m.Schema {
			t.Fatalf("round trip: %+v, %+v", m, m2)
		}
	})
}

func TestBackupName(t *testing.T) {
	for name, want := range map[string]bool{
		ManifestName: true, DatabaseName: true, DumpName: true,
		"files/01/0123456789abcdef0123456789abcdef":    true,
		"files/02/0123456789abcdef0123456789abcdef":    false,
		"files/01/../0123456789abcdef0123456789abcdef": false,
		"../manifest.json":                             false,
		"/etc/passwd":                                  false,
		"files/01/0123456789abcdef0123456789abcdef/x":  false,
	} {
		if got := backupName(name); got != want {
			t.Errorf("backupName(%q) = %v", name, got)
		}
	}
}
