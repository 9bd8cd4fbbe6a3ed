// The verifier's memory of accepted proofs at its edges: a proof is refused again up to the
// last second it could be accepted, and forgotten after.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { DpopVerifier, IAT_WINDOW_S } from '../../server-stub/dpop.ts';
import { ApiError } from '../../server-stub/errors.ts';

const HTU = 'https://keys.example/instant_keys/credentials';
const ATH = createHash('sha256').update('ik_token').digest('base64url');
const START = Date.parse('2026-03-01T12:00:00Z');
const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwk = await exportJWK(publicKey);

const proof = (jti: string, iatS: number) =>
  new SignJWT({ jti, htm: 'GET', htu: HTU, iat: iatS, ath: ATH }).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(privateKey);

async function outcome(verifier: DpopVerifier, dpop: string, now: number): Promise<string> {
  try {
    await verifier.verify(dpop, { htm: 'GET', htu: [HTU], ath: ATH, now });
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return error.type;
  }
}

describe('DpopVerifier memory', () => {
  test('refuses a replay through the last second its proof is acceptable, then calls it stale', async () => {
    const verifier = new DpopVerifier(START);
    const iatS = START / 1000;
    const dpop = await proof('jti-aaaaaaaaaaaaaaaa', iatS);
    assert.equal(await outcome(verifier, dpop, START), 'accepted');
    assert.equal(await outcome(verifier, dpop, (iatS + IAT_WINDOW_S) * 1000 + 999), 'dpop_proof_replayed');
    assert.equal(await outcome(verifier, dpop, (iatS + IAT_WINDOW_S + 1) * 1000), 'use_dpop_nonce');
  });

  test('forgets a jti once no proof carrying it could still pass, however many came before', async () => {
    const verifier = new DpopVerifier(START);
    const iatS = START / 1000;
    for (let i = 0; i < 50; i++) assert.equal(await outcome(verifier, await proof(`jti-${String(i).padStart(16, '0')}`, iatS), START), 'accepted');
    // Much later, a fresh proof that happens to reuse an old jti is not a replay.
    const later = START + 600_000;
    assert.equal(await outcome(verifier, await proof(`jti-${'0'.repeat(16)}`, later / 1000), later), 'accepted');
  });
});
