// Units, numbers, durations, dates and names as the page shows them. Pure: no DOM, no
// state; the units to show are passed in ('metric' or 'imperial').

export const KM_PER_MI = 1.609344;
export const FT_PER_M = 3.28084;

export const UNITS = {
  metric: { distance: 'km', climb: 'm', driveField: 'max_drive_km', targetField: 'target_km' },
  imperial: { distance: 'mi', climb: 'ft', driveField: 'max_drive_mi', targetField: 'target_mi' },
};

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

// One decimal at most ("1,234.5"), as sliders' and profiles' values are said.
export const formatNumber = (v) => number.format(v);
// No decimals ("1,235").
export const formatWhole = (v) => whole.format(v);

// Reads `<base>_km` or `<base>_mi` in `units`; plans saved before the service sent
// miles have kilometres only.
export function distanceIn(obj, base, units) {
  const km = obj[`${base}_km`];
  if (units !== 'imperial') return km;
  return obj[`${base}_mi`] ?? (km == null ? km : km / KM_PER_MI);
}

// Reads `<base>_m` or `<base>_ft` in `units`, feet computed when only metres came.
export function climbIn(obj, base, units) {
  const m = obj[`${base}_m`];
  if (units !== 'imperial') return m;
  return obj[`${base}_ft`] ?? (m == null ? m : m * FT_PER_M);
}

export const formatDistance = (v, units) => `${number.format(v)} ${UNITS[units].distance}`;
export const formatClimb = (v, units) => `${whole.format(v)} ${UNITS[units].climb}`;

// Hours as "45 min", "2 h", "2 h 5 min" (to the minute).
export function formatDuration(hours) {
  const minutes = Math.round(hours * 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

// Hours as a margin: "35 min", "2.0 h" (its sign is the caller's to say).
export function formatMargin(hours) {
  const h = Math.abs(hours);
  return h < 1 ? `${Math.round(h * 60)} min` : `${h.toFixed(1)} h`;
}

// Dates and times are read from the answer's strings as written: a day's date
// (YYYY-MM-DD) and the local clock time of an RFC 3339 time at the trailhead, never
// turned into the browser's time zone.
const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
});

// "2026-12-15" -> "Tue 15 Dec 2026"; anything else as it came.
export function formatDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd ?? '');
  return m ? DATE_FORMAT.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))) : ymd;
}

// "2026-12-15T08:00:00+01:00" -> "08:00"; null when it is no such time.
export function clockTime(rfc3339) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(rfc3339 ?? '');
  return m ? `${m[2]}:${m[3]}` : null;
}

// "2026-12-15T08:00:00+01:00" -> "2026-12-15".
export const datePart = (rfc3339) => String(rfc3339 ?? '').slice(0, 10);

// A kind's label from `labels`, else its wire name in words ("camp_site" -> "camp site").
export const kindLabel = (labels, kind) => labels?.[kind] ?? String(kind ?? '').replaceAll('_', ' ');

export const KIND_LABEL = { loop: 'Loop', lollipop: 'Lollipop', out_and_back: 'Out and back' };
export const HIGHLIGHT_LABEL = { peak: 'peak', lake: 'lake', waterfall: 'waterfall', viewpoint: 'viewpoint', hut: 'hut', saddle: 'pass' };
export const WATER_KIND = {
  drinking_water: 'drinking water', spring: 'spring', water_tap: 'tap', water_point: 'water point',
};
export const PLACE_KIND = { trailhead: 'trailhead', peak: 'peak', lake: 'lake', waterfall: 'waterfall', viewpoint: 'viewpoint', hut: 'hut' };

export const trailheadName = (loop) => loop.trailhead.name ?? `Trailhead ${loop.trailhead.id}`;

// A loop's title: its name, else where it starts.
export const loopTitle = (loop) => loop.name || `${trailheadName(loop)} loop`;

const OSM_TEXT = '© OpenStreetMap contributors';
const OSM_HTML = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

// The data's attribution as an answer gives it (an operator's own trails, then OSM's
// where its data went in), as HTML for the map: the text escaped, OSM's linked to its
// licence terms.
export function attributionHtml(text) {
  const escaped = String(text ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
  return escaped.replace(OSM_TEXT, OSM_HTML);
}
