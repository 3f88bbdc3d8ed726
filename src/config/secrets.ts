import { randomBytes } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../database/client.js';
import { appSecret } from '../database/schema.js';
import { type Config, ConfigError, type LoadedConfig, SECRET_NAMES, type SecretName } from './config.js';

/**
 * Fills the signing secrets the environment left unset (never in production: `loadConfig` refuses
 * that) from the `app_secret` table, generating them on the first boot. Every instance offers its own
 * random value and keeps whichever was stored first, so parallel first boots agree, and tokens
 * survive restarts.
 */
export async function resolveSecrets(db: Db, config: LoadedConfig, logger: Logger): Promise<Config> {
  const missing = SECRET_NAMES.filter((name) => config[name] === undefined);
  if (missing.length === 0) return config as Config;
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(`Invalid configuration:\n${missing.map((n) => `  ${n}: required in production`).join('\n')}`);
  }
  let stored: Map<string, string>;
  try {
    await db
      .insert(appSecret)
      .values(missing.map((name) => ({ name, value: randomBytes(48).toString('base64url') })))
      .onConflictDoNothing();
    const rows = await db
      .select({ name: appSecret.name, value: appSecret.value })
      .from(appSecret)
      .where(inArray(appSecret.name, [...missing]));
    stored = new Map(rows.map((r) => [r.name, r.value]));
  } catch (error) {
    // The code only: the driver's message repeats the query's parameters, which are the generated secrets.
    throw new ConfigError(
      `${missing.join(' and ')} unset, and the database cannot keep generated ones (are the migrations applied?): database error ${errorCode(error)}`,
    );
  }
  const value = (name: SecretName): string => {
    const found = config[name] ?? stored.get(name);
    if (found === undefined) throw new ConfigError(`${name}: no generated value stored`);
    return found;
  };
  const resolved = {
    ...config,
    AUTH_JWT_SECRET: value('AUTH_JWT_SECRET'),
    AUTH_REFRESH_SECRET: value('AUTH_REFRESH_SECRET'),
  };
  // Names only: the values never reach the log.
  logger.warn(
    { generated: missing },
    'signing secrets unset: using generated ones kept in the database (app_secret); set them explicitly in production',
  );
  return Object.freeze(resolved);
}

/** The SQLSTATE or Node error code along Drizzle's `cause` chain, else a placeholder. */
function errorCode(error: unknown): string {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'without a code';
}
