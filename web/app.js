// TrailLoop's page: pick an origin on the map, ask /v1/loops for loop hikes (for a start
// date, when one is set), show them on the map and in a list, draw the selected one's
// elevation profile and its days one by one, save it as a plan (share link, GPX). Plain
// ES module; Leaflet is loaded before it as the global `L`.

const L = window.L;

const KM_PER_MI = 1.609344;
const FT_PER_M = 3.28084;
const START_VIEW = { center: [42.55, 1.55], zoom: 11 }; // Andorra
// The loops and the trail network are OpenStreetMap data, whatever the tiles are.
const OSM_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
// /v1/network answers for at most this many degrees each way.
const NETWORK_MAX_SPAN_DEG = 0.5;
const PLAN_NAME_MAX = 200; // what POST /v1/plans takes

const UNITS = {
  metric: { distance: 'km', climb: 'm', driveField: 'max_drive_km', targetField: 'target_km' },
  imperial: { distance: 'mi', climb: 'ft', driveField: 'max_drive_mi', targetField: 'target_mi' },
};

const LINE_STYLE = {
  selected: { color: '#c2410c', weight: 6, opacity: 0.95 },
  other: { color: '#64748b', weight: 3, opacity: 0.7 },
};
const NETWORK_STYLE = {
  road: { className: 'network-line network-road', color: '#a8a29e', weight: 1.5, opacity: 0.6 },
  trail: { className: 'network-line network-trail', color: '#15803d', weight: 1.2, opacity: 0.7, dashArray: '3 3' },
};
const MARKER_STYLE = {
  trailhead: { className: 'trailhead-marker', radius: 7, color: '#1e3a8a', fillColor: '#3b82f6', fillOpacity: 1, weight: 2 },
  night: { className: 'night-marker', radius: 8, color: '#312e81', fillColor: '#a5b4fc', fillOpacity: 1, weight: 2 },
  highlight: { className: 'highlight-marker', radius: 4, color: '#166534', fillColor: '#4ade80', fillOpacity: 1, weight: 1 },
};

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('search'),
  originText: $('origin-text'),
  drive: $('drive'),
  driveValue: $('drive-value'),
  length: $('length'),
  lengthValue: $('length-value'),
  days: $('days'),
  startDate: $('start-date'),
  startTime: $('start-time'),
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

const state = {
  units: 'metric',
  origin: null,
  loops: [],
  selected: null,
  calendar: null, // the latest search's `calendar`, when the service sent one
  planIds: new WeakMap(), // loop object -> id of the plan it was saved as
  request: null, // AbortController of the latest search or plan load
  busy: false,
};

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

// ---- Units ---------------------------------------------------------------------------

// Reads `<base>_km` or `<base>_mi` in the chosen units; plans saved before the service
// sent miles have kilometres only.
function distanceIn(obj, base) {
  const km = obj[`${base}_km`];
  if (state.units === 'metric') return km;
  return obj[`${base}_mi`] ?? (km == null ? km : km / KM_PER_MI);
}

function climbIn(obj, base) {
  const m = obj[`${base}_m`];
  if (state.units === 'metric') return m;
  return obj[`${base}_ft`] ?? (m == null ? m : m * FT_PER_M);
}

const formatDistance = (v) => `${number.format(v)} ${UNITS[state.units].distance}`;
const formatClimb = (v) => `${whole.format(v)} ${UNITS[state.units].climb}`;

