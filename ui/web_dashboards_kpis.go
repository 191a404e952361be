package ui

import "earshot/qa"

// kpiTrendChart is the columns of the weekly call-figures chart, in
// seconds, for agent.js's uPlot.
type kpiTrendChart struct {
	Weeks        []string  `json:"weeks"`
	Calls        []int     `json:"calls"`
	Handle       []float64 `json:"handle_s"`
	AgentTalk    []float64 `json:"agent_talk_s"`
	CustomerTalk []float64 `json:"customer_talk_s"`
	Silence      []float64 `json:"silence_s"`
}

// kpiWeekRow is one week of the call-figures table, in m:ss.
type kpiWeekRow struct {
	Week                                     string
	Calls                                    int
	Handle, AgentTalk, CustomerTalk, Silence string
	Overtalk                                 string
}

// kpiTrendView lays out an agent's weeks for the table and the chart.
func kpiTrendView(weeks []qa.KPIWeek) ([]kpiWeekRow, kpiTrendChart) {
	var rows []kpiWeekRow
	var ch kpiTrendChart
	for _, w := range weeks {
		rows = append(rows, kpiWeekRow{Week: w.Week, Calls: w.Calls,
			Handle: webDuration(int64(w.HandleMS)), AgentTalk: webDuration(int64(w.AgentTalkMS)),
			CustomerTalk: webDuration(int64(w.CustomerTalkMS)), Silence: webDuration(int64(w.SilenceMS)),
			Overtalk: webDuration(int64(w.OvertalkMS))})
		ch.Weeks = append(ch.Weeks, w.Week)
		ch.Calls = append(ch.Calls, w.Calls)
		ch.Handle = append(ch.Handle, w.HandleMS/1000)
		ch.AgentTalk = append(ch.AgentTalk, w.AgentTalkMS/1000)
		ch.CustomerTalk = append(ch.CustomerTalk, w.CustomerTalkMS/1000)
		ch.Silence = append(ch.Silence, w.SilenceMS/1000)
	}
	return rows, ch
}
