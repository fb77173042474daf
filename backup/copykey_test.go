package backup

import (
	"bytes"
	"math"
	"testing"

	"github.com/backrest/backrest/store"
)

// The key of the last row copied, as the progress of a copy records it, reads
// back as the same values, of every kind; a malformed record is an error.
func FuzzCopyKey(f *testing.F) {
	f.Add("a", int64(1), 0.5, []byte{0})
	f.Add("é\x00\"", int64(math.MinInt64), math.Inf(-1), []byte(nil))
	f.Add("", int64(math.MaxInt64), -0.0, []byte("xyz"))
	t := &store.CopyTable{Name: "t", Columns: []store.CopyColumn{
		{Name: "s", Kind: store.CopyText}, {Name: "i", Kind: store.CopyInt},
		{Name: "f", Kind: store.CopyFloat}, {Name: "b", Kind: store.CopyBytes}}, Key: []int{0, 1, 2, 3}}
	f.Fuzz(func(tt *testing.T, s string, i int64, x float64, b []byte) {
		if b == nil {
			b = []byte{}
		}
		enc := encodeKey(t, []any{s, i, x, b})
		got, err := decodeKey(t, enc)
		if err != nil {
			tt.Fatal(err)
		}
		if got[0] != s || got[1] != i || !bytes.Equal(got[3].([]byte), b) {
			tt.Fatalf("%v, want %v", got, []any{s, i, x, b})
		}
		if g := got[2].(float64); g != x && !(math.IsNaN(g) && math.IsNaN(x)) {
			tt.Fatalf("float %v, want %v", g, x)
		}
		if _, err := decodeKey(t, enc[:3]); err == nil {
			tt.Fatal("a key of 3 values read")
		}
	})
}
