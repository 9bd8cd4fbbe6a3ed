import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, optionsFromEnv, resolveConfig } from '../../server-stub/config.ts';

test('reads the documented environment', () => {
  const config = resolveConfig(
    optionsFromEnv({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/ik',
      API_KEY: 'seam_abcdefghijkl',
      PUBLIC_BASE_URL: 'https://keys.example/',
      ALLOWED_ORIGINS: 'https://Hotel.example, https://b.example:8443/',
      TICKET_TTL_S: '900',
      BRAND_PRIMARY_COLOR: '#aabbcc',
      BRAND_SECONDARY_COLOR: '#001122',
      BRAND_LOGO_URL: 'https://keys.example/logo.svg',
    }),
  );
  assert.equal(config.port, 9000);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.dataDir, '/var/lib/ik');
  assert.equal(config.apiKey, 'seam_abcdefghijkl');
  assert.equal(config.apiKeyGenerated, false);
  assert.equal(config.publicBaseUrl, 'https://keys.example');
  assert.deepEqual(config.allowedOrigins, ['https://hotel.example', 'https://b.example:8443']);
  assert.equal(config.ticketTtlS, 900);
  assert.deepEqual(config.brand, { primary_color: '#aabbcc', secondary_color: '#001122', logo_url: 'https://keys.example/logo.svg' });
});

test('defaults per api.md, with a generated seam_ dev key', () => {
  const config = resolveConfig(optionsFromEnv({}));
  assert.equal(config.port, 8787);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.publicBaseUrl, null);
  assert.equal(config.ticketTtlS, 3600);
  assert.equal(config.refreshAfterS, 300);
  assert.match(config.apiKey, /^seam_[A-Za-z0-9_-]{32}$/);
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
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => resolveConfig(optionsFromEnv(env)), (err: unknown) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
});
