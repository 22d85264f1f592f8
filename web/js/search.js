// The search as the form, the address and the service see it: the form's checks, the
// request body, the address's query (reload, back and share links bring a search back)
// and the share link. Pure: form.js reads and sets the elements.

import { UNITS } from './format.js';

// How many loops a search asks for.
export const WANTED_RESULTS = 3;

// A whole number within [lo, hi].
export const clampTo = (v, [lo, hi]) => Math.min(hi, Math.max(lo, Math.round(v)));

// The form's values checked before they are sent: [{ field, message }], each message
// for under its field. `values`: { days, daysBadInput, drive, length, startDate } as the
// inputs hold them; `limits`: from config.js's limitsFrom; `units`: the sliders' unit.
export function checkForm(values, limits, units) {
  const errors = [];
  const raw = String(values.days ?? '').trim();
  const days = limits.days;
  const within = days ? `, ${days[0]} to ${days[1]}` : '';
  if (values.daysBadInput || raw === '') {
    errors.push({ field: 'days', message: `Enter a number of days${within}.` });
  } else if (!/^\d+$/.test(raw)) {
    errors.push({ field: 'days', message: `Days must be a whole number${within}.` });
  } else if (days && (Number(raw) < days[0] || Number(raw) > days[1])) {
    errors.push({ field: 'days', message: `Days must be ${days[0]} to ${days[1]}, not ${raw}.` });
  }
  const u = UNITS[units].distance;
  for (const [name, what] of [['drive', 'The longest drive'], ['length', 'The hike length']]) {
    const [lo, hi] = limits.sliders[units][name];
    const v = Number(values[name]);
    if (!(v >= lo && v <= hi)) errors.push({ field: name, message: `${what} must be ${lo} to ${hi} ${u}.` });
  }
  const dates = limits.startDate;
  const date = values.startDate;
  if (date && dates && (date < dates[0] || date > dates[1])) {
    errors.push({ field: 'start_date', message: `The start date must be ${dates[0]} to ${dates[1]}.` });
  }
  return errors;
}

// The body of POST /v1/loops for the search: distances in the form's unit; a start date
// plans the days' times and nights for it, and the time means nothing without one.
export function searchBody(origin, values, units, maxResults = WANTED_RESULTS) {
  const unit = UNITS[units];
  const body = {
    origin: { lat: origin.lat, lon: origin.lng },
    [unit.driveField]: Number(values.drive),
    [unit.targetField]: Number(values.length),
    days: Number(values.days),
    max_results: maxResults,
    units,
  };
  if (values.startDate) {
    body.start_date = values.startDate;
    if (values.startTime) body.start_time = values.startTime.slice(0, 5);
  }
  return body;
}

// The search as the address keeps it.
export function searchParams(origin, label, units, values) {
  const p = new URLSearchParams();
  p.set('lat', origin.lat.toFixed(5));
  p.set('lon', origin.lng.toFixed(5));
  if (label) p.set('place', label);
  p.set('units', units);
  p.set('drive', values.drive);
  p.set('length', values.length);
  p.set('days', String(values.days).trim());
  if (values.startDate) {
    p.set('date', values.startDate);
    if (values.startTime) p.set('time', values.startTime.slice(0, 5));
  }
  return p;
}

// What an address's query says of the form, each value only when it is one the form
// takes: { units, drive, length, days, date, time } (date '' when none or not a date;
// others undefined when not given).
export function formFromParams(p) {
  const out = { date: /^\d{4}-\d{2}-\d{2}$/.test(p.get('date') ?? '') ? p.get('date') : '' };
  const units = p.get('units');
  if (units && UNITS[units]) out.units = units;
  for (const name of ['drive', 'length']) {
    const v = Number(p.get(name));
    if (p.has(name) && Number.isFinite(v)) out[name] = v;
  }
  if (p.has('days')) out.days = p.get('days');
  if (/^\d{2}:\d{2}$/.test(p.get('time') ?? '')) out.time = p.get('time');
  return out;
}

// The start an address names: { lat, lon, label }, or null.
export function originFromParams(p) {
  const lat = Number(p.get('lat'));
  const lon = Number(p.get('lon'));
  if (!p.has('lat') || !p.has('lon') || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90) {
    return null;
  }
  return { lat, lon, label: p.get('place') || null };
}

// A plan's share link: the plan, and the search it came from (the form restored).
export function shareUrl(id, query, origin) {
  const params = new URLSearchParams(query ?? '');
  params.delete('plan');
  const rest = params.toString();
  return new URL(`/?plan=${encodeURIComponent(id)}${rest ? `&${rest}` : ''}`, origin).href;
}

// A plan's name as POST /v1/plans takes it: at most `maxChars` characters (not UTF-16
// units: a name may hold letters beyond the BMP), when the service says.
export function planName(title, maxChars) {
  if (maxChars === null || maxChars === undefined) return title;
  const chars = Array.from(title);
  return chars.length > maxChars ? chars.slice(0, maxChars).join('') : title;
}
