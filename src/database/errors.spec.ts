import { describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { databaseUnavailability, fromDatabase, isTransientDatabaseError } from './errors.js';

const pgError = (code: string) => Object.assign(new Error(`database error ${code}`), { code });
/** As Drizzle throws it: its own error, with the driver's as `cause`. */
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select 1\nparams: '), { cause });

describe('databaseUnavailability (issue 9 item 2: 503 for the database, 500 for bugs only)', () => {
  it.each([
    ['55P03', 'busy'], // lock_timeout
    ['57014', 'busy'], // statement_timeout
    ['53300', 'busy'], // too many connections
    ['57P01', 'unavailable'], // admin shutdown (pg_terminate_backend)
    ['57P02', 'unavailable'], // crash shutdown
    ['57P03', 'unavailable'], // cannot connect now (starting up, failing over)
    ['25P03', 'unavailable'], // idle_in_transaction_session_timeout ended the session
    ['08006', 'unavailable'], // connection failure
    ['08001', 'unavailable'], // unable to connect
  ])('PostgreSQL %s is %s, bare or wrapped by Drizzle', (code, expected) => {
    expect(databaseUnavailability(pgError(code))).toBe(expected);
    expect(databaseUnavailability(wrapped(pgError(code)))).toBe(expected);
  });

  it.each([
    [fromDatabase(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'unavailable'],
    [
      fromDatabase(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
      'unavailable',
    ],
    [new Error('Connection terminated unexpectedly'), 'unavailable'],
    [new Error('Connection terminated due to connection timeout'), 'unavailable'],
    [new Error('Query read timeout'), 'unavailable'],
    [new Error('Client has encountered a connection error and is not queryable'), 'unavailable'],
    [new Error('Client was closed and is not queryable'), 'unavailable'],
    [new Error('timeout exceeded when trying to connect'), 'busy'],
    [new Error('PGlite is closed'), 'unavailable'],
  ])('the driver error %s is %s', (error, expected) => {
    expect(databaseUnavailability(error)).toBe(expected);
    expect(databaseUnavailability(wrapped(error))).toBe(expected);
  });

  it('a network error is the database only when a database operation raised it', () => {
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    // fetch to another service: a TypeError with the socket's error as cause.
    expect(databaseUnavailability(new TypeError('fetch failed', { cause: refused() }))).toBeUndefined();
    expect(databaseUnavailability(refused())).toBeUndefined();
    expect(
      databaseUnavailability(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })),
    ).toBeUndefined();
    // Drizzle's wrapper around a query that met it, or an error our pool or client rejected with.
    expect(databaseUnavailability(new DrizzleQueryError('select 1', [], refused()))).toBe('unavailable');
    expect(databaseUnavailability(fromDatabase(refused()))).toBe('unavailable');
  });

  it.each([
    ['a unique violation', wrapped(pgError('23505'))],
    ['a syntax error', wrapped(pgError('42601'))],
    ['a deadlock (a bug in lock order, not an outage)', pgError('40P01')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a non-error', 'boom'],
    ['nothing', undefined],
  ])('%s is not', (_name, error) => {
    expect(databaseUnavailability(error)).toBeUndefined();
  });

  it.each([
    ['a serialization failure', pgError('40001')],
    ['a deadlock', wrapped(pgError('40P01'))],
    ['a lost connection', wrapped(new Error('Connection terminated unexpectedly'))],
    ['a lock timeout', pgError('55P03')],
  ])('for a job, %s is worth trying again', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', wrapped(pgError('23505'))],
    ['a plain bug', new TypeError('x is undefined')],
  ])('for a job, %s is permanent', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
