import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Throughput, duration and failure rate of the statistics jobs, on the application's registry. */
export class JobMetrics {
  readonly runs: Counter<'job' | 'status'>;
  readonly rows: Counter<'job' | 'kind'>;
  readonly duration: Histogram<'job'>;
  readonly failureRate: Gauge;
  readonly queueErrors: Counter<'source'>;

  constructor(registry: Registry) {
    this.runs = new Counter({
      name: 'monta_stats_job_runs_total',
      help: 'Statistics job attempts by outcome (completed, retrying, failed)',
      labelNames: ['job', 'status'],
      registers: [registry],
    });
    this.rows = new Counter({
      name: 'monta_stats_job_rows_total',
      help: 'Rows read and written by the statistics jobs',
      labelNames: ['job', 'kind'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'monta_stats_job_duration_seconds',
      help: 'Duration of statistics job attempts',
      labelNames: ['job'],
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1800],
      registers: [registry],
    });
    this.failureRate = new Gauge({
      name: 'monta_stats_job_failure_rate',
      help: 'Share of failed runs among the last ALERT_FAILURE_WINDOW_RUNS finished statistics runs',
      registers: [registry],
    });
    this.queueErrors = new Counter({
      name: 'monta_stats_job_queue_errors_total',
      help: 'Errors inside pg-boss, logged and contained: its error event, or its settling of an attempt',
      labelNames: ['source'],
      registers: [registry],
    });
  }
}
