import type { Database } from '../database/client.js';
import { runMigrations } from '../database/migrator.js';
import { type ImportContext, loadContext } from './context.js';
import type { Progress } from './progress.js';
import type { Source, SourceRow } from './source.js';
import { TABLES, type TableSpec } from './tables.js';
import { type Verification, verify } from './verify.js';
import { checkZone } from './zone.js';

export interface ImportOptions {
  dryRun: boolean;
  /** How the original's zone-less datetimes are read (IANA name). */
  zone: string;
  batchSize: number;
  progress: Progress;
}

export class ImportRefusedError extends Error {}

const STATE = 'monta_import';
const q = (name: string) => `"${name}"`;
// Data and constraint errors belong to one row: it is refused and the rest goes on.
const ROW_ERROR = /^(22|23)/;

/**
 * Copies the original database into the target. Each batch commits with its watermark, so a run
 * killed mid-way resumes where it stopped; rows are upserted by their kept ids and rewritten only
 * when they differ, so a second run changes nothing. With `dryRun` all of it runs in one
 * transaction that is rolled back after the verification.
 */
export async function runImport(source: Source, target: Database, options: ImportOptions): Promise<Verification> {
  checkZone(options.zone);
  const exec = (text: string, params?: unknown[]) => target.execute(text, params);
  if (options.dryRun) {
    const { rows } = await exec(`select to_regclass('public.account') as t`);
    if (!rows[0]?.t) throw new ImportRefusedError('the target is not migrated: run `npm run migration:run` first');
    await exec('begin');
  } else {
    await runMigrations(target.db);
  }
  try {
    const resumed = await prepare(source, exec, options);
    options.progress.log(resumed ? 'resuming the interrupted import' : `importing from ${source.label}`);
    const ctx = await loadContext(source, options.zone);
    for (const spec of TABLES) await copyTable(source, exec, spec, ctx, options);
    if (!options.dryRun) await moveSequences(exec);
    const verification = await verify(source, exec, ctx);
    if (!options.dryRun) await exec(`update ${STATE}.run set finished_at = now()`);
    return verification;
  } finally {
    if (options.dryRun) await exec('rollback');
  }
}

type Exec = Database['execute'];

/** The state schema, and whether this target may take this source. Returns true when resuming. */
async function prepare(source: Source, exec: Exec, options: ImportOptions): Promise<boolean> {
  const inBatch = options.dryRun ? 'savepoint prepare' : 'begin';
  await exec(inBatch);
  try {
    await exec(`create schema if not exists ${STATE}`);
    await exec(`create table if not exists ${STATE}.run (
      only_one boolean primary key default true check (only_one), source text not null,
      started_at timestamptz not null default now(), finished_at timestamptz)`);
    await exec(`create table if not exists ${STATE}.progress (table_name text primary key, last_key text not null)`);
    await exec(`create table if not exists ${STATE}.refused (
      table_name text not null, source_key text not null, reason text not null, primary key (table_name, source_key))`);
    // One importer at a time on a target.
    await exec(`lock table ${STATE}.run in exclusive mode`);
    const run = (await exec(`select source, finished_at from ${STATE}.run`)).rows[0];
    const accounts = Number((await exec('select count(*) as n from account')).rows[0]!.n);
    let resumed = false;
    if (!run) {
      if (accounts > 0) {
        throw new ImportRefusedError(
          `the target already holds ${accounts} accounts: import into a freshly migrated database`,
        );
      }
      await exec(`insert into ${STATE}.run (source) values ($1)`, [source.label]);
      await replaceCatalogue(source, exec);
    } else if (run.source !== source.label) {
      throw new ImportRefusedError(`the target was imported from ${String(run.source)}, not ${source.label}`);
    } else if (run.finished_at !== null) {
      // A new full pass over an imported target: every row is compared again, none rewritten unless it differs.
      await exec(`delete from ${STATE}.progress`);
      await exec(`delete from ${STATE}.refused`);
      await exec(`update ${STATE}.run set started_at = now(), finished_at = null`);
    } else {
      resumed = true;
    }
    await exec(options.dryRun ? 'release savepoint prepare' : 'commit');
    return resumed;
  } catch (error) {
    await exec(options.dryRun ? 'rollback to savepoint prepare' : 'rollback');
    throw error;
  }
}

/** The seeded catalogue gives way to the original's, ids included; nothing references it yet (no accounts). */
async function replaceCatalogue(source: Source, exec: Exec): Promise<void> {
  for (const table of ['item', 'character', 'palette']) {
    const [row] = await source.query(`select count(*) as n from \`${table}\``);
    if (Number(row!.n) > 0) await exec(`delete from ${q(table)}`);
  }
}

