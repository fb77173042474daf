package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/content"
	"github.com/backrest/backrest/store"
	"github.com/backrest/backrest/store/storetest"
)

// sse is a client reading a stream of Server-Sent Events.
type sse struct {
	t      *testing.T
	resp   *http.Response
	r      *bufio.Reader
	cancel context.CancelFunc
	// retry is the last reconnection delay the server advised.
	retry string
}

// sseEvent is one event of a stream.
type sseEvent struct {
	id, name, data string
}

// JSON decodes the event's data as an object.
func (ev sseEvent) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(ev.data), &m); err != nil {
		t.Fatalf("event data is not a JSON object: %v: %q", err, ev.data)
	}
	return m
}

// stream opens GET /-/events?QUERY, resuming after lastID unless it is empty.
func (b *browser) stream(query, lastID string) *sse {
	b.e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", b.e.url("/-/events?"+query), nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		b.e.t.Fatalf("stream: status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{t: b.e.t, resp: resp, r: bufio.NewReader(resp.Body), cancel: cancel}
	b.e.t.Cleanup(s.close)
	return s
}

// close drops the connection.
func (s *sse) close() {
	s.cancel()
	s.resp.Body.Close()
}

// next returns the next event, skipping comments; ok is false when the stream
// ended.
func (s *sse) next() (ev sseEvent, ok bool) {
	s.t.Helper()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return sseEvent{}, false
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev.name != "" {
				return ev, true
			}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id: "):
			ev.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.name = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.data = line[6:]
		case strings.HasPrefix(line, "retry: "):
			s.retry = line[7:]
		default:
			s.t.Fatalf("unexpected line %q", line)
		}
	}
}

// expect reads the next event and checks its name and, for items, the item's id.
func (s *sse) expect(name string, id float64) sseEvent {
	s.t.Helper()
	ev, ok := s.next()
	if !ok {
		s.t.Fatalf("stream ended, want %s of %v", name, id)
	}
	if ev.name != name {
		s.t.Fatalf("event %s %s, want %s of %v", ev.name, ev.data, name, id)
	}
	if id != 0 {
		if got := ev.JSON(s.t)["id"]; got != id {
			s.t.Fatalf("%s event of item %v, want %v: %s", name, got, id, ev.data)
		}
	}
	return ev
}

// itemID returns the id of an item answered.
func itemID(t *testing.T, r *response) float64 {
	t.Helper()
	return r.JSON()["id"].(float64)
}

func TestEventsVisibility(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		admin, _ := e.as("admin@example.com", "admin")
		editor, _ := e.as("ed@example.com", "editor")
		as := alice.stream("types=diaries,notices", "")
		ad := admin.stream("types=diaries", "")
		anon := e.browser().stream("types=diaries,notices", "")

		hidden := itemID(t, bob.post("/-/diaries", obj{"title": "bob's"}).expect(201))
		mine := alice.post("/-/diaries", obj{"title": "alice's"}).expect(201)
		ev := as.expect("create", itemID(t, mine))
		if want := alice.get(fmt.Sprintf("/-/diaries/%v", itemID(t, mine))).expect(200).body; ev.data+"\n" != string(want) {
			t.Fatalf("event data %s, want the item as GET gives it: %s", ev.data, want)
		}
		ad.expect("create", hidden)
		ad.expect("create", itemID(t, mine))

		// An update is sent as the item is when it is delivered, so one whose item
		// is gone by then is not sent: the delete is read before it happens.
		bob.put(fmt.Sprintf("/-/diaries/%v", hidden), obj{"title": "bob's, changed"}).expect(200)
		ad.expect("update", hidden)
		bob.delete(fmt.Sprintf("/-/diaries/%v", hidden)).expect(200)
		alice.put(fmt.Sprintf("/-/diaries/%v", itemID(t, mine)), obj{"title": "changed"}).expect(200)
		if got := as.expect("update", itemID(t, mine)).JSON(t)["title"]; got != "changed" {
			t.Fatalf("updated title %v", got)
		}
		ev = ad.expect("delete", hidden)
		if ev.data != fmt.Sprintf(`{"id":%v,"type":"diary"}`, hidden) {
			t.Fatalf("delete data %s", ev.data)
		}
		ad.expect("update", itemID(t, mine))

		notice := itemID(t, editor.post("/-/notices", obj{"title": "hello"}).expect(201))
		alice.delete(fmt.Sprintf("/-/diaries/%v", itemID(t, mine))).expect(200)
		as.expect("create", notice)
		as.expect("delete", itemID(t, mine))
		// The anonymous stream saw no diary: its first event is the notice.
		anon.expect("create", notice)
		ad.expect("delete", itemID(t, mine))
	})
}

