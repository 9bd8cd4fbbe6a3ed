import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { CredentialsError, type CredentialsErrorCode } from '../../src/credentials/errors.ts';
import { createHttpResolver, credentialsUrl, resolveEndpoint } from '../../src/credentials/http-resolver.ts';
import { responseBody, TOKEN } from './support/credentials-fixture.ts';
import { calculateJwkThumbprint, decodeJwt, type JWK } from 'jose';
import { createHash } from 'node:crypto';
import { DpopVerifier } from '../../server-stub/dpop.ts';
import { dpopProof, type ProofRequest } from '../../src/credentials/dpop.ts';

const ath = (token: string) => createHash('sha256').update(token).digest('base64url');
const thumbprint = async (key: CryptoKey) => calculateJwkThumbprint((await crypto.subtle.exportKey('jwk', key)) as JWK);

const DEVICE = crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
/** The element's own proof code, signing with a test key instead of the browser's stored one. */
const proof = async (request: ProofRequest) => dpopProof(await DEVICE, request);
const URL_ = 'https://keys.example/api/instant_keys/credentials';

interface Call {
  url: string;
  init: RequestInit;
}

/** A stubbed global fetch answering each call with `answer`. */
function stubFetch(answer: (call: Call) => Response | Promise<Response>): Call[] {
  const calls: Call[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call = { url: String(input), init };
    calls.push(call);
    return answer(call);
  }) as typeof fetch;
  return calls;
}

/** Like a fetch to a server that never answers: pending until its signal aborts it. */
function untilAborted(signal: AbortSignal): Promise<Response> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason));
  });
}

/** A body that never ends, failing when the request's signal aborts, as fetch's bodies do. */
function stalledBody(signal: AbortSignal): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"ok":'));
      signal.addEventListener('abort', () => controller.error(signal.reason));
    },
  });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function seamError(status: number, type: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: { type, message: `${type} (server text)` } }, headers);
}

