package backup

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// meter shows the progress of a copy: on a terminal, one line rewritten at most
// ten times a second; elsewhere (plain), a line every plainEvery. A meter
// without a writer does nothing. It is safe for concurrent use.
type meter struct {
	mu    sync.Mutex
	w     io.Writer
	plain bool
	verb  string
	// noun names the items counted, such as "files" or "rows".
	noun            string
	items, allItems int64
	bytes, allBytes int64
	// what is being copied, shown after the counts; empty: nothing.
	what string
	// start, and the counts then, give the rate of this run.
	start                  time.Time
	startItems, startBytes int64
	last                   time.Time
	// width is the length of the last line on a terminal.
	width int
}

// plainEvery is how often a plain meter writes a line.
const plainEvery = 5 * time.Second

// newMeter returns a meter of a copy of files files and bytes bytes onto w, a
// terminal (nil: no output).
func newMeter(w io.Writer, verb string, files int, bytes int64) *meter {
	return &meter{w: w, verb: verb, noun: "files", allItems: int64(files), allBytes: bytes, start: time.Now()}
}

// Write counts len(b) bytes copied; it makes the meter the writer of an
// io.TeeReader.
func (m *meter) Write(b []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bytes += int64(len(b))
	m.show(false)
	return len(b), nil
}

// file counts one file copied.
func (m *meter) file() { m.add(1) }

// add counts n items copied.
func (m *meter) add(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items += n
	m.show(false)
}

// doing names what is being copied now.
func (m *meter) doing(what string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.what = what
}

// done counts items and bytes copied before this run (by an interrupted one),
// so that the rate is of this run's only.
func (m *meter) done(items, bytes int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items += items
	m.bytes += bytes
	m.startItems += items
	m.startBytes += bytes
}

// finish shows the final count and ends the line.
func (m *meter) finish() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.w == nil || m.allItems == 0 {
		return
	}
	m.show(true)
	if !m.plain {
		fmt.Fprintln(m.w)
	}
}

func (m *meter) show(force bool) {
	if m.w == nil {
		return
	}
	now := time.Now()
	every := 100 * time.Millisecond
	if m.plain {
		every = plainEvery
		if m.last.IsZero() {
			m.last = now
		}
	}
	if !force && now.Sub(m.last) < every {
		return
	}
	m.last = now
	withBytes := m.allBytes > 0 || m.bytes > 0
	line := fmt.Sprintf("%s: %d/%d %s", m.verb, m.items, m.allItems, m.noun)
	if withBytes {
		line += fmt.Sprintf(", %s/%s", size(m.bytes), size(m.allBytes))
	}
	if secs := now.Sub(m.start).Seconds(); secs >= 1 {
		items, bytes := float64(m.items-m.startItems), float64(m.bytes-m.startBytes)
		line += fmt.Sprintf(", %.0f %s/s", items/secs, m.noun)
		if withBytes {
			line += fmt.Sprintf(", %s/s", size(int64(bytes/secs)))
		}
		if left, ok := m.left(secs); ok && !force {
			line += ", " + left + " left"
		}
	}
	if m.what != "" && !force {
		line += " (" + m.what + ")"
	}
	if m.plain {
		fmt.Fprintln(m.w, line)
		return
	}
	// Spaces wipe what a longer line before left.
	fmt.Fprintf(m.w, "\r%s %s", line, strings.Repeat(" ", max(0, m.width-len(line))))
	m.width = len(line)
}

// left estimates the time the copy still takes, after secs seconds of this
// run: from the bytes when there are some, else from the items.
func (m *meter) left(secs float64) (string, bool) {
	done, rest := float64(m.items-m.startItems), float64(m.allItems-m.items)
	if m.allBytes > 0 {
		done, rest = float64(m.bytes-m.startBytes), float64(m.allBytes-m.bytes)
	}
	if done <= 0 || rest < 0 {
		return "", false
	}
	d := time.Duration(rest / done * secs * float64(time.Second)).Round(time.Second)
	return d.String(), true
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
