/**
 * A lock side written from docs/protocol.md alone (sections 5 to 9), sharing no code with
 * src/: its framing, message layouts, checks and state are written out here by hand, and its
 * AEAD is the test-side XChaCha20-Poly1305 built on node:crypto. It lets the phone's session
 * (the code the element runs) be checked against the spec from outside, and checks the
 * vectors from the lock's seat. It has the shape the Bluetooth emulator takes (name, info,
 * connect), so it can also stand in range of a real Chromium.
 */
import { randomBytes } from 'node:crypto';
import { xopen, xseal } from './independent-phone.ts';

const SKEW_S = 60;
const WINDOW_MS = 2000;
const LIMIT = 2048;

const S = {
  OK: 0x00, BAD_TICKET: 0x01, WRONG_LOCK: 0x02, NOT_YET_VALID: 0x03, EXPIRED: 0x04, BAD_PROOF: 0x05, REVOKED: 0x06,
  FORBIDDEN: 0x07, OUT_OF_ORDER: 0x08, BUSY: 0x09, UNSUPPORTED_VERSION: 0x0a, MALFORMED: 0x0b, JAMMED: 0x0c,
} as const;

const hexId = (b: Buffer): string => b.toString('hex');
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

export interface HandLockOptions {
  lockId: string;
  lockKey: Buffer;
  name?: string;
  maxFrame?: number;
  now?: () => number;
  random?: (n: number) => Buffer;
}

export interface HandLogLine {
  connection: number;
  what: 'HELLO' | 'UNLOCK' | 'OTHER' | 'UPDATE';
  /** A status code, or an update outcome. */
  result: number | string;
}

interface Session {
  connection: number;
  credentialKey: Buffer;
  credentialId: Buffer;
  phoneNonce: Buffer;
  lockNonce: Buffer;
  deadline: number;
}

export class HandLock {
  readonly name: string;
  readonly lockId: Buffer;
  readonly maxFrame: number;
  readonly log: HandLogLine[] = [];
  opened = 0;
  sequence = 0;
  list = new Set<string>();
  private readonly key: Buffer;
  private readonly now: () => number;
  private readonly random: (n: number) => Buffer;
  private session: Session | null = null;
  private nextConnection = 1;

  constructor(o: HandLockOptions) {
    this.lockId = Buffer.from(o.lockId.replaceAll('-', ''), 'hex');
    this.key = o.lockKey;
    this.name = o.name ?? 'IK-HAND';
    this.maxFrame = o.maxFrame ?? 512;
    this.now = o.now ?? Date.now;
    this.random = o.random ?? randomBytes;
  }

  /** Section 6: version | lock_id | max_frame u16 | update_sequence u32. */
  info(): Uint8Array {
    const mf = Buffer.alloc(2);
    mf.writeUInt16BE(this.maxFrame);
    return Buffer.concat([Buffer.of(0x02), this.lockId, mf, u32(this.sequence)]);
  }

  connect(): { writeFrame(f: Uint8Array): void; readFrame(): Uint8Array; close(): void; readonly closed: boolean } {
    const id = this.nextConnection++;
    let chunks: Buffer[] = [];
    let size = 0;
    const out: Buffer[] = [];
    let closed = false;
    const lock = this;
    const deliver = (reply: Buffer): void => {
      // Section 7: as few frames as possible, sequence from 0, FINAL on the last.
      const chunk = lock.maxFrame - 1;
      const count = Math.ceil(reply.length / chunk);
      for (let seq = 0; seq < count; seq++) {
        out.push(Buffer.concat([Buffer.of(seq | (seq === count - 1 ? 0x80 : 0)), reply.subarray(seq * chunk, (seq + 1) * chunk)]));
      }
    };
    return {
      writeFrame(frame) {
        if (closed) throw new Error('disconnected');
        const f = Buffer.from(frame);
        const seq = f.length > 0 ? f[0]! & 0x7f : -1;
        const final = f.length > 0 && (f[0]! & 0x80) !== 0;
        const bad = f.length < 2 || f.length > lock.maxFrame || seq !== chunks.length || (!final && seq === 127) || size + f.length - 1 > LIMIT;
        if (bad) {
          chunks = [];
          size = 0;
          deliver(lock.malformed(id));
          return;
        }
        chunks.push(f.subarray(1));
        size += f.length - 1;
        if (!final) return;
        const message = Buffer.concat(chunks);
        chunks = [];
        size = 0;
        deliver(lock.receive(id, message));
      },
      readFrame() {
        if (closed) throw new Error('disconnected');
        return out.shift() ?? new Uint8Array(0);
      },
      close() {
        closed = true;
        if (lock.session?.connection === id) lock.session = null;
      },
      get closed() {
        return closed;
      },
    };
  }

  private expire(): void {
    if (this.session && this.now() >= this.session.deadline) this.session = null;
  }

  private malformed(connection: number): Buffer {
    this.expire();
    if (this.session?.connection === connection) this.session = null;
    return this.bare(connection, 'OTHER', S.MALFORMED);
  }

