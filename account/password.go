package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"github.com/backrest/backrest"
)

// Hasher hashes and verifies passwords with argon2id on a fixed number of worker
// goroutines, so that a flood of logins cannot starve the rest of the server:
// callers beyond the bound wait (or give up when their context ends).
//
// Each worker keeps an OS thread of its own, which on Linux runs at a lower
// scheduling priority (nice 10). With ReserveProcs, a worker also adds a Go
// processor (GOMAXPROCS) for as long as it hashes, so that hashing never takes a
// processor from the other goroutines: it then uses the CPU that requests leave
// over, and they keep their latency during a login flood.
type Hasher struct {
	params backrest.Argon2Params
	jobs   chan hashJob
	done   chan struct{}
	once   sync.Once
	// procs, when not nil, is the processor reservation of ReserveProcs.
	procs *procReservation
	// dummy is verified against when there is no user, so that a login for an
	// unknown address costs as much as one for a known address.
	dummy string
	// workers is the number of workers; waiting and running count the hashes
	// waiting for a worker and those being computed.
	workers          int
	waiting, running atomic.Int64
}

// HashStats describe the work of a Hasher at one instant.
type HashStats struct {
	// Workers is how many hashes may run at once.
	Workers int
	// Waiting is the number of hashes waiting for a worker; Running, of those
	// being computed.
	Waiting, Running int64
}

// Stats returns the Hasher's statistics now.
func (h *Hasher) Stats() HashStats {
	return HashStats{Workers: h.workers, Waiting: h.waiting.Load(), Running: h.running.Load()}
}

// hashJob is one argon2id computation for a worker.
type hashJob struct {
	password, salt []byte
	p              backrest.Argon2Params
	keyLen         uint32
	out            chan []byte
}

// NewHasher returns a Hasher with the given parameters, running concurrency
// workers until Close.
func NewHasher(p backrest.Argon2Params, concurrency int) (*Hasher, error) {
	if p.Memory < 8*uint32(p.Threads) || p.Time < 1 || p.Threads < 1 {
		return nil, fmt.Errorf("account: argon2id parameters too small: memory %d KiB, time %d, threads %d", p.Memory, p.Time, p.Threads)
	}
	h := &Hasher{params: p, jobs: make(chan hashJob), done: make(chan struct{}), workers: max(1, concurrency)}
	for range h.workers {
		go h.work()
	}
	dummy, err := h.Hash(context.Background(), "backrest dummy password")
	if err != nil {
		h.Close()
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// work runs hash jobs until Close, on an OS thread of its own at low priority. The
// thread is never handed back to other goroutines: when work returns, it ends.
func (h *Hasher) work() {
	runtime.LockOSThread()
	lowerThreadPriority()
	for {
		select {
		case j := <-h.jobs:
			h.running.Add(1)
			h.procs.add(1)
			key := argon2.IDKey(j.password, j.salt, j.p.Time, j.p.Memory, j.p.Threads, j.keyLen)
			h.procs.add(-1)
			h.running.Add(-1)
			j.out <- key
		case <-h.done:
			return
		}
	}
}

// ReserveProcs makes each worker raise GOMAXPROCS by one while it hashes, from the
// value GOMAXPROCS has now. GOMAXPROCS is the whole program's: call it for one
// Hasher of a program only, before the Hasher is used, as backrest serve does.
func (h *Hasher) ReserveProcs() {
	h.procs = &procReservation{base: runtime.GOMAXPROCS(0)}
}

// procReservation counts the workers hashing and sets GOMAXPROCS to base plus
// their number.
type procReservation struct {
	mu     sync.Mutex
	base   int
	active int
}

// add changes the number of workers hashing by delta. A nil reservation does
// nothing.
func (r *procReservation) add(delta int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active += delta
	runtime.GOMAXPROCS(r.base + r.active)
}

// Close stops the workers.
func (h *Hasher) Close() { h.once.Do(func() { close(h.done) }) }

// key computes an argon2id key on a worker.
func (h *Hasher) key(ctx context.Context, password string, salt []byte, p backrest.Argon2Params, keyLen uint32) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	j := hashJob{password: []byte(password), salt: salt, p: p, keyLen: keyLen, out: make(chan []byte, 1)}
	h.waiting.Add(1)
	select {
	case h.jobs <- j:
		h.waiting.Add(-1)
	case <-ctx.Done():
		h.waiting.Add(-1)
		return nil, ctx.Err()
	case <-h.done:
		h.waiting.Add(-1)
		return nil, errors.New("account: hasher closed")
	}
	select {
	case k := <-j.out:
		return k, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

var b64 = base64.RawStdEncoding

// Hash returns the PHC-encoded argon2id hash of password with a new random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := h.params
	key, err := h.key(ctx, password, salt, p, 32)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("account: malformed password hash")

// Verify reports whether password matches the encoded hash, using the parameters
// recorded in the hash. An empty hash (a user without a password) matches nothing,
// but costs the same time as a real one.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	if encoded == "" {
		_, err := h.Verify(ctx, h.dummy, password)
		return false, err
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p backrest.Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Threads == 0 || p.Time == 0 {
		return false, errBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got, err := h.key(ctx, password, salt, p, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
