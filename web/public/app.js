// The Continuum demo web app: one browser = one device of the account.
//
// Sign-in: Keycloak authorization code + PKCE (keycloak-js, client continuum-web). The browser then registers
// itself as a device (POST /api/auth/devices), loads the account state (GET /api/state/snapshot), and keeps one
// WebSocket (/ws) open: every frame of the account stream updates the page, so two windows stay in step.
// Writes are sync-protocol ops (POST /api/state/ops) kept in a queue in localStorage: offline they wait, and they
// are replayed when the connection returns (op ids make a replay harmless).
import Keycloak, { NetworkError } from '/app/vendor/keycloak-js/keycloak.js';
import { fmt, parseClock, deviceName as utilDeviceName, enqueueOp, unreadCount } from '/app/util.js';

const cfg = Object.assign({ keycloakUrl: 'http://localhost:8180', realm: 'continuum', clientId: 'continuum-web' },
  window.continuumConfig || {});

// ------------------------------------------------------------------ demo catalogue and shop
const CATALOG = [
  { id: 'movie-1', title: 'The Long Afternoon', durationMs: 90 * 60_000 },
  { id: 'movie-2', title: 'Night Train', durationMs: 45 * 60_000 },
  { id: 'series-1-e1', title: 'Harbour Lights, episode 1', durationMs: 52 * 60_000 },
];
const SHOP = [
  { itemId: 'potion', name: 'Potion', price: 30 },
  { itemId: 'shield', name: 'Shield', price: 80 },
  { itemId: 'sword', name: 'Sword', price: 120 },
];
const CURRENCY = 'gold';

// ------------------------------------------------------------------ small helpers
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.textContent = ''; }, 6000);
}
const deviceName = () => utilDeviceName(navigator.userAgent, navigator.userAgentData);
function newId(prefix) { return `${prefix}-${crypto.randomUUID()}`; }

// A stable id per browser profile: the device id.
const deviceId = localStorage.getItem('continuum.deviceId') || newId('web');
localStorage.setItem('continuum.deviceId', deviceId);
const QUEUE_KEY = `continuum.queue.${deviceId}`;

// ------------------------------------------------------------------ state of the page
const S = {
  signedOut: false,
  online: navigator.onLine,
  accountId: null,
  revision: null,            // account state revision applied to the page
  wallet: {}, inventory: {}, readMarkers: {},
  playback: {},              // contentId -> resume point (from snapshot, changes, frames)
  player: { contentId: CATALOG[0].id, positionMs: 0, durationMs: CATALOG[0].durationMs, state: 'stopped', at: performance.now() },
  devices: [], presence: {}, presenceAt: {},
  channels: [], channelHeads: {}, messages: {}, selectedChannel: null,
  ws: null, wsState: 'starting', seq: null, epoch: null, lastLatency: null, retry: 0,
  queue: JSON.parse(localStorage.getItem(QUEUE_KEY) || '[]'),
  flushing: false,
};
window.continuum = S; // for the browser tests and the curious

// ------------------------------------------------------------------ sign-in
const kc = new Keycloak({ url: cfg.keycloakUrl, realm: cfg.realm, clientId: cfg.clientId });

class Offline extends Error {}
class ApiError extends Error {
  constructor(status, problem) { super(problem?.detail || problem?.title || `HTTP ${status}`); this.status = status; this.problem = problem; }
}

async function freshToken() {
  try {
    const refreshed = await kc.updateToken(30);
    if (refreshed && S.ws?.readyState === WebSocket.OPEN) S.ws.send(JSON.stringify({ type: 'auth', token: kc.token }));
  } catch (e) {
    if (e instanceof NetworkError || !navigator.onLine) { setOnline(false); throw new Offline('no connection'); }
    signedOut('Your session ended. Sign in again to continue.');
    throw new ApiError(401, null);
  }
}

