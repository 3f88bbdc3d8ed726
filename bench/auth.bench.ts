/**
 * Authentication hot path (issues 2 and 11): requests/s, latency and CPU per request of monta-server's
 * authenticated `GET /timer-api/members/me`, beside a bare Fastify + pg server doing the same work
 * (bench/bare/auth-server.ts), in the same run. Prints figures, never asserts timing.
 *
 *   npm run bench:auth        (about a minute with the defaults)
 *
 * Both servers get a pg pool of BENCH_POOL_SIZE and the same secret; one login through monta-server
 * gives the token, both must answer `/members/me` alike and the bare server must refuse a tampered
 * token. Then BENCH_ROUNDS interleaved rounds (monta, bare, monta, …: both see the same machine load),
 * and the ratios monta / bare per round and over all rounds (issue 11's target: ≥ 0.9×).
 *
 * Settings: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (32), BENCH_POOL_SIZE (10,
 * monta's default), BENCH_ROUNDS (3), BENCH_ADMIN_URL, BENCH_NODE_FLAGS.
 */
import { isDeepStrictEqual } from 'node:util';
import { TEST_ACCOUNTS } from '../src/seeds/seed.js';
import { runBench } from './lib/cleanup.js';
import { figures, FIGURES, httpClient, type Measured, measure } from './lib/http.js';
import { API } from './lib/members.js';
import { BENCH_SECRETS, type ServerProcess, startMonta, startServer } from './lib/proc.js';
import { printRatios, printTable, ratio } from './lib/report.js';
import { setUp } from './lib/scratch-database.js';
import { intSetting } from './lib/settings.js';

const settings = {
  seconds: intSetting('BENCH_SECONDS', 10, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 3, 0, 120),
  concurrency: intSetting('BENCH_CONCURRENCY', 32, 1, 1024),
  poolSize: intSetting('BENCH_POOL_SIZE', 10, 1, 200),
  rounds: intSetting('BENCH_ROUNDS', 3, 1, 20),
};
const USER = TEST_ACCOUNTS.find((a) => a.roleId === 2) ?? TEST_ACCOUNTS[0];
const ME = `${API}/members/me`;

/** Both servers must do the same thing before their figures mean anything; returns monta's token. */
async function checkSameAnswers(monta: ServerProcess, bare: ServerProcess): Promise<string> {
  const [m, b] = [httpClient(monta.url), httpClient(bare.url)];
  const body = JSON.stringify({ email: USER.email, password: USER.password });
  const { access_token: token } = await m.data<{ access_token: string }>('POST', `${API}/auth/email/login`, { body });
  const [montaMe, bareMe] = [await m.call('GET', ME, { token }), await b.call('GET', ME, { token })];
  if (montaMe.status !== 200 || !isDeepStrictEqual(JSON.parse(montaMe.text), JSON.parse(bareMe.text))) {
    throw new Error(`the two servers answer /members/me differently: ${montaMe.text} vs ${bareMe.text}`);
  }
  const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
  const refused = await b.call('GET', ME, { token: tampered });
  if (refused.status !== 401) throw new Error(`the bare server accepted a tampered token: ${refused.status}`);
  return token;
}

async function main(): Promise<void> {
  const { concurrency, warmupSeconds, seconds, poolSize } = settings;
  const { database } = await setUp(
    `${warmupSeconds} s warm-up + ${seconds} s measured per run, concurrency ${concurrency}, ` +
      `pg pool ${poolSize} per server, ${settings.rounds} interleaved round(s)`,
  );
  const pool = { DATABASE_URL: database.url, DATABASE_POOL_SIZE: String(poolSize) };
  const monta = await startMonta(database.url, pool);
  const bare = await startServer({
    name: 'bare',
    entry: 'bench/bare/auth-server.ts',
    env: { ...pool, ...BENCH_SECRETS },
  });
  const token = await checkSameAnswers(monta, bare);
  console.log('Both servers answer /members/me alike.\nRuns:');

  const spec = { path: ME, token, concurrency, warmupSeconds, seconds };
  const rounds: [Measured, Measured][] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const label = `GET /members/me #${round}`;
    rounds.push([await measure(label, monta, spec, database), await measure(label, bare, spec, database)]);
  }
  for (const server of [monta, bare]) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited during the run:\n${server.output()}`);
  }

  console.log('\nResults (CPU per request: the server process, and the database backends, from /proc)');
  const lines = rounds.flatMap(([m, b], i) => [
    [`#${i + 1}`, 'monta', ...figures(m)],
    [`#${i + 1}`, 'bare', ...figures(b)],
  ]);
  printTable(['round', 'server', ...FIGURES], lines, 2);
  console.log('\nRatios monta / bare');
  printRatios(rounds, {
    'req/s': (x) => x.requestsPerSecond,
    p50: (x) => x.p50,
    p99: (x) => x.p99,
    'CPU/req': (x) => (x.serverCpuMs === undefined ? undefined : x.serverCpuMs / x.requests),
    'peak RSS': (x) => x.peakRss,
  });
  // All rounds together: the figure issue 11's target (monta ≥ 0.9× bare) is read from.
  const all = (side: 0 | 1) => {
    const sum = (value: (x: Measured) => number) => rounds.reduce((total, r) => total + value(r[side]), 0);
    return {
      rps: sum((x) => x.requests) / sum((x) => x.seconds),
      cpu: sum((x) => x.serverCpuMs ?? NaN) / sum((x) => x.requests),
    };
  };
  const [m, b] = [all(0), all(1)];
  console.log(
    `  all rounds: req/s ${ratio(m.rps, b.rps)} (${m.rps.toFixed(0)} / ${b.rps.toFixed(0)})  CPU/req ${ratio(m.cpu, b.cpu)}`,
  );
}

await runBench(main, settings.rounds * 2 * (settings.warmupSeconds + settings.seconds + 2) + 180);
