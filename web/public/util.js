// Pure helpers of the web app (no DOM, no network): unit-tested by test/util.test.mjs in Node.

/** 754000 → "12:34"; 3723000 → "1:02:03". */
export function fmt(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "12:34" or "1:02:03" → milliseconds; anything else → null. */
export function parseClock(text) {
  const m = /^\s*(?:(\d+):)?(\d{1,3}):([0-5]\d)\s*$/.exec(String(text));
  if (!m) return null;
  if (m[1] !== undefined && Number(m[2]) > 59) return null;
  return ((Number(m[1] || 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
}

/** A device name people recognise, like "Chromium on Linux" (at most 80 characters, as auth-service allows). */
export function deviceName(ua = '', uaData = undefined) {
  const brands = (uaData?.brands || []).map((b) => b.brand);
  const browser = brands.find((b) => /Edge|Opera|Brave/.test(b)) || brands.find((b) => /Google Chrome/.test(b))
    || (/Edg\//.test(ua) ? 'Microsoft Edge' : /Firefox\//.test(ua) ? 'Firefox'
      : brands.includes('Chromium') || /Chrom(e|ium)\//.test(ua) ? 'Chromium' : /Safari\//.test(ua) ? 'Safari' : 'Browser');
  const platform = uaData?.platform
    || (/Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS'
      : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'the web');
  return `${browser.replace('Google ', '')} on ${platform}`.slice(0, 80);
}

/**
 * The offline queue's one rule besides order: a newer playback op replaces a queued one of the same title that is
 * not on its way to the server (the newer position wins anyway; one op instead of many after a long offline scrub).
 * Returns the new queue; the op goes last.
 */
export function enqueueOp(queue, op) {
  const kept = op.kind === 'playback.set'
    ? queue.filter((q) => q.inFlight || q.kind !== 'playback.set' || q.contentId !== op.contentId)
    : queue.slice();
  kept.push(op);
  return kept;
}

/** Unread: messages after the account's read marker (shared by all its devices) that this device did not send. */
export function unreadCount(messages, marker, deviceId) {
  return (messages || []).filter((m) => (m.channelSeq ?? m.seq) > (marker || 0) && m.senderDeviceId !== deviceId).length;
}