async function api(method, path, body, { headers = {} } = {}) {
  if (S.signedOut) throw new ApiError(401, null);
  await freshToken();
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: Object.assign({ Authorization: `Bearer ${kc.token}`, 'X-Device-Id': deviceId },
        body === undefined ? {} : { 'Content-Type': 'application/json' }, headers),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    setOnline(false);
    throw new Offline(String(e));
  }
  // 502/504: the gateway cannot reach the service (down, restarting): like being offline, the queue waits.
  // A 503 is the service's own answer (e.g. Keycloak unreachable from auth-service): an error to show.
  if (res.status === 502 || res.status === 504) { setOnline(false); throw new Offline(`HTTP ${res.status}`); }
  setOnline(true);
  const type = res.headers.get('Content-Type') || '';
  const data = res.status === 204 ? null : type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (res.status === 401) {
    const revoked = data?.type?.endsWith('/session-revoked');
    signedOut(revoked ? 'This device was removed from the account, or the account signed out everywhere.'
      : 'Your session ended. Sign in again to continue.');
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function signedOut(reason) {
  if (S.signedOut) return;
  S.signedOut = true;
  if (S.ws) { const ws = S.ws; S.ws = null; ws.close(1000, 'signed out'); }
  setConn('closed (signed out)');
  $('main').hidden = true;
  $('sign-out').hidden = true;
  $('offline-banner').hidden = true;
  $('signed-out-reason').textContent = reason;
  $('signed-out').hidden = false;
  $('who').textContent = 'Signed out';
  document.title = 'Signed out · Continuum';
}

// ------------------------------------------------------------------ online / offline and the op queue
function setOnline(on) {
  if (S.online === on) return;
  S.online = on;
  renderQueue();
  if (on) { flush(); if (!S.ws) connect(); }
}
window.addEventListener('offline', () => {
  setOnline(false);
  if (S.ws) S.ws.close(4100, 'browser offline'); // the socket may look open for a while: do not trust it
});
window.addEventListener('online', () => { S.retry = 0; setOnline(true); });

function saveQueue() { localStorage.setItem(QUEUE_KEY, JSON.stringify(S.queue)); renderQueue(); }
function renderQueue() {
  const n = S.queue.length;
  $('queued-count').textContent = n ? `${n} change${n === 1 ? '' : 's'} queued.` : '';
  $('offline-banner').hidden = S.signedOut || (S.online && S.wsState !== 'reconnecting');
  $('offline-text').textContent = S.online
    ? 'Reconnecting… changes are kept on this device meanwhile.'
    : 'Changes are kept on this device and sent when the connection returns.';
}

/** Queues one op (and sends it at once when possible). A newer playback op replaces a queued one of the same title. */
function enqueue(op) {
  op.opId = newId(deviceId.slice(0, 12));
  S.queue = enqueueOp(S.queue, op);
  saveQueue();
  flush();
}

async function flush() {
  if (S.flushing || S.signedOut || !S.queue.length) return;
  S.flushing = true;
  try {
    while (S.queue.length && !S.signedOut) {
      const batch = S.queue.slice(0, 100);
      batch.forEach((q) => { q.inFlight = true; });
      let answer;
      try {
        S.lastOpSentAt = Date.now();
        answer = await api('POST', '/api/state/ops', { ops: batch.map(({ inFlight, ...op }) => op) });
        S.lastOpAnsweredAt = Date.now();
      } catch (e) {
        batch.forEach((q) => { delete q.inFlight; });
        saveQueue();
        if (e instanceof Offline) { setTimeout(flush, 2000); return; }
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429) {
          // The batch itself is wrong (a bug here): drop it rather than block the queue for ever.
          S.queue = S.queue.filter((q) => !batch.includes(q));
          saveQueue();
          toast(`Not saved: ${e.message}`);
          continue;
        }
        setTimeout(flush, 2000);
        return;
      }
      const sent = new Set(batch.map((q) => q.opId));
      S.queue = S.queue.filter((q) => !sent.has(q.opId));
      saveQueue();
      for (const r of answer.results) {
        const op = batch.find((q) => q.opId === r.opId);
        const res = r.status === 'duplicate' ? r.original : r;
        if (res.status === 'rejected') toast(rejectionText(op, res));
        else if (res.value) applyValue(kindOfOp(op.kind), res.value, { own: true });
      }
    }
  } finally {
    S.flushing = false;
  }
}
function kindOfOp(k) {
  return { 'playback.set': 'playback', 'wallet.credit': 'wallet', 'wallet.debit': 'wallet', 'game.purchase': 'purchase',
    'read-marker.advance': 'read-marker', 'inventory.grant': 'inventory', 'inventory.consume': 'inventory' }[k] || k;
}
function rejectionText(op, r) {
  if (r.reason === 'insufficient-funds') return `Not enough ${op.currency ?? CURRENCY} for that (balance ${r.current?.balance ?? '?'}).`;
  if (r.reason === 'not-forward') return '';
  return `Refused: ${r.detail || r.reason}`;
}

