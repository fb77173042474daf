package http_test

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ranksOf returns the ranks of a listing's items, in order.
func ranksOf(items []map[string]any) []int {
	out := make([]int, len(items))
	for i, item := range items {
		out[i] = int(item["rank"].(float64))
	}
	return out
}

// walk follows the Link headers of a listing from path, checking that every page
// has the X-Total-Count total (or none when total is -1), and returns the ranks
// of all its items.
func walk(t *testing.T, b *browser, srv, path string, total int) []int {
	t.Helper()
	var all []int
	for pages := 0; path != ""; pages++ {
		if pages > 200 {
			t.Fatalf("%s: endless pages", path)
		}
		res := b.get(path).expect(200)
		if total < 0 && res.header.Get("X-Total-Count") != "" {
			t.Fatalf("%s: X-Total-Count %q with total=false", path, res.header.Get("X-Total-Count"))
		}
		if total >= 0 && res.total() != total {
			t.Fatalf("%s: X-Total-Count %d, want %d", path, res.total(), total)
		}
		all = append(all, ranksOf(res.list())...)
		path = ""
		if l := res.header.Get("Link"); l != "" {
			m := linkNext.FindStringSubmatch(l)
			if m == nil || !strings.HasPrefix(m[1], srv) || strings.Contains(m[1], "offset=") {
				t.Fatalf("Link %q", l)
			}
			path = strings.TrimPrefix(m[1], srv)
		}
	}
	return all
}

