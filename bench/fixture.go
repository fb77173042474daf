package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fixture is the data that the scenarios work on, prepared through the API.
type fixture struct {
	api             *api
	email, password string

	// hasContent, hasRelations and hasFiles say whether the server serves the
	// content type item, its relation fields parent and related, and file uploads.
	hasContent, hasRelations, hasFiles bool
	// items are the prepared items; sizes counts them by size. Their sizes, and
	// those of items created later, start at sizeBase.
	items    []preparedItem
	sizes    map[int64]int
	sizeBase int64
	// readSize is the length of the answer to a read of one item (or, without
	// content, of GET /-/login): the size of the baseline's answer.
	readSize int
	// needle is a word of the titles of needles items, for the search scenario.
	needle              string
	needles, needleStep int
	// deepOffset is the offset of the middle page of the items (of all the
	// server has), and deepCursor the path of the page after it, by the cursor of
	// its Link; deepTotal is the total it carries, and deepAfter the creation
	// date of the last item of the middle page.
	deepOffset int
	deepCursor string
	deepTotal  int
	deepAfter  time.Time
	// payload is the content of the uploaded file, at filePath.
	payload  []byte
	filePath string
}

// preparedItem is an item created before the scenarios run.
type preparedItem struct {
	id   int64
	size int64
	path string
}

// fileSize is the size of the file of the upload and download scenarios.
const fileSize = 1 << 20

// probe reports whether the server answers GET path with 200 (true) or 404 or 405
// (false, it does not serve it).
func (f *fixture) probe(ctx context.Context, path string) (bool, error) {
	resp, err := f.api.do(ctx, request{method: "GET", path: path}, &bytes.Buffer{})
	if err != nil {
		return false, err
	}
	switch resp.status {
	case 200:
		return true, nil
	case 404, 405:
		return false, nil
	}
	return false, fmt.Errorf("GET %s: status %d: %s", path, resp.status, snippet(resp.body))
}

// prepareItems creates n items with clients concurrent POSTs; item i has the size
// sizeBase + i modulo filterValues. The first half are created first; each item of
// the second half holds two of them, at random, in its fields parent and related.
func (f *fixture) prepareItems(ctx context.Context, n, clients int) error {
	f.items = make([]preparedItem, n)
	f.sizes = map[int64]int{}
	f.sizeBase = mrand.Int64N(1<<40) * sizeSpan
	for i := range n {
		f.sizes[f.sizeBase+int64(i%filterValues)]++
	}
	// One item in every step holds the needle, searchNeedles of them whatever n.
	f.needle = "zq" + strconv.FormatUint(mrand.Uint64(), 36)
	f.needleStep = max(1, n/searchNeedles)
	f.needles = (n + f.needleStep - 1) / f.needleStep
	seeds := (n + 1) / 2
	if err := f.createItems(ctx, 0, seeds, clients, 0); err != nil {
		return err
	}
	return f.createItems(ctx, seeds, n, clients, seeds)
}

