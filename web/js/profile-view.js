// The elevation profile drawn as SVG: the line over its grade shading, the days of a
// multi-day plan, and a position (pointer or arrow keys) shown on the map.

import { formatClimb, formatDate, formatDistance, formatNumber, UNITS } from './format.js';
import { clearPosition, showPosition } from './map.js';
import {
  clampShare, dayBands, distancesAlong, gradeRuns, indexAt, pointAlong, profileChart, runPath,
  shareAfterKey,
} from './profile.js';
import { state } from './state.js';
import { span, svg, ui } from './ui.js';

// The selected loop's profile; `onDay(day)` when a day's stretch is chosen.
export function renderProfile(loop, onDay) {
  clearPosition();
  const points = loop.profile?.points ?? [];
  if (points.length < 2) {
    ui.profile.replaceChildren(span('profile-empty', 'No elevation data for this loop.'));
    return;
  }
  const { units } = state;
  const chart = profileChart(points, units);
  const { xs, ys, xMax, yMin, yMax, px, line, base } = chart;
  const { W, H, left, right, top, bottom } = chart.box;
  const stages = loop.stages ?? [];

  const label = `Elevation profile over ${formatDistance(xMax, units)}: from ${formatClimb(yMin, units)} to ${formatClimb(yMax, units)}`;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': label });
  const chartGroup = svg('g', { 'aria-hidden': 'true' });
  // The grade, shaded under the line: stretches of at least 200 m, each coloured by
  // its average steepness.
  const shading = svg('g', { class: 'profile-grades' });
  for (const run of gradeRuns(points)) {
    shading.append(svg('path', { class: `profile-grade grade-${run.cls}`, d: runPath(chart, run.from, run.to) }));
  }
  chartGroup.append(
    shading,
    svg('line', { class: 'profile-axis', x1: left, y1: top, x2: left, y2: base }),
    svg('line', { class: 'profile-axis', x1: left, y1: base, x2: W - right, y2: base }),
    svg('path', { class: 'profile-line', 'data-testid': 'profile-path', d: line }),
    svg('text', { class: 'profile-label', x: left - 6, y: top + 4, 'text-anchor': 'end' }, formatClimb(yMax, units)),
    svg('text', { class: 'profile-label', x: left - 6, y: base, 'text-anchor': 'end' }, formatClimb(yMin, units)),
    svg('text', { class: 'profile-label', x: left, y: H - 6, 'text-anchor': 'start' }, `0 ${UNITS[units].distance}`),
    svg('text', { class: 'profile-label', x: W - right, y: H - 6, 'text-anchor': 'end' }, formatDistance(xMax, units)),
  );
  root.append(chartGroup);
  // Distances along the drawn line, the profile's x scaled onto them.
  const coords = loop.geometry.coordinates;
  const along = distancesAlong(coords);
  if (stages.length > 1) {
    // Each day of a multi-day plan: its stretch of the chart, a link to its row in the
    // day-by-day list, and a line where its night falls.
    const dates = new Map(stages.map((s) => [s.day, s.date]));
    for (const { day, x0, x1, night } of dayBands(stages, along, chart)) {
      const date = dates.get(day);
      const link = svg('a', {
        href: `#day-${day}`,
        class: 'profile-day',
        'data-testid': 'profile-day',
        'data-day': day,
        'aria-label': `Day ${day}${date ? `, ${formatDate(date)}` : ''}: show it in the day-by-day list`,
      });
      link.append(
        svg('rect', { class: 'profile-day-band', x: x0.toFixed(1), y: 0, width: (x1 - x0).toFixed(1), height: top }),
        svg(
          'text',
          { class: 'profile-label profile-day-label', x: ((x0 + x1) / 2).toFixed(1), y: top - 6, 'text-anchor': 'middle' },
          x1 - x0 >= 40 ? `Day ${day}` : String(day),
        ),
      );
      link.addEventListener('click', (e) => {
        e.preventDefault(); // no jump through the URL's fragment: the list scrolls itself
        onDay(day);
      });
      root.append(link);
      if (night) {
        const x = x1.toFixed(1);
        chartGroup.append(svg('line', { class: 'profile-night', x1: x, y1: top, x2: x, y2: base }));
      }
    }
  }
  // The position: a pointer over the chart, or the arrow keys on it (a slider), shows
  // its place on the map and a line on the chart.
  const cursor = svg('line', { class: 'profile-cursor', x1: left, y1: top, x2: left, y2: base, visibility: 'hidden' });
  chartGroup.append(cursor);
  const track = svg('rect', {
    class: 'profile-track', 'data-testid': 'profile-track',
    x: left, y: top, width: W - left - right, height: H - top - bottom,
    role: 'slider', tabindex: '0',
    'aria-label': 'Position along the loop: arrow keys move it, and the map shows where it is',
    'aria-valuemin': '0', 'aria-valuemax': formatNumber(xMax), 'aria-valuenow': '0',
  });
  root.append(track);
  let share = 0;
  const move = (s) => {
    share = clampShare(s);
    const x = share * xMax;
    const cx = px(x).toFixed(1);
    cursor.setAttribute('x1', cx);
    cursor.setAttribute('x2', cx);
    cursor.setAttribute('visibility', 'visible');
    track.setAttribute('aria-valuenow', formatNumber(x));
    track.setAttribute('aria-valuetext', `${formatDistance(x, units)} along, at ${formatClimb(ys[indexAt(xs, x)], units)}`);
    showPosition(pointAlong(coords, along, share * along[along.length - 1]));
  };
  const hide = () => {
    cursor.setAttribute('visibility', 'hidden');
    clearPosition();
  };
  const fromPointer = (e) => {
    const box = track.getBoundingClientRect();
    move((e.clientX - box.left) / (box.width || 1));
  };
  track.addEventListener('pointermove', fromPointer);
  track.addEventListener('pointerdown', fromPointer);
  track.addEventListener('pointerleave', () => {
    if (document.activeElement !== track) hide();
  });
  track.addEventListener('focus', () => move(share));
  track.addEventListener('blur', hide);
  track.addEventListener('keydown', (e) => {
    const next = shareAfterKey(share, e.key);
    if (next === null) return;
    move(next);
    e.preventDefault();
  });
  ui.profile.replaceChildren(root);
}
