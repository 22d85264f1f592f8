// TrailLoop's page: pick an origin on the map, ask /v1/loops for loop hikes (for a start
// date, when one is set), show them on the map and in a list, draw the selected one's
// elevation profile and its days one by one, save it as a plan (share link, GPX). Plain
// ES modules, no bundler; Leaflet is loaded before them as the global `L`. This module
// wires the others together.

import { api, loadConfig, postJson } from './api.js';
import { atMost, limitsFrom } from './config.js';
import { longDay } from './days.js';
import { renderDays, showDay } from './days-view.js';
import { distanceIn, loopTitle, trailheadName } from './format.js';
import {
  checkCurrentForm, formValues, initForm, restoreForm, setDrive, setLengthTo, setUnits,
} from './form.js';
import { driveText, loopStats, markSelected, renderList } from './list.js';
import {
  clearMapResults, createMap, drawLoops, drawSelection, fitLoops, highlightLine, loadCoverage,
  loadNetwork, loopsBoundsOf, map, placeOriginMarker, showDataAttribution,
} from './map.js';
import { initPlaces, useMyLocation } from './places.js';
import { renderProfile } from './profile-view.js';
import { originFromParams, planName, searchBody, searchParams, shareUrl, WANTED_RESULTS } from './search.js';
import { state } from './state.js';
import {
  clearFieldError, clearFieldErrors, clearStatus, FIELD_INPUTS, setStatus, showError, showFormErrors,
} from './status.js';
import { COARSE, PHONE, ui } from './ui.js';

const L = window.L;

// ---- The start -----------------------------------------------------------------------

