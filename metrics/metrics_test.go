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
