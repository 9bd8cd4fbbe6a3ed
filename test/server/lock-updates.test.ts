/**
 * Revocation that reaches offline locks, on the server side: revoking a key, deleting a grant
 * or an identity puts exactly the credentials their phones hold on their locks' lists, sealed
 * as lock updates that every credential response for those locks carries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base64urlToBytes } from '../../src/protocol/bytes.ts';
import { MAX_TICKET_TTL_S } from '../../src/protocol/constants.ts';
import { lockUpdateSequence, openLockUpdate } from '../../src/protocol/lock-update.ts';
import { resolveConfig } from '../../server-stub/config.ts';
import { TestServer } from './helpers.ts';

const TTL_S = 3600;

describe('lock updates', () => {
  let t: TestServer;
  before(async () => {
    t = await TestServer.start({ ticketTtlS: TTL_S });
  });
  after(() => t.close());

  /** The lock's list as the lock would read it from the update a credential response carries. */
  function listIn(credential: any, lockKey: string): { sequence: number; revoked: string[] } {
    assert.equal(typeof credential.lock_update, 'string', 'the credential carries a lock update');
    const opened = openLockUpdate(base64urlToBytes(lockKey), base64urlToBytes(credential.lock_update));
    assert.ok(opened.ok, 'sealed under the lock key');
    assert.equal(opened.update.lockId, credential.lock.lock_id);
    return { sequence: opened.update.sequence, revoked: opened.update.revoked };
  }

  /** A second guest with a grant on `entrance` (the same room), and a key. */
  async function roommate(entrance: any): Promise<string> {
    const identity = await t.ok('/user_identities/create', { full_name: 'Grace Hopper' }, 'user_identity');
    await t.ok(
      '/access_grants/create',
      {
        user_identity_id: identity.user_identity_id,
        acs_entrance_ids: [entrance.acs_entrance_id],
        starts_at: new Date(t.clock.ms - 3_600_000).toISOString(),
        ends_at: new Date(t.clock.ms + 86_400_000).toISOString(),
        requested_access_methods: [{ mode: 'mobile_key' }],
      },
      'access_grant',
    );
    const key = await t.ok('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id }, 'instant_key');
    return key.instant_key_url.split('#')[1];
  }

  test('a lock nobody was revoked on has no update', async () => {
    const { token } = await t.guest();
    const res = await t.credentials(token);
    assert.equal(res.body.credentials[0].lock_update, null);
  });

  test('revoking one link lists exactly its credential; the reissued link and the roommate carry the update', async () => {
    const { identity, entrances, token: leaked } = await t.guest();
    const leakedId = (await t.credentials(leaked)).body.credentials[0].credential_id;
    const reissued = await t.ok('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id }, 'instant_key');
    const reissuedToken = reissued.instant_key_url.split('#')[1];
    const reissuedId = (await t.credentials(reissuedToken)).body.credentials[0].credential_id;
    assert.notEqual(reissuedId, leakedId, 'credential ids are per instant key');
    const mate = await roommate(entrances[0]);
    const before = await t.credentials(mate);
    assert.equal(before.body.credentials[0].lock_update, null);

    const leakedKeyId = (await t.credentials(leaked)).body.instant_key.instant_key_id;
    assert.equal((await t.post('/instant_keys/delete', { instant_key_id: leakedKeyId })).status, 200);

    const lockKey = entrances[0].lock.lock_key;
    const mine = await t.credentials(reissuedToken);
    const theirs = await t.credentials(mate, { 'if-none-match': before.headers.get('etag')! });
    assert.equal(theirs.status, 200, 'the new update changes the ETag');
    for (const res of [mine, theirs]) {
      assert.deepEqual(listIn(res.body.credentials[0], lockKey).revoked, [leakedId]);
    }
    assert.ok(listIn(mine.body.credentials[0], lockKey).sequence >= Math.floor(t.clock.ms / 1000));
    assert.equal((await t.credentials(leaked)).status, 410);
  });

  test('deleting a grant lists its credentials on every one of its locks, for every live link', async () => {
    const { identity, entrances, grant, token } = await t.guest({ entrances: 2 });
    const second = await t.ok('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id }, 'instant_key');
    const ids = [
      ...(await t.credentials(token)).body.credentials.map((c: any) => c.credential_id),
      ...(await t.credentials(second.instant_key_url.split('#')[1])).body.credentials.map((c: any) => c.credential_id),
    ];
    const mates = [await roommate(entrances[0]), await roommate(entrances[1])];
    assert.equal((await t.post('/access_grants/delete', { access_grant_id: grant.access_grant_id })).status, 200);
    for (const [i, mate] of mates.entries()) {
      const listed = listIn((await t.credentials(mate)).body.credentials[0], entrances[i].lock.lock_key).revoked;
      assert.deepEqual(listed.sort(), [ids[i], ids[i + 2]].sort());
    }
  });

  test('deleting an identity lists what its phones hold', async () => {
    const { identity, entrances, token } = await t.guest();
    const held = (await t.credentials(token)).body.credentials[0].credential_id;
    const mate = await roommate(entrances[0]);
    assert.equal((await t.post('/user_identities/delete', { user_identity_id: identity.user_identity_id })).status, 200);
    assert.deepEqual(listIn((await t.credentials(mate)).body.credentials[0], entrances[0].lock.lock_key).revoked, [held]);
  });

  test('an entry lasts as long as a ticket issued before it could open the lock, then leaves the list', async () => {
    const { entrances, token } = await t.guest();
    const first = (await t.credentials(token)).body;
    const keyId = first.instant_key.instant_key_id;
    const mate = await roommate(entrances[0]);
    await t.post('/instant_keys/delete', { instant_key_id: keyId });
    const lockKey = entrances[0].lock.lock_key;
    const one = listIn((await t.credentials(mate)).body.credentials[0], lockKey);
    assert.deepEqual(one.revoked, [first.credentials[0].credential_id]);

    // A ticket fetched just before the revocation lives TTL_S, and a lock may take it up to
    // 60 s late by a clock up to 60 s slow: the entry must outlast that, and no more.
    t.clock.advance(TTL_S * 1000 + 119_000);
    const next = await t.ok('/user_identities/generate_instant_key', { user_identity_id: (await roommateIdentity(entrances[0])).user_identity_id }, 'instant_key');
    await t.post('/instant_keys/delete', { instant_key_id: next.instant_key_id });
    const two = listIn((await t.credentials(mate)).body.credentials[0], lockKey);
    assert.ok(two.revoked.includes(first.credentials[0].credential_id), 'still listed 1 s before the last ticket could open');
    assert.ok(two.sequence > one.sequence);

    t.clock.advance(1_000);
    const last = await t.ok('/user_identities/generate_instant_key', { user_identity_id: (await roommateIdentity(entrances[0])).user_identity_id }, 'instant_key');
    await t.post('/instant_keys/delete', { instant_key_id: last.instant_key_id });
    const three = listIn((await t.credentials(mate)).body.credentials[0], lockKey);
    assert.equal(three.revoked.includes(first.credentials[0].credential_id), false, 'gone once no ticket can carry it');
  });

  /** An identity with a live grant on `entrance`, whose keys can be made and revoked. */
  async function roommateIdentity(entrance: any): Promise<any> {
    const identity = await t.ok('/user_identities/create', { full_name: 'Alan Turing' }, 'user_identity');
    await t.ok(
      '/access_grants/create',
      {
        user_identity_id: identity.user_identity_id,
        acs_entrance_ids: [entrance.acs_entrance_id],
        starts_at: new Date(t.clock.ms - 60_000).toISOString(),
        ends_at: new Date(t.clock.ms + 86_400_000).toISOString(),
        requested_access_methods: [{ mode: 'mobile_key' }],
      },
      'access_grant',
    );
    return identity;
  }

  test('the credential response carries a lock update the phone can read the sequence of', async () => {
    const { entrances, token } = await t.guest();
    const mate = await roommate(entrances[0]);
    const keyId = (await t.credentials(token)).body.instant_key.instant_key_id;
    await t.post('/instant_keys/delete', { instant_key_id: keyId });
    const update = base64urlToBytes((await t.credentials(mate)).body.credentials[0].lock_update);
    assert.equal(lockUpdateSequence(update), listIn((await t.credentials(mate)).body.credentials[0], entrances[0].lock.lock_key).sequence);
  });
});

describe('TICKET_TTL_S', () => {
  test(`is capped at ${MAX_TICKET_TTL_S} s (24 h): the server refuses to start beyond it`, () => {
    assert.equal(resolveConfig({ ticketTtlS: MAX_TICKET_TTL_S }).ticketTtlS, MAX_TICKET_TTL_S);
    assert.throws(() => resolveConfig({ ticketTtlS: MAX_TICKET_TTL_S + 1 }), /TICKET_TTL_S must be an integer from 2 to 86400/);
  });
});
