// The web app's pure helpers (public/util.js), in Node: no browser, nothing faked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmt, parseClock, deviceName, enqueueOp, unreadCount } from '../public/util.js';

test('the clock shows m:ss under an hour and h:mm:ss above', () => {
  assert.equal(fmt(754_000), '12:34');
  assert.equal(fmt(754_999), '12:34');
  assert.equal(fmt(0), '0:00');
  assert.equal(fmt(-5), '0:00');
  assert.equal(fmt(3_723_000), '1:02:03');
  assert.equal(fmt(5_400_000), '1:30:00');
});

test('"jump to" reads m:ss and h:mm:ss and refuses the rest', () => {
  assert.equal(parseClock('12:34'), 754_000);
  assert.equal(parseClock(' 0:05 '), 5_000);
  assert.equal(parseClock('90:00'), 5_400_000);
  assert.equal(parseClock('1:02:03'), 3_723_000);
  for (const bad of ['', '12', '12:60', '12:3', 'ab:cd', '1:75:00', '-1:00', '12:34:56:78']) {
    assert.equal(parseClock(bad), null, bad);
  }
});

test('the device name says browser and platform', () => {
  const chromiumLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';
  assert.equal(deviceName(chromiumLinux, { brands: [{ brand: 'Chromium' }, { brand: 'Not A;Brand' }], platform: 'Linux' }), 'Chromium on Linux');
  assert.equal(deviceName(chromiumLinux), 'Chromium on Linux');
  assert.equal(deviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    { brands: [{ brand: 'Google Chrome' }, { brand: 'Chromium' }], platform: 'Windows' }), 'Chrome on Windows');
  assert.equal(deviceName('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'), 'Firefox on Linux');
  assert.equal(deviceName('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1'), 'Safari on iOS');
  assert.equal(deviceName(''), 'Browser on the web');
  assert.ok(deviceName('x', { brands: [{ brand: 'Chromium' }], platform: 'p'.repeat(200) }).length <= 80);
});

test('the offline queue keeps order; a newer seek of a title replaces a queued one that is not on its way', () => {
  const seek = (opId, contentId, positionMs, extra = {}) => ({ opId, kind: 'playback.set', contentId, positionMs, ...extra });
  let q = [];
  q = enqueueOp(q, seek('1', 'movie-1', 1000));
  q = enqueueOp(q, { opId: '2', kind: 'game.purchase', itemId: 'potion' });
  q = enqueueOp(q, seek('3', 'movie-2', 5000));
  q = enqueueOp(q, seek('4', 'movie-1', 2000));
  assert.deepEqual(q.map((o) => o.opId), ['2', '3', '4']);
  // an op already sent (no answer yet) stays: it may have been applied, and its answer is awaited
  q = [seek('5', 'movie-1', 3000, { inFlight: true })];
  q = enqueueOp(q, seek('6', 'movie-1', 4000));
  assert.deepEqual(q.map((o) => o.opId), ['5', '6']);
  // other kinds are never merged
  q = enqueueOp(enqueueOp([], { opId: 'a', kind: 'wallet.credit' }), { opId: 'b', kind: 'wallet.credit' });
  assert.deepEqual(q.map((o) => o.opId), ['a', 'b']);
  // the queue passed in is not changed
  const before = [seek('7', 'movie-1', 1)];
  enqueueOp(before, seek('8', 'movie-1', 2));
  assert.deepEqual(before.map((o) => o.opId), ['7']);
});

test('unread counts messages after the account\'s read marker that another device sent', () => {
  const msgs = [
    { channelSeq: 1, senderDeviceId: 'a' }, { channelSeq: 2, senderDeviceId: 'b' }, { seq: 3, senderDeviceId: 'b' },
  ];
  assert.equal(unreadCount(msgs, 0, 'a'), 2);
  assert.equal(unreadCount(msgs, 0, 'b'), 1);
  assert.equal(unreadCount(msgs, 2, 'a'), 1);
  assert.equal(unreadCount(msgs, 3, 'a'), 0);
  assert.equal(unreadCount(undefined, undefined, 'a'), 0);
});
