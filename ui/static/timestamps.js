// Times written in comments ("at 1:23 the agent talks over") become
// buttons that seek the player there: in comments shown as text, and in a
// line under each comment field that follows what is typed. A button
// beside each field writes the player's current time into it.

const pattern = /\b(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)\b/g;
const player = document.getElementById('player');

function seconds(m) {
  return Number(m[1] || 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function clock(total) {
  const s = Math.max(0, Math.floor(total));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

function seekButton(text, at) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'link seek timestamp';
  b.textContent = text;
  b.title = `Play from ${text}`;
  b.dataset.seekMs = String(at * 1000);
  b.addEventListener('click', () => {
    document.dispatchEvent(new CustomEvent('earshot:seek', { detail: { seconds: at } }));
  });
  return b;
}

// linkify replaces the times in an element's text with seek buttons.
function linkify(el) {
  const text = el.textContent;
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    parts.push(document.createTextNode(text.slice(last, m.index)), seekButton(m[0], seconds(m)));
    last = m.index + m[0].length;
  }
  if (parts.length === 0) return;
  parts.push(document.createTextNode(text.slice(last)));
  el.replaceChildren(...parts);
}

// follow adds, under a comment field, the times it mentions and a button
// that inserts the current time at the cursor.
function follow(area) {
  const line = document.createElement('div');
  line.className = 'times muted';
  const insert = document.createElement('button');
  insert.type = 'button';
  insert.className = 'link insert-time';
  insert.textContent = 'Insert current time';
  const list = document.createElement('span');
  list.className = 'mentioned';
  line.append(insert, list);
  area.after(line);
  const refresh = () => {
    const found = [...area.value.matchAll(pattern)].map((m) => seekButton(m[0], seconds(m)));
    list.replaceChildren(...(found.length ? [document.createTextNode(' · play from '), ...found] : []));
  };
  insert.addEventListener('click', () => {
    const now = clock(Number(player.dataset.time || 0));
    const at = area.selectionStart ?? area.value.length;
    const before = area.value.slice(0, at);
    const sep = before && !/\s$/.test(before) ? ' ' : '';
    area.setRangeText(`${sep}${now} `, at, area.selectionEnd ?? at, 'end');
    area.dispatchEvent(new Event('input', { bubbles: true }));
    area.focus();
  });
  area.addEventListener('input', refresh);
  refresh();
}

if (player) {
  for (const el of document.querySelectorAll('.scoring .comment, .timestamped')) linkify(el);
  for (const area of document.querySelectorAll('#score-form textarea')) follow(area);
}