// ------------------------------------------------------------------ applying state
/** Applies the new value of one (kind, key): the same shapes in op answers, the changes feed and frames. */
function applyValue(kind, v, { own = false, deviceId: origin } = {}) {
  switch (kind) {
    case 'playback': {
      S.playback[v.contentId] = Object.assign({}, S.playback[v.contentId], v, { deviceId: origin ?? v.deviceId ?? deviceId, updatedAt: v.updatedAt || new Date().toISOString() });
      if (!own) followPlayback(v, origin);
      renderContinue();
      break;
    }
    case 'wallet': S.wallet[v.currency] = v.balance; renderWallet(); break;
    case 'inventory': S.inventory[v.itemId] = v.quantity; renderInventory(); break;
    case 'purchase':
      S.wallet[v.currency] = v.balance; S.inventory[v.itemId] = v.quantity;
      renderWallet(); renderInventory(); break;
    case 'read-marker':
      S.readMarkers[v.channel] = Math.max(S.readMarkers[v.channel] || 0, v.seq); renderChannels(); break;
    default: break;
  }
  if (['wallet', 'inventory', 'purchase'].includes(kind)) loadLedger();
}

/** Another device acted: the resume point jumps here too (the player follows unless it is playing something else). */
function followPlayback(v, origin) {
  const p = S.player;
  if (v.contentId !== p.contentId && p.state === 'playing') return;
  if (v.contentId !== p.contentId) selectContent(v.contentId, false);
  Object.assign(p, { positionMs: v.positionMs, durationMs: v.durationMs || p.durationMs, state: v.state, at: performance.now() });
  S.lastFollowAt = Date.now();
  const from = S.devices.find((d) => d.deviceId === origin)?.displayName || origin;
  $('player-origin').textContent = from && origin !== deviceId ? `${v.state === 'playing' ? 'Playing' : 'Paused'} from ${from}.` : '';
  renderPlayer();
}

async function loadSnapshot() {
  const s = await api('GET', '/api/state/snapshot');
  S.revision = s.revision;
  S.wallet = s.wallet || {};
  S.inventory = s.inventory || {};
  S.readMarkers = s.readMarkers || {};
  S.playback = s.playback || {};
  const latest = Object.values(S.playback).filter((p) => !p.finished).sort((a, b) => (b.revision || 0) - (a.revision || 0))[0];
  if (latest) followPlayback(latest, latest.deviceId);
  renderAll();
}

/** Pulls the changes after the page's revision (a gap in frames, a resync, a reconnect). */
async function pullChanges() {
  if (S.pulling) { S.pullAgain = true; return; }
  S.pulling = true;
  try {
    do {
      S.pullAgain = false;
      let page;
      do {
        try {
          page = await api('GET', `/api/state/changes?since=${S.revision}&limit=1000`);
        } catch (e) {
          if (e instanceof ApiError && e.status === 410) { await loadSnapshot(); return; }
          throw e;
        }
        for (const c of page.changes) {
          if (c.revision <= S.revision) continue;
          applyValue(c.kind, c.value, { own: c.deviceId === deviceId, deviceId: c.deviceId });
          S.revision = c.revision;
        }
        $('revision').textContent = S.revision;
      } while (page.hasMore);
    } while (S.pullAgain);
  } finally {
    S.pulling = false;
  }
}

// ------------------------------------------------------------------ the live connection
function setConn(state) { S.wsState = state; $('conn').textContent = state; renderQueue(); renderDevices(); }

