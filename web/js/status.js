// The status area under the form, and the form's fields marked with the service's (or
// the form's own) messages.

import { problemLines } from './api.js';
import { state } from './state.js';
import { ui } from './ui.js';

// kind: 'info', 'busy' or 'error'; lines: further lines (field errors, warnings).
export function setStatus(text, kind = 'info', lines = []) {
  ui.status.replaceChildren();
  ui.status.className = `status status-${kind}`;
  const p = document.createElement('p');
  p.textContent = text;
  ui.status.append(p);
  if (lines.length) {
    const ul = document.createElement('ul');
    for (const line of lines) {
      const li = document.createElement('li');
      li.textContent = line;
      ul.append(li);
    }
    ui.status.append(ul);
  }
}

export function clearStatus() {
  ui.status.replaceChildren();
  ui.status.className = 'status';
  state.savedStatusFor = null;
}

export function showError(err) {
  const errors = err.problem?.errors ?? [];
  setStatus(err.message, 'error', problemLines(errors));
  markFields(errors);
}

// The form's fields a 422 can name, each with the element that shows its message.
export const FIELD_INPUTS = {
  days: { input: ui.days, message: ui.daysError },
  start_date: { input: ui.startDate, message: ui.startDateError },
  start_time: { input: ui.startTime, message: ui.startTimeError },
};

// Marks the fields the service rejected: aria-invalid, and the message under the field
// (which the field names in its aria-describedby).
export function markFields(errors) {
  for (const e of errors) {
    const field = FIELD_INPUTS[String(e.field ?? '').replace(/^body\./, '')];
    if (!field) continue;
    field.input.setAttribute('aria-invalid', 'true');
    field.message.textContent = e.message ?? 'This value is not accepted.';
    field.message.hidden = false;
  }
}

export function clearFieldError({ input, message }) {
  input.removeAttribute('aria-invalid');
  message.hidden = true;
  message.textContent = '';
}

export function clearFieldErrors() {
  for (const field of Object.values(FIELD_INPUTS)) clearFieldError(field);
}

// The form's own check failed: each field marked, the first focused.
export function showFormErrors(errors) {
  markFields(errors);
  setStatus('Check the marked field before searching.', 'error', errors.map((e) => e.message));
}
