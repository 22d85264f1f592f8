// The day-by-day panel: one row per day (walk, times against sunset, night, water), from
// days.js's model.

import { daylight, nightOf, panelOf, walkText, waterOf, zoneText } from './days.js';
import { formatDate } from './format.js';
import { state } from './state.js';
import { span, ui } from './ui.js';

function timesFact(stage) {
  const times = daylight(stage, state.calendar?.daylight_margin_h);
  if (!times) return null;
  const dd = document.createElement('dd');
  dd.className = 'day-times';
  if (times.level === 'warning') {
    dd.append(span('day-warning-icon', '⚠ '), span('visually-hidden', 'Warning: '));
  }
  dd.append(document.createTextNode(times.text));
  dd.classList.add(`day-times-${times.level}`);
  return dd;
}

function websiteLink(href, placeName) {
  const a = document.createElement('a');
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener';
  a.textContent = 'website';
  a.setAttribute('aria-label', `${placeName}: website`);
  a.dataset.testid = 'night-website';
  return a;
}

function nightFact(stage, lastDay) {
  const dd = document.createElement('dd');
  dd.className = 'day-night';
  const night = nightOf(stage, lastDay, state.units, state.limits.nightLabels);
  if (night.none) {
    dd.textContent = night.none;
    return dd;
  }
  const place = span('day-night-name', night.name);
  place.dataset.testid = 'night-name';
  dd.append(place);
  if (night.facts) dd.append(document.createTextNode(` ${night.facts}`));
  if (night.open) {
    dd.append(document.createTextNode(' · '));
    const status = span(`day-open day-open-${night.open.state}`, night.open.text);
    status.dataset.testid = 'night-open';
    dd.append(status);
  }
  if (night.website) dd.append(document.createTextNode(' · '), websiteLink(night.website, night.name));
  return dd;
}

function waterFact(stage) {
  const dd = document.createElement('dd');
  dd.className = 'day-water';
  const water = waterOf(stage);
  dd.textContent = water.text;
  if (water.none) dd.classList.add('day-water-none');
  return dd;
}

function fact(dl, term, dd) {
  if (!dd) return;
  const dt = document.createElement('dt');
  dt.textContent = term;
  dl.append(dt, dd);
}

function dayRow(stage, count) {
  const li = document.createElement('li');
  li.id = `day-${stage.day}`;
  li.className = 'day-row';
  li.tabIndex = -1; // the profile's day links move the focus here
  li.dataset.testid = 'day-row';
  li.dataset.day = stage.day;
  const h = document.createElement('h3');
  h.className = 'day-title';
  h.append(`Day ${stage.day}`);
  if (stage.date) {
    const time = document.createElement('time');
    time.dateTime = stage.date;
    time.dataset.testid = 'day-date';
    time.textContent = formatDate(stage.date);
    h.append(' · ', time);
  }
  const dl = document.createElement('dl');
  dl.className = 'day-facts';
  const walk = document.createElement('dd');
  walk.textContent = walkText(stage, state.units);
  fact(dl, 'Walk', walk);
  fact(dl, 'Times', timesFact(stage));
  fact(dl, 'Night', count > 1 ? nightFact(stage, stage.day === count) : null);
  fact(dl, 'Water', waterFact(stage));
  li.append(h, dl);
  return li;
}

// One row per day: for a multi-day plan, and for a day hike planned for a date.
export function renderDays(loop) {
  const stages = loop.stages ?? [];
  const { shown, dated } = panelOf(stages);
  ui.daysPanel.hidden = !shown;
  if (!shown) {
    ui.dayList.replaceChildren();
    return;
  }
  ui.daysZone.hidden = !dated;
  ui.daysZone.textContent = zoneText(state.calendar?.time_zone);
  ui.dayList.replaceChildren(...stages.map((s) => dayRow(s, stages.length)));
}

// Scrolls to a day's row and marks it, and its stretch of the profile.
export function showDay(day) {
  const row = document.getElementById(`day-${day}`);
  if (!row) return;
  for (const r of ui.dayList.children) r.classList.toggle('day-current', r === row);
  for (const link of ui.profile.querySelectorAll('.profile-day')) {
    link.classList.toggle('profile-day-current', link.dataset.day === String(day));
  }
  const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  row.scrollIntoView({ block: 'nearest', behavior: smooth ? 'smooth' : 'auto' });
  row.focus({ preventScroll: true });
}
