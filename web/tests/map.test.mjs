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
const SEARCH_TIMEOUT_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A 1x1 light grey PNG, served for every tile.
const BLANK_TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
// Tile URLs look like .../{z}/{x}/{y}.png; a tile that fails to load is not a page error.
const TILE_PATH = /\/\d+\/\d+\/\d+(@2x)?\.(png|jpe?g|webp)(\?|$)/;

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
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === BASE.origin) return route.continue();
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
