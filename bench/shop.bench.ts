/**
 * Shop purchase benchmark: requests/s and latency of `POST /v2/shop/purchase` (S1, one consumable,
 * count 1) on real PostgreSQL, with many members buying at once and with one member's purchases
 * all at once. Each purchase is one transaction that locks the buyer's member row (SPEC §2.9), so
 * the second phase shows what that lock costs when one member's requests pile up. It prints figures
 * and never asserts timing; results are recorded in docs/performance.md.
 *
 *   npx tsx bench/shop.bench.ts [seconds]      (or: npm run bench:shop -- [seconds])
 *
 * What it does, and stops by itself (about a minute with the defaults):
 *  1. creates a fresh database `monta_bench_<random>` on the admin URL, migrates and seeds it, and
 *     adds its own consumable (effect 20000) to the catalogue;
 *  2. starts monta-server (src/main.ts, unchanged) as bench/auth.bench.ts does, on 127.0.0.1;
 *  3. registers BENCH_MEMBERS + 1 members through the API and sets their points high through SQL;
 *  4. warms the server up (discarded), then phase 1: BENCH_MEMBERS virtual users, each buying with
 *     its own member in a closed loop; phase 2: BENCH_SINGLE_CONCURRENCY virtual users all buying
 *     with the one remaining member, so every purchase waits for the one before on its row lock;
 *     monta-server's RSS and CPU and the database's backends' CPU are sampled in each window;
 *  5. checks every member: points = start − the sum of its purchase records, the consumable stack
 *     = the number of records, and the records = the 201 answers the bench received (OK/MISMATCH);
 *  6. stops the server and drops the database, also on failure or Ctrl-C.
 *
 * Settings (environment; the measured seconds also as the first argument, `30` or `--seconds=30`):
 *   BENCH_SECONDS             measured seconds per phase              (default 20)
 *   BENCH_WARMUP_SECONDS      discarded warm-up seconds per phase     (default 3)
 *   BENCH_MEMBERS             members buying at once in phase 1       (default 50)
 *   BENCH_SINGLE_CONCURRENCY  concurrent purchases of one member, phase 2 (default 50)
 *   BENCH_POOL_SIZE           monta-server's pg pool size             (default 10, its default)
 *   BENCH_ADMIN_URL           PostgreSQL admin URL, loopback only     (default postgres://postgres@127.0.0.1:5432/postgres)
 *
 * Everything shares the machine: the load generator, monta-server and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { HttpClient, type IterationResult, runIterations } from './lib/iterations.js';
import { BackendSampler } from './lib/pg-backends.js';
import { describeMachine, freePort, ProcessSampler, processRss, type ServerProcess, startServer } from './lib/proc.js';
import { cleanUp, cleanups, watchdog } from './lib/cleanup.js';
import { createScratchDatabase, withAdmin } from './lib/scratch-database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function intValue(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
const intSetting = (name: string, fallback: number, min: number, max: number) =>
  intValue(name, process.env[name], fallback, min, max);

// The measured seconds as the first argument (`npm run bench:shop -- 30`) win over BENCH_SECONDS.
const secondsArgument = process.argv[2]?.replace(/^--seconds=/, '');

const settings = {
  seconds: intValue('seconds', secondsArgument ?? process.env.BENCH_SECONDS, 20, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 3, 0, 120),
  members: intSetting('BENCH_MEMBERS', 50, 1, 1000),
  singleConcurrency: intSetting('BENCH_SINGLE_CONCURRENCY', 50, 1, 1000),
  poolSize: intSetting('BENCH_POOL_SIZE', 10, 1, 200),
  adminUrl: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

const adminHost = new URL(settings.adminUrl).hostname;
if (!['127.0.0.1', 'localhost', '[::1]'].includes(adminHost)) {
  throw new Error(`BENCH_ADMIN_URL must point at a loopback address, not ${adminHost}`);
}

const API = '/timer-api';
const PURCHASE = '/v2/shop/purchase';
const PASSWORD = 'bench-password-1234';
const ITEM_COST = 10;
// High enough for any run (a few thousand purchases a second at most here), far below int4's ceiling.
const START_POINTS = 1_000_000_000;

// A hard stop well past the expected length, so a stuck run never lingers.
const expectedSeconds = 3 * (settings.warmupSeconds + settings.seconds + 2) + 120;
const stop = watchdog(expectedSeconds + 120);

/** The bench's own consumable, so the run doesn't depend on what the seed puts in the catalogue. */
async function createConsumable(client: pg.Client): Promise<number> {
  const r = await client.query<{ item_id: number }>(
    `insert into item (name, item_type, description, required_study_time, cost, grade, image_url, effect_code, is_hidden)
     values ($1, 'Consumable', 'bench item', null, $2, null, 'http://localhost/static/bench.svg', 20000, false)
     returning item_id`,
    [`bench consumable ${randomBytes(4).toString('hex')}`, ITEM_COST],
  );
  return Number(r.rows[0].item_id);
}

