import { z } from 'zod';
import { INT4_MAX } from '../common/limits.js';
import { isTimeZone } from '../common/local-days.js';
import { parseDuration } from './duration.js';

/** The signing secrets: required in production, otherwise generated once and kept in the database. */
export const SECRET_NAMES = ['AUTH_JWT_SECRET', 'AUTH_REFRESH_SECRET'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** The largest `MAX_SESSION_HOURS` accepted; queries rely on no session ever being longer. */
export const MAX_SESSION_HOURS_EVER = 48;

export const DEFAULT_CORS_ORIGINS = [
  'https://monta-pwa.vercel.app',
  'http://localhost:5173',
  'http://192.168.1.208:5173',
  'https://pomodak.com',
];

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = (fallback: string) => z.url().default(fallback);
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const seconds = parseDuration(v);
      if (seconds === undefined || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration such as 900, 15m, 12h or 14d' });
        return z.NEVER;
      }
      return seconds;
    });
const timezone = z.string().default('Asia/Seoul').refine(isTimeZone, 'expected an IANA time zone such as Asia/Seoul');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: int(4000, 0, 65535),
    API_PREFIX: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'expected a path segment such as timer-api')
      .default('timer-api'),
    BODY_LIMIT_BYTES: int(100 * 1024, 1024),
    TRUST_PROXY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    CORS_ORIGINS: z
      .string()
      .optional()
      .transform((v) =>
        v === undefined
          ? DEFAULT_CORS_ORIGINS
          : v
              .split(',')
              .map((o) => o.trim())
              .filter(Boolean),
      ),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // auto: human lines when stdout is a terminal and NODE_ENV is development, JSON otherwise.
    LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
    // When set, GET /metrics requires it as a bearer token.
    METRICS_TOKEN: optionalString.pipe(z.string().min(16).optional()),
    // On SIGTERM: readiness answers 503 for the drain period, then the service closes within the grace.
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number().min(0).max(300).default(2),
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(1).max(3600).default(25),
    // The Swagger UI at /docs and /docs-json; unset → on outside production, off in production.
    DOCS_ENABLED: z.enum(['true', 'false']).optional(),
    // Seeded catalogue images are absolute URLs under it (the PWA is on another origin); unset → http://localhost:PORT.
    PUBLIC_URL: optionalString.pipe(
      z
        .url({ protocol: /^https?$/ })
        .max(200)
        .refine((v) => !/[?#]/.test(v), 'expected an origin, optionally with a path, such as https://api.example.com')
        .transform((v) => v.replace(/\/+$/, ''))
        .optional(),
    ),

    DATABASE_URL: optionalString,
    DATABASE_POOL_SIZE: int(10, 1, 200),
    SHOP_LOCK_TIMEOUT_MS: int(5000, 100, 60000),
    // Every database wait is bounded (see DatabaseTimeouts in src/database/client.ts).
    DATABASE_CONNECT_TIMEOUT_MS: int(3000, 100, 60000),
    DATABASE_STATEMENT_TIMEOUT_MS: int(5000, 100, 600000),
    DATABASE_LOCK_TIMEOUT_MS: int(3000, 100, 600000),
    DATABASE_QUERY_TIMEOUT_MS: int(6000, 100, 600000),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: int(10000, 100, 3600000),
    DATABASE_RETRY_AFTER_SECONDS: int(2, 1, 3600),
    // One member's requests queue (MemberQueue): bounded by a stuck holder, the total wait and the length.
    MEMBER_QUEUE_HOLD_LIMIT_MS: int(3000, 100, 60000),
    MEMBER_QUEUE_MAX_WAIT_MS: int(10000, 100, 60000),
    MEMBER_QUEUE_MAX_LENGTH: int(200, 1, 100000),
    DATA_DIR: z.string().default('./data'),
    MIGRATE_ON_START: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    REDIS_URL: optionalString,
    // Every Redis key and pub/sub channel starts with it, so deployments can share one Redis.
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1 to 64 letters, digits or _ . : - such as monta:')
      .default('monta:'),

    AUTH_JWT_SECRET: optionalString.pipe(z.string().min(32).optional()),
    AUTH_JWT_TOKEN_EXPIRES_IN: duration('15m'),
    AUTH_REFRESH_SECRET: optionalString.pipe(z.string().min(32).optional()),
    AUTH_REFRESH_TOKEN_EXPIRES_IN: duration('14d'),
    REFRESH_REUSE_WINDOW_SECONDS: int(60, 0, 3600),
    // The guards' live-account and member lookups, cached per instance; 0 turns the cache off.
    AUTH_CACHE_TTL_SECONDS: int(5, 0, 60),
    AUTH_CACHE_MAX_ENTRIES: int(10000, 1, 1000000),

    RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86400),
    RATE_LIMIT_LOGIN_PER_IP: int(30, 1),
    RATE_LIMIT_LOGIN_PER_ACCOUNT: int(10, 1),
    RATE_LIMIT_REGISTER_PER_IP: int(10, 1),
    RATE_LIMIT_REFRESH_PER_IP: int(300, 1),
    RATE_LIMIT_REFRESH_PER_ACCOUNT: int(120, 1),
    RATE_LIMIT_SOCIAL_PER_IP: int(30, 1),
    // Data exports: each streams the whole history, so few per account per window (429 beyond).
    RATE_LIMIT_EXPORT_PER_ACCOUNT: int(5, 1),
    // Exports running at once on this instance (each holds a pooled connection); 503 beyond.
    EXPORT_MAX_CONCURRENT: int(2, 1, 100),
    EXPORT_BATCH_SIZE: int(1000, 10, 10000),
    // The web page's sign-in proof, carried by the confirmation form, expires after this long.
    ACCOUNT_DELETE_PROOF_TTL_SECONDS: int(600, 30, 3600),

    SOCIAL_HTTP_TIMEOUT_MS: int(5000, 100, 60000),
    GOOGLE_CLIENT_ID: z.string().default('google-client-id.apps.googleusercontent.com'),
    GOOGLE_CLIENT_SECRET: z.string().default('google-client-secret'),
    GOOGLE_REDIRECT_URI: url('http://localhost:5173/auth/login/callback/google'),
    GOOGLE_TOKEN_URL: url('https://oauth2.googleapis.com/token'),
    GOOGLE_JWKS_URL: url('https://www.googleapis.com/oauth2/v3/certs'),
    GOOGLE_ISSUERS: z
      .string()
      .default('https://accounts.google.com,accounts.google.com')
      .transform((v) => v.split(',').map((s) => s.trim())),
    KAKAO_REST_API_KEY: z.string().default('kakao-rest-api-key'),
    KAKAO_CLIENT_SECRET: z.string().default('kakao-client-secret'),
    KAKAO_REDIRECT_URI: url('http://localhost:5173/auth/login/callback/kakao'),
    KAKAO_TOKEN_URL: url('https://kauth.kakao.com/oauth/token'),
    KAKAO_JWKS_URL: url('https://kauth.kakao.com/.well-known/jwks.json'),
    KAKAO_ISSUER: z.string().default('https://kauth.kakao.com'),
    NAVER_CLIENT_ID: z.string().default('naver-client-id'),
    NAVER_CLIENT_SECRET: z.string().default('naver-client-secret'),
    NAVER_TOKEN_URL: url('https://nid.naver.com/oauth2.0/token'),
    NAVER_PROFILE_URL: url('https://openapi.naver.com/v1/nid/me'),

    DEFAULT_TIMEZONE: timezone,
    NEW_MEMBER_POINTS: int(500, 0, INT4_MAX),
    MAX_SESSION_HOURS: int(12, 1, MAX_SESSION_HOURS_EVER),
    POINTS_PER_MINUTE: int(9, 0, 1000),
    STREAK_MIN_SECONDS: int(60, 1, 86400),
    // Issue 13: an overall ranking is served from a per-instance snapshot at most this old (0: live).
    RANKING_SNAPSHOT_SECONDS: int(60, 0, 3600),
    RANKING_SNAPSHOT_MAX_PERIODS: int(8, 1, 100),
    // Overall rankings being computed at once per instance; a new period beyond it answers 503 BUSY.
    RANKING_MAX_BUILDS: int(2, 1, 32),
    // Issue 14: how old an uploaded offline session may be, and how far ahead of the server clock.
    OFFLINE_MAX_AGE_DAYS: int(7, 1, 365),
    OFFLINE_CLOCK_SKEW_SECONDS: int(60, 0, 3600),
    GROUP_RECONNECT_GRACE_SECONDS: int(0, 0, 3600),
    SOCKET_JOIN_TIMEOUT_SECONDS: int(30, 1, 3600),
    SOCKET_MAX_PER_IP: int(50, 1, 100000),

    // Pre-computed statistics (issue 10): pg-boss jobs; cron times are in DEFAULT_TIMEZONE.
    JOBS_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    STATS_DAILY_CRON: z.string().default('0 4 * * *'),
    STATS_MONTHLY_CRON: z.string().default('0 5 1 * *'),
    STATS_JOB_RETRY_LIMIT: int(5, 0, 100),
    STATS_JOB_RETRY_DELAY_SECONDS: int(5, 1, 3600),
    STATS_JOB_DEADLINE_MINUTES: int(60, 1, 1440),
    STATS_JOB_STATEMENT_TIMEOUT_MS: int(300000, 1000, 3600000),
    STATS_JOB_APPLICATION_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,60}$/)
      .default('monta-stats-jobs'),
    STATS_JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
    ALERT_WEBHOOK_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    ALERT_TIMEOUT_MS: int(5000, 100, 60000),
    ALERT_FAILURE_RATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
    ALERT_FAILURE_WINDOW_RUNS: int(10, 1, 1000),
  })
  .superRefine((c, ctx) => {
    // The shop's transaction raises its statement_timeout to its lock wait + 500 ms; the client-side
    // query timeout must still come after, so the server cancels first and the connection survives.
    if (c.SHOP_LOCK_TIMEOUT_MS + 1000 > c.DATABASE_QUERY_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHOP_LOCK_TIMEOUT_MS'],
        message: `must be at least 1000 below DATABASE_QUERY_TIMEOUT_MS (${c.DATABASE_QUERY_TIMEOUT_MS})`,
      });
    }
    if (c.NODE_ENV !== 'production') return;
    for (const name of SECRET_NAMES) {
      if (c[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'required in production' });
    }
    if (c.AUTH_JWT_SECRET !== undefined && c.AUTH_JWT_SECRET === c.AUTH_REFRESH_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_REFRESH_SECRET'], message: 'must differ from AUTH_JWT_SECRET' });
    }
  })
  .transform((c) => ({
    ...c,
    PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
    DOCS_ENABLED: c.DOCS_ENABLED === undefined ? c.NODE_ENV !== 'production' : c.DOCS_ENABLED === 'true',
  }));

/** The environment as parsed: the signing secrets may still be unset (outside production). */
export type LoadedConfig = Readonly<z.output<typeof schema>>;
/** What the running service uses: the signing secrets resolved (see `resolveSecrets`). */
export type Config = Readonly<Omit<LoadedConfig, SecretName> & Record<SecretName, string>>;
export const CONFIG = Symbol('CONFIG');

export class ConfigError extends Error {}

/** Parses the environment once; a bad value stops boot with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): LoadedConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}
