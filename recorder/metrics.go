package recorder

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	packets     prometheus.Counter
	dropped     *prometheus.CounterVec
	spoolErrors prometheus.Counter
	calls       *prometheus.CounterVec
	finalized   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, active func() float64) metrics {
	m := metrics{
		packets: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "earshot_rtp_packets_total",
			Help: "RTP packets received and spooled.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "earshot_rtp_dropped_total",
			Help: "Datagrams received on RTP ports and not recorded, by reason.",
		}, []string{"reason"}),
		spoolErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "earshot_spool_errors_total",
			Help: "Failed writes to the local spool (a full or failing disk).",
		}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "earshot_calls_total",
			Help: "Calls started or refused by the recorder, by outcome.",
		}, []string{"outcome"}),
		finalized: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "earshot_recordings_finalized_total",
			Help: "Calls turned into recordings, by outcome.",
		}, []string{"outcome"}),
	}
	if reg != nil {
		reg.MustRegister(m.packets, m.dropped, m.spoolErrors, m.calls, m.finalized,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "earshot_active_calls",
				Help: "Calls being recorded now.",
			}, active))
	}
	return m
}
