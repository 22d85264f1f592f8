// The day-by-day panel's model, without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  daylight, LONG_DAY_H, longDay, nightOf, panelOf, walkText, waterOf, websiteHref, zoneText,
} from '../../js/days.js';

// A December day at a trailhead in UTC+1: sunrise 08:10, sunset 17:20.
const day = (start, end, margin, extra = {}) => ({
  day: 1,
  start_time: `2026-12-15T${start}:00+01:00`,
  end_time: end.includes('T') ? end : `2026-12-15T${end}:00+01:00`,
  sunrise: '2026-12-15T08:10:00+01:00',
  sunset: '2026-12-15T17:20:00+01:00',
  daylight_margin_h: margin,
  ...extra,
});

test('a day that ends in daylight with the margin planned for is ok', () => {
  assert.deepEqual(daylight(day('08:30', '15:50', 1.5), 0.5), {
    text: '08:30 – 15:50 · sunset 17:20 · 1.5 h to spare',
    level: 'ok',
  });
});

test('a day with less to spare than the service plans for is tight', () => {
  const times = daylight(day('09:00', '17:00', 1 / 3), 0.5);
  assert.equal(times.level, 'tight');
  assert.equal(times.text, '09:00 – 17:00 · sunset 17:20 · 20 min to spare');
  assert.equal(daylight(day('09:00', '17:00', 1 / 3), undefined).level, 'ok', 'without a planned margin nothing is tight');
});

test('a day that ends after sunset is a warning, however it started', () => {
  const times = daylight(day('07:00', '18:05', -0.75), 0.5);
  assert.equal(times.level, 'warning');
  assert.equal(times.text, '07:00 – 18:05 · sunset 17:20 · ends 45 min after sunset · starts before sunrise (08:10)');
});

test('a start before sunrise alone makes a day tight', () => {
  const times = daylight(day('07:30', '12:00', 5.33), 0.5);
  assert.equal(times.level, 'tight');
  assert.match(times.text, /starts before sunrise \(08:10\)$/);
});

test('a day ending after midnight says so; a polar day says it has no sun times', () => {
  const late = daylight(day('20:00', '2026-12-16T01:30:00+01:00', -8.2), 0.5);
  assert.equal(late.text.split(' · ')[0], '20:00 – 01:30 (next day)');
  const polar = daylight({ start_time: '2026-06-21T08:00:00+02:00', end_time: '2026-06-21T14:00:00+02:00' }, 0.5);
  assert.deepEqual(polar, { text: '08:00 – 14:00 · no sunrise or sunset that day', level: 'ok' });
});

test('an undated day has no times row', () => {
  assert.equal(daylight({ day: 1, duration_h: 4 }, 0.5), null);
});

test('the panel shows for several days, or one dated day', () => {
  assert.deepEqual(panelOf([{ day: 1 }, { day: 2 }]), { shown: true, dated: false });
  assert.deepEqual(panelOf([{ day: 1, date: '2026-12-15' }]), { shown: true, dated: true });
  assert.deepEqual(panelOf([{ day: 1 }]), { shown: false, dated: false });
  assert.deepEqual(panelOf([]), { shown: false, dated: false });
  assert.equal(zoneText('Europe/Andorra'), 'Times are local at the trailhead (Europe/Andorra).');
  assert.equal(zoneText(undefined), 'Times are local at the trailhead.');
});

test('a day\'s walk in either unit', () => {
  const stage = { distance_km: 12.34, distance_mi: 7.67, ascent_m: 850, ascent_ft: 2789, descent_m: 700, descent_ft: 2297, duration_h: 5.25 };
  assert.equal(walkText(stage, 'metric'), '12.3 km · ↑ 850 m ↓ 700 m · 5 h 15 min walking');
  assert.equal(walkText(stage, 'imperial'), '7.7 mi · ↑ 2,789 ft ↓ 2,297 ft · 5 h 15 min walking');
});

const LABELS = { hut: 'hut', camp_site: 'camp site', shelter: 'shelter', lodging: 'lodging' };