func TestEventsOneItem(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		ed, _ := e.as("ed@example.com", "editor")
		a := itemID(t, ed.post("/-/notices", obj{"title": "a"}).expect(201))
		b := itemID(t, ed.post("/-/notices", obj{"title": "b"}).expect(201))
		s := e.browser().stream("types=notices&id="+strconv.Itoa(int(b)), "")
		ed.put(fmt.Sprintf("/-/notices/%v", a), obj{"title": "a2"}).expect(200)
		ed.put(fmt.Sprintf("/-/notices/%v", b), obj{"title": "b2"}).expect(200)
		s.expect("update", b)
	})
}

func TestEventsResume(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		ed, _ := e.as("ed@example.com", "editor")
		reader := e.browser()
		s := reader.stream("types=notices", "")
		first := itemID(t, ed.post("/-/notices", obj{"title": "1"}).expect(201))
		last := s.expect("create", first).id
		s.close()

		var missed []float64
		for i := range 3 {
			missed = append(missed, itemID(t, ed.post("/-/notices", obj{"title": strconv.Itoa(i + 2)}).expect(201)))
		}
		s = reader.stream("types=notices", last)
		for _, id := range missed {
			ev := s.expect("create", id)
			if ev.id <= last {
				t.Fatalf("event id %s after %s", ev.id, last)
			}
			last = ev.id
		}
		// Nothing is sent twice: the next event is the next change.
		marker := itemID(t, ed.post("/-/notices", obj{"title": "marker"}).expect(201))
		s.expect("create", marker)
	})
}

func TestEventsRollback(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		u, _ := e.as("u@example.com")
		s := u.stream("types=foos", "")
		u.post("/-/foos", obj{"title": "x", "size": 13}).expectError(400, "size", "Unlucky")
		keep := itemID(t, u.post("/-/foos", obj{"title": "keep", "size": 1}).expect(201))
		s.expect("create", keep)
		u.put(fmt.Sprintf("/-/foos/%v", keep), obj{"size": 0}).expectError(400, "size", "Must not shrink")
		u.delete(fmt.Sprintf("/-/foos/%v", keep)).expect(403)
		marker := itemID(t, u.post("/-/foos", obj{"title": "marker", "size": 2}).expect(201))
		s.expect("create", marker)
	})
}

func TestEventsSessionEnds(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		ed, _ := e.as("ed@example.com", "editor")
		s := alice.stream("types=diaries,notices", "")
		alice.put("/-/logout", obj{}).expectSuccess()
		ed.post("/-/notices", obj{"title": "after"}).expect(201)
		s.expect("session-ended", 0)
		if _, ok := s.next(); ok {
			t.Fatal("stream goes on after its session ended")
		}
	})
}

// TestEventsDeviceEnded ends a stream's session from another device and by an
// admin: the stream is told, as at a logout.
func TestEventsDeviceEnded(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("root@example.com", "admin")
		alice, au := e.as("alice@example.com")
		phone := e.browser()
		phone.login("alice@example.com", pw).expectSuccess()
		ed, _ := e.as("ed@example.com", "editor")

		ended := func(s *sse, end func(id string)) {
			t.Helper()
			var id string
			for _, d := range phone.sessionsOf("/-/userprofile/sessions") {
				if d["current"] == true {
					id = d["id"].(string)
				}
			}
			end(id)
			ed.post("/-/notices", obj{"title": "after"}).expect(201)
			s.expect("session-ended", 0)
			if _, ok := s.next(); ok {
				t.Fatal("stream goes on after its session ended")
			}
		}
		ended(phone.stream("types=notices", ""), func(id string) {
			alice.delete("/-/userprofile/sessions/" + id).expect(200)
		})
		phone.login("alice@example.com", pw).expectSuccess()
		ended(phone.stream("types=notices", ""), func(id string) {
			admin.delete("/-/admin/users/" + au.ID.String() + "/sessions/" + id).expect(200)
		})
	})
}

