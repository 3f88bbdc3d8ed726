import { Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.guards.js';
import { apiError } from '../common/wire/api-error.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { Int, LocalDate, Nullable, Obj, Type } from '../common/wire/response-schema.js';
import { field, type Infer, is, ValidBody } from '../common/wire/validation.js';
import { DATABASE, type Database } from '../database/client.js';
import { daysBetween } from '../common/local-days.js';
import { RunRecords } from './run-records.js';
import { StatJobsRunner } from './stat-jobs.runner.js';

const BackfillBody = { from: field<string>(is.date()), to: field<string>(is.date()) };
const Text = Type.String();
const RunsResponse = Obj({
  runs: Type.Array(
    Obj({
      name: Text,
      status: Type.Union([
        Type.Literal('running'),
        Type.Literal('retrying'),
        Type.Literal('completed'),
        Type.Literal('failed'),
      ]),
      window_start: Nullable(Text),
      window_end: Nullable(Text),
      attempts: Int,
      rows_read: Int,
      rows_written: Int,
      duration_ms: Nullable(Int),
      started_at: Text,
      finished_at: Nullable(Text),
      error: Nullable(Text),
    }),
  ),
});
const BackfillResponse = Obj({ job_id: Text, from: LocalDate, to: LocalDate });
/** A refill spans at most this many days (about ten years); longer ones are split by the caller. */
const MAX_BACKFILL_DAYS = 3700;
const LATEST_RUNS = 50;

/** Operating the statistics jobs (issue 10), for live Admin accounts, in the Nest dialect. */
@ApiTags('statistics jobs (admin)')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin')
export class StatJobsController {
  private readonly records: RunRecords;

  constructor(
    @Inject(DATABASE) database: Database,
    private readonly runner: StatJobsRunner,
  ) {
    this.records = new RunRecords(
      async <T>(text: string, params?: unknown[]) => (await database.execute(text, params)) as { rows: T[] },
    );
  }

  /** M5: the latest runs, newest first. */
  @Get('jobs')
  @Returns(RunsResponse)
  async jobs() {
    return { runs: await this.records.latest(LATEST_RUNS) };
  }

  /** M6: queues a refill of [from, to] (days up to yesterday are filled); answered once queued. */
  @Post('statistics/backfill')
  @Returns(BackfillResponse)
  @Raises('JOBS_DISABLED')
  async backfill(@ValidBody(BackfillBody) body: Infer<typeof BackfillBody>) {
    const span = daysBetween(body.from, body.to);
    if (span < 0) throw apiError('VALIDATION', { messages: ['to must not be before from'] });
    if (span >= MAX_BACKFILL_DAYS)
      throw apiError('VALIDATION', { messages: [`the range must not exceed ${MAX_BACKFILL_DAYS} days`] });
    const id = await this.runner.queueBackfill({ from: body.from, to: body.to });
    if (!id) throw apiError('JOBS_DISABLED', { retryAfterSeconds: 60 });
    return { job_id: id, from: body.from, to: body.to };
  }
}
