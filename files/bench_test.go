package files_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// benchSize is the size of the file of BenchmarkLargeFile.
const benchSize = 256 << 20

// maxRSSGrowth is how much the server's peak resident memory may exceed its idle
// resident memory while it moves a benchSize file.
const maxRSSGrowth = 64 << 10 // KiB

// BenchmarkLargeFile uploads and downloads a 256 MiB file to and from a backrest
// server process, and copies it with cp (then fsyncs the copy, as an upload does)
// on the same disk, for comparison. Each reports its throughput; upload and
// download also report the server's peak resident memory above its idle level
// (VmHWM - VmRSS at idle), which must stay under 64 MiB.
//
//	go test ./files -run '^$' -bench LargeFile -benchtime 3x
func BenchmarkLargeFile(b *testing.B) {
	bin := buildBackrest(b)
	dir := b.TempDir()
	data := filepath.Join(dir, "data")
	src := filepath.Join(dir, "source.bin")
	want := writeSource(b, src)
	addUser(b, bin, data, "bench@example.com", "password1")
	srv := startServer(b, bin, data, "BACKREST_UPLOAD_LIMIT=1073741824")
	token := login(b, srv.url, "bench@example.com", "password1")
	idle := srv.status(b, "VmRSS")
	client := &http.Client{}
	report := func(b *testing.B) {
		peak := srv.status(b, "VmHWM")
		b.ReportMetric(float64(peak-idle)/1024, "MiB-peak-RSS-over-idle")
		b.ReportMetric(float64(idle)/1024, "MiB-idle-RSS")
		if peak-idle > maxRSSGrowth {
			b.Errorf("server peak RSS %d KiB is %d KiB above idle, more than %d KiB", peak, peak-idle, maxRSSGrowth)
		}
	}
	upload := func(b *testing.B) fileJSON {
		f, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		req, _ := http.NewRequest("POST", srv.url+"/-/files?filename=big.bin", f)
		req.ContentLength = benchSize
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		var fj fileJSON
		if err := json.NewDecoder(res.Body).Decode(&fj); err != nil || res.StatusCode != http.StatusCreated {
			b.Fatalf("upload: %s, %v", res.Status, err)
		}
		if fj.Size != benchSize {
			b.Fatalf("uploaded %d bytes", fj.Size)
		}
		return fj
	}

	var last fileJSON
	b.Run("upload", func(b *testing.B) {
		b.SetBytes(benchSize)
		for b.Loop() {
			last = upload(b)
		}
		report(b)
	})
	b.Run("download", func(b *testing.B) {
		if last.URL == "" {
			last = upload(b)
		}
		b.SetBytes(benchSize)
		for b.Loop() {
			req, _ := http.NewRequest("GET", last.URL, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			h := sha256.New()
			n, err := io.Copy(h, res.Body)
			res.Body.Close()
			if err != nil || n != benchSize || hex.EncodeToString(h.Sum(nil)) != want {
				b.Fatalf("download: %s, %d bytes, %v", res.Status, n, err)
			}
		}
		report(b)
	})
	b.Run("cp", func(b *testing.B) {
		dst := filepath.Join(dir, "copy.bin")
		b.SetBytes(benchSize)
		for b.Loop() {
			if out, err := exec.Command("cp", src, dst).CombinedOutput(); err != nil {
				b.Fatalf("cp: %v: %s", err, out)
			}
			f, err := os.Open(dst)
			if err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			f.Close()
			os.Remove(dst)
		}
	})
}

// writeSource writes benchSize pseudo-random bytes to path and returns their
// SHA-256 digest.
func writeSource(b *testing.B, path string) string {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var x uint64 = 88172645463325252
	for range benchSize / len(buf) {
		for i := range buf {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			buf[i] = byte(x)
		}
		f.Write(buf)
		h.Write(buf)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
