import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import * as schema from '../../src/database/schema.js';

// One way for a suite to reach the database behind the service: the rows no route shows, and the
// factories' inserts, typed by the schema.

export type Db = pg.Pool;

export interface DbOptions {
  /** Another database than this run's (a scratch one). */
  url?: string;
  /** Connections at most; small, as suites run side by side on one server. */
  max?: number;
}

/** A pool on this run's database; the caller ends it. */
export function openDb(options: DbOptions = {}): Db {
  return new pg.Pool({ connectionString: options.url ?? inject('databaseUrl'), max: options.max ?? 3 });
}

/** A pool for the whole suite, ended in `afterAll` (a pool connects only when first used). */
export function useDb(options: DbOptions = {}): Db {
  const db = openDb(options);
  afterAll(() => db.end());
  return db;
}

const orms = new WeakMap<Db, NodePgDatabase<typeof schema>>();

/** The pool as Drizzle sees it, for inserts checked against the schema's columns. */
export function orm(db: Db): NodePgDatabase<typeof schema> {
  let found = orms.get(db);
  if (!found) {
    found = drizzle(db, { schema });
    orms.set(db, found);
  }
  return found;
}
