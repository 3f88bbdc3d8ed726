import 'reflect-metadata';
import { inject } from 'vitest';
import { Writable } from 'node:stream';
import { type AppHandle, type AppOverrides, createApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';

export interface TestApp {
  url: string;
  handle: AppHandle;
  /** The service's JSON log lines, when started with `captureLogs`. */
  logs: string[];
  close(): Promise<void>;
}

export interface StartOptions extends AppOverrides {
  captureLogs?: boolean;
}

/**
 * The real service on a free port, on this run's PostgreSQL database. Settings are environment
 * variables, as in production; `env` overrides them (rate limits, provider endpoints, …).
 */
export async function startApp(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // The statistics jobs (pg-boss) start only in the suites about them.
    JOBS_ENABLED: 'false',
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_SIZE: '5',
    // Generous limits so suites sharing 127.0.0.1 don't trip each other; the rate-limit suite lowers them.
    RATE_LIMIT_LOGIN_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000',
    RATE_LIMIT_REGISTER_PER_IP: '100000',
    RATE_LIMIT_REFRESH_PER_IP: '100000',
    RATE_LIMIT_REFRESH_PER_ACCOUNT: '100000',
    RATE_LIMIT_SOCIAL_PER_IP: '100000',
    ...env,
  });
  const logs: string[] = [];
  const { captureLogs, ...overrides } = options;
  if (captureLogs) {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    overrides.logger = createLogger({ ...config, LOG_LEVEL: 'info' }, sink);
  }
  const handle = await createApp(config, overrides);
  const url = await handle.listen();
  return { url, handle, logs, close: () => handle.close() };
}
