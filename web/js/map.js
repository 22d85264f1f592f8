// The Leaflet map: tiles, the covered area, the start, the loops, the selected loop's
// trailhead, nights, highlights and drive, the trail network around them, and the
// profile's position. Leaflet is loaded before the page's modules as the global `L`.

import { networkBbox, api } from './api.js';
import {
  climbIn, formatClimb, formatWhole, HIGHLIGHT_LABEL, kindLabel, loopTitle, trailheadName,
  attributionHtml,
} from './format.js';
import { state } from './state.js';
import { COARSE, textNode, ui } from './ui.js';

const L = window.L;

const START_VIEW = { center: [42.55, 1.55], zoom: 11 }; // Andorra
// The loops and the trail network are OpenStreetMap data, whatever the tiles are.
const OSM_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
// What the attribution control shows of the data now: OSM's until an answer says
// otherwise (a region of an operator's own trails carries the operator's).
let dataAttribution = OSM_ATTRIBUTION;

// Shows the attribution an answer carries in place of the one shown.
export function showDataAttribution(text) {
  if (!map || !text) return;
  const html = attributionHtml(text);
  if (html === dataAttribution) return;
  map.attributionControl.removeAttribution(dataAttribution);
  dataAttribution = html;
  map.attributionControl.addAttribution(html);
}

const LINE_STYLE = {
  selected: { color: '#c2410c', weight: 6, opacity: 0.95 },
  other: { color: '#64748b', weight: 3, opacity: 0.7 },
};
const NETWORK_STYLE = {
  road: { className: 'network-line network-road', color: '#a8a29e', weight: 1.5, opacity: 0.6 },
  trail: { className: 'network-line network-trail', color: '#15803d', weight: 1.2, opacity: 0.7, dashArray: '3 3' },
};
// Fill only: a region's coverage comes as tiles side by side, whose outlines would draw
// the seams between them.
const COVERAGE_STYLE = { className: 'coverage-area', stroke: false, fillColor: '#0d9488', fillOpacity: 0.1, interactive: false };
const DRIVE_STYLE = { className: 'drive-line', color: '#1e3a8a', weight: 3, opacity: 0.85, dashArray: '2 7', lineCap: 'round', interactive: false };

export let map;
let originMarker = null;
let networkLayer = null;
let coverageLayer = null;
let positionMarker = null; // where the pointer is on the elevation profile
const networkRenderer = L.svg({ pane: 'network' });
const loopLines = new Map(); // loop object -> its polyline
const loopLayer = L.layerGroup();
const selectionLayer = L.layerGroup(); // the selected loop's trailhead, nights, highlights, drive

// The map, with the tiles `config` names (none without); `onPick(latlng)`: a start chosen
// on it, by a click or by Enter at its centre.
export function createMap(config, onPick) {
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
  map.on('click', (e) => onPick(e.latlng));
  // Without a pointer: pan with the arrow keys, then Enter takes the map's centre
  // (Enter on a control inside the map, such as zoom, is that control's).
  map.on('keydown', (e) => {
    const { key, target } = e.originalEvent;
    if (key === 'Enter' && target === map.getContainer()) onPick(map.getCenter());
  });
}

// Where the service has data: drawn lightly, and the first view fitted to it. Without
// the endpoint the map starts where the sample data is.
export async function loadCoverage({ fit }) {
  let data;
  try {
    data = await api('/v1/coverage');
  } catch (err) {
    console.info('no coverage to draw:', err.message);
    return;
  }
  const features = (data.features ?? []).filter((f) => f.geometry);
  if (!features.length) return;
  showDataAttribution(data.attribution);
  coverageLayer = L.geoJSON({ type: 'FeatureCollection', features }, {
    pane: 'coverage',
    style: () => COVERAGE_STYLE,
    interactive: false,
  }).addTo(map);
  const regions = features
    .map((f) => f.properties ?? {})
    .map((p) => (p.trailheads ? `${p.region} (${formatWhole(p.trailheads)} trailheads)` : p.region))
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

// The start's marker at `latlng`, named `name`.
export function placeOriginMarker(latlng, name) {
  if (originMarker) originMarker.setLatLng(latlng);
  else {
    originMarker = L.marker(latlng, { title: name, alt: name, keyboard: false }).addTo(map);
  }
  originMarker.options.title = name;
  originMarker.getElement()?.setAttribute('alt', name);
  originMarker.getElement()?.setAttribute('title', name);
}

const toLatLngs = (lineString) => lineString.coordinates.map(([lon, lat]) => [lat, lon]);

// Every loop's line (and its approach); `onSelect(loop)` when one is clicked.
export function drawLoops(loops, onSelect) {
  loopLayer.clearLayers();
  loopLines.clear();
  for (const loop of loops) {
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
        onSelect(loop);
      })
      .addTo(loopLayer);
    loopLines.set(loop, line);
  }
}

export function highlightLine(loop) {
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

// The selected loop's drive, trailhead, nights and highlights.
export function drawSelection(loop) {
  selectionLayer.clearLayers();
  const { units, limits } = state;
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
    const kind = kindLabel(limits.nightLabels, night.kind);
    namedMarker([night.lat, night.lon], {
      name: `Night after day ${stage.day}: ${night.name ?? kind} (${kind})`,
      className: 'night-marker',
      size: 26, // above the highlights and larger than them: a hut that is both stays reachable
      pane: 'nights',
    }).addTo(selectionLayer);
  }
  for (const h of loop.highlights ?? []) {
    const kind = HIGHLIGHT_LABEL[h.kind] ?? kindLabel({}, h.kind);
    const elevation = h.elevation_m != null && h.kind === 'peak' ? ` ${formatClimb(climbIn(h, 'elevation', units), units)}` : '';
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

// The trail network is context only: without it the loops still stand.
export async function loadNetwork(bounds, signal) {
  const box = { west: bounds.getWest(), south: bounds.getSouth(), east: bounds.getEast(), north: bounds.getNorth() };
  try {
    const bbox = networkBbox(box, state.limits.networkMaxSpanDeg);
    const data = await api(`/v1/network?bbox=${bbox.join(',')}`, { signal });
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

// The box of `loops`' lines.
export const loopsBoundsOf = (loops) => L.latLngBounds(loops.flatMap((loop) => toLatLngs(loop.geometry)));

export const fitLoops = (loops) => map.fitBounds(loopsBoundsOf(loops), { padding: [24, 24] });

export function clearPosition() {
  positionMarker?.remove();
  positionMarker = null;
}

// The profile's position on the map; a place off the view is brought into it (the
// marker is there to be seen).
export function showPosition(latlng) {
  if (!positionMarker) {
    positionMarker = L.circleMarker(latlng, {
      className: 'profile-position-marker', radius: 7, color: '#111827', weight: 3,
      fillColor: '#facc15', fillOpacity: 1, interactive: false, pane: 'position',
    }).addTo(map);
  } else positionMarker.setLatLng(latlng);
  if (!map.getBounds().contains(latlng)) map.panTo(latlng, { animate: false });
}

// Nothing of an earlier search stays on the map.
export function clearMapResults() {
  loopLayer.clearLayers();
  loopLines.clear();
  selectionLayer.clearLayers();
  clearPosition();
  networkLayer?.remove();
  networkLayer = null;
}
