// Package metrics owns backrest's Prometheus metrics: a registry of its own (no
// global state), the collectors that read the statistics of the other packages
// when scraped, the counters that they feed through plain callbacks, and the
// handler that serves them in the Prometheus text format. The other packages do
// not import Prometheus: they expose statistics as functions (store.DB.Stats,
// account.Hasher.Stats) or take callbacks (store.Options.GroupSize), and package
// app connects them to a Metrics.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/mail"
	"github.com/backrest/backrest/store"
)

const namespace = "backrest"

// Metrics are the metrics of one backrest server. Its methods are safe for
// concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	inFlight prometheus.Gauge
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	refusals *prometheus.CounterVec
	// series caches the series of each route, method and status, so that a
	// request does not hash its labels into the vectors again.
	series sync.Map // seriesKey -> *routeSeries

	groups      prometheus.Histogram
	blobWritten prometheus.Counter
	blobSwept   prometheus.Counter
	mailSent    prometheus.Counter
	mailFailed  prometheus.Counter
}

// seriesKey names the series of a request.
type seriesKey struct {
	route, method string
	status        int
}

// routeSeries are the series a request feeds.
type routeSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
	// refused is set for 429 answers.
	refused prometheus.Counter
}

// New returns the metrics of a server, with those of the Go runtime and the
// process, in a new registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{reg: reg}
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "http_requests_in_flight",
		Help: "Requests being answered."})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "http_requests_total",
		Help: "Requests answered, by route pattern, method and status."}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "http_request_duration_seconds",
		Help:    "Time from a request's arrival to the end of its answer, by route pattern and method.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"route", "method"})
	m.refusals = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "rate_limit_refusals_total",
		Help: "Requests refused by a rate limit (429), by route pattern."}, []string{"route"})
	m.groups = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "sqlite_write_group_size",
		Help:    "Write transactions committed together in one SQLite commit.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64}})
	m.blobWritten = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "blob_written_bytes_total",
		Help: "Bytes of files written to the file store."})
	m.blobSwept = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "blob_swept_bytes_total",
		Help: "Bytes of orphaned files and leftover temporary files deleted by sweeps."})
	m.mailSent = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "mails_sent_total",
		Help: "Mails handed to the SMTP server or written to the outbox."})
	m.mailFailed = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "mail_delivery_failures_total",
		Help: "Deliveries of mails that failed (each is retried until the queue gives up on it)."})
	for _, c := range []prometheus.Collector{m.inFlight, m.requests, m.duration, m.refusals, m.groups,
		m.blobWritten, m.blobSwept, m.mailSent, m.mailFailed} {
		f(c)
	}
	return m
}

// Registry returns the registry of m, where a program embedding backrest may
// register metrics of its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format (or the format the
// scraper asks for).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4, Timeout: 10 * time.Second})
}

// Started counts a request in flight (see http.Observer).
func (m *Metrics) Started() { m.inFlight.Inc() }

