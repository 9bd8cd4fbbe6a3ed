/**
 * The DPoP header is open-ended network input: whatever an attacker makes of a proof it has
 * seen (characters changed, cut, inserted, or anything else), the verifier never accepts it as
 * a new proof, and always answers with a typed 401 rather than an unexpected error.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { DpopVerifier } from '../../server-stub/dpop.ts';
import { ApiError } from '../../server-stub/errors.ts';
import { dpopProof } from '../../src/credentials/dpop.ts';
import { seeded } from '../unit/support/property.ts';

const TOKEN = 'ik_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const HTU = 'https://keys.example/instant_keys/credentials';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const context = { htm: 'GET', htu: [HTU], ath: createHash('sha256').update(TOKEN).digest('base64url'), now: NOW };
const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const proof = await dpopProof(keys, { htm: 'GET', htu: HTU, token: TOKEN, now: NOW });

/** The verifier's answer to `header`: accepted, or the type of its 401. */
async function answer(verifier: DpopVerifier, header: string): Promise<string> {
  try {
    await verifier.verify(header, context);
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof ApiError, `a typed error, got ${String(error)}`);
    assert.equal(error.status, 401);
    return error.type;
  }
}

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
/** Changes to a string: replace, delete or insert characters at some positions. */
const edits = fc.array(
  fc.record({ at: fc.nat(), op: fc.constantFrom('replace', 'delete', 'insert'), char: fc.constantFrom(...URL_SAFE, '=', ' ', '/', '+') }),
  { minLength: 1, maxLength: 4 },
);

function apply(text: string, changes: { at: number; op: string; char: string }[]): string {
  let out = text;
  for (const { at, op, char } of changes) {
    const i = at % (out.length + 1);
    if (op === 'replace') out = out.slice(0, i) + char + out.slice(i + 1);
    else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + char + out.slice(i);
  }
  return out;
}

test('a seen proof, however edited, is never accepted again, and every refusal is a typed 401', async () => {
  const verifier = new DpopVerifier(NOW - 1000);
  assert.equal(await answer(verifier, proof), 'accepted');
  await fc.assert(
    fc.asyncProperty(edits, async (changes) => {
      const edited = apply(proof, changes);
      assert.notEqual(await answer(verifier, edited), 'accepted', edited);
    }),
    seeded(9449, 300),
  );
});

test('arbitrary strings are refused with a typed 401', async () => {
  const verifier = new DpopVerifier(NOW - 1000);
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string(), fc.stringMatching(/^[\w-]{1,80}\.[\w-]{1,200}\.[\w-]{86}$/)), async (header) => {
      const type = await answer(verifier, header);
      assert.ok(['dpop_proof_required', 'invalid_dpop_proof'].includes(type), type);
    }),
    seeded(7638, 300),
  );
});
