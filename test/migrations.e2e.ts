import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/database/client.js';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { listMigrations, MIGRATION_LOCK_KEY, revertMigrations, runMigrations } from '../src/database/migrator.js';
import * as schema from '../src/database/schema.js';
import {
  appliedTags,
  createScratchDatabase,
  publicRelations,
  type SchemaFingerprint,
  schemaFingerprint,
} from './support/scratch-db.js';
import { useInstances } from './support/app.js';
import { useTeardown } from './support/fixture.js';

// Every migration up → down → up, on real PostgreSQL and on the embedded PGlite (STYLE.md, Data).
const REPO = fileURLToPath(new URL('..', import.meta.url));
const MIGRATIONS = listMigrations();
const TAGS = MIGRATIONS.map((m) => m.tag);

// What a test opens, it closes when it ends, last opened first (see useTeardown).
const teardown = useTeardown();
const instances = useInstances();

/** A database handle closed when the test ends. */
function closing(database: Database): Database {
  teardown.add(() => database.close());
  return database;
}

async function freshPostgres(pool = 5): Promise<{ url: string; database: Database }> {
  const db = await createScratchDatabase('migrations');
  teardown.add(() => db.drop());
  const database = closing(await openDatabase({ url: db.url, dataDir: '', poolSize: pool }));
  return { url: db.url, database };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'monta-migrations-'));
  teardown.add(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const isEmpty = (f: SchemaFingerprint) => Object.values(f).every((lines) => lines.length === 0);

/** Applies the migrations one at a time, reverts them one at a time, then applies them all again. */
async function upDownUp(database: Database): Promise<void> {
  const before = await schemaFingerprint(database);
  expect(isEmpty(before), JSON.stringify(before)).toBe(true);

  // states[i] is the schema with the first i migrations applied.
  const states: SchemaFingerprint[] = [before];
  for (let i = 0; i < MIGRATIONS.length; i++) {
    expect(await runMigrations(database.db, MIGRATIONS.slice(0, i + 1))).toEqual([TAGS[i]]);
    states.push(await schemaFingerprint(database));
    expect(await appliedTags(database)).toEqual(TAGS.slice(0, i + 1));
  }
  const migrated = states[MIGRATIONS.length]!;
  expect(migrated.relations.length).toBeGreaterThan(0);
  expect(await runMigrations(database.db), 'a second run applies nothing').toEqual([]);

  for (let i = MIGRATIONS.length; i > 0; i--) {
    expect(await revertMigrations(database.db, 1)).toEqual([TAGS[i - 1]]);
    expect(await schemaFingerprint(database), `after reverting ${TAGS[i - 1]}`).toEqual(states[i - 1]);
    expect(await appliedTags(database)).toEqual(TAGS.slice(0, i - 1));
  }
  expect(await revertMigrations(database.db, 1), 'nothing left to revert').toEqual([]);
  expect(await publicRelations(database)).toEqual(['monta_migrations', 'monta_migrations_pkey']);

  expect(await runMigrations(database.db)).toEqual(TAGS);
  expect(await schemaFingerprint(database)).toEqual(migrated);
  expect(await appliedTags(database)).toEqual(TAGS);
}

describe('migration files', () => {
  it('every migration has an up and a down', () => {
    expect(MIGRATIONS.length).toBeGreaterThan(0);
    for (const m of MIGRATIONS) {
      expect(m.up.length, `${m.tag}.sql`).toBeGreaterThan(0);
      expect(m.down.length, `${m.tag}.down.sql`).toBeGreaterThan(0);
    }
    expect([...TAGS].sort(), 'tags are applied in timestamp order').toEqual(TAGS);
  });
});

describe('migrations on PostgreSQL', () => {
  it('up → down → up, one migration at a time, leaves the schema identical', async () => {
    const { database } = await freshPostgres();
    await upDownUp(database);
  });

  it('the migrated schema has every table and column that schema.ts declares', async () => {
    const { database } = await freshPostgres();
    await runMigrations(database.db);
    const declared = (Object.values(schema) as unknown[])
      .filter((t): t is PgTable => t instanceof PgTable)
      .map((t) => getTableConfig(t))
      .flatMap((c) => c.columns.map((col) => `${c.name}.${col.name}`))
      .sort();
    const { rows } = await database.execute(
      `select table_name || '.' || column_name as col from information_schema.columns
       where table_schema = 'public' and table_name <> 'monta_migrations' order by 1`,
    );
    expect(rows.map((r) => String(r.col)).sort()).toEqual(declared);
  });

  it('two instances migrating at once apply each migration exactly once', async () => {
    const { url, database } = await freshPostgres();
    const other = closing(await openDatabase({ url, dataDir: '' }));
    const [a, b] = await Promise.all([runMigrations(database.db), runMigrations(other.db)]);
    expect([...a, ...b].sort()).toEqual(TAGS);
    expect(await appliedTags(other)).toEqual(TAGS);
  });

  it('at start, waiting for another instance that migrates longer than DATABASE_QUERY_TIMEOUT_MS still boots', async () => {
    const { url, database } = await freshPostgres();
    // Another session holds the migration lock for 2.5 s, as an instance running a long migration would.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const released = sleep(2500).then(() => holder.query('commit'));
    const started = Date.now();
    try {
      const app = await instances.start({
        DATABASE_URL: url,
        DATABASE_QUERY_TIMEOUT_MS: '1500',
        DATABASE_STATEMENT_TIMEOUT_MS: '800',
        DATABASE_LOCK_TIMEOUT_MS: '800',
        SHOP_LOCK_TIMEOUT_MS: '100',
      });
      await app.close();
    } finally {
      await released;
      await holder.end();
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(2400); // it did wait for the lock
    expect(await appliedTags(database)).toEqual(TAGS);
  });

  it('a failing migration rolls back completely and is not recorded', async () => {
    const { database } = await freshPostgres();
    const broken = { tag: '99999999999999_broken', up: ['create table half_done (id int)', 'select 1/0'], down: [] };
    await expect(runMigrations(database.db, [...MIGRATIONS, broken])).rejects.toThrow();
    expect(await appliedTags(database)).toEqual(TAGS);
    expect(await publicRelations(database)).not.toContain('half_done');
  });
});

describe('migrations on the embedded database (PGlite)', () => {
  it('up → down → up, one migration at a time, leaves the schema identical', { timeout: 120_000 }, async () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const database = closing(await openDatabase({ dataDir }));
    expect(database.kind).toBe('pglite');
    await upDownUp(database);
  });
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CONFIG_VARS = ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'NODE_ENV', 'LOG_LEVEL', 'PORT'];

/** The migration and seed CLI as built (`dist/cli.js`, built by the global setup), settings from the environment. */
function cli(args: string[], env: Record<string, string>, cwd = REPO): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_VARS.includes(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli.js', ...args], {
      cwd,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

async function tableNames(database: Database): Promise<string[]> {
  const { rows } = await database.execute(
    `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
  );
  return rows.map((r) => String(r.table_name));
}

async function seededEmails(database: Database): Promise<string[]> {
  const { rows } = await database.execute(`select email from account order by email`);
  return rows.map((r) => String(r.email));
}

describe('the migration CLI on PostgreSQL (DATABASE_URL)', { timeout: 120_000 }, () => {
  it('run applies pending migrations, then has nothing to apply', async () => {
    const { url, database } = await freshPostgres();
    const first = await cli(['run'], { DATABASE_URL: url });
    expect(first).toMatchObject({ code: 0, stdout: `Applied: ${TAGS.join(', ')}` });
    expect(await appliedTags(database)).toEqual(TAGS);
    expect(await tableNames(database)).toEqual(expect.arrayContaining(['account', 'member', 'role', 'study_streak']));

    const second = await cli(['run'], { DATABASE_URL: url });
    expect(second).toMatchObject({ code: 0, stdout: 'Nothing to apply.' });
    expect(await appliedTags(database)).toEqual(TAGS);
  });

  it('the built CLI needs no src/: a copy of dist/, migrations/ and the package applies every migration', async () => {
    const { url, database } = await freshPostgres();
    const copy = tempDir();
    for (const part of ['dist', 'migrations', 'package.json'])
      cpSync(join(REPO, part), join(copy, part), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    expect(existsSync(join(copy, 'src'))).toBe(false);
    expect(await cli(['run'], { DATABASE_URL: url }, copy)).toMatchObject({
      code: 0,
      stdout: `Applied: ${TAGS.join(', ')}`,
    });
    expect(await appliedTags(database)).toEqual(TAGS);
  });

  it('revert undoes the newest migration; revert N undoes N; nothing left says so', async () => {
    const { url, database } = await freshPostgres();
    expect((await cli(['run'], { DATABASE_URL: url })).code).toBe(0);
    const migrated = await schemaFingerprint(database);

    const one = await cli(['revert'], { DATABASE_URL: url });
    expect(one).toMatchObject({ code: 0, stdout: `Reverted: ${TAGS.at(-1)}` });
    expect(await appliedTags(database)).toEqual(TAGS.slice(0, -1));

    expect((await cli(['run'], { DATABASE_URL: url })).stdout).toBe(`Applied: ${TAGS.at(-1)}`);
    expect(await schemaFingerprint(database)).toEqual(migrated);

    const all = await cli(['revert', String(TAGS.length + 5)], { DATABASE_URL: url });
    expect(all).toMatchObject({ code: 0, stdout: `Reverted: ${[...TAGS].reverse().join(', ')}` });
    expect(await appliedTags(database)).toEqual([]);
    expect(await tableNames(database)).toEqual(['monta_migrations']);

    const none = await cli(['revert'], { DATABASE_URL: url });
    expect(none).toMatchObject({ code: 0, stdout: 'Nothing to revert.' });
  });

  it('seed migrates a fresh database, seeds the test accounts, and is safe to repeat', async () => {
    const { url, database } = await freshPostgres();
    const first = await cli(['seed'], { DATABASE_URL: url });
    expect(first).toMatchObject({ code: 0, stdout: 'Seeded.' });
    expect(await appliedTags(database)).toEqual(TAGS);
    expect(await seededEmails(database)).toEqual(['admin@test.com', 'user@test.com']);

    const second = await cli(['seed'], { DATABASE_URL: url });
    expect(second).toMatchObject({ code: 0, stdout: 'Seeded.' });
    expect(await seededEmails(database)).toEqual(['admin@test.com', 'user@test.com']);
    const { rows } = await database.execute(`select count(*)::int as n from member`);
    expect(rows[0]!.n).toBe(2);
  });

  it('seed with NODE_ENV=production creates the roles and no test accounts', async () => {
    const { url, database } = await freshPostgres();
    const result = await cli(['seed'], {
      DATABASE_URL: url,
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'a-production-access-secret-0123456789-abcdef',
      AUTH_REFRESH_SECRET: 'a-production-refresh-secret-0123456789-abcdef',
    });
    expect(result).toMatchObject({ code: 0, stdout: 'Seeded.' });
    const { rows } = await database.execute(`select role_id, name from role order by role_id`);
    expect(rows).toEqual([
      { role_id: 1, name: 'Admin' },
      { role_id: 2, name: 'User' },
    ]);
    expect(await seededEmails(database)).toEqual([]);
  });

  it('an unknown command prints the usage and exits 2', async () => {
    const { url } = await freshPostgres();
    const result = await cli(['sideways'], { DATABASE_URL: url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: cli.ts run | revert [steps] | seed');
  });
});

describe('the migration CLI on the embedded database (no DATABASE_URL)', { timeout: 240_000 }, () => {
  it('run, revert and seed work on a nested DATA_DIR and release the lock', async () => {
    const dataDir = join(tempDir(), 'a', 'b', 'data');
    const env = { DATA_DIR: dataDir };

    expect(await cli(['run'], env)).toMatchObject({ code: 0, stdout: `Applied: ${TAGS.join(', ')}` });
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
    expect(existsSync(join(dataDir, 'monta.lock')), 'lock released on exit').toBe(false);
    expect(await cli(['run'], env)).toMatchObject({ code: 0, stdout: 'Nothing to apply.' });

    const all = await cli(['revert', String(TAGS.length)], env);
    expect(all).toMatchObject({ code: 0, stdout: `Reverted: ${[...TAGS].reverse().join(', ')}` });
    expect(await cli(['seed'], env)).toMatchObject({ code: 0, stdout: 'Seeded.' });
    expect(await cli(['seed'], env)).toMatchObject({ code: 0, stdout: 'Seeded.' });
    expect(existsSync(join(dataDir, 'monta.lock'))).toBe(false);

    const database = await openDatabase({ dataDir });
    try {
      expect(await appliedTags(database)).toEqual(TAGS);
      expect(await seededEmails(database)).toEqual(['admin@test.com', 'user@test.com']);

      // While this process holds the folder, the CLI refuses rather than sharing it.
      const refused = await cli(['run'], env);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`The embedded database in ${dataDir} is in use by process ${process.pid}`);
      expect(refused.stderr, 'a message, not a stack trace').not.toMatch(/^\s+at /m);
    } finally {
      await database.close();
    }
  });
});
