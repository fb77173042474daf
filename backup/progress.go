package backup

import (
	"fmt"
	"io"
	"time"
)

// meter shows the progress of a copy on one line of a terminal, rewritten at most
// ten times a second. A meter without a writer does nothing.
type meter struct {
	w               io.Writer
	verb            string
	files, allFiles int
	bytes, allBytes int64
	last            time.Time
}

// newMeter returns a meter of a copy of files files and bytes bytes onto w (nil:
// no output).
func newMeter(w io.Writer, verb string, files int, bytes int64) *meter {
	return &meter{w: w, verb: verb, allFiles: files, allBytes: bytes}
}

// Write counts len(b) bytes copied; it makes the meter the writer of an
// io.TeeReader.
func (m *meter) Write(b []byte) (int, error) {
	m.bytes += int64(len(b))
	m.show(false)
	return len(b), nil
}

// file counts one file copied.
func (m *meter) file() {
	m.files++
	m.show(false)
}

// finish shows the final count and ends the line.
func (m *meter) finish() {
	if m.w == nil || m.allFiles == 0 {
		return
	}
	m.show(true)
	fmt.Fprintln(m.w)
}

func (m *meter) show(force bool) {
	if m.w == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(m.last) < 100*time.Millisecond {
		return
	}
	m.last = now
	fmt.Fprintf(m.w, "\r%s: %d/%d files, %s/%s ", m.verb, m.files, m.allFiles, size(m.bytes), size(m.allBytes))
}

// size formats n bytes for people.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for q := n / unit; q >= unit; q /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