interface Member {
  email: string;
  memberId: string;
  token: string;
}

/** Registers through the API (as the PWA does), a few at a time: each one hashes a password. */
async function registerMembers(http: HttpClient, client: pg.Client, count: number): Promise<Member[]> {
  const tag = randomBytes(3).toString('hex');
  const members = new Array<Member>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const email = `bench-shop-${tag}-${String(i).padStart(4, '0')}@example.com`;
      const reply = await http.call('POST', `${API}/auth/email/register`, {
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      const token = (JSON.parse(reply.text) as { data?: { access_token?: string } }).data?.access_token;
      if (reply.status !== 200 || !token) {
        throw new Error(`register ${email}: ${reply.status} ${reply.text.slice(0, 300)}`);
      }
      // The member row comes into being on the first GET /members/me, as the PWA's first screen asks.
      const me = await http.call('GET', `${API}/members/me`, { token });
      const memberId = (JSON.parse(me.text) as { data?: { member?: { member_id?: string } } }).data?.member?.member_id;
      if (me.status !== 200 || memberId === undefined) {
        throw new Error(`members/me of ${email}: ${me.status} ${me.text.slice(0, 300)}`);
      }
      members[i] = { email, memberId: String(memberId), token };
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const updated = await client.query('update member set point = $2 where member_id = any($1::uuid[])', [
    members.map((m) => m.memberId),
    START_POINTS,
  ]);
  if (updated.rowCount !== count) throw new Error(`set the points of ${updated.rowCount} of ${count} members`);
  return members;
}

interface Phase {
  name: string;
  concurrency: number;
  members: number;
  result: IterationResult;
  peakRss?: number;
  serverCpuMs?: number;
  pgCpuMs?: number;
  machineBusy?: number;
}

interface PhaseContext {
  server: ServerProcess;
  database: string;
  /** The bench's own PostgreSQL backends, left out of the database's CPU time. */
  benchPids: ReadonlySet<number>;
  body: string;
  /** Answers 201 per member, warm-ups included. */
  created: Map<string, number>;
}

interface PhaseSpec {
  name: string;
  concurrency: number;
  memberOf: (worker: number) => Member;
  warmupSeconds?: number;
  seconds?: number;
}

/**
 * One closed-loop phase: virtual user `w` buys with `memberOf(w)` until the window closes. Every
 * 201 is counted, warm-up included, for the check against the records at the end.
 */
async function runPhase(
  { server, database, benchPids, body, created }: PhaseContext,
  { name, concurrency, memberOf, warmupSeconds = settings.warmupSeconds, seconds = settings.seconds }: PhaseSpec,
): Promise<Phase> {
  const pid = server.child.pid;
  if (pid === undefined) throw new Error('monta-server has no pid');
  const serverSampler = new ProcessSampler(pid);
  const pgSampler = new BackendSampler(database, benchPids);
  const http = new HttpClient(server.url, concurrency);
  process.stdout.write(`  ${name.padEnd(34)} c=${concurrency} … `);
  try {
    const result = await runIterations({
      concurrency,
      warmupSeconds,
      seconds,
      onMeasureStart: () => {
        serverSampler.start();
        pgSampler.start();
      },
      onMeasureEnd: () => {
        serverSampler.stop();
        pgSampler.stop();
      },
      iteration: async (worker) => {
        const member = memberOf(worker);
        const reply = await http.call('POST', PURCHASE, { token: member.token, body });
        if (reply.status !== 201) throw new Error(`HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
        created.set(member.memberId, (created.get(member.memberId) ?? 0) + 1);
      },
    });
    console.log(
      `${result.iterationsPerSecond.toFixed(0)} req/s, p50 ${result.total.p50.toFixed(1)} ms, ` +
        `p99 ${result.total.p99.toFixed(1)} ms, errors ${result.errors}`,
    );
    if (result.errorSamples.length) console.log(`    errors seen: ${result.errorSamples.join('; ')}`);
    return {
      name,
      concurrency,
      members: new Set(Array.from({ length: concurrency }, (_, w) => memberOf(w).memberId)).size,
      result,
      peakRss: serverSampler.peakRss,
      serverCpuMs: serverSampler.cpuMs,
      pgCpuMs: pgSampler.cpuMs,
      machineBusy: serverSampler.machineBusy,
    };
  } finally {
    http.close();
  }
}

/** Step 6: the ledger of every member adds up, and matches what the bench was told. */
async function verify(client: pg.Client, members: Member[], itemId: number, created: Map<string, number>) {
  const rows = await client.query<{ member_id: string; point: number; spent: string; records: string; held: string }>(
    `select m.member_id, m.point,
            coalesce((select sum(t.amount) from transaction_record t
                      where t.member_id = m.member_id and t.transaction_type = 'Purchase'), 0) as spent,
            (select count(*) from transaction_record t
             where t.member_id = m.member_id and t.transaction_type = 'Purchase') as records,
            coalesce((select sum(i.quantity) from item_inventory i
                      where i.member_id = m.member_id and i.item_id = $2 and i.deleted_at is null), 0) as held
     from member m where m.member_id = any($1::uuid[])`,
    [members.map((m) => m.memberId), itemId],
  );
  const problems: string[] = [];
  if (rows.rowCount !== members.length) problems.push(`found ${rows.rowCount} of ${members.length} members`);
  let purchases = 0;
  for (const r of rows.rows) {
    const id = String(r.member_id);
    const records = Number(r.records);
    purchases += records;
    if (r.point !== START_POINTS - Number(r.spent)) {
      problems.push(`member ${id}: ${r.point} points ≠ ${START_POINTS} − ${r.spent}`);
    }
    if (Number(r.spent) !== records * ITEM_COST) problems.push(`member ${id}: ${r.spent} spent on ${records} records`);
    if (Number(r.held) !== records) problems.push(`member ${id}: ${r.held} held ≠ ${records} records`);
    if ((created.get(id) ?? 0) !== records) {
      problems.push(`member ${id}: ${records} records ≠ ${created.get(id) ?? 0} answers 201`);
    }
  }
  console.log(
    `\nLedger check (${members.length} members, ${purchases} purchase records in all): ` +
      `points = ${START_POINTS} − sum of records, stack = records, records = answers 201 … ` +
      (problems.length === 0 ? 'OK' : `MISMATCH\n  - ${problems.slice(0, 20).join('\n  - ')}`),
  );
  if (problems.length > 0) process.exitCode = 1;
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 2 ** 20);
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

const HEADER = (
  'phase|conc.|members|req/s|p50 ms|p95 ms|p99 ms|max ms|errors|peak RSS MiB|server CPU ms/req|PG CPU ms/req|' +
  'machine busy %'
).split('|');

function tableLines(phases: Phase[]): string[][] {
  return phases.map((p) => {
    const r = p.result;
    const perReq = (ms: number | undefined) => (ms === undefined ? undefined : ms / Math.max(1, r.iterations));
    const busy = p.machineBusy === undefined ? undefined : 100 * p.machineBusy;
    const latencies = [r.total.p50, r.total.p95, r.total.p99].map((ms) => fixed(ms, 2));
    const cpu = [perReq(p.serverCpuMs), perReq(p.pgCpuMs)].map((ms) => fixed(ms, 2));
    const head = [p.name, String(p.concurrency), String(p.members), fixed(r.iterationsPerSecond, 0), ...latencies];
    return [...head, fixed(r.total.max, 1), String(r.errors), fixed(mib(p.peakRss), 0), ...cpu, fixed(busy, 0)];
  });
}

function printTables(phases: Phase[]): void {
  const [header, lines] = [HEADER, tableLines(phases)];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])));
  console.log('\nResults');
  console.log(format(header).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line).join('  '));
  console.log(
    'Columns: req/s = answers 201 completed in the measured window, per second; latencies per request as the ' +
      'client saw them, nearest rank; RSS of monta-server; CPU of monta-server and of the PostgreSQL backends ' +
      "of the bench database (the bench's own connection left out) per answer; machine busy = both cores, everyone.",
  );
  console.log('\nMarkdown');
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i < 1 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}

async function main(): Promise<void> {
  console.log('Machine');
  for (const [key, value] of Object.entries(describeMachine())) {
    console.log(key === 'free -h' ? `  free -h:\n${value.replace(/^/gm, '    ')}` : `  ${key}: ${value}`);
  }
  const version = await withAdmin(
    settings.adminUrl,
    async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0].v,
  );
  console.log(`  PostgreSQL: ${version} (${adminHost})`);
  console.log(`  load average at the start: ${loadAverage()}`);
  console.log(
    `Settings: ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per phase; ` +
      `phase 1: ${settings.members} members, one virtual user each; phase 2: ${settings.singleConcurrency} ` +
      `virtual users, one member; consumable of ${ITEM_COST} points, count 1; monta-server pg pool ${settings.poolSize}`,
  );

  const database = await createScratchDatabase(settings.adminUrl, 'monta_bench');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  cleanups.push(() => client.end());
  const itemId = await createConsumable(client);
  const benchPids = new Set([(await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid]);

  const server = await startServer({
    name: 'monta',
    entry: 'src/main.ts',
    cwd: ROOT,
    port: await freePort(),
    readyPath: '/health/live',
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: String(settings.poolSize),
      MIGRATE_ON_START: 'false',
      RATE_LIMIT_REGISTER_PER_IP: '1000000000', // the bench registers its members from one address
      AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
      AUTH_JWT_TOKEN_EXPIRES_IN: '3600', // outlives the run
    },
  });
  cleanups.push(() => server.stop());
  const pid = server.child.pid ?? 0;
  console.log(`\nmonta-server ready at ${server.url}, RSS ${fixed(mib(processRss(pid)), 0)} MiB`);

  const http = new HttpClient(server.url, 4);
  cleanups.push(async () => http.close());
  const members = await registerMembers(http, client, settings.members + 1);
  const crowd = members.slice(0, settings.members);
  const lone = members[settings.members];
  console.log(`  ${members.length} members registered through the API, ${START_POINTS} points each (SQL)`);

  const body = JSON.stringify({ item_id: itemId, count: 1 });
  const created = new Map<string, number>();
  console.log(`\nRuns (load average ${loadAverage()})`);
  // V8 optimises the hot path during the first seconds; that should not land in the first phase.
  const context: PhaseContext = { server, database: database.name, benchPids, body, created };
  const warmUp = { name: 'warm-up (discarded)', concurrency: 8, warmupSeconds: 0, seconds: 3 };
  await runPhase(context, { ...warmUp, memberOf: (w) => crowd[w % crowd.length] });
  await sleep(1000);
  const phases: Phase[] = [];
  const concurrency = settings.members;
  phases.push(await runPhase(context, { name: '1: each its own member', concurrency, memberOf: (w) => crowd[w] }));
  await sleep(1000); // let the server settle (GC, sockets) before the next phase
  const single = { name: '2: all on one member', concurrency: settings.singleConcurrency };
  phases.push(await runPhase(context, { ...single, memberOf: () => lone }));

  if (server.child.exitCode !== null) {
    throw new Error(`monta-server exited (${server.child.exitCode}) during the run:\n${server.output()}`);
  }
  console.log(`\nmonta-server RSS at the end: ${fixed(mib(processRss(pid)), 0)} MiB; load average ${loadAverage()}`);
  printTables(phases);
  await verify(client, members, itemId, created);
}

try {
  await main();
} catch (error) {
  console.error('\nbenchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
  clearTimeout(stop);
}
