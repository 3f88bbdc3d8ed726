import { Inject, Injectable } from '@nestjs/common';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { refreshToken } from '../database/schema.js';

export type RefreshTokenRow = typeof refreshToken.$inferSelect;

/** Refresh tokens are kept as SHA-256 digests, grouped in chains (one chain per login). */
@Injectable()
export class RefreshTokenRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async insert(row: typeof refreshToken.$inferInsert, tx: DbOrTx = this.db): Promise<void> {
    await tx.insert(refreshToken).values(row);
  }

  async findByHash(tokenHash: string, tx: DbOrTx = this.db): Promise<RefreshTokenRow | undefined> {
    const rows = await tx.select().from(refreshToken).where(eq(refreshToken.tokenHash, tokenHash)).limit(1);
    return rows[0];
  }

  /** Marks the token rotated; only one of several parallel callers wins. */
  async markRotated(id: string, at: Date, tx: DbOrTx = this.db): Promise<boolean> {
    const rows = await tx
      .update(refreshToken)
      .set({ rotatedAt: at })
      .where(and(eq(refreshToken.refreshTokenId, id), isNull(refreshToken.rotatedAt)))
      .returning({ id: refreshToken.refreshTokenId });
    return rows.length > 0;
  }

  /** Serialises everything done to one chain until the transaction ends. */
  async lockChain(chainId: string, tx: DbOrTx): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${chainId}))`);
  }

  async revokeAccount(accountId: string, at: Date, tx: DbOrTx = this.db): Promise<void> {
    await tx
      .update(refreshToken)
      .set({ revokedAt: at })
      .where(and(eq(refreshToken.accountId, accountId), isNull(refreshToken.revokedAt)));
  }

  async revokeChain(chainId: string, at: Date, tx: DbOrTx = this.db): Promise<void> {
    await tx
      .update(refreshToken)
      .set({ revokedAt: at })
      .where(and(eq(refreshToken.chainId, chainId), isNull(refreshToken.revokedAt)));
  }
}
