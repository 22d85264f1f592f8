// The form's checks, the request, the address, the share link and the service's bounds,
// without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkBbox } from '../../js/api.js';
import { atMost, limitsFrom, SLIDER_PRESET, sliderRange } from '../../js/config.js';
import {
  checkForm, clampTo, formFromParams, originFromParams, planName, searchBody, searchParams, shareUrl,
} from '../../js/search.js';

// As GET /app-config.json answers (the Rust test checks the numbers against the service's).
const CONFIG = {
  tile_url: null,
  days: { min: 1, max: 14 },
  max_results: 10,
  target_km: { min: 0.5, max: 300 },
  target_mi: { min: 0.32, max: 186.4 },
  max_drive_km: { max: 300 },
  max_drive_mi: { max: 186.4 },
  start_date: { min: '2000-01-01', max: '2099-12-31' },
  network_max_span_deg: 0.5,
  plan_name_max_chars: 200,
  place_query_max_chars: 100,
  places_max: 50,
  night_kinds: [{ kind: 'hut', label: 'hut' }, { kind: 'camp_site', label: 'camp site' }],
};
const LIMITS = limitsFrom(CONFIG);
const OK = { days: '2', drive: '25', length: '10', startDate: '', startTime: '08:00' };

test('the config\'s bounds become the page\'s limits', () => {
  assert.deepEqual(LIMITS.days, [1, 14]);
  assert.deepEqual(LIMITS.startDate, ['2000-01-01', '2099-12-31']);
  assert.equal(LIMITS.networkMaxSpanDeg, 0.5);
  assert.equal(LIMITS.planNameMaxChars, 200);
  assert.equal(LIMITS.maxResults, 10);
  assert.deepEqual(LIMITS.nightLabels, { hut: 'hut', camp_site: 'camp site' });
  assert.deepEqual(LIMITS.sliders, SLIDER_PRESET, 'the presets lie within the service\'s bounds');
});

test('sliders are narrowed to the service\'s bounds, in whole units', () => {
  assert.deepEqual(sliderRange([2, 60], { min: 0.5, max: 300 }), [2, 60]);
  assert.deepEqual(sliderRange([2, 60], { min: 3.2, max: 40.9 }), [4, 40]);
  assert.deepEqual(sliderRange([3, 93], { max: 50 }), [3, 50]);
  assert.deepEqual(sliderRange([3, 93], { max: 1 }), [3, 3], 'never an empty range');
  const small = limitsFrom({ ...CONFIG, target_mi: { min: 0.32, max: 20 }, max_drive_km: { max: 100 } });
  assert.deepEqual(small.sliders.imperial.length, [1, 20]);
  assert.deepEqual(small.sliders.metric.drive, [5, 100]);
});

test('without a config the sliders keep their presets and the bounds are unknown', () => {
  const none = limitsFrom(null);
  assert.deepEqual(none.sliders, SLIDER_PRESET);
  assert.equal(none.days, null);
  assert.equal(none.startDate, null);
  assert.equal(none.planNameMaxChars, null);
  assert.deepEqual(none.nightLabels, {});
  assert.equal(limitsFrom({ days: { min: 'one', max: 14 } }).days, null, 'only numbers');
  assert.equal(atMost(8, null), 8);
  assert.equal(atMost(8, 5), 5);
});

test('days are checked against the service\'s range, with a message for each mistake', () => {
  const days = (v, badInput = false) => checkForm({ ...OK, days: v, daysBadInput: badInput }, LIMITS, 'metric');
  assert.deepEqual(days('2'), []);
  assert.deepEqual(days(' 14 '), []);
  assert.deepEqual(days(''), [{ field: 'days', message: 'Enter a number of days, 1 to 14.' }]);
  assert.deepEqual(days('', true), [{ field: 'days', message: 'Enter a number of days, 1 to 14.' }]);
  assert.deepEqual(days('2.5'), [{ field: 'days', message: 'Days must be a whole number, 1 to 14.' }]);
  assert.deepEqual(days('15'), [{ field: 'days', message: 'Days must be 1 to 14, not 15.' }]);
  assert.deepEqual(days('0'), [{ field: 'days', message: 'Days must be 1 to 14, not 0.' }]);
  const longer = limitsFrom({ ...CONFIG, days: { min: 1, max: 21 } });
  assert.deepEqual(checkForm({ ...OK, days: '15' }, longer, 'metric'), [], 'the service\'s maximum, not a copy');
  const unknown = limitsFrom(null);
  assert.deepEqual(checkForm({ ...OK, days: '15' }, unknown, 'metric'), [], 'without bounds the service judges');
  assert.deepEqual(checkForm({ ...OK, days: 'x' }, unknown, 'metric'), [{ field: 'days', message: 'Days must be a whole number.' }]);
});

