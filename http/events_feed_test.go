package http_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/content"
	bhttp "github.com/backrest/backrest/http"
	"github.com/backrest/backrest/store/storetest"
)

// TestEventsSharedReader counts the queries that one commit costs with more and
// more streams open: one reader reads the log and the item for all of them, so
// the cost does not grow with the streams (each stream reading the log and the
// item for itself took at least two queries per stream).
func TestEventsSharedReader(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		e := newEnvOpts(t, b, app.Options{Types: []content.Type{fooType()}}, withSchema(t, testSchema),
			func(c *backrest.Config) { c.EventStreamsPerUser = 100 })
		ed, _ := e.as("ed@example.com", "editor")
		reader, _ := e.as("reader@example.com")
		var streams []*sse
		cost := map[int]int64{}
		for _, n := range []int{1, 8, 32} {
			for len(streams) < n {
				streams = append(streams, reader.stream("types=notices", ""))
			}
			// Every stream takes a first commit, so that all of them wait on the
			// shared reader, past any catching up of their own.
			warm := itemID(t, ed.post("/-/notices", obj{"title": "warm"}).expect(201))
			for _, s := range streams {
				s.expect("create", warm)
			}
			before := e.app.DB.Queries()
			id := itemID(t, ed.post("/-/notices", obj{"title": fmt.Sprint(n)}).expect(201))
			for _, s := range streams {
				if got := s.expect("create", id).JSON(t)["title"]; got != fmt.Sprint(n) {
					t.Fatalf("title %v", got)
				}
			}
			cost[n] = e.app.DB.Queries() - before
		}
		t.Logf("queries of a commit with 1, 8 and 32 streams: %d, %d, %d", cost[1], cost[8], cost[32])
		if cost[32]-cost[1] >= 31 || cost[8]-cost[1] >= 7 {
			t.Fatalf("queries of a commit grow with the streams: %d, %d, %d with 1, 8 and 32", cost[1], cost[8], cost[32])
		}
	})
}

func TestEventsProfileChanged(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		admin, _ := e.as("admin@example.com", "admin")
		alice, au := e.as("alice@example.com")
		bob, _ := e.as("bob@example.com")
		as := alice.stream("types=diaries", "")
		bs := bob.stream("types=diaries", "")

		alice.put("/-/userprofile", obj{"firstname": "Alicia"}).expectSuccess()
		p := as.expect("profile-changed", 0).JSON(t)
		if p["firstname"] != "Alicia" || p["email"] != "alice@example.com" || p["id"] != au.ID.String() {
			t.Fatalf("profile %v", p)
		}
		// The roles and address an admin gives apply to the stream from the event
		// on: bob's first diary stays hidden from alice, his second is shown.
		first := itemID(t, bob.post("/-/diaries", obj{"title": "first"}).expect(201))
		admin.put("/-/admin/users/"+au.ID.String(), obj{"roles": []string{"admin"}, "email": "alicia@example.com"}).expect(200)
		second := itemID(t, bob.post("/-/diaries", obj{"title": "second"}).expect(201))
		p = as.expect("profile-changed", 0).JSON(t)
		if p["email"] != "alicia@example.com" || fmt.Sprint(p["roles"]) != "[admin]" {
			t.Fatalf("profile %v", p)
		}
		as.expect("create", second)

		// Bob's stream hears nothing of alice's account.
		bs.expect("create", first)
		bs.expect("create", second)
		alice.put("/-/userprofile", obj{"lastname": "Liddell"}).expectSuccess()
		if got := as.expect("profile-changed", 0).JSON(t)["lastname"]; got != "Liddell" {
			t.Fatalf("lastname %v", got)
		}
		marker := itemID(t, bob.post("/-/diaries", obj{"title": "marker"}).expect(201))
		bs.expect("create", marker)
	})
}

func TestEventsProfileAcrossInstances(t *testing.T) {
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
	alice, au := a.as("alice@example.com")
	// The same session, on the other instance.
	u, _ := url.Parse(a.url("/"))
	onB := b.browser()
	for _, c := range alice.client.Jar.Cookies(u) {
		if c.Name == bhttp.SessionCookie {
			onB.header.Set("Authorization", "Bearer "+c.Value)
		}
	}
	s := onB.stream("types=notices", "")
	alice.put("/-/userprofile", obj{"firstname": "Alicia"}).expectSuccess()
	if p := s.expect("profile-changed", 0).JSON(t); p["firstname"] != "Alicia" || p["id"] != au.ID.String() {
		t.Fatalf("profile %v", p)
	}
	alice.put("/-/logout", obj{}).expectSuccess()
	s.expect("session-ended", 0)
}

// TestEventsStalledStream opens a stream whose client reads nothing while
// another one reads: the reader receives every event while the stalled stream's
// buffers are full (the shared reader of the log waits for no stream), and the
// stalled stream is dropped once a write of it cannot complete in time.
func TestEventsStalledStream(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		e := newEnvOpts(t, b, app.Options{Types: []content.Type{fooType()}}, withSchema(t, testSchema),
			func(c *backrest.Config) { c.EventStreamsPerUser, c.WriteTimeout = 2, 2*time.Second })
		u, _ := e.as("u@example.com")
		token := ""
		base, _ := url.Parse(e.url("/"))
		for _, c := range u.client.Jar.Cookies(base) {
			if c.Name == bhttp.SessionCookie {
				token = c.Value
			}
		}
		stalled, err := net.Dial("tcp", base.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer stalled.Close()
		stalled.(*net.TCPConn).SetReadBuffer(4 << 10)
		fmt.Fprintf(stalled, "GET /-/events?types=documents HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", base.Host, token)
		// The stalled stream is open once its answer begins.
		if _, err := bufio.NewReader(stalled).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		s := u.stream("types=documents", "")
		const n = 120
		got := make(chan []string, 1)
		go func() {
			var names []string
			for range n {
				ev, ok := s.next()
				if !ok {
					break
				}
				names = append(names, ev.name+" "+fmt.Sprint(ev.JSON(t)["id"]))
			}
			got <- names
		}()
		// More than the buffers of the connection hold, in large events.
		extra := strings.Repeat("x", 64<<10)
		var want []string
		for i := range n {
			id := itemID(t, u.post("/-/documents", obj{"title": fmt.Sprint(i), "rank": i, "extra": extra}).expect(201))
			want = append(want, "create "+fmt.Sprint(id))
		}
		if names := <-got; !slices.Equal(names, want) {
			t.Fatalf("the reading stream received %d events of %d: %v", len(names), n, names)
		}
		// Its place is freed once the stalled stream is dropped: a new stream opens.
		for {
			req, _ := http.NewRequest("GET", e.url("/-/events?types=documents"), nil)
			resp, err := u.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("status %d", resp.StatusCode)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
