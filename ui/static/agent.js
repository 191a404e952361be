// The weekly score trend: the mean and its 95% interval, and, when the
// page gives them, each week's bias-adjusted mean and its interval.
/* global uPlot */
const el = document.getElementById('trend-chart');
const src = document.getElementById('trend-data');

if (el && src && typeof uPlot === 'function') {
  const d = JSON.parse(src.textContent);
  const xs = d.weeks.map((_, i) => i);
  const orNull = (v) => (v === null || v === undefined ? null : v);
  const opts = {
    width: Math.min(el.clientWidth || 720, 900),
    height: 260,
    scales: { x: { time: false, range: [-0.5, Math.max(xs.length - 0.5, 0.5)] }, y: { range: [0, 100] } },
    axes: [
      { values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) && d.weeks[t]) || '') },
      { values: (u, ticks) => ticks.map((t) => `${t}%`) },
    ],
    series: [
      { label: 'Week', value: (u, i) => (i === null ? '' : d.weeks[i] || '') },
      { label: 'Mean score', stroke: '#1d4f80', width: 2, points: { size: 8 },
        value: (u, v) => (v === null ? '–' : `${v.toFixed(1)}%`) },
      { label: '95% low', stroke: '#9bb7d4', dash: [4, 4],
        value: (u, v) => (v === null ? '–' : `${v.toFixed(1)}%`) },
      { label: '95% high', stroke: '#9bb7d4', dash: [4, 4],
        value: (u, v) => (v === null ? '–' : `${v.toFixed(1)}%`) },
    ],
    bands: [{ series: [3, 2], fill: 'rgba(63,127,191,0.12)' }],
  };
  const cols = [xs, d.mean, d.low.map(orNull), d.high.map(orNull)];
  if (Array.isArray(d.adj_mean)) {
    const pct = (u, v) => (v === null ? '–' : `${v.toFixed(1)}%`);
    opts.series.push(
      { label: 'Bias-adjusted mean', stroke: '#c9873a', width: 2, dash: [8, 4], points: { size: 6 }, value: pct },
      { label: 'Adjusted low', stroke: '#e3bd8c', dash: [2, 4], value: pct },
      { label: 'Adjusted high', stroke: '#e3bd8c', dash: [2, 4], value: pct },
    );
    opts.bands.push({ series: [6, 5], fill: 'rgba(201,135,58,0.12)' });
    cols.push(d.adj_mean, d.adj_low.map(orNull), d.adj_high.map(orNull));
  }
  const chart = new uPlot(opts, cols, el);
  el.dataset.ready = '1';
  window.addEventListener('resize', () => chart.setSize({ width: Math.min(el.clientWidth, 900), height: 260 }));
}
