import 'reflect-metadata';
import { afterAll, beforeAll, inject } from 'vitest';
import { Writable } from 'node:stream';
import { type AppHandle, type AppOverrides, createApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { type Client, client } from './http.js';

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

/** What `useApp` starts the service with: settings as environment variables, and provider overrides. */
export interface AppSetup extends StartOptions {
  env?: Record<string, string>;
}

/** The service a suite started with `useApp`, and a client for it (usable before the start, called after). */
export interface UsedApp extends TestApp {
  api: Client;
}

/**
 * The suite's service: started in `beforeAll`, closed in `afterAll`, both registered here. The
 * returned handle reads the running app, so it is used inside tests and later hooks. `setup` may be
 * a function, for settings known only once earlier hooks ran (a fake provider's URL, a proxy's port).
 */
export function useApp(setup: AppSetup | (() => AppSetup | Promise<AppSetup>) = {}): UsedApp {
  let running: TestApp | undefined;
  beforeAll(async () => {
    const { env, ...options } = typeof setup === 'function' ? await setup() : setup;
    running = await startApp(env, options);
  });
  const close = async () => {
    const app = running;
    running = undefined;
    await app?.close();
  };
  afterAll(close);
  const current = (): TestApp => {
    if (!running) throw new Error('useApp: the service runs from beforeAll to afterAll; use it in tests and hooks');
    return running;
  };
  return {
    get url() {
      return current().url;
    },
    get handle() {
      return current().handle;
    },
    get logs() {
      return current().logs;
    },
    api: client(() => current().url),
    close,
  };
}
