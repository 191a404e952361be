// Small DOM helpers of the form builder. Text goes in with textContent
// and value, never as HTML, so nothing a person types can become markup.

// el makes an element with attributes and children (nodes or strings).
// An attribute set to false or null is left out.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

// field is a labelled input: text by default, a textarea when multiline,
// or a number or checkbox input by opts.type. onInput gets the new value
// (a string, or a boolean for a checkbox) on every change.
export function field(id, label, value, onInput, opts = {}) {
  const type = opts.type || 'text';
  let input;
  if (opts.multiline) {
    input = el('textarea', { id, rows: 2 });
    input.value = value || '';
  } else {
    input = el('input', { id, type, size: opts.size, step: opts.step, min: opts.min });
    if (type === 'checkbox') input.checked = Boolean(value);
    else input.value = value === undefined || value === null ? '' : String(value);
  }
  if (opts.path) input.dataset.path = opts.path;
  const read = () => (type === 'checkbox' ? input.checked : input.value);
  input.addEventListener(type === 'checkbox' ? 'change' : 'input', () => onInput(read()));
  const cls = `b-field${opts.wide ? ' wide' : ''}${type === 'checkbox' ? ' check' : ''}`;
  const lab = el('label', { for: id }, label);
  const parts = type === 'checkbox' ? [input, lab] : [lab, input];
  if (opts.hint) parts.push(el('span', { class: 'hint' }, opts.hint));
  return el('div', { class: cls }, ...parts);
}

// choose is a labelled select of [value, text] pairs.
export function choose(id, label, pairs, value, onChange, path) {
  const select = el('select', { id, 'data-path': path },
    ...pairs.map(([v, text]) => el('option', { value: v, selected: v === value }, text)));
  select.addEventListener('change', () => onChange(select.value));
  return el('div', { class: 'b-field' }, el('label', { for: id }, label), select);
}

// numberOrZero reads a number typed in a field; empty or not a number is
// 0, which qa reads as "not set" for weights.
export function numberOrZero(v) {
  const n = typeof v === 'number' ? v : parseFloat(v);
  return Number.isFinite(n) ? n : 0;
}

// uniqueID returns base, or base2, base3... whichever is not in used.
export function uniqueID(base, used) {
  if (!used.includes(base) && base !== 'q' && base !== 's') return base;
  for (let n = 1; ; n += 1) {
    const id = `${base}${n}`;
    if (!used.includes(id)) return id;
  }
}

// slug turns question text into an id: "Greeted the caller" is
// "greeted-the-caller", cut to 32 characters.
export function slug(text) {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '').slice(0, 32).replace(/-+$/, '');
}