async function connect() {
  if (S.signedOut || S.ws) return;
  try { await freshToken(); } catch { return scheduleReconnect(); }
  const q = new URLSearchParams({ deviceId });
  if (S.seq != null && S.epoch) { q.set('seq', S.seq); q.set('epoch', S.epoch); }
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${q}`,
    ['continuum.v1', `bearer.${kc.token}`]);
  S.ws = ws;
  S.lastSocket = ws;
  setConn('connecting');
  let opened = false;
  ws.onopen = () => { opened = true; };
  ws.onmessage = (m) => {
    if (S.ws !== ws) return;
    S.lastMessageAt = Date.now();
    let f;
    try { f = JSON.parse(m.data); } catch { return; }
    onFrame(f).catch((e) => console.warn('frame', f.type, e));
  };
  ws.onclose = (ev) => {
    if (S.ws !== ws) return;
    S.ws = null;
    if (ev.code === 4003) { signedOut('This device was removed from the account, or the account signed out everywhere.'); return; }
    if (S.signedOut) return;
    setConn(S.online ? 'reconnecting' : 'offline');
    if (!opened && navigator.onLine) {
      // The upgrade was refused: a revoked session gets 401 here. Ask over HTTP, which says why.
      api('GET', '/api/auth/whoami').then(() => scheduleReconnect(), (e) => { if (!(e instanceof ApiError && e.status === 401)) scheduleReconnect(); });
      return;
    }
    scheduleReconnect();
  };
}
function scheduleReconnect() {
  if (S.signedOut || S.ws || S.reconnectTimer) return;
  const delay = Math.min(10_000, 250 * 2 ** Math.min(S.retry++, 6));
  S.reconnectTimer = setTimeout(() => { S.reconnectTimer = null; connect(); }, delay);
}
setInterval(() => { // application-level heartbeat: two missed server pings mean a dead connection
  if (S.ws?.readyState === WebSocket.OPEN) {
    if (Date.now() - (S.lastMessageAt || Date.now()) > 45_000) S.ws.close(4100, 'no answer');
    else S.ws.send(JSON.stringify({ type: 'ping' }));
  }
}, 20_000);

let ackTimer = null;
function ackLater() {
  if (ackTimer) return;
  ackTimer = setTimeout(() => {
    ackTimer = null;
    if (S.ws?.readyState === WebSocket.OPEN && S.seq != null) S.ws.send(JSON.stringify({ type: 'ack', seq: S.seq }));
  }, 200);
}

async function onFrame(f) {
  switch (f.type) {
    case 'welcome':
      S.epoch = f.epoch; S.accountId = f.accountId; S.retry = 0;
      setConn('replaying');
      setOnline(true);
      flush();
      if (S.revision != null) pullChanges().catch(() => {});
      return;
    case 'live': setConn('live'); return;
    case 'resync': S.epoch = f.epoch; S.seq = f.head; $('seq').textContent = f.head; await loadSnapshot(); return;
    case 'presence': {
      // A snapshot of the account's online devices (docs/notifications.md), not a delta: replace what we had.
      const at = Date.now(), on = new Set((f.online || []).map((o) => o.deviceId));
      for (const id of new Set([...Object.keys(S.presence), ...S.devices.map((d) => d.deviceId), ...on])) {
        S.presence[id] = on.has(id); S.presenceAt[id] = at;
      }
      renderDevices(); return;
    }
    case 'pong': case 'auth-ok': case 'read-ok': case 'published': return;
    case 'error': console.warn('refused frame', f); return;
    default: break;
  }
  if (typeof f.seq !== 'number') return;
  S.seq = f.seq; S.epoch = f.epoch || S.epoch;
  $('seq').textContent = f.seq;
  S.lastFrameAt = Date.now();
  if (f.time) { S.lastLatency = Math.max(0, Date.now() - Date.parse(f.time)); $('latency').textContent = `${S.lastLatency} ms`; }
  ackLater();
  const d = f.data || {};
  if (f.type.startsWith('continuum.playback.') || f.type.startsWith('continuum.state.')) {
    if (f.revision == null || S.revision == null || f.revision <= S.revision) return;
    if (f.revision !== S.revision + 1) { await pullChanges(); return; }
    S.revision = f.revision;
    $('revision').textContent = S.revision;
    if (f.type === 'continuum.playback.position-changed.v1') applyValue('playback', d, { own: f.echo, deviceId: f.origin });
    else applyValue(d.kind, d.value, { own: false, deviceId: f.origin });
  } else if (f.type === 'continuum.chat.message-posted.v1') {
    addMessage(d);
  } else if (f.type.startsWith('continuum.auth.')) {
    loadDevices();
  } else if (f.type.startsWith('continuum.billing.') || f.type.startsWith('continuum.entitlement')) {
    loadPremium();
  } else if (f.type.startsWith('continuum.recommendation')) {
    if (!$('recs').hidden) loadRecs();
  }
}

// ------------------------------------------------------------------ player
function currentPos() {
  const p = S.player;
  if (p.state !== 'playing') return p.positionMs;
  const pos = p.positionMs + (performance.now() - p.at);
  return p.durationMs ? Math.min(p.durationMs, pos) : pos;
}
function selectContent(id, fromUser = true) {
  const item = CATALOG.find((c) => c.id === id) || { id, title: id, durationMs: S.playback[id]?.durationMs || 0 };
  if (!CATALOG.includes(item)) { CATALOG.push(item); renderCatalog(); }
  const resume = S.playback[id];
  Object.assign(S.player, { contentId: id, durationMs: resume?.durationMs || item.durationMs,
    positionMs: resume?.positionMs || 0, state: resume && fromUser ? 'paused' : resume?.state === 'playing' ? 'playing' : (resume ? 'paused' : 'stopped'), at: performance.now() });
  if (fromUser && S.player.state === 'playing') S.player.state = 'paused';
  $('content').value = id;
  renderPlayer();
}
function writePlayback(state, positionMs) {
  S.lastActionAt = Date.now();
  const p = S.player;
  positionMs = Math.round(Math.max(0, p.durationMs ? Math.min(p.durationMs, positionMs) : positionMs));
  Object.assign(p, { state, positionMs, at: performance.now() });
  $('player-origin').textContent = '';
  enqueue({ kind: 'playback.set', contentId: p.contentId, positionMs, durationMs: p.durationMs, state });
  S.playback[p.contentId] = Object.assign({}, S.playback[p.contentId], { contentId: p.contentId, positionMs, durationMs: p.durationMs, state, deviceId, updatedAt: new Date().toISOString(), finished: p.durationMs > 0 && positionMs >= 0.95 * p.durationMs });
  renderPlayer();
  renderContinue();
}
function renderCatalog() {
  const sel = $('content');
  sel.replaceChildren(...CATALOG.map((c) => el('option', { value: c.id, textContent: `${c.title} (${fmt(c.durationMs)})` })));
  sel.value = S.player.contentId;
}
function renderPlayer() {
  const p = S.player, pos = currentPos();
  $('position').textContent = fmt(pos);
  $('duration').textContent = fmt(p.durationMs);
  $('play-state').textContent = p.state;
  const tl = $('timeline');
  tl.max = p.durationMs; if (document.activeElement !== tl) tl.value = pos;
  tl.setAttribute('aria-valuetext', `${fmt(pos)} of ${fmt(p.durationMs)}`);
  $('play').disabled = p.state === 'playing';
  $('pause').disabled = p.state !== 'playing';
}
function renderContinue() {
  const items = Object.values(S.playback).filter((p) => !p.finished && p.positionMs > 0)
    .sort((a, b) => String(b.updatedAt || '').localeCompare(String(a.updatedAt || ''))).slice(0, 10);
  const list = $('continue');
  if (!items.length) { list.replaceChildren(el('li', { className: 'empty', textContent: 'Nothing started yet.' })); return; }
  list.replaceChildren(...items.map((p) => {
    const title = CATALOG.find((c) => c.id === p.contentId)?.title || p.contentId;
    const pct = p.durationMs ? Math.round((100 * p.positionMs) / p.durationMs) : 0;
    return el('li', {}, el('button', { type: 'button', className: 'card', dataset: { content: p.contentId },
      textContent: `${title} · ${fmt(p.positionMs)} (${pct} %)`, onclick: () => selectContent(p.contentId) }));
  }));
}

// ------------------------------------------------------------------ devices
async function loadDevices() {
  const asked = Date.now();
  try {
    const [devices, presence] = await Promise.all([
      api('GET', '/api/auth/devices'),
      api('GET', '/api/notifications/presence').catch(() => null),
    ]);
    S.devices = Array.isArray(devices) ? devices : devices?.devices || [];
    if (presence?.online) {
      // A presence frame that arrived after this question was asked is newer than its answer.
      const online = new Set(presence.online.map((o) => o.deviceId));
      for (const d of S.devices) if (!(S.presenceAt[d.deviceId] > asked)) S.presence[d.deviceId] = online.has(d.deviceId);
    }
    renderDevices();
  } catch (e) { if (!(e instanceof Offline)) console.warn('devices', e); }
}
function renderDevices() {
  const list = $('device-list');
  list.replaceChildren(...S.devices.map((d) => {
    const online = d.deviceId === deviceId ? S.wsState === 'live' || S.wsState === 'replaying' : S.presence[d.deviceId] ?? d.online === true;
    const name = el('span', { className: 'name', textContent: d.displayName });
    const li = el('li', { dataset: { device: d.deviceId } },
      el('span', { className: `dot ${online ? 'on' : 'off'}`, role: 'img', 'aria-label': online ? 'online' : 'offline', title: online ? 'online' : 'offline' }),
      name, d.deviceId === deviceId ? el('span', { className: 'hint', textContent: ' (this browser)' }) : '',
      el('span', { className: 'hint', textContent: ` ${d.kind} · ${d.platform}` }));
    const rename = el('button', { type: 'button', textContent: 'Rename', 'aria-label': `Rename ${d.displayName}` });
    rename.onclick = () => {
      const input = el('input', { value: d.displayName, maxLength: 80, 'aria-label': `New name for ${d.displayName}` });
      const form = el('form', { className: 'row inline' }, input, el('button', { type: 'submit', textContent: 'Save' }));
      form.onsubmit = async (ev) => {
        ev.preventDefault();
        try { await api('PATCH', `/api/auth/devices/${encodeURIComponent(d.deviceId)}`, { displayName: input.value }); await loadDevices(); }
        catch (e) { toast(e instanceof Offline ? 'Offline: try again when connected.' : `Not renamed: ${e.problem?.errors?.[0]?.message || e.message}`); }
      };
      li.replaceChildren(form);
      input.focus();
    };
    const revoke = el('button', { type: 'button', textContent: 'Revoke', className: 'danger', 'aria-label': `Revoke ${d.displayName}` });
    revoke.onclick = async () => {
      try { await api('DELETE', `/api/auth/devices/${encodeURIComponent(d.deviceId)}?reason=user-removed`); await loadDevices(); }
      catch (e) { if (!S.signedOut) toast(e instanceof Offline ? 'Offline: try again when connected.' : `Not revoked: ${e.message}`); }
    };
    li.append(' ', rename, ' ', revoke);
    return li;
  }));
}

// ------------------------------------------------------------------ wallet, shop, inventory, ledger
function renderWallet() {
  const gold = S.wallet[CURRENCY] || 0;
  $('wallet').textContent = `${gold} gold`;
  $('wallet').dataset.gold = gold;
}
function renderShop() {
  $('shop').replaceChildren(...SHOP.map((s) => el('li', {}, `${s.name} — ${s.price} gold `,
    el('button', { type: 'button', textContent: `Buy ${s.name}`, dataset: { item: s.itemId },
      onclick: () => enqueue({ kind: 'game.purchase', currency: CURRENCY, price: s.price, itemId: s.itemId, quantity: 1, reason: `shop: ${s.name}` }) }))));
}
function renderInventory() {
  const items = Object.entries(S.inventory).filter(([, q]) => q > 0);
  $('inventory').replaceChildren(...(items.length
    ? items.map(([id, q]) => el('li', { dataset: { item: id }, textContent: `${SHOP.find((s) => s.itemId === id)?.name || id} × ${q}` }))
    : [el('li', { className: 'empty', textContent: 'Empty.' })]));
}
async function loadLedger() {
  clearTimeout(loadLedger.t);
  loadLedger.t = setTimeout(async () => {
    try {
      const l = await api('GET', '/api/state/game/ledger?limit=10');
      const rows = Array.isArray(l) ? l : l?.entries || l?.items || [];
      $('ledger').replaceChildren(...rows.map((r) => el('tr', {},
        el('td', { textContent: r.revision ?? '' }),
        el('td', { textContent: `${r.entry || ''} ${r.key || ''}${r.reason ? ` (${r.reason})` : ''}` }),
        el('td', { textContent: r.delta > 0 ? `+${r.delta}` : String(r.delta ?? '') }),
        el('td', { textContent: r.valueAfter ?? r.after ?? '' }),
        el('td', { textContent: S.devices.find((d) => d.deviceId === r.deviceId)?.displayName || r.deviceId || '' }))));
    } catch (e) { if (!(e instanceof Offline)) console.warn('ledger', e); }
  }, 100);
}

// ------------------------------------------------------------------ chat
async function loadChannels() {
  try {
    const c = await api('GET', '/api/notifications/channels');
    S.channels = Array.isArray(c) ? c : c?.channels || [];
    for (const ch of S.channels) S.channelHeads[ch.channelId] = Math.max(S.channelHeads[ch.channelId] || 0, ch.head || 0);
    renderChannels();
    await Promise.all(S.channels.map((ch) => loadMessages(ch.channelId)));
  } catch (e) { if (!(e instanceof Offline)) console.warn('channels', e); }
}
async function loadMessages(channelId) {
  const page = await api('GET', `/api/notifications/channels/${encodeURIComponent(channelId)}/messages?limit=50`);
  const have = S.messages[channelId] || [];
  for (const m of page.messages || []) if (!have.some((x) => x.messageId === m.messageId)) have.push(Object.assign({ channelSeq: m.seq }, m));
  have.sort((a, b) => (a.channelSeq ?? a.seq) - (b.channelSeq ?? b.seq));
  S.messages[channelId] = have;
  renderChannels();
  if (S.selectedChannel === channelId) renderMessages();
}
function addMessage(d) {
  const list = S.messages[d.channelId] || (S.messages[d.channelId] = []);
  if (!list.some((m) => m.messageId === d.messageId)) list.push(d);
  list.sort((a, b) => (a.channelSeq ?? a.seq) - (b.channelSeq ?? b.seq));
  S.channelHeads[d.channelId] = Math.max(S.channelHeads[d.channelId] || 0, d.channelSeq ?? d.seq ?? 0);
  if (!S.channels.some((c) => c.channelId === d.channelId)) loadChannels();
  renderChannels();
  if (S.selectedChannel === d.channelId) renderMessages();
}
/** Unread: messages after the account's read marker (shared by all its devices) that this device did not send. */
function unread(channelId) { return unreadCount(S.messages[channelId], S.readMarkers[channelId], deviceId); }
function renderChannels() {
  $('channel-list').replaceChildren(...S.channels.map((c) => {
    const n = unread(c.channelId);
    return el('li', { dataset: { channel: c.channelId } }, el('button', {
      type: 'button', className: S.selectedChannel === c.channelId ? 'selected' : '', 'aria-pressed': String(S.selectedChannel === c.channelId),
      onclick: () => { S.selectedChannel = c.channelId; renderChannels(); renderMessages(); },
    }, `# ${c.name} `, el('span', { className: `unread ${n ? '' : 'zero'}`, textContent: String(n), 'aria-label': `${n} unread` })));
  }));
}
function renderMessages() {
  const c = S.channels.find((x) => x.channelId === S.selectedChannel);
  $('channel-view').hidden = !c;
  if (!c) return;
  $('channel-title').textContent = `# ${c.name}`;
  const names = Object.fromEntries(S.devices.map((d) => [d.deviceId, d.displayName]));
  $('messages').replaceChildren(...(S.messages[c.channelId] || []).map((m) => el('li', {},
    el('span', { className: 'hint', textContent: `${m.senderDeviceId === deviceId ? 'this browser' : names[m.senderDeviceId] || m.senderDeviceId || 'someone'}: ` }),
    m.body)));
}
function markRead() {
  const id = S.selectedChannel;
  if (!id) return;
  const head = Math.max(0, ...(S.messages[id] || []).map((m) => m.channelSeq ?? m.seq ?? 0), S.channelHeads[id] || 0);
  if (head <= (S.readMarkers[id] || 0)) return;
  S.readMarkers[id] = head;
  renderChannels();
  enqueue({ kind: 'read-marker.advance', channel: id, seq: head });
}

