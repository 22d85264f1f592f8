// Browser test of TrailLoop's page against a running service:
//   cd web && npm ci && TRAILLOOP_URL=http://127.0.0.1:8080 node --test tests/
// The service must hold Andorra's data. Needs Debian's chromium at /usr/bin/chromium.
// The page is kept off every host but the service's: map tile requests get a blank tile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.TRAILLOOP_URL;
if (!BASE_URL) {
  throw new Error('TRAILLOOP_URL is not set: give the base URL of a running TrailLoop, e.g. http://127.0.0.1:8080');
}
const BASE = new URL(BASE_URL);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACT_DIR = path.resolve(REPO, process.env.ARTIFACT_DIR ?? 'target/artifacts');

const ENCAMP = { lat: 42.536, lon: 1.583 };
// 25 km in 2 days from Andorra la Vella within a 30 km drive: a trip with a night at a hut
// (as tests/integration/trips.rs plans it).
const ANDORRA_LA_VELLA = { lat: 42.5078, lon: 1.5211 };
const SEARCH_TIMEOUT_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A 1x1 light grey PNG, served for every tile.
const BLANK_TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
// Tile URLs look like .../{z}/{x}/{y}.png; a tile that fails to load is not a page error.
const TILE_PATH = /\/\d+\/\d+\/\d+(@2x)?\.(png|jpe?g|webp)(\?|$)/;

const AXE_FILE = path.join(REPO, 'web/node_modules/axe-core/axe.min.js');
const AXE_PATH = '/__test__/axe.min.js';
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
});

// A page that records console errors and uncaught exceptions, and reaches no other host.
// `options` go to the browser context (e.g. a time zone of the browser's own).
async function openPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === BASE.origin) {
      // axe-core for the accessibility check: the page's CSP takes scripts from its own
      // origin only, so the test serves it there.
      if (url.pathname === AXE_PATH) {
        return route.fulfill({ contentType: 'text/javascript', body: await fs.readFile(AXE_FILE) });
      }
      // WEB_FROM_DISK=1: the page's own files from web/ (with the service's headers, its
      // CSP included), to try a change without rebuilding the binary.
      const own = url.pathname === '/' ? 'index.html'
        : /^\/(app\.css|js\/[a-z-]+\.js)$/.test(url.pathname) ? url.pathname.slice(1) : null;
      if (process.env.WEB_FROM_DISK && own) {
        const response = await route.fetch();
        return route.fulfill({ response, body: await fs.readFile(path.join(REPO, 'web', own)) });
      }
      return route.continue();
    }
    if (route.request().resourceType() === 'image') {
      return route.fulfill({ status: 200, contentType: 'image/png', body: BLANK_TILE });
    }
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (msg.text().startsWith('Failed to load resource') && TILE_PATH.test(msg.location().url)) return;
    errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return { context, page, errors };
}

async function load(page, pathAndQuery = '/') {
  const response = await page.goto(new URL(pathAndQuery, BASE).href);
  assert.equal(response.status(), 200, `GET ${pathAndQuery}`);
  await page.waitForFunction(() => window.trailloopMap !== undefined);
}

