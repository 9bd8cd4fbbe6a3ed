import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { bytesToBase64url, randomBytes } from '../src/protocol/bytes.ts';
import { apiKeyWeakness } from './api-key-strength.ts';
import { MAX_TICKET_TTL_S } from '../src/protocol/constants.ts';

/** Brand defaults applied to instant keys that do not set their own customization. */
export interface Brand {
  primary_color: string;
  secondary_color: string;
  logo_url: string | null;
  /** Credential-contract extras (README): shown to guests when set. */
  hotel_name?: string;
  /** E.164. */
  support_phone?: string;
  support_email?: string;
  /** `#rrggbb`. */
  accent_color?: string;
}

/** A fixed-window request budget. */
export interface RateLimitWindow {
  max: number;
  windowMs: number;
}

/** How long a client may take, in milliseconds (Node's HTTP server enforces them). */
export interface Timeouts {
  /** To send a whole request, headers and body; past it the server answers 408 and hangs up. */
  requestMs: number;
  /** To send the request's headers (at most `requestMs`). */
  headersMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
}

/** Everything the server needs, fully resolved and validated (see {@link resolveConfig}). */
export interface ServerConfig {
  host: string;
  port: number;
  /** Directory holding the SQLite store (unused with `databaseUrl`). */
  dataDir: string;
  /** `postgres://…`: the PostgreSQL store, shared by every instance; `null`: SQLite in `dataDir`. */
  databaseUrl: string | null;
  apiKey: string;
  /** True when `apiKey` was generated here because none was configured. */
  apiKeyGenerated: boolean;
  /** Public origin (+ optional path) of this server; `null` means "derive from host and port". */
  publicBaseUrl: string | null;
  /** Origins allowed to call the credential endpoint besides the server's own. */
  allowedOrigins: string[];
  ticketTtlS: number;
  /** How often the element should refresh; never more than half of `ticketTtlS`. */
  refreshAfterS: number;
  brand: Brand;
  /** The property's IANA time zone (`PROPERTY_TIME_ZONE`), sent with keys unless a key sets its own. */
  propertyTimeZone: string | null;
  /**
   * The issuer's iOS app or App Clip (`IOS_APP_URL`, https; `IOS_APP_NAME`): the key page hands
   * an iPhone guest there, since no iOS browser has Web Bluetooth (see the element's `ios-app-url`).
   */
  iosApp: { url: string; name: string | null } | null;
  /** Folder served as static files at `/` (the demo), if any. */
  staticDir: string | null;
  /** The built element bundle served at `/instant-key.js`, if any. */
  elementFile: string | null;
  rateLimit: {
    /** Credential requests per well-formed token. */
    perToken: RateLimitWindow;
    /** Credential requests without a known token (junk), per address (IPv6: per /64). */
    perIp: RateLimitWindow;
    /** Failed admin authentications per address (IPv6: per /64). */
    adminAuthFailures: RateLimitWindow;
  };
  /**
   * The reverse proxies whose `X-Forwarded-For` is believed: addresses, CIDRs, or
   * `loopback`/`linklocal`/`uniquelocal` (Fastify's `trustProxy` list). Empty: none, the
   * client is the connection's peer. Never "everyone": a client could then pick the address
   * it is rate-limited by.
   */
  trustProxy: string[];
  timeouts: Timeouts;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** `false` silences logs (tests); otherwise a pino level. */
  logLevel: false | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Milliseconds since the epoch; injectable so tests can move time. */
  clock: () => number;
}

/** Options accepted by `buildApp`/`startServer`: any subset of {@link ServerConfig}. */
export type ServerOptions = Partial<Omit<ServerConfig, 'brand' | 'rateLimit' | 'apiKeyGenerated' | 'trustProxy' | 'timeouts'>> & {
  brand?: Partial<Brand>;
  rateLimit?: Partial<ServerConfig['rateLimit']>;
  /** A list, or one comma-separated string as in `TRUST_PROXY`. */
  trustProxy?: string | string[];
  timeouts?: Partial<Timeouts>;
};

