/**
 * `npm run bench`: what one IK1 unlock costs, in real Chromium over emulated Bluetooth.
 * For max_frame 20 and 512 it prints the GATT operations per unlock (counted by the emulated
 * lock, next to the spec's minimum) and the client's crypto time per unlock, measured in the
 * page next to a bare XChaCha20-Poly1305 seal + open of 64 bytes from the same run.
 * Not a test: nothing here passes or fails on timing. Bounded: a few seconds.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';
import { launchChromium } from '../scripts/chromium.mjs';
import { bytesToHex, randomBytes } from '../src/protocol/bytes.ts';
import { sealTicket } from '../src/protocol/ticket.ts';
import { attachVirtualLock, VirtualLock } from '../src/testing/index.ts';
import type { Bench, CredentialHex } from './support/page.ts';

const UNLOCKS = 20;
const CRYPTO_ROUNDS = 100;
const CRYPTO_PER_BATCH = 100;
/** protocol.md, "Browser side": info read, HELLO, CHALLENGE, UNLOCK and RESULT frames. */
const SPEC_MINIMUM: Record<number, number> = { 512: 5, 20: 15 };

declare const bench: Bench;

function mintDoor(maxFrame: number): { lock: VirtualLock; credential: CredentialHex } {
  const lockKey = randomBytes(32);
  const lockId = randomUUID();
  const credentialId = randomUUID();
  const credentialKey = randomBytes(32);
  const now = Math.floor(Date.now() / 1000);
  const ticket = sealTicket(lockKey, { lockId, credentialId, notBefore: now - 60, notAfter: now + 3600, credentialKey, permissions: 1 });
  return {
    lock: new VirtualLock({ lockId, lockKey, maxFrame, name: `IK-BENCH-${maxFrame}` }),
    credential: { credentialId, lockId, ticket: bytesToHex(ticket), credentialKey: bytesToHex(credentialKey) },
  };
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
  console.log(`IK1 unlock benchmark: Chromium ${browser.version()}, emulated Bluetooth, ${UNLOCKS} unlocks per lock\n`);

  const rows: string[][] = [['max_frame', 'GATT ops/unlock', 'spec minimum', 'writes', 'reads', 'connections', 'wall ms/unlock']];
  let credential: CredentialHex | undefined;
  for (const maxFrame of [20, 512]) {
    const door = mintDoor(maxFrame);
    credential = door.credential;
    const attached = await attachVirtualLock(page, door.lock);
    await page.evaluate((name) => bench.arm(name), door.lock.name);
    await page.click('#choose');
    const run = await page.evaluate(([c, n]) => bench.unlockMany(c, n), [door.credential, UNLOCKS] as const);
    if (run.ok !== UNLOCKS || door.lock.unlockCount !== UNLOCKS) {
      throw new Error(`max_frame ${maxFrame}: ${run.ok}/${UNLOCKS} unlocks (${run.failures.join(', ')})`);
    }
    const counts = attached.gattCounts();
    const ops = (counts.infoReads + counts.controlWrites + counts.controlReads) / UNLOCKS;
    rows.push([
      String(maxFrame),
      ops.toFixed(1),
      String(SPEC_MINIMUM[maxFrame]),
      (counts.controlWrites / UNLOCKS).toFixed(1),
      ((counts.infoReads + counts.controlReads) / UNLOCKS).toFixed(1),
      (counts.connections / UNLOCKS).toFixed(1),
      run.msPerUnlock.toFixed(1),
    ]);
  }
  printTable(rows);

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
