/**
 * Writes test/vectors.json: known-answer vectors for every construction of docs/protocol.md,
 * from fixed inputs, through the library's encoders and the reference (virtual) lock.
 * `npm run vectors` regenerates it; test/unit/protocol-vectors.test.ts checks the file against
 * the library, and test/unit/spec-lock.test.ts against the clean-room lock written from the spec alone.
 * With `--check` it only compares and exits 1 when the file is not what this script makes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '../src/protocol/bytes.ts';
import { CHALLENGE_WINDOW_MS, CLOCK_SKEW_S, MAX_UPDATE_ENTRIES, PROTOCOL_VERSION } from '../src/protocol/constants.ts';
import { splitFrames } from '../src/protocol/framing.ts';
import { sealLockUpdate } from '../src/protocol/lock-update.ts';
import { encodeChallenge, encodeHello, encodeInfo, encodeResult, encodeUnlock, sealResult, type SessionBinding } from '../src/protocol/messages.ts';
import { Status } from '../src/protocol/status.ts';
import { sealTicket, TICKET_AAD, type TicketContents } from '../src/protocol/ticket.ts';
import { VirtualLock } from '../src/testing/virtual-lock.ts';

const OUT = new URL('../test/vectors.json', import.meta.url);

/** `length` bytes counting up by `step` from `start`: fixed, readable, and all different. */
const run = (start: number, length: number, step = 7): string =>
  bytesToHex(Uint8Array.from({ length }, (_, i) => (start + i * step) & 0xff));

const inputs = {
  lock_id: '9f1c2a44-5b6d-4e7f-8a90-b1c2d3e4f506',
  other_lock_id: '9f1c2a44-5b6d-4e7f-8a90-b1c2d3e4f507',
  lock_key: run(1, 32),
  credential_id: '0c7e5a1b-2d3f-4a5b-9c6d-7e8f90a1b2c3',
  other_credential_id: '5b2e8c3d-6f1a-4c7b-8d9e-0a1b2c3d4e5f',
  credential_key: run(100, 32),
  not_before: 1767225600,
  not_after: 1767571200,
  permissions: 1,
  ticket_nonce: run(50, 24),
  ticket_nonce_permissions_0: run(51, 24),
  ticket_nonce_other_lock: run(52, 24),
  phone_nonce: run(30, 16, 11),
  lock_nonce: run(77, 16),
  unlock_nonce: run(150, 24),
  result_nonce: run(200, 24),
  update_nonce: run(9, 24, 13),
  update_nonce_empty: run(10, 24, 13),
  update_nonce_other_lock: run(11, 24, 13),
  update_sequence: 7,
  max_frame: 512,
};

const key = hexToBytes(inputs.lock_key);
const ticketContents = (changes: Partial<TicketContents> = {}): TicketContents => ({
  lockId: inputs.lock_id,
  credentialId: inputs.credential_id,
  notBefore: inputs.not_before,
  notAfter: inputs.not_after,
  credentialKey: hexToBytes(inputs.credential_key),
  permissions: inputs.permissions,
  ...changes,
});
const ticket = sealTicket(key, ticketContents(), hexToBytes(inputs.ticket_nonce));
const phoneNonce = hexToBytes(inputs.phone_nonce);
const binding: SessionBinding = {
  credentialKey: hexToBytes(inputs.credential_key),
  credentialId: inputs.credential_id,
  phoneNonce,
  lockNonce: hexToBytes(inputs.lock_nonce),
};
const update = (lockId: string, sequence: number, revoked: string[], nonce: string) => sealLockUpdate(key, { lockId, sequence, revoked }, hexToBytes(nonce));
const lockUpdate = update(inputs.lock_id, inputs.update_sequence, [inputs.other_credential_id, inputs.credential_id], inputs.update_nonce);
const ticketWithPermissions0 = sealTicket(key, ticketContents({ permissions: 0 }), hexToBytes(inputs.ticket_nonce_permissions_0));
const ticketForOtherLock = sealTicket(key, ticketContents({ lockId: inputs.other_lock_id }), hexToBytes(inputs.ticket_nonce_other_lock));
const hello = encodeHello(phoneNonce, ticket);
/** One bit of the update's ciphertext flipped: it no longer opens. */
const lockUpdateForged = lockUpdate.slice();
lockUpdateForged[40]! ^= 0x01;
/** Version 0x01 and 3 bytes short: the version byte is judged before the length. */
const lockUpdateUnsupportedVersion = Uint8Array.of(0x01, ...lockUpdate.subarray(1, lockUpdate.length - 3));
const unlockVector = encodeUnlock(binding, hexToBytes(inputs.unlock_nonce));
/** The vector UNLOCK with the last bit of its tag flipped. */
const unlockBadProof = unlockVector.slice();
unlockBadProof[unlockBadProof.length - 1]! ^= 0x01;
const helloWithUpdate = encodeHello(phoneNonce, ticket, lockUpdate);