/** A configuration value that cannot be used; the message names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const COLOR_RE = /^#[0-9a-fA-F]{6}$/;
const DEFAULT_BRAND: Brand = { primary_color: '#1d3557', secondary_color: '#f1faee', logo_url: null };

/** Generates a development admin key in the shape the Seam SDK accepts (32 random bytes). */
export function generateApiKey(): string {
  return `seam_${bytesToBase64url(randomBytes(32))}`;
}

/** Fills defaults and validates; throws {@link ConfigError} on the first unusable value. */
export function resolveConfig(options: ServerOptions = {}): ServerConfig {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8787;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT must be 0-65535');

  const apiKey = options.apiKey ?? generateApiKey();
  const weakness = apiKeyWeakness(apiKey);
  if (weakness !== null) {
    throw new ConfigError(`API_KEY is too easy to guess: ${weakness}. Generate one with: node -e "console.log('seam_' + require('node:crypto').randomBytes(32).toString('base64url'))"`);
  }

  const publicBaseUrl = options.publicBaseUrl ? normalizeBaseUrl(options.publicBaseUrl) : null;
  const databaseUrl = options.databaseUrl ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  const allowedOrigins = (options.allowedOrigins ?? []).map(normalizeOrigin);

  const ticketTtlS = options.ticketTtlS ?? 3600;
  // A phone holding tickets opens its doors until they expire unless a lock update got there
  // first (docs/protocol.md, "Revocation"): the cap bounds that lag.
  if (!Number.isInteger(ticketTtlS) || ticketTtlS < 2 || ticketTtlS > MAX_TICKET_TTL_S) {
    throw new ConfigError(`TICKET_TTL_S must be an integer from 2 to ${MAX_TICKET_TTL_S} (24 h)`);
  }
  const refreshAfterS = Math.min(options.refreshAfterS ?? 300, Math.floor(ticketTtlS / 2));
  if (!Number.isInteger(refreshAfterS) || refreshAfterS < 1) throw new ConfigError('refreshAfterS must be a positive integer');

  const brand: Brand = { ...DEFAULT_BRAND, ...options.brand };
  for (const key of ['primary_color', 'secondary_color'] as const) {
    if (!COLOR_RE.test(brand[key])) throw new ConfigError(`BRAND_${key.toUpperCase()} must be #rrggbb`);
  }
  if (brand.logo_url !== null && !isHttpsUrl(brand.logo_url)) throw new ConfigError('BRAND_LOGO_URL must be an https URL');
  if (brand.accent_color !== undefined && !COLOR_RE.test(brand.accent_color)) throw new ConfigError('BRAND_ACCENT_COLOR must be #rrggbb');
  if (brand.support_phone !== undefined && !/^\+[1-9]\d{1,14}$/.test(brand.support_phone)) throw new ConfigError('BRAND_SUPPORT_PHONE must be E.164, such as +15555550100');
  if (brand.support_email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(brand.support_email)) throw new ConfigError('BRAND_SUPPORT_EMAIL must be an email address');
  if (brand.hotel_name !== undefined && (brand.hotel_name.length > 100 || /(?![\u200c\u200d])[\p{Cc}\p{Cf}]/u.test(brand.hotel_name))) {
    throw new ConfigError('BRAND_HOTEL_NAME must be at most 100 characters without control or format characters');
  }
  const propertyTimeZone = options.propertyTimeZone ?? null;
  const iosApp = options.iosApp ?? null;
  if (iosApp !== null && !isHttpsUrl(iosApp.url)) throw new ConfigError('IOS_APP_URL must be an https URL');
  if (iosApp?.name != null && (iosApp.name.length > 40 || /[\p{Cc}\p{Cf}]/u.test(iosApp.name))) {
    throw new ConfigError('IOS_APP_NAME must be at most 40 characters without control or format characters');
  }
  if (propertyTimeZone !== null && !isTimeZone(propertyTimeZone)) throw new ConfigError('PROPERTY_TIME_ZONE must be an IANA time zone, such as Europe/Lisbon');

  const rateLimit = {
    perToken: checkWindow('per-token rate limit', options.rateLimit?.perToken ?? { max: 60, windowMs: 60_000 }),
    perIp: checkWindow('per-IP rate limit', options.rateLimit?.perIp ?? { max: 300, windowMs: 60_000 }),
    adminAuthFailures: checkWindow('admin authentication limit', options.rateLimit?.adminAuthFailures ?? { max: 10, windowMs: 60_000 }),
  };
  const timeouts: Timeouts = {
    requestMs: checkTimeout('REQUEST_TIMEOUT_S', options.timeouts?.requestMs ?? 15_000),
    headersMs: checkTimeout('the headers timeout', options.timeouts?.headersMs ?? 10_000),
    keepAliveMs: checkTimeout('KEEP_ALIVE_TIMEOUT_S', options.timeouts?.keepAliveMs ?? 10_000),
  };
  // Node refuses a headers timeout longer than the whole request's.
  timeouts.headersMs = Math.min(timeouts.headersMs, timeouts.requestMs);
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) throw new ConfigError('bodyLimit must be at least 1024 bytes');

  return {
    host,
    port,
    dataDir: absolute(options.dataDir ?? '.data'),
    databaseUrl,
    apiKey,
    apiKeyGenerated: options.apiKey === undefined,
    publicBaseUrl,
    allowedOrigins,
    ticketTtlS,
    refreshAfterS,
    brand,
    propertyTimeZone,
    iosApp,
    staticDir: options.staticDir ? absolute(options.staticDir) : null,
    elementFile: options.elementFile ? absolute(options.elementFile) : null,
    rateLimit,
    trustProxy: trustedProxies(options.trustProxy ?? []),
    timeouts,
    bodyLimit,
    logLevel: options.logLevel ?? 'info',
    clock: options.clock ?? Date.now,
  };
}

