// The day-by-day panel's model: what each day's row says (its walk, its times against
// sunset, its night, its water) and the long-day warning. Pure: days-view.js turns it
// into elements.

import {
  climbIn, clockTime, datePart, distanceIn, formatClimb, formatDistance, formatDuration,
  formatMargin, kindLabel, WATER_KIND,
} from './format.js';

// A day of walking longer than this is worth more than a difficulty tag.
export const LONG_DAY_H = 10;

// The longest day of a loop when it is more than a day's walking, in words; else null.
export function longDay(loop) {
  const stages = loop.stages?.length ? loop.stages : [{ day: 1, duration_h: loop.duration_h }];
  let worst = null;
  for (const s of stages) {
    if (s.duration_h > LONG_DAY_H && (!worst || s.duration_h > worst.duration_h)) worst = s;
  }
  if (!worst) return null;
  const which = stages.length > 1 ? `Day ${worst.day} is` : 'This is';
  return `Long day: ${which} about ${formatDuration(worst.duration_h)} of walking, more than ${LONG_DAY_H} h. ` +
    (stages.length > 1 ? 'Plan more days or a shorter trip.' : 'Plan it over more days, or choose a shorter loop.');
}

// Whether the panel shows, and whether its days have dates: one row per day for a
// multi-day plan, and for a day hike planned for a date.
export function panelOf(stages) {
  const dated = stages.some((s) => s.date);
  return { shown: stages.length > 1 || (stages.length === 1 && dated), dated };
}

export const zoneText = (zone) =>
  (zone ? `Times are local at the trailhead (${zone}).` : 'Times are local at the trailhead.');

// "12.3 km · ↑ 850 m ↓ 850 m · 5 h 10 min walking"
export const walkText = (stage, units) =>
  `${formatDistance(distanceIn(stage, 'distance', units), units)} · ↑ ${formatClimb(climbIn(stage, 'ascent', units), units)} ` +
  `↓ ${formatClimb(climbIn(stage, 'descent', units), units)} · ${formatDuration(stage.duration_h)} walking`;

// The day's start and end against daylight, { text, level }, or null for an undated
// day. A day that ends after sunset is a 'warning'; one with less to spare than the
// service plans for (`wantedMarginH`), or that starts before sunrise (in the morning's
// twilight), 'tight'; else 'ok'.
export function daylight(stage, wantedMarginH) {
  const start = clockTime(stage.start_time);
  const end = clockTime(stage.end_time);
  if (!start || !end) return null;
  const nextDay = datePart(stage.end_time) > datePart(stage.start_time) ? ' (next day)' : '';
  const parts = [`${start} – ${end}${nextDay}`];
  let level = 'ok';
  const sunrise = clockTime(stage.sunrise);
  const sunset = clockTime(stage.sunset);
  if (sunset) parts.push(`sunset ${sunset}`);
  else if (!sunrise) parts.push('no sunrise or sunset that day');
  const margin = stage.daylight_margin_h;
  if (typeof margin === 'number') {
    if (margin < 0) {
      parts.push(`ends ${formatMargin(margin)} after sunset`);
      level = 'warning';
    } else {
      parts.push(`${formatMargin(margin)} to spare`);
      if (typeof wantedMarginH === 'number' && margin < wantedMarginH) level = 'tight';
    }
  }
  if (sunrise && Date.parse(stage.start_time) < Date.parse(stage.sunrise)) {
    parts.push(`starts before sunrise (${sunrise})`);
    if (level === 'ok') level = 'tight';
  }
  return { text: parts.join(' · '), level };
}

// A place's OSM `website` as an http(s) address (the first of several, `https://` put
// before a bare host), or null.
export function websiteHref(website) {
  let href = String(website ?? '').split(';')[0].trim();
  if (!href) return null;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(href)) href = `https://${href}`;
  let url;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

// Where the night after the day is spent: { none } when nowhere (words for it), else
// { name, facts, open, website }: its name (the kind's label when it has none), facts in
// words or null, whether it is open on that date ({ state, text } or null) and its
// website or null. `labels`: the night kinds' labels the service gives.
export function nightOf(stage, lastDay, units, labels) {
  const night = stage.night;
  if (!night) return { none: lastDay ? 'Back at the trailhead' : 'No place planned' };
  const kind = kindLabel(labels, night.kind);
  const name = night.name ?? kind;
  const facts = [];
  if (night.kind === 'trailhead') facts.push('at the trailhead');
  else if (night.name) facts.push(kind);
  if (night.capacity) {
    facts.push(/^\d+$/.test(night.capacity) ? `sleeps ${night.capacity}` : `capacity ${night.capacity}`);
  }
  if (night.off_trail_km >= 0.1) facts.push(`${formatDistance(distanceIn(night, 'off_trail', units), units)} off the trail`);
  let open = null;
  if (night.open === 'yes' || night.open === 'unknown') {
    const tag = night.open_tag;
    const raw = tag ? night[tag] : null;
    let text = night.open === 'yes' ? 'open' : 'opening not known';
    if (tag) text += ` (OSM ${tag}${raw == null ? '' : `=${raw}`})`;
    else if (night.open === 'unknown') text += ' (no opening tags in OSM)';
    open = { state: night.open, text };
  }
  return {
    name,
    facts: facts.length ? `(${facts.join(', ')})` : null,
    open,
    website: websiteHref(night.website),
  };
}

// The water the day passes: how many, and their names (unnamed ones counted by kind).
// { text, none }: `none` when there is none on the way nor at either end.
export function waterOf(stage) {
  const water = stage.water ?? [];
  if (!water.length) {
    return {
      text: stage.has_water ? 'at the start or the end of the day' : 'none on the way: carry enough',
      none: !stage.has_water,
    };
  }
  const names = [];
  const unnamed = new Map();
  for (const w of water) {
    if (w.name) names.push(w.name);
    else {
      const kind = kindLabel(WATER_KIND, w.kind);
      unnamed.set(kind, (unnamed.get(kind) ?? 0) + 1);
    }
  }
  for (const [kind, n] of unnamed) names.push(n === 1 ? kind : `${n}× ${kind}`);
  return { text: `${water.length} ${water.length === 1 ? 'place' : 'places'}: ${names.join(', ')}`, none: false };
}
