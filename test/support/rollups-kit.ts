import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config.js';
import { type Database, openDatabase } from '../../src/database/client.js';
import { runMigrations } from '../../src/database/migrator.js';
import { openJobDatabase, type JobDatabase } from '../../src/stat-jobs/job-database.js';
import { RollupReader } from '../../src/statistics/rollup-reader.js';
import { StatisticsRepository } from '../../src/statistics/statistics.repository.js';
import { StatisticsService } from '../../src/statistics/statistics.service.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.js';
import { useStarted } from './fixture.js';

/** A migrated scratch database with the statistics service and the jobs' database on it. */
export interface RollupWorld {
  scratch: ScratchDatabase;
  database: Database;
  jobs: JobDatabase;
  service: StatisticsService;
  raw: StatisticsRepository;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openRollupWorld(zone: string, applicationName = `monta-rollups-${randomUUID().slice(0, 8)}`) {
  const scratch = await createScratchDatabase('rollups');
  const database = await openDatabase({ url: scratch.url, dataDir: '/nonexistent', poolSize: 4 });
  await runMigrations(database.db);
  await database.execute(`insert into role (role_id, name) values (1, 'Admin'), (2, 'User') on conflict do nothing`);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: scratch.url, DEFAULT_TIMEZONE: zone });
  const jobs = openJobDatabase(database, {
    url: scratch.url,
    applicationName,
    statementTimeoutMs: 60_000,
    connectTimeoutMs: 3000,
  });
  const raw = new StatisticsRepository(database);
  const service = new StatisticsService(config as never, raw, new RollupReader(database, config as never));
  const world: RollupWorld = {
    scratch,
    database,
    jobs,
    service,
    raw,
    sql: async <T>(text: string, params?: unknown[]) => (await database.execute(text, params)).rows as T[],
    async close() {
      await jobs.close();
      await database.close();
      await scratch.drop();
    },
  };
  return world;
}

/** The suite's world: opened in `beforeAll`, closed in `afterAll` (see `useStarted`). */
export function useRollupWorld(zone: string, applicationName?: string): RollupWorld {
  return useStarted(
    'useRollupWorld',
    () => openRollupWorld(zone, applicationName),
    (world) => world.close(),
  );
}

/** A member (with its account) straight in the database: the statistics need no more. */
export async function addMember(world: RollupWorld): Promise<string> {
  const [account] = await world.sql<{ id: string }>(
    `insert into account (email, password) values ($1, 'x') returning account_id id`,
    [`${randomUUID()}@rollups.test`],
  );
  const [member] = await world.sql<{ id: string }>(
    `insert into member (account_id, nickname) values ($1, 'r') returning member_id id`,
    [account!.id],
  );
  return member!.id;
}

export async function addCategory(world: RollupWorld, memberId: string, subject: string): Promise<number> {
  const [row] = await world.sql<{ id: string }>(
    `insert into study_category (member_id, subject) values ($1, $2) returning study_category_id id`,
    [memberId, subject],
  );
  return Number(row!.id);
}

/** An order-independent digest of every rollup row: equal digests, identical rows. */
export async function rollupChecksum(
  world: RollupWorld,
): Promise<{ daily: string; day: string; monthly: string; rows: number }> {
  const digest = async (table: string) =>
    (
      await world.sql<{ sum: string | null; n: number }>(
        `select md5(string_agg(t::text, '|' order by t::text)) sum, count(*)::int n from ${table} t`,
      )
    )[0]!;
  const [d, day, m] = [await digest('stat_daily'), await digest('stat_month_days'), await digest('stat_monthly')];
  return { daily: d.sum ?? '', day: day.sum ?? '', monthly: m.sum ?? '', rows: d.n + m.n };
}

/** (member, day)s where stat_month_days is not what stat_daily sums to (floored): none, whatever ran. */
export async function dayTotalDrift(world: RollupWorld): Promise<number> {
  const [row] = await world.sql<{ n: number }>(
    `select count(*)::int n
     from (
       select member_id, local_date, floor(sum(micros) / 1000000)::int seconds
       from stat_daily group by member_id, local_date having sum(micros) >= 1000000
     ) d
     full join (
       select m.member_id, m.month + k - 1 local_date, m.seconds[k] seconds
       from stat_month_days m cross join generate_series(1, 31) k
       where m.seconds[k] <> 0 or cardinality(m.seconds) <> 31
     ) s using (member_id, local_date)
     where d.seconds is distinct from s.seconds`,
  );
  return row!.n;
}
