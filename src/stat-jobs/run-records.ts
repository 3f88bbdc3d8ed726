import type { RunSql } from './job-database.js';
import type { RunResult } from './stat-jobs.js';

export type RunStatus = 'running' | 'retrying' | 'completed' | 'failed';

export interface RunRow {
  name: string;
  status: RunStatus;
  window_start: string | null;
  window_end: string | null;
  attempts: number;
  rows_read: number;
  rows_written: number;
  duration_ms: number | null;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

/** The `stat_job_run` rows: one per pg-boss job, updated by each of its attempts. */
export class RunRecords {
  constructor(private readonly run: RunSql) {}

  async started(jobId: string, name: string, attempt: number, at: Date): Promise<void> {
    await this.run(
      `insert into stat_job_run (job_id, name, status, attempts, started_at) values ($1, $2, 'running', $3, $4)
       on conflict (job_id) do update set status = 'running', attempts = excluded.attempts, error = null`,
      [jobId, name, attempt, at.toISOString()],
    );
  }

  async finished(jobId: string, status: RunStatus, result: RunResult | undefined, ms: number, error?: string) {
    await this.run(
      `update stat_job_run set status = $2::varchar, window_start = coalesce($3::date, window_start),
         window_end = coalesce($4::date, window_end), rows_read = $5::int, rows_written = $6::int, duration_ms = $7::int,
         finished_at = case when $2::varchar in ('completed', 'failed') then now() end, error = $8::varchar
       where job_id = $1`,
      [
        jobId,
        status,
        result?.windowStart ?? null,
        result?.windowEnd ?? null,
        result?.read ?? 0,
        result?.written ?? 0,
        Math.round(ms),
        error?.slice(0, 2000) ?? null,
      ],
    );
  }

  /** Whether an attempt of this job completed it already (here or on another instance). */
  async completed(jobId: string): Promise<boolean> {
    const { rows } = await this.run(`select 1 from stat_job_run where job_id = $1 and status = 'completed'`, [jobId]);
    return rows.length > 0;
  }

  /** Failure rate of the last `n` finished runs, and of the `n` before the newest one. */
  async failureRates(n: number): Promise<{ now: number; before: number }> {
    const { rows } = await this.run<{ status: RunStatus }>(
      `select status from stat_job_run where status in ('completed', 'failed') order by run_id desc limit $1`,
      [n + 1],
    );
    const rate = (xs: { status: RunStatus }[]) =>
      xs.length ? xs.filter((r) => r.status === 'failed').length / xs.length : 0;
    return { now: rate(rows.slice(0, n)), before: rate(rows.slice(1, n + 1)) };
  }

  async latest(limit: number): Promise<RunRow[]> {
    const { rows } = await this.run<RunRow>(
      `select name, status, to_char(window_start, 'YYYY-MM-DD') window_start, to_char(window_end, 'YYYY-MM-DD') window_end,
         attempts, rows_read, rows_written, duration_ms, started_at, finished_at, error
       from stat_job_run order by run_id desc limit $1`,
      [limit],
    );
    return rows.map((r) => ({
      ...r,
      started_at: new Date(r.started_at).toISOString(),
      finished_at: r.finished_at && new Date(r.finished_at).toISOString(),
    }));
  }
}
