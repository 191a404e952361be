package main

import (
	"log/slog"

	"earshot/recorder"
	"earshot/ui"
)

func newUI(svc *services, access accessConfig, log *slog.Logger) *ui.Server {
	return ui.New(ui.Config{
		Log: log,
		Checks: []ui.Check{
			{Name: "catalog", Ping: svc.catalog.Ping},
			{Name: "store", Ping: svc.store.Ping},
		},
		Detail: func() map[string]any {
			st := svc.queue.Status()
			return map[string]any{
				"upload_queue": map[string]any{
					"backlog":            st.Backlog,
					"oldest_age_seconds": st.OldestAge.Seconds(),
					"last_error":         st.LastError,
				},
				"active_calls": svc.rec.ActiveCalls(),
			}
		},
		Gatherer: svc.reg,
		Calls:    svc.catalog,
		Store:    svc.store,
		Control:  callControl{svc.rec},
		QA:       svc.qa,

		SecureCookies: access.SecureCookies,
		MetricsToken:  access.MetricsToken,
	})
}

// callControl lets the API pause and resume calls being recorded.
type callControl struct{ m *recorder.Manager }

func (cc callControl) Pause(id, reason string) error {
	c, ok := cc.m.Call(id)
	if !ok {
		return ui.ErrNotRecording
	}
	return c.Pause(reason)
}

func (cc callControl) Resume(id string) error {
	c, ok := cc.m.Call(id)
	if !ok {
		return ui.ErrNotRecording
	}
	return c.Resume()
}