test('a night names its place, kind, beds, distance off the trail and opening', () => {
  const night = nightOf({
    night: {
      kind: 'hut', name: 'Refugi de Juclar', capacity: '24', off_trail_km: 0.3, off_trail_mi: 0.19,
      open: 'yes', open_tag: 'opening_hours', opening_hours: 'Jun-Sep', website: 'www.example.ad/juclar; other',
    },
  }, false, 'metric', LABELS);
  assert.deepEqual(night, {
    name: 'Refugi de Juclar',
    facts: '(hut, sleeps 24, 0.3 km off the trail)',
    open: { state: 'yes', text: 'open (OSM opening_hours=Jun-Sep)' },
    website: 'https://www.example.ad/juclar',
  });
  assert.equal(nightOf({ night: { kind: 'hut', off_trail_km: 0.3 } }, false, 'imperial', LABELS).facts, '(0.2 mi off the trail)');
});

test('an unnamed night is called by its kind\'s label from the service', () => {
  const night = nightOf({ night: { kind: 'camp_site', capacity: 'large', off_trail_km: 0.05, open: 'unknown' } }, false, 'metric', { camp_site: 'campground' });
  assert.equal(night.name, 'campground');
  assert.equal(night.facts, '(capacity large)', 'not its kind twice, nor a few metres off the trail');
  assert.deepEqual(night.open, { state: 'unknown', text: 'opening not known (no opening tags in OSM)' });
  assert.equal(night.website, null);
});

test('a night back at the trailhead, and none planned', () => {
  assert.equal(nightOf({ night: { kind: 'trailhead', name: 'Coll de la Botella' } }, false, 'metric', LABELS).facts, '(at the trailhead)');
  assert.deepEqual(nightOf({}, true, 'metric', LABELS), { none: 'Back at the trailhead' });
  assert.deepEqual(nightOf({}, false, 'metric', LABELS), { none: 'No place planned' });
  assert.equal(nightOf({ night: { kind: 'hut', open: 'no' } }, false, 'metric', LABELS).open, null, 'a closed place is not planned: no word on it');
});

test('only web addresses become website links', () => {
  assert.equal(websiteHref('http://refugi.example/'), 'http://refugi.example/');
  assert.equal(websiteHref('refugi.example'), 'https://refugi.example/');
  assert.equal(websiteHref('javascript:alert(1)'), null);
  assert.equal(websiteHref('mailto:hut@example.org'), null);
  assert.equal(websiteHref(' ; '), null);
  assert.equal(websiteHref('https://exa mple'), null);
  assert.equal(websiteHref(undefined), null);
});

test('water is counted and named, unnamed places by kind', () => {
  assert.deepEqual(waterOf({ water: [{ name: 'Font del Roc', kind: 'spring' }, { kind: 'spring' }, { kind: 'spring' }, { kind: 'drinking_water' }] }), {
    text: '4 places: Font del Roc, 2× spring, drinking water',
    none: false,
  });
  assert.deepEqual(waterOf({ water: [{ kind: 'water_tap' }] }), { text: '1 place: tap', none: false });
  assert.deepEqual(waterOf({ water: [], has_water: true }), { text: 'at the start or the end of the day', none: false });
  assert.deepEqual(waterOf({}), { text: 'none on the way: carry enough', none: true });
});

test('a day over ten hours of walking is a long day, the longest named', () => {
  assert.equal(LONG_DAY_H, 10);
  assert.equal(longDay({ duration_h: 10 }), null, 'ten hours is not over ten');
  assert.equal(
    longDay({ duration_h: 11.5 }),
    'Long day: This is about 11 h 30 min of walking, more than 10 h. Plan it over more days, or choose a shorter loop.',
  );
  const trip = { stages: [{ day: 1, duration_h: 10.5 }, { day: 2, duration_h: 12 }, { day: 3, duration_h: 6 }] };
  assert.equal(longDay(trip), 'Long day: Day 2 is about 12 h of walking, more than 10 h. Plan more days or a shorter trip.');
  assert.equal(longDay({ stages: [{ day: 1, duration_h: 8 }, { day: 2, duration_h: 9 }] }), null);
});