test('sliders are checked in their unit', () => {
  assert.deepEqual(checkForm({ ...OK, length: '61' }, LIMITS, 'metric'), [{ field: 'length', message: 'The hike length must be 2 to 60 km.' }]);
  assert.deepEqual(checkForm({ ...OK, drive: '94' }, LIMITS, 'imperial'), [{ field: 'drive', message: 'The longest drive must be 3 to 93 mi.' }]);
  assert.deepEqual(checkForm({ ...OK, drive: 'abc' }, LIMITS, 'metric').map((e) => e.field), ['drive']);
});

test('a start date outside the years served is marked before it is sent', () => {
  assert.deepEqual(checkForm({ ...OK, startDate: '2027-07-15' }, LIMITS, 'metric'), []);
  assert.deepEqual(checkForm({ ...OK, startDate: '2100-01-01' }, LIMITS, 'metric'), [
    { field: 'start_date', message: 'The start date must be 2000-01-01 to 2099-12-31.' },
  ]);
  assert.equal(checkForm({ ...OK, startDate: '1999-12-31' }, LIMITS, 'metric')[0].field, 'start_date');
});

test('the request asks in the form\'s unit, with a time only with a date', () => {
  const origin = { lat: 42.536, lng: 1.583 };
  assert.deepEqual(searchBody(origin, OK, 'metric', 3), {
    origin: { lat: 42.536, lon: 1.583 }, max_drive_km: 25, target_km: 10, days: 2, max_results: 3, units: 'metric',
  });
  const dated = searchBody(origin, { ...OK, startDate: '2027-07-15', startTime: '06:30:00' }, 'imperial', 3);
  assert.equal(dated.max_drive_mi, 25);
  assert.equal(dated.target_mi, 10);
  assert.equal(dated.start_date, '2027-07-15');
  assert.equal(dated.start_time, '06:30');
  assert.equal(searchBody(origin, { ...OK, startDate: '2027-07-15', startTime: '' }, 'metric').start_time, undefined);
});

test('the address keeps the search and gives it back', () => {
  const p = searchParams({ lat: 42.5361234, lng: 1.5832 }, 'Encamp', 'imperial', { ...OK, days: ' 3 ', startDate: '2027-07-15', startTime: '06:30' });
  assert.equal(p.toString(), 'lat=42.53612&lon=1.58320&place=Encamp&units=imperial&drive=25&length=10&days=3&date=2027-07-15&time=06%3A30');
  assert.deepEqual(formFromParams(p), { date: '2027-07-15', units: 'imperial', drive: 25, length: 10, days: '3', time: '06:30' });
  assert.deepEqual(originFromParams(p), { lat: 42.53612, lon: 1.5832, label: 'Encamp' });
  const bad = new URLSearchParams('lat=91&lon=1&units=furlongs&date=15/07/2027&time=6:30&drive=x');
  assert.deepEqual(formFromParams(bad), { date: '' });
  assert.equal(originFromParams(bad), null);
  assert.equal(originFromParams(new URLSearchParams('lat=42')), null);
  assert.equal(clampTo(99.6, [2, 60]), 60);
  assert.equal(clampTo(12.4, [2, 60]), 12);
});

test('a share link names the plan and the search, once', () => {
  assert.equal(shareUrl('abc', 'lat=1&lon=2&plan=old', 'https://trailloop.example'), 'https://trailloop.example/?plan=abc&lat=1&lon=2');
  assert.equal(shareUrl('a b', null, 'http://127.0.0.1:8080'), 'http://127.0.0.1:8080/?plan=a%20b');
});

test('a plan\'s name is cut to what the service takes, by characters', () => {
  assert.equal(planName('Loop', 200), 'Loop');
  assert.equal(planName('x'.repeat(250), 200).length, 200);
  const peaks = '⛰️🏔'.repeat(80); // letters beyond the BMP are one character each
  assert.equal(Array.from(planName(peaks, 200)).length, 200);
  assert.equal(planName('x'.repeat(250), null).length, 250);
});

test('the network box is padded and no wider than the service serves', () => {
  const box = { west: 1.5, south: 42.5, east: 1.6, north: 42.6 };
  assert.deepEqual(networkBbox(box, 0.5), ['1.49000', '42.49000', '1.61000', '42.61000']);
  const wide = networkBbox({ west: 1.0, south: 42.0, east: 2.0, north: 42.2 }, 0.5).map(Number);
  assert.ok(Math.abs(wide[2] - wide[0] - 0.5) < 1e-9, `${wide}: half a degree wide around the centre`);
  assert.ok(Math.abs((wide[0] + wide[2]) / 2 - 1.5) < 1e-9);
  assert.ok(Math.abs(wide[3] - wide[1] - 0.24) < 1e-9, 'the padded height, under the limit');
  const narrower = networkBbox({ west: 1.0, south: 42.0, east: 2.0, north: 42.2 }, 0.2).map(Number);
  assert.ok(Math.abs(narrower[2] - narrower[0] - 0.2) < 1e-9, 'the service\'s span, whatever it is');
});
