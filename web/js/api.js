// The service's JSON API: fetch calls, and problem+json (RFC 9457) answers as errors.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// Fetches JSON; a non-2xx answer throws an ApiError carrying its problem+json, an
// unreachable service one of status 0; an abort stays an AbortError.
export async function api(url, options = {}) {
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

export const postJson = (url, body, signal) =>
  api(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });

// A problem's field errors as lines: "days: must be in 1..=14".
export const problemLines = (errors) => errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));

// The box of /v1/network around `bounds` ({ west, south, east, north }): padded by 10 %,
// no larger than the service's `maxSpanDeg` around its centre, as `west,south,east,north`
// with five decimals.
export function networkBbox({ west, south, east, north }, maxSpanDeg) {
  const padLon = (east - west) * 0.1;
  const padLat = (north - south) * 0.1;
  const [w, e, s, n] = [west - padLon, east + padLon, south - padLat, north + padLat];
  const half = (maxSpanDeg ?? Infinity) / 2;
  const [cLon, cLat] = [(w + e) / 2, (s + n) / 2];
  const halfLon = Math.min((e - w) / 2, half);
  const halfLat = Math.min((n - s) / 2, half);
  return [cLon - halfLon, cLat - halfLat, cLon + halfLon, cLat + halfLat].map((x) => x.toFixed(5));
}

// What the page reads at start (tiles, the service's bounds); an empty config when the
// service has none to give, so the map still shows, without tiles.
export async function loadConfig() {
  try {
    return await api('/app-config.json');
  } catch (err) {
    console.warn('no /app-config.json, showing the map without tiles:', err.message);
    return { tile_url: null };
  }
}
