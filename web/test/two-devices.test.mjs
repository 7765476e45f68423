// Two browser windows = two devices of one account, in real headless Chromium (Debian's package) driven by
// playwright-core, against the real running stack: the gateway serving web/, Keycloak's real login page, the
// five services, PostgreSQL and Kafka. Nothing is faked. A throw-away Keycloak user is made for the run (admin
// API) and deleted at the end.
//
// Run: deploy/local/up.sh, then `cd web && npm ci && npm test` (deploy/local/test.sh does this as its last step).
// Environment: CONTINUUM_WEB_URL (http://localhost:8080), CONTINUUM_KEYCLOAK_URL (http://localhost:8180),
// CONTINUUM_KC_ADMIN_USER / CONTINUUM_KC_ADMIN_PASSWORD (admin/admin), CHROMIUM (/usr/bin/chromium),
// CONTINUUM_WEB_ARTIFACTS (web/test-results): one screenshot per step lands there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = process.env.CONTINUUM_WEB_URL || 'http://localhost:8080';
const KC = process.env.CONTINUUM_KEYCLOAK_URL || 'http://localhost:8180';
const REALM = 'continuum';
const OUT = process.env.CONTINUUM_WEB_ARTIFACTS || new URL('../test-results/', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP = 15_000; // ms for one step's effect to show (the 1 s promise is asserted separately)

mkdirSync(OUT, { recursive: true });

// ------------------------------------------------------------------ a throw-away Keycloak user
async function adminToken() {
  const res = await fetch(`${KC}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli',
      username: process.env.CONTINUUM_KC_ADMIN_USER || 'admin', password: process.env.CONTINUUM_KC_ADMIN_PASSWORD || 'admin' }),
  });
  assert.equal(res.status, 200, `Keycloak admin token: HTTP ${res.status}`);
  return (await res.json()).access_token;
}
async function createUser() {
  const username = `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const token = await adminToken();
  const res = await fetch(`${KC}/admin/realms/${REALM}/users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, enabled: true, emailVerified: true, email: `${username}@test.continuum.dev`,
      firstName: 'Web', lastName: 'Tester', credentials: [{ type: 'password', value: password, temporary: false }] }),
  });
  assert.equal(res.status, 201, `creating a Keycloak user: HTTP ${res.status} ${await res.text()}`);
  return { username, password, location: res.headers.get('Location') };
}
async function deleteUser(user) {
  if (!user?.location) return;
  await fetch(user.location, { method: 'DELETE', headers: { Authorization: `Bearer ${await adminToken()}` } }).catch(() => {});
}

// ------------------------------------------------------------------ the two windows
let browser, user, A, B;
const shots = [];

async function shot(name) {
  const files = [];
  for (const [label, page] of [['A', A], ['B', B]]) {
    const file = `${OUT}${String(shots.length + 1).padStart(2, '0')}-${name}-${label}.png`;
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  shots.push({ name, files });
  await sideBySide(`${OUT}${String(shots.length).padStart(2, '0')}-${name}.png`, name);
}

/** Both windows in one picture (the README's screenshot is one of these). */
async function sideBySide(file, caption) {
  const [a, b] = await Promise.all([A.screenshot(), B.screenshot()]);
  const page = await browser.newPage({ viewport: { width: 1880, height: 1048 } });
  const img = (buf, label) => `<figure><figcaption>${label}</figcaption><img src="data:image/png;base64,${buf.toString('base64')}"></figure>`;
  await page.setContent(`<style>body{margin:0;display:flex;gap:16px;padding:8px;background:#444;font:14px system-ui}
    figure{margin:0}figcaption{color:#fff;padding:2px 0 6px}img{border:1px solid #000;display:block;width:920px}</style>
    ${img(a, `Window A — ${caption}`)}${img(b, 'Window B (same account, another device)')}`);
  await page.screenshot({ path: file });
  await page.close();
}

async function signIn(page) {
  await page.goto(`${BASE}/`);
  // Keycloak's own login page (authorization code + PKCE: the app redirected here).
  await page.waitForURL(`${KC}/realms/${REALM}/protocol/openid-connect/auth**`, { timeout: STEP });
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('#kc-login');
  await page.waitForURL(`${BASE}/**`, { timeout: STEP });
  await page.locator('#main').waitFor({ state: 'visible', timeout: STEP });
  await page.waitForFunction(() => document.getElementById('conn').textContent === 'live', null, { timeout: STEP });
}
const text = (page, sel) => page.locator(sel).textContent();
const deviceIdOf = (page) => page.evaluate(() => localStorage.getItem('continuum.deviceId'));

before(async () => {
  user = await createUser();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const contextA = await browser.newContext({ viewport: { width: 920, height: 1000 } });
  const contextB = await browser.newContext({ viewport: { width: 920, height: 1000 } });
  A = await contextA.newPage();
  B = await contextB.newPage();
  for (const [n, p] of [['A', A], ['B', B]]) {
    p.on('pageerror', (e) => console.log(`[${n}] page error: ${e.message}`));
    p.on('console', (m) => { if (m.type() === 'error') console.log(`[${n}] console: ${m.text()}`); });
  }
});

after(async () => {
  await browser?.close();
  await deleteUser(user);
  writeFileSync(`${OUT}steps.json`, JSON.stringify(shots, null, 2));
});

test('two windows of one account stay in step', { timeout: 240_000 }, async (t) => {
  await t.test('both windows sign in through Keycloak\'s login page and register as devices', async () => {
    await signIn(A);
    await signIn(B);
    const [idA, idB] = [await deviceIdOf(A), await deviceIdOf(B)];
    assert.notEqual(idA, idB, 'two browser contexts are two devices');
    for (const page of [A, B]) {
      await page.locator(`#device-list li[data-device="${idA}"]`).waitFor({ timeout: STEP });
      await page.locator(`#device-list li[data-device="${idB}"]`).waitFor({ timeout: STEP });
    }
    // the other window shows as online (presence over the socket)
    await A.locator(`#device-list li[data-device="${idB}"] .dot.on`).waitFor({ timeout: STEP });
    assert.match(await text(A, '#who'), new RegExp(`^${user.username} · .+ on .+`));
    await shot('signed-in');
  });

  await t.test('pause at 12:34 in A: B shows 12:34 within a second, without a reload', async () => {
    await A.click('#play');
    await B.waitForFunction(() => document.getElementById('play-state').textContent === 'playing', null, { timeout: STEP });
    await A.click('#pause');
    await B.waitForFunction(() => document.getElementById('play-state').textContent === 'paused', null, { timeout: STEP });
    await A.waitForFunction(() => window.continuum.queue.length === 0 && !window.continuum.flushing, null, { timeout: STEP });
    await A.fill('#seek-to', '12:34');
    const t0 = Date.now();
    await A.press('#seek-to', 'Enter'); // the keyboard: submits the "jump to" form
    await B.waitForFunction(() => document.getElementById('position').textContent === '12:34'
      && document.getElementById('play-state').textContent === 'paused', null, { timeout: STEP, polling: 10 });
    const wall = Date.now() - t0;
    // From the moment A's page handled the action to the moment B's page showed it: both pages read the same clock
    // (one machine). The wall time around it adds the test driver's own work (CDP round trips, polling).
    const a = await A.evaluate(() => ({ action: window.continuum.lastActionAt, sent: window.continuum.lastOpSentAt }));
    const b = await B.evaluate(() => ({ shown: window.continuum.lastFollowAt, frame: window.continuum.lastFrameAt, latency: window.continuum.lastLatency }));
    const ms = b.shown - a.action;
    console.log(`B showed 12:34 ${ms} ms after A's page took the action (op sent +${a.sent - a.action} ms, frame at B`
      + ` +${b.frame - a.action} ms, ${b.latency} ms after the change was stored; ${wall} ms wall time in the test driver)`);
    assert.ok(ms >= 0 && ms < 1000, `B showed 12:34 ${ms} ms after A's action (promise: under 1 s)`);
    assert.equal(await text(A, '#position'), '12:34');
    assert.match(await text(B, '#continue'), /The Long Afternoon · 12:34/);
    assert.match(await text(B, '#seq'), /^\d+$/);
    assert.match(await text(B, '#latency'), /^\d+ ms$/);
    await shot('paused-at-12-34');
  });

  await t.test('buy in B: A\'s wallet and inventory change', async () => {
    await B.click('#top-up');
    await A.waitForFunction(() => document.getElementById('wallet').dataset.gold === '100', null, { timeout: STEP });
    await B.click('#shop button[data-item="potion"]');
    await A.waitForFunction(() => document.getElementById('wallet').dataset.gold === '70', null, { timeout: STEP });
    await A.locator('#inventory li[data-item="potion"]').waitFor({ timeout: STEP });
    assert.equal(await text(A, '#inventory li[data-item="potion"]'), 'Potion × 1');
    await A.waitForFunction(() => document.querySelectorAll('#ledger tr').length >= 3, null, { timeout: STEP });
    // more than the wallet holds: refused, nothing changes
    await B.click('#shop button[data-item="sword"]');
    await B.waitForFunction(() => /Not enough gold/.test(document.getElementById('toast').textContent), null, { timeout: STEP });
    assert.equal(await A.locator('#wallet').getAttribute('data-gold'), '70');
    await shot('bought-in-B');
  });

  await t.test('chat from A to B; read in B clears A\'s unread count', async () => {
    await A.fill('#new-channel-name', 'family');
    await A.click('#new-channel button[type=submit]');
    await A.fill('#message', 'Hello from A');
    await A.click('#send-form button[type=submit]');
    const channelB = B.locator('#channel-list li button', { hasText: 'family' });
    await channelB.waitFor({ timeout: STEP });
    await B.waitForFunction(() => document.querySelector('#channel-list .unread')?.textContent === '1', null, { timeout: STEP });
    await channelB.click();
    await B.locator('#messages li', { hasText: 'Hello from A' }).waitFor({ timeout: STEP });
    await B.fill('#message', 'Hi A, B here');
    await B.click('#send-form button[type=submit]');
    await A.waitForFunction(() => document.querySelector('#channel-list .unread')?.textContent === '1', null, { timeout: STEP });
    await shot('chat-unread');
    await B.click('#mark-read');
    await A.waitForFunction(() => document.querySelector('#channel-list .unread')?.textContent === '0', null, { timeout: STEP });
    assert.equal(await text(B, '#channel-list .unread'), '0');
    await shot('read-in-B');
  });

  await t.test('A offline queues a seek, comes back, both end equal', async () => {
    await A.context().setOffline(true);
    await A.locator('#offline-banner').waitFor({ state: 'visible', timeout: STEP });
    await A.fill('#seek-to', '20:00');
    await A.click('#seek-form button[type=submit]');
    await A.waitForFunction(() => /1 change queued/.test(document.getElementById('queued-count').textContent), null, { timeout: STEP });
    assert.equal(await text(A, '#position'), '20:00');
    assert.equal(await text(B, '#position'), '12:34', 'B cannot know yet');
    await shot('offline-queued');
    await A.context().setOffline(false);
    await A.locator('#offline-banner').waitFor({ state: 'hidden', timeout: STEP });
    await B.waitForFunction(() => document.getElementById('position').textContent === '20:00', null, { timeout: STEP });
    await A.waitForFunction(() => window.continuum.queue.length === 0 && document.getElementById('conn').textContent === 'live', null, { timeout: STEP });
    const state = (page) => page.evaluate(() => {
      const { contentId, positionMs, durationMs, state: playState } = window.continuum.playback['movie-1'];
      const p = window.continuum.player;
      return { contentId, positionMs, durationMs, state: playState,
        player: [p.contentId, p.positionMs, p.state], shown: document.getElementById('position').textContent };
    });
    await B.waitForFunction(() => window.continuum.playback['movie-1']?.positionMs === 1_200_000, null, { timeout: STEP });
    const expected = { contentId: 'movie-1', positionMs: 1_200_000, durationMs: 5_400_000, state: 'paused',
      player: ['movie-1', 1_200_000, 'paused'], shown: '20:00' };
    assert.deepEqual(await state(A), expected);
    assert.deepEqual(await state(B), expected);
    await shot('back-online-equal');
  });

  await t.test('recommendations for this device and the minutes available, with reasons and the serving model', async () => {
    await A.fill('#minutes', '25');
    await A.click('#recs-form button[type=submit]');
    await A.waitForFunction(() => document.querySelectorAll('#recs-list li').length > 0, null, { timeout: STEP });
    assert.match(await text(A, '#recs-model'), /^Model: \S+/);
    assert.match(await A.locator('#recs-list li').first().textContent(), / · \d+ min/);
    await shot('recommendations');
  });

  await t.test('upgrade in B through the provider\'s checkout page: the Premium badge flips live in A', async () => {
    await A.waitForFunction(() => /Free plan/.test(document.getElementById('premium-text').textContent), null, { timeout: STEP });
    assert.equal(await A.locator('#premium-badge').isHidden(), true);
    await B.click('#upgrade');
    // the billing provider simulator's own page (a third party's page in production)
    await B.locator('#pay').waitFor({ timeout: STEP });
    assert.match(await text(B, '#plan'), /.+/);
    await B.click('#pay');
    // back in the app (/billing/done), signed in again silently by Keycloak's session
    await B.waitForURL(`${BASE}/**`, { timeout: STEP });
    await A.locator('#premium-badge').waitFor({ state: 'visible', timeout: STEP });
    await B.locator('#premium-badge').waitFor({ state: 'visible', timeout: STEP });
    assert.match(await text(A, '#premium-text'), /Premium is on/);
    assert.equal(await A.locator('#upgrade').isHidden(), true);
    await B.waitForFunction(() => document.getElementById('conn').textContent === 'live', null, { timeout: STEP });
    await shot('premium-on-both');
  });

  await t.test('revoke A from B: A shows it was signed out and its socket is closed', async () => {
    const idA = await deviceIdOf(A);
    await B.locator(`#device-list li[data-device="${idA}"] button.danger`).click();
    await A.locator('#signed-out').waitFor({ state: 'visible', timeout: STEP });
    assert.match(await text(A, '#signed-out-reason'), /removed|signed out/);
    assert.equal(await A.evaluate(() => window.continuum.ws), null);
    assert.equal(await A.evaluate(() => window.continuum.lastSocket?.readyState), 3 /* CLOSED */);
    assert.match(await text(A, '#conn'), /closed/);
    await B.locator(`#device-list li[data-device="${idA}"]`).waitFor({ state: 'detached', timeout: STEP });
    assert.equal(await text(B, '#conn'), 'live', 'B stays signed in');
    await shot('revoked-A-from-B');
  });

  await t.test('B renames itself, then logs out everywhere: B shows it was signed out', async () => {
    const idB = await deviceIdOf(B);
    await B.locator(`#device-list li[data-device="${idB}"] button`, { hasText: 'Rename' }).click();
    await B.fill(`#device-list li[data-device="${idB}"] input`, 'Living-room laptop');
    await B.press(`#device-list li[data-device="${idB}"] input`, 'Enter');
    await B.locator(`#device-list li[data-device="${idB}"] .name`, { hasText: 'Living-room laptop' }).waitFor({ timeout: STEP });
    await B.click('#logout-everywhere');
    await B.locator('#signed-out').waitFor({ state: 'visible', timeout: STEP });
    assert.equal(await B.evaluate(() => window.continuum.lastSocket?.readyState), 3 /* CLOSED */);
    await shot('logged-out-everywhere');
  });
});