async function copyTable(source: Source, exec: Exec, spec: TableSpec, ctx: ImportContext, options: ImportOptions) {
  const [count] = await source.query(`select count(*) as n from \`${spec.name}\``);
  const { rows: marks } = await exec(`select last_key from ${STATE}.progress where table_name = $1`, [spec.name]);
  let last = marks[0] ? String(marks[0].last_key) : null;
  const [done] =
    last === null
      ? [{ n: 0 }]
      : await source.query(`select count(*) as n from \`${spec.name}\` s where not (${keyAfter(spec)})`, [last]);
  options.progress.start(spec.name, Number(count!.n), Number(done!.n));
  for (;;) {
    const where = last === null ? '' : `where ${keyAfter(spec)}`;
    const rows = await source.query(
      `select * from \`${spec.name}\` s ${where} order by s.${spec.key} limit ${options.batchSize}`,
      last === null ? [] : [last],
    );
    if (rows.length === 0) break;
    last = String(rows.at(-1)![spec.key]);
    await writeBatch(exec, spec, rows, ctx, last, options.dryRun);
    options.progress.advance(rows.length);
  }
  options.progress.end();
}

// Compared as exact decimals: bigint ids past 2^53 would lose precision as doubles.
const keyAfter = (spec: TableSpec) =>
  spec.numericKey ? `s.${spec.key} > cast(? as decimal(20, 0))` : `s.${spec.key} > ?`;

async function writeBatch(
  exec: Exec,
  spec: TableSpec,
  rows: SourceRow[],
  ctx: ImportContext,
  last: string,
  dryRun: boolean,
): Promise<void> {
  const values: unknown[][] = [];
  const refused: [string, string][] = [];
  for (const row of rows) {
    const verdict = spec.convert(row, ctx);
    if (verdict.kind === 'row') values.push(verdict.values);
    else if (verdict.kind === 'refuse') refused.push([String(row[spec.key]), verdict.reason]);
  }
  await exec(dryRun ? 'savepoint batch' : 'begin');
  try {
    if (values.length) await upsertAll(exec, spec, values, refused);
    for (const [key, reason] of refused) {
      await exec(
        `insert into ${STATE}.refused (table_name, source_key, reason) values ($1, $2, $3)
         on conflict (table_name, source_key) do update set reason = excluded.reason`,
        [spec.name, key, reason],
      );
    }
    await exec(
      `insert into ${STATE}.progress (table_name, last_key) values ($1, $2)
       on conflict (table_name) do update set last_key = excluded.last_key`,
      [spec.name, last],
    );
    await exec(dryRun ? 'release savepoint batch' : 'commit');
  } catch (error) {
    await exec(dryRun ? 'rollback to savepoint batch' : 'rollback');
    throw error;
  }
}

/** The whole batch in one statement; when the target rejects a row, row by row to find and refuse it. */
async function upsertAll(exec: Exec, spec: TableSpec, values: unknown[][], refused: [string, string][]) {
  await exec('savepoint rows');
  try {
    await exec(upsertSql(spec, values.length), values.flat());
    await exec('release savepoint rows');
    return;
  } catch (error) {
    if (!ROW_ERROR.test(String((error as { code?: unknown }).code))) throw error;
    await exec('rollback to savepoint rows');
  }
  for (const row of values) {
    await exec('savepoint one');
    try {
      await exec(upsertSql(spec, 1), row);
    } catch (error) {
      if (!ROW_ERROR.test(String((error as { code?: unknown }).code))) throw error;
      await exec('rollback to savepoint one');
      refused.push([String(row[0]), `rejected by the target: ${(error as Error).message}`]);
    }
    await exec('release savepoint one');
  }
  await exec('release savepoint rows');
}

function upsertSql(spec: TableSpec, count: number): string {
  const width = spec.columns.length;
  const tuples = Array.from(
    { length: count },
    (_, i) => `(${spec.columns.map((_, j) => `$${i * width + j + 1}`).join(', ')})`,
  );
  const [key, ...rest] = spec.columns.map(q);
  // A bcrypt hash upgraded to Argon2id at a login since the import stays: a rerun must not downgrade it.
  const value = (c: string) =>
    spec.name === 'account' && c === '"password"'
      ? `case when t.${c} like '$argon2%' then t.${c} else excluded.${c} end`
      : `excluded.${c}`;
  // Unchanged rows are not rewritten: a second run leaves every tuple (and its triggers) alone.
  return `insert into ${q(spec.name)} as t (${spec.columns.map(q).join(', ')})
    ${spec.identity ? 'overriding system value' : ''} values ${tuples.join(', ')}
    on conflict (${key}) do update set ${rest.map((c) => `${c} = ${value(c)}`).join(', ')}
    where (${rest.map((c) => `t.${c}`).join(', ')}) is distinct from (${rest.map(value).join(', ')})`;
}

/** New rows made by the service after the switch must never collide with an imported id. */
async function moveSequences(exec: Exec): Promise<void> {
  for (const spec of TABLES.filter((t) => t.identity)) {
    const key = spec.columns[0]!;
    await exec(
      `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${q(key)}) from ${q(spec.name)}), 0) + 1, false)`,
      [q(spec.name), key],
    );
  }
}