/** The reference lock at `nowS`, drawing the vectors' nonces: 16 bytes lock_nonce, 24 the RESULT's. */
function lockAt(nowS: number, lockId = inputs.lock_id, jammed = false): VirtualLock {
  return new VirtualLock({
    lockId,
    lockKey: key,
    faults: { jammed },
    now: () => nowS * 1000,
    randomBytes: (n) => hexToBytes(n === 16 ? inputs.lock_nonce : inputs.result_nonce),
  });
}

const inside = 1767300000;
const hex = bytesToHex;
/** The lock's answer to `message`, or a CHALLENGE check: both sides are one lock, one connection. */
const answer = (lock: VirtualLock, message: Uint8Array): string => hex(lock.exchange(message));

/** The lock's answer to `unlock` after it answered the vector HELLO with the vector CHALLENGE. */
function afterChallenge(unlock: Uint8Array, jammed = false): string {
  const lock = lockAt(inside, inputs.lock_id, jammed);
  if (answer(lock, hello) !== hex(encodeChallenge(binding.lockNonce))) throw new Error('no CHALLENGE');
  return answer(lock, unlock);
}

const fullLock = lockAt(inside);
const challenge = answer(fullLock, hello);
const resultOk = answer(fullLock, encodeUnlock(binding, hexToBytes(inputs.unlock_nonce)));
if (challenge !== hex(encodeChallenge(binding.lockNonce)) || resultOk !== hex(sealResult('OK', binding, 'unlock', hexToBytes(inputs.result_nonce)))) {
  throw new Error('the reference lock disagrees with the encoders');
}

