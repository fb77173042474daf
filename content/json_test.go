package content

import (
	"encoding/json"
	"testing"
)

// FuzzAppendString checks the direct string encoder against encoding/json: the
// output is valid JSON that decodes to what encoding/json's encoding decodes to.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\back`, "\n\r\t\b\f\x00\x1f", "<html>&amp;", "\u2028\u2029", "\xff\xfe", "é日本\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %q for %q", got, s)
		}
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var a, b string
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Fatalf("%q decodes to %q, encoding/json's to %q", got, a, b)
		}
	})
}