// createItems creates the items lo to hi-1 of f.items with clients concurrent
// POSTs; when seeds is not 0, each holds two of the items 0 to seeds-1.
func (f *fixture) createItems(ctx context.Context, lo, hi, clients, seeds int) error {
	next := atomic.Int64{}
	next.Store(int64(lo))
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for c := range clients {
		wg.Go(func() {
			var buf bytes.Buffer
			for {
				i := int(next.Add(1) - 1)
				if i >= hi || ctx.Err() != nil {
					return
				}
				size := f.sizeBase + int64(i%filterValues)
				var parent, related int64
				if seeds > 0 {
					parent, related = f.items[mrand.IntN(seeds)].id, f.items[mrand.IntN(seeds)].id
				}
				title := fmt.Sprintf("item %d", i)
				if i%f.needleStep == 0 {
					title += " " + f.needle
				}
				var got itemJSON
				_, err := f.api.call(ctx, request{method: "POST", path: "/-/items", body: newItem(title, size, parent, related)}, &buf, &got, 200, 201)
				if err == nil {
					err = got.check(got.ID, size)
				}
				var path string
				if err == nil {
					path, err = pathOf(got.Meta.URL)
				}
				if err != nil {
					errs[c] = fmt.Errorf("preparing items (the server needs a content type item, plural items, with the fields size (integer) and body (text)): %w", err)
					return
				}
				f.items[i] = preparedItem{id: got.ID, size: size, path: path}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// searchNeedles is the number of items that the search scenario finds.
const searchNeedles = 100

// prepareDeep reads the middle page of all the items of the server by offset,
// and keeps the cursor of its Link for the deep-cursor scenario.
func (f *fixture) prepareDeep(ctx context.Context, buf *bytes.Buffer) error {
	resp, err := f.api.call(ctx, request{method: "GET", path: "/-/items?limit=1"}, buf, nil, 200)
	if err != nil {
		return err
	}
	all, err := strconv.Atoi(resp.header.Get("X-Total-Count"))
	if err != nil {
		return fmt.Errorf("GET /-/items: X-Total-Count %q", resp.header.Get("X-Total-Count"))
	}
	f.deepOffset = all / 2
	path := "/-/items?limit=20&offset=" + strconv.Itoa(f.deepOffset)
	var page []itemJSON
	if resp, err = f.api.call(ctx, request{method: "GET", path: path}, buf, &page, 200); err != nil {
		return err
	}
	if err := json.Unmarshal(resp.body, &page); err != nil || len(page) == 0 {
		return fmt.Errorf("GET %s: %d items (%v)", path, len(page), err)
	}
	next := resp.header.Get("Link")
	if next == "" {
		return nil
	}
	start, end := strings.IndexByte(next, '<'), strings.IndexByte(next, '>')
	if start < 0 || end < start {
		return fmt.Errorf("GET %s: bad Link %q", path, next)
	}
	if f.deepCursor, err = pathOf(next[start+1 : end]); err != nil {
		return err
	}
	if f.deepTotal, err = strconv.Atoi(resp.header.Get("X-Total-Count")); err != nil {
		return fmt.Errorf("GET %s: X-Total-Count %q", path, resp.header.Get("X-Total-Count"))
	}
	f.deepAfter = page[len(page)-1].CreationDate
	return nil
}

// prepare fills the fixture: it probes what the server serves, creates n items
// when some scenario needs content, and uploads a file when some needs files. It
// returns notes on what it did.
func (f *fixture) prepare(ctx context.Context, n, clients int, needs map[need]bool) (notes []string, err error) {
	if needs[needDeep] {
		needs[needContent] = true
	}
	if needs[needContent] || needs[needRelations] {
		if f.hasContent, err = f.probe(ctx, "/-/items?limit=1"); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if f.hasContent {
		start := time.Now()
		if err := f.prepareItems(ctx, n, clients); err != nil {
			return nil, err
		}
		d := time.Since(start)
		notes = append(notes, fmt.Sprintf("prepared %d items with %d concurrent POSTs in %.1fs (%.0f/s)", n, clients, d.Seconds(), float64(n)/d.Seconds()))
		resp, err := f.api.call(ctx, request{method: "GET", path: f.items[0].path}, &buf, nil, 200)
		if err != nil {
			return nil, err
		}
		f.readSize = len(resp.body)
		if needs[needRelations] {
			resp, err := f.api.do(ctx, request{method: "GET", path: expandPath}, &buf)
			if err != nil {
				return nil, err
			}
			if f.hasRelations = resp.status == 200; !f.hasRelations {
				notes = append(notes, "the type item has no relation fields parent and related to items: expand skipped")
			}
		}
		if err := f.prepareDeep(ctx, &buf); err != nil {
			return nil, err
		}
		if needs[needDeep] && f.deepCursor == "" {
			notes = append(notes, "no page after the middle one (20 items or fewer past it): deep-cursor skipped")
		}
	} else {
		resp, err := f.api.call(ctx, request{method: "GET", path: "/-/login"}, &buf, nil, 200)
		if err != nil {
			return nil, err
		}
		f.readSize = len(resp.body)
		if needs[needContent] || needs[needRelations] {
			notes = append(notes, "the server has no content type items: content scenarios skipped")
		}
		notes = append(notes, fmt.Sprintf("baseline answer sized as GET /-/login (%d bytes), for want of items", f.readSize))
	}
	if needs[needFiles] {
		f.payload = make([]byte, fileSize)
		rand.Read(f.payload)
		file, resp, err := f.upload(ctx, &buf)
		switch {
		case err != nil && (resp.status == 404 || resp.status == 405):
			notes = append(notes, "the server takes no uploads (POST /-/files): file scenarios skipped")
		case err != nil:
			return nil, err
		default:
			if f.filePath, err = pathOf(file.URL); err != nil {
				return nil, err
			}
			f.hasFiles = true
		}
	}
	return notes, nil
}

// has reports whether the server serves what a scenario needs.
func (f *fixture) has(n need) bool {
	switch n {
	case needContent:
		return f.hasContent
	case needRelations:
		return f.hasRelations
	case needFiles:
		return f.hasFiles
	case needDeep:
		return f.deepCursor != ""
	}
	return true
}
