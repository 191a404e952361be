package storage

import "github.com/prometheus/client_golang/prometheus"

type queueMetrics struct {
	uploaded prometheus.Counter
	failures prometheus.Counter
}

func newQueueMetrics(reg prometheus.Registerer, q *Queue) queueMetrics {
	m := queueMetrics{
		uploaded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "earshot_uploads_total",
			Help: "Recordings stored in the object store.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "earshot_upload_failures_total",
			Help: "Failed attempts to store a recording; each is retried.",
		}),
	}
	if reg == nil {
		return m
	}
	backlog := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "earshot_upload_backlog",
		Help: "Recordings waiting in the upload queue.",
	}, func() float64 { return float64(q.Status().Backlog) })
	oldest := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "earshot_upload_oldest_age_seconds",
		Help: "How long the oldest recording in the upload queue has waited.",
	}, func() float64 { return q.Status().OldestAge.Seconds() })
	reg.MustRegister(m.uploaded, m.failures, backlog, oldest)
	return m
}
