import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type PgBoss from 'pg-boss';
import pg from 'pg';
import type { Database } from '../database/client.js';

/** One SQL text with positional parameters, on whichever engine runs the jobs. */
export type RunSql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<{ rows: T[] }>;

const dialect = new PgDialect();

/** Runs a drizzle-built query through `run`: the same SQL text and parameters on either engine. */
export function runQuery<T = Record<string, unknown>>(run: RunSql, query: SQL) {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return run<T>(text, params);
}

/**
 * The statistics jobs' own database access. On PostgreSQL a pool of its own, named by
 * STATS_JOB_APPLICATION_NAME (operators can see and end the jobs' sessions apart from requests) and
 * with a statement bound that suits batch work; on PGlite the embedded database itself.
 */
export interface JobDatabase {
  run: RunSql;
  transaction<T>(work: (run: RunSql) => Promise<T>): Promise<T>;
  /** What pg-boss runs its own SQL on. */
  boss: PgBoss.Db;
  close(): Promise<void>;
}

export interface JobDatabaseOptions {
  url?: string;
  applicationName: string;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  onConnectionError?: (error: Error) => void;
}

export function openJobDatabase(app: Database, options: JobDatabaseOptions): JobDatabase {
  if (app.kind === 'pglite') return pgliteJobDatabase((app.db as unknown as { $client: PGlite }).$client);
  if (!options.url) throw new Error('a PostgreSQL database has a URL');
  return postgresJobDatabase(options.url, options);
}

function postgresJobDatabase(url: string, options: JobDatabaseOptions): JobDatabase {
  const report = options.onConnectionError ?? (() => undefined);
  const pool = new pg.Pool({
    connectionString: url,
    max: 3,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 5000,
    lock_timeout: options.statementTimeoutMs,
    idle_in_transaction_session_timeout: options.statementTimeoutMs + 10000,
    keepAlive: true,
  });
  // A terminated backend must not crash the process: the run fails and is retried.
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  const run: RunSql = async <T>(text: string, params?: unknown[]) =>
    (await pool.query(text, params as unknown[])) as unknown as { rows: T[] };
  return {
    run,
    boss: { executeSql: (text, values) => pool.query(text, values) },
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await work(
          async <T>(text: string, params?: unknown[]) =>
            (await client.query(text, params as unknown[])) as unknown as { rows: T[] },
        );
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((e: unknown) => {
          broken = e as Error;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

function pgliteJobDatabase(client: PGlite): JobDatabase {
  const run: RunSql = async <T>(text: string, params?: unknown[]) =>
    (await client.query<T>(text, params)) as { rows: T[] };
  return {
    run,
    boss: {
      // pg-boss sends several statements in one text without parameters (its schema, its locks):
      // only PGlite's `exec` takes those.
      async executeSql(text, values) {
        if (values && values.length) return client.query(text, values);
        const results = await client.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      },
    },
    transaction: (work) =>
      client.transaction((tx: Transaction) =>
        work(async <T>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)) as { rows: T[] }),
      ),
    close: async () => undefined,
  };
}
