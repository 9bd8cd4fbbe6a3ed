// What usage events keep of a User-Agent: the browser and OS family, and no more, also for
// events stored before this rule (migration 4).
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openDatabase } from '../../server-stub/db.ts';
import { describeDevice } from '../../server-stub/device-description.ts';

describe('describeDevice', () => {
  const cases: [string, string][] = [
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1', 'Safari on iOS'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1', 'Chrome on iOS'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on macOS'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
    ['Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36', 'Samsung Internet on Android'],
    ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on ChromeOS'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['curl/8.5.0', 'Other on Other'],
  ];
  for (const [ua, family] of cases) {
    test(`${family}: ${ua.slice(0, 48)}…`, () => assert.equal(describeDevice(ua), family));
  }
  test('has nothing to say without a User-Agent', () => {
    assert.equal(describeDevice(undefined), undefined);
    assert.equal(describeDevice(''), undefined);
  });
});

test('opening a store from before migration 4 reduces stored User-Agents to their family', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-ua-migration-'));
  try {
    openDatabase(dir).close();
    // Roll the fresh store back to schema 3, as an older server left it, with a raw User-Agent.
    const raw = new Database(join(dir, 'instant-key.sqlite'));
    raw.exec(`ALTER TABLE events RENAME COLUMN device_description TO user_agent;
      INSERT INTO events (event_id, event_type, occurred_at, device_id, user_agent) VALUES
        ('e1', 'instant_key.used', 1, 'dev-1', 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36'),
        ('e2', 'instant_key.created', 2, NULL, NULL);
      PRAGMA user_version = 3;`);
    raw.close();
    const db = openDatabase(dir);
    const rows = db.prepare('SELECT event_id, device_description FROM events ORDER BY seq').all();
    db.close();
    assert.deepEqual(rows, [
      { event_id: 'e1', device_description: 'Chrome on Android' },
      { event_id: 'e2', device_description: null },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