// ------------------------------------------------------------------ premium (billing) and recommendations: optional
const PREMIUM_PLAN = 'premium-monthly';
/** The badge: the account holds an active "premium" entitlement (billing-sync-service). Hidden while billing does not answer. */
async function loadPremium() {
  try {
    const e = await api('GET', '/api/billing/entitlements');
    const premium = (e?.entitlements || []).some((x) => x.entitlement === 'premium' && x.active);
    $('premium-badge').hidden = !premium;
    $('premium-text').textContent = premium ? 'Premium is on, on every device of this account.' : 'Free plan.';
    $('upgrade').hidden = premium;
  } catch (e) {
    if (e instanceof Offline || S.signedOut) return;
    $('premium-badge').hidden = true;
    $('upgrade').hidden = true;
    $('premium-text').textContent = 'Premium is unavailable right now.';
  }
}
/** Upgrade: a checkout session of the billing provider; its page sends the browser back to /billing/done. */
async function upgrade() {
  try {
    const c = await api('POST', '/api/billing/checkout', { planId: PREMIUM_PLAN }, { headers: { 'Idempotency-Key': newId('checkout') } });
    if (c?.url) location.assign(c.url); else toast('Checkout is unavailable right now.');
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) { toast('This account already has Premium.'); loadPremium(); return; }
    toast(e instanceof Offline ? 'Offline: try again when connected.' : 'Checkout is unavailable right now.');
  }
}
async function loadRecs() {
  const minutes = Number($('minutes').value) || 30;
  try {
    const r = await api('GET', `/api/recommendations?limit=10&minutes=${minutes}`);
    $('recs-model').textContent = r?.model ? `Model: ${r.model}` : '';
    $('recs-list').replaceChildren(...(r?.items || []).map((i) => el('li', {},
      el('button', { type: 'button', textContent: `${i.title} · ${i.durationMinutes} min`, onclick: () => {
        if (!CATALOG.some((c) => c.id === i.itemId)) { CATALOG.push({ id: i.itemId, title: i.title, durationMs: (i.durationMinutes || 0) * 60_000 }); renderCatalog(); }
        selectContent(i.itemId);
      } }), el('span', { className: 'hint', textContent: ` ${i.reason || ''}` }))));
  } catch (e) {
    if (e instanceof Offline) return;
    $('recs-model').textContent = 'Recommendations are unavailable right now.';
    $('recs-list').replaceChildren();
  }
}

