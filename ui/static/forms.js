// The form builder: edits a form definition (docs/scoring.md) as a tree
// of sections, questions and answers, and posts it as JSON in the
// definition field with the page's CSRF token. Every control is a real
// input or button, so the builder works with the keyboard alone; after
// a button moves, adds or removes something, focus goes to where that
// thing now is.
import { el, field, choose, numberOrZero, uniqueID, slug } from './forms_dom.js';

const form = document.getElementById('form-builder-form');
const root = document.getElementById('builder');
const source = document.getElementById('form-definition');
const jsonField = document.getElementById('definition');
const status = document.getElementById('builder-status');

const TYPES = [['yes_no', 'Yes / no'], ['scale', 'Scale'], ['choice', 'Choice list']];
const CRITICAL = [['', 'No'], ['section', 'Fails its section'], ['form', 'Fails the whole form']];

let model = JSON.parse(source.textContent);
model.sections = model.sections || [];
// A question without text is new: its id follows its text until typed.
for (const s of model.sections) {
  for (const q of s.questions || []) if (!q.text) q._auto = true;
}

// allQuestionIDs lists the ids in use, for new ones to avoid.
function allQuestionIDs() {
  return model.sections.flatMap((s) => (s.questions || []).map((q) => q.id));
}

function newQuestion() {
  return { id: uniqueID('q', allQuestionIDs()), text: '', type: 'yes_no', weight: 1, options: [], _auto: true };
}

function newSection() {
  const id = uniqueID('s', model.sections.map((s) => s.id));
  return { id, title: '', weight: 1, questions: [newQuestion()] };
}

// move swaps list[i] with its neighbour in direction by (-1 or 1).
function move(list, i, by) {
  const j = i + by;
  if (j < 0 || j >= list.length) return false;
  [list[i], list[j]] = [list[j], list[i]];
  return true;
}

// act changes the model, draws the builder again and focuses focusID.
function act(change, focusID, message) {
  if (change() === false) return;
  render();
  let target = document.getElementById(focusID);
  // A button moved to the first or last place is disabled: focus the
  // other button of its toolbar.
  if (target && target.disabled) target = target.parentElement.querySelector('button:not([disabled])');
  if (target) target.focus();
  status.textContent = message || '';
}

// toolbar returns the up / down / remove buttons of an item of list.
function toolbar(list, i, what, prefix, focusAfterRemove) {
  const n = i + 1;
  const up = el('button', { type: 'button', class: 'secondary small', id: `${prefix}-up`,
    'aria-label': `Move ${what} ${n} up`, disabled: i === 0 }, '↑ Up');
  const down = el('button', { type: 'button', class: 'secondary small', id: `${prefix}-down`,
    'aria-label': `Move ${what} ${n} down`, disabled: i === list.length - 1 }, '↓ Down');
  const remove = el('button', { type: 'button', class: 'secondary small danger', id: `${prefix}-remove`,
    'aria-label': `Remove ${what} ${n}` }, 'Remove');
  const swapped = (by) => prefix.replace(/(\d+)$/, (m) => String(Number(m) + by));
  up.addEventListener('click', () => act(() => move(list, i, -1), `${swapped(-1)}-up`,
    `${what} moved up to position ${n - 1}`));
  down.addEventListener('click', () => act(() => move(list, i, 1), `${swapped(1)}-down`,
    `${what} moved down to position ${n + 1}`));
  remove.addEventListener('click', () => act(() => { list.splice(i, 1); }, focusAfterRemove,
    `${what} ${n} removed`));
  return el('div', { class: 'item-tools' }, up, down, remove);
}

function renderOption(q, qp, o, k, path) {
  const p = `${qp}-o${k}`;
  const op = `${path}.options[${k}]`;
  const row = el('div', { class: 'b-option', role: 'group', 'aria-label': `Answer ${k + 1}` },
    field(`${p}-value`, 'Value', o.value, (v) => { o.value = v; }, { path: `${op}.value`, size: 8 }),
    field(`${p}-label`, 'Label', o.label, (v) => { o.label = v; }, { path: `${op}.label` }));
  if (q.type === 'choice') {
    row.append(field(`${p}-points`, 'Points', o.points, (v) => { o.points = v; },
      { path: `${op}.points`, type: 'number', step: 'any', min: '0', size: 5 }));
  }
  row.append(field(`${p}-guidance`, 'Guidance for this answer', o.guidance, (v) => { o.guidance = v; },
    { path: `${op}.guidance`, multiline: true }));
  const after = k > 0 ? `${qp}-o${k - 1}-value` : `${qp}-add-option`;
  row.append(toolbar(q.options, k, 'answer', p, after));
  return row;
}