function formatDuration(hours) {
  const minutes = Math.round(hours * 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const trailheadName = (loop) => loop.trailhead.name ?? `Trailhead ${loop.trailhead.id}`;
const KIND_LABEL = { loop: 'Loop', lollipop: 'Lollipop', out_and_back: 'Out and back' };

// ---- Service -------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// Fetches JSON; a non-2xx answer throws an ApiError carrying its problem+json.
async function api(url, options = {}) {
  let response;
  try {
    response = await fetch(url, {
      ...options,
      headers: { Accept: 'application/json', ...options.headers },
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, { detail: 'Could not reach the TrailLoop service.' });
  }
  const body = await response.json().catch(() => ({}));
  options.signal?.throwIfAborted(); // an abort while reading the body must not pass as {}
  if (!response.ok) throw new ApiError(response.status, { title: response.statusText, ...body });
  return body;
}

const postJson = (url, body, signal) =>
  api(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });

// ---- Status area ---------------------------------------------------------------------

// kind: 'info', 'busy' or 'error'; lines: further lines (field errors, warnings).
function setStatus(text, kind = 'info', lines = []) {
  ui.status.replaceChildren();
  ui.status.className = `status status-${kind}`;
  const p = document.createElement('p');
  p.textContent = text;
  ui.status.append(p);
  if (lines.length) {
    const ul = document.createElement('ul');
    for (const line of lines) {
      const li = document.createElement('li');
      li.textContent = line;
      ul.append(li);
    }
    ui.status.append(ul);
  }
}

function showError(err) {
  const errors = err.problem?.errors ?? [];
  setStatus(
    err.message,
    'error',
    errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)),
  );
  markFields(errors);
}

// The form's fields a 422 can name, each with the element that shows its message.
const FIELD_INPUTS = {
  start_date: { input: ui.startDate, message: $('start-date-error') },
  start_time: { input: ui.startTime, message: $('start-time-error') },
};

// Marks the fields the service rejected: aria-invalid, and the message under the field
// (which the field names in its aria-describedby).
function markFields(errors) {
  for (const e of errors) {
    const field = FIELD_INPUTS[String(e.field ?? '').replace(/^body\./, '')];
    if (!field) continue;
    field.input.setAttribute('aria-invalid', 'true');
    field.message.textContent = e.message ?? 'This value is not accepted.';
    field.message.hidden = false;
  }
}

function clearFieldError({ input, message }) {
  input.removeAttribute('aria-invalid');
  message.hidden = true;
  message.textContent = '';
}

// ---- Map -----------------------------------------------------------------------------

let map;
let originMarker = null;
let networkLayer = null;
const networkRenderer = L.svg({ pane: 'network' });
const loopLines = new Map(); // loop object -> its polyline
const loopLayer = L.layerGroup();
const selectionLayer = L.layerGroup(); // the selected loop's trailhead, nights, highlights

function createMap(config) {
  L.Icon.Default.imagePath = '/vendor/leaflet/images/';
  map = L.map('map', { maxZoom: config.tile_max_zoom ?? 19, minZoom: 3 }).setView(
    START_VIEW.center,
    START_VIEW.zoom,
  );
  // The trail network lies under the loops (overlayPane is at z-index 400).
  map.createPane('network').style.zIndex = 350;
  map.attributionControl.addAttribution(OSM_ATTRIBUTION);
  if (config.tile_url) {
    L.tileLayer(config.tile_url, {
      maxZoom: config.tile_max_zoom ?? 19,
      attribution: config.tile_attribution ?? '',
    })
      .once('tileerror', () => {
        ui.mapNote.textContent = 'Map tiles could not be loaded: trails are drawn on a plain background.';
        ui.mapNote.hidden = false;
      })
      .addTo(map);
  }
  loopLayer.addTo(map);
  selectionLayer.addTo(map);
  map.on('click', (e) => setOrigin(e.latlng));
  // Without a pointer: pan with the arrow keys, then Enter takes the map's centre
  // (Enter on a control inside the map, such as zoom, is that control's).
  map.on('keydown', (e) => {
    const { key, target } = e.originalEvent;
    if (key === 'Enter' && target === map.getContainer()) setOrigin(map.getCenter());
  });
  window.trailloopMap = map; // the browser test turns coordinates into clicks with it
}

async function loadConfig() {
  try {
    return await api('/app-config.json');
  } catch (err) {
    console.warn('no /app-config.json, showing the map without tiles:', err.message);
    return { tile_url: null };
  }
}

function setOrigin(latlng) {
  state.origin = latlng.wrap();
  if (originMarker) originMarker.setLatLng(state.origin);
  else {
    originMarker = L.marker(state.origin, { title: 'Start', keyboard: false }).addTo(map);
  }
  ui.originText.textContent = `${state.origin.lat.toFixed(4)}, ${state.origin.lng.toFixed(4)}`;
  ui.find.disabled = state.busy;
}

