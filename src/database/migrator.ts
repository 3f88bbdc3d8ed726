import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Database, Db, Tx } from './client.js';
import * as schema from './schema.js';

/**
 * `migrations/` at the package root, two levels up from `src/database` (tsx, tests) and from
 * `dist/database` (the built service) alike: the built service needs no `src/`.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export const MIGRATION_LOCK_KEY = 7_305_462_110; // any constant; serialises migrators of several instances
const BREAKPOINT = '--> statement-breakpoint';

export interface Migration {
  tag: string;
  up: string[];
  down: string[];
}

interface Journal {
  entries: { idx: number; tag: string }[];
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const journal = JSON.parse(readFileSync(`${dir}/meta/_journal.json`, 'utf8')) as Journal;
  return [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .map(({ tag }) => ({
      tag,
      up: splitStatements(readFileSync(`${dir}/${tag}.sql`, 'utf8')),
      down: splitStatements(readFileSync(`${dir}/${tag}.down.sql`, 'utf8')),
    }));
}

function splitStatements(text: string): string[] {
  return text
    .split(BREAKPOINT)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !/^(--[^\n]*\n?)+$/.test(s));
}

async function lockAndEnsureTable(tx: Tx): Promise<Set<string>> {
  // A migration may rightly run long or wait for the tables it alters: the service's bounds are for requests.
  await tx.execute(sql`set local statement_timeout = 0`);
  await tx.execute(sql`set local lock_timeout = 0`);
  await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
  await tx.execute(
    sql`create table if not exists monta_migrations (tag varchar(255) primary key, applied_at timestamptz not null default now())`,
  );
  // node-postgres and PGlite both answer `{ rows }`; the shared Drizzle type leaves it unknown.
  const applied = (await tx.execute(sql`select tag from monta_migrations order by tag`)) as unknown as {
    rows: { tag: string }[];
  };
  return new Set(applied.rows.map((r) => r.tag));
}

/** Applies every pending migration, each in its own transaction; returns the tags applied. */
export async function runMigrations(db: Db, migrations = listMigrations()): Promise<string[]> {
  const done: string[] = [];
  for (const migration of migrations) {
    const applied = await db.transaction(async (tx) => {
      const already = await lockAndEnsureTable(tx);
      if (already.has(migration.tag)) return false;
      for (const statement of migration.up) await tx.execute(sql.raw(statement));
      await tx.execute(sql`insert into monta_migrations (tag) values (${migration.tag})`);
      return true;
    });
    if (applied) done.push(migration.tag);
  }
  return done;
}

/**
 * The migrations run at start. On PostgreSQL they get a connection of their own opened without the
 * pool's bounds: DATABASE_QUERY_TIMEOUT_MS would cut a long statement, or a wait for the migration
 * lock while another instance migrates, and fail the boot. Only opening the connection is bounded.
 */
export async function migrateAtStart(
  database: Database,
  url: string | undefined,
  connectMs: number,
): Promise<string[]> {
  if (database.kind !== 'postgres' || !url) return runMigrations(database.db);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectMs, keepAlive: true });
  client.on('error', () => undefined); // a lost connection fails the pending query, which fails the boot
  await client.connect();
  try {
    return await runMigrations(drizzle(client, { schema }) as unknown as Db);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Reverts the last `steps` applied migrations, newest first; returns the tags reverted. */
export async function revertMigrations(db: Db, steps = 1, migrations = listMigrations()): Promise<string[]> {
  const done: string[] = [];
  for (let i = 0; i < steps; i++) {
    const reverted = await db.transaction(async (tx) => {
      const applied = await lockAndEnsureTable(tx);
      const last = [...migrations].reverse().find((m) => applied.has(m.tag));
      if (!last) return undefined;
      for (const statement of last.down) await tx.execute(sql.raw(statement));
      await tx.execute(sql`delete from monta_migrations where tag = ${last.tag}`);
      return last.tag;
    });
    if (!reverted) break;
    done.push(reverted);
  }
  return done;
}
