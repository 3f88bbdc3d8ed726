/**
 * Socket joins (issues 4 and 11), the one socket load tool: BENCH_SOCKETS sockets connecting and joining
 * a study group at once, against monta-server and against a bare socket.io server that seats sockets in
 * rooms of 8 with no token check and no storage (bench/bare/groups-server.ts), in interleaved rounds of
 * the same run. Prints figures and ratios, never asserts timing.
 *
 *   npm run bench:groups
 *
 * monta-server runs with a private redis-server (the Redis group store and adapter, as deployed). After a
 * warm-up of 50 sockets per server, each run opens every socket in the same tick (`auth: { token }`,
 * websocket transport), each emitting `joinGroup {jwtToken}` on `connect` as the PWA does, and times
 * connect start → `groupInfo` per socket, with the server's CPU time and RSS; then all disconnect.
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
import { fixed, mib, type Percentiles, printRatios, printTable, summarize } from './lib/report.js';
import { sampleProcess } from './lib/sample.js';
import { setUp } from './lib/scratch-database.js';
import { intSetting } from './lib/settings.js';

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

/** One socket opened, joining on connect as the PWA does: connect start → `groupInfo` in ms, or why not. */
function join(url: string, token: string, sockets: Socket[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const opened = performance.now();
    const options = {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 20_000,
    };
    const socket = io(url, options);
    sockets.push(socket);
    socket.on('connect', () => socket.emit('joinGroup', { jwtToken: token }));
    socket.on('groupInfo', () => resolve(performance.now() - opened));
    socket.on('connect_error', (error: Error) => reject(new Error(`connect_error: ${error.message}`)));
    socket.on('exception', (payload: unknown) => reject(new Error(`exception: ${JSON.stringify(payload)}`)));
    socket.on('disconnect', (reason: string) => reject(new Error(`disconnect: ${reason}`)));
  });
}

/** Opens one socket per token in one tick; waits until all joined or failed (30 s at most), then closes them. */
async function run(server: ServerProcess, tokens: string[]): Promise<Run> {
  const stopSampling = sampleProcess(server.child.pid ?? 0);
  const sockets: Socket[] = [];
  const latencies: number[] = [];
  const failures = new Set<string>();
  let settled = 0;
  const joins = tokens.map((token) =>
    join(server.url, token, sockets)
      .then((ms) => void latencies.push(ms))
      .catch((error: Error) => void (failures.size < 5 && failures.add(error.message)))
      .finally(() => settled++),
  );
  await Promise.race([Promise.all(joins), sleep(30_000, undefined, { ref: false })]);
  if (settled < tokens.length) failures.add(`no groupInfo within 30 s: ${tokens.length - settled}`);
  const { cpuMs, peakRss } = stopSampling();
  for (const socket of sockets) socket.disconnect();
  await sleep(1500); // seats given up, sockets closed, before the next run
  const failed = tokens.length - latencies.length;
  return { server: server.name, ...summarize(latencies), failed, failures: [...failures], cpuMs, peakRss };
}

async function main(): Promise<void> {
  const { database, client } = await setUp(
    `${SOCKETS} sockets at once per run, ${ROUNDS} interleaved rounds, monta ${USE_REDIS ? 'with' : 'without'} Redis`,
  );
  const members = await signTokens(await insertMembers(client, 'bench-groups', SOCKETS));
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
  const rounds: [Run, Run][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const pair: Run[] = [];
    for (const server of [monta, bare]) {
      const r = await run(server, tokens);
      pair.push(r);
      const failures = r.failures.length ? `  failures: ${r.failures.join('; ')}` : '';
      console.log(
        `  round ${round} ${r.server.padEnd(5)} joined ${r.count}/${SOCKETS}  p99 ${fixed(r.p99, 1)} ms${failures}`,
      );
    }
    rounds.push(pair as [Run, Run]);
  }
  console.log('\nConnect → groupInfo, per socket; server CPU and peak RSS over the run');
  const header = ['round', 'server', 'joined', 'failed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  const line = (r: Run, round: number) => [
    String(round),
    r.server,
    String(r.count),
    String(r.failed),
    ...[r.p50, r.p95, r.p99, r.max].map((ms) => fixed(ms, 1)),
    fixed(r.cpuMs, 0),
    fixed(mib(r.peakRss), 0),
  ];
  const lines = rounds.flatMap((pair, i) => pair.map((r) => line(r, i + 1)));
  printTable([...header, 'server CPU ms', 'peak RSS MiB'], lines, 2);
  console.log('\nRatios monta / bare, per round');
  printRatios(rounds, { p99: (x) => x.p99, p50: (x) => x.p50, CPU: (x) => x.cpuMs });
}

await runBench(main, 180 + ROUNDS * 2 * 40);