func TestEventsReload(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		ed, _ := e.as("ed@example.com", "editor")
		s := ed.stream("types=notices", "")
		old := s.expect("create", itemID(t, ed.post("/-/notices", obj{"title": "old"}).expect(201))).id
		s.close()
		ed.post("/-/notices", obj{"title": "newer"}).expect(201)
		e.clock.Advance(25 * time.Hour)
		err := e.app.DB.InTx(context.Background(), func(tx *store.Tx) error {
			_, err := store.PurgeEvents(context.Background(), tx, e.clock.Now().Add(-e.app.Config.EventRetention))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		s = ed.stream("types=notices", old)
		ev := s.expect("reload", 0)
		if ev.id <= old {
			t.Fatalf("reload event id %s, not past %s", ev.id, old)
		}
		marker := itemID(t, ed.post("/-/notices", obj{"title": "marker"}).expect(201))
		s.expect("create", marker)
	})
}

func TestEventsBadRequests(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		e := newEnvOpts(t, b, app.Options{Types: []content.Type{fooType()}}, withSchema(t, testSchema),
			func(c *backrest.Config) { c.EventStreamsPerUser = 1 })
		u, _ := e.as("u@example.com")
		u.get("/-/events").expectError(400, "types", "")
		u.get("/-/events?types=nope").expectError(400, "types", `Unknown type: "nope"`)
		u.get("/-/events?types=foos,").expectError(400, "types", "")
		u.get("/-/events?types=foos&id=0").expectError(400, "id", "Must be a positive integer")
		u.get("/-/events?types=foos&id=x").expectError(400, "id", "")
		u.header.Set("Last-Event-ID", "-1")
		u.get("/-/events?types=foos").expectError(400, "Last-Event-ID", "")
		u.header.Del("Last-Event-ID")
		s := u.stream("types=foos", "")
		u.get("/-/events?types=foos").expectError(429, "", "")
		s.close()
		// The closed stream's place is free again once the server saw it end.
		for {
			req, _ := http.NewRequest("GET", e.url("/-/events?types=foos"), nil)
			resp, err := u.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				continue
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			break
		}
	})
}

func TestEventsAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	dsn := storetest.DSN(t, storetest.Postgres)
	cfg := func() backrest.Config {
		c := testConfig(t.TempDir())
		c.DB = dsn
		c.Schema = withSchemaPath(t, testSchema)
		return c
	}
	a := startEnv(t, cfg(), app.Options{})
	b := startEnv(t, cfg(), app.Options{})
	ed, _ := a.as("ed@example.com", "editor")
	s := b.browser().stream("types=notices", "")
	id := itemID(t, ed.post("/-/notices", obj{"title": "from A"}).expect(201))
	s.expect("create", id)
}

// withSchemaPath writes the schema to a file of the test and returns its path.
func withSchemaPath(t *testing.T, schema string) string {
	var c backrest.Config
	withSchema(t, schema)(&c)
	return c.Schema
}

func TestEventsShutdown(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		cfg := testConfig(t.TempDir())
		cfg.DB = storetest.DSN(t, b)
		cfg.Schema = withSchemaPath(t, testSchema)
		a, err := app.New(context.Background(), cfg, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, stop := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- a.Serve(ctx, ln) }()
		e := &env{t: t, app: a}
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/-/events?types=notices", nil)
		resp, err := e.browser().client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		s := &sse{t: t, resp: resp, r: bufio.NewReader(resp.Body), cancel: func() {}}
		// The stream begins with its reconnection advice.
		if line, err := s.r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry: ") {
			t.Fatalf("first line %q, %v", line, err)
		}
		s.r.ReadString('\n')
		stop()
		if ev, ok := s.next(); ok {
			t.Fatalf("event %v at shutdown", ev)
		}
		if s.retry != "2000" {
			t.Fatalf("the stream ended without a retry hint: %q", s.retry)
		}
		if err := <-served; err != nil {
			t.Fatal(err)
		}
	})
}
