import { PassThrough, type Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { apiError } from '../common/wire/api-error.js';
import { CONFIG, type Config } from '../config/config.js';
import { localDate } from '../common/local-days.js';
import type { Tx } from '../database/client.js';
import { Transactions } from '../database/transactions.js';
import { toPaletteResponse } from '../catalogue/catalogue.dto.js';
import { BOM, csvRow } from './csv.js';
import {
  CSV_COLUMNS,
  toAccountExport,
  toCategoryExport,
  toCharacterInventoryExport,
  toItemInventoryExport,
  toMemberExport,
  toRecordCsvCells,
  toRecordExport,
  toStreakExport,
  toTransactionExport,
} from './export.dto.js';
import { ExportRepository, type RecordCursor, type RecordWithCategory } from './export.repository.js';

export interface ExportFile {
  filename: string;
  contentType: string;
  body: Readable;
}

/** Runs one read in the export's snapshot (PostgreSQL) or in a short transaction of its own (PGlite). */
type Read = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** The reader went away (or stalled past the bound): stop reading and roll the snapshot back. */
class ExportAborted extends Error {}

/**
 * Streams a member's data as a file. Reads run in keyset batches inside one REPEATABLE READ,
 * READ ONLY transaction on PostgreSQL, so the file is one consistent snapshot whatever is written
 * meanwhile; each batch is its own bounded statement, and memory holds one batch. Everything up to
 * the first byte can still fail as a normal JSON error; after it, a failure aborts the connection
 * (the file never ends as if complete).
 */
@Injectable()
export class ExportService {
  private readonly logger = new Logger(ExportService.name);
  private running = 0;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transactions: Transactions,
    private readonly exports: ExportRepository,
    private readonly clock: Clock,
  ) {}

  async open(accountId: string, memberId: string, format: 'json' | 'csv', tz: string): Promise<ExportFile> {
    if (this.running >= this.config.EXPORT_MAX_CONCURRENT) {
      throw apiError('BUSY', { retryAfterSeconds: this.config.DATABASE_RETRY_AFTER_SECONDS });
    }
    this.running++;
    const out = new PassThrough({ highWaterMark: 64 * 1024 });
    let started = false;
    let markReady!: () => void;
    let failEarly!: (error: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = () => {
        started = true;
        resolve();
      };
      failEarly = reject;
    });
    const produce = (read: Read) =>
      format === 'csv'
        ? this.writeCsv(memberId, tz, read, out, markReady)
        : this.writeJson(accountId, memberId, tz, read, out, markReady);
    // PGlite is one connection: a transaction there would hold every other request for the whole
    // download, so the embedded database reads each batch in a short transaction of its own.
    const job = !this.transactions.embedded
      ? this.transactions.run(
          async (tx) => {
            await this.exports.preferIndexOrder(tx);
            return produce((fn) => fn(tx));
          },
          { isolationLevel: 'repeatable read', accessMode: 'read only' },
        )
      : produce((fn) =>
          this.transactions.run(async (tx) => {
            await this.exports.preferIndexOrder(tx);
            return fn(tx);
          }),
        );
    job
      .then(
        () => out.end(),
        (error: unknown) => {
          if (!started) return failEarly(error);
          if (!(error instanceof ExportAborted)) this.logger.warn({ err: error }, 'export failed mid-stream; aborted');
          out.destroy(error instanceof Error ? error : new Error('export failed'));
        },
      )
      .finally(() => this.running--);
    await ready;
    const date = localDate(this.clock.now(), tz);
    return format === 'csv'
      ? { filename: `monta-export-${date}.csv`, contentType: 'text/csv; charset=utf-8', body: out }
      : { filename: `monta-export-${date}.json`, contentType: 'application/json; charset=utf-8', body: out };
  }

  private async writeJson(
    accountId: string,
    memberId: string,
    tz: string,
    read: Read,
    out: PassThrough,
    ready: () => void,
  ): Promise<void> {
    const { account, member, streak, categories, items, characters } = await read(async (tx) => ({
      account: await this.exports.account(accountId, tx),
      member: await this.exports.member(memberId, tx),
      streak: await this.exports.streak(memberId, tx),
      categories: await this.exports.categories(memberId, tx),
      items: await this.exports.itemInventory(memberId, tx),
      characters: await this.exports.characterInventory(memberId, tx),
    }));
    if (!account || !member) throw apiError('MEMBER_MISSING');
    ready();
    const head = {
      format: 'monta-export',
      version: 1,
      exported_at: this.clock.now(),
      timezone: tz,
      account: toAccountExport(account),
      member: toMemberExport(member),
      // Also in `member`; on top as the rankings setting a person looks for.
      ranking_opt_out: member.rankingOptOut,
      study_streak: streak ? toStreakExport(streak.streak, streak.palette) : null,
      // The catalogue palettes this member holds: the one its streak shows (the only link there is).
      palettes: streak?.palette ? [toPaletteResponse(streak.palette)] : [],
      study_categories: categories.map(toCategoryExport),
      item_inventory: items.map(toItemInventoryExport),
      character_inventory: characters.map(toCharacterInventoryExport),
    };
    const open = JSON.stringify(head);
    await this.push(out, `${open.slice(0, -1)},"transaction_records":[`);
    let afterId = 0;
    let first = true;
    for (;;) {
      const from = afterId;
      const batch = await read((tx) => this.exports.transactions(memberId, from, this.config.EXPORT_BATCH_SIZE, tx));
      if (batch.length === 0) break;
      await this.push(out, jsonItems(batch.map(toTransactionExport), first));
      first = false;
      afterId = batch.at(-1)!.transactionRecordId;
    }
    await this.push(out, '],"study_records":[');
    first = true;
    for await (const batch of this.recordBatches(memberId, read)) {
      await this.push(out, jsonItems(batch.map(toRecordExport), first));
      first = false;
    }
    await this.push(out, ']}\n');
  }

  private async writeCsv(memberId: string, tz: string, read: Read, out: PassThrough, ready: () => void) {
    let first = true;
    for await (const batch of this.recordBatches(memberId, read)) {
      if (first) {
        ready();
        await this.push(out, BOM + csvRow([...CSV_COLUMNS]));
        first = false;
      }
      await this.push(out, batch.map((r) => csvRow(toRecordCsvCells(r, tz))).join(''));
    }
    if (first) {
      ready();
      await this.push(out, BOM + csvRow([...CSV_COLUMNS]));
    }
  }

  private async *recordBatches(memberId: string, read: Read): AsyncGenerator<RecordWithCategory[]> {
    let after: RecordCursor | undefined;
    for (;;) {
      const cursor = after;
      const batch = await read((tx) => this.exports.records(memberId, cursor, this.config.EXPORT_BATCH_SIZE, tx));
      if (batch.length === 0) return;
      yield batch;
      const last = batch.at(-1)!;
      after = { exactStart: last.exactStart, id: last.record.studyRecordId };
      if (batch.length < this.config.EXPORT_BATCH_SIZE) return;
    }
  }

  /**
   * Writes with backpressure. A reader that stops reading for longer than a transaction may stay
   * idle (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS) is cut off: every wait is bounded.
   */
  private push(out: PassThrough, chunk: string): Promise<void> {
    if (out.destroyed) return Promise.reject(new ExportAborted('reader gone'));
    if (out.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        out.off('drain', onDrain);
        out.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => finish();
      const onClose = () => finish(new ExportAborted('reader gone'));
      const timer = setTimeout(
        () => finish(new ExportAborted('reader stalled')),
        this.config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      );
      out.once('drain', onDrain);
      out.once('close', onClose);
    });
  }
}

/** A batch as array elements: a comma before it unless it opens the array. */
function jsonItems(items: unknown[], first: boolean): string {
  const text = items.map((i) => JSON.stringify(i)).join(',');
  return first ? text : `,${text}`;
}
