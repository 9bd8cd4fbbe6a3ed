// `instant-key/testing` from Node, checked from outside: the kit's entry is bundled on its own
// (as a package consumer would load it, with no TypeScript and no repo node_modules), and its
// VirtualLock is driven by an IK1 client written from protocol.md alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import vectors from '../vectors.json' with { type: 'json' };
import { handHello, handResult, handTicket, handUnlock, type HandTicket } from '../unit/support/independent-ik1.ts';

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

/** The status and authenticity of a RESULT, for the vectors' credential and `lockNonce`. */
const judge = (reply: Uint8Array, lockNonce: Buffer) =>
  handResult(Buffer.from(reply), hex(i.credential_key), lockNonce, i.credential_id);

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

  test('the hand-written client matches the known-answer vectors (so it checks the spec, not itself)', () => {
    assert.equal(ticketFor(hex(i.lock_key), {}, hex(i.ticket_nonce)).toString('hex'), vectors.ticket);
    const unlock = handUnlock(hex(i.credential_key), hex(i.lock_nonce), i.credential_id, hex(i.unlock_nonce));
    assert.equal(unlock.toString('hex'), vectors.unlock);
    assert.deepEqual(judge(hex(vectors.result_ok), hex(i.lock_nonce)), { status: 0, authentic: true });
  });

  test("VirtualLock.exchange passes an independent client's HELLO, CHALLENGE, UNLOCK, RESULT", () => {
    const lockKey = hex(i.lock_key);
    const lock = new kit.VirtualLock({ lockId: i.lock_id, lockKey, now: () => NOW_S * 1000 });

    const challenge = Buffer.from(lock.exchange(handHello(ticketFor(lockKey))));
    assert.equal(challenge.length, 17);
    assert.equal(challenge[0], 0x02);
    const lockNonce = challenge.subarray(1);

    const result = lock.exchange(handUnlock(hex(i.credential_key), lockNonce, i.credential_id));
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
    const lockNonce = Buffer.from(lock.exchange(handHello(ticketFor(lockKey)))).subarray(1);
    const replayed = handUnlock(hex(i.credential_key), Buffer.alloc(16), i.credential_id);

    assert.deepEqual(judge(lock.exchange(replayed), lockNonce), { status: kit.Status.BAD_PROOF, authentic: true });
    assert.equal(lock.unlockCount, 0);
  });

  test('two locks built with one key are a shared-key group: each answers the other’s ticket WRONG_LOCK, authenticated', () => {
    const bankKey = hex(i.lock_key);
    const liftB = '3fa2c1d0-0000-4000-8000-00000000000b';
    const lift = new kit.VirtualLock({ lockId: liftB, lockKey: bankKey, now: () => NOW_S * 1000 });

    // Refused before any CHALLENGE: the tag binds an all-zero lock_nonce.
    assert.deepEqual(judge(lift.exchange(handHello(ticketFor(bankKey))), Buffer.alloc(16)), {
      status: kit.Status.WRONG_LOCK,
      authentic: true,
    });
    assert.equal(lift.log.at(-1)?.status, 'WRONG_LOCK');
  });

  test('a ticket sealed under another key is BAD_TICKET, unauthenticated', () => {
    const lock = new kit.VirtualLock({ lockId: i.lock_id, lockKey: hex(i.lock_key), now: () => NOW_S * 1000 });
    assert.deepEqual(judge(lock.exchange(handHello(ticketFor(Buffer.alloc(32, 7)))), Buffer.alloc(16)), {
      status: kit.Status.BAD_TICKET,
      authentic: null,
    });
  });
});
