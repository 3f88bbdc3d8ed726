/**
 * Socket join benchmark (issue 11): 1,000 sockets connecting and joining at once, against monta-server
 * and against a bare socket.io server that seats sockets in rooms of 8 with no token check and no
 * storage (bench/bare/groups-server.ts), in the same run, in interleaved rounds. It prints figures and
 * never asserts timing.
 *
 *   npx tsx bench/groups.bench.ts
 *
 * What it does, and stops by itself:
 *  1. creates a fresh database `monta_bench_<random>` (migrated, seeded, dropped at the end) and inserts
 *     BENCH_SOCKETS accounts with a member and a streak each by SQL; their access tokens are signed here
 *     with the server's secret (HS256, generation 0), so no Argon2 hashing is spent on setup;
 *  2. starts a private redis-server and monta-server (src/main.ts under the SWC loader, NODE_ENV=production,
 *     LOG_LEVEL=warn, REDIS_URL set: the Redis group store and adapter, as deployed) and the bare server;
 *  3. per round and server: opens every socket in the same tick (`auth: { token }`, websocket transport),
 *     each emits `joinGroup {jwtToken}` on `connect`; the figure is connect start → `groupInfo` per socket;
 *     then all disconnect and the next run waits a second. A warm-up round of 50 sockets per server comes first.
 *
 * Settings (environment):
 *   BENCH_SOCKETS         sockets per run                        (default 1000)
 *   BENCH_ROUNDS          interleaved rounds (monta, bare, …)    (default 3)
 *   BENCH_NO_REDIS        set to 1: monta without Redis (memory store, one instance)
 *   BENCH_ADMIN_URL       PostgreSQL admin URL, loopback only    (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_CPU_PROF_DIR    if set, monta runs with --cpu-prof and writes its profiles there on exit
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { cleanUp, cleanups, watchdog } from './lib/cleanup.js';
import { percentile } from './lib/load.js';
import { describeMachine, freePort, processCpuMs, type ServerProcess, startServer } from './lib/proc.js';
import { startRedis } from './lib/redis.js';
import { createScratchDatabase } from './lib/scratch-database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
if (!Number.isInteger(SOCKETS) || SOCKETS < 1 || SOCKETS > 10_000) throw new Error('BENCH_SOCKETS: 1 to 10000');
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 20) throw new Error('BENCH_ROUNDS: 1 to 20');
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(ADMIN_URL).hostname)) {
  throw new Error('BENCH_ADMIN_URL must point at a loopback address');
}
const stop = watchdog(120 + ROUNDS * 2 * 40);

interface RunResult {
  server: string;
  joined: number;
  failed: number;
  failures: string[];
  p50: number;
  p95: number;
  p99: number;
  max: number;
  serverCpuMs?: number;
  seconds: number;
}

/** Opens `tokens.length` sockets in one tick; each joins on connect; resolves when all answered or failed. */
async function run(server: ServerProcess, tokens: string[]): Promise<RunResult> {
  const pid = server.child.pid!;
  const cpuBefore = processCpuMs(pid);
  const started = performance.now();
  const latencies: number[] = [];
  const failures = new Set<string>();
  let failed = 0;
  const sockets: Socket[] = [];
  await new Promise<void>((resolve) => {
    let pending = tokens.length;
    const settle = () => --pending === 0 && resolve();
    const deadline = setTimeout(() => {
      failed += pending;
      failures.add('no groupInfo within 30 s');
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
        if (error) {
          failed++;
          if (failures.size < 5) failures.add(error);
        } else latencies.push(performance.now() - opened);
        settle();
        if (pending === 0) clearTimeout(deadline);
      };
      socket.on('connect', () => socket.emit('joinGroup', { jwtToken: token }));
      socket.on('groupInfo', () => finish());
      socket.on('connect_error', (error: Error) => finish(`connect_error: ${error.message}`));
      socket.on('exception', (payload: unknown) => finish(`exception: ${JSON.stringify(payload)}`));
      socket.on('disconnect', (reason: string) => finish(`disconnect: ${reason}`));
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = processCpuMs(pid);
  for (const socket of sockets) socket.disconnect();
  await sleep(1500); // seats given up, sockets closed, before the next run
  const sorted = Float64Array.from(latencies).sort();
  return {
    server: server.name,
    joined: latencies.length,
    failed,
    failures: [...failures],
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    serverCpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    seconds,
  };
}

/** Accounts + members + streaks by SQL, and an access token for each, signed as the server signs them. */
async function makeMembers(databaseUrl: string, secret: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `with a as (
         insert into account (email, password, provider, role_id)
         select 'bench' || i || '@bench.test', null, 'email', 2 from generate_series(1, $1) i
         returning account_id),
       m as (
         insert into member (account_id, nickname, image_url, status_message, point)
         select account_id, 'b' || left(account_id::text, 8), '', '', 0 from a returning member_id)
       insert into study_streak (member_id) select member_id from m`,
      [count],
    );
    const accounts = await client.query<{ account_id: string; email: string }>(
      `select account_id, email from account where email like 'bench%@bench.test'`,
    );
    const key = new TextEncoder().encode(secret);
    const now = Math.floor(Date.now() / 1000);
    return Promise.all(
      accounts.rows.map((a) =>
        new SignJWT({ email: a.email, role: { role_id: 2, name: 'User' }, gen: 0 })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setSubject(a.account_id)
          .setIssuedAt(now)
          .setExpirationTime(now + 3600)
          .sign(key),
      ),
    );
  } finally {
    await client.end();
  }
}

const fmt = (n: number | undefined, d = 1) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(d));

