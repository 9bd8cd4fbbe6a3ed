/**
 * `npm run bench`: what one unlock costs, in real Chromium over emulated Bluetooth.
 * For max_frame 20 and 512 it prints the GATT operations per unlock (counted by the emulated
 * lock, next to the spec's count): with a lock that is current, and with a lock that is behind,
 * so that each unlock carries a newer lock update of 1, 19 or 100 revoked credentials inside
 * its HELLO (docs/protocol.md, section 11). Then the client's crypto time per unlock, measured
 * in the page next to a bare XChaCha20-Poly1305 seal + open of 64 bytes from the same run.
 * Not a test: nothing here passes or fails on timing. Bounded: a few seconds.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';
import { launchChromium } from '../scripts/chromium.mjs';
import { bytesToHex, bytesToUuid, randomBytes } from '../src/protocol/bytes.ts';
import { sealLockUpdate } from '../src/protocol/lock-update.ts';
import { sealTicket } from '../src/protocol/ticket.ts';
import { attachVirtualLock, VirtualLock } from '../src/testing/index.ts';
import type { Bench, CredentialHex } from './support/page.ts';

const UNLOCKS = 20;
const CRYPTO_ROUNDS = 100;
const CRYPTO_PER_BATCH = 100;
/** Revoked credentials in the carried update (0: the lock is current, nothing carried). */
const UPDATE_ENTRIES = [0, 1, 19, 100];

declare const bench: Bench;

/**
 * The spec's count (docs/protocol.md, section 11): one info read, HELLO's frames, one
 * CHALLENGE read, UNLOCK's 42 bytes and the RESULT's 42, each frame carrying max_frame - 1.
 */
function specCount(maxFrame: number, entries: number): number {
  const frames = (bytes: number) => Math.ceil(bytes / (maxFrame - 1));
  const hello = 131 + (entries === 0 ? 0 : 61 + 16 * entries);
  return 1 + frames(hello) + frames(17) + frames(42) + frames(42);
}

interface Door {
  lock: VirtualLock;
  /** One credential per unlock; with an update, each one's sequence is above the last. */
  credentials: CredentialHex[];
}

function mintDoor(maxFrame: number, entries: number): Door {
  const lockKey = randomBytes(32);
  const lockId = randomUUID();
  const credentialId = randomUUID();
  const credentialKey = randomBytes(32);
  const now = Math.floor(Date.now() / 1000);
  const ticket = sealTicket(lockKey, { lockId, credentialId, notBefore: now - 60, notAfter: now + 3600, credentialKey, permissions: 1 });
  const others = Array.from({ length: entries }, () => bytesToUuid(randomBytes(16)));
  const credential: CredentialHex = { credentialId, lockId, ticket: bytesToHex(ticket), credentialKey: bytesToHex(credentialKey) };
  const credentials = Array.from({ length: UNLOCKS }, (_, i) =>
    entries === 0 ? credential : { ...credential, lockUpdate: bytesToHex(sealLockUpdate(lockKey, { lockId, sequence: i + 1, revoked: others })) },
  );
  return { lock: new VirtualLock({ lockId, lockKey, maxFrame, name: `IK-BENCH-${maxFrame}-${entries}` }), credentials };
}

const server = await createServer({
  configFile: false,
  root: process.cwd(),
  logLevel: 'error',
  cacheDir: join(tmpdir(), 'ik-bench-vite'),
  server: { host: '127.0.0.1', port: 0 },
  optimizeDeps: { noDiscovery: true, include: [] },
});
await server.listen();
const address = server.httpServer!.address();
if (address === null || typeof address === 'string') throw new Error('no server address');
const browser = await launchChromium();

const started = performance.now();
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${address.port}/bench/support/page.html`);
  await page.waitForFunction(() => 'bench' in globalThis);
  console.log(`Unlock benchmark: Chromium ${browser.version()}, emulated Bluetooth, ${UNLOCKS} unlocks per lock\n`);

  const rows: string[][] = [['max_frame', 'lock update carried', 'GATT ops/unlock', 'spec', 'writes', 'reads', 'connections', 'wall ms/unlock']];
  let credential: CredentialHex | undefined;
  for (const entries of UPDATE_ENTRIES) {
    for (const maxFrame of [20, 512]) {
      const door = mintDoor(maxFrame, entries);
      credential ??= door.credentials[0];
      const attached = await attachVirtualLock(page, door.lock);
      await page.evaluate((name) => bench.arm(name), door.lock.name);
      await page.click('#choose');
      const run = await page.evaluate((c) => bench.unlockEach(c), door.credentials);
      if (run.ok !== UNLOCKS || door.lock.unlockCount !== UNLOCKS) {
        throw new Error(`max_frame ${maxFrame}, ${entries} entries: ${run.ok}/${UNLOCKS} unlocks (${run.failures.join(', ')})`);
      }
      if (entries > 0 && door.lock.updateSequence !== UNLOCKS) throw new Error('the updates were not all carried');
      const counts = attached.gattCounts();
      const ops = (counts.infoReads + counts.controlWrites + counts.controlReads) / UNLOCKS;
      rows.push([
        String(maxFrame),
        entries === 0 ? 'none (lock current)' : `${entries} revoked (${61 + 16 * entries} B)`,
        ops.toFixed(1),
        String(specCount(maxFrame, entries)),
        (counts.controlWrites / UNLOCKS).toFixed(1),
        ((counts.infoReads + counts.controlReads) / UNLOCKS).toFixed(1),
        (counts.connections / UNLOCKS).toFixed(1),
        run.msPerUnlock.toFixed(1),
      ]);
    }
  }
  printTable(rows);
  const current = (maxFrame: number) => specCount(maxFrame, 0);
  console.log(
    `\nCarrying an update costs ${[1, 19, 100].map((n) => `${n}: +${specCount(20, n) - current(20)} at 20, +${specCount(512, n) - current(512)} at 512`).join('; ')} GATT ops (spec).`,
  );

  const crypto = await page.evaluate(([c, b, p]) => bench.crypto(c, b, p), [credential!, CRYPTO_ROUNDS, CRYPTO_PER_BATCH] as const);
  console.log(`\nClient crypto per unlock in Chromium (median of ${CRYPTO_ROUNDS} batches of ${CRYPTO_PER_BATCH}, interleaved):`);
  printTable([
    ['', 'us'],
    ['UNLOCK seal + RESULT authentication (per unlock)', crypto.client.toFixed(1)],
    ['  UNLOCK seal alone', crypto.seal.toFixed(1)],
    ['  RESULT authentication alone', crypto.authenticate.toFixed(1)],
    ['baseline: XChaCha20-Poly1305 seal + open of 64 bytes', crypto.baseline.toFixed(1)],
  ]);
  console.log(`ratio: ${(crypto.client / crypto.baseline).toFixed(2)}x the baseline`);
  console.log('\nGATT ops exclude connect and service discovery; reads include the info read.');
  console.log(`(benchmark ran ${((performance.now() - started) / 1000).toFixed(1)} s in the browser)`);
} finally {
  await browser.close();
  await server.close();
}

/** Prints rows as columns: the first left-aligned, the rest right-aligned. */
function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}