// Finished counts an answered request and its duration (see http.Observer).
func (m *Metrics) Finished(route, method string, status int, took time.Duration) {
	m.inFlight.Dec()
	key := seriesKey{route, knownMethod(method), status}
	v, ok := m.series.Load(key)
	if !ok {
		s := &routeSeries{
			count:    m.requests.WithLabelValues(key.route, key.method, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(key.route, key.method),
		}
		if status == http.StatusTooManyRequests {
			s.refused = m.refusals.WithLabelValues(key.route)
		}
		v, _ = m.series.LoadOrStore(key, s)
	}
	s := v.(*routeSeries)
	s.count.Inc()
	s.duration.Observe(took.Seconds())
	if s.refused != nil {
		s.refused.Inc()
	}
}

// knownMethod returns method if it is one of HTTP's, else "OTHER", so that
// clients cannot make series at will.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// WriteGroup records the size of a SQLite commit (see store.Options.GroupSize).
func (m *Metrics) WriteGroup(n int) { m.groups.Observe(float64(n)) }

// BlobWritten counts n bytes written to the file store (see blob.Counted).
func (m *Metrics) BlobWritten(n int64) { m.blobWritten.Add(float64(n)) }

// BlobSwept counts n bytes deleted by a sweep.
func (m *Metrics) BlobSwept(n int64) { m.blobSwept.Add(float64(n)) }

// Sender returns a mail.Sender that sends with s and counts the mails sent and
// the deliveries that failed.
func (m *Metrics) Sender(s mail.Sender) mail.Sender { return countingSender{s, m} }

// countingSender is the Sender of Metrics.Sender.
type countingSender struct {
	mail.Sender
	m *Metrics
}

func (c countingSender) Send(ctx context.Context, msg mail.Message) error {
	err := c.Sender.Send(ctx, msg)
	if err != nil {
		c.m.mailFailed.Inc()
	} else {
		c.m.mailSent.Inc()
	}
	return err
}

// Sources are the statistics that m reads when it is scraped; nil ones are left
// out.
type Sources struct {
	// Pools returns the statistics of the database's connection pools.
	Pools func() []store.PoolStats
	// Hashes returns those of the password hashing workers.
	Hashes func() account.HashStats
	// SessionsCreated returns the number of sessions started.
	SessionsCreated func() uint64
	// MailQueue returns how many mails wait for delivery, how many were given up
	// on, and when the oldest waiting one was queued (zero when none waits).
	MailQueue func(ctx context.Context) (waiting, failed int, oldest time.Time, err error)
}

// Watch registers the collectors reading src. Call it once.
func (m *Metrics) Watch(src Sources) {
	if src.Pools != nil {
		m.reg.MustRegister(poolCollector{src.Pools})
	}
	if src.Hashes != nil {
		hash := func(name, help string, v func(account.HashStats) float64) {
			m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help},
				func() float64 { return v(src.Hashes()) }))
		}
		hash("password_hash_workers", "Password hashes that may run at once.", func(s account.HashStats) float64 { return float64(s.Workers) })
		hash("password_hash_running", "Password hashes being computed.", func(s account.HashStats) float64 { return float64(s.Running) })
		hash("password_hash_waiting", "Password hashes waiting for a worker.", func(s account.HashStats) float64 { return float64(s.Waiting) })
	}
	if src.MailQueue != nil {
		m.reg.MustRegister(mailCollector{src.MailQueue})
	}
	if src.SessionsCreated != nil {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: "sessions_created_total",
			Help: "Sessions started by log-ins and confirmed sign-ups."}, func() float64 { return float64(src.SessionsCreated()) }))
	}
}

// poolCollector reports the statistics of the database's connection pools.
type poolCollector struct{ stats func() []store.PoolStats }

var (
	poolLabels   = []string{"pool"}
	descOpen     = prometheus.NewDesc(namespace+"_db_connections_max", "Connections a pool may open.", poolLabels, nil)
	descInUse    = prometheus.NewDesc(namespace+"_db_connections_in_use", "Connections of a pool in use.", poolLabels, nil)
	descIdle     = prometheus.NewDesc(namespace+"_db_connections_idle", "Idle connections of a pool.", poolLabels, nil)
	descWaits    = prometheus.NewDesc(namespace+"_db_waits_total", "Times a caller waited for a connection of a pool.", poolLabels, nil)
	descWaitTime = prometheus.NewDesc(namespace+"_db_wait_seconds_total", "Time callers waited for a connection of a pool.", poolLabels, nil)
)

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOpen, descInUse, descIdle, descWaits, descWaitTime} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.stats() {
		ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(p.MaxOpenConnections), p.Pool)
		ch <- prometheus.MustNewConstMetric(descInUse, prometheus.GaugeValue, float64(p.InUse), p.Pool)
		ch <- prometheus.MustNewConstMetric(descIdle, prometheus.GaugeValue, float64(p.Idle), p.Pool)
		ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(p.WaitCount), p.Pool)
		ch <- prometheus.MustNewConstMetric(descWaitTime, prometheus.CounterValue, p.WaitDuration.Seconds(), p.Pool)
	}
}

// mailCollector reports the state of the mail queue, read from the database
// when scraped.
type mailCollector struct {
	stats func(ctx context.Context) (waiting, failed int, oldest time.Time, err error)
}

// mailQueueTimeout bounds the query of a scrape.
const mailQueueTimeout = 5 * time.Second

var (
	descMailWaiting = prometheus.NewDesc(namespace+"_mail_queue_waiting", "Mails queued and not delivered yet.", nil, nil)
	descMailFailed  = prometheus.NewDesc(namespace+"_mail_queue_failed", "Mails the queue gave up on.", nil, nil)
	descMailOldest  = prometheus.NewDesc(namespace+"_mail_queue_oldest_seconds", "Age of the oldest mail waiting for delivery; 0 when none waits.", nil, nil)
)

func (mailCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descMailWaiting
	ch <- descMailFailed
	ch <- descMailOldest
}

func (c mailCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), mailQueueTimeout)
	defer cancel()
	waiting, failed, oldest, err := c.stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descMailWaiting, err)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(0, time.Since(oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(descMailWaiting, prometheus.GaugeValue, float64(waiting))
	ch <- prometheus.MustNewConstMetric(descMailFailed, prometheus.GaugeValue, float64(failed))
	ch <- prometheus.MustNewConstMetric(descMailOldest, prometheus.GaugeValue, age)
}
