import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { fromDatabase } from './errors.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Repositories take a transaction as their last argument, or run on the database itself. */
export type DbOrTx = Db | Tx;

export interface Database {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  /** Runs one SQL text with positional parameters; used by the migration runner and health checks. */
  execute(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /**
   * Runs one SQL text as the named prepared statement `name` (one text per name), planned once per
   * connection rather than once per call; absent on the embedded database, where callers run it plainly.
   */
  executePrepared?(name: string, text: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** `select 1` outside the pool, so a pool busy with slow work doesn't read as a database that is down. */
  ping(): Promise<void>;
  /** The pool's connections now, for the metrics (read-only; the embedded database has no pool). */
  poolStats?(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  max: number;
  total: number;
  idle: number;
  /** Callers queued for a connection. */
  waiting: number;
}

export const DATABASE = Symbol('DATABASE');

/** Bounds on every wait for PostgreSQL, in milliseconds (the DATABASE_*_TIMEOUT_MS settings). */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a pooled one. */
  connectMs: number;
  /** A statement, server side (a lock wait counts towards it). */
  statementMs: number;
  /** A row or table lock wait, server side. */
  lockMs: number;
  /** Client side: a query still unanswered then closes its connection (a database that stopped answering). */
  queryMs: number;
  /** A transaction left idle by a stalled caller is ended by the server, releasing its locks. */
  idleInTransactionMs: number;
}

export interface DatabaseOptions {
  url?: string;
  dataDir: string;
  poolSize?: number;
  /** Left out (the CLI, migrations run by hand), PostgreSQL's own defaults apply: no bound. */
  timeouts?: DatabaseTimeouts;
  /** Told when a pooled connection is lost, idle or in use; the pool replaces it either way. */
  onConnectionError?: (error: Error) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.dataDir);
}

/** The settings' values, as `openDatabase` takes them. */
export function timeoutsOf(config: {
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_LOCK_TIMEOUT_MS: number;
  DATABASE_QUERY_TIMEOUT_MS: number;
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
}): DatabaseTimeouts {
  return {
    connectMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    lockMs: config.DATABASE_LOCK_TIMEOUT_MS,
    queryMs: config.DATABASE_QUERY_TIMEOUT_MS,
    idleInTransactionMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

function poolConfig(url: string, max: number, t: DatabaseTimeouts | undefined): pg.PoolConfig {
  const config: pg.PoolConfig = { connectionString: url, max, keepAlive: true };
  if (!t) return config;
  return {
    ...config,
    connectionTimeoutMillis: t.connectMs,
    query_timeout: t.queryMs,
    statement_timeout: t.statementMs,
    lock_timeout: t.lockMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
  };
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const report = options.onConnectionError ?? (() => undefined);
  const pool = new GuardedPool(poolConfig(url, options.poolSize ?? 10, options.timeouts));
  markRejections(pool);
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', report);
  pool.on('connect', (client) => {
    // Nor may a client in use: pg-pool listens only while a client is idle, and an 'error' event
    // with no listener ends the process (a failover or a terminated backend mid-request).
    client.on('error', report);
    markRejections(client);
    if (options.timeouts) closeOnReadTimeout(client);
  });
  // One connection of its own for readiness, with short bounds of its own.
  const probe = new pg.Pool({
    ...poolConfig(url, 1, options.timeouts),
    connectionTimeoutMillis: 2000,
    query_timeout: 2000,
    statement_timeout: 2000,
  });
  probe.on('error', () => undefined);
  probe.on('connect', (client) => client.on('error', () => undefined));
  return {
    db: drizzleNodePg(pool, { schema }) as unknown as Db,
    kind: 'postgres',
    execute: async (text, params) => ({ rows: (await pool.query(text, params)).rows }),
    executePrepared: async (name, text, params) => ({ rows: (await pool.query({ name, text, values: params })).rows }),
    ping: async () => {
      await probe.query('select 1');
    },
    poolStats: () => ({
      max: options.poolSize ?? 10,
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    close: async () => {
      await Promise.all([pool.end(), probe.end()]);
    },
  };
}

type ConnectCallback = Parameters<pg.Pool['connect']>[0];

/**
 * A pool whose checked-out clients are given back at most once, and at once (as broken) when their
 * connection ends: Drizzle's transaction never releases a client whose `begin` failed, which
 * would shrink the pool for good with every connection lost at that moment.
 */
class GuardedPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (callback) return super.connect(callback); // pool.query's own path, which releases correctly
    return super.connect().then(releaseWhenLost, (error: unknown) => Promise.reject(fromDatabase(error)));
  }
}

function releaseWhenLost(client: pg.PoolClient): pg.PoolClient {
  const release = client.release;
  let held = true;
  const giveBack = (error?: Error | boolean) => {
    if (!held) return;
    held = false;
    client.removeListener('end', lost);
    release(error);
  };
  const lost = () => giveBack(new Error('connection lost while checked out'));
  client.once('end', lost);
  client.release = giveBack;
  return client;
}

/** What a query rejects with is marked as the database's, so its network error code reads as a database outage. */
function markRejections(target: pg.Pool | pg.PoolClient): void {
  const send = target.query.bind(target) as (...args: unknown[]) => unknown;
  const query = (...args: unknown[]) => {
    const result = send(...args);
    if (result instanceof Promise) result.catch(fromDatabase);
    return result;
  };
  Object.assign(target, { query });
}

const READ_TIMEOUT = 'Query read timeout';

/**
 * node-postgres answers a query past `query_timeout` with an error but leaves it running on the
 * connection, so everything queued behind it (the rollback, the next request) would wait as well.
 * Ending the client then closes the socket (it has a query in flight), and the pool drops it.
 */
function closeOnReadTimeout(client: pg.PoolClient): void {
  const send = client.query.bind(client) as (...args: unknown[]) => unknown;
  const query = (...args: unknown[]) => {
    const result = send(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if ((error as Error | undefined)?.message === READ_TIMEOUT) void client.end();
      });
    }
    return result;
  };
  Object.assign(client, { query });
}

async function openPglite(dataDir: string): Promise<Database> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const releaseLock = takeLock(join(dir, 'monta.lock'));
  try {
    const client = await PGlite.create(join(dir, 'pglite'));
    return {
      db: drizzlePglite(client, { schema }) as unknown as Db,
      kind: 'pglite',
      execute: async (text, params) => ({ rows: (await client.query<Record<string, unknown>>(text, params)).rows }),
      ping: async () => {
        await client.query('select 1');
      },
      close: async () => {
        await client.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

export class DatabaseLockedError extends Error {}

/** Two processes on one PGlite folder silently lose writes, so the second one refuses to start. */
function takeLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new DatabaseLockedError(
          `The embedded database in ${resolve(path, '..')} is in use by process ${owner}. ` +
            'Stop that process, or set DATA_DIR to another folder (or DATABASE_URL for PostgreSQL).',
        );
      }
      unlinkSync(path); // left behind by a process that died
    }
  }
  throw new DatabaseLockedError(`Could not take the lock ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
