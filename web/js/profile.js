// The elevation profile's arithmetic: its scales and line, the grade shading, where
// each day falls, and which point of the loop a position on it is. Pure: the drawing
// is profile-view.js's.

import { FT_PER_M, KM_PER_MI } from './format.js';

// The chart's box, about the panel's width in CSS pixels so the labels' 11px stay
// readable; the margins hold the axis labels and the day bands (top).
export const CHART = { W: 340, H: 150, left: 52, right: 8, top: 18, bottom: 20 };

// The grade classes of the profile's shading: below 8 %, 8-15 %, 15-25 %, steeper.
export const GRADE_STEPS = [0.08, 0.15, 0.25];

// The class (0-3) of a grade given as a fraction, up or down alike.
export function gradeClass(grade) {
  const g = Math.abs(grade);
  const i = GRADE_STEPS.findIndex((step) => g < step);
  return i === -1 ? GRADE_STEPS.length : i;
}

// Shading runs at least this long, km: shorter stretches are noise of the elevation model.
export const MIN_RUN_KM = 0.2;

// The profile's points ([km, m], ...) cut into stretches of at least MIN_RUN_KM (the last
// may be shorter), each with its average grade and class: { from, to, grade, cls },
// `from` and `to` indices of points.
export function gradeRuns(points) {
  const runs = [];
  let from = 0;
  for (let i = 1; i < points.length; i++) {
    const run = points[i][0] - points[from][0];
    if (run < MIN_RUN_KM && i < points.length - 1) continue;
    const grade = run > 0 ? (points[i][1] - points[from][1]) / (run * 1000) : 0;
    runs.push({ from, to: i, grade, cls: gradeClass(grade) });
    from = i;
  }
  return runs;
}

// The chart of `points` in `units`: the values shown (xs in km or mi, ys in m or ft),
// their extent, the scales onto the box and the line's path. A flat profile still gets
// a line (its span is at least one unit).
export function profileChart(points, units, box = CHART) {
  const imperial = units === 'imperial';
  const xs = points.map(([km]) => (imperial ? km / KM_PER_MI : km));
  const ys = points.map(([, m]) => (imperial ? m * FT_PER_M : m));
  const xMax = xs[xs.length - 1] || 1;
  const yMin = Math.min(...ys);
  const yMax = Math.max(...ys);
  const ySpan = Math.max(yMax - yMin, 1);
  const { W, H, left, right, top, bottom } = box;
  const px = (x) => left + (x / xMax) * (W - left - right);
  const py = (y) => top + (1 - (y - yMin) / ySpan) * (H - top - bottom);
  const line = xs.map((x, i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(ys[i]).toFixed(1)}`).join('');
  const base = (H - bottom).toFixed(1);
  return { xs, ys, xMax, yMin, yMax, px, py, line, base, box };
}

// The shaded area under the line from point `from` to point `to`.
export function runPath(chart, from, to) {
  const { xs, ys, px, py, base } = chart;
  let d = `M${px(xs[from]).toFixed(1)},${base}`;
  for (let j = from; j <= to; j++) d += `L${px(xs[j]).toFixed(1)},${py(ys[j]).toFixed(1)}`;
  return `${d}L${px(xs[to]).toFixed(1)},${base}Z`;
}

// Kilometres from the first vertex to each vertex of `coords` ([lon, lat, ...]), on a
// sphere: close enough to place a marker on the chart.
export function distancesAlong(coords) {
  const R = 6371.0088;
  const rad = Math.PI / 180;
  const out = [0];
  for (let i = 1; i < coords.length; i++) {
    const [lon1, lat1] = coords[i - 1];
    const [lon2, lat2] = coords[i];
    const a =
      Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
    out.push(out[i - 1] + 2 * R * Math.asin(Math.sqrt(a)));
  }
  return out;
}

// The point ([lat, lon]) of a LineString's coordinates at `km` along it (distances from
// distancesAlong), interpolated between its vertices; the ends beyond them.
export function pointAlong(coords, along, km) {
  let lo = 0;
  let hi = along.length - 1;
  if (km <= 0) return [coords[0][1], coords[0][0]];
  if (km >= along[hi]) return [coords[hi][1], coords[hi][0]];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (along[mid] <= km) lo = mid;
    else hi = mid;
  }
  const t = (km - along[lo]) / (along[hi] - along[lo] || 1);
  return [
    coords[lo][1] + t * (coords[hi][1] - coords[lo][1]),
    coords[lo][0] + t * (coords[hi][0] - coords[lo][0]),
  ];
}

// Each day of a multi-day plan on the chart: from its first to its last vertex,
// measured along the drawn line (`along`, access paths and all) and scaled to the
// profile's length; at least a pixel wide. { day, x0, x1, night }.
export function dayBands(stages, along, chart) {
  const total = along[along.length - 1] || 1;
  const xAt = (index) => chart.px(Math.min(1, (along[index] ?? total) / total) * chart.xMax);
  return stages.map((stage) => {
    const x0 = xAt(stage.start_index);
    const x1 = Math.max(xAt(stage.end_index), x0 + 1);
    return { day: stage.day, x0, x1, night: Boolean(stage.night) };
  });
}

// The index of the first shown point at or past `x` (the last when none is).
export function indexAt(xs, x) {
  const i = xs.findIndex((v) => v >= x);
  return i === -1 ? xs.length - 1 : i;
}

// The slider's keys: a step of the share (0..1) along the loop.
const KEY_STEP = { ArrowRight: 0.01, ArrowUp: 0.01, ArrowLeft: -0.01, ArrowDown: -0.01, PageUp: 0.1, PageDown: -0.1 };

// The share a key moves the position to, kept in 0..1; null for a key that does not.
export function shareAfterKey(share, key) {
  let next;
  if (KEY_STEP[key] !== undefined) next = share + KEY_STEP[key];
  else if (key === 'Home') next = 0;
  else if (key === 'End') next = 1;
  else return null;
  return clampShare(next);
}

export const clampShare = (s) => Math.min(1, Math.max(0, s));