// Clicks the map where (lat, lon) is, through the page's Leaflet map.
async function clickMapAt(page, { lat, lon }) {
  const { x, y } = await page.evaluate(([la, lo]) => {
    const map = window.trailloopMap;
    const p = map.latLngToContainerPoint([la, lo]);
    const box = map.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, [lat, lon]);
  await page.mouse.click(x, y);
}

// Sets the form for a 10 km loop within a 25 km drive of Encamp and searches.
async function searchNearEncamp(page) {
  await clickMapAt(page, ENCAMP);
  await page.getByRole('radio', { name: 'km', exact: true }).check();
  await page.getByLabel('Hike length').fill('10');
  await page.getByLabel('Longest drive').fill('25');
  await page.getByTestId('find-button').click();
  await searchDone(page, SEARCH_TIMEOUT_MS);
}

// The list is marked busy while a search runs; it may stay empty, so wait for it attached.
const searchDone = (page, timeout) =>
  page.waitForSelector('[data-testid="loop-list"][aria-busy="false"]', { state: 'attached', timeout });

const statusText = (page) => page.getByTestId('status').innerText();
const profileD = (page) =>
  page.getByTestId('profile').locator('[data-testid="profile-path"]').getAttribute('d');

function assertProfileDrawn(d) {
  assert.ok(d, 'the profile path has a d attribute');
  const vertices = d.match(/[ML]/g) ?? [];
  assert.ok(vertices.length >= 10, `profile path has ${vertices.length} vertices: ${d.slice(0, 80)}`);
}

function assertNoErrors(errors) {
  assert.deepEqual(errors, [], 'no console or page errors');
}

test('search, select, save, GPX and share a loop', { timeout: 240_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  let failed = false;
  // Each step is reported on its own; after a failure the rest are skipped.
  const step = (name, fn) =>
    t.test(name, async (st) => {
      if (failed) return st.skip('an earlier step failed');
      try {
        await fn();
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  let planUrl;
  let planId;

  await step('loads /', async () => {
    await load(page);
    assert.match(await page.title(), /TrailLoop/);
    assert.ok(await page.getByTestId('find-button').isDisabled(), 'Find is disabled before an origin is set');
    assert.match(await page.locator('.leaflet-control-attribution').innerText(), /© OpenStreetMap contributors/);
  });

  await step('a click on the map sets the origin', async () => {
    await clickMapAt(page, ENCAMP);
    const [lat, lon] = (await page.getByTestId('origin-text').innerText()).split(',').map(Number);
    assert.ok(Math.abs(lat - ENCAMP.lat) < 0.005 && Math.abs(lon - ENCAMP.lon) < 0.005, `origin ${lat}, ${lon}`);
    assert.ok(await page.getByTestId('find-button').isEnabled(), 'Find is enabled once an origin is set');
    assert.equal(await page.locator('.leaflet-marker-pane .leaflet-marker-icon').count(), 1, 'one origin marker');
  });

  await step('finds exactly three loops, 10 km within a 25 km drive', async () => {
    await searchNearEncamp(page);
    const items = page.getByTestId('loop-item');
    assert.equal(await items.count(), 3, `three loops listed; status: ${await statusText(page)}`);
    assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.dataset.rank)), ['1', '2', '3']);
    for (const text of await items.allInnerTexts()) {
      assert.match(text, /\d km/, `distance in km: ${text}`);
      assert.match(text, /↑ [\d,]+ m/, `climb in m: ${text}`);
      assert.match(text, /\d+ (h|min)/, `time: ${text}`);
      assert.match(text, /easy|moderate|hard|expert/i, `difficulty: ${text}`);
    }
  });

  await step('draws three loop lines on the map', async () => {
    assert.equal(await page.locator('.leaflet-overlay-pane path.loop-line').count(), 3);
    assert.equal(await page.locator('.leaflet-overlay-pane path.loop-line.selected').count(), 1);
  });

  await step('selecting the second loop highlights it and draws its profile', async () => {
    await page.locator('[data-testid="loop-item"][data-rank="2"]').click();
    assert.equal(
      await page.locator('[data-testid="loop-item"][data-rank="2"] button').getAttribute('aria-pressed'),
      'true',
    );
    assert.equal(await page.locator('.leaflet-overlay-pane path.loop-line.selected').count(), 1);
    assertProfileDrawn(await profileD(page));
    assert.match(await page.getByTestId('profile').locator('svg').textContent(), /\d m/, 'profile labels in m');
  });

  await step('the units toggle shows miles and feet', async () => {
    await page.getByRole('radio', { name: 'mi', exact: true }).check();
    for (const text of await page.getByTestId('loop-item').allInnerTexts()) {
      assert.match(text, /\d mi · ↑ [\d,]+ ft/, `miles and feet: ${text}`);
    }
    assert.match(await page.getByTestId('profile').locator('svg').textContent(), /\d ft/);
    assert.match(await page.locator('#length-value').innerText(), /^6 mi$/, '10 km is about 6 mi');
    await page.getByRole('radio', { name: 'km', exact: true }).check();
    assert.match(await page.locator('#length-value').innerText(), /^10 km$/, 'back to 10 km');
    assert.match(await page.locator('#drive-value').innerText(), /^25 km$/, 'back to 25 km');
  });

  await step('shows the trail network under the loops', async () => {
    await page.waitForSelector('path.network-line', { timeout: 20_000 });
  });

  await step('writes a screenshot of the page with loops', async () => {
    await fs.mkdir(ARTIFACT_DIR, { recursive: true });
    const file = path.join(ARTIFACT_DIR, 'map.png');
    await page.screenshot({ path: file, fullPage: true });
    assert.ok((await fs.stat(file)).size > 10_000, `${file} holds a picture`);
  });

  await step('saving gives a share link and a GPX link', async () => {
    await page.getByTestId('save-button').click();
    const share = page.getByTestId('share-link');
    await share.waitFor({ state: 'visible' });
    planUrl = await share.evaluate((a) => a.href);
    const url = new URL(planUrl);
    assert.equal(url.origin, BASE.origin);
    assert.equal(url.pathname, '/');
    planId = url.searchParams.get('plan');
    assert.match(planId ?? '', UUID, `share link ${planUrl}`);
    const gpx = page.getByTestId('gpx-link');
    assert.ok(await gpx.isVisible());
    assert.equal(await gpx.getAttribute('href'), `/v1/plans/${planId}/gpx`);
    assert.notEqual(await gpx.getAttribute('download'), null, 'the GPX link downloads');
  });

  await step('the GPX link downloads a track with elevations', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('gpx-link').click(),
    ]);
    const gpx = await fs.readFile(await download.path(), 'utf8');
    assert.ok(gpx.startsWith('<?xml'), `GPX starts with <?xml: ${gpx.slice(0, 40)}`);
    assert.ok(gpx.includes('<trk>'), 'GPX has a <trk>');
    assert.ok(gpx.includes('<ele>'), 'GPX has <ele>');
  });

  await step('the share link opens the saved loop', async () => {
    await load(page, planUrl);
    const items = page.getByTestId('loop-item');
    await items.first().waitFor();
    assert.equal(await items.count(), 1, `one loop listed; status: ${await statusText(page)}`);
    assert.equal(await page.locator('[data-testid="loop-item"] button').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('.leaflet-overlay-pane path.loop-line').count(), 1);
    assertProfileDrawn(await profileD(page));
    assert.equal(await page.getByTestId('gpx-link').getAttribute('href'), `/v1/plans/${planId}/gpx`);
  });

  await step('no console or page errors', async () => assertNoErrors(errors));
});

