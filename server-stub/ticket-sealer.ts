import { hchacha } from '@noble/ciphers/chacha.js';
import { createCipheriv } from 'node:crypto';
import { endianness } from 'node:os';
import { asciiBytes, uuidToBytes } from '../src/protocol/bytes.ts';
import { ID_LENGTH, KEY_LENGTH, NONCE_LENGTH, PROTOCOL_VERSION, TICKET_PLAIN_LENGTH } from '../src/protocol/constants.ts';
import { sealTicket, TICKET_AAD as TICKET_AAD_BYTES } from '../src/protocol/ticket.ts';

/** The ticket's associated data (label and version byte), as in src/protocol/ticket.ts. */
const TICKET_AAD = Buffer.from(TICKET_AAD_BYTES);
/** ChaCha's "expand 32-byte k" constants as little-endian words. */
const SIGMA = new Uint32Array(asciiBytes('expand 32-byte k').buffer);
const TAG_LENGTH = 16;
const LITTLE_ENDIAN = endianness() === 'LE';

// Scratch space for one seal at a time (sealing is synchronous), aligned for word views.
const nonceWords = new Uint32Array(4);
const nonceHead = new Uint8Array(nonceWords.buffer);
const subkeyWords = new Uint32Array(8);
const subkey = new Uint8Array(subkeyWords.buffer);
const ietfNonce = Buffer.alloc(12);

/**
 * Seals tickets for one (lock, credential) pair, byte for byte as `sealTicket`
 * (src/protocol/ticket.ts) does, with the ChaCha20-Poly1305 pass done by Node's native
 * OpenSSL rather than in JavaScript: the credential endpoint seals one ticket per credential
 * on every request, and this is several times faster (bench/server.ts). The ids are encoded
 * once, when the pair's sealer is made. XChaCha20-Poly1305 is ChaCha20-Poly1305 under the
 * HChaCha20 subkey of the nonce's first 16 bytes, with a 12-byte nonce of four zero bytes
 * and the last 8 (draft-irtf-cfrg-xchacha, section 2.3); only HChaCha20 comes from noble.
 * Word views assume a little-endian host; elsewhere this falls back to `sealTicket`.
 */
export class TicketSealer {
  private readonly keyWords: Uint32Array;
  /** The plaintext, ids already in place; the window, key and permissions change per seal. */
  private readonly plain = Buffer.alloc(TICKET_PLAIN_LENGTH);

  constructor(
    private readonly lockKey: Uint8Array,
    private readonly lockId: string,
    private readonly credentialId: string,
  ) {
    if (lockKey.length !== KEY_LENGTH) throw new RangeError('lock_key must be 32 bytes');
    this.keyWords = new Uint32Array(Uint8Array.from(lockKey).buffer);
    this.plain.set(uuidToBytes(lockId), 0);
    this.plain.set(uuidToBytes(credentialId), ID_LENGTH);
  }

  /** The sealed ticket (docs/protocol.md, "Ticket"): version, nonce, ciphertext and tag. */
  seal(notBefore: number, notAfter: number, credentialKey: Uint8Array, permissions: number, nonce: Uint8Array): Buffer {
    if (credentialKey.length !== KEY_LENGTH) throw new RangeError('credential_key must be 32 bytes');
    if (nonce.length !== NONCE_LENGTH) throw new RangeError('nonce must be 24 bytes');
    if (!Number.isInteger(permissions) || permissions < 0 || permissions > 0xff) throw new RangeError('permissions must be one byte');
    for (const time of [notBefore, notAfter]) {
      if (!Number.isInteger(time) || time < 0 || time > 0xffffffff) throw new RangeError(`u32 out of range: ${time}`);
    }
    if (!LITTLE_ENDIAN) {
      const t = { lockId: this.lockId, credentialId: this.credentialId, notBefore, notAfter, credentialKey, permissions };
      return Buffer.from(sealTicket(this.lockKey, t, nonce));
    }
    const plain = this.plain;
    let at = plain.writeUInt32BE(notBefore, 2 * ID_LENGTH);
    at = plain.writeUInt32BE(notAfter, at);
    plain.set(credentialKey, at);
    plain[at + KEY_LENGTH] = permissions;
    try {
      nonceHead.set(nonce.subarray(0, 16));
      hchacha(SIGMA, this.keyWords, nonceWords, subkeyWords);
      ietfNonce.set(nonce.subarray(16), 4);
      const cipher = createCipheriv('chacha20-poly1305', subkey, ietfNonce, { authTagLength: TAG_LENGTH });
      cipher.setAAD(TICKET_AAD, { plaintextLength: plain.length });
      const sealed = Buffer.allocUnsafe(1 + NONCE_LENGTH + plain.length + TAG_LENGTH);
      sealed[0] = PROTOCOL_VERSION;
      sealed.set(nonce, 1);
      let out = 1 + NONCE_LENGTH;
      out += cipher.update(plain).copy(sealed, out);
      out += cipher.final().copy(sealed, out);
      cipher.getAuthTag().copy(sealed, out);
      return sealed;
    } finally {
      // No key material stays in the scratch space between seals.
      subkey.fill(0);
      plain.fill(0, 2 * ID_LENGTH);
    }
  }
}
