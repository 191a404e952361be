// The new calibration session form holds two submit buttons: Search,
// which posts the form back to find more calls, and Open. Browsers send
// Enter to the first of them; this sends it where the person means it:
// to Search from the search box, to Open from any other one-line field.
const form = document.getElementById('new-form');
const skip = new Set(['checkbox', 'radio', 'submit', 'button']);

const isEnterInField = (e) =>
  e.key === 'Enter' && e.target.tagName === 'INPUT' && !skip.has(e.target.type);

form?.addEventListener('keydown', (e) => {
  if (!isEnterInField(e)) {
    return;
  }
  e.preventDefault();
  document.getElementById(e.target.id === 'search' ? 'search-calls' : 'open-session')?.click();
});

// The browser submits the form by itself on the keypress that follows an
// Enter, which some input sources send even when keydown was cancelled.
form?.addEventListener('keypress', (e) => {
  if (isEnterInField(e)) {
    e.preventDefault();
  }
});
