import { Body } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { apiError } from './api-error.js';
import type { JsonSchema } from './json-schema.js';
import { type Field, type Shape, shapeSchema, type ValidateOptions, validate } from './validation.js';
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
function springObject(body: unknown): Record<string, unknown> {
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
const springInt = (value: unknown): number => coerce(value, INT4_MIN, INT4_MAX) ?? 0;
/** A Java `Integer` field: missing or null stays null. */
const springInteger = (value: unknown): number | null => coerce(value, INT4_MIN, INT4_MAX);
/** A Java `long` id: missing or null is 0 (JavaScript numbers are exact up to 2^53, beyond any id here). */
const springLong = (value: unknown): number => coerce(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? 0;

/** A Java `Boolean` field: true/false, or the strings Jackson accepts; missing or null stays null. */
function springBoolean(value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw unreadable();
}

/** A Java `String` field: numbers and booleans become text as Jackson does; objects are unreadable. */
function springString(value: unknown): string | null {
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

/** A Java `String` under the admin's checks: blank (or whitespace) is absent, as null is. */
function springText(value: unknown): string | null {
  const text = springString(value);
  return text === null || text.trim() === '' ? null : text;
}

/**
 * A Java field as a field of the validation vocabulary: Jackson's reader and what it accepts. It is
 * optional as Java's bean validation is (only `is.notNull` refuses a null); a route adds its checks.
 */
const java = <T>(read: (value: unknown) => T, accepts: JsonSchema): SpringField<T> => ({
  read,
  accepts,
  checks: [],
  optional: true,
});
export type SpringField<T = unknown> = Field<T> & { read: (value: unknown) => T };
const INT32: JsonSchema = { type: 'integer', minimum: INT4_MIN, maximum: INT4_MAX };
export const spring = {
  int: java(springInt, INT32),
  integer: java(springInteger, INT32),
  /** Ids the PWA sends as the Nest dialect's decimal strings. */
  long: java(springLong, {
    anyOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^\\d{1,15}$' },
    ],
  }),
  boolean: java(springBoolean, { type: 'boolean' }),
  text: java(springText, { type: 'string' }),
};
/** A field's own line in the admin's answers: `"<javaField> : <text>"`. */
export const says = (text: string) => (field: string) => `${field} : ${text}`;

/** Spring's bean validation as the admin answers it: unknown fields ignored, each field's first failure. */
const SPRING_RULES: ValidateOptions = { allowUnknown: true, firstFailure: true, code: 'FIELD_CHECKS' };

/**
 * Reads a body as the Spring server did: every field as Jackson reads it (an unreadable one is the
 * generic 400 before any check), then the shape's checks. Every key is in the result: every Java
 * field has a value (a missing `int` is 0, anything else null).
 */
export function readSpring<S extends Record<string, SpringField>>(shape: S, body: unknown): SpringRead<S> {
  return validate(shape, springObject(body), SPRING_RULES) as unknown as SpringRead<S>;
}
export type SpringRead<S> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** The body a Spring route reads: its fields, any others ignored (so no `additionalProperties: false`). */
export function springBodySchema(shape: Shape): JsonSchema {
  return {
    ...shapeSchema(shape, { allowUnknown: true }),
    description:
      'Read as Jackson did: numeric strings count as numbers, a missing number is 0, unknown fields are ignored.',
  };
}

/** `@SpringBody(schema)`: the raw body (read by the route's reader), documented. */
export const SpringBody = (schema: JsonSchema) => documenting(Body(), ApiBody({ schema }), edgeRaises('BAD_BODY'));