/** Maps the documented environment variables (api.md, "Server start") to options. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ServerOptions {
  const options: ServerOptions = {};
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const integer = (name: string): number | undefined => {
    const v = value(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new ConfigError(`${name} must be a non-negative integer`);
    return Number(v);
  };
  const port = integer('PORT');
  if (port !== undefined) options.port = port;
  const ttl = integer('TICKET_TTL_S');
  if (ttl !== undefined) options.ticketTtlS = ttl;
  const host = value('HOST');
  if (host) options.host = host;
  const dataDir = value('DATA_DIR');
  if (dataDir) options.dataDir = dataDir;
  const databaseUrl = value('DATABASE_URL');
  if (databaseUrl) {
    options.databaseUrl = databaseUrl;
    // Instances sharing a database must agree on both: links and DPoP proofs name the public
    // URL, nonces are keyed by the API key, and a generated key would differ per instance.
    if (!value('API_KEY')) throw new ConfigError('API_KEY is required with DATABASE_URL (every instance must use the same one)');
    if (!value('PUBLIC_BASE_URL')) throw new ConfigError('PUBLIC_BASE_URL is required with DATABASE_URL (every instance must use the same one)');
  }
  const apiKey = value('API_KEY');
  if (apiKey) options.apiKey = apiKey;
  const base = value('PUBLIC_BASE_URL');
  if (base) options.publicBaseUrl = base;
  const origins = value('ALLOWED_ORIGINS');
  if (origins) options.allowedOrigins = origins.split(',').map((o) => o.trim()).filter(Boolean);
  const brand: Partial<Brand> = {};
  const primary = value('BRAND_PRIMARY_COLOR');
  if (primary) brand.primary_color = primary;
  const secondary = value('BRAND_SECONDARY_COLOR');
  if (secondary) brand.secondary_color = secondary;
  const logo = value('BRAND_LOGO_URL');
  if (logo) brand.logo_url = logo;
  for (const [name, key] of [['BRAND_HOTEL_NAME', 'hotel_name'], ['BRAND_SUPPORT_PHONE', 'support_phone'], ['BRAND_SUPPORT_EMAIL', 'support_email'], ['BRAND_ACCENT_COLOR', 'accent_color']] as const) {
    const v = value(name);
    if (v) brand[key] = v;
  }
  const zone = value('PROPERTY_TIME_ZONE');
  if (zone) options.propertyTimeZone = zone;
  const iosAppUrl = value('IOS_APP_URL');
  if (iosAppUrl) options.iosApp = { url: iosAppUrl, name: value('IOS_APP_NAME') ?? null };
  options.brand = brand;
  const trustProxy = value('TRUST_PROXY');
  if (trustProxy) options.trustProxy = trustProxy;
  const requestTimeout = integer('REQUEST_TIMEOUT_S');
  const keepAliveTimeout = integer('KEEP_ALIVE_TIMEOUT_S');
  if (requestTimeout !== undefined || keepAliveTimeout !== undefined) {
    options.timeouts = {
      ...(requestTimeout === undefined ? {} : { requestMs: requestTimeout * 1000 }),
      ...(keepAliveTimeout === undefined ? {} : { keepAliveMs: keepAliveTimeout * 1000 }),
    };
  }
  const level = value('LOG_LEVEL');
  if (level) {
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(level)) throw new ConfigError('LOG_LEVEL is not a pino level');
    options.logLevel = level as ServerConfig['logLevel'];
  }
  return options;
}

/** `http://host:port`, with IPv6 hosts bracketed and wildcard binds shown as loopback. */
export function baseUrlFor(host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

function normalizeBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('PUBLIC_BASE_URL must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('PUBLIC_BASE_URL must use http or https');
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError('PUBLIC_BASE_URL must not carry a query, fragment or credentials');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function normalizeOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`ALLOWED_ORIGINS: not an origin: ${text}`);
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !text.endsWith('#') && !text.endsWith('?');
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
    throw new ConfigError(`ALLOWED_ORIGINS: not an origin (scheme://host[:port]): ${text}`);
  }
  return url.origin;
}