  private bare(connection: number, what: HandLogLine['what'], status: number): Buffer {
    this.log.push({ connection, what, result: status });
    return Buffer.of(0x04, status);
  }

  /** Section 8: the tag over result_aad; the HELLO form names the lock nonce. */
  private sealed(connection: number, what: HandLogLine['what'], status: number, s: Omit<Session, 'connection' | 'deadline'>): Buffer {
    this.log.push({ connection, what, result: status });
    const nonce = this.random(24);
    const aad = Buffer.concat([Buffer.from('IK2R'), Buffer.of(0x02), s.phoneNonce, s.lockNonce, s.credentialId, Buffer.of(status)]);
    const tag = xseal(s.credentialKey, nonce, Buffer.alloc(0), aad);
    return Buffer.concat([Buffer.of(0x04, status), what === 'HELLO' ? s.lockNonce : Buffer.alloc(0), nonce, tag]);
  }

  private receive(connection: number, m: Buffer): Buffer {
    this.expire();
    if (m[0] === 0x01) return this.hello(connection, m);
    if (m[0] === 0x03) return this.unlock(connection, m);
    if (this.session?.connection === connection) this.session = null;
    return this.bare(connection, 'OTHER', S.OUT_OF_ORDER);
  }

  /** Section 9, "On a HELLO", steps 1 to 7. */
  private hello(connection: number, m: Buffer): Buffer {
    if (this.session?.connection === connection) {
      this.session = null;
      return this.bare(connection, 'HELLO', S.OUT_OF_ORDER);
    }
    if (this.session) return this.bare(connection, 'HELLO', S.BUSY);
    if (m.length < 18) return this.bare(connection, 'HELLO', S.MALFORMED);
    if (m.length > 131) this.takeUpdate(connection, m.subarray(131));
    const ticket = m.subarray(17, 131);
    if (ticket[0] !== 0x02) return this.bare(connection, 'HELLO', S.UNSUPPORTED_VERSION);
    const plain = ticket.length === 114 ? xopen(this.key, ticket.subarray(1, 25), ticket.subarray(25), Buffer.from('IK2T\x02', 'latin1')) : null;
    if (plain === null || plain.length !== 73) return this.bare(connection, 'HELLO', S.BAD_TICKET);
    const s = { credentialKey: plain.subarray(40, 72), credentialId: plain.subarray(16, 32), phoneNonce: m.subarray(1, 17), lockNonce: this.random(16) };
    const nowS = Math.floor(this.now() / 1000);
    const refusal = !plain.subarray(0, 16).equals(this.lockId)
      ? S.WRONG_LOCK
      : (plain[72]! & 1) === 0
        ? S.FORBIDDEN
        : this.list.has(hexId(s.credentialId))
          ? S.REVOKED
          : nowS + SKEW_S < plain.readUInt32BE(32)
            ? S.NOT_YET_VALID
            : nowS - SKEW_S > plain.readUInt32BE(36)
              ? S.EXPIRED
              : null;
    if (refusal !== null) return this.sealed(connection, 'HELLO', refusal, s);
    this.session = { connection, ...s, deadline: this.now() + WINDOW_MS };
    this.log.push({ connection, what: 'HELLO', result: S.OK });
    return Buffer.concat([Buffer.of(0x02), s.lockNonce]);
  }

  /** Section 5: length, version, seal, lock id, sequence; then the list is replaced whole. */
  private takeUpdate(connection: number, u: Buffer): void {
    const line = (result: string): void => void this.log.push({ connection, what: 'UPDATE', result });
    if (u[0] !== 0x02) return line('unsupported_version');
    if (u.length < 61 || u.length > 61 + 1600 || (u.length - 61) % 16 !== 0) return line('malformed');
    const plain = xopen(this.key, u.subarray(5, 29), u.subarray(29), Buffer.concat([Buffer.from('IK2L'), u.subarray(0, 5)]));
    if (plain === null) return line('forged');
    if (!plain.subarray(0, 16).equals(this.lockId)) return line('other_lock');
    const sequence = u.readUInt32BE(1);
    if (sequence <= this.sequence) return line('stale');
    this.sequence = sequence;
    this.list = new Set(Array.from({ length: (plain.length - 16) / 16 }, (_, i) => hexId(plain.subarray(16 + i * 16, 32 + i * 16))));
    line('applied');
  }

  /** Section 9, "On an UNLOCK". */
  private unlock(connection: number, m: Buffer): Buffer {
    const s = this.session;
    if (s?.connection !== connection) return this.bare(connection, 'UNLOCK', S.OUT_OF_ORDER);
    this.session = null;
    const aad = Buffer.concat([Buffer.from('IK2U'), Buffer.of(0x02), s.phoneNonce, s.lockNonce, s.credentialId]);
    const plain = m.length === 42 ? xopen(s.credentialKey, m.subarray(1, 25), m.subarray(25), aad) : null;
    if (plain === null || plain.length !== 1 || plain[0] !== 0x01) return this.sealed(connection, 'UNLOCK', S.BAD_PROOF, s);
    this.opened++;
    return this.sealed(connection, 'UNLOCK', S.OK, s);
  }
}