test('without tiles the loops and the trail network still show', { timeout: 120_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  await page.route('**/app-config.json', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: { ...(await response.json()), tile_url: null } });
  });
  await load(page);
  await searchNearEncamp(page);
  assert.equal(await page.getByTestId('loop-item').count(), 3, `status: ${await statusText(page)}`);
  await page.waitForSelector('path.network-line', { timeout: 20_000 });
  assert.ok((await page.locator('path.network-line').count()) > 0);
  assert.equal(await page.locator('.leaflet-tile').count(), 0, 'no tiles');
  assert.match(await page.locator('.leaflet-control-attribution').innerText(), /© OpenStreetMap contributors/);
  assertNoErrors(errors);
});

test('a plan that does not exist says so', { timeout: 60_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  await load(page, '/?plan=00000000-0000-4000-8000-000000000000');
  const status = page.getByTestId('status');
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]').classList.contains('status-error'));
  assert.match(await status.innerText(), /does not exist/);
  assert.equal(await page.getByTestId('loop-item').count(), 0);
  // The browser logs the 404 of the plan's fetch itself; the page adds no error of its own.
  assertNoErrors(errors.filter((e) => !e.includes('status of 404')));
});

test('a rejected search shows the problem and its field messages', { timeout: 60_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  // The page's form keeps its values in range, so the service's 422 is stood in for here.
  await page.route('**/v1/loops', (route) =>
    route.fulfill({
      status: 422,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        title: 'Unprocessable Entity',
        status: 422,
        detail: 'the request has 1 invalid field',
        errors: [{ field: 'target_km', message: 'must be in [0.5, 300]' }],
      }),
    }),
  );
  await load(page);
  await clickMapAt(page, ENCAMP);
  await page.getByTestId('find-button').click();
  await searchDone(page);
  const text = await statusText(page);
  assert.match(text, /the request has 1 invalid field/);
  assert.match(text, /target_km: must be in \[0\.5, 300\]/);
  assert.ok(await page.getByTestId('find-button').isEnabled(), 'Find works again after an error');
  assertNoErrors(errors.filter((e) => !e.includes('status of 422')));
});

// ---- Dates: a trip planned for a start date, shown day by day ---------------------------

const isLoopsRequest = (request) =>
  request.method() === 'POST' && new URL(request.url()).pathname === '/v1/loops';

// The next 15 July (UTC) after today: a summer day, when Andorra's huts are open and the
// days are long.
function nextSummerDate(now = new Date()) {
  const year = now.getUTCFullYear() + (now >= new Date(Date.UTC(now.getUTCFullYear(), 6, 15)) ? 1 : 0);
  return `${year}-07-15`;
}

