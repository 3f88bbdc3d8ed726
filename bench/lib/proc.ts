import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/config.js';
import { freePort } from '../../test/support/net.js';
import { cleanups } from './cleanup.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The SWC loader: Nest needs decorator metadata, which tsx does not emit (see swc-register.mjs). */
const SWC_REGISTER = fileURLToPath(new URL('./swc-register.mjs', import.meta.url));
/** Extra node flags for every server a bench starts, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** The tail of the child's stdout and stderr, shown when something goes wrong. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node --import swc-register.mjs <entry>` on 127.0.0.1 with exactly `env` (plus PATH, HOST, PORT
 * and BENCH_NODE_FLAGS), stopped by the clean-up however the run ends; resolves once /health/live answers 200.
 */
export async function startServer(options: {
  name: string;
  entry: string;
  env: Record<string, string>;
}): Promise<ServerProcess> {
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOST: '127.0.0.1', ...options.env, PORT: String(port) };
  const args = [...NODE_FLAGS, '--import', SWC_REGISTER, options.entry];
  const child = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('close', () => resolve(void (exited = true))));
  const handle: ServerProcess = {
    name: options.name,
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => tail,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      if (!(await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]))) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
  cleanups.push(() => handle.stop());
  const probe = `${handle.url}/health/live`;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    if (exited) throw new Error(`${options.name} exited during start-up:\n${tail}`);
    const answer = await fetch(probe, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    await answer?.arrayBuffer();
    if (answer?.ok) return handle;
  }
  throw new Error(`${options.name} did not become ready in time:\n${tail}`);
}

/** One pair of secrets for every server of a run: the bare servers and the bench accept monta's tokens. */
export const BENCH_SECRETS = {
  AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
  AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
};
/** Rate limits out of the way (every virtual user comes from 127.0.0.1): each `RATE_LIMIT_*_PER_*` of the config. */
const UNLIMITED = Object.fromEntries(
  Object.keys(loadConfig({}))
    .filter((name) => /^RATE_LIMIT_\w+_PER_/.test(name))
    .map((name) => [name, '1000000000']),
);

/**
 * monta-server (src/main.ts, unchanged) as deployed: NODE_ENV=production, silent, no migration at
 * start (the scratch database is migrated), the statistics jobs' scheduler off (it polls whatever the
 * traffic), rate limits out of the way, BENCH_SECRETS, access tokens that outlive the run.
 */
export function startMonta(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServer({
    name: 'monta',
    entry: 'src/main.ts',
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: 'false',
      JOBS_ENABLED: 'false',
      ...BENCH_SECRETS,
      AUTH_JWT_TOKEN_EXPIRES_IN: '14400',
      SOCKET_MAX_PER_IP: '100000',
      ...UNLIMITED,
      ...env,
    },
  });
}
