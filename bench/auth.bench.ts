/**
 * Authentication benchmark (issue 2): requests/s and latency of monta-server's authenticated
 * `GET /timer-api/members/me` and `POST /timer-api/auth/email/login` on real PostgreSQL, beside a
 * bare Fastify + pg server doing the same work (bench/bare/auth-server.ts), in the same run.
 * It prints figures and never asserts timing; results are recorded in docs/performance.md.
 *
 *   npx tsx bench/auth.bench.ts          (or: npm run bench:auth)
 *
 * What it does, and stops by itself (about 1–2 minutes with the defaults):
 *  1. creates a fresh database `monta_bench_<random>` on the admin URL, migrates and seeds it;
 *  2. starts monta-server (src/main.ts, unchanged) and the bare server as two child processes on
 *     127.0.0.1, each with its own pg pool of the same size. Nest needs decorator metadata, which
 *     tsx does not emit, so the children run under `node --import bench/lib/swc-register.mjs`
 *     (SWC, as the test suite uses); no build step and nothing written to dist/;
 *  3. logs in once (which also upgrades the seeded password hash to the current Argon2id
 *     parameters, so both servers then verify the same hash), and checks that both servers answer
 *     the same JSON and accept each other's tokens;
 *  4. loads each route on each server in turn with autocannon (closed loop, keep-alive, one
 *     connection per unit of concurrency) running in this process: a warm-up, then a measured
 *     window; `/members/me` in BENCH_ROUNDS interleaved rounds (monta, bare, monta, bare, …), so
 *     both servers see the same machine load and each round gives a ratio;
 *  5. prints the machine, the settings, a table (and the same table as Markdown) and the ratios;
 *  6. stops both servers and drops the database, also on failure or Ctrl-C.
 *
 * Settings (environment):
 *   BENCH_SECONDS            measured seconds per run               (default 10)
 *   BENCH_WARMUP_SECONDS     discarded warm-up seconds per run      (default 3)
 *   BENCH_CONCURRENCY        concurrent requests for /members/me    (default 32)
 *   BENCH_LOGIN_CONCURRENCY  concurrent requests for login          (default 8)
 *   BENCH_POOL_SIZE          pg pool size of each server            (default 10, monta's default)
 *   BENCH_ADMIN_URL          PostgreSQL admin URL, loopback only    (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_ROUTES             which routes to load, comma-separated  (default me,login)
 *   BENCH_ROUNDS             interleaved rounds of /members/me      (default 3)
 *   BENCH_CPU_PROF_DIR       if set, both servers run with --cpu-prof and write their profiles
 *                            under <dir>/monta and <dir>/bare on exit (the larger file of each is
 *                            the main thread; open it in Chrome DevTools); profiling slows them
 *
 * Everything shares the machine: the load generator, both servers and PostgreSQL. On a small
 * machine the figures are a comparison between the two servers, not a capacity estimate.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_ACCOUNTS } from '../src/database/seeds/seed.js';
import { runAutocannon } from './lib/autocannon-load.js';
import type { LoadResult } from './lib/load.js';
import { describeMachine, freePort, ProcessSampler, type ServerProcess, startServer } from './lib/proc.js';
import { cleanUp, cleanups, watchdog } from './lib/cleanup.js';
import { createScratchDatabase, withAdmin } from './lib/scratch-database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function intSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

const settings = {
  seconds: intSetting('BENCH_SECONDS', 10, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 3, 0, 120),
  meConcurrency: intSetting('BENCH_CONCURRENCY', 32, 1, 1024),
  loginConcurrency: intSetting('BENCH_LOGIN_CONCURRENCY', 8, 1, 1024),
  poolSize: intSetting('BENCH_POOL_SIZE', 10, 1, 200),
  rounds: intSetting('BENCH_ROUNDS', 3, 1, 20),
  adminUrl: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  cpuProfileDir: process.env.BENCH_CPU_PROF_DIR?.trim() || undefined,
  routes: new Set((process.env.BENCH_ROUTES ?? 'me,login').split(',').map((r) => r.trim())),
};
for (const route of settings.routes) {
  if (route !== 'me' && route !== 'login') throw new Error(`BENCH_ROUTES: unknown route ${JSON.stringify(route)}`);
}
// One folder per server: with the SWC hooks each process has two threads, each writing a profile.
const nodeFlags = (name: string) =>
  settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(settings.cpuProfileDir, name)}`] : [];

const adminHost = new URL(settings.adminUrl).hostname;
if (!['127.0.0.1', 'localhost', '[::1]'].includes(adminHost)) {
  throw new Error(`BENCH_ADMIN_URL must point at a loopback address, not ${adminHost}`);
}

const USER = TEST_ACCOUNTS.find((a) => a.roleId === 2) ?? TEST_ACCOUNTS[0];
const LOGIN_BODY = JSON.stringify({ email: USER.email, password: USER.password });
const ME = '/timer-api/members/me';
const LOGIN = '/timer-api/auth/email/login';

// ---------------------------------------------------------------------------------------------

// A hard stop well past the expected length, so a stuck run never lingers.
const expectedSeconds = (2 * settings.rounds + 2) * (2 * settings.warmupSeconds + settings.seconds + 2) + 60;
const stop = watchdog(expectedSeconds + 120);

// ---------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  body: unknown;
}

async function call(base: string, method: 'GET' | 'POST', path: string, init: { token?: string; body?: string }) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, { method, headers, body: init.body });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body } satisfies Reply;
}

interface LoginData {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  account: Record<string, unknown>;
}

function loginData(name: string, reply: Reply): LoginData {
  const data = (reply.body as { data?: Partial<LoginData> } | undefined)?.data;
  if (reply.status !== 200 || typeof data?.access_token !== 'string' || typeof data.account !== 'object') {
    throw new Error(`${name} login failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return data as LoginData;
}

/** Both servers must do the same thing before their figures mean anything. */
async function checkSameAnswers(monta: ServerProcess, bare: ServerProcess): Promise<string> {
  const montaLogin = loginData('monta', await call(monta.url, 'POST', LOGIN, { body: LOGIN_BODY }));
  const bareLogin = loginData('bare', await call(bare.url, 'POST', LOGIN, { body: LOGIN_BODY }));
  const problems: string[] = [];
  if (!isDeepStrictEqual(Object.keys(montaLogin).sort(), Object.keys(bareLogin).sort())) {
    problems.push(`login keys differ: ${Object.keys(montaLogin)} vs ${Object.keys(bareLogin)}`);
  }
  if (!isDeepStrictEqual(montaLogin.account, bareLogin.account)) {
    problems.push(
      `login account differs: ${JSON.stringify(montaLogin.account)} vs ${JSON.stringify(bareLogin.account)}`,
    );
  }
  const token = montaLogin.access_token;
  const montaMe = await call(monta.url, 'GET', ME, { token });
  const bareMe = await call(bare.url, 'GET', ME, { token });
  if (montaMe.status !== 200 || !isDeepStrictEqual(montaMe.body, bareMe.body)) {
    problems.push(`me differs: ${JSON.stringify(montaMe)} vs ${JSON.stringify(bareMe)}`);
  }
  // Same key, same claims: each accepts the other's access token.
  const crossed = await call(monta.url, 'GET', ME, { token: bareLogin.access_token });
  if (crossed.status !== 200) problems.push(`monta refused the bare server's token: ${crossed.status}`);
  const tampered = await call(bare.url, 'GET', ME, { token: token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA') });
  if (tampered.status !== 401) problems.push(`the bare server accepted a tampered token: ${tampered.status}`);
  if (problems.length) throw new Error(`the two servers do not answer alike:\n- ${problems.join('\n- ')}`);
  return token;
}

interface Row {
  route: string;
  server: string;
  concurrency: number;
  result: LoadResult;
  peakRss?: number;
  serverCpuMs?: number;
  machineBusy?: number;
  wallMs: number;
}

async function measure(
  route: string,
  server: ServerProcess,
  concurrency: number,
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
): Promise<Row> {
  const pid = server.child.pid;
  if (pid === undefined) throw new Error(`${server.name} has no pid`);
  const sampler = new ProcessSampler(pid);
  process.stdout.write(`  ${route.padEnd(22)} ${server.name.padEnd(6)} c=${concurrency} … `);
  const result = await runAutocannon({
    baseUrl: server.url,
    ...request,
    expectStatus: 200,
    concurrency,
    warmupSeconds: settings.warmupSeconds,
    seconds: settings.seconds,
    onMeasureStart: () => sampler.start(),
    onMeasureEnd: () => sampler.stop(),
  });
  console.log(`${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}`);
  if (result.errorSamples.length) console.log(`    errors seen: ${result.errorSamples.join('; ')}`);
  await sleep(1000); // let the server settle (GC, sockets) before the next run
  return {
    route,
    server: server.name,
    concurrency,
    result,
    peakRss: sampler.peakRss,
    serverCpuMs: sampler.cpuMs,
    machineBusy: sampler.machineBusy,
    wallMs: sampler.wallMs,
  };
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);

function table(rows: Row[]): { header: string[]; lines: string[][] } {
  const header = [
    'route',
    'server',
    'conc.',
    'req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'errors',
    'peak RSS MiB',
    'server CPU ms/req',
    'server CPU %',
    'load-gen CPU %',
    'machine busy %',
  ];
  const lines = rows.map((r) => {
    const cpuShare = (ms: number | undefined) => (ms === undefined ? undefined : (100 * ms) / r.wallMs);
    return [
      r.route,
      r.server,
      String(r.concurrency),
      fixed(r.result.requestsPerSecond, 0),
      fixed(r.result.p50, 2),
      fixed(r.result.p95, 2),
      fixed(r.result.p99, 2),
      fixed(r.result.max, 1),
      String(r.result.errors),
      fixed(r.peakRss === undefined ? undefined : r.peakRss / 2 ** 20, 0),
      fixed(r.serverCpuMs === undefined ? undefined : r.serverCpuMs / Math.max(1, r.result.requests), 3),
      fixed(cpuShare(r.serverCpuMs), 0),
      fixed(cpuShare(r.result.generatorCpuMs), 0),
      fixed(r.machineBusy === undefined ? undefined : 100 * r.machineBusy, 0),
    ];
  });
  return { header, lines };
}

function printPlain(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])));
  console.log(format(header).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line).join('  '));
}

