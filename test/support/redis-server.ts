import { type ChildProcess, spawn } from 'node:child_process';
import { useStarted } from './fixture.js';
import { freePort } from './net.js';

/** A redis-server of the test's own (never the shared one at 6379), which it may stop and restart. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Starts it (again) on the same port, empty: nothing is kept on disk. Running already: nothing to do. */
  start(): Promise<void>;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
}

export const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start() {
      if (child) return Promise.resolve();
      const started = spawn('redis-server', args);
      let output = '';
      return new Promise((resolve, reject) => {
        started.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) {
            child = started;
            resolve();
          }
        });
        started.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
      });
    },
    async stop() {
      if (!child) return;
      child.kill('SIGTERM');
      await exited(child);
      child = undefined;
    },
  };
}

/** The suite's own redis-server, running from `beforeAll`, stopped in `afterAll` (see `useStarted`). */
export function useOwnRedis(): OwnRedis {
  return useStarted(
    'useOwnRedis',
    async () => {
      const redis = await ownRedis();
      await redis.start();
      return redis;
    },
    (redis) => redis.stop(),
  );
}
