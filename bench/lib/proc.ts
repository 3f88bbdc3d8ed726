import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cleanups } from './cleanup.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The SWC loader: Nest needs decorator metadata, which tsx does not emit (see swc-register.mjs). */
const SWC_REGISTER = fileURLToPath(new URL('./swc-register.mjs', import.meta.url));
/** Extra node flags for every server a bench starts, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/** A free TCP port on 127.0.0.1 (closed again before it is handed out). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** The tail of the child's stdout and stderr, shown when something goes wrong. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `command` as a child on 127.0.0.1:`port`, stopped by the clean-up however the run ends, and
 * resolves once `ready()` is true.
 */
async function startChild(
  name: string,
  port: number,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
  ready: () => Promise<boolean>,
): Promise<ServerProcess> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('close', () => resolve(void (exited = true)));
    child.once('error', (error) => {
      keep(Buffer.from(String(error)));
      resolve(void (exited = true));
    });
  });
  const handle: ServerProcess = {
    name,
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
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${name} exited during start-up:\n${tail}`);
    if (await ready().catch(() => false)) return handle;
    await sleep(100);
  }
  throw new Error(`${name} did not become ready in time:\n${tail}`);
}

/**
 * Starts `node --import swc-register.mjs <entry>` with exactly `env` (plus PATH, HOST and PORT) and
 * resolves once `readyPath` answers 200.
 */
export async function startServer(options: {
  name: string;
  entry: string;
  env: Record<string, string>;
  port?: number;
  readyPath?: string;
  cwd?: string;
}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOST: '127.0.0.1', ...options.env, PORT: String(port) };
  const probe = `http://127.0.0.1:${port}${options.readyPath ?? '/health/live'}`;
  const ready = async () => (await fetch(probe, { signal: AbortSignal.timeout(1000) })).ok;
  const args = [...NODE_FLAGS, '--import', SWC_REGISTER, options.entry];
  return startChild(options.name, port, process.execPath, args, { env, cwd: options.cwd ?? ROOT }, ready);
}

/** One pair of secrets for every server of a run: the bare servers and the bench accept monta's tokens. */
export const BENCH_SECRETS = {
  AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
  AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
};
const MANY = '1000000000';
/** Rate limits out of the way: every virtual user comes from 127.0.0.1. */
const UNLIMITED = Object.fromEntries(
  [
    'LOGIN_PER_IP',
    'LOGIN_PER_ACCOUNT',
    'REGISTER_PER_IP',
    'REFRESH_PER_IP',
    'REFRESH_PER_ACCOUNT',
    'SOCIAL_PER_IP',
    'EXPORT_PER_ACCOUNT',
  ].map((limit) => [`RATE_LIMIT_${limit}`, MANY]),
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

/** A private redis-server (no persistence), so a bench never touches a Redis others use. */
export async function startRedis(): Promise<ServerProcess> {
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxclients',
    '10000',
  ];
  const ready = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  const redis = await startChild('redis', port, 'redis-server', args, { env: process.env, cwd: ROOT }, ready);
  return { ...redis, url: `redis://127.0.0.1:${port}` };
}
