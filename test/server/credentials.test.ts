import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base64urlToBytes } from '../../src/protocol/bytes.ts';
import { openTicket } from '../../src/protocol/ticket.ts';
import { TestServer, thumbprintOf } from './helpers.ts';

describe('credential endpoint', () => {
  let t: TestServer;
  before(async () => {
    t = await TestServer.start({ ticketTtlS: 3600, allowedOrigins: ['https://hotel.example'] });
  });
  after(() => t.close());

  test('issues one credential per entrance of an active grant, with a ticket the lock can open', async () => {
    const { entrances, grant, key, token, identity } = await t.guest({ entrances: 2 });
    assert.match(token, /^ik_[A-Za-z0-9_-]{43}$/);
    assert.equal(key.instant_key_url, `${t.url}/k#${token}`);

    const res = await t.credentials(token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    assert.equal(res.body.ok, true);
    assert.equal(res.body.instant_key.instant_key_id, key.instant_key_id);
    assert.equal(res.body.instant_key.user_identity.display_name, 'Ada Lovelace');
    // No logo configured: the field is absent, never null.
    assert.deepEqual(Object.keys(res.body.instant_key.customization).sort(), ['primary_color', 'secondary_color']);
    assert.equal(res.body.refresh_after_s, 300);
    assert.deepEqual(res.body.upcoming, []);
    assert.equal(res.body.credentials.length, 2);
    assert.equal(JSON.stringify(res.body).includes(identity.user_identity_id), false, 'no identity id for the guest');

    const nowS = Math.floor(t.clock.ms / 1000);
    res.body.credentials.forEach((c: any, i: number) => {
      const entrance = entrances[i];
      assert.deepEqual(c.entrance, { acs_entrance_id: entrance.acs_entrance_id, display_name: entrance.display_name, kind: 'guest_room' });
      assert.deepEqual(c.lock, { lock_id: entrance.lock.lock_id, ble_name: entrance.lock.ble_name });
      assert.equal(c.starts_at, grant.starts_at);
      assert.equal(c.ends_at, grant.ends_at);
      const ticket = base64urlToBytes(c.ticket);
      assert.equal(ticket.length, 114);
      const opened = openTicket(base64urlToBytes(entrance.lock.lock_key), ticket);
      assert.ok(opened.ok);
      assert.equal(opened.ticket.lockId, entrance.lock.lock_id);
      assert.equal(opened.ticket.credentialId, c.credential_id);
      assert.equal(opened.ticket.notBefore, nowS);
      assert.equal(opened.ticket.notAfter, nowS + 3600);
      assert.equal(opened.ticket.permissions, 1);
      assert.deepEqual(opened.ticket.credentialKey, base64urlToBytes(c.credential_key));
      assert.equal(c.ticket_expires_at, new Date((nowS + 3600) * 1000).toISOString());
      // Another lock's key cannot open it.
      assert.equal(openTicket(base64urlToBytes(entrances[1 - i].lock.lock_key), ticket).ok, false);
    });
    assert.notEqual(res.body.credentials[0].credential_id, res.body.credentials[1].credential_id);
  });

  test('keeps credential ids stable and mints fresh tickets and keys on each request', async () => {
    const { token } = await t.guest();
    const a = (await t.credentials(token)).body.credentials[0];
    const b = (await t.credentials(token)).body.credentials[0];
    assert.equal(a.credential_id, b.credential_id);
    assert.notEqual(a.ticket, b.ticket);
    assert.notEqual(a.credential_key, b.credential_key);
  });

  test('ends a ticket at the grant end or the key expiry when those come first', async () => {
    const { entrances, token } = await t.guest({ lasts: 3_600_000 + 600_000, key: { expires_at: new Date(t.clock.ms + 86_400_000).toISOString() } });
    // Grant started an hour ago and ends in 10 minutes.
    const c = (await t.credentials(token)).body.credentials[0];
    const opened = openTicket(base64urlToBytes(entrances[0].lock.lock_key), base64urlToBytes(c.ticket));
    assert.ok(opened.ok);
    assert.equal(opened.ticket.notAfter, Math.floor((t.clock.ms + 600_000) / 1000));

    const other = await t.guest({ key: { expires_at: new Date(t.clock.ms + 120_000).toISOString() } });
    const c2 = (await t.credentials(other.token)).body.credentials[0];
    assert.equal(c2.ticket_expires_at, new Date(t.clock.ms + 120_000).toISOString());
  });

  test('lists grants that have not started as upcoming, without ticket or key', async () => {
    const { token, entrances } = await t.guest({ startsIn: 86_400_000 });
    const res = await t.credentials(token);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.credentials, []);
    assert.equal(res.body.upcoming.length, 1);
    assert.deepEqual(Object.keys(res.body.upcoming[0]).sort(), ['ends_at', 'entrance', 'starts_at']);
    assert.equal(res.body.upcoming[0].entrance.acs_entrance_id, entrances[0].acs_entrance_id);
  });

  test('drops a deleted grant from the next fetch and follows grant updates', async () => {
    const { token, grant } = await t.guest({ entrances: 2 });
    const before = await t.credentials(token);
    assert.equal(before.body.credentials.length, 2);
    await t.ok('/access_grants/update', { access_grant_id: grant.access_grant_id, acs_entrance_ids: [grant.acs_entrance_ids[1]] }, 'access_grant');
    const updated = await t.credentials(token);
    assert.equal(updated.body.credentials.length, 1);
    assert.equal(updated.body.credentials[0].credential_id, before.body.credentials[1].credential_id);
    assert.equal((await t.post('/access_grants/delete', { access_grant_id: grant.access_grant_id })).status, 200);
    assert.deepEqual((await t.credentials(token)).body.credentials, []);
  });

  test('shows a grant added later on the next fetch, behind the same link', async () => {
    const { token, identity } = await t.guest();
    assert.equal((await t.credentials(token)).body.credentials.length, 1);
    const gym = await t.ok('/acs/entrances/create', { display_name: 'Gym', kind: 'amenity' }, 'acs_entrance');
    await t.ok(
      '/access_grants/create',
      {
        user_identity_id: identity.user_identity_id,
        acs_entrance_ids: [gym.acs_entrance_id],
        starts_at: new Date(t.clock.ms - 60_000).toISOString(),
        ends_at: new Date(t.clock.ms + 86_400_000).toISOString(),
        requested_access_methods: [{ mode: 'mobile_key' }],
      },
      'access_grant',
    );
    const after = await t.credentials(token);
    assert.deepEqual(
      after.body.credentials.map((c: any) => c.entrance.display_name),
      ['Door 0', 'Gym'],
    );
  });

  test('follows a move to a new room and an extended stay on the next fetch', async () => {
    const { token, grant } = await t.guest();
    const before = (await t.credentials(token)).body.credentials[0];
    const suite = await t.ok('/acs/entrances/create', { display_name: 'Suite 901', kind: 'guest_room' }, 'acs_entrance');
    const endsAt = new Date(Date.parse(grant.ends_at) + 2 * 86_400_000).toISOString();
    await t.ok('/access_grants/update', { access_grant_id: grant.access_grant_id, acs_entrance_ids: [suite.acs_entrance_id], ends_at: endsAt }, 'access_grant');
    const [moved, ...rest] = (await t.credentials(token)).body.credentials;
    assert.deepEqual(rest, []);
    assert.equal(moved.entrance.acs_entrance_id, suite.acs_entrance_id);
    assert.equal(moved.ends_at, endsAt);
    assert.notEqual(moved.credential_id, before.credential_id);
    const opened = openTicket(base64urlToBytes(suite.lock.lock_key), base64urlToBytes(moved.ticket));
    assert.ok(opened.ok, 'the new room’s lock opens the new ticket');
  });

  test('moves a grant from upcoming to credentials when it starts, and drops it when it ends', async () => {
    const { token } = await t.guest({ startsIn: 3_600_000, lasts: 7_200_000 });
    const start = t.clock.ms;
    try {
      const early = await t.credentials(token);
      assert.equal(early.body.credentials.length, 0);
      assert.equal(early.body.upcoming.length, 1);
      t.clock.advance(3_600_000);
      const started = await t.credentials(token, { 'if-none-match': early.headers.get('etag')! });
      assert.equal(started.status, 200, 'the view changed with time alone');
      assert.equal(started.body.credentials.length, 1);
      assert.deepEqual(started.body.upcoming, []);
      t.clock.advance(7_200_000);
      const ended = await t.credentials(token);
      assert.deepEqual(ended.body.credentials, []);
      assert.deepEqual(ended.body.upcoming, []);
    } finally {
      t.clock.ms = start;
    }
  });

  test('admits exactly max_use_count devices among concurrent first uses', async () => {
    const { token, key } = await t.guest({ key: { max_use_count: 3 } });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => t.credentials(token, {}, `rush-${i}`)));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, ...Array(9).fill(403)]);
    const got = await t.query('GET', '/instant_keys/get', { instant_key_id: key.instant_key_id });
    assert.equal(got.body.instant_key.use_count, 3);
    const events = (await t.query('GET', '/events/list', { instant_key_id: key.instant_key_id })).body.events;
    assert.equal(events.filter((e: any) => e.event_type === 'instant_key.used').length, 3);
    assert.equal(events.filter((e: any) => e.event_type === 'instant_key.use_denied').length, 9);
  });

  test('asks for a durable commit when a use may admit a device for the first time', async () => {
    const { token } = await t.guest({ key: { max_use_count: 2 } });
    const writes = t.server.context.writes;
    const asked: (boolean | undefined)[] = [];
    const run = writes.run.bind(writes);
    writes.run = (op, options) => {
      asked.push(options?.durable);
      return run(op, options);
    };
    try {
      for (const device of ['first-phone', 'first-phone', 'second-phone']) assert.equal((await t.credentials(token, {}, device)).status, 200);
      assert.deepEqual(asked, [true, false, true], 'a new device is made durable; a known one rides the group commit');
    } finally {
      writes.run = run;
    }
  });

  test('answers 304 to a matching If-None-Match and a new ETag when the view changes', async () => {
    const { token, grant } = await t.guest();
    const first = await t.credentials(token);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[A-Za-z0-9_-]+"$/);
    const again = await t.credentials(token);
    assert.equal(again.headers.get('etag'), etag, 'ticket bytes do not change the ETag');
    const cached = await t.credentials(token, { 'if-none-match': etag! });
    assert.equal(cached.status, 304);
    assert.equal(cached.body, null);
    assert.equal(cached.headers.get('etag'), etag);
    await t.ok('/access_grants/update', { access_grant_id: grant.access_grant_id, ends_at: new Date(t.clock.ms + 7_200_000).toISOString() }, 'access_grant');
    const changed = await t.credentials(token, { 'if-none-match': etag! });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });

  test('refuses a revoked key with 410 on the very next request', async () => {
    const { token, key } = await t.guest();
    assert.equal((await t.credentials(token)).status, 200);
    assert.equal((await t.query('DELETE', '/instant_keys/delete', { instant_key_id: key.instant_key_id })).status, 200);
    const res = await t.credentials(token);
    assert.equal(res.status, 410);
    assert.equal(res.body.error.type, 'instant_key_revoked');
    assert.equal(JSON.stringify(res.body).includes(token), false);
    // Deleting again is a no-op and the record stays.
    assert.equal((await t.query('DELETE', '/instant_keys/delete', { instant_key_id: key.instant_key_id })).status, 200);
    const kept = await t.query('GET', '/instant_keys/get', { instant_key_id: key.instant_key_id });
    assert.equal(kept.body.instant_key.revoked_at, new Date(t.clock.ms).toISOString());
    assert.equal(kept.body.instant_key.instant_key_url, `${t.url}/k`, 'the link without its token');
  });

  test('refuses an expired key with 401 instant_key_expired', async () => {
    const { token } = await t.guest({ key: { expires_at: new Date(t.clock.ms + 60_000).toISOString() } });
    assert.equal((await t.credentials(token)).status, 200);
    t.clock.advance(60_000);
    try {
      const res = await t.credentials(token);
      assert.equal(res.status, 401);
      assert.equal(res.body.error.type, 'instant_key_expired');
    } finally {
      t.clock.advance(-60_000);
    }
  });

  test('admits at most max_use_count devices, and an admitted device always again', async () => {
    const { token, key } = await t.guest({ key: { max_use_count: 2 } });
    assert.equal((await t.credentials(token, {}, 'phone-a')).status, 200);
    assert.equal((await t.credentials(token, {}, 'phone-b')).status, 200);
    const third = await t.credentials(token, {}, 'phone-c');
    assert.equal(third.status, 403);
    assert.equal(third.body.error.type, 'max_use_count_exceeded');
    assert.equal((await t.credentials(token, {}, 'phone-a')).status, 200);
    const got = await t.query('GET', '/instant_keys/get', { instant_key_id: key.instant_key_id });
    assert.equal(got.body.instant_key.use_count, 2);
    assert.equal(got.body.instant_key.max_use_count, 2);
  });

  test('checks headers before the token: 400 for bad syntax, 401 for missing or unknown tokens', async () => {
    const { token } = await t.guest();
    assert.equal((await t.credentials(null, { authorization: `Basic ${token}` })).status, 400);
    const missing = await t.credentials(null);
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.type, 'instant_key_invalid');
    const unknown = await t.credentials(`ik_${'A'.repeat(43)}`);
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.type, 'instant_key_invalid');
    assert.equal((await t.credentials('garbage')).status, 401);
  });

  test('records used and use_denied events, naming the device by its key thumbprint and its browser and OS family only', async () => {
    const { token, key } = await t.guest({ key: { max_use_count: 1 } });
    const ua = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
    assert.equal((await t.credentials(token, { 'user-agent': ua }, 'dev-1')).status, 200);
    assert.equal((await t.credentials(token, {}, 'dev-2')).status, 403);
    const events = (await t.query('GET', '/events/list', { instant_key_id: key.instant_key_id })).body.events;
    assert.deepEqual(events.map((e: any) => e.event_type), ['instant_key.created', 'instant_key.used', 'instant_key.use_denied']);
    assert.equal(events[1].device_id, await thumbprintOf(t, 'dev-1'));
    assert.equal(events[1].device_description, 'Chrome on Android');
    assert.equal(events[2].device_id, await thumbprintOf(t, 'dev-2'));
    assert.equal(events[2].reason, 'max_use_count_exceeded');
    assert.equal(JSON.stringify(events).includes('Pixel 8'), false, 'no raw User-Agent in /events/list');
    assert.equal(events.some((e: any) => 'user_agent' in e), false);
    const stored = t.server.context.db.prepare('SELECT * FROM events WHERE instant_key_id = ?').all(key.instant_key_id);
    assert.equal(JSON.stringify(stored).includes('Pixel 8'), false, 'no raw User-Agent in the store');
  });

  test('records why a known key was refused: revoked or expired', async () => {
    const expiring = await t.guest({ key: { expires_at: new Date(t.clock.ms + 60_000).toISOString() } });
    const revoked = await t.guest();
    await t.post('/instant_keys/delete', { instant_key_id: revoked.key.instant_key_id });
    assert.equal((await t.credentials(revoked.token)).status, 410);
    t.clock.advance(60_000);
    try {
      assert.equal((await t.credentials(expiring.token)).status, 401);
    } finally {
      t.clock.advance(-60_000);
    }
    for (const [guest, reason] of [[revoked, 'revoked'], [expiring, 'expired']] as const) {
      const events = (await t.query('GET', '/events/list', { instant_key_id: guest.key.instant_key_id })).body.events;
      const denied = events.filter((e: any) => e.event_type === 'instant_key.use_denied');
      assert.deepEqual(denied.map((e: any) => [e.reason, e.device_id]), [[reason, await thumbprintOf(t, 'device-1')]]);
    }
  });

  test('does not answer unknown methods', async () => {
    const res = await t.request('POST', '/instant_keys/credentials');
    assert.equal(res.status, 405);
    assert.equal(res.body.error.type, 'method_not_allowed');
  });
});

