// `instant-key/testing` from Node, checked from outside: the kit's entry is bundled on its own
// (as a package consumer would load it, with no TypeScript and no repo node_modules), and its
// VirtualLock is driven by a phone side written from docs/protocol.md alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import vectors from '../vectors.json' with { type: 'json' };
import { handHello, handLockUpdate, handResult, handTicket, handUnlock, type HandTicket } from '../unit/support/independent-phone.ts';

type Kit = typeof import('../../src/testing/index.ts');

let dir: string;
let metafile: Metafile;
let kit: Kit;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ik-qa-kit-'));
  const result = await build({
    entryPoints: ['src/testing/index.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
  });
  metafile = result.metafile;
  const file = join(dir, 'testing.mjs');
  writeFileSync(file, result.outputFiles[0]!.contents);
  kit = (await import(pathToFileURL(file).href)) as Kit;
});

after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (h: string): Buffer => Buffer.from(h, 'hex');
const i = vectors.inputs;
const NOW_S = vectors.lock_checks.now_inside_window;

function ticketFor(lockKey: Buffer, changes: Partial<HandTicket> = {}, nonce?: Buffer): Buffer {
  const contents: HandTicket = {
    lockId: i.lock_id,
    credentialId: i.credential_id,
    notBefore: i.not_before,
    notAfter: i.not_after,
    credentialKey: hex(i.credential_key),
    permissions: 1,
    ...changes,
  };
  return nonce ? handTicket(lockKey, contents, nonce) : handTicket(lockKey, contents);
}

const PHONE_NONCE = hex(i.phone_nonce);

/** The status and authenticity of a RESULT, for the vectors' credential and phone nonce (and `lockNonce` after a CHALLENGE). */
const judge = (reply: Uint8Array, lockNonce?: Buffer) =>
  handResult(Buffer.from(reply), hex(i.credential_key), PHONE_NONCE, i.credential_id, lockNonce);

describe('instant-key/testing in Node', () => {
  test('loads without Playwright, Web Test Runner or any browser code', () => {
    const inputs = Object.keys(metafile.inputs).filter((path) => path.includes('node_modules'));
    assert.deepEqual(
      inputs.filter((path) => !path.includes('node_modules/@noble/')),
      [],
      'only @noble/ciphers comes along',
    );
    const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.map((imp) => imp.path));
    assert.deepEqual(imports, [], 'the bundle imports nothing at run time');
    assert.equal(typeof kit.VirtualLock, 'function');
    assert.equal(typeof kit.attachVirtualLock, 'function');
    assert.equal(typeof kit.virtualLockPlugin, 'function');
  });

  test('the hand-written phone matches the known-answer vectors (so it checks the spec, not itself)', () => {
    assert.equal(ticketFor(hex(i.lock_key), {}, hex(i.ticket_nonce)).toString('hex'), vectors.ticket);
    const unlock = handUnlock(hex(i.credential_key), PHONE_NONCE, hex(i.lock_nonce), i.credential_id, hex(i.unlock_nonce));
    assert.equal(unlock.toString('hex'), vectors.unlock);
    const update = handLockUpdate(hex(i.lock_key), i.lock_id, i.update_sequence, [i.other_credential_id, i.credential_id], hex(i.update_nonce));
    assert.equal(update.toString('hex'), vectors.lock_update);
    assert.equal(handHello(PHONE_NONCE, hex(vectors.ticket), update).toString('hex'), vectors.hello_with_update);
    assert.deepEqual(judge(hex(vectors.result_ok), hex(i.lock_nonce)), { status: 0, authentic: true });
    assert.deepEqual(judge(hex(vectors.result_revoked_by_update)), { status: 6, authentic: true, lockNonce: hex(i.lock_nonce) });
  });

  test("VirtualLock.exchange passes an independent phone's HELLO, CHALLENGE, UNLOCK, RESULT", () => {
    const lockKey = hex(i.lock_key);
    const lock = new kit.VirtualLock({ lockId: i.lock_id, lockKey, now: () => NOW_S * 1000 });

    const challenge = Buffer.from(lock.exchange(handHello(PHONE_NONCE, ticketFor(lockKey))));
    assert.equal(challenge.length, 17);
    assert.equal(challenge[0], 0x02);
    const lockNonce = challenge.subarray(1);

    const result = lock.exchange(handUnlock(hex(i.credential_key), PHONE_NONCE, lockNonce, i.credential_id));
    assert.deepEqual(judge(result, lockNonce), { status: kit.Status.OK, authentic: true });
    assert.equal(lock.unlockCount, 1);
    assert.deepEqual(
      lock.log.map((e) => [e.message, e.status, e.credentialId]),
      [
        ['HELLO', 'OK', i.credential_id],
        ['UNLOCK', 'OK', i.credential_id],
      ],
    );
  });

  test('an UNLOCK bound to another session is refused with an authenticated BAD_PROOF', () => {
    const lockKey = hex(i.lock_key);
    const lock = new kit.VirtualLock({ lockId: i.lock_id, lockKey, now: () => NOW_S * 1000 });
    const lockNonce = Buffer.from(lock.exchange(handHello(PHONE_NONCE, ticketFor(lockKey)))).subarray(1);
    const replayed = handUnlock(hex(i.credential_key), Buffer.alloc(16), lockNonce, i.credential_id);

    assert.deepEqual(judge(lock.exchange(replayed), lockNonce), { status: kit.Status.BAD_PROOF, authentic: true });
    assert.equal(lock.unlockCount, 0);
  });

  test('two locks built with one key are a shared-key group: each answers the other’s ticket WRONG_LOCK, authenticated', () => {
    const bankKey = hex(i.lock_key);
    const liftB = '3fa2c1d0-0000-4000-8000-00000000000b';
    const lift = new kit.VirtualLock({ lockId: liftB, lockKey: bankKey, now: () => NOW_S * 1000 });

    // Refused before any CHALLENGE: the RESULT names the session's lock nonce, and its tag binds it and the phone nonce.
    const refused = judge(lift.exchange(handHello(PHONE_NONCE, ticketFor(bankKey))));
    assert.deepEqual([refused.status, refused.authentic], [kit.Status.WRONG_LOCK, true]);
    assert.equal(lift.log.at(-1)?.status, 'WRONG_LOCK');
  });

  test('a lock update carried by the independent phone is applied, then refuses the listed ticket', () => {
    const lockKey = hex(i.lock_key);
    const lock = new kit.VirtualLock({ lockId: i.lock_id, lockKey, now: () => NOW_S * 1000 });
    const update = handLockUpdate(lockKey, i.lock_id, 3, [i.credential_id]);
    const refused = judge(lock.exchange(handHello(PHONE_NONCE, ticketFor(lockKey), update)));
    assert.deepEqual([refused.status, refused.authentic], [kit.Status.REVOKED, true]);
    assert.deepEqual([lock.updateSequence, lock.revocationList], [3, [i.credential_id]]);
    assert.equal(Buffer.from(lock.info()).readUInt32BE(19), 3);
  });

  test('a ticket sealed under another key is BAD_TICKET, unauthenticated', () => {
    const lock = new kit.VirtualLock({ lockId: i.lock_id, lockKey: hex(i.lock_key), now: () => NOW_S * 1000 });
    assert.deepEqual(judge(lock.exchange(handHello(PHONE_NONCE, ticketFor(Buffer.alloc(32, 7))))), {
      status: kit.Status.BAD_TICKET,
      authentic: null,
    });
  });
});