const vectors = {
  description: `Known-answer vectors for docs/protocol.md, version ${PROTOCOL_VERSION}; byte strings are lowercase hex. Generated by scripts/vectors.ts.`,
  inputs,
  aad: {
    ticket: hex(TICKET_AAD),
    lock_update: hex(new TextEncoder().encode('IK2L')) + hex(lockUpdate.subarray(0, 5)),
    unlock: hex(new TextEncoder().encode('IK2U')) + '02' + inputs.phone_nonce + inputs.lock_nonce + inputs.credential_id.replaceAll('-', ''),
    result_ok: hex(new TextEncoder().encode('IK2R')) + '02' + inputs.phone_nonce + inputs.lock_nonce + inputs.credential_id.replaceAll('-', '') + '00',
  },
  info: hex(encodeInfo(inputs.lock_id, inputs.max_frame, 0)),
  info_after_update: hex(encodeInfo(inputs.lock_id, inputs.max_frame, inputs.update_sequence)),
  ticket: hex(ticket),
  ticket_with_permissions_0: hex(ticketWithPermissions0),
  ticket_for_other_lock: hex(ticketForOtherLock),
  lock_update: hex(lockUpdate),
  lock_update_empty_sequence_1: hex(update(inputs.lock_id, 1, [], inputs.update_nonce_empty)),
  lock_update_for_other_lock: hex(update(inputs.other_lock_id, inputs.update_sequence + 1, [inputs.credential_id], inputs.update_nonce_other_lock)),
  lock_update_forged: hex(lockUpdateForged),
  lock_update_malformed: hex(lockUpdate.subarray(0, 60)),
  lock_update_unsupported_version: hex(lockUpdateUnsupportedVersion),
  hello: hex(hello),
  hello_with_update: hex(helloWithUpdate),
  challenge,
  unlock: hex(unlockVector),
  unlock_bad_proof: hex(unlockBadProof),
  result_ok: resultOk,
  result_expired_before_challenge: answer(lockAt(inputs.not_after + CLOCK_SKEW_S + 1), hello),
  result_revoked_by_update: answer(lockAt(inside), helloWithUpdate),
  result_revoked_and_expired: answer(lockAt(inputs.not_after + CLOCK_SKEW_S + 1), helloWithUpdate),
  result_forbidden: answer(lockAt(inside), encodeHello(phoneNonce, ticketWithPermissions0)),
  result_wrong_lock: answer(lockAt(inside), encodeHello(phoneNonce, ticketForOtherLock)),
  result_not_yet_valid: answer(lockAt(inputs.not_before - CLOCK_SKEW_S - 1), hello),
  result_bad_proof: afterChallenge(unlockBadProof),
  result_jammed: afterChallenge(unlockVector, true),
  result_bad_ticket: hex(encodeResult('BAD_TICKET')),
  result_busy: hex(encodeResult('BUSY')),
  result_out_of_order: hex(encodeResult('OUT_OF_ORDER')),
  result_malformed: hex(encodeResult('MALFORMED')),
  frames: {
    hello_max_frame_20: splitFrames(hello, 20).map(hex),
    hello_max_frame_64: splitFrames(hello, 64).map(hex),
    hello_with_update_max_frame_512: splitFrames(helloWithUpdate, 512).map(hex),
    msg38: run(9, 38),
    msg38_max_frame_20: splitFrames(hexToBytes(run(9, 38)), 20).map(hex),
    malformed_sequences_max_frame_20: [
      { why: 'first frame has sequence 1', frames: ['810000000000'] },
      { why: 'sequence skips from 0 to 2', frames: ['00' + '11'.repeat(19), '82111111'] },
      { why: 'empty chunk', frames: ['80'] },
      { why: 'a zero-length write', frames: [''] },
      { why: 'a frame longer than max_frame (21 bytes)', frames: ['80' + '11'.repeat(20)] },
      {
        why: 'a non-final frame with sequence 127 (after 127 one-byte chunks)',
        frames: Array.from({ length: 128 }, (_, seq) => hex(Uint8Array.of(seq, 0x11))),
      },
      {
        why: 'a message over the 2048-byte limit of the reference lock: the 108th 19-byte chunk takes it to 2052',
        limit: 2048,
        frames: Array.from({ length: 108 }, (_, seq) => hex(Uint8Array.of(seq, ...new Uint8Array(19).fill(0x11)))),
      },
    ],
  },
  lock_checks: {
    now_inside_window: inside,
    now_expired: inputs.not_after + CLOCK_SKEW_S + 1,
    now_expired_within_skew: inputs.not_after + CLOCK_SKEW_S,
    now_not_yet_valid: inputs.not_before - CLOCK_SKEW_S - 1,
    now_not_yet_valid_within_skew: inputs.not_before - CLOCK_SKEW_S,
    challenge_window_ms: CHALLENGE_WINDOW_MS,
    challenge_window: [
      { why: 'the whole UNLOCK 1 ms before the deadline', unlock_after_ms: CHALLENGE_WINDOW_MS - 1, reply: 'result_ok' },
      { why: 'at the deadline itself: late', unlock_after_ms: CHALLENGE_WINDOW_MS, reply: 'result_out_of_order' },
      { why: 'beyond it', unlock_after_ms: CHALLENGE_WINDOW_MS + 1, reply: 'result_out_of_order' },
    ],
    precedence: [
      { why: 'revoked (by the carried update) and expired: REVOKED, the earlier check', now: inputs.not_after + CLOCK_SKEW_S + 1, hello: 'hello_with_update', reply: 'result_revoked_and_expired' },
    ],
    tampered_ticket_status: 'BAD_TICKET',
    wrong_lock_id_status: 'WRONG_LOCK',
    permissions_0_status: 'FORBIDDEN',
    max_update_entries: MAX_UPDATE_ENTRIES,
  },
  update_checks: [
    { why: 'the lock holds nothing: the update applies', held_sequence: 0, update: 'lock_update', outcome: 'applied', sequence_after: inputs.update_sequence },
    { why: 'the same sequence again is stale', held_sequence: inputs.update_sequence, update: 'lock_update', outcome: 'stale', sequence_after: inputs.update_sequence },
    { why: 'an older sequence is stale', held_sequence: inputs.update_sequence, update: 'lock_update_empty_sequence_1', outcome: 'stale', sequence_after: inputs.update_sequence },
    { why: 'sealed under this key for another lock id', held_sequence: 0, update: 'lock_update_for_other_lock', outcome: 'other_lock', sequence_after: 0 },
    { why: 'one bit of its ciphertext flipped', held_sequence: 0, update: 'lock_update_forged', outcome: 'forged', sequence_after: 0 },
    { why: 'one byte short of 61 + 16·n', held_sequence: 0, update: 'lock_update_malformed', outcome: 'malformed', sequence_after: 0 },
    { why: 'version 0x01 and a malformed length: the version byte is judged first', held_sequence: 0, update: 'lock_update_unsupported_version', outcome: 'unsupported_version', sequence_after: 0 },
  ],
  status_codes: { ...Status },
};

const text = `${JSON.stringify(vectors, null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== text) {
    console.error('test/vectors.json is not what scripts/vectors.ts makes: run npm run vectors');
    process.exit(1);
  }
  console.log('test/vectors.json is up to date');
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT.pathname}`);
}