// A new start: the loops found for the old one no longer answer anything.
function setOrigin(latlng, { label = null, keepResults = false } = {}) {
  state.origin = L.latLng(latlng).wrap();
  state.originLabel = label;
  placeOriginMarker(state.origin, label ? `Start: ${label}` : 'Start');
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

// ---- Results, selection --------------------------------------------------------------

// Nothing of an earlier search stays: loops, lines, the selected loop's details.
function clearResults() {
  state.loops = [];
  state.selected = null;
  state.query = null;
  clearMapResults();
  ui.list.replaceChildren();
  ui.resultsHeading.hidden = true;
  ui.details.hidden = true;
  ui.dayList.replaceChildren();
  showCalendar(null);
}

function selectLoop(loop, { fromList = false } = {}) {
  if (state.savedStatusFor && state.savedStatusFor !== loop) clearStatus(); // "Saved" was another loop's
  state.selected = loop;
  markSelected(loop);
  highlightLine(loop);
  drawSelection(loop);
  ui.detailsTitle.textContent = loopTitle(loop);
  // The walk from the car is in the figures; the details say so.
  const fromCar = loop.approach && loop.total_km != null ? ' with the walk from the car' : '';
  ui.detailsMeta.textContent =
    `${loopStats(loop, state.units)}${fromCar} · ${loop.difficulty} · from ${trailheadName(loop)} (${driveText(loop.trailhead, state.units)})`;
  const warning = longDay(loop);
  ui.longDay.textContent = warning ? `⚠ ${warning}` : '';
  ui.longDay.hidden = !warning;
  renderProfile(loop, showDay);
  renderDays(loop);
  ui.details.hidden = false;
  showPlanLinks(loop);
  if (fromList && PHONE.matches) {
    ui.detailsTitle.scrollIntoView({ block: 'nearest', behavior: 'auto' });
  }
}

// The units changed: the sliders in them, and what is shown said in them.
function onUnits(units) {
  setUnits(units);
  renderList(selectLoop);
  if (state.selected) selectLoop(state.selected);
}

// The service's word on the dates: shown when it could not plan for the date asked.
function showCalendar(calendar) {
  state.calendar = calendar ?? null;
  const note = calendar && calendar.planned_for_date === false ? calendar.note : null;
  ui.calendarNote.textContent = note ?? '';
  ui.calendarNote.hidden = !note;
}

function showLoops(loops, heading, calendar = null) {
  clearResults();
  showCalendar(calendar); // before the days are drawn: their time zone
  state.loops = loops;
  drawLoops(loops, selectLoop);
  renderList(selectLoop);
  ui.resultsHeading.textContent = heading;
  ui.resultsHeading.hidden = false;
  if (!loops.length) return null;
  const bounds = loopsBoundsOf(loops);
  if (state.origin) bounds.extend(state.origin);
  map.fitBounds(bounds, { padding: [24, 24] });
  selectLoop(loops[0]);
  return bounds;
}

// ---- Saving --------------------------------------------------------------------------

const planShareUrl = (id) => shareUrl(id, state.query, window.location.origin);

// The share and GPX links exist once the selected loop is saved as a plan.
function showPlanLinks(loop) {
  const id = state.planIds.get(loop);
  ui.save.disabled = id !== undefined;
  ui.save.textContent = id === undefined ? 'Save' : 'Saved';
  ui.gpx.hidden = ui.share.hidden = id === undefined;
  if (id === undefined) return;
  ui.gpx.href = `/v1/plans/${id}/gpx`;
  ui.gpx.download = `trailloop-${id}.gpx`;
  ui.share.href = planShareUrl(id);
  ui.share.title = ui.share.href;
}

async function saveSelected() {
  const loop = state.selected;
  ui.save.disabled = true;
  ui.save.textContent = 'Saving…';
  const name = planName(loopTitle(loop), state.limits.planNameMaxChars);
  try {
    const plan = await postJson('/v1/plans', { name, loop });
    state.planIds.set(loop, plan.id);
    if (state.selected === loop) {
      setStatus(`Saved “${name}”.`);
      // The message carries its own links, so it stays useful where it is read.
      const p = ui.status.firstChild;
      const share = document.createElement('a');
      share.href = planShareUrl(plan.id);
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

// ---- Searching -----------------------------------------------------------------------

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

function onSubmit(event) {
  event.preventDefault();
  if (!state.origin) return;
  clearFieldErrors();
  const errors = checkCurrentForm();
  if (errors.length) {
    showFormErrors(errors);
    FIELD_INPUTS[errors[0].field]?.input.focus();
    return;
  }
  const query = searchParams(state.origin, state.originLabel, state.units, formValues()).toString();
  const here = window.location.search.replace(/^\?/, '');
  if (here === query) window.history.replaceState({ query }, '', `?${query}`);
  else window.history.pushState({ query }, '', `?${query}`);
  runSearch(query, { focusResults: true });
}

// A longer drive whose best loop is on trails, offered as one click: "Drive 27 km for
// Ridge Trail from Brush Ridge Road parking".
function offerDrive(suggestion) {
  const imperial = state.units === 'imperial';
  const drive = Math.ceil(imperial ? suggestion.max_drive_mi : suggestion.max_drive_km);
  const unit = imperial ? 'mi' : 'km';
  const p = document.createElement('p');
  p.className = 'suggestion';
  p.textContent = `${suggestion.reason}. `;
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.testid = 'suggested-drive';
  button.textContent = `Drive ${drive} ${unit} for ${suggestion.loop.name}`;
  button.addEventListener('click', () => {
    setDrive(drive);
    ui.form.requestSubmit();
  });
  p.append(button);
  ui.status.append(p);
}

async function runSearch(query, { focusResults = false } = {}) {
  if (!state.origin) return;
  const controller = startRequest();
  const body = searchBody(state.origin, formValues(), state.units, atMost(WANTED_RESULTS, state.limits.maxResults));
  clearFieldErrors();
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
  showDataAttribution(answer.attribution);
  const n = answer.loops.length;
  const heading = n ? `${n} loop${n === 1 ? '' : 's'} found` : 'No loops found';
  const bounds = showLoops(answer.loops, heading, answer.calendar);
  state.query = query;
  if (state.selected) showPlanLinks(state.selected);
  // The heading says how many; the status only what the service adds.
  const warnings = answer.warnings ?? [];
  if (answer.message || warnings.length || !n || answer.suggestion) {
    setStatus(answer.message ?? (n ? `${heading}.` : 'No loops found.'), 'info', warnings);
  } else clearStatus();
  if (answer.suggestion) offerDrive(answer.suggestion);
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
    const target = distanceIn(plan.loop, 'target', state.units);
    if (target) setLengthTo(target);
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

// The address's search (or plan): restored into the form and run.
async function fromAddress() {
  const params = new URLSearchParams(window.location.search);
  const plan = params.get('plan');
  restoreForm(params, onUnits);
  const start = originFromParams(params);
  if (start) setOrigin([start.lat, start.lon], { label: start.label });
  if (plan) await openPlan(plan, params);
  else if (start) {
    const errors = checkCurrentForm();
    if (errors.length) showFormErrors(errors);
    else await runSearch(params.toString());
  } else if (!params.toString()) {
    state.request?.abort();
    clearResults();
    clearStatus();
  }
}

// ---- Phone: list or map --------------------------------------------------------------

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
    if (state.selected) fitLoops([state.selected]);
    window.scrollTo(0, 0);
  }
}

// ---- Start ---------------------------------------------------------------------------

function choosePlace(place) {
  setOrigin([place.lat, place.lon], { label: place.name });
  map.setView([place.lat, place.lon], Math.max(map.getZoom(), 13));
  setStatus(`Start set at ${place.name}. Choose the drive and length, then Find loops.`);
  ui.find.focus();
}

function foundMe(lat, lon) {
  const latlng = L.latLng(lat, lon);
  setOrigin(latlng, { label: 'My location' });
  map.setView(latlng, Math.max(map.getZoom(), 12));
  return latlng;
}

async function main() {
  const config = await loadConfig();
  state.limits = limitsFrom(config);
  createMap(config, (latlng) => setOrigin(latlng));
  ui.form.addEventListener('submit', onSubmit);
  ui.save.addEventListener('click', saveSelected);
  for (const field of Object.values(FIELD_INPUTS)) {
    field.input.addEventListener('input', () => clearFieldError(field));
  }
  initPlaces(choosePlace);
  ui.locate.addEventListener('click', () => useMyLocation(foundMe));
  ui.showList.addEventListener('click', () => setView('list'));
  ui.showMap.addEventListener('click', () => setView('map'));
  ui.showOnMap.addEventListener('click', () => {
    if (PHONE.matches) setView('map');
    else if (state.selected) fitLoops([state.selected]);
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
  initForm(onUnits);
  window.addEventListener('popstate', () => fromAddress());
  const hasAddress = window.location.search.length > 1;
  await loadCoverage({ fit: !hasAddress });
  // The browser test turns coordinates into clicks with the map: once its first view is
  // set, so that no late fit moves it between the two.
  window.trailloopMap = map;
  if (hasAddress) await fromAddress();
}

main();