// ------------------------------------------------------------------ wiring
function renderAll() {
  renderCatalog(); renderPlayer(); renderContinue(); renderWallet(); renderInventory(); renderChannels(); renderQueue();
  $('revision').textContent = S.revision ?? '–';
}

function wire() {
  $('content').onchange = (e) => selectContent(e.target.value);
  $('play').onclick = () => writePlayback('playing', currentPos());
  $('pause').onclick = () => writePlayback('paused', currentPos());
  $('back10').onclick = () => writePlayback(S.player.state === 'playing' ? 'playing' : 'paused', currentPos() - 10_000);
  $('fwd10').onclick = () => writePlayback(S.player.state === 'playing' ? 'playing' : 'paused', currentPos() + 10_000);
  $('timeline').onchange = (e) => writePlayback(S.player.state === 'playing' ? 'playing' : 'paused', Number(e.target.value));
  $('seek-form').onsubmit = (e) => {
    e.preventDefault();
    const ms = parseClock($('seek-to').value);
    if (ms == null || (S.player.durationMs && ms > S.player.durationMs)) { toast('Type a time like 12:34 within the title.'); return; }
    writePlayback(S.player.state === 'playing' ? 'playing' : 'paused', ms);
  };
  $('top-up').onclick = () => enqueue({ kind: 'wallet.credit', currency: CURRENCY, amount: 100, reason: 'demo top-up' });
  $('logout-everywhere').onclick = async () => {
    try { await api('POST', '/api/auth/logout-everywhere'); } catch (e) { if (!S.signedOut) toast(`Not done: ${e.message}`); }
  };
  $('new-channel').onsubmit = async (e) => {
    e.preventDefault();
    try {
      const c = await api('POST', '/api/notifications/channels', { name: $('new-channel-name').value, members: [] });
      $('new-channel-name').value = '';
      S.channels.push(c); S.selectedChannel = c.channelId; renderChannels(); renderMessages();
    } catch (err) { toast(err instanceof Offline ? 'Offline: try again when connected.' : `Not created: ${err.problem?.errors?.[0]?.message || err.message}`); }
  };
  $('send-form').onsubmit = async (e) => {
    e.preventDefault();
    const body = $('message').value, channelId = S.selectedChannel;
    try {
      const m = await api('POST', `/api/notifications/channels/${encodeURIComponent(channelId)}/messages`, { clientMessageId: newId('m'), body });
      $('message').value = '';
      addMessage(Object.assign({ channelSeq: m.seq }, m));
    } catch (err) { toast(err instanceof Offline ? 'Offline: messages are not queued, try again when connected.' : `Not sent: ${err.message}`); }
  };
  $('mark-read').onclick = markRead;
  $('upgrade').onclick = upgrade;
  $('recs-form').onsubmit = (e) => { e.preventDefault(); loadRecs(); };
  $('sign-in-again').onclick = () => kc.login({ redirectUri: `${location.origin}/` });
  $('sign-out').onclick = async () => {
    // Signing this browser out removes it as a device: its session ends everywhere at once.
    try { await api('DELETE', `/api/auth/devices/${encodeURIComponent(deviceId)}?reason=user-removed`); } catch { /* signed out anyway */ }
    kc.logout({ redirectUri: `${location.origin}/` });
  };
  setInterval(() => { if (!S.signedOut) renderPlayer(); }, 250);
  setInterval(() => { if (!S.signedOut) freshToken().catch(() => {}); }, 30_000);
}