function addDays(ymd, n) {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// The local clock time an RFC 3339 time is written in: "2027-07-15T08:00:00+02:00" -> "08:00".
const clock = (rfc3339) => String(rfc3339).slice(11, 16);

// Sets the form for `days` days of `km` km within a `driveKm` drive of `origin`, starting
// on `date` (cleared when null) at `time`, searches, and answers the service's answer.
async function searchTrip(page, { origin, km, driveKm, days, date = null, time = '08:00' }) {
  await clickMapAt(page, origin);
  await page.getByRole('radio', { name: 'km', exact: true }).check();
  await page.getByLabel('Hike length').fill(String(km));
  await page.getByLabel('Longest drive').fill(String(driveKm));
  await page.getByLabel('Days', { exact: true }).fill(String(days));
  await page.getByLabel('Start date').fill(date ?? '');
  await page.getByLabel('Start time').fill(time);
  const response = page.waitForResponse((r) => isLoopsRequest(r.request()), { timeout: SEARCH_TIMEOUT_MS });
  await page.getByTestId('find-button').click();
  const answer = await (await response).json();
  await searchDone(page, SEARCH_TIMEOUT_MS);
  return answer;
}

test('a trip planned for a start date shows each day against sunset, and its nights', { timeout: 240_000 }, async (t) => {
  // The browser's own time zone is far from Andorra's: times must be shown as the
  // answer writes them, not turned into the browser's.
  const { context, page, errors } = await openPage({ timezoneId: 'America/New_York' });
  t.after(() => context.close());
  const sent = [];
  page.on('request', (r) => {
    if (isLoopsRequest(r)) sent.push(r.postDataJSON());
  });
  await load(page);
  const date = nextSummerDate();
  const trip = { origin: ANDORRA_LA_VELLA, km: 25, driveKm: 30, days: 2 };

  const answer = await searchTrip(page, { ...trip, date, time: '08:00' });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].start_date, date, `the request carries the date: ${JSON.stringify(sent[0])}`);
  assert.equal(sent[0].start_time, '08:00');
  assert.equal(sent[0].days, 2);
  const status = await statusText(page);
  assert.ok(answer.loops?.length > 0, `loops for the trip; status: ${status}; answer: ${JSON.stringify(answer).slice(0, 400)}`);
  assert.equal(answer.calendar?.planned_for_date, true, `planned for the date: ${JSON.stringify(answer.calendar)}`);
  assert.equal(answer.calendar.start_date, date);
  assert.equal(await page.getByTestId('calendar-note').isVisible(), false, 'no note when planned for the date');

  // The first loop is selected: its days, one row each.
  const loop = answer.loops[0];
  const stages = loop.stages;
  assert.ok(stages.length >= 2, `a multi-day trip: ${stages.length} stages`);
  const rows = page.getByTestId('day-row');
  assert.equal(await rows.count(), stages.length, 'one row per stage');
  assert.match(await page.getByTestId('days-panel').getByRole('heading').first().innerText(), /Day by day/);
  for (const [i, stage] of stages.entries()) {
    const row = rows.nth(i);
    const text = await row.innerText();
    assert.equal(stage.date, addDays(date, i), `day ${stage.day}'s date`);
    assert.equal(await row.getByTestId('day-date').getAttribute('datetime'), stage.date);
    assert.match(await row.getByTestId('day-date').innerText(), /\d{1,2} [A-Z][a-z]{2} \d{4}/, `a date shown: ${text}`);
    assert.ok(stage.start_time && stage.end_time && stage.sunset, `times in the answer: ${JSON.stringify(stage)}`);
    assert.ok(text.includes(`${clock(stage.start_time)} – ${clock(stage.end_time)}`), `start and end: ${text}`);
    assert.ok(text.includes(`sunset ${clock(stage.sunset)}`), `sunset ${clock(stage.sunset)}: ${text}`);
    assert.match(text, /\d km · ↑ [\d,]+ m/, `distance and climb: ${text}`);
    if (stage.night) {
      const place = stage.night.name ?? stage.night.kind;
      assert.equal(await row.getByTestId('night-name').innerText(), place, `the night's place: ${text}`);
      assert.match(await row.getByTestId('night-open').innerText(), /^(open|opening not known)/);
      assert.notEqual(stage.night.open, 'no', 'a closed place is never planned');
    }
  }
  assert.equal(clock(stages[0].start_time), '08:00', 'the first day starts at the time asked');
  assert.ok(stages[0].night, 'the first night is at a place');
  for (const a of await page.getByTestId('night-website').all()) {
    assert.match((await a.getAttribute('rel')) ?? '', /\bnoopener\b/);
  }

  // The profile's day markers lead to their rows.
  const markers = page.getByTestId('profile-day');
  assert.equal(await markers.count(), stages.length, 'a marker per day on the profile');
  await markers.nth(1).click();
  const second = rows.nth(1);
  await page.waitForFunction(() => document.activeElement?.id === 'day-2');
  assert.match((await second.getAttribute('class')) ?? '', /\bday-current\b/, 'the row is highlighted');
  await page.waitForFunction(() => {
    const r = document.getElementById('day-2').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight + 1;
  });

  // Without a date the request carries none, and the rows show no times.
  const undated = await searchTrip(page, { ...trip, date: null });
  assert.equal(sent.length, 2);
  assert.ok(!('start_date' in sent[1]) && !('start_time' in sent[1]), `no date sent: ${JSON.stringify(sent[1])}`);
  assert.ok(undated.loops.length > 0, `loops without a date; status: ${await statusText(page)}`);
  assert.equal(await rows.count(), undated.loops[0].stages.length);
  assert.equal(await page.getByTestId('day-date').count(), 0, 'no dates shown');
  assert.doesNotMatch(await page.getByTestId('days-panel').innerText(), /sunset/);
  // The service says what planning for no date leaves out: under the results.
  assert.equal(undated.calendar?.planned_for_date, false, JSON.stringify(undated.calendar));
  assert.ok(await page.getByTestId('calendar-note').isVisible(), 'the calendar note shows');
  assert.equal(await page.getByTestId('calendar-note').innerText(), undated.calendar.note);
  assertNoErrors(errors);
});

test('the day-by-day panel shows times as written and warns of a day that ends after dark', { timeout: 120_000 }, async (t) => {
  const { context, page, errors } = await openPage({ timezoneId: 'Pacific/Auckland' });
  t.after(() => context.close());
  // The service's trip, with times stood in for: the service plans it without the date,
  // and the stand-in dates it: the first day starts before sunrise, the last ends after
  // sunset, the first night's opening is unknown, and the times are at an offset of +05:45 (a conversion to the browser's
  // time zone would show other hours).
  let calendar = {
    planned_for_date: true, start_date: '2027-07-15', start_time: '08:00',
    time_zone: 'Asia/Kathmandu', daylight_margin_h: 0.5, note: 'Planned for the date.',
  };
  await page.route('**/v1/loops', async (route) => {
    const { start_date: _date, start_time: _time, ...undated } = route.request().postDataJSON();
    const response = await route.fetch({ postData: JSON.stringify(undated) });
    const answer = await response.json();
    for (const loop of answer.loops ?? []) {
      loop.stages = loop.stages.map((s, i) => {
        const day = `2027-07-${15 + i}`;
        const late = i === loop.stages.length - 1;
        return {
          ...s,
          date: day,
          start_time: `${day}T08:00:00+05:45`,
          end_time: late ? `${day}T19:40:00+05:45` : `${day}T15:10:00+05:45`,
          sunrise: i === 0 ? `${day}T08:16:00+05:45` : `${day}T05:20:00+05:45`,
          sunset: `${day}T19:10:00+05:45`,
          daylight_margin_h: late ? -0.5 : 4.0,
          night: s.night && { ...s.night, open: 'unknown', open_tag: 'seasonal', seasonal: 'summer' },
        };
      });
    }
    await route.fulfill({ response, json: { ...answer, calendar } });
  });
  await load(page);
  const trip = { origin: ANDORRA_LA_VELLA, km: 25, driveKm: 30, days: 2, date: '2027-07-15' };
  await searchTrip(page, trip);
  const rows = page.getByTestId('day-row');
  const n = await rows.count();
  assert.ok(n >= 2, `a multi-day trip; status: ${await statusText(page)}`);
  const first = await rows.first().innerText();
  assert.match(first, /08:00 – 15:10 · sunset 19:10 · 4\.0 h to spare · starts before sunrise \(08:16\)/, first);
  assert.match(first, /Thu,? 15 Jul 2027/, first);
  assert.match(first, /opening not known \(OSM seasonal=summer\)/, first);
  const last = rows.nth(n - 1);
  assert.match(await last.innerText(), /08:00 – 19:40 · sunset 19:10 · ends 30 min after sunset/);
  assert.match(await last.innerText(), /Back at the trailhead/);
  assert.equal(await last.locator('.day-times-warning').count(), 1, 'the late day is a warning');
  assert.equal(await rows.first().locator('.day-times-warning').count(), 0);
  assert.equal(await rows.first().locator('.day-times-tight').count(), 1, 'a start in the dark is a caution');
  assert.match(await page.getByTestId('days-panel').innerText(), /Asia\/Kathmandu/);

  // A date the service could not plan for: its note shows under the results.
  calendar = { ...calendar, planned_for_date: false, note: 'No time zone is known here: the days are not timed.' };
  await searchTrip(page, trip);
  const note = page.getByTestId('calendar-note');
  assert.ok(await note.isVisible(), 'the note shows');
  assert.equal(await note.innerText(), calendar.note);
  assertNoErrors(errors);
});

