import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { apiKeyWeakness } from '../../server-stub/api-key-strength.ts';
import { ConfigError, generateApiKey, optionsFromEnv, resolveConfig } from '../../server-stub/config.ts';

const STRONG_KEY = 'seam_Xq3vN8pLr2TzK9wYbF4hJ6mC1sD7gE5aU0oIiQeRkVn';

test('reads the documented environment', () => {
  const config = resolveConfig(
    optionsFromEnv({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/ik',
      API_KEY: STRONG_KEY,
      PUBLIC_BASE_URL: 'https://keys.example/',
      ALLOWED_ORIGINS: 'https://Hotel.example, https://b.example:8443/',
      TICKET_TTL_S: '900',
      BRAND_PRIMARY_COLOR: '#aabbcc',
      BRAND_SECONDARY_COLOR: '#001122',
      BRAND_LOGO_URL: 'https://keys.example/logo.svg',
      TRUST_PROXY: '10.0.0.1, 192.168.0.0/16, fd00::/8, loopback',
      REQUEST_TIMEOUT_S: '20',
      KEEP_ALIVE_TIMEOUT_S: '65',
    }),
  );
  assert.equal(config.port, 9000);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.dataDir, '/var/lib/ik');
  assert.equal(config.apiKey, STRONG_KEY);
  assert.equal(config.apiKeyGenerated, false);
  assert.equal(config.publicBaseUrl, 'https://keys.example');
  assert.deepEqual(config.allowedOrigins, ['https://hotel.example', 'https://b.example:8443']);
  assert.equal(config.ticketTtlS, 900);
  assert.deepEqual(config.brand, { primary_color: '#aabbcc', secondary_color: '#001122', logo_url: 'https://keys.example/logo.svg' });
  assert.deepEqual(config.trustProxy, ['10.0.0.1', '192.168.0.0/16', 'fd00::/8', 'loopback']);
  assert.deepEqual(config.timeouts, { requestMs: 20_000, headersMs: 10_000, keepAliveMs: 65_000 });
});

test('defaults per api.md, with a generated seam_ dev key', () => {
  const config = resolveConfig(optionsFromEnv({}));
  assert.equal(config.port, 8787);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.publicBaseUrl, null);
  assert.equal(config.ticketTtlS, 3600);
  assert.equal(config.refreshAfterS, 300);
  assert.match(config.apiKey, /^seam_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(config.trustProxy, [], 'no proxy is trusted unless named');
  assert.deepEqual(config.timeouts, { requestMs: 15_000, headersMs: 10_000, keepAliveMs: 10_000 });
  assert.equal(config.apiKeyGenerated, true);
  assert.notEqual(resolveConfig().apiKey, config.apiKey);
});

test('keeps refresh_after_s at most half the ticket lifetime', () => {
  assert.equal(resolveConfig({ ticketTtlS: 120 }).refreshAfterS, 60);
  assert.equal(resolveConfig({ ticketTtlS: 601 }).refreshAfterS, 300);
});

test('refuses unusable settings by name', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: '70000' }, /PORT/],
    [{ PORT: 'http' }, /PORT/],
    [{ TICKET_TTL_S: '1' }, /TICKET_TTL_S/],
    [{ PUBLIC_BASE_URL: 'keys.example' }, /PUBLIC_BASE_URL/],
    [{ PUBLIC_BASE_URL: 'https://keys.example/?x=1' }, /PUBLIC_BASE_URL/],
    [{ ALLOWED_ORIGINS: '*' }, /ALLOWED_ORIGINS/],
    [{ ALLOWED_ORIGINS: 'https://a.example/path' }, /ALLOWED_ORIGINS/],
    [{ BRAND_PRIMARY_COLOR: 'red' }, /BRAND_PRIMARY_COLOR/],
    [{ BRAND_LOGO_URL: 'http://insecure.example/logo.png' }, /BRAND_LOGO_URL/],
    [{ API_KEY: 'short' }, /API_KEY/],
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY must name the trusted proxies/],
    [{ TRUST_PROXY: '10.0.0.1,*' }, /TRUST_PROXY must name/],
    [{ TRUST_PROXY: '2' }, /TRUST_PROXY must name/],
    [{ TRUST_PROXY: '0.0.0.0/0' }, /TRUST_PROXY: 0\.0\.0\.0\/0 trusts every address/],
    [{ TRUST_PROXY: '::/0' }, /trusts every address/],
    [{ TRUST_PROXY: '10.0.0.1/33' }, /TRUST_PROXY: not an address/],
    [{ TRUST_PROXY: 'proxy.internal' }, /TRUST_PROXY: not an address/],
    [{ REQUEST_TIMEOUT_S: '0' }, /REQUEST_TIMEOUT_S/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ IOS_APP_URL: 'http://apps.example/clip' }, /IOS_APP_URL/],
    [{ IOS_APP_URL: 'https://appclip.apple.com/id?p=x', IOS_APP_NAME: 'Aurora\u202eKey' }, /IOS_APP_NAME/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => resolveConfig(optionsFromEnv(env)), (err: unknown) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
});

test('refuses guessable API keys at start, without quoting them', () => {
  const weak = [
    'password',
    'seam_password',
    'seam_password1234567890123456789012345678',
    'seam_P@ssw0rd!P@ssw0rd!P@ssw0rd!P@ssw0rd!',
    `seam_${'a'.repeat(40)}`,
    `seam_${'ab'.repeat(20)}`,
    'seam_abcdefghijklmnopqrstuvwxyz0123456789',
    'seam_qwertyuiopasdfghjklzxcvbnm1234567890',
    'seam_test_0123456789abcdef',
    'seam_Xq3vN8pLr2TzK9wYbF4hJ6mC1sD', // random, but 31 characters
  ];
  for (const apiKey of weak) {
    assert.throws(
      () => resolveConfig({ apiKey }),
      (err: unknown) => err instanceof ConfigError && /API_KEY is too easy to guess/.test(err.message) && !err.message.includes(apiKey),
      apiKey,
    );
  }
  // 32 random characters after seam_ pass, whatever else the key says.
  assert.equal(resolveConfig({ apiKey: STRONG_KEY }).apiKey, STRONG_KEY);
  assert.equal(apiKeyWeakness('seam_live_Xq3vN8pLr2TzK9wYbF4hJ6mC1sD7gE5a'), null);
});

test('accepts every key of 32 random bytes, the generated development key among them', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => apiKeyWeakness(`seam_${Buffer.from(bytes).toString('base64url')}`) === null),
    { numRuns: 2000 },
  );
  for (let i = 0; i < 200; i++) assert.equal(apiKeyWeakness(generateApiKey()), null);
});
