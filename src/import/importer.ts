import { type SQL, sql } from 'drizzle-orm';
import type { Database, Db, Tx } from '../database/client.js';
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
  if (!options.dryRun) return importInto(source, scope(target.db), options);
  const { rows } = await target.execute(`select to_regclass('public.account') as t`);
  if (!rows[0]?.t) throw new ImportRefusedError('the target is not migrated: run `npm run migration:run` first');
  let verification: Verification | undefined;
  try {
    await target.db.transaction(async (tx) => {
      verification = await importInto(source, scope(tx), options);
      throw DRY_RUN_DONE; // everything but the commit
    });
  } catch (error) {
    if (error !== DRY_RUN_DONE) throw error;
  }
  return verification!;
}

const DRY_RUN_DONE = new Error('dry run: rolled back');

async function importInto(source: Source, top: Scope, options: ImportOptions): Promise<Verification> {
  if (!options.dryRun) await top.migrate();
  const resumed = await top.nested((tx) => prepare(source, tx.exec));
  options.progress.log(resumed ? 'resuming the interrupted import' : `importing from ${source.label}`);
  const ctx = await loadContext(source, options.zone);
  for (const spec of TABLES) await copyTable(source, top, spec, ctx, options);
  // Sequences are not transactional: a dry run leaves them alone.
  if (!options.dryRun) await moveSequences(top.exec);
  const verification = await verify(source, top.exec, ctx);
  await top.exec(`update ${STATE}.run set finished_at = now()`);
  return verification;
}

type Exec = Database['execute'];

/**
 * Statements on the database or inside a transaction; `nested` opens a transaction there (a
 * savepoint inside one). Everything goes through Drizzle's transactions, which hold one
 * connection and survive a failed statement (the pool drops a connection whose query failed).
 */
interface Scope {
  exec: Exec;
  nested<T>(work: (scope: Scope) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
}

function scope(on: Db | Tx): Scope {
  return {
    exec: async (text, params = []) => {
      const parts = text.split(/\$(\d+)/);
      const chunks: SQL[] = parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`));
      const result = (await on.execute(sql.join(chunks))) as unknown as { rows: Record<string, unknown>[] };
      return { rows: result.rows };
    },
    nested: (work) => on.transaction((tx) => work(scope(tx))),
    migrate: async () => {
      await runMigrations(on as Db);
    },
  };
}

/** The state schema, and whether this target may take this source. Returns true when resuming. */
async function prepare(source: Source, exec: Exec): Promise<boolean> {
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
  if (!run) {
    if (accounts > 0) {
      throw new ImportRefusedError(
        `the target already holds ${accounts} accounts: import into a freshly migrated database`,
      );
    }
    await exec(`insert into ${STATE}.run (source) values ($1)`, [source.label]);
    await replaceCatalogue(source, exec);
    return false;
  }
  if (run.source !== source.label) {
    throw new ImportRefusedError(`the target was imported from ${String(run.source)}, not ${source.label}`);
  }
  if (run.finished_at === null) return true;
  // A new full pass over an imported target: every row is compared again, none rewritten unless it differs.
  await exec(`delete from ${STATE}.progress`);
  await exec(`delete from ${STATE}.refused`);
  await exec(`update ${STATE}.run set started_at = now(), finished_at = null`);
  return false;
}

/** The seeded catalogue gives way to the original's, ids included; nothing references it yet (no accounts). */
async function replaceCatalogue(source: Source, exec: Exec): Promise<void> {
  for (const table of ['item', 'character', 'palette']) {
    const [row] = await source.query(`select count(*) as n from \`${table}\``);
    if (Number(row!.n) > 0) await exec(`delete from ${q(table)}`);
  }
}

async function copyTable(source: Source, top: Scope, spec: TableSpec, ctx: ImportContext, options: ImportOptions) {
  const exec = top.exec;
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
    await writeBatch(top, spec, rows, ctx, last);
    options.progress.advance(rows.length);
  }
  options.progress.end();
}

// Compared as exact decimals: bigint ids past 2^53 would lose precision as doubles.
const keyAfter = (spec: TableSpec) =>
  spec.numericKey ? `s.${spec.key} > cast(? as decimal(20, 0))` : `s.${spec.key} > ?`;

async function writeBatch(top: Scope, spec: TableSpec, rows: SourceRow[], ctx: ImportContext, last: string) {
  const values: unknown[][] = [];
  const refused: [string, string][] = [];
  for (const row of rows) {
    const verdict = spec.convert(row, ctx);
    if (verdict.kind === 'row') values.push(verdict.values);
    else if (verdict.kind === 'refuse') refused.push([String(row[spec.key]), verdict.reason]);
  }
  // The rows, their refusals and the watermark commit together: a kill loses a whole batch or none.
  await top.nested(async (batch) => {
    if (values.length) await upsertAll(batch, spec, values, refused);
    for (const [key, reason] of refused) {
      await batch.exec(
        `insert into ${STATE}.refused (table_name, source_key, reason) values ($1, $2, $3)
         on conflict (table_name, source_key) do update set reason = excluded.reason`,
        [spec.name, key, reason],
      );
    }
    await batch.exec(
      `insert into ${STATE}.progress (table_name, last_key) values ($1, $2)
       on conflict (table_name) do update set last_key = excluded.last_key`,
      [spec.name, last],
    );
  });
}

const isRowError = (error: unknown) => ROW_ERROR.test(String(codeOf(error)));
/** Drizzle wraps the driver's error; the SQLSTATE is on it or on its cause. */
function codeOf(error: unknown): unknown {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return e?.code ?? e?.cause?.code;
}
const messageOf = (error: unknown) => (error as { cause?: Error }).cause?.message ?? (error as Error).message;

/** The whole batch in one statement; when the target rejects a row, row by row to find and refuse it. */
async function upsertAll(batch: Scope, spec: TableSpec, values: unknown[][], refused: [string, string][]) {
  try {
    await batch.nested((all) => all.exec(upsertSql(spec), [asJson(spec, values)]));
    return;
  } catch (error) {
    if (!isRowError(error)) throw error;
  }
  for (const row of values) {
    try {
      await batch.nested((one) => one.exec(upsertSql(spec), [asJson(spec, [row])]));
    } catch (error) {
      if (!isRowError(error)) throw error;
      refused.push([String(row[0]), `rejected by the target: ${messageOf(error)}`]);
    }
  }
}

/** The rows as one JSON parameter: one bind value per batch instead of thousands. */
function asJson(spec: TableSpec, values: unknown[][]): string {
  return JSON.stringify(values.map((row) => Object.fromEntries(spec.columns.map((c, i) => [c, row[i]]))));
}

function upsertSql(spec: TableSpec): string {
  const columns = spec.columns.map(q).join(', ');
  const [key, ...rest] = spec.columns.map(q);
  // A bcrypt hash upgraded to Argon2id at a login since the import stays: a rerun must not downgrade it.
  const value = (c: string) =>
    spec.name === 'account' && c === '"password"'
      ? `case when t.${c} like '$argon2%' then t.${c} else excluded.${c} end`
      : `excluded.${c}`;
  // Unchanged rows are not rewritten: a second run leaves every tuple (and its triggers) alone.
  // PostgreSQL turns each JSON object into a row of the table's own type (its column types).
  return `insert into ${q(spec.name)} as t (${columns}) ${spec.identity ? 'overriding system value' : ''}
    select ${columns} from json_populate_recordset(null::${q(spec.name)}, $1::json)
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