// optionHint says what the answers of a question type are for.
function optionHint(type) {
  if (type === 'choice') return 'A choice question needs two answers or more, one worth more than 0 points.';
  if (type === 'scale') return 'Optional: label a scale value (such as 3) and say what earns it.';
  return 'Optional: label "yes" or "no" and say what earns it.';
}

function renderQuestion(sec, si, q, qi) {
  const qp = `s${si}-q${qi}`;
  const path = `sections[${si}].questions[${qi}]`;
  q.options = q.options || [];
  const text = field(`${qp}-text`, 'Question', q.text, (v) => {
    q.text = v;
    if (q._auto) {
      const others = allQuestionIDs().filter((id) => id !== q.id);
      q.id = uniqueID(slug(v) || 'q', others);
      document.getElementById(`${qp}-id`).value = q.id;
    }
  }, { path: `${path}.text`, wide: true });
  const id = field(`${qp}-id`, 'ID', q.id, (v) => { q.id = v; q._auto = false; },
    { path: `${path}.id`, size: 12, hint: 'kept across versions; reports use it' });
  const type = choose(`${qp}-type`, 'Answer type', TYPES, q.type, (v) => {
    act(() => setType(q, v), `${qp}-type`, `question ${qi + 1} is now ${v.replace('_', '/')}`);
  }, `${path}.type`);
  const weight = field(`${qp}-weight`, 'Weight', q.weight, (v) => { q.weight = v; },
    { path: `${path}.weight`, type: 'number', step: 'any', min: '0', size: 5 });
  const critical = choose(`${qp}-critical`, 'Critical', CRITICAL, q.critical || '', (v) => { q.critical = v; },
    `${path}.critical`);
  const na = field(`${qp}-na`, 'N/A allowed', q.allow_na, (v) => { q.allow_na = v; },
    { path: `${path}.allow_na`, type: 'checkbox' });
  const facts = el('div', { class: 'b-row' }, type, weight, critical, na);
  if (q.type === 'scale') {
    facts.append(
      field(`${qp}-min`, 'From', q.min, (v) => { q.min = v; }, { path: `${path}.min`, type: 'number', step: '1', size: 4 }),
      field(`${qp}-max`, 'To', q.max, (v) => { q.max = v; }, { path: `${path}.max`, type: 'number', step: '1', size: 4 }));
  }
  const guidance = field(`${qp}-guidance`, 'Guidance: what earns each answer', q.guidance,
    (v) => { q.guidance = v; }, { path: `${path}.guidance`, multiline: true });
  const addOption = el('button', { type: 'button', class: 'secondary small', id: `${qp}-add-option` },
    'Add answer');
  addOption.addEventListener('click', () => act(() => { q.options.push(blankOption(q)); },
    `${qp}-o${q.options.length}-value`, `answer ${q.options.length + 1} added`));
  const options = el('fieldset', { class: 'b-options', 'data-path': `${path}.options` },
    el('legend', {}, 'Answers'), el('p', { class: 'hint' }, optionHint(q.type)),
    ...q.options.map((o, k) => renderOption(q, qp, o, k, path)), addOption);
  const after = qi > 0 ? `s${si}-q${qi - 1}-text` : `s${si}-add-question`;
  return el('li', { class: `b-question${q.critical ? ' critical' : ''}` },
    el('fieldset', {}, el('legend', {}, `Question ${qi + 1}`),
      el('div', { class: 'b-row' }, text, id), facts, guidance, options,
      toolbar(sec.questions, qi, 'question', qp, after)));
}

function blankOption(q) {
  if (q.type === 'yes_no') {
    const used = q.options.map((o) => o.value);
    return { value: used.includes('yes') ? 'no' : 'yes', label: '', guidance: '' };
  }
  return { value: '', label: '', points: 0, guidance: '' };
}

// setType changes a question's type and the fields that go with it.
function setType(q, type) {
  q.type = type;
  if (type === 'scale') {
    if (!(numberOrZero(q.max) > numberOrZero(q.min))) { q.min = 1; q.max = 5; }
  } else {
    delete q.min;
    delete q.max;
  }
  if (type === 'choice') {
    while (q.options.length < 2) {
      const first = q.options.length === 0;
      q.options.push({ value: first ? 'full' : 'none', label: first ? 'Full' : 'None',
        points: first ? 1 : 0, guidance: '' });
    }
  }
}

