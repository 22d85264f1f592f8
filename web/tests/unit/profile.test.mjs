// The elevation profile's arithmetic, without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHART, dayBands, distancesAlong, gradeClass, gradeRuns, indexAt, pointAlong, profileChart, runPath,
  shareAfterKey,
} from '../../js/profile.js';

const close = (a, b, eps, what) => assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} is not ${b} ± ${eps}`);

test('grades fall in the legend\'s classes, downhill as uphill', () => {
  assert.equal(gradeClass(0), 0);
  assert.equal(gradeClass(0.0799), 0);
  assert.equal(gradeClass(0.08), 1, '8 % is the first step');
  assert.equal(gradeClass(-0.12), 1);
  assert.equal(gradeClass(0.15), 2);
  assert.equal(gradeClass(0.2499), 2);
  assert.equal(gradeClass(0.25), 3);
  assert.equal(gradeClass(-0.6), 3);
});

test('the shading averages stretches of at least 200 m', () => {
  // Every 125 m: flat, then 10 % up, 25 % up, 18 % down, and a last, shorter flat bit.
  const heights = [1000, 1000, 1000, 1010, 1025, 1050, 1087.5, 1060, 1042.5, 1042.5];
  const points = heights.map((m, i) => [i * 0.125, m]);
  const runs = gradeRuns(points);
  assert.deepEqual(runs.map((r) => [r.from, r.to]), [[0, 2], [2, 4], [4, 6], [6, 8], [8, 9]]);
  assert.deepEqual(runs.map((r) => r.cls), [0, 1, 3, 2, 0]);
  close(runs[1].grade, 0.1, 1e-12, '25 m up over 250 m');
  close(runs[3].grade, -0.18, 1e-12, '45 m down over 250 m');
  // The runs cover the profile end to end, each starting where the last ended.
  for (let i = 1; i < runs.length; i++) assert.equal(runs[i].from, runs[i - 1].to);
});

test('a profile of two points is one run; a zero-length one has no grade', () => {
  assert.deepEqual(gradeRuns([[0, 100], [0.05, 110]]).map((r) => r.cls), [2]);
  assert.equal(gradeRuns([[0, 100], [0, 200]])[0].grade, 0);
});

test('the chart scales distance and height onto its box, in the unit shown', () => {
  const points = [[0, 1000], [5, 1500], [10, 1000]];
  const m = profileChart(points, 'metric');
  assert.deepEqual([m.xMax, m.yMin, m.yMax], [10, 1000, 1500]);
  assert.equal(m.px(0), CHART.left);
  assert.equal(m.px(10), CHART.W - CHART.right);
  assert.equal(m.py(1500), CHART.top, 'the top at the highest point');
  assert.equal(m.py(1000), CHART.H - CHART.bottom, 'the bottom at the lowest');
  assert.equal(m.line, 'M52.0,130.0L192.0,18.0L332.0,130.0');
  const mi = profileChart(points, 'imperial');
  close(mi.xMax, 6.2137, 1e-4, '10 km in miles');
  close(mi.yMax, 4921.26, 0.01, '1500 m in feet');
  assert.equal(mi.line, m.line, 'the same shape in either unit');
});

test('a flat profile still gets a line, across the middle of nothing', () => {
  const flat = profileChart([[0, 500], [2, 500]], 'metric');
  assert.equal(flat.yMin, flat.yMax);
  assert.ok(Number.isFinite(flat.py(500)));
  assert.doesNotMatch(flat.line, /NaN|Infinity/);
});

test('a run\'s shading closes on the base line', () => {
  const chart = profileChart([[0, 0], [1, 100], [2, 0]], 'metric');
  assert.equal(runPath(chart, 0, 1), 'M52.0,130.0L52.0,130.0L192.0,18.0L192.0,130.0Z');
});

test('distances along a line are great-circle kilometres', () => {
  // A degree of latitude is about 111.2 km; a degree of longitude at 60° N half that.
  const along = distancesAlong([[1, 42], [1, 43], [1, 42]]);
  close(along[1], 111.195, 0.01, 'one degree north');
  close(along[2], 2 * along[1], 1e-9, 'and back');
  close(distancesAlong([[0, 60], [1, 60]])[1], 55.6, 0.1, 'a degree east at 60° N');
});

test('a point along the line is interpolated between its vertices, the ends beyond', () => {
  const coords = [[1, 42], [1, 43], [2, 43]];
  const along = [0, 100, 200];
  assert.deepEqual(pointAlong(coords, along, 50), [42.5, 1]);
  assert.deepEqual(pointAlong(coords, along, 150), [43, 1.5]);
  assert.deepEqual(pointAlong(coords, along, 100), [43, 1]);
  assert.deepEqual(pointAlong(coords, along, -5), [42, 1]);
  assert.deepEqual(pointAlong(coords, along, 999), [43, 2]);
});

test('days are placed by their vertices along the drawn line, at least a pixel wide', () => {
  const chart = profileChart([[0, 0], [10, 100]], 'metric');
  const along = [0, 2.5, 5, 7.5, 10];
  const bands = dayBands(
    [{ day: 1, start_index: 0, end_index: 2, night: { kind: 'hut' } }, { day: 2, start_index: 2, end_index: 4 }, { day: 3, start_index: 4, end_index: 4 }],
    along,
    chart,
  );
  const width = CHART.W - CHART.left - CHART.right;
  assert.deepEqual(bands.map((b) => [b.day, b.x0, b.x1, b.night]), [
    [1, CHART.left, CHART.left + width / 2, true],
    [2, CHART.left + width / 2, CHART.left + width, false],
    [3, CHART.left + width, CHART.left + width + 1, false],
  ]);
});

test('the position\'s point is the first at or past it', () => {
  assert.equal(indexAt([0, 1, 2, 3], 1.5), 2);
  assert.equal(indexAt([0, 1, 2, 3], 0), 0);
  assert.equal(indexAt([0, 1, 2, 3], 3), 3);
  assert.equal(indexAt([0, 1, 2, 3], 7), 3, 'past the end: the last');
});

test('the slider\'s keys step by 1 % and 10 %, Home and End to the ends, never beyond', () => {
  close(shareAfterKey(0.5, 'ArrowRight'), 0.51, 1e-12, 'right');
  close(shareAfterKey(0.5, 'ArrowDown'), 0.49, 1e-12, 'down');
  close(shareAfterKey(0.5, 'PageUp'), 0.6, 1e-12, 'page up');
  assert.equal(shareAfterKey(0.95, 'PageUp'), 1);
  assert.equal(shareAfterKey(0.005, 'ArrowLeft'), 0);
  assert.equal(shareAfterKey(0.5, 'Home'), 0);
  assert.equal(shareAfterKey(0.5, 'End'), 1);
  assert.equal(shareAfterKey(0.5, 'Tab'), null, 'other keys are not the slider\'s');
});