/** Fastify's names for the private ranges a proxy usually sits in. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Validates `TRUST_PROXY`: proxies by address, CIDR or range name. Refuses what would trust
 * every peer (`true`, `*`, a /0) and a hop count (which cannot tell a proxy from a client).
 */
function trustedProxies(setting: string | string[]): string[] {
  const entries = (typeof setting === 'string' ? setting.split(',') : setting).map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    if (/^(true|\*|yes|on)$/i.test(entry) || /^\d+$/.test(entry)) {
      throw new ConfigError(
        `TRUST_PROXY must name the trusted proxies (addresses, CIDRs, or loopback/linklocal/uniquelocal), not "${entry}": trusting every peer lets any client choose the address it is rate-limited by`,
      );
    }
    if (entry === 'false') continue;
    if (NAMED_RANGES.includes(entry)) continue;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (prefix !== undefined && (!/^\d+$/.test(prefix) || Number(prefix) > bits))) {
      throw new ConfigError(`TRUST_PROXY: not an address, CIDR or range name: ${entry}`);
    }
    if (prefix !== undefined && Number(prefix) === 0) {
      throw new ConfigError(`TRUST_PROXY: ${entry} trusts every address; name the proxies`);
    }
  }
  return entries.filter((e) => e !== 'false');
}

function checkTimeout(name: string, ms: number): number {
  if (!Number.isInteger(ms) || ms < 1) throw new ConfigError(`${name} must be positive`);
  return ms;
}

function checkWindow(name: string, w: RateLimitWindow): RateLimitWindow {
  if (!Number.isInteger(w.max) || w.max < 1 || !Number.isInteger(w.windowMs) || w.windowMs < 1) {
    throw new ConfigError(`${name} needs a positive integer max and windowMs`);
  }
  return w;
}

function isTimeZone(zone: string): boolean {
  try {
    return /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(zone) && Boolean(new Intl.DateTimeFormat('en-US', { timeZone: zone }));
  } catch {
    return false;
  }
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}