async function main(): Promise<void> {
  console.log('Machine');
  for (const [k, v] of Object.entries(describeMachine())) if (k !== 'free -h') console.log(`  ${k}: ${v}`);
  console.log(
    `  load average before the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  const useRedis = process.env.BENCH_NO_REDIS !== '1';
  console.log(
    `Settings: ${SOCKETS} sockets at once per run, ${ROUNDS} interleaved rounds, monta ${useRedis ? 'with' : 'without'} Redis`,
  );

  const databaseUrl = (await createScratchDatabase(ADMIN_URL, 'monta_bench')).url;
  const secret = randomBytes(32).toString('hex');
  const tokens = await makeMembers(databaseUrl, secret, SOCKETS);
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'false',
    AUTH_JWT_SECRET: secret,
    AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
    SOCKET_MAX_PER_IP: '100000',
    JOBS_ENABLED: 'false',
  };
  if (useRedis) {
    const redis = await startRedis({ port: await freePort() });
    cleanups.push(() => redis.stop());
    env.REDIS_URL = redis.url;
  }
  const profile = process.env.BENCH_CPU_PROF_DIR?.trim();
  const monta = await startServer({
    name: 'monta',
    entry: 'src/main.ts',
    nodeFlags: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
    cwd: ROOT,
    port: await freePort(),
    readyPath: '/health/live',
    env,
  });
  cleanups.push(() => monta.stop());
  const bare = await startServer({
    name: 'bare',
    entry: 'bench/bare/groups-server.ts',
    cwd: ROOT,
    port: await freePort(),
    readyPath: '/health/live',
    env: { HOST: '127.0.0.1' },
  });
  cleanups.push(() => bare.stop());

  for (const server of [monta, bare]) {
    const warm = await run(server, tokens.slice(0, 50));
    if (warm.failed) throw new Error(`${server.name} warm-up failed: ${warm.failures.join('; ')}`);
  }
  const results: RunResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of [monta, bare]) {
      const r = await run(server, tokens);
      results.push(r);
      console.log(
        `  round ${round} ${r.server.padEnd(5)} joined ${r.joined}/${SOCKETS}  p50 ${fmt(r.p50)}  p95 ${fmt(r.p95)}  ` +
          `p99 ${fmt(r.p99)}  max ${fmt(r.max)} ms  server CPU ${fmt(r.serverCpuMs, 0)} ms` +
          (r.failures.length ? `  failures: ${r.failures.join('; ')}` : ''),
      );
    }
  }
  console.log('\n| round | server | joined | failed | p50 ms | p95 ms | p99 ms | max ms | server CPU ms |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  results.forEach((r, i) =>
    console.log(
      `| ${Math.floor(i / 2) + 1} | ${r.server} | ${r.joined} | ${r.failed} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.serverCpuMs, 0)} |`,
    ),
  );
  console.log('\nRatios monta / bare, per round (p99 connect → groupInfo; server CPU)');
  for (let i = 0; i < results.length; i += 2) {
    const [m, b] = [results[i], results[i + 1]];
    console.log(
      `  round ${i / 2 + 1}: p99 ${fmt(m.p99 / b.p99, 2)}  p50 ${fmt(m.p50 / b.p50, 2)}  CPU ${fmt((m.serverCpuMs ?? NaN) / (b.serverCpuMs ?? NaN), 2)}`,
    );
  }
  console.log(
    `  load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
}

try {
  await main();
} catch (error) {
  console.error('\nbenchmark failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
  clearTimeout(stop);
}
