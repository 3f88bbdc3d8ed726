/**
 * Authentication (issues 2 and 11): requests/s, latency and CPU per request of monta-server's
 * `GET /timer-api/members/me` and `POST /timer-api/auth/email/login`, beside a bare Fastify + pg
 * server doing the same work (bench/bare/auth-server.ts), in the same run. Prints figures, never
 * asserts timing; results in docs/performance.md.
 *
 *   npm run bench:auth        (about 1–2 minutes with the defaults)
 *
 *  1. a scratch database (migrated, seeded, dropped at the end); monta-server and the bare server as
 *     children on 127.0.0.1, each with a pg pool of BENCH_POOL_SIZE and the same secrets;
 *  2. one login (it upgrades the seeded hash to today's Argon2id parameters, so both then verify the
 *     same hash); both must answer the same JSON and accept each other's tokens;
 *  3. autocannon, a warm-up then a measured window per run: `/members/me` in BENCH_ROUNDS interleaved
 *     rounds (monta, bare, monta, …: both see the same machine load, each round gives a ratio), then login;
 *  4. a table and the ratios monta / bare.
 *
 * Settings: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (32, /members/me),
 * BENCH_LOGIN_CONCURRENCY (8), BENCH_POOL_SIZE (10, monta's default), BENCH_ROUNDS (3),
 * BENCH_ROUTES (me,login), BENCH_ADMIN_URL, BENCH_NODE_FLAGS (node flags of both servers, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { isDeepStrictEqual } from 'node:util';
import { TEST_ACCOUNTS } from '../src/database/seeds/seed.js';
import { runBench } from './lib/cleanup.js';
import { figures, FIGURES, HttpClient, type Measured, measure } from './lib/http.js';
import { API } from './lib/members.js';
import { BENCH_SECRETS, type ServerProcess, startMonta, startServer } from './lib/proc.js';
import { printMachine, printTable, ratio } from './lib/report.js';
import { createScratchDatabase } from './lib/scratch-database.js';
import { ADMIN_URL, intSetting } from './lib/settings.js';

const settings = {
  seconds: intSetting('BENCH_SECONDS', 10, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 3, 0, 120),
  meConcurrency: intSetting('BENCH_CONCURRENCY', 32, 1, 1024),
  loginConcurrency: intSetting('BENCH_LOGIN_CONCURRENCY', 8, 1, 1024),
  poolSize: intSetting('BENCH_POOL_SIZE', 10, 1, 200),
  rounds: intSetting('BENCH_ROUNDS', 3, 1, 20),
  routes: (process.env.BENCH_ROUTES ?? 'me,login').split(',').map((r) => r.trim()),
};
if (settings.routes.some((r) => r !== 'me' && r !== 'login')) throw new Error('BENCH_ROUTES: me and/or login');
const USER = TEST_ACCOUNTS.find((a) => a.roleId === 2) ?? TEST_ACCOUNTS[0];
const LOGIN_BODY = JSON.stringify({ email: USER.email, password: USER.password });
const ME = `${API}/members/me`;
const LOGIN = `${API}/auth/email/login`;

/** Both servers must do the same thing before their figures mean anything; returns monta's token. */
async function checkSameAnswers(monta: ServerProcess, bare: ServerProcess): Promise<string> {
  const [m, b] = [new HttpClient(monta.url, 1), new HttpClient(bare.url, 1)];
  try {
    type Login = { access_token: string; account: unknown };
    const montaLogin = await m.data<Login>('POST', LOGIN, { body: LOGIN_BODY });
    const bareLogin = await b.data<Login>('POST', LOGIN, { body: LOGIN_BODY });
    const token = montaLogin.access_token;
    const problems: string[] = [];
    if (!isDeepStrictEqual(Object.keys(montaLogin).sort(), Object.keys(bareLogin).sort()))
      problems.push('login keys differ');
    if (!isDeepStrictEqual(montaLogin.account, bareLogin.account)) problems.push('login accounts differ');
    const [montaMe, bareMe] = [await m.call('GET', ME, { token }), await b.call('GET', ME, { token })];
    if (montaMe.status !== 200 || !isDeepStrictEqual(JSON.parse(montaMe.text), JSON.parse(bareMe.text)))
      problems.push(`me: ${montaMe.text} vs ${bareMe.text}`);
    // Same key, same claims: each accepts the other's access token, and a tampered one is refused.
    if ((await m.call('GET', ME, { token: bareLogin.access_token })).status !== 200)
      problems.push('monta refused bare token');
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    if ((await b.call('GET', ME, { token: tampered })).status !== 401) problems.push('bare accepted a tampered token');
    if (problems.length) throw new Error(`the two servers do not answer alike:\n- ${problems.join('\n- ')}`);
    return token;
  } finally {
    m.close();
    b.close();
  }
}

