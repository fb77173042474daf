package metrics

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkRequest measures what the metrics add to a request: the in-flight
// gauge, the counter and the histogram of its route.
func BenchmarkRequest(b *testing.B) {
	m := New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Started()
			m.Finished("/-/items/{id}", http.MethodGet, http.StatusOK, 800*time.Microsecond)
		}
	})
}

// Methods that HTTP does not define share one series, so that clients cannot
// make new series at will; routes are taken as given.
func TestUnknownMethodsShareASeries(t *testing.T) {
	m := New()
	for _, method := range []string{"FOO", "BAR", "get", http.MethodGet} {
		m.Started()
		m.Finished("/-/", method, http.StatusNotFound, time.Millisecond)
	}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "backrest_http_requests_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			var method string
			for _, l := range s.GetLabel() {
				if l.GetName() == "method" {
					method = l.GetValue()
				}
			}
			got[method] = s.GetCounter().GetValue()
		}
	}
	if len(got) != 2 || got["OTHER"] != 3 || got["GET"] != 1 {
		t.Fatalf("series by method: %v", got)
	}
}
