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
// Each unit's slider ranges: about the same distances, in whole units of each.
const SLIDER_RANGE = {
  metric: { drive: [5, 150], length: [2, 60] },
  imperial: { drive: [3, 93], length: [1, 37] },
};
const DAYS_RANGE = [1, 14]; // what /v1/loops takes
// A day of walking longer than this is worth more than a difficulty tag.
const LONG_DAY_H = 10;
// Narrow screens stack the map over the panel and switch between them.
const PHONE = window.matchMedia('(max-width: 760px)');
const COARSE = window.matchMedia('(pointer: coarse)');

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
};
// Fill only: a region's coverage comes as tiles side by side, whose outlines would draw
// the seams between them.
const COVERAGE_STYLE = { className: 'coverage-area', stroke: false, fillColor: '#0d9488', fillOpacity: 0.1, interactive: false };
const DRIVE_STYLE = { className: 'drive-line', color: '#1e3a8a', weight: 3, opacity: 0.85, dashArray: '2 7', lineCap: 'round', interactive: false };
const HIGHLIGHT_LABEL = { peak: 'peak', lake: 'lake', waterfall: 'waterfall', viewpoint: 'viewpoint', hut: 'hut', saddle: 'pass' };

const $ = (id) => document.getElementById(id);
const ui = {
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
  originLabel: null, // the place's name when the start was chosen by name
  query: null, // the URL query of the search the shown loops answer (for share links)
  savedStatusFor: null, // the loop whose "Saved" message the status shows
  coverageBounds: null, // where the service has data, when it says
  view: 'list', // on a phone: 'list' (page) or 'map' (the map alone)
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

function clearStatus() {
  ui.status.replaceChildren();
  ui.status.className = 'status';
  state.savedStatusFor = null;
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
  days: { input: ui.days, message: ui.daysError },
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
let coverageLayer = null;
let positionMarker = null; // where the pointer is on the elevation profile
const networkRenderer = L.svg({ pane: 'network' });
const loopLines = new Map(); // loop object -> its polyline
const loopLayer = L.layerGroup();
const selectionLayer = L.layerGroup(); // the selected loop's trailhead, nights, highlights, drive

function createMap(config) {
  L.Icon.Default.imagePath = '/vendor/leaflet/images/';
  map = L.map('map', {
    maxZoom: config.tile_max_zoom ?? 19,
    minZoom: 3,
    // On a touch screen one finger scrolls the page; the map moves with two fingers
    // (pinch), in the map view, or once "Move map" is on.
    dragging: !COARSE.matches,
  }).setView(START_VIEW.center, START_VIEW.zoom);
  // The trail network lies under the loops (overlayPane is at z-index 400), the
  // coverage under both; a night's marker above the highlights (markerPane is at 600).
  map.createPane('coverage').style.zIndex = 300;
  map.createPane('network').style.zIndex = 350;
  map.createPane('nights').style.zIndex = 640;
  map.createPane('position').style.zIndex = 645; // the profile's position, above every marker
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

// Where the service has data: drawn lightly, and the first view fitted to it. Without
// the endpoint the map starts where the sample data is.
async function loadCoverage({ fit }) {
  let data;
  try {
    data = await api('/v1/coverage');
  } catch (err) {
    console.info('no coverage to draw:', err.message);
    return;
  }
  const features = (data.features ?? []).filter((f) => f.geometry);
  if (!features.length) return;
  coverageLayer = L.geoJSON({ type: 'FeatureCollection', features }, {
    pane: 'coverage',
    style: () => COVERAGE_STYLE,
    interactive: false,
  }).addTo(map);
  const regions = features
    .map((f) => f.properties ?? {})
    .map((p) => (p.trailheads ? `${p.region} (${whole.format(p.trailheads)} trailheads)` : p.region))
    .filter(Boolean);
  if (regions.length) {
    ui.coverageText.textContent = `Covered: ${regions.join(', ')}. The outlined area on the map.`;
    ui.coverageText.hidden = false;
  }
  const b = Array.isArray(data.bbox) && data.bbox.length === 4 ? data.bbox : null;
  const bounds = b ? L.latLngBounds([b[1], b[0]], [b[3], b[2]]) : coverageLayer.getBounds();
  state.coverageBounds = bounds;
  if (fit && bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8], animate: false });
}

// A new start: the loops found for the old one no longer answer anything.
function setOrigin(latlng, { label = null, keepResults = false } = {}) {
  state.origin = L.latLng(latlng).wrap();
  state.originLabel = label;
  const name = label ? `Start: ${label}` : 'Start';
  if (originMarker) originMarker.setLatLng(state.origin);
  else {
    originMarker = L.marker(state.origin, { title: name, alt: name, keyboard: false }).addTo(map);
  }
  originMarker.options.title = name;
  originMarker.getElement()?.setAttribute('alt', name);
  originMarker.getElement()?.setAttribute('title', name);
  const coords = `${state.origin.lat.toFixed(4)}, ${state.origin.lng.toFixed(4)}`;
  ui.originText.textContent = label ? `${label} (${coords})` : coords;
  ui.originText.dataset.lat = state.origin.lat.toFixed(5);
  ui.originText.dataset.lon = state.origin.lng.toFixed(5);
  setBusy(state.busy);
  if (!keepResults) {
    state.request?.abort(); // a search for the old start answers nothing now
    setBusy(false);
    clearResults();
    clearStatus();
  }
}

const toLatLngs = (lineString) => lineString.coordinates.map(([lon, lat]) => [lat, lon]);

// A loop's title: its name, else where it starts.
const loopTitle = (loop) => loop.name || `${trailheadName(loop)} loop`;

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
      .bindTooltip(textNode(`${loop.rank}. ${loopTitle(loop)}`), { sticky: true })
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

// A marker a keyboard reaches (role=button, named by its title), its tooltip shown on
// hover and on focus.
function namedMarker(latlng, { name, className, size, pane, label, permanent = false }) {
  const icon = L.divIcon({ className, iconSize: [size, size], html: '' });
  const marker = L.marker(latlng, { icon, title: name, alt: name, keyboard: true, riseOnHover: true, ...(pane ? { pane } : {}) });
  marker.bindTooltip(textNode(label ?? name), {
    permanent,
    direction: permanent ? 'right' : 'top',
    offset: permanent ? [size / 2, 0] : [0, -size / 2],
    className: permanent ? 'map-label' : '',
  });
  marker.on('add', () => marker.getElement()?.setAttribute('aria-label', name));
  return marker;
}

function drawSelection(loop) {
  selectionLayer.clearLayers();
  const th = loop.trailhead;
  const drive = th.drive_geometry;
  if (drive?.type === 'LineString' && drive.coordinates?.length >= 2) {
    L.polyline(toLatLngs(drive), DRIVE_STYLE)
      .addTo(selectionLayer);
  }
  namedMarker([th.lat, th.lon], {
    name: `Trailhead: ${trailheadName(loop)}`,
    className: 'trailhead-marker',
    size: 18,
  }).addTo(selectionLayer);
  for (const stage of loop.stages ?? []) {
    const night = stage.night;
    if (!night) continue;
    const place = night.name ?? kindLabel(NIGHT_KIND, night.kind);
    namedMarker([night.lat, night.lon], {
      name: `Night after day ${stage.day}: ${place} (${kindLabel(NIGHT_KIND, night.kind)})`,
      className: 'night-marker',
      size: 26, // above the highlights and larger than them: a hut that is both stays reachable
      pane: 'nights',
    }).addTo(selectionLayer);
  }
  for (const h of loop.highlights ?? []) {
    const kind = HIGHLIGHT_LABEL[h.kind] ?? kindLabel({}, h.kind);
    const elevation = h.elevation_m != null && h.kind === 'peak' ? ` ${formatClimb(climbIn(h, 'elevation'))}` : '';
    const name = h.name ? `${h.name}${elevation}` : kind;
    namedMarker([h.lat, h.lon], {
      name: `${h.name ? `${name}, ${kind}` : name}`,
      label: name,
      className: `highlight-marker highlight-${h.kind}`,
      size: 14,
      permanent: Boolean(h.name),
    }).addTo(selectionLayer);
  }
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

// The longest day of a loop when it is more than a day's walking: its hours and which day.
function longDay(loop) {
  const stages = loop.stages?.length ? loop.stages : [{ day: 1, duration_h: loop.duration_h }];
  let worst = null;
  for (const s of stages) {
    if (s.duration_h > LONG_DAY_H && (!worst || s.duration_h > worst.duration_h)) worst = s;
  }
  if (!worst) return null;
  const which = stages.length > 1 ? `Day ${worst.day} is` : 'This is';
  return `Long day: ${which} about ${formatDuration(worst.duration_h)} of walking, more than ${LONG_DAY_H} h. ` +
    (stages.length > 1 ? 'Plan more days or a shorter trip.' : 'Plan it over more days, or choose a shorter loop.');
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
      const title = span('loop-title', loopTitle(loop));
      title.dataset.testid = 'loop-title';
      button.append(
        span('loop-rank', String(loop.rank)),
        title,
        span(`loop-difficulty difficulty-${loop.difficulty}`, loop.difficulty),
        span(
          'loop-stats',
          `${formatDistance(distanceIn(loop, 'distance'))} · ↑ ${formatClimb(climbIn(loop, 'ascent'))} · ${formatDuration(loop.duration_h)}`,
        ),
        span('loop-meta', `${KIND_LABEL[loop.kind] ?? loop.kind}${days} from ${trailheadName(loop)} · ${driveText(loop.trailhead)}`),
      );
      const warning = longDay(loop);
      if (warning) {
        const w = span('loop-warning', `⚠ ${warning}`);
        w.dataset.testid = 'loop-warning';
        button.append(w);
      }
      button.addEventListener('click', () => selectLoop(loop, { fromList: true }));
      li.append(button);
      return li;
    }),
  );
}