function renderSection(sec, si) {
  const sp = `s${si}`;
  const path = `sections[${si}]`;
  sec.questions = sec.questions || [];
  const addQuestion = el('button', { type: 'button', class: 'secondary', id: `${sp}-add-question`,
    'data-path': `${path}.questions` }, 'Add question');
  addQuestion.addEventListener('click', () => act(() => { sec.questions.push(newQuestion()); },
    `${sp}-q${sec.questions.length}-text`, `question ${sec.questions.length + 1} added`));
  const after = si > 0 ? `s${si - 1}-title` : 'add-section';
  return el('section', { class: 'card b-section' },
    el('fieldset', {}, el('legend', {}, `Section ${si + 1}`),
      el('div', { class: 'b-row' },
        field(`${sp}-title`, 'Section title', sec.title, (v) => { sec.title = v; }, { path: `${path}.title`, wide: true }),
        field(`${sp}-weight`, 'Weight', sec.weight, (v) => { sec.weight = v; },
          { path: `${path}.weight`, type: 'number', step: 'any', min: '0', size: 5 }),
        field(`${sp}-id`, 'ID', sec.id, (v) => { sec.id = v; }, { path: `${path}.id`, size: 10 })),
      toolbar(model.sections, si, 'section', sp, after),
      el('ol', { class: 'b-questions' }, ...sec.questions.map((q, qi) => renderQuestion(sec, si, q, qi))),
      addQuestion));
}

function render() {
  const head = el('div', { class: 'card b-head' },
    field('form-name', 'Form name', model.name, (v) => { model.name = v; }, { path: 'name', wide: true }),
    field('form-description', 'Description', model.description, (v) => { model.description = v; },
      { path: 'description', multiline: true }));
  const addSection = el('button', { type: 'button', id: 'add-section', 'data-path': 'sections' }, 'Add section');
  addSection.addEventListener('click', () => act(() => { model.sections.push(newSection()); },
    `s${model.sections.length}-title`, `section ${model.sections.length + 1} added`));
  root.replaceChildren(head, ...model.sections.map(renderSection), addSection);
}

// showError marks the field qa refused, or the nearest thing holding it.
function showError(path, msg) {
  let p = path;
  let target = null;
  while (p && !target) {
    target = root.querySelector(`[data-path="${CSS.escape(p)}"]`);
    p = p.replace(/(\.[^.]*|\[\d+\])$/, '');
  }
  if (!target) return;
  const note = el('p', { class: 'field-error', id: 'builder-error' }, msg);
  target.setAttribute('aria-invalid', 'true');
  target.setAttribute('aria-describedby', 'builder-error');
  (target.closest('label, .b-option, fieldset') || target).after(note);
  target.focus();
}

// serialise writes the model as qa reads it: numbers as numbers, the
// fields of other types left out, the builder's own marks dropped.
function serialise() {
  const num = numberOrZero;
  const out = { name: (model.name || '').trim(), description: model.description || '', sections: [] };
  for (const s of model.sections) {
    const sec = { id: s.id, title: s.title || '', weight: num(s.weight), questions: [] };
    for (const q of s.questions) {
      const item = { id: q.id, text: q.text || '', type: q.type, weight: num(q.weight),
        allow_na: Boolean(q.allow_na), critical: q.critical || '', guidance: q.guidance || '' };
      if (q.type === 'scale') { item.min = Math.trunc(num(q.min)); item.max = Math.trunc(num(q.max)); }
      item.options = q.options.map((o) => {
        const opt = { value: (o.value || '').trim(), label: o.label || '', guidance: o.guidance || '' };
        if (q.type === 'choice') opt.points = num(o.points);
        return opt;
      });
      sec.questions.push(item);
    }
    out.sections.push(sec);
  }
  return JSON.stringify(out);
}

// A page shown again after a refusal whose text was not JSON keeps that
// text in the field: the builder stays out of the way then.
if (jsonField.value.trim() === '') {
  document.getElementById('json-fallback').hidden = true;
  render();
  if (form.dataset.errorField) showError(form.dataset.errorField, form.dataset.errorMsg);
  form.addEventListener('submit', () => { jsonField.value = serialise(); });
  root.dataset.ready = '1';
}