test('a start date the service rejects is marked on its field', { timeout: 60_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  const sent = [];
  await page.route('**/v1/loops', (route) => {
    sent.push(route.request().postDataJSON());
    return route.fulfill({
      status: 422,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        title: 'Unprocessable Entity',
        status: 422,
        detail: 'the request has 1 invalid field',
        errors: [{ field: 'start_date', message: 'must be a date YYYY-MM-DD' }],
      }),
    });
  });
  await load(page);
  await clickMapAt(page, ENCAMP);
  await page.getByLabel('Start date').fill('2027-07-15');
  await page.getByLabel('Start time').fill('06:30');
  await page.getByTestId('find-button').click();
  await searchDone(page);
  assert.equal(sent[0].start_date, '2027-07-15');
  assert.equal(sent[0].start_time, '06:30');
  const dateField = page.getByLabel('Start date');
  assert.equal(await dateField.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Start time').getAttribute('aria-invalid'), null, 'only the field named');
  const message = page.getByTestId('start-date-error');
  assert.ok(await message.isVisible(), 'the message shows under the field');
  assert.equal(await message.innerText(), 'must be a date YYYY-MM-DD');
  assert.match(await statusText(page), /start_date: must be a date YYYY-MM-DD/);
  // The message is the field's description; a new value clears it.
  assert.match((await dateField.getAttribute('aria-describedby')) ?? '', /\bstart-date-error\b/);
  await dateField.fill('2027-07-16');
  assert.equal(await dateField.getAttribute('aria-invalid'), null);
  assert.equal(await message.isVisible(), false);
  assertNoErrors(errors.filter((e) => !e.includes('status of 422')));
});

// ---- The page a hiker keeps: coverage, places, names, state, input, phone, a11y ---------

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// axe-core's serious and critical violations of the page as it is now.
async function axeCheck(page, state) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')),
    }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const rest = violations.filter((v) => !bad.includes(v)).map((v) => `${v.id} (${v.impact})`);
  console.log(`axe, ${state}: ${bad.length} serious or critical; others: ${rest.join(', ') || 'none'}`);
  assert.deepEqual(bad, [], `axe, ${state}: ${JSON.stringify(bad, null, 1)}`);
  return violations;
}

async function screenshot(page, name, fullPage = false) {
  await fs.mkdir(ARTIFACT_DIR, { recursive: true });
  const file = path.join(ARTIFACT_DIR, name);
  await page.screenshot({ path: file, fullPage });
  assert.ok((await fs.stat(file)).size > 5_000, `${file} holds a picture`);
}

// The first view: the coverage's outline drawn and the view fitted to its bbox.
async function assertCoverageShown(page) {
  await page.waitForSelector('path.coverage-area', { timeout: 10_000 });
  const coverage = await page.evaluate(async () => (await fetch('/v1/coverage')).json());
  assert.equal(coverage.type, 'FeatureCollection');
  assert.ok(coverage.features.length >= 1, 'a region with data');
  const [w, s, e, n] = coverage.bbox;
  const inside = await page.evaluate(
    ([w, s, e, n]) => window.trailloopMap.getBounds().contains([[s, w], [n, e]]),
    [w, s, e, n],
  );
  assert.ok(inside, `the view contains the bbox ${coverage.bbox}`);
  assert.match(await page.getByTestId('coverage-text').innerText(), /Covered:/);
}

// Searches the place search for `q` and chooses the first place with the keyboard.
async function choosePlace(page, q) {
  const box = page.getByLabel('Find a place');
  await box.fill(q);
  const option = page.getByTestId('place-option').first();
  await option.waitFor({ timeout: 10_000 });
  const name = await option.locator('.place-name').innerText();
  await box.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'place-option');
  await page.keyboard.press('Enter');
  return name;
}

for (const [device, options] of [['desktop', {}], ['phone', PHONE]]) {
  test(`first view (${device}): the coverage drawn and fitted, no serious axe violations`, { timeout: 60_000 }, async (t) => {
    const { context, page, errors } = await openPage(options);
    t.after(() => context.close());
    await load(page);
    await assertCoverageShown(page);
    await screenshot(page, `${device}.png`);
    await axeCheck(page, `first view, ${device}`);
    assertNoErrors(errors);
  });
}

