// The credential endpoint's device binding, over HTTP, as an attacker holding a leaked link
// would try it: no proof, forged and misdirected proofs, stale ones, a replayed proof, a
// captured request replayed whole, and an admitted device's id sent from another key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CompactSign, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { IAT_WINDOW_S, NONCE_TTL_S } from '../../server-stub/dpop.ts';
import { TestServer, thumbprintOf, type Answer } from './helpers.ts';

const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

describe('credential endpoint device proofs (DPoP)', () => {
  let t: TestServer;
  before(async () => {
    t = await TestServer.start({ publicBaseUrl: 'https://keys.hotel.example' });
  });
  after(() => t.close());

  /** A credential request with exactly these headers besides the token. */
  const send = (token: string, headers: Record<string, string>) =>
    t.request('GET', '/instant_keys/credentials', { headers: { authorization: `Bearer ${token}`, ...headers } });

  const useCount = async (key: { instant_key_id: string }) =>
    (await t.query('GET', '/instant_keys/get', { instant_key_id: key.instant_key_id })).body.instant_key.use_count as number;

  /** A 401 with the given type and the RFC 9449 challenge header. */
  function refused(res: Answer, type: string, rfcError = 'invalid_dpop_proof'): void {
    assert.equal(res.status, 401, JSON.stringify(res.body));
    assert.equal(res.body.error.type, type);
    assert.equal(res.headers.get('www-authenticate'), `DPoP error="${rfcError}", algs="ES256"`);
  }

  /** A proof signed with jose, so each field can be set wrong on purpose. */
  async function forged(
    token: string,
    opts: { header?: Record<string, unknown>; claims?: Record<string, unknown>; alg?: string } = {},
  ): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const claims = { jti: crypto.randomUUID(), htm: 'GET', htu: t.credentialsUrl, iat: Math.floor(t.clock.ms / 1000), ath: ath(token), ...opts.claims };
    return new SignJWT(claims).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...opts.header } as never).sign(privateKey);
  }

  test('a valid proof gets credentials, and the device is its key thumbprint', async () => {
    const { token, key } = await t.guest();
    const res = await t.credentials(token, {}, 'phone');
    assert.equal(res.status, 200);
    assert.equal(await useCount(key), 1);
    const events = (await t.query('GET', '/events/list', { instant_key_id: key.instant_key_id })).body.events;
    assert.equal(events.at(-1).device_id, await thumbprintOf(t, 'phone'));
  });

  test('a request without a proof gets 401 dpop_proof_required, the old Instant-Key-Device header alone included', async () => {
    const { token, key } = await t.guest();
    refused(await send(token, {}), 'dpop_proof_required');
    refused(await send(token, { 'instant-key-device': 'dev-1' }), 'dpop_proof_required');
    assert.equal(await useCount(key), 0);
  });

  test('malformed, unsigned and badly signed proofs get 401 invalid_dpop_proof', async () => {
    const { token, key } = await t.guest();
    const good = await t.proof(token, 'phone');
    const [h, p] = good.split('.');
    const otherSigner = (await t.proof(token, 'other')).split('.')[2];
    const unsigned = `${Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'none' })).toString('base64url')}.${p}.`;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), htm: 'GET ' })).toString('base64url')}.${good.split('.')[2]}`;
    for (const dpop of ['garbage', unsigned, `${h}.${p}.${otherSigner}`, tampered]) {
      refused(await send(token, { dpop }), 'invalid_dpop_proof');
    }
    assert.equal(await useCount(key), 0);
  });

  test('a proof must be a dpop+jwt ES256 JWS with a P-256 public jwk and every claim', async () => {
    const { token } = await t.guest();
    assert.equal((await send(token, { dpop: await forged(token) })).status, 200, 'the forger itself is sound');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const cases: [string, Promise<string>][] = [
      ['typ JWT', forged(token, { header: { typ: 'JWT' } })],
      ['no jwk', forged(token, { header: { jwk: undefined } })],
      ['a private jwk', forged(token, { header: { jwk: await exportJWK(privateKey) } })],
      ['no jti', forged(token, { claims: { jti: undefined } })],
      ['no ath', forged(token, { claims: { ath: undefined } })],
      ['no iat', forged(token, { claims: { iat: undefined } })],
      ['a short jti', forged(token, { claims: { jti: 'x' } })],
    ];
    for (const [what, dpop] of cases) {
      const res = await send(token, { dpop: await dpop });
      assert.equal(res.status, 401, what);
      assert.equal(res.body.error.type, 'invalid_dpop_proof', what);
    }
    // RS256 or HS256 are not accepted either, even when validly signed.
    const rsa = await generateKeyPair('RS256');
    const rsaProof = await new SignJWT({ jti: crypto.randomUUID(), htm: 'GET', htu: t.credentialsUrl, iat: Math.floor(t.clock.ms / 1000), ath: ath(token) })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'RS256', jwk: await exportJWK(rsa.publicKey) })
      .sign(rsa.privateKey);
    refused(await send(token, { dpop: rsaProof }), 'invalid_dpop_proof');
    const hmac = await new CompactSign(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt' }).sign(new Uint8Array(32));
    refused(await send(token, { dpop: hmac }), 'invalid_dpop_proof');
  });

  test('a proof for another method, URL or link token gets 401 invalid_dpop_proof', async () => {
    const { token, key } = await t.guest();
    const other = await t.guest();
    const cases: [string, Promise<string>][] = [
      ['htm POST', t.proof(token, 'phone', { htm: 'POST' })],
      ['another host', t.proof(token, 'phone', { htu: 'https://evil.example/instant_keys/credentials' })],
      ['another path', t.proof(token, 'phone', { htu: 'https://keys.hotel.example/k' })],
      ['http instead of https', t.proof(token, 'phone', { htu: 'http://keys.hotel.example/instant_keys/credentials' })],
      ['another link token', t.proof(other.token, 'phone')],
      ['the address the server listens on, not its public URL', t.proof(token, 'phone', { htu: `${t.localUrl}/instant_keys/credentials` })],
    ];
    for (const [what, dpop] of cases) {
      const res = await send(token, { dpop: await dpop });
      assert.equal(res.status, 401, what);
      assert.equal(res.body.error.type, 'invalid_dpop_proof', what);
    }
    assert.equal(await useCount(key), 0);
    // The URL is compared as a URL, without its query (RFC 9449, section 4.3).
    const spelled = await t.proof(token, 'phone', { htu: 'HTTPS://Keys.Hotel.Example:443/instant_keys/credentials?x=1' });
    assert.equal((await send(token, { dpop: spelled })).status, 200);
  });

  test(`a proof whose iat is more than ${IAT_WINDOW_S} s off gets a nonce challenge; signed again with the nonce, it passes`, async () => {
    const { token, key } = await t.guest();
    for (const skewS of [-(IAT_WINDOW_S + 1), IAT_WINDOW_S + 1, -3600]) {
      const stale = await t.proof(token, 'skewed-phone', { now: t.clock.ms + skewS * 1000 });
      const challenge = await send(token, { dpop: stale });
      refused(challenge, 'use_dpop_nonce', 'use_dpop_nonce');
      const nonce = challenge.headers.get('dpop-nonce');
      assert.match(nonce ?? '', /^[\w-]{27}$/);
      // The phone's clock is still off: the nonce is what makes the retry fresh.
      const retry = await t.proof(token, 'skewed-phone', { now: t.clock.ms + skewS * 1000, nonce: nonce! });
      assert.equal((await send(token, { dpop: retry })).status, 200, `skew ${skewS} s`);
    }
    assert.equal(await useCount(key), 1);
    // Within the window, either way, no nonce is needed.
    t.clock.advance(IAT_WINDOW_S * 1000);
    try {
      for (const skewS of [-(IAT_WINDOW_S - 1), IAT_WINDOW_S - 1]) {
        const slightlyOff = await t.proof(token, 'skewed-phone', { now: t.clock.ms + skewS * 1000 });
        assert.equal((await send(token, { dpop: slightlyOff })).status, 200, `skew ${skewS} s`);
      }
    } finally {
      t.clock.advance(-IAT_WINDOW_S * 1000);
    }
  });

  test(`a nonce is good for ${NONCE_TTL_S} s and only if this server issued it`, async () => {
    const { token } = await t.guest();
    const challenge = await send(token, { dpop: await t.proof(token, 'phone', { now: t.clock.ms - 3_600_000 }) });
    const nonce = challenge.headers.get('dpop-nonce')!;
    const forgedNonce = `${nonce.slice(0, 6)}${nonce[6] === 'A' ? 'B' : 'A'}${nonce.slice(7)}`;
    refused(await send(token, { dpop: await t.proof(token, 'phone', { nonce: forgedNonce }) }), 'use_dpop_nonce', 'use_dpop_nonce');
    t.clock.advance((NONCE_TTL_S + 1) * 1000);
    try {
      const late = await send(token, { dpop: await t.proof(token, 'phone', { nonce, now: 0 }) });
      refused(late, 'use_dpop_nonce', 'use_dpop_nonce');
      assert.notEqual(late.headers.get('dpop-nonce'), nonce, 'a fresh nonce with the refusal');
    } finally {
      t.clock.advance(-(NONCE_TTL_S + 1) * 1000);
    }
  });

  test('a proof is accepted once: replayed, it gets 401 dpop_proof_replayed, and later a nonce challenge', async () => {
    const { token, key } = await t.guest();
    const dpop = await t.proof(token, 'phone');
    assert.equal((await send(token, { dpop })).status, 200);
    refused(await send(token, { dpop }), 'dpop_proof_replayed');
    t.clock.advance((IAT_WINDOW_S + 1) * 1000);
    try {
      refused(await send(token, { dpop }), 'use_dpop_nonce', 'use_dpop_nonce');
    } finally {
      t.clock.advance(-(IAT_WINDOW_S + 1) * 1000);
    }
    // A proof accepted with a nonce is remembered for as long as that nonce is good.
    const challenge = await send(token, { dpop: await t.proof(token, 'phone', { now: 0 }) });
    const withNonce = await t.proof(token, 'phone', { now: 0, nonce: challenge.headers.get('dpop-nonce')! });
    assert.equal((await send(token, { dpop: withNonce })).status, 200);
    t.clock.advance((NONCE_TTL_S - 1) * 1000);
    try {
      refused(await send(token, { dpop: withNonce }), 'dpop_proof_replayed');
    } finally {
      t.clock.advance(-(NONCE_TTL_S - 1) * 1000);
    }
    const uses = (await t.query('GET', '/events/list', { instant_key_id: key.instant_key_id })).body.events.filter((e: any) => e.event_type === 'instant_key.used');
    assert.equal(uses.length, 2, 'replays leave no use on record');
  });

  test('a captured request replayed whole, every header included, is refused', async () => {
    const { token, key } = await t.guest();
    const headers = { authorization: `Bearer ${token}`, dpop: await t.proof(token, 'guest-phone'), 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile Safari/604.1' };
    const first = await t.request('GET', '/instant_keys/credentials', { headers });
    assert.equal(first.status, 200);
    const replay = await t.request('GET', '/instant_keys/credentials', { headers });
    refused(replay, 'dpop_proof_replayed');
    assert.equal(JSON.stringify(replay.body).includes('ticket'), false, 'no tickets for the replay');
    const withEtag = await t.request('GET', '/instant_keys/credentials', { headers: { ...headers, 'if-none-match': first.headers.get('etag')! } });
    refused(withEtag, 'dpop_proof_replayed');
    assert.equal(await useCount(key), 1);
  });

  test('an admitted device id sent from another key is a new device: refused at the limit, counted below it', async () => {
    // The guest's phone also sends the retired Instant-Key-Device header, as older elements did.
    const phone = { 'instant-key-device': 'guest-phone-id' };
    const limited = await t.guest({ key: { max_use_count: 1 } });
    assert.equal((await t.credentials(limited.token, phone, 'guest-phone')).status, 200);
    const thumbprint = await thumbprintOf(t, 'guest-phone');
    // The attacker copies the phone's device id, or its thumbprint, and signs with its own key.
    for (const copied of ['guest-phone-id', thumbprint]) {
      const stolen = await t.credentials(limited.token, { 'instant-key-device': copied }, 'attacker-laptop');
      assert.equal(stolen.status, 403, copied);
      assert.equal(stolen.body.error.type, 'max_use_count_exceeded');
    }
    assert.equal(await useCount(limited.key), 1);
    // The guest's phone itself is still let in.
    assert.equal((await t.credentials(limited.token, phone, 'guest-phone')).status, 200);

    const roomy = await t.guest({ key: { max_use_count: 3 } });
    assert.equal((await t.credentials(roomy.token, phone, 'guest-phone')).status, 200);
    assert.equal((await t.credentials(roomy.token, phone, 'attacker-laptop')).status, 200);
    assert.equal(await useCount(roomy.key), 2, 'counted as a second device');
  });

  test('the guest\'s public key in a proof signed by another key is refused', async () => {
    const { token } = await t.guest({ key: { max_use_count: 1 } });
    assert.equal((await t.credentials(token, {}, 'guest-phone')).status, 200);
    // The attacker copies the guest's jwk (it is public) into a proof it signs itself.
    const guestJwk = JSON.parse(Buffer.from((await t.proof(token, 'guest-phone')).split('.')[0]!, 'base64url').toString()).jwk;
    refused(await send(token, { dpop: await forged(token, { header: { jwk: guestJwk } }) }), 'invalid_dpop_proof');
  });

  test('without PUBLIC_BASE_URL, a proof may name the URL the request was sent to (localhost or 127.0.0.1)', async () => {
    const local = await TestServer.start();
    try {
      const { token } = await local.guest();
      const port = new URL(local.localUrl).port;
      // fetch will not set Host; Fastify's inject runs the same route with any Host.
      const send = async (host: string, htu: string) => {
        const dpop = await local.proof(token, 'phone', { htu });
        const res = await local.server.app.inject({ method: 'GET', url: '/instant_keys/credentials', headers: { authorization: `Bearer ${token}`, dpop, host } });
        return { status: res.statusCode, type: res.statusCode === 200 ? undefined : (res.json() as any).error.type };
      };
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
        assert.equal((await send(host, `http://${host}/instant_keys/credentials`)).status, 200, host);
      }
      const elsewhere = await send(`127.0.0.1:${port}`, `http://localhost:${port}/instant_keys/credentials`);
      assert.equal(elsewhere.type, 'invalid_dpop_proof', 'but not another one');
    } finally {
      await local.close();
    }
  });

  test('proofs dated before the server started are not accepted without a nonce (their jti may predate its memory)', async () => {
    const fresh = await TestServer.start();
    try {
      const { token } = await fresh.guest();
      const before = await fresh.proof(token, 'phone', { now: fresh.clock.ms - 2000 });
      const res = await fresh.request('GET', '/instant_keys/credentials', { headers: { authorization: `Bearer ${token}`, dpop: before } });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.type, 'use_dpop_nonce');
    } finally {
      await fresh.close();
    }
  });
});