const toLatLngs = (lineString) => lineString.coordinates.map(([lon, lat]) => [lat, lon]);

function drawLoops() {
  loopLayer.clearLayers();
  loopLines.clear();
  for (const loop of state.loops) {
    if (loop.approach) {
      L.polyline(toLatLngs(loop.approach.geometry), {
        className: 'approach-line',
        dashArray: '4 6',
        interactive: false,
        ...LINE_STYLE.other,
      }).addTo(loopLayer);
    }
    const line = L.polyline(toLatLngs(loop.geometry), {
      className: 'loop-line',
      ...LINE_STYLE.other,
    })
      .bindTooltip(textNode(`${loop.rank}. ${trailheadName(loop)}`), { sticky: true })
      .on('click', (e) => {
        L.DomEvent.stopPropagation(e); // not a new origin
        selectLoop(loop);
      })
      .addTo(loopLayer);
    loopLines.set(loop, line);
  }
}

// Leaflet puts a string tooltip in as HTML: names come from OpenStreetMap and from
// saved plans, so they go in as text.
function textNode(text) {
  const el = document.createElement('span');
  el.textContent = text;
  return el;
}

function highlightLine(loop) {
  for (const [l, line] of loopLines) {
    const selected = l === loop;
    line.setStyle(selected ? LINE_STYLE.selected : LINE_STYLE.other);
    line.getElement()?.classList.toggle('selected', selected);
    if (selected) line.bringToFront();
  }
}

function drawSelection(loop) {
  selectionLayer.clearLayers();
  const th = loop.trailhead;
  L.circleMarker([th.lat, th.lon], MARKER_STYLE.trailhead)
    .bindTooltip(textNode(`Trailhead: ${trailheadName(loop)}`))
    .addTo(selectionLayer);
  for (const stage of loop.stages ?? []) {
    const night = stage.night;
    if (!night) continue;
    L.circleMarker([night.lat, night.lon], MARKER_STYLE.night)
      .bindTooltip(textNode(`Night after day ${stage.day}: ${night.name ?? night.kind} (${String(night.kind).replaceAll('_', ' ')})`))
      .addTo(selectionLayer);
  }
  for (const h of loop.highlights ?? []) {
    L.circleMarker([h.lat, h.lon], MARKER_STYLE.highlight)
      .bindTooltip(textNode(`${h.name ?? h.kind} (${h.kind})`))
      .addTo(selectionLayer);
  }
}

function loopsBounds() {
  return L.latLngBounds(state.loops.flatMap((loop) => toLatLngs(loop.geometry)));
}

// The loops' box padded by 10 %, no larger than the service's limit around its centre.
function networkBbox(bounds) {
  const b = bounds.pad(0.1);
  const c = b.getCenter();
  const halfLon = Math.min((b.getEast() - b.getWest()) / 2, NETWORK_MAX_SPAN_DEG / 2);
  const halfLat = Math.min((b.getNorth() - b.getSouth()) / 2, NETWORK_MAX_SPAN_DEG / 2);
  return [c.lng - halfLon, c.lat - halfLat, c.lng + halfLon, c.lat + halfLat].map((x) =>
    x.toFixed(5),
  );
}

// The trail network is context only: without it the loops still stand.
async function loadNetwork(bounds, signal) {
  try {
    const data = await api(`/v1/network?bbox=${networkBbox(bounds).join(',')}`, { signal });
    networkLayer = L.geoJSON(data, {
      renderer: networkRenderer,
      interactive: false,
      // className only takes before the lines are on the map, as here. `road`: cars use it.
      style: (feature) => (feature.properties?.road ? NETWORK_STYLE.road : NETWORK_STYLE.trail),
    }).addTo(map);
  } catch (err) {
    if (err.name !== 'AbortError') console.warn('trail network unavailable:', err.message);
  }
}