test('a place searched, a loop named and selected, the profile hovered', { timeout: 180_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  await load(page);
  // The service's own answer to the place search.
  const places = await page.evaluate(async () => (await fetch('/v1/places?q=encamp&limit=5')).json());
  assert.ok(places.places.length > 0, `a place for "encamp": ${JSON.stringify(places)}`);
  const short = await page.evaluate(async () => (await fetch('/v1/places?q=e&limit=5')).json());
  assert.deepEqual(short.places, [], 'a one-letter query finds nothing');
  const name = await choosePlace(page, 'Encamp');
  assert.match(await page.getByTestId('origin-text').innerText(), new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.equal(await page.locator('.leaflet-marker-pane .leaflet-marker-icon[title^="Start"]').count(), 1, 'the start marker');
  const center = await page.evaluate(() => window.trailloopMap.getCenter());
  assert.ok(Math.abs(center.lat - places.places[0].lat) < 0.01, 'the map is centred on the place');

  // Enter on Find: the answer, focus on its heading (not the top of the page).
  const response = page.waitForResponse((r) => isLoopsRequest(r.request()), { timeout: SEARCH_TIMEOUT_MS });
  await page.getByTestId('find-button').focus();
  await page.keyboard.press('Enter');
  const answer = await (await response).json();
  await searchDone(page, SEARCH_TIMEOUT_MS);
  assert.ok(answer.loops.length >= 2, `loops near ${name}: ${await statusText(page)}`);
  await page.waitForFunction(() => document.activeElement?.id === 'results-heading');
  const titles = await page.getByTestId('loop-title').allInnerTexts();
  assert.deepEqual(titles, answer.loops.map((l) => l.name), 'each loop titled by its name');

  await page.locator('[data-testid="loop-item"][data-rank="2"] button').click();
  const loop = answer.loops[1];
  assert.equal(await page.getByTestId('details-title').innerText(), loop.name);
  // Highlights: a marker each, named, the named ones labelled on the map.
  const named = loop.highlights.filter((h) => h.name);
  assert.equal(await page.locator('.leaflet-marker-icon.highlight-marker').count(), loop.highlights.length);
  for (const h of named) {
    assert.ok((await page.locator('.leaflet-tooltip.map-label').allInnerTexts()).some((t) => t.startsWith(h.name)), `${h.name} labelled`);
  }
  for (const el of await page.locator('.leaflet-marker-icon[tabindex="0"]').all()) {
    assert.ok(await el.getAttribute('aria-label'), 'a focusable marker has a name');
  }
  // The drive: drawn when the road graph gave its way.
  const drive = loop.trailhead.drive_geometry;
  assert.equal(await page.locator('path.drive-line').count(), drive ? 1 : 0, `drive_geometry: ${JSON.stringify(drive)?.slice(0, 80)}`);
  // The profile: grade shading, and the position on the map under the pointer.
  assert.ok((await page.locator('.profile-grade').count()) > 0, 'grade shading');
  assert.equal(await page.locator('.profile-position-marker').count(), 0);
  const track = page.getByTestId('profile-track');
  await track.scrollIntoViewIfNeeded();
  const box = await track.boundingBox();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await page.waitForSelector('path.profile-position-marker', { state: 'attached' });
  const where = await page.evaluate(() => {
    const m = window.trailloopMap;
    let marker = null;
    m.eachLayer((l) => { if (l.options?.className === 'profile-position-marker') marker = l; });
    return marker && { inView: m.getBounds().contains(marker.getLatLng()), d: marker.getElement().getAttribute('d') };
  });
  assert.ok(where?.inView, `the position marker is in the map's view: ${JSON.stringify(where)}`);
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
  // ... and with the keyboard: the track is a slider with a value in words.
  await track.focus();
  await page.keyboard.press('End');
  assert.match((await track.getAttribute('aria-valuetext')) ?? '', /km along, at [\d,]+ m/);
  await screenshot(page, 'desktop-results.png');
  await axeCheck(page, 'results, a loop selected');
  assertNoErrors(errors);
});

test('a 3-day trip: the day-by-day panel names each night\'s hut', { timeout: 180_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  await load(page);
  const answer = await searchTrip(page, { origin: ANDORRA_LA_VELLA, km: 36, driveKm: 30, days: 3 });
  assert.ok(answer.loops.length > 0, `a 3-day trip: ${await statusText(page)}`);
  const stages = answer.loops[0].stages;
  assert.equal(stages.length, 3);
  const rows = page.getByTestId('day-row');
  assert.equal(await rows.count(), 3);
  const huts = stages.filter((s) => s.night).map((s) => s.night);
  assert.ok(huts.length >= 2 && huts.every((n) => n.name), `named nights: ${JSON.stringify(huts.map((n) => n.name))}`);
  for (const [i, stage] of stages.entries()) {
    if (!stage.night) continue;
    assert.equal(await rows.nth(i).getByTestId('night-name').innerText(), stage.night.name);
  }
  // Each night's marker above the highlights, named.
  const nights = page.locator('.leaflet-nights-pane .night-marker');
  assert.equal(await nights.count(), huts.length);
  assert.match((await nights.first().getAttribute('aria-label')) ?? '', new RegExp(`Night after day 1: ${huts[0].name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  await nights.first().focus();
  await page.waitForSelector('.leaflet-tooltip-pane .leaflet-tooltip:not(.map-label)');
  await axeCheck(page, 'a selected trip');
  assertNoErrors(errors);
});

test('a new start clears old results; reload and back keep the search; the share link restores the form', { timeout: 240_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  await load(page);
  await searchNearEncamp(page);
  assert.equal(await page.getByTestId('loop-item').count(), 3);
  assert.match(page.url(), /lat=42\.53\d*&lon=1\.58\d*.*length=10/);

  // A new start: no loop, line, count or details of the old one.
  await clickMapAt(page, ANDORRA_LA_VELLA);
  assert.equal(await page.getByTestId('loop-item').count(), 0);
  assert.equal(await page.locator('path.loop-line').count(), 0);
  assert.equal(await page.getByTestId('status').innerText(), '');
  assert.equal(await page.getByTestId('results-heading').isVisible(), false);
  assert.equal(await page.locator('#details').isVisible(), false);

  // An error clears what was there.
  await searchNearEncamp(page);
  await page.route('**/v1/loops', (route) => route.fulfill({
    status: 503, contentType: 'application/problem+json',
    body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'the service is busy' }),
  }));
  await page.getByTestId('find-button').click();
  await searchDone(page);
  assert.match(await statusText(page), /the service is busy/);
  assert.equal(await page.getByTestId('loop-item').count(), 0, 'no loops under the error');
  await page.unroute('**/v1/loops');

  // Reload: the form and the loops of the search in the address.
  await page.getByLabel('Hike length').fill('12');
  await page.getByLabel('Days', { exact: true }).fill('1');
  await page.getByTestId('find-button').click();
  await searchDone(page, SEARCH_TIMEOUT_MS);
  const first = page.url();
  assert.match(first, /length=12/);
  await page.getByLabel('Hike length').fill('8');
  await page.getByTestId('find-button').click();
  await searchDone(page, SEARCH_TIMEOUT_MS);
  assert.match(page.url(), /length=8/);
  await page.reload();
  await page.getByTestId('loop-item').first().waitFor({ timeout: SEARCH_TIMEOUT_MS });
  assert.equal(await page.getByLabel('Hike length').inputValue(), '8');
  assert.match(await page.getByTestId('origin-text').innerText(), /42\.53/);
  // Back: the search before.
  await page.goBack();
  await page.waitForFunction(() => document.getElementById('length').value === '12');
  await page.getByTestId('loop-item').first().waitFor({ timeout: SEARCH_TIMEOUT_MS });
  await searchDone(page, SEARCH_TIMEOUT_MS);

  // Save the second loop; its "Saved" message goes once another loop is selected.
  await page.locator('[data-testid="loop-item"][data-rank="2"] button').click();
  const name = await page.getByTestId('details-title').innerText();
  await page.getByTestId('save-button').click();
  await page.getByTestId('share-link').waitFor({ state: 'visible' });
  assert.match(await statusText(page), /Saved/);
  const planUrl = await page.getByTestId('status-share-link').evaluate((a) => a.href);
  assert.equal(planUrl, await page.getByTestId('share-link').evaluate((a) => a.href));
  await page.locator('[data-testid="loop-item"][data-rank="1"] button').click();
  assert.doesNotMatch(await statusText(page), /Saved/);

  // The share link in a fresh page: the form as asked, the start, the loop as ranked and named.
  const { context: other, page: shared, errors: otherErrors } = await openPage();
  t.after(() => other.close());
  await load(shared, planUrl);
  await shared.getByTestId('loop-item').first().waitFor();
  assert.equal(await shared.getByLabel('Hike length').inputValue(), '12');
  assert.equal(await shared.getByLabel('Days', { exact: true }).inputValue(), '1');
  assert.equal(await shared.locator('[data-testid="loop-item"]').getAttribute('data-rank'), '2');
  assert.equal(await shared.getByTestId('loop-title').innerText(), name);
  assert.equal(await shared.getByTestId('details-title').innerText(), name);
  assert.equal(await shared.locator('.leaflet-marker-icon[title^="Start"]').count(), 1, 'the start marker');
  assertNoErrors(errors.filter((e) => !e.includes('status of 503')));
  assertNoErrors(otherErrors);
});

test('a 3-day plan\'s share link restores its days', { timeout: 180_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  await load(page);
  await searchTrip(page, { origin: ANDORRA_LA_VELLA, km: 36, driveKm: 30, days: 3 });
  await page.getByTestId('save-button').click();
  await page.getByTestId('share-link').waitFor({ state: 'visible' });
  const planUrl = await page.getByTestId('share-link').evaluate((a) => a.href);
  assert.match(planUrl, /plan=.*days=3/);
  await page.getByLabel('Days', { exact: true }).fill('1');
  await load(page, planUrl);
  await page.getByTestId('loop-item').first().waitFor();
  assert.equal(await page.getByLabel('Days', { exact: true }).inputValue(), '3');
  assert.equal(await page.getByLabel('Hike length').inputValue(), '36');
  assert.equal(await page.getByTestId('day-row').count(), 3);
  assertNoErrors(errors);
});

test('invalid inputs are marked and not sent; slider ranges and values in the unit', { timeout: 60_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  const sent = [];
  page.on('request', (r) => { if (isLoopsRequest(r)) sent.push(r.postDataJSON()); });
  await load(page);
  await clickMapAt(page, ENCAMP);
  const days = page.getByLabel('Days', { exact: true });
  for (const [value, message] of [['', /Enter a number of days, 1 to 14/], ['2.5', /whole number/], ['20', /1 to 14, not 20/], ['0', /1 to 14, not 0/]]) {
    await days.fill(value);
    await page.getByTestId('find-button').click();
    assert.equal(await days.getAttribute('aria-invalid'), 'true', `days "${value}" marked`);
    assert.match(await page.getByTestId('days-error').innerText(), message);
    assert.match((await days.getAttribute('aria-describedby')) ?? '', /\bdays-error\b/);
    assert.ok(await days.evaluate((el) => el === document.activeElement), 'focus on the field');
  }
  assert.equal(sent.length, 0, 'nothing sent');
  await days.fill('2');
  assert.equal(await days.getAttribute('aria-invalid'), null, 'a new value clears the mark');
  // Each unit its range; the sliders say their unit.
  const length = page.getByLabel('Hike length');
  const drive = page.getByLabel('Longest drive');
  assert.deepEqual([await length.getAttribute('max'), await drive.getAttribute('max')], ['60', '150']);
  await length.fill('60');
  assert.equal(await length.getAttribute('aria-valuetext'), '60 kilometres');
  await page.getByRole('radio', { name: 'mi', exact: true }).check();
  assert.deepEqual([await length.getAttribute('max'), await drive.getAttribute('max')], ['37', '93']);
  assert.equal(await length.inputValue(), '37');
  assert.equal(await length.getAttribute('aria-valuetext'), '37 miles');
  assertNoErrors(errors);
});

test('a loop longer than a day\'s walking says so in words', { timeout: 120_000 }, async (t) => {
  const { context, page, errors } = await openPage();
  t.after(() => context.close());
  await page.route('**/v1/loops', async (route) => {
    const response = await route.fetch();
    const answer = await response.json();
    answer.loops[0].duration_h = 19;
    answer.loops[0].stages = answer.loops[0].stages.map((s) => ({ ...s, duration_h: 19 }));
    await route.fulfill({ response, json: answer });
  });
  await load(page);
  await searchNearEncamp(page);
  assert.match(await page.getByTestId('loop-warning').first().innerText(), /Long day: .*19 h of walking/);
  assert.ok(await page.getByTestId('long-day-warning').isVisible());
  assertNoErrors(errors);
});

test('use my location sets the start; a refusal is said', { timeout: 60_000 }, async (t) => {
  const { context, page, errors } = await openPage({ geolocation: { latitude: 42.5078, longitude: 1.5211 }, permissions: ['geolocation'] });
  t.after(() => context.close());
  await load(page);
  await page.getByTestId('locate-button').click();
  await page.waitForFunction(() => /My location/.test(document.getElementById('origin-text').textContent));
  assert.ok(await page.getByTestId('find-button').isEnabled());
  const { context: denied, page: page2 } = await openPage();
  t.after(() => denied.close());
  await load(page2);
  await page2.getByTestId('locate-button').click();
  await page2.waitForFunction(() => document.querySelector('[data-testid="status"]').classList.contains('status-error'));
  assert.match(await statusText(page2), /Your location could not be found/);
  assertNoErrors(errors);
});

test('phone: the first result in view after Find, list and map switch, 44 px targets, axe', { timeout: 180_000 }, async (t) => {
  const { context, page, errors } = await openPage(PHONE);
  t.after(() => context.close());
  await load(page);
  await assertCoverageShown(page);
  // One finger scrolls the page over the map; "Move map" lets it move.
  assert.equal(await page.evaluate(() => window.trailloopMap.dragging.enabled()), false);
  assert.equal(await page.locator('#map').evaluate((el) => getComputedStyle(el).touchAction), 'pan-x pan-y', 'the browser scrolls the page');
  assert.ok(await page.getByTestId('move-map').isVisible());
  await page.getByTestId('move-map').click();
  assert.equal(await page.evaluate(() => window.trailloopMap.dragging.enabled()), true);
  await page.getByTestId('move-map').click();
  await choosePlace(page, 'Encamp');
  await page.getByTestId('find-button').tap();
  await searchDone(page, SEARCH_TIMEOUT_MS);
  const first = page.getByTestId('loop-item').first();
  await first.waitFor();
  const inView = await first.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const bar = document.querySelector('.view-switch').getBoundingClientRect().bottom; // sticky, on top
    return r.top >= bar - 1 && r.top < window.innerHeight - 40;
  });
  assert.ok(inView, 'the first result is in view');
  await screenshot(page, 'phone-results.png');
  // Tap targets: every visible control at least 44 px each way.
  const small = await page.evaluate(() => {
    const els = document.querySelectorAll('button, a.button, #share, input:not([type=radio]), .units label, .leaflet-bar a');
    return [...els].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && (r.height < 44 || r.width < 44);
    }).map((el) => `${el.tagName}#${el.id || el.className || el.textContent.trim().slice(0, 20)} ${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)}`);
  });
  assert.deepEqual(small, [], 'tap targets under 44 px');
  await axeCheck(page, 'phone results');
  // The map view: the map alone, filling the screen, and movable.
  await page.getByTestId('show-map').tap();
  assert.equal(await page.getByTestId('show-map').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('.panel').isVisible(), false);
  const mapBox = await page.locator('#map').boundingBox();
  assert.ok(mapBox.height > 600, `the map fills the screen: ${mapBox.height}`);
  assert.equal(await page.evaluate(() => window.trailloopMap.dragging.enabled()), true);
  await page.getByTestId('show-list').tap();
  assert.ok(await page.locator('.panel').isVisible());
  assertNoErrors(errors);
});
