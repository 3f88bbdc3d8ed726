/**
 * Live study groups under load (issue 4), end to end, on this machine:
 *
 *   npx tsx loadtest/run.ts [--sizes 1000,5000] [--instances 1,2] [--rate 100] [--hold 20]
 *       [--leave-rate 500] [--settle 10] [--pool-size 10] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *       [--out <tokens.csv>]
 *
 *  1. creates a fresh PostgreSQL database `monta_loadtest_<random>` on the admin URL (loopback only),
 *     migrates and seeds it, and drops it at the end;
 *  2. starts a private `redis-server` on a free port (never the shared one), flushed before each run;
 *  3. starts monta-server (src/main.ts unchanged, NODE_ENV=production, one set of random secrets for
 *     every instance, AUTH_JWT_TOKEN_EXPIRES_IN=4h, RATE_LIMIT_REGISTER_PER_IP raised) as child
 *     processes on 127.0.0.1 under the SWC loader (bench/lib/proc.ts), every instance with REDIS_URL,
 *     so one and two instances run the same code paths (Redis group store + Redis adapter);
 *  4. creates max(--sizes) + 50 members through the public API (register + GET /members/me);
 *  5. for each instance count and each size: fresh instances, a 50-socket warm-up, then
 *     loadtest/lib/join-latency.ts (the same code as `loadtest/join-latency.ts`) with the servers' pids;
 *  6. prints every run, then one table (plain and Markdown), and cleans up, also on failure or Ctrl-C.
 *
 * Needs about max(--sizes) + 200 open files per process (`ulimit -n`; children inherit it). The load
 * generator (this process), the servers, Redis and PostgreSQL all share the machine.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeMachine, freePort, type ServerProcess, startServer } from '../bench/lib/proc.js';
import { type RedisProcess, startRedis } from '../bench/lib/redis.js';
import { describeResult, type JoinLatencyResult, measureJoinLatency } from './lib/join-latency.js';
import { createMembers, type LoadMember, writeMembersCsv } from './lib/members.js';
import { intList, intOption, openFileLimit, requireOpenFiles } from './lib/options.js';
import { cleanUp, cleanups, watchdog } from '../bench/lib/cleanup.js';
import { createScratchDatabase, withAdmin } from '../bench/lib/scratch-database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WARMUP_SOCKETS = 50;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000' },
    instances: { type: 'string', default: '1,2' },
    rate: { type: 'string', default: '100' },
    hold: { type: 'string', default: '20' },
    'leave-rate': { type: 'string', default: '500' },
    settle: { type: 'string', default: '10' },
    'pool-size': { type: 'string', default: '10' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    out: { type: 'string' },
  },
  strict: true,
});

const settings = {
  sizes: intList(values.sizes, '--sizes', [1000, 5000], 1, 20_000),
  instances: intList(values.instances, '--instances', [1, 2], 1, 4),
  rate: intOption(values.rate, '--rate', 100, 1, 5000),
  hold: intOption(values.hold, '--hold', 20, 0, 600),
  leaveRate: intOption(values['leave-rate'], '--leave-rate', 500, 1, 100_000),
  settle: intOption(values.settle, '--settle', 10, 1, 120),
  poolSize: intOption(values['pool-size'], '--pool-size', 10, 1, 200),
  adminUrl: values['admin-url'],
  out: values.out ? resolve(values.out) : undefined,
};
const adminHost = new URL(settings.adminUrl).hostname;
if (!['127.0.0.1', 'localhost', '[::1]'].includes(adminHost)) {
  throw new Error(`--admin-url must point at a loopback address, not ${adminHost}`);
}
const largest = Math.max(...settings.sizes);

// ---------------------------------------------------------------------------------------------

const perRun = (size: number) =>
  size / settings.rate + settings.hold + size / settings.leaveRate + 2 * settings.settle + 40;
const expectedSeconds =
  120 + largest / 40 + settings.instances.length * settings.sizes.reduce((sum, size) => sum + perRun(size), 0);
const stop = watchdog(Math.round(expectedSeconds * 2));

// ---------------------------------------------------------------------------------------------

let instanceCounter = 0;
async function startInstances(count: number, env: Record<string, string>): Promise<ServerProcess[]> {
  const started: ServerProcess[] = [];
  for (let i = 0; i < count; i++) {
    const server = await startServer({
      name: `monta-${++instanceCounter}`,
      entry: 'src/main.ts',
      cwd: ROOT,
      port: await freePort(),
      readyPath: '/health/live',
      env,
    });
    started.push(server);
    cleanups.push(() => server.stop());
  }
  return started;
}

async function stopInstances(servers: ServerProcess[]): Promise<void> {
  for (const server of servers) {
    const code = server.child.exitCode;
    if (code !== null) throw new Error(`${server.name} exited (${code}) during the run:\n${server.output()}`);
    await server.stop();
  }
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
const percent = (value: number | undefined) => fixed(value === undefined ? undefined : 100 * value, 0);
const joinValues = (values: (number | undefined)[], format: (v: number | undefined) => string) =>
  values.map(format).join(' / ');

function table(rows: JoinLatencyResult[]): { header: string[]; lines: string[][] } {
  const header = [
    'instances',
    'sockets',
    'joined',
    'peak conn.',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'undelivered',
    'stale lists',
    'groupInfo p99 ms',
    'server CPU % join',
    'server CPU % hold',
    'RSS before MiB',
    'RSS held MiB',
    'KiB/socket',
    'load-gen CPU %',
    'machine busy % join',
  ];
  const lines = rows.map((r) => {
    const servers = r.servers.filter((s) => s.pid > 0);
    const mib = (v: number | undefined) => fixed(v === undefined ? undefined : v / 2 ** 20, 0);
    return [
      String(r.instances),
      String(r.sockets),
      String(r.joined),
      String(r.peakConnected),
      fixed(r.broadcast.p50, 1),
      fixed(r.broadcast.p95, 1),
      fixed(r.broadcast.p99, 1),
      fixed(r.broadcast.max, 1),
      String(r.undelivered),
      String(r.staleViews),
      fixed(r.groupInfo.p99, 1),
      joinValues(
        servers.map((s) => s.cpuJoin),
        percent,
      ),
      joinValues(
        servers.map((s) => s.cpuHold),
        percent,
      ),
      joinValues(
        servers.map((s) => s.rssBefore),
        mib,
      ),
      joinValues(
        servers.map((s) => s.rssHeld),
        mib,
      ),
      joinValues(
        servers.map((s) => s.rssPerSocket),
        (v) => fixed(v === undefined ? undefined : v / 1024, 1),
      ),
      percent(r.client.cpuJoin),
      percent(r.machineBusyJoin),
    ];
  });
  return { header, lines };
}

function printPlain(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  console.log(header.map((h, i) => h.padStart(widths[i])).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(line.map((c, i) => c.padStart(widths[i])).join('  '));
}

function printMarkdown(header: string[], lines: string[][]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => ' ---: ').join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}

async function main(): Promise<void> {
  requireOpenFiles(largest + 200);
  const machine = describeMachine();
  const postgresVersion = await withAdmin(
    settings.adminUrl,
    async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0].v,
  );
  console.log('Machine');
  for (const [key, value] of Object.entries(machine)) {
    console.log(key === 'free -h' ? `  free -h:\n${value.replace(/^/gm, '    ')}` : `  ${key}: ${value}`);
  }
  console.log(`  PostgreSQL: ${postgresVersion} (${adminHost}); open-file limit ${openFileLimit() ?? 'unknown'}`);
  console.log(
    `  load average before the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  console.log(
    `Settings: sizes ${settings.sizes.join(', ')}; instances ${settings.instances.join(', ')}; joins ${settings.rate}/s; ` +
      `hold ${settings.hold} s; leaves ${settings.leaveRate}/s; settle ≤ ${settings.settle} s; pg pool ${settings.poolSize} per instance`,
  );

  const databaseUrl = (await createScratchDatabase(settings.adminUrl, 'monta_loadtest')).url;
  const redisProcess: RedisProcess = await startRedis({ port: await freePort() });
  cleanups.push(() => redisProcess.stop());
  const many = '1000000000';
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(settings.poolSize),
    MIGRATE_ON_START: 'false',
    REDIS_URL: redisProcess.url,
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
    AUTH_JWT_TOKEN_EXPIRES_IN: '4h', // outlives the run
    RATE_LIMIT_REGISTER_PER_IP: many,
    RATE_LIMIT_LOGIN_PER_IP: many,
    SOCKET_MAX_PER_IP: '100000', // every virtual user connects from 127.0.0.1
  };

  // Members, through the public API of one instance.
  let servers = await startInstances(1, env);
  const count = largest + WARMUP_SOCKETS;
  const creating = performance.now();
  console.log(`Creating ${count} members through ${servers[0].url} …`);
  let lastReport = creating;
  const members: LoadMember[] = await createMembers({
    url: servers[0].url,
    count,
    concurrency: 8,
    onProgress: (done, total) => {
      if (done === total || performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.log(`  ${done}/${total}`);
      }
    },
  });
  console.log(`  ${count} members in ${((performance.now() - creating) / 1000).toFixed(1)} s`);
  if (settings.out) {
    writeMembersCsv(settings.out, members);
    console.log(`  tokens written to ${settings.out}`);
  }
  await stopInstances(servers);
  const warmupMembers = members.slice(largest);

  const results: JoinLatencyResult[] = [];
  for (const instances of settings.instances) {
    for (const size of settings.sizes) {
      console.log(`\nRun: ${instances} instance(s), ${size} sockets`);
      if ((await redisProcess.command('FLUSHALL')) !== '+OK') throw new Error('FLUSHALL failed on the private Redis');
      servers = await startInstances(instances, env);
      const urls = servers.map((s) => s.url);
      const pids = servers.map((s) => s.child.pid ?? 0);
      // Warm-up: the first joins pay for JIT and connection pools; their figures are dropped.
      await measureJoinLatency({
        urls,
        members: warmupMembers,
        sockets: WARMUP_SOCKETS,
        rate: Math.min(settings.rate, 50),
        holdSeconds: 0,
        leaveRate: settings.leaveRate,
        pids: [],
        settleSeconds: settings.settle,
        maxSeconds: 60,
      });
      await sleep(2000);
      const result = await measureJoinLatency({
        urls,
        members,
        sockets: size,
        rate: settings.rate,
        holdSeconds: settings.hold,
        leaveRate: settings.leaveRate,
        pids,
        settleSeconds: settings.settle,
        maxSeconds: Math.ceil(perRun(size) * 2),
        log: (line) => console.log(line),
      });
      console.log(describeResult(result));
      results.push(result);
      await stopInstances(servers);
    }
  }

  const { header, lines } = table(results);
  console.log('\nResults (several instances: one value per instance, " / " between)');
  printPlain(header, lines);
  console.log('\nMarkdown');
  printMarkdown(header, lines);
}

try {
  await main();
} catch (error) {
  console.error('\nload run failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
  clearTimeout(stop);
}
