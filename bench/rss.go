package bench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// memWatch measures the peak resident memory and the CPU time of a process while
// a scenario runs.
type memWatch struct {
	// proc is the process's folder in /proc: /proc/self or /proc/PID.
	proc string
}

// start begins watching and returns the function that ends it and returns the
// peak resident set in bytes (0 when unknown). It resets the kernel's high-water
// mark (VmHWM) where it may, and also samples VmRSS, for processes it may not reset.
func (m memWatch) start() (stop func() int64) {
	reset := os.WriteFile(m.proc+"/clear_refs", []byte("5"), 0) == nil
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var max int64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if rss := m.read("VmRSS:"); rss > max {
				max = rss
			}
			select {
			case <-done:
				if reset {
					if hwm := m.read("VmHWM:"); hwm > max {
						max = hwm
					}
				}
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-peak
	}
}

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on
// Linux whatever the kernel's own tick).
const clockTick = 10 * time.Millisecond

// cpu returns the CPU time, user and system, that the process has spent, or 0.
func (m memWatch) cpu() time.Duration {
	data, err := os.ReadFile(m.proc + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses and may hold
	// spaces: utime and stime are the 12th and 13th.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * clockTick
}

// cpuTime returns the CPU time that the processes have spent together.
func cpuTime(procs []memWatch) time.Duration {
	var sum time.Duration
	for _, p := range procs {
		sum += p.cpu()
	}
	return sum
}

// read returns a field of the process's status file in bytes, or 0.
func (m memWatch) read(field string) int64 {
	data, err := os.ReadFile(m.proc + "/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
