// The scoring form: the score shown as answers change (the server scores
// with the same code as a submission), and the draft saved as it changes.
const form = document.getElementById('score-form');

if (form) {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const scoreEl = document.getElementById('score');
  const detail = document.getElementById('score-detail');
  const critical = document.getElementById('score-critical');
  const saveStatus = document.getElementById('save-status');
  const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };

  const answers = () => {
    const out = {};
    for (const q of form.querySelectorAll('[data-question]')) {
      const id = q.dataset.question;
      const picked = q.querySelector(`input[type=radio]:checked`);
      const comment = form.elements[`c.${id}`];
      const marks = form.elements[`m.${id}`];
      const a = {};
      if (picked && picked.value === '__na__') a.na = true;
      else if (picked) a.value = picked.value;
      if (comment && comment.value) a.comment = comment.value;
      if (marks && marks.value) a.marks_ms = marks.value.split(',').map(Number);
      if (Object.keys(a).length) out[id] = a;
    }
    return out;
  };

  const debounce = (fn, ms) => {
    let timer;
    const run = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
    run.cancel = () => clearTimeout(timer);
    return run;
  };

  async function preview() {
    const res = await fetch(`/web/form-versions/${form.dataset.version}/score-preview`, {
      method: 'POST', headers, body: JSON.stringify({ answers: answers() }),
    });
    const body = await res.json();
    if (!res.ok) {
      detail.textContent = body.error || 'the score could not be computed';
      return;
    }
    const r = body.result;
    if (!r) {
      scoreEl.textContent = '–';
      detail.textContent = `0 of ${body.questions} answered`;
    } else {
      scoreEl.textContent = r.all_na ? 'N/A' : `${r.percent.toFixed(1)}%`;
      detail.textContent = body.complete
        ? `all ${body.questions} answered`
        : `so far: ${body.answered} of ${body.questions} answered`;
    }
    critical.hidden = !(r && r.critical_failed);
    form.dataset.previewed = String(body.answered);
  }

  async function save() {
    saveStatus.textContent = 'Saving…';
    const res = await fetch(`/api/v1/evaluations/${form.dataset.evaluation}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        answers: answers(),
        overall_comment: form.elements.overall_comment.value,
      }),
    });
    if (res.ok) {
      saveStatus.textContent = `Draft saved at ${new Date().toLocaleTimeString()}.`;
      form.dataset.saved = String(Date.now());
    } else {
      const body = await res.json().catch(() => ({}));
      saveStatus.textContent = `Not saved: ${body.error || res.status}`;
    }
  }

  const previewSoon = debounce(preview, 150);
  const saveSoon = debounce(save, 1000);
  form.addEventListener('change', () => { previewSoon(); saveSoon(); });
  form.addEventListener('input', (e) => {
    if (e.target.tagName === 'TEXTAREA') saveSoon();
  });
  // The submission carries every field itself; a save arriving after it
  // would be refused.
  form.addEventListener('submit', () => saveSoon.cancel());
  preview();
}