func TestContentRangesAndCursors(t *testing.T) {
	forEachContentDB(t, func(t *testing.T, e *env) {
		alice, _ := e.as("alice@example.com")
		const n = 60
		day0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		created := make([]string, n)
		type doc struct {
			size  *int
			score *float64
			due   *time.Time
		}
		docs := make([]doc, n)
		for i := range n {
			e.clock.Advance(time.Second)
			body := obj{"title": fmt.Sprintf("doc %02d", (i*7)%n), "rank": i, "public": i%3 == 0}
			if i%7 != 0 {
				s := i % 10
				docs[i].size, body["size"] = &s, s
			}
			if i%4 != 0 {
				s := float64(i%5)*0.5 - 1
				docs[i].score, body["score"] = &s, s
			}
			if i%6 != 0 {
				d := day0.AddDate(0, 0, i)
				docs[i].due, body["due"] = &d, d.Format(time.RFC3339)
			}
			created[i] = alice.post("/-/documents", body).expect(201).JSON()["creation_date"].(string)
		}
		// want lists the ranks of the documents that keep, newest first.
		want := func(keep func(i int, d doc) bool) []int {
			out := []int{}
			for i := n - 1; i >= 0; i-- {
				if keep(i, docs[i]) {
					out = append(out, i)
				}
			}
			return out
		}
		size := func(d doc, f func(int) bool) bool { return d.size != nil && f(*d.size) }
		for _, c := range []struct {
			query string
			want  []int
		}{
			{"rank.gte=10&rank.lt=20", want(func(i int, _ doc) bool { return i >= 10 && i < 20 })},
			{"size.gt=7", want(func(_ int, d doc) bool { return size(d, func(s int) bool { return s > 7 }) })},
			{"size.gte=1&size.lte=1", want(func(_ int, d doc) bool { return size(d, func(s int) bool { return s == 1 }) })},
			{"size.lt=0", want(func(int, doc) bool { return false })},
			{"score.lt=0", want(func(_ int, d doc) bool { return d.score != nil && *d.score < 0 })},
			{"score.gte=-0.5&score.lte=0.25", want(func(_ int, d doc) bool { return d.score != nil && *d.score >= -0.5 && *d.score <= 0.25 })},
			{"due.gte=2026-01-10T00:00:00Z&due.lt=2026-01-20T02:00:00%2B02:00", want(func(_ int, d doc) bool {
				return d.due != nil && !d.due.Before(day0.AddDate(0, 0, 9)) && d.due.Before(day0.AddDate(0, 0, 19))
			})},
			{"creation_date.gt=" + url.QueryEscape(created[49]), want(func(i int, _ doc) bool { return i > 49 })},
			{"creation_date.lte=" + url.QueryEscape(created[3]) + "&creation_date.gte=" + url.QueryEscape(created[1]), []int{3, 2, 1}},
			{"modification_date.lt=" + url.QueryEscape(created[5]), []int{4, 3, 2, 1, 0}},
			{"rank.gte=10&size=3", want(func(i int, d doc) bool { return i >= 10 && size(d, func(s int) bool { return s == 3 }) })},
			{"rank.lt=30&public=true&creation_date.gt=" + url.QueryEscape(created[10]), want(func(i int, _ doc) bool { return i < 30 && i > 10 && i%3 == 0 })},
		} {
			res := alice.get("/-/documents?limit=1000&" + c.query).expect(200)
			if got := ranksOf(res.list()); !slices.Equal(got, c.want) || res.total() != len(c.want) {
				t.Fatalf("%s: %v (total %d), want %v", c.query, got, res.total(), c.want)
			}
			// The same, a page of 4 at a time by cursor.
			if got := walk(t, alice, e.srv.URL, "/-/documents?limit=4&"+c.query, len(c.want)); !slices.Equal(got, c.want) {
				t.Fatalf("%s by cursor: %v, want %v", c.query, got, c.want)
			}
		}

		// Walking by cursor yields the order of one long page, for every sort,
		// with filters or without; unset values sort first (last descending).
		for _, sort := range []string{"", "sort=creation_date", "sort=size", "sort=-size", "sort=score", "sort=-score", "sort=title",
			"sort=-title", "sort=-modification_date", "sort=id", "sort=-id", "sort=due", "sort=-due", "sort=public"} {
			for _, filter := range []string{"", "rank.gte=20", "size.lt=5&public=false", "score.gt=-1"} {
				q := sort + "&" + filter
				all := alice.get("/-/documents?limit=1000&" + q).expect(200)
				full := ranksOf(all.list())
				for _, limit := range []int{1, 7} {
					if got := walk(t, alice, e.srv.URL, "/-/documents?limit="+strconv.Itoa(limit)+"&"+q, all.total()); !slices.Equal(got, full) {
						t.Fatalf("%s, limit %d, by cursor:\n%v\nwant\n%v", q, limit, got, full)
					}
				}
				if got := walk(t, alice, e.srv.URL, "/-/documents?limit=9&total=false&"+q, -1); !slices.Equal(got, full) {
					t.Fatalf("%s without totals: %v", q, got)
				}
				// An offset page links on by cursor from where it ends.
				if len(full) > 12 {
					if got := walk(t, alice, e.srv.URL, "/-/documents?limit=5&offset=10&"+q, all.total()); !slices.Equal(got, full[10:]) {
						t.Fatalf("%s from offset 10: %v", q, got)
					}
				}
			}
		}

		// The total of a first page is carried by its cursor: pages after it do
		// not count again.
		first := alice.get("/-/documents?limit=10&rank.gte=30").expect(200)
		if first.total() != 30 {
			t.Fatalf("total %d", first.total())
		}
		alice.post("/-/documents", obj{"title": "late", "rank": 99}).expect(201)
		m := linkNext.FindStringSubmatch(first.header.Get("Link"))
		if second := alice.get(strings.TrimPrefix(m[1], e.srv.URL)).expect(200); second.total() != 30 || ranksOf(second.list())[0] != 49 {
			t.Fatalf("second page: total %d, %v", second.total(), ranksOf(second.list()))
		}
		if n := alice.get("/-/documents?limit=10&rank.gte=30").expect(200).total(); n != 31 {
			t.Fatalf("a new first page counts again: %d", n)
		}
		cursor := strings.TrimPrefix(m[1], e.srv.URL+"/-/documents?")
		cursorParams, _ := url.ParseQuery(cursor)
		tok := cursorParams.Get("cursor")

		// Bad queries: 400 naming each bad parameter, in the query string.
		for _, c := range []struct{ query, param string }{
			{"size.gt=abc", "size.gt"}, {"size.gt=1.5", "size.gt"}, {"size.gt=1&size.gt=2", "size.gt"},
			{"body.gt=1", "body.gt"}, {"title.gt=a", "title.gt"}, {"public.gt=1", "public.gt"}, {"code.lt=A", "code.lt"},
			{"extra.gte=1", "extra.gte"}, {"bogus.lt=1", "bogus.lt"}, {"size.between=1", "size.between"},
			{"creation_date.gte=yesterday", "creation_date.gte"}, {"modification_date.lt=", "modification_date.lt"},
			{"due.lt=2026-13-01T00:00:00Z", "due.lt"}, {"score.gt=NaN", "score.gt"}, {"score.gt=1e999", "score.gt"},
			{"q=", "q"}, {"q=%20%20", "q"}, {"q=a&q=b", "q"}, {"q=a+b+c+d+e+f+g+h+i", "q"}, {"q=" + strings.Repeat("x", 65), "q"},
			{"q=%FF", "q"},
			{"cursor=abc", "cursor"}, {"cursor=", "cursor"}, {"cursor=" + tok + "&cursor=" + tok, "cursor"},
			{"cursor=" + tok, "cursor"}, // made for rank.gte=30
			{"cursor=" + tok + "&rank.gte=30&sort=size", "cursor"},
			{"cursor=" + tok + "&rank.gte=31", "cursor"},
			{"cursor=" + tok + "&rank.gte=30&offset=10", "offset"},
			{"total=maybe", "total"}, {"total=true&total=false", "total"},
		} {
			res := alice.get("/-/documents?" + c.query)
			res.expectError(400, c.param, "")
			if !strings.Contains(string(res.body), `"location":"querystring"`) {
				t.Fatalf("%s: %s", c.query, res.body)
			}
		}
		// A cursor of the same selection with other paging is fine.
		alice.get("/-/documents?cursor=" + tok + "&rank.gte=30&limit=3&total=false&expand=").expect(200)
		if got := e.count("documents"); got != n+1 {
			t.Fatalf("%d documents after bad queries", got)
		}
	})
}