function resolver(online = true) {
  return createHttpResolver({ endpoint: 'https://keys.example/api/', proof, isOnline: () => online });
}

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CredentialsError, `a CredentialsError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

const realFetch = globalThis.fetch;

describe('createHttpResolver', () => {
  beforeEach(() => {
    globalThis.fetch = realFetch;
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  test('GETs the credentials path with the bearer token and a DPoP proof of the device key', async () => {
    const calls = stubFetch(() => json(200, responseBody()));
    const body = await resolver()(TOKEN, { signal: new AbortController().signal });
    assert.equal(body.credentials[0]!.entrance.display_name, 'Room 412');
    assert.equal(calls.length, 1);
    const { url, init } = calls[0]!;
    assert.equal(url, 'https://keys.example/api/instant_keys/credentials');
    assert.equal(init.method, 'GET');
    const headers = new Headers(init.headers);
    assert.equal(headers.get('Authorization'), `Bearer ${TOKEN}`);
    assert.equal(headers.get('Instant-Key-Device'), null, 'the device id header is retired');
    // The server's own verifier accepts it, for this URL and token, as this device.
    const verified = await new DpopVerifier(Date.now() - 1000).verify(headers.get('DPoP')!, { htm: 'GET', htu: [URL_], ath: ath(TOKEN), now: Date.now() });
    assert.equal(verified.thumbprint, await thumbprint((await DEVICE).publicKey));
    assert.equal(init.credentials, 'omit', 'no cookies ride along');
    assert.equal(init.cache, 'no-store');
    assert.ok(!url.includes(TOKEN), 'the token stays out of the URL');
  });

  test('sends the proof it is given as the DPoP header, asked for this request', async () => {
    const calls = stubFetch(() => json(200, responseBody()));
    const asked: ProofRequest[] = [];
    const proving = createHttpResolver({
      endpoint: 'https://keys.example/api/',
      proof: async (request) => (asked.push(request), 'header.payload.signature'),
    });
    await proving(TOKEN, { signal: new AbortController().signal });
    assert.deepEqual(asked, [{ htm: 'GET', htu: URL_, token: TOKEN, nonce: undefined }]);
    assert.equal(new Headers(calls[0]!.init.headers).get('DPoP'), 'header.payload.signature');
  });

  test('sends nothing at all when the proof cannot be made: network_error, the cause kept', async () => {
    const calls = stubFetch(() => json(200, responseBody()));
    const failing = createHttpResolver({ endpoint: 'https://keys.example/api/', proof: () => Promise.reject(new Error('no key')) });
    const error = await failure(failing(TOKEN, { signal: new AbortController().signal }));
    assert.equal(error.code, 'network_error');
    assert.equal((error.cause as Error).message, 'no key');
    assert.equal(calls.length, 0, 'the failed proof sent no request');
  });

  test('hands the 200 body on as parsed, for the element to validate (the validator rides with its key view)', async () => {
    const body = { ...responseBody(), refresh_after_s: 'soon' };
    stubFetch(() => json(200, body));
    assert.deepEqual(await resolver()(TOKEN, { signal: new AbortController().signal }), body);
  });

  test('refuses a 200 that is not JSON', async () => {
    stubFetch(() => new Response('<html>proxy</html>', { status: 200 }));
    assert.equal((await failure(resolver()(TOKEN, { signal: new AbortController().signal }))).code, 'response_invalid');
  });

  const mapping: Array<[string, () => Response, CredentialsErrorCode]> = [
    ['401 instant_key_invalid', () => seamError(401, 'instant_key_invalid'), 'link_invalid'],
    ['401 instant_key_expired', () => seamError(401, 'instant_key_expired'), 'link_expired'],
    ['401 without a body', () => new Response(null, { status: 401 }), 'link_invalid'],
    ['401 invalid_dpop_proof', () => seamError(401, 'invalid_dpop_proof'), 'network_error'],
    ['401 dpop_proof_replayed', () => seamError(401, 'dpop_proof_replayed'), 'network_error'],
    ['400 invalid_input', () => seamError(400, 'invalid_input'), 'link_invalid'],
    ['410 instant_key_revoked', () => seamError(410, 'instant_key_revoked'), 'link_revoked'],
    ['403 max_use_count_exceeded', () => seamError(403, 'max_use_count_exceeded'), 'link_max_use'],
    ['403 from a firewall', () => new Response('denied', { status: 403 }), 'network_error'],
    ['429 rate_limited', () => seamError(429, 'rate_limited', { 'Retry-After': '30' }), 'network_error'],
    ['500', () => seamError(500, 'internal_error'), 'network_error'],
    ['503 with an HTML page', () => new Response('<h1>down</h1>', { status: 503 }), 'network_error'],
    ['404', () => seamError(404, 'route_not_found'), 'network_error'],
  ];
  for (const [what, answer, code] of mapping) {
    test(`maps ${what} to ${code}`, async () => {
      stubFetch(answer);
      const error = await failure(resolver()(TOKEN, { signal: new AbortController().signal }));
      assert.equal(error.code, code);
      assert.ok(!error.message.includes(TOKEN), 'the token is not in the message');
    });
  }

  test('signs again once with the server\'s DPoP-Nonce after a nonce challenge, and keeps using it', async () => {
    const challenge = () => seamError(401, 'use_dpop_nonce', { 'DPoP-Nonce': 'nonce-1' });
    const answers = [challenge, () => json(200, responseBody()), () => json(200, responseBody())];
    const calls = stubFetch(() => answers.shift()!());
    const resolve = resolver();
    await resolve(TOKEN, { signal: new AbortController().signal });
    await resolve(TOKEN, { signal: new AbortController().signal });
    const proofs = calls.map((c) => decodeJwt(new Headers(c.init.headers).get('DPoP')!));
    assert.deepEqual(proofs.map((p) => p['nonce']), [undefined, 'nonce-1', 'nonce-1']);
    assert.equal(new Set(proofs.map((p) => p.jti)).size, 3, 'a fresh proof each time');
  });

  test('does not retry a second nonce challenge in one call: it fails as network_error', async () => {
    const calls = stubFetch(() => seamError(401, 'use_dpop_nonce', { 'DPoP-Nonce': `n-${Math.random()}` }));
    const error = await failure(resolver()(TOKEN, { signal: new AbortController().signal }));
    assert.equal(error.code, 'network_error');
    assert.equal(calls.length, 2);
  });

  test('keeps Retry-After seconds from a 429', async () => {
    stubFetch(() => seamError(429, 'rate_limited', { 'Retry-After': '30' }));
    assert.equal((await failure(resolver()(TOKEN, { signal: new AbortController().signal }))).retryAfterS, 30);
  });

  test('names a failed fetch network_offline when the device is offline', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = await failure(resolver(false)(TOKEN, { signal: new AbortController().signal }));
    assert.equal(error.code, 'network_offline');
  });

  test('names a failed fetch network_error when the device is online', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = await failure(resolver(true)(TOKEN, { signal: new AbortController().signal }));
    assert.equal(error.code, 'network_error');
    assert.ok(!error.message.includes(TOKEN));
  });

  test('aborts the fetch when the caller aborts, and rethrows the caller’s reason instead of a network error', async () => {
    const controller = new AbortController();
    let inFlight!: () => void;
    const called = new Promise<void>((resolve) => (inFlight = resolve));
    const calls = stubFetch(({ init }) => (inFlight(), untilAborted(init.signal!)));
    const pending = resolver()(TOKEN, { signal: controller.signal });
    await called;
    const reason = new DOMException('superseded', 'AbortError');
    controller.abort(reason);
    await assert.rejects(pending, (error: unknown) => error === reason);
    assert.equal(calls[0]!.init.signal!.aborted, true);
  });

  test('an abort while the proof is being signed never reaches the network', async () => {
    const controller = new AbortController();
    const calls = stubFetch(() => json(200, responseBody()));
    const pending = resolver()(TOKEN, { signal: controller.signal });
    const reason = new DOMException('superseded', 'AbortError');
    controller.abort(reason);
    await assert.rejects(pending, (error: unknown) => error === reason);
    assert.equal(calls.length, 0);
  });

  describe('a credential server that hangs', () => {
    const timedResolver = () =>
      createHttpResolver({ endpoint: 'https://keys.example/api/', proof, isOnline: () => true, timeoutMs: 20 });

    test('that never answers fails as network_error once the timeout passes, its request aborted', async () => {
      const calls = stubFetch(({ init }) => untilAborted(init.signal!));
      const error = await failure(timedResolver()(TOKEN, { signal: new AbortController().signal }));
      assert.equal(error.code, 'network_error');
      assert.match(error.message, /did not answer within 20 ms/);
      assert.ok(!error.message.includes(TOKEN));
      assert.equal(calls[0]!.init.signal!.aborted, true);
    });

    test('that sends its headers and then stalls the body fails the same way', async () => {
      stubFetch(({ init }) => new Response(stalledBody(init.signal!), { status: 200 }));
      const error = await failure(timedResolver()(TOKEN, { signal: new AbortController().signal }));
      assert.equal(error.code, 'network_error');
      assert.match(error.message, /did not answer within 20 ms/);
    });

    test('an error answer whose body stalls is still named by its status', async () => {
      stubFetch(({ init }) => new Response(stalledBody(init.signal!), { status: 410 }));
      const error = await failure(timedResolver()(TOKEN, { signal: new AbortController().signal }));
      assert.equal(error.code, 'link_revoked');
    });

    test('that answers in time is not cut short', async () => {
      stubFetch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return json(200, responseBody());
      });
      const body = await timedResolver()(TOKEN, { signal: new AbortController().signal });
      assert.equal(body.credentials[0]!.entrance.display_name, 'Room 412');
    });
  });

  test('does not call the endpoint when already aborted', async () => {
    const calls = stubFetch(() => json(200, responseBody()));
    await assert.rejects(resolver()(TOKEN, { signal: AbortSignal.abort() }));
    assert.equal(calls.length, 0);
  });

  test('refuses a token that cannot travel in a header without calling the endpoint', async () => {
    const calls = stubFetch(() => json(200, responseBody()));
    const error = await failure(resolver()('ik_ with spaces', { signal: new AbortController().signal }));
    assert.equal(error.code, 'link_invalid');
    assert.equal(calls.length, 0);
  });
});

describe('resolveEndpoint', () => {
  test('empty or absent means the page origin', () => {
    assert.equal(resolveEndpoint('', 'https://hotel.example/stay?x=1#ik_abc'), 'https://hotel.example/');
    assert.equal(resolveEndpoint(undefined, 'https://hotel.example/stay'), 'https://hotel.example/');
    assert.equal(resolveEndpoint('  ', 'https://hotel.example/stay'), 'https://hotel.example/');
  });

  test('keeps an absolute endpoint and resolves a relative one against the page', () => {
    assert.equal(resolveEndpoint('https://keys.example/v1', 'https://hotel.example/'), 'https://keys.example/v1');
    assert.equal(resolveEndpoint('/ik', 'https://hotel.example/stay'), 'https://hotel.example/ik');
  });

  test('joins the credentials path without doubling slashes', () => {
    assert.equal(credentialsUrl('https://hotel.example/'), 'https://hotel.example/instant_keys/credentials');
    assert.equal(credentialsUrl('https://keys.example/v1'), 'https://keys.example/v1/instant_keys/credentials');
  });

  test('revalidates with If-None-Match and keeps the last answer on 304', async () => {
    const calls = stubFetch((call) =>
      (call.init.headers as Record<string, string>)['If-None-Match'] === '"v1"'
        ? new Response(null, { status: 304 })
        : json(200, responseBody(), { ETag: '"v1"' }),
    );
    const resolve = resolver();
    const first = await resolve(TOKEN, { signal: new AbortController().signal });
    const second = await resolve(TOKEN, { signal: new AbortController().signal, revalidate: true });
    assert.equal(second, first);
    assert.equal((calls[1]!.init.headers as Record<string, string>)['If-None-Match'], '"v1"');
  });

  test('asks for fresh tickets, without If-None-Match, when not told to revalidate', async () => {
    const calls = stubFetch(() => json(200, responseBody(), { ETag: '"v1"' }));
    const resolve = resolver();
    await resolve(TOKEN, { signal: new AbortController().signal });
    await resolve(TOKEN, { signal: new AbortController().signal });
    assert.equal((calls[1]!.init.headers as Record<string, string>)['If-None-Match'], undefined);
  });
});