function clearNetwork() {
  networkLayer?.remove();
  networkLayer = null;
}

// ---- List ----------------------------------------------------------------------------

function span(className, text) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}

function driveText(th) {
  const d = distanceIn(th, 'drive');
  if (d == null) return 'no road leads there';
  const minutes = th.drive_minutes == null ? '' : `, ${formatDuration(th.drive_minutes / 60)}`;
  return `${formatDistance(d)} drive${minutes}`;
}

function renderList() {
  ui.list.replaceChildren(
    ...state.loops.map((loop) => {
      const li = document.createElement('li');
      li.dataset.testid = 'loop-item';
      li.dataset.rank = loop.rank;
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-pressed', String(loop === state.selected));
      const days = loop.days > 1 ? ` · ${loop.days} days` : '';
      button.append(
        span('loop-rank', String(loop.rank)),
        span('loop-title', trailheadName(loop)),
        span(
          'loop-stats',
          `${formatDistance(distanceIn(loop, 'distance'))} · ↑ ${formatClimb(climbIn(loop, 'ascent'))} · ${formatDuration(loop.duration_h)}`,
        ),
        span(`loop-difficulty difficulty-${loop.difficulty}`, loop.difficulty),
        span('loop-meta', `${KIND_LABEL[loop.kind] ?? loop.kind}${days} · ${driveText(loop.trailhead)}`),
      );
      button.addEventListener('click', () => selectLoop(loop));
      li.append(button);
      return li;
    }),
  );
}

// ---- Elevation profile ---------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(name, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// Kilometres from the first vertex to each vertex of `coords` ([lon, lat, ...]), on a
// sphere: close enough to place a marker on the chart.
function distancesAlong(coords) {
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

function renderProfile(loop) {
  const points = loop.profile?.points ?? [];
  if (points.length < 2) {
    ui.profile.replaceChildren(span('profile-empty', 'No elevation data for this loop.'));
    return;
  }
  const imperial = state.units === 'imperial';
  const xs = points.map(([km]) => (imperial ? km / KM_PER_MI : km));
  const ys = points.map(([, m]) => (imperial ? m * FT_PER_M : m));
  const xMax = xs[xs.length - 1] || 1;
  const yMin = Math.min(...ys);
  const yMax = Math.max(...ys);
  const ySpan = Math.max(yMax - yMin, 1); // a flat loop still gets a line

  // About the panel's width in CSS pixels, so the labels' 11px stay readable.
  const W = 340, H = 150, left = 52, right = 8, top = 18, bottom = 20;
  const px = (x) => left + (x / xMax) * (W - left - right);
  const py = (y) => top + (1 - (y - yMin) / ySpan) * (H - top - bottom);
  const line = xs.map((x, i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(ys[i]).toFixed(1)}`).join('');
  const base = (H - bottom).toFixed(1);

  const unit = UNITS[state.units];
  const stages = loop.stages ?? [];
  const multiDay = stages.length > 1;
  const label = `Elevation profile over ${formatDistance(xMax)}: from ${formatClimb(yMin)} to ${formatClimb(yMax)}`;
  // With days to link to, the chart is a group of links; its drawing stays an image.
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: multiDay ? 'group' : 'img', 'aria-label': label });
  const chart = multiDay ? svg('g', { 'aria-hidden': 'true' }) : root;
  chart.append(
    svg('line', { class: 'profile-axis', x1: left, y1: top, x2: left, y2: base }),
    svg('line', { class: 'profile-axis', x1: left, y1: base, x2: W - right, y2: base }),
    svg('path', { class: 'profile-area', d: `${line}L${px(xMax).toFixed(1)},${base}L${left},${base}Z` }),
    svg('path', { class: 'profile-line', 'data-testid': 'profile-path', d: line }),
    svg('text', { class: 'profile-label', x: left - 6, y: top + 4, 'text-anchor': 'end' }, formatClimb(yMax)),
    svg('text', { class: 'profile-label', x: left - 6, y: base, 'text-anchor': 'end' }, formatClimb(yMin)),
    svg('text', { class: 'profile-label', x: left, y: H - 6, 'text-anchor': 'start' }, `0 ${unit.distance}`),
    svg('text', { class: 'profile-label', x: W - right, y: H - 6, 'text-anchor': 'end' }, formatDistance(xMax)),
  );
  if (multiDay) {
    root.append(chart);
    // Each day of a multi-day plan: its stretch of the chart, a link to its row in the
    // day-by-day list, and a line where its night falls. Days run from their first to
    // their last vertex, measured along the line the profile is drawn from (access
    // paths and all) and scaled to the profile's length.
    const along = distancesAlong(loop.geometry.coordinates);
    const total = along[along.length - 1] || 1;
    const xAt = (index) => px(Math.min(1, (along[index] ?? total) / total) * xMax);
    for (const stage of stages) {
      const x0 = xAt(stage.start_index);
      const x1 = Math.max(xAt(stage.end_index), x0 + 1);
      const link = svg('a', {
        href: `#day-${stage.day}`,
        class: 'profile-day',
        'data-testid': 'profile-day',
        'data-day': stage.day,
        'aria-label': `Day ${stage.day}${stage.date ? `, ${formatDate(stage.date)}` : ''}: show it in the day-by-day list`,
      });
      link.append(
        svg('rect', { class: 'profile-day-band', x: x0.toFixed(1), y: 0, width: (x1 - x0).toFixed(1), height: base }),
        svg(
          'text',
          { class: 'profile-label profile-day-label', x: ((x0 + x1) / 2).toFixed(1), y: top - 6, 'text-anchor': 'middle' },
          x1 - x0 >= 40 ? `Day ${stage.day}` : String(stage.day),
        ),
      );
      link.addEventListener('click', (e) => {
        e.preventDefault(); // no jump through the URL's fragment: the list scrolls itself
        showDay(stage.day);
      });
      root.append(link);
      if (stage.night) {
        const x = x1.toFixed(1);
        chart.append(svg('line', { class: 'profile-night', x1: x, y1: top, x2: x, y2: base }));
      }
    }
  }
  ui.profile.replaceChildren(root);
}

