import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import { CONFIG, type Config } from '../config/config.js';
import { DATABASE, type Database, type Tx } from './client.js';

export interface TransactionOptions extends PgTransactionConfig {
  /**
   * Bounds this transaction's row-lock waits (`set local lock_timeout`), instead of the pool's
   * DATABASE_LOCK_TIMEOUT_MS. A wait that runs out fails with PostgreSQL's 55P03, which the exception
   * filter answers as 503 BUSY with Retry-After in either dialect (as any bounded wait that ran out).
   */
  lockTimeoutMs?: number;
}

/**
 * Opens the transactions of the services, which never hold the database itself: `run(fn)` gives the
 * callback its `tx`, to pass down to repositories as their last argument.
 */
@Injectable()
export class Transactions {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(CONFIG) private readonly config: Pick<Config, 'DATABASE_STATEMENT_TIMEOUT_MS'>,
  ) {}

  /** The embedded database is one connection: a long transaction there holds every other request. */
  get embedded(): boolean {
    return this.database.kind === 'pglite';
  }

  run<T>(fn: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { lockTimeoutMs, ...config } = options;
    return this.database.db.transaction(
      async (tx) => {
        if (lockTimeoutMs !== undefined) await this.boundLockWaits(lockTimeoutMs, tx);
        return fn(tx);
      },
      Object.keys(config).length > 0 ? config : undefined,
    );
  }

  private async boundLockWaits(lockTimeoutMs: number, tx: Tx): Promise<void> {
    const lockMs = Math.trunc(lockTimeoutMs);
    await tx.execute(sql.raw(`set local lock_timeout = ${lockMs}`));
    // A lock wait counts towards statement_timeout: it must not cut this longer wait short.
    const statementMs = Math.max(this.config.DATABASE_STATEMENT_TIMEOUT_MS, lockMs + 500);
    await tx.execute(sql.raw(`set local statement_timeout = ${statementMs}`));
  }
}
