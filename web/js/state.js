// The page's state, one object its modules share.

import { limitsFrom } from './config.js';

export const state = {
  units: 'metric',
  origin: null, // a Leaflet LatLng
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
  limits: limitsFrom(null), // the service's bounds, once /app-config.json is read
};
