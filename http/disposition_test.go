package http

import (
	"mime"
	"testing"

	"github.com/backrest/backrest/files"
)

func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"a.txt", "résumé.pdf", `a"b\c`, "100%", "日本語", "x\r\ny", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		name = files.CleanFilename(name)
		v := contentDisposition("inline", name)
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] > 0x7e {
				t.Fatalf("header %q has byte %#x", v, v[i])
			}
		}
		kind, params, err := mime.ParseMediaType(v)
		if err != nil || kind != "inline" || params["filename"] != name {
			t.Fatalf("header %q parses as %q %q, %v; want the name %q", v, kind, params, err, name)
		}
	})
}