async function main(): Promise<void> {
  console.log('Machine');
  await printMachine(ADMIN_URL);
  console.log(
    `Settings: ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per run; concurrency ` +
      `${settings.meConcurrency} (me) / ${settings.loginConcurrency} (login); pg pool ${settings.poolSize} per server; ` +
      `${settings.rounds} interleaved round(s) of /members/me; autocannon in the bench process`,
  );
  const database = await createScratchDatabase(ADMIN_URL, 'monta_bench');
  const pool = { DATABASE_URL: database.url, DATABASE_POOL_SIZE: String(settings.poolSize) };
  const monta = await startMonta(database.url, pool);
  const bare = await startServer({
    name: 'bare',
    entry: 'bench/bare/auth-server.ts',
    env: { ...pool, ...BENCH_SECRETS },
  });
  const token = await checkSameAnswers(monta, bare);
  console.log('Both servers answer alike (same /members/me body, same login account, tokens interchangeable).\nRuns:');

  const rows: { route: string; server: string; m: Measured }[] = [];
  const run = async (route: string, server: ServerProcess, spec: Parameters<typeof measure>[2]) =>
    rows.push({ route, server: server.name, m: await measure(route, server, spec, database) });
  const windows = { expectStatus: 200, warmupSeconds: settings.warmupSeconds, seconds: settings.seconds };
  if (settings.routes.includes('me')) {
    const me = { ...windows, method: 'GET' as const, path: ME, concurrency: settings.meConcurrency };
    for (let round = 1; round <= settings.rounds; round++) {
      for (const server of [monta, bare])
        await run(`GET /members/me #${round}`, server, { ...me, headers: { authorization: `Bearer ${token}` } });
    }
  }
  if (settings.routes.includes('login')) {
    const login = {
      ...windows,
      method: 'POST' as const,
      path: LOGIN,
      body: LOGIN_BODY,
      concurrency: settings.loginConcurrency,
    };
    for (const server of [monta, bare]) await run('POST /auth/email/login', server, login);
  }
  for (const server of [monta, bare]) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited during the run:\n${server.output()}`);
  }

  console.log('\nResults (CPU per request: the server process, from /proc)');
  printTable(
    ['route', 'server', ...FIGURES],
    rows.map((r) => [r.route, r.server, ...figures(r.m)]),
    2,
  );
  console.log('\nRatios monta / bare');
  const cpuPerRequest = (m: Measured) => (m.serverCpuMs === undefined ? undefined : m.serverCpuMs / m.requests);
  const sum = (server: string, value: (m: Measured) => number) =>
    rows.filter((r) => r.server === server && r.route.startsWith('GET')).reduce((total, r) => total + value(r.m), 0);
  for (const route of new Set(rows.map((r) => r.route))) {
    const [m, b] = ['monta', 'bare'].map((server) => rows.find((r) => r.route === route && r.server === server)!.m);
    console.log(
      `  ${route.padEnd(24)} req/s ${ratio(m.requestsPerSecond, b.requestsPerSecond)}  p50 ${ratio(m.p50, b.p50)}  ` +
        `p99 ${ratio(m.p99, b.p99)}  CPU/req ${ratio(cpuPerRequest(m), cpuPerRequest(b))}  peak RSS ${ratio(m.peakRss, b.peakRss)}`,
    );
  }
  if (settings.routes.includes('me')) {
    // All rounds together: the figure issue 11's target (monta ≥ 0.9× bare) is read from.
    const [m, b] = ['monta', 'bare'].map((s) => ({
      rps: sum(s, (x) => x.requests) / sum(s, (x) => x.seconds),
      cpu: sum(s, (x) => x.serverCpuMs ?? Number.NaN) / sum(s, (x) => x.requests),
    }));
    console.log(
      `  GET /members/me, all rounds: req/s ${ratio(m.rps, b.rps)} (${m.rps.toFixed(0)} / ${b.rps.toFixed(0)})  CPU/req ${ratio(m.cpu, b.cpu)}`,
    );
  }
}

await runBench(main, (2 * settings.rounds + 2) * (2 * settings.warmupSeconds + settings.seconds + 2) + 180);