describe('credential endpoint CORS', () => {
  let t: TestServer;
  before(async () => {
    t = await TestServer.start({ allowedOrigins: ['https://hotel.example'], publicBaseUrl: 'https://keys.example' });
  });
  after(() => t.close());

  const preflight = (origin: string) =>
    t.request('OPTIONS', '/instant_keys/credentials', {
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, dpop' },
    });

  test('answers a preflight from an allowed origin with 204 and the documented headers', async () => {
    for (const origin of ['https://hotel.example', 'https://keys.example']) {
      const res = await preflight(origin);
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.equal(res.headers.get('access-control-allow-methods'), 'GET, OPTIONS');
      assert.equal(res.headers.get('access-control-allow-headers'), 'Authorization, DPoP, If-None-Match');
      assert.match(res.headers.get('vary') ?? '', /Origin/);
    }
  });

  test('gives other origins no CORS headers', async () => {
    const res = await preflight('https://evil.example');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const get = await t.credentials(null, { origin: 'https://evil.example' });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });

  test('exposes ETag, Retry-After and DPoP-Nonce on answers to an allowed origin, errors included', async () => {
    const { token } = await t.guest();
    const ok = await t.credentials(token, { origin: 'https://hotel.example' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://hotel.example');
    assert.equal(ok.headers.get('access-control-expose-headers'), 'ETag, Retry-After, DPoP-Nonce');
    const err = await t.credentials(null, { origin: 'https://hotel.example' });
    assert.equal(err.status, 401);
    assert.equal(err.headers.get('access-control-allow-origin'), 'https://hotel.example');
  });

  test('never answers CORS on admin routes', async () => {
    const res = await t.request('OPTIONS', '/user_identities/list', { headers: { origin: 'https://hotel.example', 'access-control-request-method': 'GET' } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const get = await t.request('GET', '/user_identities/list', { headers: { origin: 'https://hotel.example', authorization: 'Bearer seam_test_0123456789abcdef' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });
});

describe('credential endpoint with a short TICKET_TTL_S', () => {
  test('caps tickets at TICKET_TTL_S and asks for a refresh within half of it', async () => {
    const t = await TestServer.start({ ticketTtlS: 120 });
    try {
      const { token, entrances } = await t.guest();
      const res = await t.credentials(token);
      assert.equal(res.body.refresh_after_s, 60);
      const c = res.body.credentials[0];
      const opened = openTicket(base64urlToBytes(entrances[0].lock.lock_key), base64urlToBytes(c.ticket));
      assert.ok(opened.ok);
      assert.equal(opened.ticket.notAfter - opened.ticket.notBefore, 120);
      assert.equal(c.ticket_expires_at, new Date(t.clock.ms + 120_000).toISOString());
    } finally {
      await t.close();
    }
  });
});

describe('credential endpoint rate limits', () => {
  test('limits requests per token with 429 rate_limited and Retry-After', async () => {
    const t = await TestServer.start({ rateLimit: { perToken: { max: 3, windowMs: 60_000 }, perIp: { max: 100, windowMs: 60_000 } } });
    try {
      const { token } = await t.guest();
      for (let i = 0; i < 3; i++) assert.equal((await t.credentials(token)).status, 200);
      const limited = await t.credentials(token);
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error.type, 'rate_limited');
      assert.equal(limited.headers.get('retry-after'), '60');
      // Another token is not affected; time heals.
      assert.equal((await t.credentials(`ik_${'B'.repeat(43)}`)).status, 401);
      t.clock.advance(60_000);
      assert.equal((await t.credentials(token)).status, 200);
    } finally {
      await t.close();
    }
  });

  test('counts a token once however its header is spelled', async () => {
    const t = await TestServer.start({ rateLimit: { perToken: { max: 2, windowMs: 60_000 }, perIp: { max: 100, windowMs: 60_000 } } });
    try {
      const { token } = await t.guest();
      assert.equal((await t.credentials(token, { authorization: `Bearer ${token}` })).status, 200);
      assert.equal((await t.credentials(token, { authorization: `bearer   ${token}` })).status, 200);
      assert.equal((await t.credentials(token, { authorization: `BEARER ${token}` })).status, 429);
    } finally {
      await t.close();
    }
  });

  test('limits requests per IP before looking at headers', async () => {
    const t = await TestServer.start({ rateLimit: { perToken: { max: 100, windowMs: 60_000 }, perIp: { max: 2, windowMs: 10_000 } } });
    try {
      assert.equal((await t.credentials(null)).status, 401);
      assert.equal((await t.credentials(null, { authorization: 'Basic x' })).status, 400);
      const limited = await t.credentials(null, { authorization: 'Basic x' });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '10');
    } finally {
      await t.close();
    }
  });
});
