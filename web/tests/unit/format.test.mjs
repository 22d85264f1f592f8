// The page's units and formats, without a browser: node --test tests/unit/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attributionHtml, climbIn, clockTime, datePart, distanceIn, formatClimb, formatDate, formatDistance, formatDuration,
  formatMargin, kindLabel, KM_PER_MI, loopTitle,
} from '../../js/format.js';

test('distances are read in the unit asked, miles computed when a plan has km only', () => {
  const both = { distance_km: 16.0934, distance_mi: 10 };
  assert.equal(distanceIn(both, 'distance', 'metric'), 16.0934);
  assert.equal(distanceIn(both, 'distance', 'imperial'), 10, 'the service\'s miles, not a conversion');
  const kmOnly = { distance_km: 16.09344 };
  assert.ok(Math.abs(distanceIn(kmOnly, 'distance', 'imperial') - 10) < 1e-9);
  assert.equal(distanceIn({ drive_km: null }, 'drive', 'imperial'), null, 'no road: nothing to convert');
  assert.equal(distanceIn({}, 'drive', 'imperial'), undefined);
  assert.equal(KM_PER_MI, 1.609344, 'the statute mile');
});

test('climb is read in metres or feet', () => {
  assert.equal(climbIn({ ascent_m: 1000, ascent_ft: 3281 }, 'ascent', 'imperial'), 3281);
  assert.ok(Math.abs(climbIn({ ascent_m: 1000 }, 'ascent', 'imperial') - 3280.84) < 0.01);
  assert.equal(climbIn({ ascent_m: 1000 }, 'ascent', 'metric'), 1000);
});

test('distances keep one decimal, climb none, each with its unit', () => {
  assert.equal(formatDistance(12.345, 'metric'), '12.3 km');
  assert.equal(formatDistance(12.35, 'imperial'), '12.4 mi');
  assert.equal(formatDistance(10, 'metric'), '10 km');
  assert.equal(formatDistance(1234.56, 'metric'), '1,234.6 km');
  assert.equal(formatClimb(849.5, 'metric'), '850 m');
  assert.equal(formatClimb(2787.4, 'imperial'), '2,787 ft');
});

test('durations are rounded to the minute and said in hours and minutes', () => {
  assert.equal(formatDuration(0.25), '15 min');
  assert.equal(formatDuration(2), '2 h');
  assert.equal(formatDuration(2.5), '2 h 30 min');
  assert.equal(formatDuration(1.999), '2 h', '119.94 minutes round up to a whole hour');
  assert.equal(formatDuration(0), '0 min');
  assert.equal(formatDuration(10 + 5 / 60), '10 h 5 min');
});

test('margins under an hour are minutes, longer ones hours with a decimal, signless', () => {
  assert.equal(formatMargin(0.5), '30 min');
  assert.equal(formatMargin(-0.25), '15 min');
  assert.equal(formatMargin(1), '1.0 h');
  assert.equal(formatMargin(-2.04), '2.0 h');
});

test('dates and clock times are read as written, not in the browser\'s zone', () => {
  // (ICU versions differ on a comma after the weekday.)
  assert.match(formatDate('2026-12-15'), /^Tue,? 15 Dec 2026$/);
  assert.match(formatDate('2027-07-04'), /^Sun,? 4 Jul 2027$/);
  assert.match(formatDate('2024-02-29'), /^Thu,? 29 Feb 2024$/, 'the day as written in any zone: no UTC shift');
  assert.equal(formatDate('not a date'), 'not a date');
  assert.equal(clockTime('2026-12-15T08:05:00+01:00'), '08:05');
  assert.equal(clockTime('2026-12-15T23:59:59-11:00'), '23:59', 'the trailhead\'s clock, whatever the offset');
  assert.equal(clockTime('08:05'), null);
  assert.equal(clockTime(null), null);
  assert.equal(datePart('2026-12-15T08:05:00+01:00'), '2026-12-15');
});

test('kinds take their label, else their wire name in words', () => {
  assert.equal(kindLabel({ hut: 'mountain hut' }, 'hut'), 'mountain hut');
  assert.equal(kindLabel({}, 'camp_site'), 'camp site');
  assert.equal(kindLabel(undefined, 'water_point'), 'water point');
  assert.equal(kindLabel({}, undefined), '');
});

test('a loop without a name is named after its trailhead, or its id', () => {
  assert.equal(loopTitle({ name: 'Estanys de Tristaina', trailhead: { id: 3 } }), 'Estanys de Tristaina');
  assert.equal(loopTitle({ name: null, trailhead: { id: 3, name: 'Arinsal' } }), 'Arinsal loop');
  assert.equal(loopTitle({ trailhead: { id: 3 } }), 'Trailhead 3 loop');
});

test('an answer\'s attribution is shown escaped, OSM\'s linked to its licence', () => {
  assert.equal(attributionHtml('© OpenStreetMap contributors'),
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors');
  const own = attributionHtml('City <Trails> & Parks (CC BY 4.0); © OpenStreetMap contributors');
  assert.ok(own.startsWith('City &lt;Trails&gt; &amp; Parks (CC BY 4.0); &copy; <a href='), own);
  assert.equal(attributionHtml('Parks "Dept"'), 'Parks &quot;Dept&quot;');
});
