// The service's bounds as the page uses them, from /app-config.json (the service states
// them from the constants it validates with, so the page keeps no copy). Pure: the
// config comes in, the page's limits go out.

// What each unit's sliders offer: about the same distances, in whole units of each. A
// choice of the page's, kept inside the bounds the service states.
export const SLIDER_PRESET = {
  metric: { drive: [5, 150], length: [2, 60] },
  imperial: { drive: [3, 93], length: [1, 37] },
};

// The config's field for each slider and unit.
const BOUND_FIELD = {
  metric: { drive: 'max_drive_km', length: 'target_km' },
  imperial: { drive: 'max_drive_mi', length: 'target_mi' },
};

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

// A slider's whole-unit range: the preset, narrowed to the service's [min, max].
export function sliderRange(preset, bound) {
  let [lo, hi] = preset;
  const min = num(bound?.min);
  const max = num(bound?.max);
  if (min !== null) lo = Math.max(lo, Math.ceil(min));
  if (max !== null) hi = Math.min(hi, Math.floor(max));
  return [lo, Math.max(lo, hi)];
}

// An inclusive [min, max] the config states, or null.
function range(bound) {
  const min = num(bound?.min);
  const max = num(bound?.max);
  return min !== null && max !== null && min <= max ? [min, max] : null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

// The page's limits from the config. Without it (an old service, a failed fetch) the
// sliders keep their presets and the bounds are null: the service's own 422 names a
// field out of them then.
export function limitsFrom(config) {
  const c = config ?? {};
  const sliders = {};
  for (const [units, fields] of Object.entries(BOUND_FIELD)) {
    sliders[units] = {};
    for (const [name, field] of Object.entries(fields)) {
      sliders[units][name] = sliderRange(SLIDER_PRESET[units][name], c[field]);
    }
  }
  const dates = c.start_date;
  const nightLabels = {};
  for (const n of Array.isArray(c.night_kinds) ? c.night_kinds : []) {
    if (n && typeof n.kind === 'string' && typeof n.label === 'string') nightLabels[n.kind] = n.label;
  }
  return {
    sliders,
    days: range(c.days),
    maxResults: num(c.max_results),
    startDate: ISO_DATE.test(dates?.min ?? '') && ISO_DATE.test(dates?.max ?? '') ? [dates.min, dates.max] : null,
    networkMaxSpanDeg: num(c.network_max_span_deg),
    planNameMaxChars: num(c.plan_name_max_chars),
    placeQueryMaxChars: num(c.place_query_max_chars),
    placesMax: num(c.places_max),
    nightLabels,
  };
}

// `wanted`, but no more than the service takes (`max`, when it says).
export const atMost = (wanted, max) => (max === null || max === undefined ? wanted : Math.min(wanted, max));
