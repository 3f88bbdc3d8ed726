import { DrizzleQueryError } from 'drizzle-orm/errors';

const codeOf = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
/** A PostgreSQL error code, as node-postgres or PGlite report it (Drizzle wraps it as `cause`). */
const hasCode = (error: unknown, code: string) =>
  codeOf(error) === code || codeOf((error as { cause?: unknown } | undefined)?.cause) === code;

export const isUniqueViolation = (error: unknown) => hasCode(error, '23505');
export const isForeignKeyViolation = (error: unknown) => hasCode(error, '23503');
/** `lock_timeout` ran out while waiting for a row lock. */
export const isLockTimeout = (error: unknown) => hasCode(error, '55P03');
/** `statement_timeout` cancelled the statement (a lock wait counts towards it too). */
export const isStatementTimeout = (error: unknown) => hasCode(error, '57014');

/**
 * Why the database could not serve a request right now, as opposed to a bug: `busy` when a bounded
 * wait ran out (a lock, a statement, a pooled connection), `unavailable` when the connection failed.
 */
export type Unavailability = 'busy' | 'unavailable';

// 55P03 lock timeout, 57014 statement timeout (or cancel), 53300 too many connections.
const BUSY_CODES = new Set(['55P03', '57014', '53300']);
// 40001 a serialization failure and 40P01 a deadlock: a job tries the same work again, but a request
// answers 500, since with our lock order a deadlock in a request is a bug to see, not to hide.
const RETRYABLE_CONFLICT_CODES = ['40001', '40P01'];
// 57P01–57P03 admin shutdown, crash shutdown, cannot connect now; 25P03 and 57P05 a session ended
// by idle_in_transaction_session_timeout or idle_session_timeout; class 08 is connection exceptions.
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '25P03', '57P05']);
// The socket's own failures, as Node reports them: the database's only when a database operation raised
// them (any HTTP client can fail with ECONNREFUSED too).
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// node-postgres and pg-pool raise these without a code; their texts are all there is to go by.
const BUSY_MESSAGES = [/^timeout exceeded when trying to connect$/];
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, // unexpectedly, or due to connection timeout
  /^Query read timeout$/,
  /is not queryable$/, // a client whose connection failed or that was closed
  /^Cannot use a pool after calling end on the pool$/,
  /^PGlite is clos(ed|ing)$/,
];

const raisedByDatabase = new WeakSet<object>();

/** Marks an error a pool or client operation rejected with (src/database/client.ts), and returns it. */
export function fromDatabase<T>(error: T): T {
  if (error instanceof Object) raisedByDatabase.add(error);
  return error;
}

/** Whether this error (or one it wraps) says the database can't serve now; undefined for anything else. */
export function databaseUnavailability(error: unknown): Unavailability | undefined {
  let current = error;
  let database = false;
  for (let depth = 0; depth < 5 && current instanceof Object; depth++) {
    // Drizzle wraps whatever its query met; our pool and clients mark what they reject with.
    database ||= current instanceof DrizzleQueryError || raisedByDatabase.has(current);
    const code = codeOf(current);
    if (typeof code === 'string') {
      if (BUSY_CODES.has(code)) return 'busy';
      if (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || (database && NETWORK_CODES.has(code))) {
        return 'unavailable';
      }
    }
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') {
      if (BUSY_MESSAGES.some((m) => m.test(message))) return 'busy';
      if (UNAVAILABLE_MESSAGES.some((m) => m.test(message))) return 'unavailable';
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Worth trying again later (the statistics jobs retry these): the database could not serve just now. */
export const isTransientDatabaseError = (error: unknown): boolean =>
  databaseUnavailability(error) !== undefined || RETRYABLE_CONFLICT_CODES.some((code) => hasCode(error, code));
