// The element's DPoP proof (src/credentials/dpop.ts), checked field by field and against the
// server's verifier; the device id is the RFC 7638 thumbprint, checked against the RFC's example.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { calculateJwkThumbprint, compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { DpopVerifier } from '../../server-stub/dpop.ts';
import { dpopProof } from '../../src/credentials/dpop.ts';

const TOKEN = 'ik_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const HTU = 'https://keys.example/instant_keys/credentials';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const keys = crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);

describe('dpopProof', () => {
  test('is a dpop+jwt ES256 JWS whose header holds only the public key', async () => {
    const proof = await dpopProof(await keys, { htm: 'GET', htu: HTU, token: TOKEN, now: NOW });
    const header = decodeProtectedHeader(proof);
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'jwk', 'typ']);
    assert.equal(header.typ, 'dpop+jwt');
    assert.equal(header.alg, 'ES256');
    assert.deepEqual(Object.keys(header.jwk!).sort(), ['crv', 'kty', 'x', 'y'], 'no private member');
    // The signature checks out with the embedded key, over exactly the first two parts.
    const { payload } = await compactVerify(proof, await importJWK(header.jwk!, 'ES256'));
    assert.ok(payload.length > 0);
  });

  test('claims the method, URL, time, a fresh id and the hash of the link token', async () => {
    const a = decodeJwt(await dpopProof(await keys, { htm: 'GET', htu: HTU, token: TOKEN, now: NOW + 999 }));
    const b = decodeJwt(await dpopProof(await keys, { htm: 'GET', htu: HTU, token: TOKEN, now: NOW }));
    assert.deepEqual(Object.keys(a).sort(), ['ath', 'htm', 'htu', 'iat', 'jti']);
    assert.equal(a.htm, 'GET');
    assert.equal(a.htu, HTU);
    assert.equal(a.iat, NOW / 1000);
    assert.equal(a['ath'], createHash('sha256').update(TOKEN).digest('base64url'));
    assert.match(a.jti!, /^[\w-]{22}$/);
    assert.notEqual(a.jti, b.jti);
  });

  test('carries the server nonce when given one', async () => {
    const claims = decodeJwt(await dpopProof(await keys, { htm: 'GET', htu: HTU, token: TOKEN, nonce: 'n0nce', now: NOW }));
    assert.equal(claims['nonce'], 'n0nce');
  });

  test('is accepted by the server verifier, which names the device by the RFC 7638 thumbprint of its key', async () => {
    const proof = await dpopProof(await keys, { htm: 'GET', htu: HTU, token: TOKEN, now: NOW });
    const verifier = new DpopVerifier(NOW);
    const { thumbprint } = await verifier.verify(proof, { htm: 'GET', htu: [HTU], ath: createHash('sha256').update(TOKEN).digest('base64url'), now: NOW });
    // RFC 7638, section 3: SHA-256 over the required members in lexicographic order, no spaces.
    const { crv, kty, x, y } = (await crypto.subtle.exportKey('jwk', (await keys).publicKey)) as Required<JWK>;
    const canonical = `{"crv":"${crv}","kty":"${kty}","x":"${x}","y":"${y}"}`;
    assert.equal(thumbprint, createHash('sha256').update(canonical).digest('base64url'));
  });
});

describe('JWK thumbprints (RFC 7638)', () => {
  test('match the RFC\'s worked example (section 3.1), whatever else the JWK holds', async () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const expected = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    assert.equal(await calculateJwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' }), expected);
    const canonical = `{"e":"AQAB","kty":"RSA","n":"${n}"}`;
    assert.equal(createHash('sha256').update(canonical).digest('base64url'), expected);
  });
});
