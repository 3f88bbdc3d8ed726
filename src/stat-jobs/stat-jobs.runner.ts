import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { Clock } from '../common/clock.js';
import { Metrics } from '../common/metrics.js';
import { CONFIG, type Config } from '../config/config.js';
import { DATABASE, type Database } from '../database/client.js';
import { isTransientDatabaseError } from '../database/errors.js';
import { canonicalZone } from '../common/local-days.js';
import { AlertSender } from './alerts.js';
import { containSettlements } from './boss-db.js';
import { type JobDatabase, openJobDatabase } from './job-database.js';
import { JobMetrics } from './job-metrics.js';
import { RunRecords } from './run-records.js';
import { type RunResult, StatJobs } from './stat-jobs.js';

export const QUEUES = { daily: 'stats-daily', monthly: 'stats-monthly', backfill: 'stats-backfill' } as const;
export type JobName = keyof typeof QUEUES;
export interface BackfillData {
  from: string;
  to: string;
}

// Network trouble outside the database counts as transient too (a timeout of ours included).
const TRANSIENT_NAMES = new Set(['TimeoutError', 'AbortError']);
export const isTransient = (error: unknown) =>
  isTransientDatabaseError(error) || TRANSIENT_NAMES.has((error as Error | undefined)?.name ?? '');

/**
 * Runs the statistics jobs on pg-boss (its own schema `pgboss`, on PostgreSQL or the embedded
 * PGlite): the daily and monthly schedules (each run once across instances: pg-boss sends a cron
 * slot once), backfills queued by admins, retries with exponential backoff and jitter (pg-boss's
 * `retryBackoff`) for transient errors only, a run record per job, metrics and alerts.
 */