// ---- Day by day ----------------------------------------------------------------------

// Dates and times are read from the answer's strings as written: a day's date
// (YYYY-MM-DD) and the local clock time of an RFC 3339 time at the trailhead, never
// turned into the browser's time zone.
const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
});

function formatDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd ?? '');
  return m ? DATE_FORMAT.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))) : ymd;
}

// "2026-12-15T08:00:00+01:00" -> "08:00"; null when it is no such time.
function clockTime(rfc3339) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(rfc3339 ?? '');
  return m ? `${m[2]}:${m[3]}` : null;
}
const datePart = (rfc3339) => String(rfc3339 ?? '').slice(0, 10);

// Hours as a margin: "35 min", "2.0 h".
function formatMargin(hours) {
  const h = Math.abs(hours);
  return h < 1 ? `${Math.round(h * 60)} min` : `${h.toFixed(1)} h`;
}

const NIGHT_KIND = {
  hut: 'hut', camp_site: 'camp site', shelter: 'shelter', lodging: 'lodging', trailhead: 'trailhead',
};
const WATER_KIND = {
  drinking_water: 'drinking water', spring: 'spring', water_tap: 'tap', water_point: 'water point',
};
const kindLabel = (labels, kind) => labels[kind] ?? String(kind ?? '').replaceAll('_', ' ');

// A place's OSM `website` as a link, when it is a web address (the first of several).
function websiteLink(website, placeName) {
  let href = String(website ?? '').split(';')[0].trim();
  if (!href) return null;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(href)) href = `https://${href}`;
  let url;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const a = document.createElement('a');
  a.href = url.href;
  a.target = '_blank';
  a.rel = 'noopener';
  a.textContent = 'website';
  a.setAttribute('aria-label', `${placeName}: website`);
  a.dataset.testid = 'night-website';
  return a;
}

