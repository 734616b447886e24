package serve

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// metrics are counted with atomics only: a lookup never waits for another
// to count. /metrics writes them in the Prometheus text format (version
// 0.0.4), by hand: a few counters do not need a client library.
type metrics struct {
	verdicts   [5]atomic.Int64 // lookups by verdict, indexed by catalog.Verdict
	unreadable atomic.Int64    // inputs that were not product codes
	rejected   atomic.Int64    // requests answered 4xx before any lookup
	unavail    atomic.Int64    // requests answered 503: no trusted catalog

	buckets [len(latencyBuckets) + 1]atomic.Int64 // the last is +Inf
	sumNs   atomic.Int64

	syncs [4]atomic.Int64 // by syncOutcome
}

// latencyBuckets are the histogram's upper bounds, in seconds: the
// targets (2 ms at 2,000 requests a second, 10 ms at the most) sit on
// bucket bounds.
var latencyBuckets = [...]float64{0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// syncOutcome classifies a background sync.
type syncOutcome int

const (
	syncInstalled syncOutcome = iota // a newer catalog was installed and is in use
	syncUpToDate                     // nothing newer was published
	syncFailed                       // fetching or opening failed; tried again sooner
	syncRefused                      // a security check failed (rollback, bad signature, ...)
)

var syncOutcomeNames = [...]string{"installed", "up_to_date", "failed", "refused"}

func (m *metrics) observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(latencyBuckets) && s > latencyBuckets[i] {
		i++
	}
	m.buckets[i].Add(1)
	m.sumNs.Add(int64(d))
}

// write writes the metrics; h is the catalog in use (nil if none).
func (m *metrics) write(w io.Writer, h *held, now time.Time) {
	fmt.Fprintf(w, "# HELP smartcheck_lookups_total Codes looked up, by verdict; unreadable: not a product code.\n# TYPE smartcheck_lookups_total counter\n")
	for v := catalog.OK; v <= catalog.Stop; v++ {
		fmt.Fprintf(w, "smartcheck_lookups_total{verdict=%q} %d\n", v.String(), m.verdicts[v].Load())
	}
	fmt.Fprintf(w, "smartcheck_lookups_total{verdict=\"unreadable\"} %d\n", m.unreadable.Load())

	fmt.Fprintf(w, "# HELP smartcheck_lookup_duration_seconds Time to answer a lookup request (GET or POST), from its headers to its last byte.\n# TYPE smartcheck_lookup_duration_seconds histogram\n")
	var cum int64
	for i, le := range latencyBuckets {
		cum += m.buckets[i].Load()
		fmt.Fprintf(w, "smartcheck_lookup_duration_seconds_bucket{le=\"%g\"} %d\n", le, cum)
	}
	cum += m.buckets[len(latencyBuckets)].Load()
	fmt.Fprintf(w, "smartcheck_lookup_duration_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(w, "smartcheck_lookup_duration_seconds_sum %g\n", time.Duration(m.sumNs.Load()).Seconds())
	fmt.Fprintf(w, "smartcheck_lookup_duration_seconds_count %d\n", cum)

	fmt.Fprintf(w, "# HELP smartcheck_requests_rejected_total Requests refused as bad (4xx) before any lookup.\n# TYPE smartcheck_requests_rejected_total counter\nsmartcheck_requests_rejected_total %d\n", m.rejected.Load())
	fmt.Fprintf(w, "# HELP smartcheck_requests_unavailable_total Lookup requests answered 503: no trusted catalog loaded.\n# TYPE smartcheck_requests_unavailable_total counter\nsmartcheck_requests_unavailable_total %d\n", m.unavail.Load())

	fmt.Fprintf(w, "# HELP smartcheck_syncs_total Background syncs, by outcome.\n# TYPE smartcheck_syncs_total counter\n")
	for i, n := range syncOutcomeNames {
		fmt.Fprintf(w, "smartcheck_syncs_total{outcome=%q} %d\n", n, m.syncs[i].Load())
	}

	loaded := 0
	if h != nil {
		loaded = 1
	}
	fmt.Fprintf(w, "# HELP smartcheck_catalog_loaded 1 when a trusted catalog is in use.\n# TYPE smartcheck_catalog_loaded gauge\nsmartcheck_catalog_loaded %d\n", loaded)
	if h == nil {
		return
	}
	cp := h.cat.Checkpoint
	fmt.Fprintf(w, "# HELP smartcheck_catalog_records Records in the catalog in use.\n# TYPE smartcheck_catalog_records gauge\nsmartcheck_catalog_records %d\n", cp.Size)
	fmt.Fprintf(w, "# HELP smartcheck_catalog_age_seconds Time since the checkpoint of the catalog in use was issued.\n# TYPE smartcheck_catalog_age_seconds gauge\nsmartcheck_catalog_age_seconds %g\n", now.Sub(cp.Issued).Seconds())
	fmt.Fprintf(w, "# HELP smartcheck_catalog_expires_timestamp_seconds When the checkpoint of the catalog in use expires (Unix time).\n# TYPE smartcheck_catalog_expires_timestamp_seconds gauge\nsmartcheck_catalog_expires_timestamp_seconds %d\n", cp.Expires.Unix())
}
