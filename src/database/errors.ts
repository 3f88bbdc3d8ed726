/** PostgreSQL's unique_violation, as node-postgres or PGlite report it (Drizzle wraps it as `cause`). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
  return code(error) === '23505' || code((error as { cause?: unknown } | undefined)?.cause) === '23505';
}