// The day's start and end against daylight; null for an undated day.
function timesFact(stage) {
  const start = clockTime(stage.start_time);
  const end = clockTime(stage.end_time);
  if (!start || !end) return null;
  const dd = document.createElement('dd');
  dd.className = 'day-times';
  const nextDay = datePart(stage.end_time) > datePart(stage.start_time) ? ' (next day)' : '';
  const parts = [`${start} – ${end}${nextDay}`];
  // A day that ends after sunset is a warning; one with less to spare than the service
  // plans for, or that starts before sunrise (in the morning's twilight), a caution.
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
      const wanted = state.calendar?.daylight_margin_h;
      if (typeof wanted === 'number' && margin < wanted) level = 'tight';
    }
  }
  if (sunrise && Date.parse(stage.start_time) < Date.parse(stage.sunrise)) {
    parts.push(`starts before sunrise (${sunrise})`);
    if (level === 'ok') level = 'tight';
  }
  if (level === 'warning') {
    dd.append(span('day-warning-icon', '⚠ '), span('visually-hidden', 'Warning: '));
  }
  dd.append(document.createTextNode(parts.join(' · ')));
  dd.classList.add(`day-times-${level}`);
  return dd;
}

// Where the night after the day is spent: the place, its capacity, website, and whether
// it is open on that date.
function nightFact(stage, lastDay) {
  const dd = document.createElement('dd');
  dd.className = 'day-night';
  const night = stage.night;
  if (!night) {
    dd.textContent = lastDay ? 'Back at the trailhead' : 'No place planned';
    return dd;
  }
  const kind = kindLabel(NIGHT_KIND, night.kind);
  const name = night.name ?? kind;
  const place = span('day-night-name', name);
  place.dataset.testid = 'night-name';
  dd.append(place);
  const facts = [];
  if (night.kind === 'trailhead') facts.push('at the trailhead');
  else if (night.name) facts.push(kind);
  if (night.capacity) {
    facts.push(/^\d+$/.test(night.capacity) ? `sleeps ${night.capacity}` : `capacity ${night.capacity}`);
  }
  if (night.off_trail_km >= 0.1) facts.push(`${formatDistance(distanceIn(night, 'off_trail'))} off the trail`);
  if (facts.length) dd.append(document.createTextNode(` (${facts.join(', ')})`));
  if (night.open === 'yes' || night.open === 'unknown') {
    const tag = night.open_tag;
    const raw = tag ? night[tag] : null;
    let text = night.open === 'yes' ? 'open' : 'opening not known';
    if (tag) text += ` (OSM ${tag}${raw == null ? '' : `=${raw}`})`;
    else if (night.open === 'unknown') text += ' (no opening tags in OSM)';
    dd.append(document.createTextNode(' · '));
    const status = span(`day-open day-open-${night.open}`, text);
    status.dataset.testid = 'night-open';
    dd.append(status);
  }
  const link = websiteLink(night.website, name);
  if (link) dd.append(document.createTextNode(' · '), link);
  return dd;
}

// The water the day passes: how many, and their names (unnamed ones counted by kind).
function waterFact(stage) {
  const dd = document.createElement('dd');
  dd.className = 'day-water';
  const water = stage.water ?? [];
  if (!water.length) {
    dd.textContent = stage.has_water ? 'at the start or the end of the day' : 'none on the way: carry enough';
    if (!stage.has_water) dd.classList.add('day-water-none');
    return dd;
  }
  const names = [];
  const unnamed = new Map();
  for (const w of water) {
    if (w.name) names.push(w.name);
    else unnamed.set(kindLabel(WATER_KIND, w.kind), (unnamed.get(kindLabel(WATER_KIND, w.kind)) ?? 0) + 1);
  }
  for (const [kind, n] of unnamed) names.push(n === 1 ? kind : `${n}× ${kind}`);
  dd.textContent = `${water.length} ${water.length === 1 ? 'place' : 'places'}: ${names.join(', ')}`;
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
  walk.textContent =
    `${formatDistance(distanceIn(stage, 'distance'))} · ↑ ${formatClimb(climbIn(stage, 'ascent'))} ` +
    `↓ ${formatClimb(climbIn(stage, 'descent'))} · ${formatDuration(stage.duration_h)} walking`;
  fact(dl, 'Walk', walk);
  fact(dl, 'Times', timesFact(stage));
  fact(dl, 'Night', count > 1 ? nightFact(stage, stage.day === count) : null);
  fact(dl, 'Water', waterFact(stage));
  li.append(h, dl);
  return li;
}

