// The agent's call figures week by week: handle time, each side's talk
// and silence, as means per call in minutes.
/* global uPlot */
const el = document.getElementById('kpi-trend-chart');
const src = document.getElementById('kpi-trend-data');

if (el && src && typeof uPlot === 'function') {
  const d = JSON.parse(src.textContent);
  const xs = d.weeks.map((_, i) => i);
  const mins = (secs) => secs.map((v) => v / 60);
  const clock = (u, v) => {
    if (v === null || v === undefined) return '–';
    const s = Math.round(v * 60);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  const line = (label, stroke, dash) => ({ label, stroke, width: 2, dash, points: { size: 6 }, value: clock });
  const opts = {
    width: Math.min(el.clientWidth || 720, 900),
    height: 240,
    scales: { x: { time: false, range: [-0.5, Math.max(xs.length - 0.5, 0.5)] }, y: { range: (u, lo, hi) => [0, Math.max(hi * 1.1, 1)] } },
    axes: [
      { values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) && d.weeks[t]) || '') },
      { values: (u, ticks) => ticks.map((t) => `${t} min`), size: 60 },
    ],
    series: [
      { label: 'Week', value: (u, i) => (i === null ? '' : `${d.weeks[i] || ''} (${d.calls[i] ?? 0} calls)`) },
      line('Handle time', '#1d4f80'),
      line('Agent talk', '#3f7fbf', [6, 3]),
      line('Customer talk', '#c9873a', [6, 3]),
      line('Silence', '#777', [2, 3]),
    ],
  };
  const cols = [xs, mins(d.handle_s), mins(d.agent_talk_s), mins(d.customer_talk_s), mins(d.silence_s)];
  const chart = new uPlot(opts, cols, el);
  el.dataset.ready = '1';
  window.addEventListener('resize', () => chart.setSize({ width: Math.min(el.clientWidth, 900), height: 240 }));
}
