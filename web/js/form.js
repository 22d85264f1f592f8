// The search form's elements: the units, the sliders (each kept in km, so switching
// units back and forth does not drift), the service's bounds on its fields, and the
// form set from an address.

import { KM_PER_MI, UNITS } from './format.js';
import { checkForm, clampTo, formFromParams } from './search.js';
import { state } from './state.js';
import { clearFieldErrors } from './status.js';
import { ui } from './ui.js';

const SLIDERS = [[ui.drive, 'drive', ui.driveValue], [ui.length, 'length', ui.lengthValue]];

// What each slider is set to in km.
const sliderKm = new Map();
const kmPerUnit = () => (state.units === 'imperial' ? KM_PER_MI : 1);
const rangeOf = (name) => state.limits.sliders[state.units][name];

// The form's values as its inputs hold them.
export function formValues() {
  return {
    drive: ui.drive.value,
    length: ui.length.value,
    days: ui.days.value,
    daysBadInput: ui.days.validity.badInput,
    startDate: ui.startDate.value,
    startTime: ui.startTime.value,
  };
}

// The form's own check of its values.
export const checkCurrentForm = () => checkForm(formValues(), state.limits, state.units);

export function showSliderValues() {
  const u = UNITS[state.units].distance;
  for (const [input, , output] of SLIDERS) {
    output.value = `${input.value} ${u}`;
    input.setAttribute('aria-valuetext', `${input.value} ${u === 'km' ? 'kilometres' : 'miles'}`);
  }
}

function setSlider(input, value) {
  input.value = String(value);
  sliderKm.set(input, Number(input.value) * kmPerUnit());
}

// Sets the drive slider to `value` in the page's units (within its range); returns
// what it was set to.
export function setDrive(value) {
  const [lo, hi] = rangeOf('drive');
  setSlider(ui.drive, clampTo(value, [lo, hi]));
  showSliderValues();
  return Number(ui.drive.value);
}

// Each unit has its sliders' ranges; their values carry over.
export function setUnits(units) {
  state.units = units;
  for (const [input, name] of SLIDERS) {
    const [lo, hi] = rangeOf(name);
    input.min = String(lo);
    input.max = String(hi);
    const km = sliderKm.get(input) ?? Number(input.value);
    input.value = String(clampTo(km / kmPerUnit(), [lo, hi]));
  }
  showSliderValues();
}

// The service's bounds on the form's fields, as the inputs' own attributes too.
export function applyLimits() {
  const { days, startDate, placeQueryMaxChars } = state.limits;
  if (days) {
    ui.days.min = String(days[0]);
    ui.days.max = String(days[1]);
  }
  if (startDate) {
    ui.startDate.min = startDate[0];
    ui.startDate.max = startDate[1];
  }
  if (placeQueryMaxChars) ui.placeQuery.maxLength = placeQueryMaxChars;
  setUnits(state.units);
}

// The form as it shows at start (a reload may bring back its previous choices);
// `onUnits(units)` when the units change.
export function initForm(onUnits) {
  state.units = ui.form.elements.units.value;
  for (const [input] of SLIDERS) {
    input.addEventListener('input', (event) => {
      sliderKm.set(event.target, Number(event.target.value) * kmPerUnit());
      showSliderValues();
    });
    sliderKm.set(input, Number(input.value) * kmPerUnit());
  }
  ui.form.addEventListener('change', (e) => {
    if (e.target.name === 'units') onUnits(e.target.value);
  });
  applyLimits();
}

// Sets the form from an address's query; `onUnits(units)` when it names units.
export function restoreForm(p, onUnits) {
  const f = formFromParams(p);
  if (f.units) {
    for (const radio of ui.form.elements.units) radio.checked = radio.value === f.units;
    onUnits(f.units);
  }
  for (const [input, name] of SLIDERS) {
    if (f[name] !== undefined) setSlider(input, clampTo(f[name], rangeOf(name)));
  }
  showSliderValues();
  if (f.days !== undefined) ui.days.value = f.days;
  ui.startDate.value = f.date;
  if (f.time) ui.startTime.value = f.time;
  clearFieldErrors();
}

// A saved plan's length when its link does not say (a link from before the search was
// kept in it).
export function setLengthTo(target) {
  setSlider(ui.length, clampTo(target, rangeOf('length')));
  showSliderValues();
}
