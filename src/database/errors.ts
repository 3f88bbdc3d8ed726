const codeOf = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
/** A PostgreSQL error code, as node-postgres or PGlite report it (Drizzle wraps it as `cause`). */
const hasCode = (error: unknown, code: string) =>
  codeOf(error) === code || codeOf((error as { cause?: unknown } | undefined)?.cause) === code;

export const isUniqueViolation = (error: unknown) => hasCode(error, '23505');
export const isForeignKeyViolation = (error: unknown) => hasCode(error, '23503');
/** `lock_timeout` ran out while waiting for a row lock. */
export const isLockTimeout = (error: unknown) => hasCode(error, '55P03');
