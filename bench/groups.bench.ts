/**
 * Socket joins (issues 4 and 11), the one socket load tool: BENCH_SOCKETS sockets connecting and
 * joining a study group at once, against monta-server and against a bare socket.io server that seats
 * sockets in rooms of 8 with no token check and no storage (bench/bare/groups-server.ts), in the same
 * run, in interleaved rounds. Prints figures and ratios, never asserts timing.
 *
 *   npm run bench:groups
 *
 *  1. a scratch database with BENCH_SOCKETS members by SQL, their access tokens signed as the server
 *     signs them (no Argon2 spent on set-up);
 *  2. a private redis-server and monta-server with REDIS_URL (the Redis group store and adapter, as
 *     deployed), and the bare server;
 *  3. a warm-up round of 50 sockets per server; then per round and server: every socket opened in the
 *     same tick (`auth: { token }`, websocket transport), each emitting `joinGroup {jwtToken}` on
 *     `connect`, as the PWA does; the figures: connect start → `groupInfo` per socket, and the
 *     server's CPU time and RSS; then all disconnect and the next run waits.
 *
 * Settings: BENCH_SOCKETS (1000), BENCH_ROUNDS (3), BENCH_NO_REDIS=1 (monta with its memory store, one
 * instance), BENCH_ADMIN_URL, BENCH_NODE_FLAGS. Each socket is an open file here and in the server:
 * `ulimit -n` must exceed BENCH_SOCKETS.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { ownRedis } from '../test/support/redis-server.js';
import { cleanups, runBench } from './lib/cleanup.js';
import { insertMembers, signTokens } from './lib/members.js';
import { type ServerProcess, startMonta, startServer } from './lib/proc.js';
import { fixed, mib, type Percentiles, printMachine, printTable, ratio, summarize } from './lib/report.js';
import { ProcessSampler } from './lib/sample.js';
import { connect, createScratchDatabase } from './lib/scratch-database.js';
import { ADMIN_URL, intSetting } from './lib/settings.js';

const SOCKETS = intSetting('BENCH_SOCKETS', 1000, 1, 10_000);
const ROUNDS = intSetting('BENCH_ROUNDS', 3, 1, 20);
const USE_REDIS = process.env.BENCH_NO_REDIS !== '1';

interface Run extends Percentiles {
  server: string;
  failed: number;
  failures: string[];
  cpuMs?: number;
  peakRss?: number;
}

/** Opens one socket per token in one tick; each joins on connect; resolves when all answered or failed. */
async function run(server: ServerProcess, tokens: string[]): Promise<Run> {
  const sampler = new ProcessSampler(server.child.pid ?? 0);
  sampler.start();
  const latencies: number[] = [];
  const failures = new Set<string>();
  const sockets: Socket[] = [];
  await new Promise<void>((resolve) => {
    let pending = tokens.length;
    const deadline = setTimeout(() => {
      failures.add(`no groupInfo within 30 s: ${pending}`);
      resolve();
    }, 30_000);
    for (const token of tokens) {
      const opened = performance.now();
      const socket = io(server.url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        timeout: 20_000,
      });
      sockets.push(socket);
      let done = false;
      const finish = (error?: string) => {
        if (done) return;
        done = true;
        if (error === undefined) latencies.push(performance.now() - opened);
        else if (failures.size < 5) failures.add(error);
        if (--pending > 0) return;
        clearTimeout(deadline);
        resolve();
      };
      socket.on('connect', () => socket.emit('joinGroup', { jwtToken: token }));
      socket.on('groupInfo', () => finish());
      socket.on('connect_error', (error: Error) => finish(`connect_error: ${error.message}`));
      socket.on('exception', (payload: unknown) => finish(`exception: ${JSON.stringify(payload)}`));
      socket.on('disconnect', (reason: string) => finish(`disconnect: ${reason}`));
    }
  });
  sampler.stop();
  for (const socket of sockets) socket.disconnect();
  await sleep(1500); // seats given up, sockets closed, before the next run
  const failed = tokens.length - latencies.length;
  return {
    server: server.name,
    ...summarize(latencies),
    failed,
    failures: [...failures],
    cpuMs: sampler.cpuMs,
    peakRss: sampler.peakRss,
  };
}

async function main(): Promise<void> {
  console.log('Machine');
  await printMachine(ADMIN_URL);
  console.log(
    `Settings: ${SOCKETS} sockets at once per run, ${ROUNDS} interleaved rounds, monta ${USE_REDIS ? 'with' : 'without'} Redis`,
  );
  const database = await createScratchDatabase(ADMIN_URL, 'monta_bench');
  const members = await signTokens(await insertMembers(await connect(database.url), 'bench-groups', SOCKETS));
  const tokens = members.map((m) => m.token);
  const redis = await ownRedis(); // a private one (no persistence), never the shared Redis
  if (USE_REDIS) {
    await redis.start();
    cleanups.push(() => redis.stop());
  }
  const monta = await startMonta(database.url, { LOG_LEVEL: 'warn', ...(USE_REDIS ? { REDIS_URL: redis.url } : {}) });
  const bare = await startServer({ name: 'bare', entry: 'bench/bare/groups-server.ts', env: {} });

  for (const server of [monta, bare]) {
    const warm = await run(server, tokens.slice(0, 50));
    if (warm.failed) throw new Error(`${server.name} warm-up failed: ${warm.failures.join('; ')}`);
  }
  const runs: Run[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of [monta, bare]) {
      const r = await run(server, tokens);
      runs.push(r);
      const failures = r.failures.length ? `  failures: ${r.failures.join('; ')}` : '';
      console.log(
        `  round ${round} ${r.server.padEnd(5)} joined ${r.count}/${SOCKETS}  p99 ${fixed(r.p99, 1)} ms${failures}`,
      );
    }
  }
  console.log('\nConnect → groupInfo, per socket; server CPU and peak RSS over the run');
  const header = [
    'round',
    'server',
    'joined',
    'failed',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'server CPU ms',
    'peak RSS MiB',
  ];
  const line = (r: Run, i: number) => [
    String(Math.floor(i / 2) + 1),
    r.server,
    String(r.count),
    String(r.failed),
    ...[r.p50, r.p95, r.p99, r.max].map((ms) => fixed(ms, 1)),
    fixed(r.cpuMs, 0),
    fixed(mib(r.peakRss), 0),
  ];
  printTable(header, runs.map(line), 2);
  console.log('\nRatios monta / bare, per round');
  for (let i = 0; i < runs.length; i += 2) {
    const [m, b] = [runs[i], runs[i + 1]];
    console.log(
      `  round ${i / 2 + 1}: p99 ${ratio(m.p99, b.p99)}  p50 ${ratio(m.p50, b.p50)}  CPU ${ratio(m.cpuMs, b.cpuMs)}`,
    );
  }
}

await runBench(main, 180 + ROUNDS * 2 * 40);