// Nothing of an earlier search stays: loops, lines, the selected loop's details.
function clearResults() {
  state.loops = [];
  state.selected = null;
  state.query = null;
  loopLayer.clearLayers();
  loopLines.clear();
  selectionLayer.clearLayers();
  clearPosition();
  clearNetwork();
  ui.list.replaceChildren();
  ui.resultsHeading.hidden = true;
  ui.details.hidden = true;
  ui.dayList.replaceChildren();
  showCalendar(null);
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

// The grade classes of the profile's shading: below 8 %, 8-15 %, 15-25 %, steeper.
const GRADE_STEPS = [0.08, 0.15, 0.25];
const gradeClass = (grade) => {
  const g = Math.abs(grade);
  const i = GRADE_STEPS.findIndex((step) => g < step);
  return i === -1 ? GRADE_STEPS.length : i;
};

// The point of a LineString's coordinates at `km` along it (distances from distancesAlong).
function pointAlong(coords, along, km) {
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

function clearPosition() {
  positionMarker?.remove();
  positionMarker = null;
}

// Shows on the map where `share` (0..1) of the profile is.
function showPosition(loop, along, share) {
  const coords = loop.geometry.coordinates;
  const latlng = pointAlong(coords, along, share * along[along.length - 1]);
  if (!positionMarker) {
    positionMarker = L.circleMarker(latlng, {
      className: 'profile-position-marker', radius: 7, color: '#111827', weight: 3,
      fillColor: '#facc15', fillOpacity: 1, interactive: false, pane: 'position',
    }).addTo(map);
  } else positionMarker.setLatLng(latlng);
  // A place off the view is brought into it: the marker is there to be seen.
  if (!map.getBounds().contains(latlng)) map.panTo(latlng, { animate: false });
}

function renderProfile(loop) {
  clearPosition();
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
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': label });
  const chart = svg('g', { 'aria-hidden': 'true' });
  // The grade, shaded under the line: stretches of at least 200 m, each coloured by
  // its average steepness.
  const shading = svg('g', { class: 'profile-grades' });
  let from = 0;
  for (let i = 1; i < points.length; i++) {
    const run = points[i][0] - points[from][0];
    if (run < 0.2 && i < points.length - 1) continue;
    const grade = run > 0 ? (points[i][1] - points[from][1]) / (run * 1000) : 0;
    let d = `M${px(xs[from]).toFixed(1)},${base}`;
    for (let j = from; j <= i; j++) d += `L${px(xs[j]).toFixed(1)},${py(ys[j]).toFixed(1)}`;
    d += `L${px(xs[i]).toFixed(1)},${base}Z`;
    shading.append(svg('path', { class: `profile-grade grade-${gradeClass(grade)}`, d }));
    from = i;
  }
  chart.append(
    shading,
    svg('line', { class: 'profile-axis', x1: left, y1: top, x2: left, y2: base }),
    svg('line', { class: 'profile-axis', x1: left, y1: base, x2: W - right, y2: base }),
    svg('path', { class: 'profile-line', 'data-testid': 'profile-path', d: line }),
    svg('text', { class: 'profile-label', x: left - 6, y: top + 4, 'text-anchor': 'end' }, formatClimb(yMax)),
    svg('text', { class: 'profile-label', x: left - 6, y: base, 'text-anchor': 'end' }, formatClimb(yMin)),
    svg('text', { class: 'profile-label', x: left, y: H - 6, 'text-anchor': 'start' }, `0 ${unit.distance}`),
    svg('text', { class: 'profile-label', x: W - right, y: H - 6, 'text-anchor': 'end' }, formatDistance(xMax)),
  );
  root.append(chart);
  // Distances along the drawn line, the profile's x scaled onto them.
  const along = distancesAlong(loop.geometry.coordinates);
  const total = along[along.length - 1] || 1;
  if (multiDay) {
    // Each day of a multi-day plan: its stretch of the chart, a link to its row in the
    // day-by-day list, and a line where its night falls. Days run from their first to
    // their last vertex, measured along the line the profile is drawn from (access
    // paths and all) and scaled to the profile's length.
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
        svg('rect', { class: 'profile-day-band', x: x0.toFixed(1), y: 0, width: (x1 - x0).toFixed(1), height: top }),
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
  // The position: a pointer over the chart, or the arrow keys on it (a slider), shows
  // its place on the map and a line on the chart.
  const cursor = svg('line', { class: 'profile-cursor', x1: left, y1: top, x2: left, y2: base, visibility: 'hidden' });
  chart.append(cursor);
  const track = svg('rect', {
    class: 'profile-track', 'data-testid': 'profile-track',
    x: left, y: top, width: W - left - right, height: H - top - bottom,
    role: 'slider', tabindex: '0',
    'aria-label': 'Position along the loop: arrow keys move it, and the map shows where it is',
    'aria-valuemin': '0', 'aria-valuemax': number.format(xMax), 'aria-valuenow': '0',
  });
  root.append(track);
  let share = 0;
  const move = (s) => {
    share = Math.min(1, Math.max(0, s));
    const x = share * xMax;
    const i = Math.min(xs.length - 1, Math.max(0, xs.findIndex((v) => v >= x)));
    const cx = px(x).toFixed(1);
    cursor.setAttribute('x1', cx);
    cursor.setAttribute('x2', cx);
    cursor.setAttribute('visibility', 'visible');
    track.setAttribute('aria-valuenow', number.format(x));
    track.setAttribute('aria-valuetext', `${formatDistance(x)} along, at ${formatClimb(ys[i])}`);
    showPosition(loop, along, share);
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
    const step = { ArrowRight: 0.01, ArrowUp: 0.01, ArrowLeft: -0.01, ArrowDown: -0.01, PageUp: 0.1, PageDown: -0.1 }[e.key];
    if (step !== undefined) move(share + step);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(1);
    else return;
    e.preventDefault();
  });
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

function selectLoop(loop, { fromList = false } = {}) {
  if (state.savedStatusFor && state.savedStatusFor !== loop) clearStatus(); // "Saved" was another loop's
  state.selected = loop;
  for (const button of ui.list.querySelectorAll('button[aria-pressed]')) {
    button.setAttribute('aria-pressed', String(button.parentElement.dataset.rank === String(loop.rank)));
  }
  highlightLine(loop);
  drawSelection(loop);
  ui.detailsTitle.textContent = loopTitle(loop);
  ui.detailsMeta.textContent =
    `${formatDistance(distanceIn(loop, 'distance'))} · ↑ ${formatClimb(climbIn(loop, 'ascent'))} · ` +
    `${formatDuration(loop.duration_h)} · ${loop.difficulty} · from ${trailheadName(loop)} (${driveText(loop.trailhead)})`;
  const warning = longDay(loop);
  ui.longDay.textContent = warning ? `⚠ ${warning}` : '';
  ui.longDay.hidden = !warning;
  renderProfile(loop);
  renderDays(loop);
  ui.details.hidden = false;
  showPlanLinks(loop);
  if (fromList && PHONE.matches) {
    ui.detailsTitle.scrollIntoView({ block: 'nearest', behavior: 'auto' });
  }
}

// A plan's share link: the plan, and the search it came from (the form restored).
function shareUrl(id) {
  const params = new URLSearchParams(state.query ?? '');
  params.delete('plan');
  const query = params.toString();
  return new URL(`/?plan=${encodeURIComponent(id)}${query ? `&${query}` : ''}`, window.location.origin).href;
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
  ui.share.href = shareUrl(id);
  ui.share.title = ui.share.href;
}

async function saveSelected() {
  const loop = state.selected;
  ui.save.disabled = true;
  ui.save.textContent = 'Saving…';
  const name = loopTitle(loop).slice(0, PLAN_NAME_MAX);
  try {
    const plan = await postJson('/v1/plans', { name, loop });
    state.planIds.set(loop, plan.id);
    if (state.selected === loop) {
      setStatus(`Saved “${name}”.`);
      // The message carries its own links, so it stays useful where it is read.
      const p = ui.status.firstChild;
      const share = document.createElement('a');
      share.href = shareUrl(plan.id);
      share.textContent = 'Open the share link';
      share.dataset.testid = 'status-share-link';
      const gpx = document.createElement('a');
      gpx.href = `/v1/plans/${plan.id}/gpx`;
      gpx.download = `trailloop-${plan.id}.gpx`;
      gpx.textContent = 'download the GPX';
      p.append(' ', share, ' or ', gpx, '.');
      state.savedStatusFor = loop;
    }
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

function loopsBoundsOf(loops) {
  return L.latLngBounds(loops.flatMap((loop) => toLatLngs(loop.geometry)));
}

function showLoops(loops, heading, calendar = null) {
  clearResults();
  showCalendar(calendar); // before the days are drawn: their time zone
  state.loops = loops;
  drawLoops();
  renderList();
  ui.resultsHeading.textContent = heading;
  ui.resultsHeading.hidden = false;
  if (!loops.length) return null;
  const bounds = loopsBoundsOf(loops);
  if (state.origin) bounds.extend(state.origin);
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
// Find stays enabled (and focused, after Enter): pressing it again starts afresh.
function setBusy(busy) {
  state.busy = busy;
  ui.find.disabled = !state.origin;
  ui.list.setAttribute('aria-busy', String(busy));
}

const unitRange = (name) => SLIDER_RANGE[state.units][name];

// The form checked before it is sent: each wrong field marked, its message under it.
function validateForm() {
  const errors = [];
  const raw = ui.days.value.trim();
  const [min, max] = DAYS_RANGE;
  if (ui.days.validity.badInput || raw === '') {
    errors.push({ field: 'days', message: `Enter a number of days, ${min} to ${max}.` });
  } else if (!/^\d+$/.test(raw)) {
    errors.push({ field: 'days', message: `Days must be a whole number, ${min} to ${max}.` });
  } else if (Number(raw) < min || Number(raw) > max) {
    errors.push({ field: 'days', message: `Days must be ${min} to ${max}, not ${raw}.` });
  }
  const u = UNITS[state.units].distance;
  for (const [input, name, what] of [[ui.drive, 'drive', 'The longest drive'], [ui.length, 'length', 'The hike length']]) {
    const [lo, hi] = unitRange(name);
    const v = Number(input.value);
    if (!(v >= lo && v <= hi)) errors.push({ field: name, message: `${what} must be ${lo} to ${hi} ${u}.` });
  }
  return errors;
}

// The search as the address keeps it: reload and back bring it back.
function formParams() {
  const p = new URLSearchParams();
  p.set('lat', state.origin.lat.toFixed(5));
  p.set('lon', state.origin.lng.toFixed(5));
  if (state.originLabel) p.set('place', state.originLabel);
  p.set('units', state.units);
  p.set('drive', ui.drive.value);
  p.set('length', ui.length.value);
  p.set('days', ui.days.value.trim());
  if (ui.startDate.value) {
    p.set('date', ui.startDate.value);
    if (ui.startTime.value) p.set('time', ui.startTime.value.slice(0, 5));
  }
  return p;
}

// Sets the form from an address's query; true when it names a start.
function restoreForm(p) {
  const units = p.get('units');
  if (units && UNITS[units]) {
    for (const radio of ui.form.elements.units) radio.checked = radio.value === units;
    setUnits(units);
  }
  for (const [input, name] of [[ui.drive, 'drive'], [ui.length, 'length']]) {
    const v = Number(p.get(name));
    if (p.has(name) && Number.isFinite(v)) {
      const [lo, hi] = unitRange(name);
      input.value = String(Math.min(hi, Math.max(lo, Math.round(v))));
      sliderKm.set(input, Number(input.value) * kmPerUnit());
    }
  }
  showSliderValues();
  if (p.has('days')) ui.days.value = p.get('days');
  ui.startDate.value = /^\d{4}-\d{2}-\d{2}$/.test(p.get('date') ?? '') ? p.get('date') : '';
  if (/^\d{2}:\d{2}$/.test(p.get('time') ?? '')) ui.startTime.value = p.get('time');
  for (const field of Object.values(FIELD_INPUTS)) clearFieldError(field);
  const lat = Number(p.get('lat'));
  const lon = Number(p.get('lon'));
  if (!p.has('lat') || !p.has('lon') || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90) {
    return false;
  }
  setOrigin([lat, lon], { label: p.get('place') || null });
  return true;
}

function onSubmit(event) {
  event.preventDefault();
  if (!state.origin) return;
  for (const field of Object.values(FIELD_INPUTS)) clearFieldError(field);
  const errors = validateForm();
  if (errors.length) {
    markFields(errors);
    setStatus('Check the marked field before searching.', 'error', errors.map((e) => e.message));
    const first = FIELD_INPUTS[errors[0].field]?.input;
    first?.focus();
    return;
  }
  const query = formParams().toString();
  const here = window.location.search.replace(/^\?/, '');
  if (here === query) window.history.replaceState({ query }, '', `?${query}`);
  else window.history.pushState({ query }, '', `?${query}`);
  runSearch(query, { focusResults: true });
}

async function runSearch(query, { focusResults = false } = {}) {
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
  clearResults();
  setBusy(true);
  setStatus('Searching for loops… this can take a little while.', 'busy');
  let answer;
  try {
    answer = await postJson('/v1/loops', body, controller.signal);
  } catch (err) {
    if (err.name === 'AbortError') return; // superseded: the newer request owns the page
    setBusy(false);
    clearResults();
    showError(err);
    return;
  }
  setBusy(false);
  const n = answer.loops.length;
  const heading = n ? `${n} loop${n === 1 ? '' : 's'} found` : 'No loops found';
  const bounds = showLoops(answer.loops, heading, answer.calendar);
  state.query = query;
  if (state.selected) showPlanLinks(state.selected);
  // The heading says how many; the status only what the service adds.
  const warnings = answer.warnings ?? [];
  if (answer.message || warnings.length || !n) {
    setStatus(answer.message ?? (n ? `${heading}.` : 'No loops found.'), 'info', warnings);
  } else clearStatus();
  if (focusResults) {
    // Focus goes to the answer (not back to the top); on a phone its first loop shows.
    ui.resultsHeading.focus({ preventScroll: true });
    const first = ui.list.firstElementChild ?? ui.resultsHeading;
    if (PHONE.matches) {
      if (state.view !== 'list') setView('list');
      ui.resultsHeading.scrollIntoView({ block: 'start' });
      first.scrollIntoView({ block: 'nearest' });
    } else {
      first.scrollIntoView({ block: 'nearest' });
    }
  }
  if (bounds) await loadNetwork(bounds, controller.signal);
}

async function openPlan(id, params) {
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
  // A link from before the search was kept in it: the form as far as the loop tells.
  if (!params.has('days') && plan.loop.days) ui.days.value = String(plan.loop.days);
  if (!params.has('length')) {
    const target = distanceIn(plan.loop, 'target');
    const [lo, hi] = unitRange('length');
    if (target) {
      ui.length.value = String(Math.min(hi, Math.max(lo, Math.round(target))));
      sliderKm.set(ui.length, Number(ui.length.value) * kmPerUnit());
      showSliderValues();
    }
  }
  const bounds = showLoops([plan.loop], 'Saved plan');
  const rest = new URLSearchParams(params);
  rest.delete('plan');
  state.query = rest.toString();
  showPlanLinks(plan.loop);
  const saved = new Date(plan.created_at).toLocaleDateString('en', { dateStyle: 'medium' });
  const name = plan.name ?? loopTitle(plan.loop);
  setStatus(`Saved plan “${name}”, saved ${saved} (loop ${plan.loop.rank} of its search).`);
  await loadNetwork(bounds, controller.signal);
}

// ---- Places, location ------------------------------------------------------------------

const PLACE_KIND = { trailhead: 'trailhead', peak: 'peak', lake: 'lake', waterfall: 'waterfall', viewpoint: 'viewpoint', hut: 'hut' };
let placeTimer = null;
let placeRequest = null;
let placesMissing = false;

function hidePlaces() {
  ui.placeResults.hidden = true;
  ui.placeResults.replaceChildren();
}

function choosePlace(place) {
  hidePlaces();
  ui.placeQuery.value = place.name;
  setOrigin([place.lat, place.lon], { label: place.name });
  map.setView([place.lat, place.lon], Math.max(map.getZoom(), 13));
  setStatus(`Start set at ${place.name}. Choose the drive and length, then Find loops.`);
  ui.find.focus();
}

function showPlaces(places, q) {
  ui.placeResults.replaceChildren();
  if (!places.length) {
    const li = document.createElement('li');
    li.className = 'place-none';
    li.textContent = `No place matches “${q}” in the covered area.`;
    ui.placeResults.append(li);
  }
  for (const place of places) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'place-option';
    button.dataset.testid = 'place-option';
    const kind = PLACE_KIND[place.kind] ?? String(place.kind ?? '').replaceAll('_', ' ');
    button.append(span('place-name', place.name), span('place-kind', [kind, place.region].filter(Boolean).join(' · ')));
    button.addEventListener('click', () => choosePlace(place));
    li.append(button);
    ui.placeResults.append(li);
  }
  ui.placeResults.hidden = false;
}

async function searchPlaces() {
  const q = ui.placeQuery.value.trim();
  placeRequest?.abort();
  if (q.length < 2 || placesMissing) {
    hidePlaces();
    return;
  }
  placeRequest = new AbortController();
  try {
    const data = await api(`/v1/places?q=${encodeURIComponent(q)}&limit=8`, { signal: placeRequest.signal });
    showPlaces(data.places ?? [], q);
  } catch (err) {
    if (err.name === 'AbortError') return;
    hidePlaces();
    if (err.status === 404) {
      placesMissing = true;
      setStatus('Place search is not available here: click the map or use your location.', 'info');
    } else showError(err);
  }
}

function onPlaceKeys(e) {
  const options = [...ui.placeResults.querySelectorAll('button')];
  const i = options.indexOf(document.activeElement);
  if (e.key === 'ArrowDown') {
    options[Math.min(options.length - 1, i + 1)]?.focus();
  } else if (e.key === 'ArrowUp') {
    if (i <= 0) ui.placeQuery.focus();
    else options[i - 1].focus();
  } else if (e.key === 'Escape') {
    hidePlaces();
    ui.placeQuery.focus();
  } else if (e.key === 'Enter' && e.target === ui.placeQuery) {
    if (options.length) options[0].click(); // the best match
    else searchPlaces();
  } else return;
  e.preventDefault();
}

function useMyLocation() {
  if (!navigator.geolocation) {
    setStatus('Your location is not available in this browser: search a place or click the map.', 'error');
    return;
  }
  setStatus('Finding your location…', 'busy');
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      const latlng = L.latLng(pos.coords.latitude, pos.coords.longitude);
      setOrigin(latlng, { label: 'My location' });
      map.setView(latlng, Math.max(map.getZoom(), 12));
      const outside = state.coverageBounds && !state.coverageBounds.contains(latlng);
      setStatus(
        outside
          ? 'Start set at your location, which is outside the covered area: loops may not be found.'
          : 'Start set at your location. Choose the drive and length, then Find loops.',
        outside ? 'error' : 'info',
      );
    },
    (err) => {
      const why = err.code === 1 ? 'permission was denied' : err.code === 3 ? 'it took too long' : 'it is not available';
      setStatus(`Your location could not be found: ${why}. Search a place or click the map instead.`, 'error');
    },
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
  );
}

// ---- Phone: list or map ------------------------------------------------------------------

function updateDragging() {
  const on = !COARSE.matches || (PHONE.matches && state.view === 'map') || ui.moveMap.getAttribute('aria-pressed') === 'true';
  if (on) map.dragging.enable();
  else map.dragging.disable();
}

function setView(view) {
  state.view = view;
  document.body.dataset.view = view;
  ui.showList.setAttribute('aria-pressed', String(view === 'list'));
  ui.showMap.setAttribute('aria-pressed', String(view === 'map'));
  map.invalidateSize();
  updateDragging();
  if (view === 'map') {
    if (state.selected) map.fitBounds(loopsBoundsOf([state.selected]), { padding: [24, 24] });
    window.scrollTo(0, 0);
  }
}

// ---- Controls ------------------------------------------------------------------------

function showSliderValues() {
  const u = UNITS[state.units].distance;
  for (const [input, output] of [[ui.drive, ui.driveValue], [ui.length, ui.lengthValue]]) {
    output.value = `${input.value} ${u}`;
    input.setAttribute('aria-valuetext', `${input.value} ${u === 'km' ? 'kilometres' : 'miles'}`);
  }
}

// What each slider is set to in km: switching units back and forth must not drift.
const sliderKm = new Map();
const kmPerUnit = () => (state.units === 'imperial' ? KM_PER_MI : 1);

function onSlider(event) {
  sliderKm.set(event.target, Number(event.target.value) * kmPerUnit());
  showSliderValues();
}

// Each unit has its sliders' ranges (SLIDER_RANGE); their values carry over.
function setUnits(units) {
  state.units = units;
  for (const [input, name] of [[ui.drive, 'drive'], [ui.length, 'length']]) {
    const [lo, hi] = SLIDER_RANGE[units][name];
    input.min = String(lo);
    input.max = String(hi);
    const km = sliderKm.get(input) ?? Number(input.value);
    input.value = String(Math.min(hi, Math.max(lo, Math.round(km / kmPerUnit()))));
  }
  showSliderValues();
  renderList();
  if (state.selected) selectLoop(state.selected);
}

// The address's search (or plan): restored into the form and run.
async function fromAddress() {
  const params = new URLSearchParams(window.location.search);
  const plan = params.get('plan');
  const hasStart = restoreForm(params);
  if (plan) await openPlan(plan, params);
  else if (hasStart) {
    const errors = validateForm();
    if (errors.length) {
      markFields(errors);
      setStatus('Check the marked field before searching.', 'error', errors.map((e) => e.message));
    } else await runSearch(params.toString());
  } else if (!params.toString()) {
    state.request?.abort();
    clearResults();
    clearStatus();
  }
}

async function main() {
  createMap(await loadConfig());
  ui.form.addEventListener('submit', onSubmit);
  ui.form.addEventListener('change', (e) => {
    if (e.target.name === 'units') setUnits(e.target.value);
  });
  ui.save.addEventListener('click', saveSelected);
  for (const field of Object.values(FIELD_INPUTS)) {
    field.input.addEventListener('input', () => clearFieldError(field));
  }
  ui.placeQuery.addEventListener('input', () => {
    clearTimeout(placeTimer);
    placeTimer = setTimeout(searchPlaces, 200);
  });
  ui.placeQuery.addEventListener('keydown', onPlaceKeys);
  ui.placeResults.addEventListener('keydown', onPlaceKeys);
  ui.locate.addEventListener('click', useMyLocation);
  ui.showList.addEventListener('click', () => setView('list'));
  ui.showMap.addEventListener('click', () => setView('map'));
  ui.showOnMap.addEventListener('click', () => {
    if (PHONE.matches) setView('map');
    else if (state.selected) map.fitBounds(loopsBoundsOf([state.selected]), { padding: [24, 24] });
  });
  ui.moveMap.hidden = !COARSE.matches;
  ui.moveMap.addEventListener('click', () => {
    const on = ui.moveMap.getAttribute('aria-pressed') !== 'true';
    ui.moveMap.setAttribute('aria-pressed', String(on));
    ui.moveMap.textContent = on ? 'Done moving' : 'Move map';
    updateDragging();
  });
  PHONE.addEventListener('change', () => setView(PHONE.matches ? state.view : 'list'));
  document.body.dataset.view = state.view;
  // A reload may bring back the form's previous choices: start from what it shows.
  state.units = ui.form.elements.units.value;
  for (const input of [ui.drive, ui.length]) {
    input.addEventListener('input', onSlider);
    sliderKm.set(input, Number(input.value) * (state.units === 'imperial' ? KM_PER_MI : 1));
  }
  setUnits(state.units);
  window.addEventListener('popstate', () => fromAddress());
  const hasAddress = window.location.search.length > 1;
  await loadCoverage({ fit: !hasAddress });
  if (hasAddress) await fromAddress();
}

main();