async function main() {
  $('device-id').textContent = `device ${deviceId}`;
  renderCatalog(); renderShop(); renderPlayer();
  wire();
  const authenticated = await kc.init({ onLoad: 'login-required', pkceMethod: 'S256', checkLoginIframe: false });
  if (!authenticated) return;
  S.accountId = kc.tokenParsed.sub;
  if (location.pathname === '/billing/done') {
    history.replaceState(null, '', '/');
    toast('Payment done: Premium shows on every device as soon as the provider confirms it.');
  }
  $('who').textContent = `${kc.tokenParsed.preferred_username} · ${deviceName()}`;
  $('sign-out').hidden = false;
  try {
    await api('POST', '/api/auth/devices', { deviceId, kind: 'web', platform: 'browser', displayName: deviceName() });
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      // This Keycloak session already belongs to another device id (local storage was cleared): sign in afresh.
      localStorage.removeItem('continuum.deviceId');
      return kc.logout({ redirectUri: `${location.origin}/` });
    }
    if (!(e instanceof Offline)) { toast(`Could not register this device: ${e.message}`); }
  }
  $('main').hidden = false;
  await loadSnapshot().catch(() => {});
  connect();
  loadDevices(); loadLedger(); loadChannels(); loadPremium(); loadRecs();
  renderShop();
  flush();
}

main().catch((e) => {
  console.error(e);
  $('who').textContent = `Could not start: ${e?.message || e?.error || 'sign-in failed'}`;
});
