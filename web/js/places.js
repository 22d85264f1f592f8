// Place search by name (/v1/places), and "Use my location": each sets the start.

import { api } from './api.js';
import { atMost } from './config.js';
import { kindLabel, PLACE_KIND } from './format.js';
import { state } from './state.js';
import { setStatus, showError } from './status.js';
import { span, ui } from './ui.js';

// Places shown for a query.
const WANTED_PLACES = 8;
// Letters typed before a search.
const MIN_QUERY_CHARS = 2;

let placeTimer = null;
let placeRequest = null;
let placesMissing = false;

function hidePlaces() {
  ui.placeResults.hidden = true;
  ui.placeResults.replaceChildren();
}

function showPlaces(places, q, onChoose) {
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
    const kind = kindLabel(PLACE_KIND, place.kind);
    button.append(span('place-name', place.name), span('place-kind', [kind, place.region].filter(Boolean).join(' · ')));
    button.addEventListener('click', () => {
      hidePlaces();
      ui.placeQuery.value = place.name;
      onChoose(place);
    });
    li.append(button);
    ui.placeResults.append(li);
  }
  ui.placeResults.hidden = false;
}

async function searchPlaces(onChoose) {
  const q = ui.placeQuery.value.trim();
  placeRequest?.abort();
  if (q.length < MIN_QUERY_CHARS || placesMissing) {
    hidePlaces();
    return;
  }
  placeRequest = new AbortController();
  const limit = atMost(WANTED_PLACES, state.limits.placesMax);
  try {
    const data = await api(`/v1/places?q=${encodeURIComponent(q)}&limit=${limit}`, { signal: placeRequest.signal });
    showPlaces(data.places ?? [], q, onChoose);
  } catch (err) {
    if (err.name === 'AbortError') return;
    hidePlaces();
    if (err.status === 404) {
      placesMissing = true;
      setStatus('Place search is not available here: click the map or use your location.', 'info');
    } else showError(err);
  }
}

// The place search's field and list: typing searches (after a pause), the arrow keys
// move through the results, Enter takes the best one; `onChoose(place)` for the one
// chosen.
export function initPlaces(onChoose) {
  const onKeys = (e) => {
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
      else searchPlaces(onChoose);
    } else return;
    e.preventDefault();
  };
  ui.placeQuery.addEventListener('input', () => {
    clearTimeout(placeTimer);
    placeTimer = setTimeout(() => searchPlaces(onChoose), 200);
  });
  ui.placeQuery.addEventListener('keydown', onKeys);
  ui.placeResults.addEventListener('keydown', onKeys);
}

// The browser's location as the start: `onFound(lat, lon)`, then a word on it.
export function useMyLocation(onFound) {
  if (!navigator.geolocation) {
    setStatus('Your location is not available in this browser: search a place or click the map.', 'error');
    return;
  }
  setStatus('Finding your location…', 'busy');
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      const latlng = onFound(pos.coords.latitude, pos.coords.longitude);
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