function printMarkdown(header: string[], lines: string[][]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const postgresVersion = await withAdmin(
    settings.adminUrl,
    async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0].v,
  );
  console.log('Machine');
  for (const [key, value] of Object.entries(machine)) {
    console.log(key === 'free -h' ? `  free -h:\n${value.replace(/^/gm, '    ')}` : `  ${key}: ${value}`);
  }
  console.log(`  PostgreSQL: ${postgresVersion} (${adminHost})`);
  // Other work on the machine skews everything; the load average before the run tells of it.
  console.log(
    `  load average before the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  console.log(
    `Settings: ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per run; ` +
      `concurrency ${settings.meConcurrency} (me) / ${settings.loginConcurrency} (login); ` +
      `pg pool ${settings.poolSize} per server; ${settings.rounds} interleaved round(s) of /members/me; ` +
      'autocannon in the bench process',
  );

  const databaseUrl = (await createScratchDatabase(settings.adminUrl, 'monta_bench')).url;
  const secrets = {
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
    AUTH_JWT_TOKEN_EXPIRES_IN: '3600', // outlives the run
    AUTH_REFRESH_TOKEN_EXPIRES_IN: String(14 * 86400),
  };
  const many = '1000000000';
  const monta = await startServer({
    name: 'monta',
    entry: 'src/main.ts',
    nodeFlags: nodeFlags('monta'),
    cwd: ROOT,
    port: await freePort(),
    readyPath: '/health/live',
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(settings.poolSize),
      MIGRATE_ON_START: 'false',
      RATE_LIMIT_LOGIN_PER_IP: many,
      RATE_LIMIT_LOGIN_PER_ACCOUNT: many,
      RATE_LIMIT_REGISTER_PER_IP: many,
      RATE_LIMIT_REFRESH_PER_IP: many,
      RATE_LIMIT_REFRESH_PER_ACCOUNT: many,
      RATE_LIMIT_SOCIAL_PER_IP: many,
      // The statistics jobs' scheduler (issue 10) polls on its own whatever the traffic; off here, so the
      // figures are the request path's alone.
      JOBS_ENABLED: 'false',
      ...secrets,
    },
  });
  cleanups.push(() => monta.stop());
  const bare = await startServer({
    name: 'bare',
    entry: 'bench/bare/auth-server.ts',
    nodeFlags: nodeFlags('bare'),
    cwd: ROOT,
    port: await freePort(),
    readyPath: '/health/live',
    env: {
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(settings.poolSize),
      ...secrets,
    },
  });
  cleanups.push(() => bare.stop());

  const token = await checkSameAnswers(monta, bare);
  console.log('Both servers answer alike (same /members/me body, same login account, tokens interchangeable).');
  console.log('Runs:');

  const me = { method: 'GET' as const, path: ME, headers: { authorization: `Bearer ${token}` } };
  const login = {
    method: 'POST' as const,
    path: LOGIN,
    headers: { 'content-type': 'application/json' },
    body: LOGIN_BODY,
  };
  const rows: Row[] = [];
  if (settings.routes.has('me')) {
    for (let round = 1; round <= settings.rounds; round++) {
      for (const server of [monta, bare]) {
        rows.push(await measure(`GET /members/me #${round}`, server, settings.meConcurrency, me));
      }
    }
  }
  if (settings.routes.has('login')) {
    for (const server of [monta, bare]) {
      rows.push(await measure('POST /auth/email/login', server, settings.loginConcurrency, login));
    }
  }

  for (const server of [monta, bare]) {
    const code = server.child.exitCode;
    if (code !== null) throw new Error(`${server.name} exited (${code}) during the run:\n${server.output()}`);
  }

  const { header, lines } = table(rows);
  console.log('\nResults');
  printPlain(header, lines);
  console.log('\nRatios monta / bare');
  for (const route of [...new Set(rows.map((r) => r.route))]) {
    const m = rows.find((r) => r.route === route && r.server === 'monta');
    const b = rows.find((r) => r.route === route && r.server === 'bare');
    if (!m || !b) continue;
    const ratio = (x: number | undefined, y: number | undefined) =>
      x === undefined || y === undefined || y === 0 ? 'n/a' : (x / y).toFixed(2);
    const perRequest = (r: Row) => (r.serverCpuMs === undefined ? undefined : r.serverCpuMs / r.result.requests);
    console.log(
      `  ${route.padEnd(22)} req/s ${ratio(m.result.requestsPerSecond, b.result.requestsPerSecond)}` +
        `  p50 ${ratio(m.result.p50, b.result.p50)}  p99 ${ratio(m.result.p99, b.result.p99)}` +
        `  CPU/req ${ratio(perRequest(m), perRequest(b))}  peak RSS ${ratio(m.peakRss, b.peakRss)}`,
    );
  }
  // All rounds together: the figure the target (monta ≥ 0.9× bare) is read from.
  const total = (server: string) => {
    const mine = rows.filter((r) => r.route.startsWith('GET /members/me') && r.server === server);
    const requests = mine.reduce((sum, r) => sum + r.result.requests, 0);
    const seconds = mine.reduce((sum, r) => sum + r.result.seconds, 0);
    const cpuMs = mine.reduce((sum, r) => sum + (r.serverCpuMs ?? Number.NaN), 0);
    return { rps: requests / seconds, cpuPerRequest: cpuMs / requests };
  };
  if (settings.routes.has('me')) {
    const [m, b] = [total('monta'), total('bare')];
    console.log(
      `  GET /members/me, all ${settings.rounds} rounds: monta ${m.rps.toFixed(0)} req/s, bare ${b.rps.toFixed(0)} req/s, ` +
        `req/s ${(m.rps / b.rps).toFixed(2)}  CPU/req ${(m.cpuPerRequest / b.cpuPerRequest).toFixed(2)}`,
    );
  }
  console.log('\nMarkdown');
  printMarkdown(header, lines);
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