// One row per day: for a multi-day plan, and for a day hike planned for a date.
function renderDays(loop) {
  const stages = loop.stages ?? [];
  const dated = stages.some((s) => s.date);
  ui.daysPanel.hidden = !(stages.length > 1 || (stages.length === 1 && dated));
  if (ui.daysPanel.hidden) {
    ui.dayList.replaceChildren();
    return;
  }
  const zone = state.calendar?.time_zone;
  ui.daysZone.hidden = !dated;
  ui.daysZone.textContent = zone
    ? `Times are local at the trailhead (${zone}).`
    : 'Times are local at the trailhead.';
  ui.dayList.replaceChildren(...stages.map((s) => dayRow(s, stages.length)));
}

// Scrolls to a day's row and marks it, and its stretch of the profile.
function showDay(day) {
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

// ---- Selection, saving ---------------------------------------------------------------

function selectLoop(loop) {
  state.selected = loop;
  for (const button of ui.list.querySelectorAll('button[aria-pressed]')) {
    button.setAttribute('aria-pressed', String(button.parentElement.dataset.rank === String(loop.rank)));
  }
  highlightLine(loop);
  drawSelection(loop);
  renderProfile(loop);
  renderDays(loop);
  ui.details.hidden = false;
  showPlanLinks(loop);
}

// The share and GPX links exist once the selected loop is saved as a plan.
function showPlanLinks(loop) {
  const id = state.planIds.get(loop);
  ui.save.disabled = id !== undefined;
  ui.save.textContent = id === undefined ? 'Save' : 'Saved';
  ui.gpx.hidden = ui.share.hidden = id === undefined;
  if (id === undefined) return;
  ui.gpx.href = `/v1/plans/${id}/gpx`;
  ui.gpx.download = `trailloop-${id}.gpx`;
  ui.share.href = new URL(`/?plan=${encodeURIComponent(id)}`, window.location.origin).href;
  ui.share.title = ui.share.href;
}

async function saveSelected() {
  const loop = state.selected;
  ui.save.disabled = true;
  ui.save.textContent = 'Saving…';
  try {
    const name = `${trailheadName(loop)} loop`.slice(0, PLAN_NAME_MAX);
    const plan = await postJson('/v1/plans', { name, loop });
    state.planIds.set(loop, plan.id);
    setStatus(`Saved “${name}”. The links below open and download it.`);
  } catch (err) {
    showError(err);
  }
  if (state.selected === loop) showPlanLinks(loop);
}

// ---- Search --------------------------------------------------------------------------

// The service's word on the dates: shown when it could not plan for the date asked.
function showCalendar(calendar) {
  state.calendar = calendar ?? null;
  const note = calendar && calendar.planned_for_date === false ? calendar.note : null;
  ui.calendarNote.textContent = note ?? '';
  ui.calendarNote.hidden = !note;
}

function showLoops(loops) {
  state.loops = loops;
  state.selected = null;
  clearNetwork();
  drawLoops();
  renderList();
  ui.details.hidden = true;
  selectionLayer.clearLayers();
  if (!loops.length) return null;
  const bounds = loopsBounds();
  map.fitBounds(bounds, { padding: [24, 24] });
  selectLoop(loops[0]);
  return bounds;
}

// A new search or plan supersedes the one in flight, its network request included.
function startRequest() {
  state.request?.abort();
  state.request = new AbortController();
  return state.request;
}

// Busy while loops are being found; the trail network loads after, without blocking.
function setBusy(busy) {
  state.busy = busy;
  ui.find.disabled = busy || !state.origin;
  ui.list.setAttribute('aria-busy', String(busy));
}

async function search(event) {
  event.preventDefault();
  if (!state.origin) return;
  const controller = startRequest();
  const unit = UNITS[state.units];
  const body = {
    origin: { lat: state.origin.lat, lon: state.origin.lng },
    [unit.driveField]: Number(ui.drive.value),
    [unit.targetField]: Number(ui.length.value),
    days: Number(ui.days.value),
    max_results: 3,
    units: state.units,
  };
  // A start date plans the days' times and nights for it; the time means nothing without.
  if (ui.startDate.value) {
    body.start_date = ui.startDate.value;
    if (ui.startTime.value) body.start_time = ui.startTime.value.slice(0, 5);
  }
  for (const field of Object.values(FIELD_INPUTS)) clearFieldError(field);
  setBusy(true);
  setStatus('Searching for loops… this can take a little while.', 'busy');
  let answer;
  try {
    answer = await postJson('/v1/loops', body, controller.signal);
  } catch (err) {
    if (err.name === 'AbortError') return; // superseded: the newer request owns the page
    setBusy(false);
    showError(err);
    return;
  }
  setBusy(false);
  showCalendar(answer.calendar);
  const bounds = showLoops(answer.loops);
  const n = answer.loops.length;
  const summary = answer.message ?? (n ? `${n} loop${n === 1 ? '' : 's'} found.` : 'No loops found.');
  setStatus(summary, 'info', answer.warnings ?? []);
  if (bounds) await loadNetwork(bounds, controller.signal);
}

async function openPlan(id) {
  const controller = startRequest();
  setStatus('Loading the saved plan…', 'busy');
  let plan;
  try {
    plan = await api(`/v1/plans/${encodeURIComponent(id)}`, { signal: controller.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (err.status === 404) {
      setStatus('This saved plan does not exist: the link may be mistyped, or the plan was removed.', 'error');
    } else {
      showError(err);
    }
    return;
  }
  state.planIds.set(plan.loop, plan.id);
  showCalendar(null);
  const bounds = showLoops([plan.loop]);
  const saved = new Date(plan.created_at).toLocaleDateString('en', { dateStyle: 'medium' });
  setStatus(`Saved plan “${plan.name ?? trailheadName(plan.loop)}”, saved ${saved}.`);
  await loadNetwork(bounds, controller.signal);
}

// ---- Controls ------------------------------------------------------------------------

function showSliderValues() {
  const u = UNITS[state.units].distance;
  ui.driveValue.value = `${ui.drive.value} ${u}`;
  ui.lengthValue.value = `${ui.length.value} ${u}`;
}

// What each slider is set to in km: switching units back and forth must not drift.
const sliderKm = new Map();
const kmPerUnit = () => (state.units === 'imperial' ? KM_PER_MI : 1);

function onSlider(event) {
  sliderKm.set(event.target, Number(event.target.value) * kmPerUnit());
  showSliderValues();
}

// The sliders keep their ranges (5..150, 2..60) in either unit; their values carry over.
function setUnits(units) {
  state.units = units;
  for (const [input, km] of sliderKm) {
    const v = Math.round(km / kmPerUnit());
    input.value = String(Math.min(Number(input.max), Math.max(Number(input.min), v)));
  }
  showSliderValues();
  renderList();
  if (state.selected) {
    renderProfile(state.selected);
    renderDays(state.selected);
  }
}

async function main() {
  createMap(await loadConfig());
  ui.form.addEventListener('submit', search);
  ui.form.addEventListener('change', (e) => {
    if (e.target.name === 'units') setUnits(e.target.value);
  });
  ui.save.addEventListener('click', saveSelected);
  for (const field of Object.values(FIELD_INPUTS)) {
    field.input.addEventListener('input', () => clearFieldError(field));
  }
  // A reload may bring back the form's previous choices: start from what it shows.
  state.units = ui.form.elements.units.value;
  for (const input of [ui.drive, ui.length]) {
    input.addEventListener('input', onSlider);
    sliderKm.set(input, Number(input.value) * kmPerUnit());
  }
  showSliderValues();
  const plan = new URLSearchParams(window.location.search).get('plan');
  if (plan) await openPlan(plan);
}

main();
