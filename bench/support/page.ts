/**
 * The benchmark's page: the element's real unlock path (Web Bluetooth transport, unlock session)
 * against emulated locks, and the client's crypto timed in the browser.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { requestLockDevice } from '../../src/ble/connect.ts';
import { unlockOverTransport } from '../../src/ble/unlock.ts';
import { webBluetoothTransport } from '../../src/ble/web-bluetooth.ts';
import { hexToBytes, randomBytes } from '../../src/protocol/bytes.ts';
import { authenticateResult, encodeUnlock, parseReply, sealResult, type ResultReply, type SessionBinding } from '../../src/protocol/messages.ts';
import type { UnlockCredential } from '../../src/protocol/session.ts';

export interface CredentialHex {
  credentialId: string;
  lockId: string;
  ticket: string;
  credentialKey: string;
  /** The lock's latest lock update, when the phone holds one. */
  lockUpdate?: string;
}

let lockName = '';
let chosen: Promise<BluetoothDevice> | undefined;

// requestDevice needs the click's user activation: call it synchronously in the handler.
document.querySelector('#choose')!.addEventListener('click', () => {
  chosen = requestLockDevice(navigator.bluetooth!, [lockName]);
});

function credentialFrom(hex: CredentialHex): UnlockCredential {
  const { lockUpdate, ...rest } = hex;
  return {
    ...rest,
    ticket: hexToBytes(hex.ticket),
    credentialKey: hexToBytes(hex.credentialKey),
    ...(lockUpdate ? { lockUpdate: hexToBytes(lockUpdate) } : {}),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Median time of each op, in microseconds. The ops take turns within every round, so drift
 * (JIT tiers, GC, CPU frequency) hits them alike; performance.now() is coarse in a page that
 * is not cross-origin isolated (100 us), so each is timed over a batch.
 */
function timeOps<K extends string>(ops: Record<K, () => void>, rounds: number, perBatch: number): Record<K, number> {
  const names = Object.keys(ops) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let round = -5; round < rounds; round++) {
    for (const name of names) {
      const op = ops[name];
      const start = performance.now();
      for (let i = 0; i < perBatch; i++) op();
      // The first rounds warm up the JIT and are not kept.
      if (round >= 0) samples.get(name)!.push(((performance.now() - start) * 1000) / perBatch);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples.get(name)!)])) as Record<K, number>;
}

const bench = {
  /** Names the lock the next click on #choose asks the chooser for. */
  arm(name: string): void {
    lockName = name;
    chosen = undefined;
  },

  /** Unlocks the chosen lock `n` times, one after another; wall time per unlock in ms. */
  unlockMany(credential: CredentialHex, n: number): Promise<{ ok: number; failures: string[]; msPerUnlock: number }> {
    return bench.unlockEach(Array.from({ length: n }, () => credential));
  },

  /** Unlocks the chosen lock once with each credential in turn (each may carry a newer update). */
  async unlockEach(each: CredentialHex[]): Promise<{ ok: number; failures: string[]; msPerUnlock: number }> {
    if (!chosen) throw new Error('click #choose first');
    const device = await chosen;
    const n = each.length;
    const failures: string[] = [];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const credentials = [credentialFrom(each[i]!)];
      const result = await unlockOverTransport(webBluetoothTransport(), Promise.resolve(device), credentials, {
        signal: new AbortController().signal,
      });
      if (!result.ok) failures.push(result.code);
    }
    return { ok: n - failures.length, failures, msPerUnlock: (performance.now() - start) / n };
  },

  /**
   * The client's crypto per unlock (sealing UNLOCK and authenticating the RESULT), next to a
   * bare XChaCha20-Poly1305 seal + open of 64 bytes; medians in microseconds.
   */
  crypto(credential: CredentialHex, rounds: number, perBatch: number): Record<'client' | 'seal' | 'authenticate' | 'baseline', number> {
    const c = credentialFrom(credential);
    const binding: SessionBinding = { credentialKey: c.credentialKey, credentialId: c.credentialId, phoneNonce: randomBytes(16), lockNonce: randomBytes(16) };
    const result = parseReply(sealResult('OK', binding, 'unlock')) as ResultReply;
    const key = randomBytes(32);
    const plain = randomBytes(64);
    const authenticate = (): void => {
      if (!authenticateResult(result, binding)) throw new Error('RESULT did not authenticate');
    };
    return timeOps(
      {
        client: () => {
          encodeUnlock(binding);
          authenticate();
        },
        seal: () => encodeUnlock(binding),
        authenticate,
        baseline: () => {
          const nonce = randomBytes(24);
          const sealed = xchacha20poly1305(key, nonce).encrypt(plain);
          xchacha20poly1305(key, nonce).decrypt(sealed);
        },
      },
      rounds,
      perBatch,
    );
  },
};

export type Bench = typeof bench;
(globalThis as unknown as { bench: Bench }).bench = bench;
