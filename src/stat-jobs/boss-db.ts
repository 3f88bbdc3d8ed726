import { createRequire } from 'node:module';
import type PgBoss from 'pg-boss';

// pg-boss's own statement texts, to recognise the two it runs without awaiting them.
const plans = createRequire(import.meta.url)('pg-boss/src/plans.js') as {
  completeJobs(schema: string): string;
  failJobsById(schema: string): string;
};

/**
 * pg-boss 10.4.2 settles an attempt (completes it, or fails it when the handler threw or outlived
 * its expiry) without awaiting the statement (Manager.watch): when that statement fails (the pool
 * is dry, the database is down) the rejection is unhandled, and an unhandled rejection ends the
 * process. Here such a failure is reported and the statement answers "no job settled": the job
 * stays active, and pg-boss's maintenance fails it by timeout after its expiry, so it is retried
 * (a retry of a job already completed only notes it, see StatJobsRunner). Every other statement
 * fails as before: pg-boss awaits those, or we do.
 */
export function containSettlements(db: PgBoss.Db, schema: string, report: (error: unknown) => void): PgBoss.Db {
  const settling = new Set([plans.completeJobs(schema), plans.failJobsById(schema)]);
  return {
    executeSql(text, values) {
      const result = db.executeSql(text, values);
      if (!settling.has(text)) return result;
      return result.catch((error: unknown) => {
        report(error);
        return { rows: [{ count: '0' }] };
      });
    },
  };
}
