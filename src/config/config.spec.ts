import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, DEFAULT_CORS_ORIGINS, loadConfig } from './config.js';
import { parseDuration } from './duration.js';

describe('loadConfig', () => {
  it('works with no environment at all (development defaults)', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(4000);
    expect(c.API_PREFIX).toBe('timer-api');
    expect(c.DATA_DIR).toBe('./data');
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REFRESH_REUSE_WINDOW_SECONDS).toBe(60);
    expect(c.AUTH_JWT_TOKEN_EXPIRES_IN).toBe(900);
    expect(c.DEFAULT_TIMEZONE).toBe('Asia/Seoul');
    expect(c.CORS_ORIGINS).toEqual(DEFAULT_CORS_ORIGINS);
    expect(c.CORS_ORIGINS).toContain('http://localhost:5173');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('requires both secrets in production, naming the variables', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWT_SECRET: required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) })).toThrow(
      /AUTH_REFRESH_SECRET: required in production/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: '  ', AUTH_REFRESH_SECRET: 'b'.repeat(40) }),
    ).toThrow(/AUTH_JWT_SECRET: required in production/);
    const ok = loadConfig({
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'a'.repeat(40),
      AUTH_REFRESH_SECRET: 'b'.repeat(40),
    });
    expect(ok.AUTH_JWT_SECRET).toBe('a'.repeat(40));
  });

  it('has no fixed secret: outside production unset secrets stay unset (generated at boot)', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      const c = loadConfig({ NODE_ENV });
      expect(c.AUTH_JWT_SECRET).toBeUndefined();
      expect(c.AUTH_REFRESH_SECRET).toBeUndefined();
    }
    // Nor is one written in the source.
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/SECRET[A-Z_]*\s*[:=]\s*['"`][^'"`]{8,}/);
  });

  it('DOCS_ENABLED defaults to on outside production and off in production', () => {
    const secrets = { AUTH_JWT_SECRET: 'a'.repeat(40), AUTH_REFRESH_SECRET: 'b'.repeat(40) };
    expect(loadConfig({}).DOCS_ENABLED).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).DOCS_ENABLED).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DOCS_ENABLED: 'true', ...secrets }).DOCS_ENABLED).toBe(true);
    expect(loadConfig({ DOCS_ENABLED: 'false' }).DOCS_ENABLED).toBe(false);
    expect(() => loadConfig({ DOCS_ENABLED: 'yes' })).toThrow(/DOCS_ENABLED:/);
  });

  it('refuses one secret for both tokens in production', () => {
    const same = 'c'.repeat(40);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: same, AUTH_REFRESH_SECRET: same })).toThrow(
      /AUTH_REFRESH_SECRET: must differ/,
    );
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['AUTH_JWT_SECRET', 'short'],
    ['AUTH_JWT_TOKEN_EXPIRES_IN', '15 minutes'],
    ['DEFAULT_TIMEZONE', 'Mars/Base'],
    ['GOOGLE_TOKEN_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['API_PREFIX', '/timer api'],
  ])('a bad %s=%s stops boot with a message naming it', (name, value) => {
    try {
      loadConfig({ [name]: value });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`${name}:`);
    }
  });

  it('parses lists and booleans', () => {
    const c = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', TRUST_PROXY: 'true' });
    expect(c.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(c.TRUST_PROXY).toBe(true);
  });
});

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['45s', 45],
    ['15m', 900],
    ['12h', 43200],
    ['14d', 1209600],
  ])('%s → %d seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', '1w', '-5m', '1.5h', 'm'])('%s → undefined', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('Redis prefix and socket limits', () => {
  it('default to monta:, 30 s to join and 50 connections per address', () => {
    const c = loadConfig({});
    expect([c.REDIS_KEY_PREFIX, c.SOCKET_JOIN_TIMEOUT_SECONDS, c.SOCKET_MAX_PER_IP]).toEqual(['monta:', 30, 50]);
    expect(loadConfig({ REDIS_KEY_PREFIX: 'staging.monta:' }).REDIS_KEY_PREFIX).toBe('staging.monta:');
  });

  it.each([
    ['REDIS_KEY_PREFIX', ''],
    ['REDIS_KEY_PREFIX', 'two words'],
    ['REDIS_KEY_PREFIX', 'x'.repeat(65)],
    ['REDIS_KEY_PREFIX', 'a*'],
    ['SOCKET_JOIN_TIMEOUT_SECONDS', '0'],
    ['SOCKET_MAX_PER_IP', '0'],
    ['SOCKET_MAX_PER_IP', 'many'],
  ])('%s=%j stops boot, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});

describe('database waits that depend on each other', () => {
  it('SHOP_LOCK_TIMEOUT_MS must stay 1000 below DATABASE_QUERY_TIMEOUT_MS, or the client cuts the shop short', () => {
    expect(loadConfig({}).SHOP_LOCK_TIMEOUT_MS).toBe(5000); // 1000 below the 6000 default
    expect(loadConfig({ SHOP_LOCK_TIMEOUT_MS: '9000', DATABASE_QUERY_TIMEOUT_MS: '10000' }).SHOP_LOCK_TIMEOUT_MS).toBe(
      9000,
    );
    expect(() => loadConfig({ SHOP_LOCK_TIMEOUT_MS: '8000' })).toThrow(ConfigError);
    expect(() => loadConfig({ SHOP_LOCK_TIMEOUT_MS: '8000' })).toThrow(
      /SHOP_LOCK_TIMEOUT_MS: must be at least 1000 below/,
    );
    expect(() => loadConfig({ DATABASE_QUERY_TIMEOUT_MS: '5500' })).toThrow(/SHOP_LOCK_TIMEOUT_MS:/);
  });

  it('the member queue defaults: a 3 s stuck holder, 10 s in all, 200 waiting', () => {
    const c = loadConfig({});
    expect([c.MEMBER_QUEUE_HOLD_LIMIT_MS, c.MEMBER_QUEUE_MAX_WAIT_MS, c.MEMBER_QUEUE_MAX_LENGTH]).toEqual([
      3000, 10000, 200,
    ]);
    expect(() => loadConfig({ MEMBER_QUEUE_MAX_LENGTH: '0' })).toThrow(/MEMBER_QUEUE_MAX_LENGTH:/);
  });
});
