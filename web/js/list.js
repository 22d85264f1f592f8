// The results list: one button per loop, with its numbers, where it starts, the drive
// and a long day's warning.

import { longDay } from './days.js';
import {
  climbIn, distanceIn, formatClimb, formatDistance, formatDuration, KIND_LABEL, loopTitle,
  trailheadName,
} from './format.js';
import { state } from './state.js';
import { span, ui } from './ui.js';

// "12 km drive, 25 min", in the page's units.
export function driveText(th, units) {
  const d = distanceIn(th, 'drive', units);
  if (d == null) return 'no road leads there';
  const minutes = th.drive_minutes == null ? '' : `, ${formatDuration(th.drive_minutes / 60)}`;
  return `${formatDistance(d, units)} drive${minutes}`;
}

// "10.5 km · ↑ 650 m · 3 h 46 min": what the hiker walks, the approach from the
// trailhead there and back included (a plan saved before the service sent totals shows
// its loop alone).
export const loopStats = (loop, units) => {
  const total = loop.total_km != null;
  const distance = distanceIn(loop, total ? 'total' : 'distance', units);
  const hours = total ? loop.total_duration_h : loop.duration_h;
  return `${formatDistance(distance, units)} · ↑ ${formatClimb(climbIn(loop, 'ascent', units), units)} · ${formatDuration(hours)}`;
};

// The list of state.loops; `onSelect(loop)` when one is chosen.
export function renderList(onSelect) {
  const { units } = state;
  ui.list.replaceChildren(
    ...state.loops.map((loop) => {
      const li = document.createElement('li');
      li.dataset.testid = 'loop-item';
      li.dataset.rank = loop.rank;
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-pressed', String(loop === state.selected));
      const days = loop.days > 1 ? ` · ${loop.days} days` : '';
      const title = span('loop-title', loopTitle(loop));
      title.dataset.testid = 'loop-title';
      button.append(
        span('loop-rank', String(loop.rank)),
        title,
        span(`loop-difficulty difficulty-${loop.difficulty}`, loop.difficulty),
        span('loop-stats', loopStats(loop, units)),
        span('loop-meta', `${KIND_LABEL[loop.kind] ?? loop.kind}${days} from ${trailheadName(loop)} · ${driveText(loop.trailhead, units)}`),
      );
      const warning = longDay(loop);
      if (warning) {
        const w = span('loop-warning', `⚠ ${warning}`);
        w.dataset.testid = 'loop-warning';
        button.append(w);
      }
      button.addEventListener('click', () => onSelect(loop, { fromList: true }));
      li.append(button);
      return li;
    }),
  );
}

// Marks the selected loop's button pressed.
export function markSelected(loop) {
  for (const button of ui.list.querySelectorAll('button[aria-pressed]')) {
    button.setAttribute('aria-pressed', String(button.parentElement.dataset.rank === String(loop.rank)));
  }
}
