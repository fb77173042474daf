package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// need is what a scenario needs of the server besides accounts.
type need int

const (
	needAccounts  need = iota
	needContent        // the content type item (plural items)
	needFiles          // file uploads
	needRelations      // the relation fields parent and related of item
	needDeep           // content with a page after the middle one (more than 20 items past it)
)

// scenario is one kind of load.
type scenario struct {
	name  string
	needs need
	// about says what one request of the scenario does.
	about string
	// newOp returns the request loop body of one client.
	newOp func(f *fixture) op
	// background, when set, runs in as many more clients as are measured, from the
	// warm-up until the measured clients are done; its requests are not measured.
	background func(f *fixture) op
	// measure, when set, measures the scenario in its own way instead of newOp.
	measure func(ctx context.Context, o Options, f *fixture, procs []memWatch) (Result, error)
}

// scenarios lists every scenario, in the order they run.
var scenarios = []scenario{
	{"info", needAccounts, "GET /-/ anonymously: app info", infoOp, nil, nil},
	{"auth", needAccounts, "GET /-/login with the session cookie: one session lookup", authOp, nil, nil},
	{"login", needAccounts, "PUT /-/login: one password hash (argon2id) and a new session", loginOp, nil, nil},
	{"read", needContent, "GET one item by its URL, at random among the prepared ones", readOp, nil, nil},
	{"list", needContent, "GET /-/items?limit=20: the newest page, with X-Total-Count", listOp, nil, nil},
	{"expand", needRelations, "GET /-/items?limit=20&expand=parent,related: list, with the two related items of each embedded", expandOp, nil, nil},
	{"filter", needContent, "GET /-/items?limit=20&size=K: an equality filter on an integer field", filterOp, nil, nil},
	{"sort", needContent, "GET /-/items?limit=20&sort=-size: the first page sorted by an integer field", sortOp, nil, nil},
	{"search", needContent, "GET /-/items?limit=20&q=WORD: a word that 100 items hold in their title", searchOp, nil, nil},
	{"deep-offset", needContent, "GET /-/items?limit=20&offset=N/2: the middle page of all the server's items, by offset", deepOffsetOp, nil, nil},
	{"deep-cursor", needDeep, "GET the page after the middle one, by the cursor of its Link", deepCursorOp, nil, nil},
	{"create", needContent, "POST /-/items: a new item", createOp, nil, nil},
	{"update", needContent, "PUT one item by its URL, one key", updateOp, nil, nil},
	{"upload", needFiles, "POST /-/files: a 1 MiB raw body, streamed to storage", uploadOp, nil, nil},
	{"download", needFiles, "GET the 1 MiB file", downloadOp, nil, nil},
	{"mixed", needContent, "45% read, 45% list, 5% create, 5% update", mixedOp, nil, nil},
	{"flood", needContent, "read, while as many more clients log in without a pause", readOp, loginOp, nil},
	{"fanout", needContent, "S streams of GET /-/events?types=items while another client creates W items a second", nil, nil, fanout},
}

// scenarioNames returns the names of all scenarios.
func scenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return names
}

// The sizes of a run's items start at a random multiple of sizeSpan, so that runs
// sharing a database do not see each other's items in the filter scenario: the
// prepared items have filterValues distinct sizes from there, the items created
// while measuring sizes above those, so that the totals of the filter stay known.
const (
	filterValues = 100
	sizeSpan     = 1000
)

// itemJSON is what the scenarios read of an item's representation.
type itemJSON struct {
	ID           int64     `json:"id"`
	Title        string    `json:"title"`
	Size         *int64    `json:"size"`
	Parent       *int64    `json:"parent"`
	Related      *int64    `json:"related"`
	CreationDate time.Time `json:"creation_date"`
	Meta         struct {
		URL    string `json:"url"`
		Expand map[string]*struct {
			ID int64 `json:"id"`
		} `json:"expand"`
	} `json:"__meta__"`
}

// check returns an error unless the item has the id and size.
func (it *itemJSON) check(id, size int64) error {
	if it.ID != id {
		return fmt.Errorf("item %d: answered id %d", id, it.ID)
	}
	if it.Size == nil || *it.Size != size {
		return fmt.Errorf("item %d: size %v, want %d", id, it.Size, size)
	}
	return nil
}

func infoOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		var info struct {
			Version       string `json:"version"`
			Authenticated *bool  `json:"authenticated"`
		}
		if resp, err := f.api.call(ctx, request{method: "GET", path: "/-/", anonymous: true}, &buf, &info, 200); err != nil || !resp.decoded {
			return err
		}
		if info.Version == "" || info.Authenticated == nil || *info.Authenticated {
			return fmt.Errorf("GET /-/: unexpected answer %s", snippet(buf.Bytes()))
		}
		return nil
	}
}

// checkUser returns an error unless the answer is of the fixture's user.
func (f *fixture) checkUser(what string, authenticated bool, email string, body []byte) error {
	if !authenticated || !strings.EqualFold(email, f.email) {
		return fmt.Errorf("%s: not the logged-in user: %s", what, snippet(body))
	}
	return nil
}

func authOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		var u struct {
			Authenticated bool   `json:"authenticated"`
			Email         string `json:"email"`
		}
		if resp, err := f.api.call(ctx, request{method: "GET", path: "/-/login"}, &buf, &u, 200); err != nil || !resp.decoded {
			return err
		}
		return f.checkUser("GET /-/login", u.Authenticated, u.Email, buf.Bytes())
	}
}

func loginOp(f *fixture) op {
	var buf bytes.Buffer
	body, _ := json.Marshal(map[string]string{"login": f.email, "password": f.password})
	return func(ctx context.Context) error {
		var ans struct {
			Status string `json:"status"`
			User   struct {
				Email string `json:"email"`
			} `json:"user"`
		}
		if resp, err := f.api.call(ctx, request{method: "PUT", path: "/-/login", body: body, anonymous: true}, &buf, &ans, 200); err != nil || !resp.decoded {
			return err
		}
		return f.checkUser("PUT /-/login", ans.Status == "success", ans.User.Email, buf.Bytes())
	}
}

func readOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		it := f.items[rand.IntN(len(f.items))]
		var got itemJSON
		if resp, err := f.api.call(ctx, request{method: "GET", path: it.path}, &buf, &got, 200); err != nil || !resp.decoded {
			return err
		}
		return got.check(it.id, it.size)
	}
}

// checkPage checks a page of the collection: newest first, no longer than limit,
// and as long as the total allows.
func checkPage(what string, resp response, page []itemJSON, limit int) (total int, err error) {
	return checkPageAt(what, resp, page, limit, 0)
}

// checkPageAt checks a page of the collection that starts after skip items:
// newest first, no longer than limit, and as long as the total allows.
func checkPageAt(what string, resp response, page []itemJSON, limit, skip int) (total int, err error) {
	total, err = strconv.Atoi(resp.header.Get("X-Total-Count"))
	if err != nil {
		return 0, fmt.Errorf("%s: X-Total-Count %q", what, resp.header.Get("X-Total-Count"))
	}
	if want := max(0, min(limit, total-skip)); len(page) != want {
		return total, fmt.Errorf("%s: %d items of %d after %d, want %d", what, len(page), total, skip, want)
	}
	for i := 1; i < len(page); i++ {
		a, b := page[i-1], page[i]
		if a.CreationDate.Before(b.CreationDate) || a.CreationDate.Equal(b.CreationDate) && a.ID < b.ID {
			return total, fmt.Errorf("%s: item %d before the newer item %d", what, a.ID, b.ID)
		}
	}
	return total, nil
}

func listOp(f *fixture) op {
	var buf bytes.Buffer
	const path = "/-/items?limit=20"
	return func(ctx context.Context) error {
		var page []itemJSON
		resp, err := f.api.call(ctx, request{method: "GET", path: path}, &buf, &page, 200)
		if err != nil || !resp.decoded {
			return err
		}
		total, err := checkPage("GET "+path, resp, page, 20)
		if err == nil && total < len(f.items) {
			err = fmt.Errorf("GET %s: X-Total-Count %d, want at least %d", path, total, len(f.items))
		}
		return err
	}
}

// expandPath is the request of the expand scenario.
const expandPath = "/-/items?limit=20&expand=parent,related"

func expandOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		var page []itemJSON
		resp, err := f.api.call(ctx, request{method: "GET", path: expandPath}, &buf, &page, 200)
		if err != nil || !resp.decoded {
			return err
		}
		if _, err := checkPage("GET "+expandPath, resp, page, 20); err != nil {
			return err
		}
		for _, it := range page {
			for key, id := range map[string]*int64{"parent": it.Parent, "related": it.Related} {
				got, ok := it.Meta.Expand[key]
				switch {
				case !ok:
					return fmt.Errorf("GET %s: item %d does not expand %s", expandPath, it.ID, key)
				case id == nil && got != nil, id != nil && (got == nil || got.ID != *id):
					return fmt.Errorf("GET %s: item %d expands %s %v, holds %v", expandPath, it.ID, key, got, id)
				}
			}
		}
		return nil
	}
}

func filterOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		size := f.sizeBase + rand.Int64N(int64(min(filterValues, len(f.items))))
		path := "/-/items?limit=20&size=" + strconv.FormatInt(size, 10)
		var page []itemJSON
		resp, err := f.api.call(ctx, request{method: "GET", path: path}, &buf, &page, 200)
		if err != nil || !resp.decoded {
			return err
		}
		total, err := checkPage("GET "+path, resp, page, 20)
		if err != nil {
			return err
		}
		if want := f.sizes[size]; total != want {
			return fmt.Errorf("GET %s: X-Total-Count %d, want %d", path, total, want)
		}
		for _, it := range page {
			if it.Size == nil || *it.Size != size {
				return fmt.Errorf("GET %s: item %d has size %v", path, it.ID, it.Size)
			}
		}
		return nil
	}
}

func sortOp(f *fixture) op {
	var buf bytes.Buffer
	const path = "/-/items?limit=20&sort=-size"
	return func(ctx context.Context) error {
		var page []itemJSON
		resp, err := f.api.call(ctx, request{method: "GET", path: path}, &buf, &page, 200)
		if err != nil || !resp.decoded {
			return err
		}
		total, err := strconv.Atoi(resp.header.Get("X-Total-Count"))
		if err != nil || total < len(f.items) || len(page) != 20 {
			return fmt.Errorf("GET %s: X-Total-Count %q, %d items", path, resp.header.Get("X-Total-Count"), len(page))
		}
		for i := 1; i < len(page); i++ {
			a, b := page[i-1], page[i]
			if a.Size == nil || b.Size == nil || *a.Size < *b.Size {
				return fmt.Errorf("GET %s: item %d before the larger item %d", path, a.ID, b.ID)
			}
		}
		return nil
	}
}

func searchOp(f *fixture) op {
	var buf bytes.Buffer
	path := "/-/items?limit=20&q=" + strings.ToUpper(f.needle)
	return func(ctx context.Context) error {
		var page []itemJSON
		resp, err := f.api.call(ctx, request{method: "GET", path: path}, &buf, &page, 200)
		if err != nil || !resp.decoded {
			return err
		}
		total, err := checkPage("GET "+path, resp, page, 20)
		if err != nil {
			return err
		}
		if total != f.needles {
			return fmt.Errorf("GET %s: X-Total-Count %d, want %d", path, total, f.needles)
		}
		for _, it := range page {
			if !strings.Contains(it.Title, f.needle) {
				return fmt.Errorf("GET %s: item %d titled %q", path, it.ID, it.Title)
			}
		}
		return nil
	}
}

func deepOffsetOp(f *fixture) op {
	var buf bytes.Buffer
	path := "/-/items?limit=20&offset=" + strconv.Itoa(f.deepOffset)
	return func(ctx context.Context) error {
		var page []itemJSON
		resp, err := f.api.call(ctx, request{method: "GET", path: path}, &buf, &page, 200)
		if err != nil || !resp.decoded {
			return err
		}
		total, err := checkPageAt("GET "+path, resp, page, 20, f.deepOffset)
		if err == nil && total < len(f.items) {
			err = fmt.Errorf("GET %s: X-Total-Count %d, want at least %d", path, total, len(f.items))
		}
		return err
	}
}

func deepCursorOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		var page []itemJSON
		resp, err := f.api.call(ctx, request{method: "GET", path: f.deepCursor}, &buf, &page, 200)
		if err != nil || !resp.decoded {
			return err
		}
		// The items after the cursor are those that were after the middle page
		// when it was read: items created since are newer.
		total, err := checkPageAt("GET "+f.deepCursor, resp, page, 20, f.deepOffset+20)
		if err != nil {
			return err
		}
		if total != f.deepTotal {
			return fmt.Errorf("GET %s: X-Total-Count %d, want the %d its cursor carries", f.deepCursor, total, f.deepTotal)
		}
		if len(page) > 0 && !page[0].CreationDate.Before(f.deepAfter) {
			return fmt.Errorf("GET %s: item %d is not older than the page before", f.deepCursor, page[0].ID)
		}
		return nil
	}
}

// itemBody is the text of the body field of every item: a paragraph.
var itemBody = strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 4)

// newItem returns the JSON body that creates an item; parent and related are the
// ids of the items it holds, 0 for none.
func newItem(title string, size, parent, related int64) []byte {
	m := map[string]any{"title": title, "size": size, "body": itemBody}
	if parent != 0 {
		m["parent"], m["related"] = parent, related
	}
	b, _ := json.Marshal(m)
	return b
}

func createOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		size := f.sizeBase + filterValues + rand.Int64N(sizeSpan-filterValues)
		var got itemJSON
		if resp, err := f.api.call(ctx, request{method: "POST", path: "/-/items", body: newItem("created", size, 0, 0)}, &buf, &got, 200, 201); err != nil || !resp.decoded {
			return err
		}
		if got.ID <= 0 || got.Meta.URL == "" {
			return fmt.Errorf("POST /-/items: no id or URL in %s", snippet(buf.Bytes()))
		}
		return got.check(got.ID, size)
	}
}

func updateOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		it := f.items[rand.IntN(len(f.items))]
		title := "updated " + strconv.FormatUint(rand.Uint64(), 36)
		body, _ := json.Marshal(map[string]string{"title": title})
		var got itemJSON
		if resp, err := f.api.call(ctx, request{method: "PUT", path: it.path, body: body}, &buf, &got, 200); err != nil || !resp.decoded {
			return err
		}
		if got.Title != title {
			return fmt.Errorf("PUT %s: title %q, want %q", it.path, got.Title, title)
		}
		return got.check(it.id, it.size)
	}
}

// fileJSON is what the scenarios read of a file's JSON.
type fileJSON struct {
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

// upload makes the call that uploads the fixture's payload.
func (f *fixture) upload(ctx context.Context, buf *bytes.Buffer) (fileJSON, response, error) {
	var got fileJSON
	resp, err := f.api.call(ctx, request{method: "POST", path: "/-/files", body: f.payload, contentType: "application/octet-stream",
		header: map[string]string{"Content-Disposition": `attachment; filename="bench.bin"`}}, buf, &got, 200, 201)
	if err == nil && resp.decoded && (got.Size != int64(len(f.payload)) || got.URL == "") {
		err = fmt.Errorf("POST /-/files: unexpected answer %s", snippet(buf.Bytes()))
	}
	return got, resp, err
}

func uploadOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		_, _, err := f.upload(ctx, &buf)
		return err
	}
}

func downloadOp(f *fixture) op {
	var buf bytes.Buffer
	return func(ctx context.Context) error {
		resp, err := f.api.call(ctx, request{method: "GET", path: f.filePath}, &buf, nil, 200)
		if err != nil {
			return err
		}
		if !bytes.Equal(resp.body, f.payload) {
			return fmt.Errorf("GET %s: %d bytes that differ from the %d uploaded", f.filePath, len(resp.body), len(f.payload))
		}
		return nil
	}
}

func mixedOp(f *fixture) op {
	read, list, create, update := readOp(f), listOp(f), createOp(f), updateOp(f)
	return func(ctx context.Context) error {
		switch n := rand.IntN(100); {
		case n < 45:
			return read(ctx)
		case n < 90:
			return list(ctx)
		case n < 95:
			return create(ctx)
		default:
			return update(ctx)
		}
	}
}
