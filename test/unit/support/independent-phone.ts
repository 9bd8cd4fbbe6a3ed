/**
 * A phone side written from docs/protocol.md alone, sharing no code with src/: XChaCha20-Poly1305
 * is built here from HChaCha20 and node:crypto's ChaCha20-Poly1305, and every message is laid
 * out by hand. It checks the virtual lock from outside, so a bug shared by the library's
 * encoders and the lock cannot hide. (The lock side's counterpart is test/unit/support/spec-lock.ts.)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function rotl(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

/** HChaCha20 (draft-irtf-cfrg-xchacha, 2.2): a subkey from the key and the nonce's first 16 bytes. */
function hchacha20(key: Buffer, nonce16: Buffer): Buffer {
  const words = (b: Buffer, n: number): number[] => Array.from({ length: n }, (_, i) => b.readUInt32LE(i * 4));
  const s = [...SIGMA, ...words(key, 8), ...words(nonce16, 4)];
  const quarter = (a: number, b: number, c: number, d: number): void => {
    s[a] = (s[a]! + s[b]!) >>> 0; s[d] = rotl(s[d]! ^ s[a]!, 16);
    s[c] = (s[c]! + s[d]!) >>> 0; s[b] = rotl(s[b]! ^ s[c]!, 12);
    s[a] = (s[a]! + s[b]!) >>> 0; s[d] = rotl(s[d]! ^ s[a]!, 8);
    s[c] = (s[c]! + s[d]!) >>> 0; s[b] = rotl(s[b]! ^ s[c]!, 7);
  };
  for (let i = 0; i < 10; i++) {
    quarter(0, 4, 8, 12); quarter(1, 5, 9, 13); quarter(2, 6, 10, 14); quarter(3, 7, 11, 15);
    quarter(0, 5, 10, 15); quarter(1, 6, 11, 12); quarter(2, 7, 8, 13); quarter(3, 4, 9, 14);
  }
  const out = Buffer.alloc(32);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => out.writeUInt32LE(s[w]!, i * 4));
  return out;
}

function ietf(key: Buffer, nonce24: Buffer): { subkey: Buffer; iv: Buffer } {
  return { subkey: hchacha20(key, nonce24.subarray(0, 16)), iv: Buffer.concat([Buffer.alloc(4), nonce24.subarray(16)]) };
}

/** XChaCha20-Poly1305 encryption: ciphertext, then the 16-byte tag. */
export function xseal(key: Buffer, nonce: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const { subkey, iv } = ietf(key, nonce);
  const c = createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: plain.length });
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

/** XChaCha20-Poly1305 decryption; null when the tag does not open. */
export function xopen(key: Buffer, nonce: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  if (sealed.length < 16) return null;
  const { subkey, iv } = ietf(key, nonce);
  const d = createDecipheriv('chacha20-poly1305', subkey, iv, { authTagLength: 16 });
  d.setAAD(aad, { plaintextLength: sealed.length - 16 });
  d.setAuthTag(sealed.subarray(-16));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, -16)), d.final()]);
  } catch {
    return null;
  }
}

const uuid = (id: string): Buffer => Buffer.from(id.replaceAll('-', ''), 'hex');
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

export interface HandTicket {
  lockId: string;
  credentialId: string;
  notBefore: number;
  notAfter: number;
  credentialKey: Buffer;
  permissions: number;
}

/** ticket = 0x02 | nonce | seal(lock_key, nonce, ticket_plain, "IK2T" | 0x02). */
export function handTicket(lockKey: Buffer, t: HandTicket, nonce: Buffer = randomBytes(24)): Buffer {
  const plain = Buffer.concat([
    uuid(t.lockId),
    uuid(t.credentialId),
    u32(t.notBefore),
    u32(t.notAfter),
    t.credentialKey,
    Buffer.of(t.permissions),
  ]);
  return Buffer.concat([Buffer.of(0x02), nonce, xseal(lockKey, nonce, plain, Buffer.from('IK2T\x02', 'latin1'))]);
}

/** lock_update = 0x02 | sequence | nonce | seal(lock_key, nonce, lock_id | ids, "IK2L" | 0x02 | sequence). */
export function handLockUpdate(lockKey: Buffer, lockId: string, sequence: number, revoked: string[], nonce: Buffer = randomBytes(24)): Buffer {
  const header = Buffer.concat([Buffer.of(0x02), u32(sequence)]);
  const sealed = xseal(lockKey, nonce, Buffer.concat([uuid(lockId), ...revoked.map(uuid)]), Buffer.concat([Buffer.from('IK2L'), header]));
  return Buffer.concat([header, nonce, sealed]);
}

/** HELLO = 0x01 | phone_nonce | ticket [| lock_update]. */
export const handHello = (phoneNonce: Buffer, ticket: Buffer, update?: Buffer): Buffer =>
  Buffer.concat([Buffer.of(0x01), phoneNonce, ticket, update ?? Buffer.alloc(0)]);

const sessionAad = (label: string, phoneNonce: Buffer, lockNonce: Buffer, credentialId: string): Buffer =>
  Buffer.concat([Buffer.from(label), Buffer.of(0x02), phoneNonce, lockNonce, uuid(credentialId)]);

/** UNLOCK = 0x03 | nonce | seal(credential_key, nonce, 0x01, "IK2U" | 0x02 | phone_nonce | lock_nonce | credential_id). */
export function handUnlock(
  credentialKey: Buffer,
  phoneNonce: Buffer,
  lockNonce: Buffer,
  credentialId: string,
  nonce: Buffer = randomBytes(24),
): Buffer {
  const aad = sessionAad('IK2U', phoneNonce, lockNonce, credentialId);
  return Buffer.concat([Buffer.of(0x03), nonce, xseal(credentialKey, nonce, Buffer.of(0x01), aad)]);
}

/**
 * Reads a RESULT: its status byte, the lock nonce it names (58-byte form) and whether its tag
 * opens for this session (null: no tag). `lockNonce` is the CHALLENGE's, for the 42-byte form.
 */
export function handResult(
  reply: Buffer,
  credentialKey: Buffer,
  phoneNonce: Buffer,
  credentialId: string,
  lockNonce?: Buffer,
): { status: number; authentic: boolean | null; lockNonce?: Buffer } {
  if (reply[0] !== 0x04 || ![2, 42, 58].includes(reply.length)) throw new Error(`not a RESULT: ${reply.toString('hex')}`);
  const status = reply[1]!;
  if (reply.length === 2) return { status, authentic: null };
  const named = reply.length === 58 ? reply.subarray(2, 18) : undefined;
  const nonceAt = named ? 18 : 2;
  const bound = named ?? lockNonce;
  if (!bound) return { status, authentic: false };
  const aad = Buffer.concat([sessionAad('IK2R', phoneNonce, bound, credentialId), Buffer.of(status)]);
  const opened = xopen(credentialKey, reply.subarray(nonceAt, nonceAt + 24), reply.subarray(nonceAt + 24), aad);
  return { status, authentic: opened !== null && opened.length === 0, ...(named ? { lockNonce: Buffer.from(named) } : {}) };
}
