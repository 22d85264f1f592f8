// The page's elements, and small helpers to make more.

const $ = (id) => document.getElementById(id);

export const ui = {
  form: $('search'),
  originText: $('origin-text'),
  drive: $('drive'),
  driveValue: $('drive-value'),
  length: $('length'),
  lengthValue: $('length-value'),
  days: $('days'),
  daysError: $('days-error'),
  placeQuery: $('place-query'),
  placeResults: $('place-results'),
  locate: $('locate'),
  coverageText: $('coverage-text'),
  resultsHeading: $('results-heading'),
  detailsTitle: $('details-title'),
  detailsMeta: $('details-meta'),
  longDay: $('long-day'),
  showOnMap: $('show-on-map'),
  showList: $('show-list'),
  showMap: $('show-map'),
  moveMap: $('move-map'),
  startDate: $('start-date'),
  startDateError: $('start-date-error'),
  startTime: $('start-time'),
  startTimeError: $('start-time-error'),
  find: $('find'),
  status: $('status'),
  list: $('loop-list'),
  calendarNote: $('calendar-note'),
  details: $('details'),
  profile: $('profile'),
  daysPanel: $('days-panel'),
  daysZone: $('days-zone'),
  dayList: $('day-list'),
  save: $('save'),
  gpx: $('gpx'),
  share: $('share'),
  mapNote: $('map-note'),
};

// Narrow screens stack the map over the panel and switch between them.
export const PHONE = window.matchMedia('(max-width: 760px)');
export const COARSE = window.matchMedia('(pointer: coarse)');

export function span(className, text) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}

// Leaflet puts a string tooltip in as HTML: names come from OpenStreetMap and from
// saved plans, so they go in as text.
export function textNode(text) {
  const el = document.createElement('span');
  el.textContent = text;
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(name, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}
