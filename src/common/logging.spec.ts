import { describe, expect, it } from 'vitest';
import { serializeError } from './logging.js';

describe('serializeError', () => {
  it("drops a failed query's parameters from the error, its message and its stack", () => {
    class QueryError extends Error {
      constructor(
        readonly query: string,
        readonly params: unknown[],
      ) {
        super(`Failed query: ${query}\nparams: ${params.join(',')}`, { cause: new Error('connection lost') });
      }
    }
    const out = serializeError(new QueryError('select 1 where email = $1', ['user@test.com', '$argon2id$x']));
    const text = JSON.stringify(out);
    expect(text).not.toContain('user@test.com');
    expect(text).not.toContain('$argon2id$x');
    expect(out.query).toBe('select 1 where email = $1');
    expect(out.message).toContain('params: [redacted]');
    expect(text).toContain('connection lost');
  });
});
