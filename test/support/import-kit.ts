import { spawn } from 'node:child_process';
import { openDatabase, type Database } from '../../src/database/client.js';
import { runMigrations } from '../../src/database/migrator.js';
import { seedCatalogue } from '../../src/seeds/catalogue.js';
import { SEED_ROLES } from '../../src/seeds/seed.js';
import { role } from '../../src/database/schema.js';
import { TABLES } from '../../src/import/tables.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.js';
import { useTeardown } from './fixture.js';

// The import CLI as a child process, and fresh targets to import into (issue 15).

export function runCli(args: string[], databaseUrl: string, onLine?: (line: string, kill: () => void) => void) {
  return new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/import/cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const feed = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) onLine?.(line, () => child.kill('SIGKILL'));
      out += chunk.toString('utf8');
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

export interface Target {
  scratch: ScratchDatabase;
  db: Database;
}

/** A migrated target with the seeded roles and catalogue, as a fresh install has them; the caller drops it. */
export async function freshTarget(tag: string): Promise<Target> {
  const scratch = await createScratchDatabase(tag);
  const db = await openDatabase({ url: scratch.url, dataDir: '', poolSize: 1 });
  await runMigrations(db.db);
  await db.db.insert(role).values(SEED_ROLES);
  await seedCatalogue(db.db);
  return { scratch, db };
}

/**
 * Fresh targets that close and drop themselves with the scope that made them: the test, or the suite
 * when made in `beforeAll` (see `useTeardown`). Call at collection time.
 */
export function useFreshTargets(): (tag: string) => Promise<Target> {
  const teardown = useTeardown();
  return async (tag) => {
    const target = await freshTarget(tag);
    teardown.add(async () => {
      await target.db.close();
      await target.scratch.drop();
    });
    return target;
  };
}

/** Every row's physical version: a row rewritten by an UPDATE gets a new xmin. */
export async function versions(db: Database): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) {
    const { rows } = await db.execute(`select string_agg(xmin::text, ',' order by ctid) as v from "${t.name}"`);
    parts.push(`${t.name}:${String(rows[0]!.v)}`);
  }
  return parts.join(' ');
}
