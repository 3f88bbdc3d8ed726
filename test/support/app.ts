import 'reflect-metadata';
import { beforeAll, inject } from 'vitest';
import { Writable } from 'node:stream';
import { type AppHandle, type AppOverrides, createApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { useTeardown } from './fixture.js';
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
  // Closing twice (by hand, then by a fixture's teardown) closes once.
  let closing: Promise<void> | undefined;
  return { url, handle, logs, close: () => (closing ??= handle.close()) };
}

/** What a fixture starts the service with: settings as environment variables, and provider overrides. */
export interface AppSetup extends StartOptions {
  env?: Record<string, string>;
}

/** The fixture's `beforeAll`: `timeout` for a start slower than the hook timeout (an embedded database). */
export interface HookOptions {
  timeout?: number;
}

/** A service started by a fixture, and a client for it. `close` may be called early, and more than once. */
export interface UsedApp extends TestApp {
  api: Client;
}

/**
 * Instances a suite starts and stops itself (restarts, settings that differ per test). `start` closes
 * what it started with the scope that started it: at the end of the test when called in a test (or a
 * `beforeEach`), in the suite's `afterAll` when called in a `beforeAll`. `close()` stops one earlier.
 */
export interface Instances {
  start(env?: Record<string, string>, options?: StartOptions): Promise<UsedApp>;
  /** The instances started and not closed yet, oldest first. */
  readonly running: readonly UsedApp[];
}

/** Registers the suite's `afterAll` that closes every instance still running; call it at collection time. */
export function useInstances(): Instances {
  const teardown = useTeardown();
  const running: UsedApp[] = [];
  const start = async (env: Record<string, string> = {}, options: StartOptions = {}): Promise<UsedApp> => {
    const app = await startApp(env, options);
    const close = teardown.add(async () => {
      running.splice(running.indexOf(used), 1);
      await app.close();
    });
    const used: UsedApp = { ...app, api: client(app.url), close };
    running.push(used);
    return used;
  };
  return {
    start,
    get running() {
      return running;
    },
  };
}

/**
 * `count` services for the suite, started one after the other in `beforeAll` and closed in `afterAll`,
 * both registered here. The returned handles read the running apps, so they are used inside tests and
 * later hooks (and can be destructured: `const [one, two] = useApps(2)`). `setup` may be a function
 * of the instance's index, for settings known only once earlier hooks ran (a fake provider's URL, a
 * proxy's port) or that differ per instance.
 */
export function useApps<N extends number>(
  count: N,
  setup: AppSetup | ((index: number) => AppSetup | Promise<AppSetup>) = {},
  hook: HookOptions = {},
): Tuple<N, UsedApp> {
  const instances = useInstances();
  const started: (UsedApp | undefined)[] = [];
  beforeAll(async () => {
    for (let i = 0; i < count; i++) {
      const { env, ...options } = typeof setup === 'function' ? await setup(i) : setup;
      started[i] = await instances.start(env, options);
    }
  }, hook.timeout);
  return Array.from({ length: count }, (_, i) => lazyApp(() => started[i])) as Tuple<N, UsedApp>;
}

/** `count` of `T`, as a tuple when `count` is a literal, so `const [one, two] = useApps(2)` needs no `!`. */
type Tuple<N extends number, T, R extends T[] = []> = number extends N
  ? T[]
  : R['length'] extends N
    ? R
    : Tuple<N, T, [...R, T]>;

/** The suite's service: `useApps(1, setup)`. */
export function useApp(setup: AppSetup | (() => AppSetup | Promise<AppSetup>) = {}, hook: HookOptions = {}): UsedApp {
  return useApps(1, typeof setup === 'function' ? () => setup() : setup, hook)[0];
}

function lazyApp(get: () => UsedApp | undefined): UsedApp {
  const current = (): UsedApp => {
    const app = get();
    if (!app) throw new Error('useApp: the service runs from beforeAll to afterAll; use it in tests and hooks');
    return app;
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
    close: () => get()?.close() ?? Promise.resolve(),
  };
}
