import { Body } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { apiError } from './api-error.js';
import type { JsonSchema } from './json-schema.js';
import { documenting } from './openapi.js';
import { edgeRaises } from './raises.js';
import { INT4_MAX } from '../limits.js';

/**
 * Reading request bodies as the former Spring server did (Jackson defaults):
 * unknown properties are ignored, numeric strings are coerced, a float is truncated, a missing or
 * null primitive is 0. What Jackson could not read at all (an object where a number belongs, text
 * that is not a number, a value outside the Java type) is 400 BAD_REQUEST with the one generic
 * message, and so is a body that is not a JSON object.
 */
const unreadable = () => apiError('BAD_BODY');
const INT4_MIN = -INT4_MAX - 1;
const INTEGER_TEXT = /^\s*[+-]?\d+(\.\d+)?\s*$/;

/** The body as an object; anything else (missing, array, scalar) is unreadable, as for Jackson. */
export function springObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unreadable();
  return body as Record<string, unknown>;
}

function coerce(value: unknown, min: number, max: number): number | null {
  if (value === undefined || value === null) return null;
  let number: number;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'string' && INTEGER_TEXT.test(value)) number = Number(value);
  else throw unreadable();
  if (!Number.isFinite(number)) throw unreadable();
  const truncated = Math.trunc(number);
  if (truncated < min || truncated > max) throw unreadable();
  return truncated;
}

/** A Java `int` field: missing or null is 0. */
export const springInt = (value: unknown): number => coerce(value, INT4_MIN, INT4_MAX) ?? 0;
/** A Java `Integer` field: missing or null stays null. */
export const springInteger = (value: unknown): number | null => coerce(value, INT4_MIN, INT4_MAX);
/** A Java `long` id: missing or null is 0 (JavaScript numbers are exact up to 2^53, beyond any id here). */
export const springLong = (value: unknown): number =>
  coerce(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? 0;

/** A Java `Boolean` field: true/false, or the strings Jackson accepts; missing or null stays null. */
export function springBoolean(value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw unreadable();
}

/** A Java `String` field: numbers and booleans become text as Jackson does; objects are unreadable. */
export function springString(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw unreadable();
}

/** A `{id}` path variable typed `long`: anything but digits is a 400 (Spring's type mismatch). */
export function springPathId(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw unreadable();
  return Number(value);
}

/** A `LocalDateTime` as Jackson writes it: ISO local date-time in UTC, no offset, fraction without trailing zeros. */
export function springDateTime(date: Date): string {
  const iso = date.toISOString().slice(0, -1); // 2024-02-20T15:04:05.120
  return iso.replace(/\.?0+$/, '');
}

/** A Java field: how Jackson reads it, and what it accepts as JSON Schema (the document's side of it). */
export interface SpringField<T> {
  read(value: unknown): T;
  schema: JsonSchema;
}
const INT32: JsonSchema = { type: 'integer', minimum: INT4_MIN, maximum: INT4_MAX };
export const spring = {
  int: { read: springInt, schema: INT32 } satisfies SpringField<number>,
  integer: { read: springInteger, schema: { ...INT32, type: ['integer', 'null'] } } satisfies SpringField<
    number | null
  >,
  /** Ids the PWA sends as the Nest dialect's decimal strings. */
  long: {
    read: springLong,
    schema: {
      anyOf: [
        { type: 'integer', minimum: 0 },
        { type: 'string', pattern: '^\\d{1,15}$' },
      ],
    },
  } satisfies SpringField<number>,
  boolean: { read: springBoolean, schema: { type: ['boolean', 'null'] } } satisfies SpringField<boolean | null>,
  string: { read: springString, schema: { type: ['string', 'null'] } } satisfies SpringField<string | null>,
};
export type SpringShape = Record<string, SpringField<unknown>>;

/** Reads every field of the shape, in order; unknown fields are ignored, as Jackson does. */
export function readSpring<S extends SpringShape>(
  shape: S,
  body: unknown,
): { [K in keyof S]: ReturnType<S[K]['read']> } {
  const source = springObject(body);
  return Object.fromEntries(Object.entries(shape).map(([key, f]) => [key, f.read(source[key])])) as {
    [K in keyof S]: ReturnType<S[K]['read']>;
  };
}

/** The body a Spring route reads: its fields, any others ignored (so no `additionalProperties: false`). */
export function springBodySchema(
  fields: Record<string, JsonSchema | SpringField<unknown>>,
  required: string[] = [],
): JsonSchema {
  const properties = Object.fromEntries(
    Object.entries(fields).map(([key, f]) => [key, 'read' in f ? (f as SpringField<unknown>).schema : f]),
  );
  return {
    type: 'object',
    description:
      'Read as Jackson did: numeric strings count as numbers, a missing number is 0, unknown fields are ignored.',
    properties,
    ...(required.length ? { required } : {}),
  };
}

/** `@SpringBody(schema)`: the raw body (read by the route's reader), documented. */
export const SpringBody = (schema: JsonSchema) => documenting(Body(), ApiBody({ schema }), edgeRaises('BAD_BODY'));
