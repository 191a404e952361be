// The call player: both channels of the recording as two waveform lanes
// (wavesurfer's splitChannels), one <audio> element playing the stereo
// file, the DTMF and pause marks on a timeline, and keyboard shortcuts.
import WaveSurfer from './vendor/wavesurfer.esm.js';

const data = JSON.parse(document.getElementById('call-data').textContent);
const player = document.getElementById('player');
const audio = document.getElementById('call-audio');
const playButton = document.getElementById('play');
const speed = document.getElementById('speed');
const status = document.getElementById('player-status');
const speeds = [...speed.options].map((o) => Number(o.value));

const agentColors = { wave: '#3f7fbf', progress: '#1d4f80' };
const customerColors = { wave: '#c9873a', progress: '#86551c' };
const laneColors = (ch) => (ch === data.agent_channel ? agentColors : customerColors);

// The waveform is drawn from peaks the server computes, and the <audio>
// element streams the recording with range requests, so that a long call
// plays at once instead of after a download of the whole file. Without
// peaks (an old server, a failed request) wavesurfer decodes the file
// itself, which is slower but still works.
async function loadPeaks() {
  try {
    const r = await fetch(data.peaks_url, { credentials: 'same-origin' });
    if (!r.ok) return null;
    return await r.json();
  } catch (e) {
    return null;
  }
}

const peaks = await loadPeaks();
audio.preload = 'metadata';
const ws = WaveSurfer.create({
  container: '#waveform',
  media: audio,
  url: data.audio_url,
  peaks: peaks ? peaks.channels : undefined,
  duration: peaks ? peaks.duration_s : undefined,
  height: 72,
  normalize: true,
  dragToSeek: true,
  cursorColor: '#222',
  cursorWidth: 2,
  splitChannels: [0, 1].map((ch) => ({
    waveColor: laneColors(ch).wave,
    progressColor: laneColors(ch).progress,
  })),
});
player.dataset.peaks = peaks ? 'server' : 'decoded';

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

function seek(seconds) {
  const end = ws.getDuration() || data.duration_ms / 1000;
  ws.setTime(Math.min(Math.max(0, seconds), end));
}

function setSpeed(rate) {
  ws.setPlaybackRate(rate, true);
  speed.value = String(rate);
}

function stepSpeed(dir) {
  const i = speeds.indexOf(Number(speed.value));
  const next = speeds[Math.min(speeds.length - 1, Math.max(0, (i < 0 ? 1 : i) + dir))];
  setSpeed(next);
}

const markTimes = data.marks.map((m) => m.start_ms / 1000);

function jumpMark(dir) {
  const now = ws.getCurrentTime();
  const target = dir > 0
    ? markTimes.find((t) => t > now + 0.05)
    : [...markTimes].reverse().find((t) => t < now - 0.5);
  if (target !== undefined) seek(target);
}

const actions = {
  toggle: () => ws.playPause(),
  back: () => seek(ws.getCurrentTime() - 5),
  forward: () => seek(ws.getCurrentTime() + 5),
};

for (const b of player.querySelectorAll('button[data-action]')) {
  b.addEventListener('click', () => actions[b.dataset.action]());
}
speed.addEventListener('change', () => setSpeed(Number(speed.value)));
for (const b of document.querySelectorAll('[data-seek-ms]')) {
  b.addEventListener('click', () => seek(Number(b.dataset.seekMs) / 1000));
}

// Marks on the timeline, placed by their share of the call.
const timeline = document.getElementById('timeline');
const total = data.duration_ms || 1;
for (const m of data.marks) {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = `mark ${m.kind}`;
  el.style.left = `${(100 * m.start_ms) / total}%`;
  if (m.kind !== 'dtmf') {
    el.style.width = `${Math.max(0.4, (100 * (m.end_ms - m.start_ms)) / total)}%`;
  }
  el.title = `${clock(m.start_ms / 1000)} ${m.label}`;
  el.setAttribute('aria-label', `${m.label} at ${clock(m.start_ms / 1000)}: play from here`);
  el.textContent = m.kind === 'dtmf' ? m.label.replace('DTMF ', '') : '';
  el.addEventListener('click', () => seek(m.start_ms / 1000));
  timeline.appendChild(el);
}

// A link to the call may name where to start: /calls/ID?t=83 (seconds).
const startAt = Number(new URLSearchParams(location.search).get('t'));

ws.on('ready', (duration) => {
  document.getElementById('total').textContent = clock(duration);
  status.textContent = '';
  if (startAt > 0) seek(startAt);
  player.dataset.ready = '1';
});
ws.on('timeupdate', (t) => {
  document.getElementById('time').textContent = clock(t);
  player.dataset.time = String(t);
});
// Times in comments seek through this event (timestamps.js).
document.addEventListener('earshot:seek', (e) => seek(e.detail.seconds));
ws.on('play', () => { playButton.textContent = 'Pause'; });
ws.on('pause', () => { playButton.textContent = 'Play'; });
ws.on('error', (err) => {
  status.textContent = `The recording could not be loaded: ${err && err.message ? err.message : err}`;
  player.dataset.ready = 'error';
});

// Shortcuts, except with a modifier held, while typing in a field, and
// for the keys a focused control handles itself: a button takes Space and
// Enter, a radio button or checkbox also the arrows. Every other shortcut
// works from anywhere on the page, so that ticking an answer or clicking
// Play does not take the keyboard away from the player.
const keys = {
  ' ': actions.toggle,
  ArrowLeft: actions.back,
  ArrowRight: actions.forward,
  '[': () => stepSpeed(-1),
  ']': () => stepSpeed(1),
  Home: () => seek(0),
  End: () => seek(ws.getDuration()),
  ',': () => jumpMark(-1),
  '.': () => jumpMark(1),
};
// 0 to 9 jump to that tenth of the call.
for (let d = 0; d <= 9; d++) {
  keys[String(d)] = () => seek((d / 10) * (ws.getDuration() || data.duration_ms / 1000));
}

const typing = 'textarea, select, [contenteditable], input:not([type=radio]):not([type=checkbox]):not([type=button]):not([type=submit])';
const ownKeys = {
  button: [' ', 'Enter'],
  choice: [' ', 'Enter', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'],
};

function controlOwns(t, key) {
  if (!t.closest) return false;
  if (t.closest('input[type=radio], input[type=checkbox]')) return ownKeys.choice.includes(key);
  if (t.closest('button, a[href], summary, input[type=button], input[type=submit]')) {
    return ownKeys.button.includes(key);
  }
  return false;
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t.closest && t.closest(typing)) {
    if (e.key === 'Escape' && t.blur) t.blur();
    return;
  }
  if (controlOwns(t, e.key)) return;
  const act = keys[e.key];
  if (act) {
    e.preventDefault();
    act();
  }
});