@Injectable()
export class StatJobsRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StatJobs');
  private readonly zone: string;
  private readonly metrics: JobMetrics;
  private readonly alerts: AlertSender;
  private db?: JobDatabase;
  private boss?: PgBoss;
  private jobs?: StatJobs;
  private records?: RunRecords;
  /** The end of the last run queued in this process: runs here go one at a time. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DATABASE) private readonly database: Database,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.zone = canonicalZone(config.DEFAULT_TIMEZONE);
    this.metrics = new JobMetrics(metrics.registry);
    this.alerts = new AlertSender(config.ALERT_WEBHOOK_URL, config.ALERT_TIMEOUT_MS, this.logger);
  }

  get enabled(): boolean {
    return this.boss !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.JOBS_ENABLED) return;
    const c = this.config;
    this.db = openJobDatabase(this.database, {
      url: c.DATABASE_URL,
      applicationName: c.STATS_JOB_APPLICATION_NAME,
      statementTimeoutMs: c.STATS_JOB_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: c.DATABASE_CONNECT_TIMEOUT_MS,
      onConnectionError: (error) => this.logger.warn({ err: error }, 'statistics jobs: connection lost'),
    });
    this.jobs = new StatJobs(this.db, this.zone);
    this.records = new RunRecords(this.db.run);
    const monitor = Math.max(1, Math.min(30, Math.round(c.STATS_JOB_POLL_SECONDS)));
    const boss = new PgBoss({
      db: containSettlements(this.db.boss, 'pgboss', (error) => this.queueError('settle', error)),
      schema: 'pgboss',
      cronMonitorIntervalSeconds: monitor,
      cronWorkerIntervalSeconds: monitor,
      maintenanceIntervalSeconds: 300,
    });
    boss.on('error', (error) => this.queueError('event', error));
    try {
      await boss.start();
      const queue = {
        retryLimit: c.STATS_JOB_RETRY_LIMIT,
        retryDelay: c.STATS_JOB_RETRY_DELAY_SECONDS,
        retryBackoff: true,
        expireInSeconds: c.STATS_JOB_DEADLINE_MINUTES * 60,
      };
      for (const name of Object.values(QUEUES)) {
        await boss.createQueue(name, { name, ...queue });
        await boss.updateQueue(name, { name, ...queue });
      }
      await boss.schedule(QUEUES.daily, c.STATS_DAILY_CRON, {}, { tz: this.zone });
      await boss.schedule(QUEUES.monthly, c.STATS_MONTHLY_CRON, {}, { tz: this.zone });
      const work = { includeMetadata: true as const, pollingIntervalSeconds: c.STATS_JOB_POLL_SECONDS };
      for (const name of Object.keys(QUEUES) as JobName[]) {
        await boss.work<BackfillData>(QUEUES[name], work, async ([job]) => this.handle(name, job!));
      }
    } catch (error) {
      await boss.stop({ graceful: false, wait: true, close: false }).catch(() => undefined);
      await this.db.close();
      throw error;
    }
    this.boss = boss;
  }

  async onApplicationShutdown(): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    // A run cut short is failed by pg-boss and retried later, by this instance or another.
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: 2000, close: false }).catch(() => undefined);
    await this.db?.close().catch(() => undefined);
  }

  /** Queues a refill of [from, to]; its id, or undefined when this instance runs no jobs. */
  async queueBackfill(data: BackfillData): Promise<string | undefined> {
    if (!this.boss) return undefined;
    return (await this.boss.send(QUEUES.backfill, data)) ?? undefined;
  }

  /**
   * Queues a daily or monthly run now, outside its schedule (operators, tests); `deadlineSeconds`
   * replaces the queue's deadline (STATS_JOB_DEADLINE_MINUTES) for this run only.
   */
  async runNow(name: 'daily' | 'monthly', deadlineSeconds?: number): Promise<string | undefined> {
    if (!this.boss) return undefined;
    const options = deadlineSeconds === undefined ? {} : { expireInSeconds: deadlineSeconds };
    return (await this.boss.send(QUEUES[name], {}, options)) ?? undefined;
  }

  private run(name: JobName, data: BackfillData): Promise<RunResult> {
    const now = this.clock.now();
    if (name === 'daily') return this.jobs!.daily(now);
    if (name === 'monthly') return this.jobs!.monthly(now);
    return this.jobs!.backfill(data.from, data.to, now);
  }

  /** An error inside pg-boss: counted and logged (its code and message only), never thrown. */
  private queueError(source: 'event' | 'settle', error: unknown) {
    this.metrics.queueErrors.inc({ source });
    const { code, message, queue } = (error ?? {}) as { code?: string; message?: string; queue?: string };
    this.logger.warn({ source, code, queue, message }, 'pg-boss error');
  }

  /**
   * One attempt of a job. pg-boss gives up on an attempt at its expiry and may start the next one
   * while the first still runs (JS cannot cancel it): attempts in this process therefore run one at
   * a time, waiting for each other here rather than on the writers' lock with a connection of the
   * jobs' small pool. An attempt pg-boss gave up on while it waited is not started; one of a job an
   * earlier attempt completed meanwhile only notes it. Across instances the wait is the writers'
   * lock, bounded by the pool's lock_timeout (STATS_JOB_STATEMENT_TIMEOUT_MS): one connection per
   * instance, and a transient error when it runs out.
   */
  private async handle(name: JobName, job: PgBoss.JobWithMetadata<BackfillData>) {
    const fetched = performance.now();
    const previous = this.tail;
    let done!: () => void;
    this.tail = new Promise((resolve) => (done = resolve));
    try {
      await previous;
      const attempt = job.retryCount + 1;
      if (performance.now() - fetched >= Number(job.expireInSeconds) * 1000) {
        this.logger.warn(
          { job: name, id: job.id, attempt, status: 'not started' },
          'statistics run: pg-boss gave up on this attempt while an earlier run went on',
        );
        return { skipped: 'expired while an earlier run went on' };
      }
      if (job.retryCount > 0 && (await this.records!.completed(job.id))) {
        this.logger.log(
          { job: name, id: job.id, attempt, status: 'completed' },
          'statistics run: an earlier attempt completed it',
        );
        return { skipped: 'completed by an earlier attempt' };
      }
      return await this.attempt(name, job, fetched);
    } finally {
      done();
    }
  }

  private async attempt(name: JobName, job: PgBoss.JobWithMetadata<BackfillData>, fetched: number) {
    const attempt = job.retryCount + 1;
    const started = performance.now();
    // The run's deadline is its pg-boss expiry (the queue's STATS_JOB_DEADLINE_MINUTES unless the
    // job was sent with its own): the alert goes whichever instance runs it.
    // (pg-boss reads it as `extract(epoch …)`, which node-postgres hands over as a numeric string.)
    const deadlineSeconds = Number(job.expireInSeconds);
    const deadline = setTimeout(
      () => void this.alerts.send(`statistics ${name} run ${job.id} has not finished after ${deadlineSeconds} s`),
      Math.max(0, deadlineSeconds * 1000 - (started - fetched)),
    );
    deadline.unref();
    try {
      await this.records!.started(job.id, name, attempt, this.clock.now());
      const result = await this.run(name, job.data);
      const ms = performance.now() - started;
      await this.records!.finished(job.id, 'completed', result, ms);
      this.metrics.runs.inc({ job: name, status: 'completed' });
      this.metrics.rows.inc({ job: name, kind: 'read' }, result.read);
      this.metrics.rows.inc({ job: name, kind: 'written' }, result.written);
      this.metrics.duration.observe({ job: name }, ms / 1000);
      this.logger.log(
        {
          job: name,
          id: job.id,
          status: 'completed',
          attempt,
          window: [result.windowStart, result.windowEnd],
          rows_read: result.read,
          rows_written: result.written,
          duration_ms: Math.round(ms),
        },
        'statistics run',
      );
      await this.watchFailureRate().catch((e: unknown) =>
        this.logger.warn({ err: e }, 'statistics run: could not update the failure rate'),
      );
      return result;
    } catch (error) {
      const ms = performance.now() - started;
      const transient = isTransient(error);
      const status = transient && job.retryCount < job.retryLimit ? 'retrying' : 'failed';
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.metrics.runs.inc({ job: name, status });
      this.metrics.duration.observe({ job: name }, ms / 1000);
      await this.records!.finished(job.id, status, undefined, ms, message).catch((e: unknown) =>
        this.logger.warn({ err: e }, 'statistics run: could not record the failure'),
      );
      this.logger.warn(
        { job: name, id: job.id, status, attempt, transient, duration_ms: Math.round(ms), err: error },
        'statistics run',
      );
      if (status === 'failed') {
        await this.alerts.send(`statistics ${name} run ${job.id} failed after ${attempt} attempt(s): ${message}`);
        await this.watchFailureRate().catch(() => undefined);
      }
      // pg-boss retries what is thrown; a permanent error (a bug) is recorded once, not looped.
      if (transient) throw error;
      return { failed: message };
    } finally {
      clearTimeout(deadline);
    }
  }

  private async watchFailureRate(): Promise<void> {
    const { now, before } = await this.records!.failureRates(this.config.ALERT_FAILURE_WINDOW_RUNS);
    this.metrics.failureRate.set(now);
    const threshold = this.config.ALERT_FAILURE_RATE_THRESHOLD;
    if (now > threshold && before <= threshold) {
      await this.alerts.send(
        `statistics jobs: ${Math.round(now * 100)}% of the last ${this.config.ALERT_FAILURE_WINDOW_RUNS} runs failed (threshold ${Math.round(threshold * 100)}%)`,
      );
    }
  }
}
