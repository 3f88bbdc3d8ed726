/// <reference lib="es2024.string" />
import { Body, Injectable, type PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { isDate, isTimeZone } from '../local-days.js';
import { apiError } from './api-error.js';
import { type JsonSchema, mergeSchemas, nullable } from './json-schema.js';
import { documenting } from './openapi.js';
import { edgeRaises } from './raises.js';

/**
 * A small validator that reproduces class-validator's messages and order as the original Nest
 * server produced them (class-validator): unknown properties first, then fields in declaration
 * order, every failing check of a field reported, in the order listed here. The Spring bodies use
 * the same fields and checks with Spring's rules (`readSpring` in spring.ts: `firstFailure`).
 */
export interface Check {
  test(value: unknown): boolean;
  message(field: string): string;
  /** What the check accepts, as a JSON Schema fragment: the API document is written from the checks. */
  schema: JsonSchema;
}

export interface Field<T = unknown> {
  checks: Check[];
  /** `undefined` and `null` skip the checks (class-validator's @IsOptional, Java's null for all but @NotNull). */
  optional?: boolean;
  /** With `optional`: `null` is a value and goes through the checks. */
  nullIsValue?: boolean;
  /**
   * Turns the raw value into the one checked and returned, for every field before any is checked:
   * trims an e-mail, or reads a Java field as Jackson did (spring.ts), throwing what it can't read.
   */
  read?: (value: unknown) => unknown;
  /** What `read` accepts, as JSON Schema; the checks' fragments narrow it. */
  accepts?: JsonSchema;
  /** The JSON property, when it is not the field's name (a Spring body's snake_case key of a Java field). */
  key?: string;
  /** Marks the output type. */
  readonly _type?: T;
}

export type Shape = Record<string, Field>;
export type Infer<S extends Shape> = {
  [K in keyof S as S[K] extends { optional: true } ? never : K]: S[K] extends Field<infer T> ? T : never;
} & {
  [K in keyof S as S[K] extends { optional: true } ? K : never]?: S[K] extends Field<infer T> ? T : never;
};

// Characters as class-validator and a varchar(n) column count them: a surrogate pair is one.
const characters = (v: string) => v.length - (v.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
export const check = (test: (v: unknown) => boolean, message: (f: string) => string, schema: JsonSchema): Check => ({
  test,
  message,
  schema,
});
/** No unpaired UTF-16 surrogate: a lone `\uD800` can't be stored as UTF-8 and would come back as U+FFFD. */
export const isWellFormedText = (v: string): boolean => v.isWellFormed();
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

export const is = {
  notEmpty: () =>
    check(
      (v) => v !== '' && v !== null && v !== undefined,
      (f) => `${f} should not be empty`,
      { minLength: 1 },
    ),
  /** Some content beyond whitespace; `''` is left to `notEmpty`, so it isn't reported twice. */
  notBlank: () =>
    check(
      (v) => typeof v !== 'string' || v === '' || v.trim() !== '',
      (f) => `${f} should not be blank`,
      { pattern: '\\S' },
    ),
  string: () =>
    check(
      (v) => typeof v === 'string',
      (f) => `${f} must be a string`,
      { type: 'string' },
    ),
  email: () =>
    check(
      (v) => typeof v === 'string' && v.length <= 254 && EMAIL.test(v),
      (f) => `${f} must be an email`,
      { type: 'string', format: 'email', maxLength: 254 },
    ),
  minLength: (n: number) =>
    check(
      (v) => typeof v === 'string' && characters(v) >= n,
      (f) => `${f} must be longer than or equal to ${n} characters`,
      { type: 'string', minLength: n },
    ),
  maxLength: (n: number, message = (f: string) => `${f} must be shorter than or equal to ${n} characters`) =>
    check((v) => typeof v === 'string' && characters(v) <= n, message, { type: 'string', maxLength: n }),
  integer: () =>
    check(
      (v) => Number.isInteger(v),
      (f) => `${f} must be an integer number`,
      { type: 'integer' },
    ),
  number: () =>
    check(
      (v) => typeof v === 'number' && Number.isFinite(v),
      (f) => `${f} must be a number conforming to the specified constraints`,
      { type: 'number' },
    ),
  min: (n: number, message = (f: string) => `${f} must not be less than ${n}`) =>
    check((v) => typeof v === 'number' && v >= n, message, { type: 'number', minimum: n }),
  max: (n: number, message = (f: string) => `${f} must not be greater than ${n}`) =>
    check((v) => typeof v === 'number' && v <= n, message, { type: 'number', maximum: n }),
  /** A local day, `YYYY-MM-DD` (the statistics, rankings, export and backfill inputs). */
  date: () =>
    check(
      (v) => typeof v === 'string' && isDate(v),
      (f) => `${f} must be a valid date (YYYY-MM-DD)`,
      { type: 'string', format: 'date' },
    ),
  /** An IANA zone name, the zone of an answer's local days. */
  timeZone: () =>
    check(
      (v) => typeof v === 'string' && v.length <= 64 && isTimeZone(v),
      (f) => `${f} must be an IANA time zone such as Asia/Seoul`,
      { type: 'string', maxLength: 64, examples: ['Asia/Seoul'] },
    ),
  oneOf: (values: readonly string[], message: (f: string) => string) =>
    check((v) => typeof v === 'string' && values.includes(v), message, { type: 'string', enum: [...values] }),
  matches: (pattern: RegExp, message: (f: string) => string) =>
    check((v) => typeof v === 'string' && pattern.test(v), message, { type: 'string', pattern: pattern.source }),
  /** Java's @NotNull: the one check a `null` reaches in an optional-by-default Spring field. */
  notNull: (message: (f: string) => string) => check((v) => v !== null && v !== undefined, message, {}),
  /** The storage guard below as one check with the field's own text, placed where that field wants it. */
  storable: (message: (f: string) => string) => check((v) => noNul(v) && wellFormed(v), message, {}),
};

// PostgreSQL text can't hold U+0000, and a lone surrogate would come back as U+FFFD: every field
// refuses both after its own checks (so a field that lists `is.storable` earlier answers with its text).
const noNul = (v: unknown) => typeof v !== 'string' || !v.includes('\u0000');
const wellFormed = (v: unknown) => typeof v !== 'string' || isWellFormedText(v);
const STORAGE_GUARD = [
  check(noNul, (f) => `${f} must not contain null characters`, {}),
  check(wellFormed, (f) => `${f} must not contain unpaired surrogates`, {}),
];

export const field = <T>(...checks: Check[]): Field<T> => ({ checks });
export const optional = <T>(...checks: Check[]): Field<T> & { optional: true } => ({ checks, optional: true });
/** Optional, but `null` is a value and goes through the checks (a NOT NULL column refuses it with 400, not 500). */
export const optionalNonNull = <T>(...checks: Check[]): Field<T> & { optional: true } => ({
  checks,
  optional: true,
  nullIsValue: true,
});

export interface ValidateOptions {
  /** Unknown keys pass silently (the original's `@Query('x')` routes, and Spring bodies). */
  allowUnknown?: boolean;
  /**
   * Spring's order (the admin bodies): each field reports only its first failing check. Without it,
   * class-validator's: every failing check of a field, in the order listed.
   */
  firstFailure?: boolean;
  /** The error the failures are answered with: `FIELD_CHECKS` lists them in the Spring dialect too. */
  code?: 'VALIDATION' | 'FIELD_CHECKS';
}

export function validate<S extends Shape>(shape: S, input: unknown, options: ValidateOptions = {}): Infer<S> {
  const source: Record<string, unknown> =
    input === undefined || input === null ? {} : (input as Record<string, unknown>);
  if (typeof source !== 'object' || Array.isArray(source)) {
    throw apiError('VALIDATION', { messages: ['request body must be a JSON object'] });
  }
  const errors: string[] = [];
  const keys = new Set(Object.entries(shape).map(([name, spec]) => spec.key ?? name));
  for (const key of options.allowUnknown ? [] : Object.keys(source)) {
    if (!keys.has(key)) errors.push(`property ${key} should not exist`);
  }
  // Every value is read before any is checked: what can't be read fails the whole body first.
  const values = Object.entries(shape).map(([name, spec]) => {
    const raw = source[spec.key ?? name];
    return [name, spec.read ? spec.read(raw) : raw] as const;
  });
  const output: Record<string, unknown> = {};
  for (const [name, value] of values) {
    const spec = shape[name]!;
    const skip = spec.optional && (value === undefined || (value === null && !spec.nullIsValue));
    if (!skip) {
      for (const c of [...spec.checks, ...STORAGE_GUARD]) {
        if (c.test(value)) continue;
        errors.push(c.message(name));
        if (options.firstFailure) break;
      }
    }
    if (value !== undefined) output[name] = value;
  }
  if (errors.length > 0) throw apiError(options.code ?? 'VALIDATION', { messages: errors });
  return output as Infer<S>;
}

/** Every field optional: a PATCH's shape, where what is absent keeps its old value. */
export const partial = <S extends Shape>(shape: S) =>
  Object.fromEntries(Object.entries(shape).map(([name, spec]) => [name, { ...spec, optional: true }])) as {
    [K in keyof S]: S[K] & { optional: true };
  };

/** The field's JSON Schema: its checks' fragments merged; `null` allowed where the checks skip it. */
export function fieldSchema(spec: Field): JsonSchema {
  const schema = mergeSchemas([...(spec.accepts ? [spec.accepts] : []), ...spec.checks.map((c) => c.schema)]);
  return spec.optional && !spec.nullIsValue ? nullable(schema) : schema;
}

/** The object a shape accepts: required fields are the non-optional ones; unknown ones are refused unless allowed. */
export function shapeSchema(shape: Shape, options: ValidateOptions = {}): JsonSchema {
  const fields = Object.entries(shape).map(([name, spec]) => [spec.key ?? name, spec] as const);
  const properties = Object.fromEntries(fields.map(([key, spec]) => [key, fieldSchema(spec)]));
  const required = fields.filter(([, spec]) => !spec.optional).map(([key]) => key);
  return {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    ...(options.allowUnknown ? {} : { additionalProperties: false }),
  };
}

@Injectable()
export class ShapePipe<S extends Shape> implements PipeTransform<unknown, Infer<S>> {
  constructor(
    private readonly shape: S,
    private readonly options: ValidateOptions = {},
  ) {}
  transform(value: unknown): Infer<S> {
    return validate(this.shape, value, this.options);
  }
}

/** `@ValidBody(shape)`: the body, validated; unknown fields are rejected. Documents the body. */
export const ValidBody = <S extends Shape>(shape: S) =>
  documenting(
    Body(new ShapePipe(shape)),
    ApiBody({ required: false, schema: shapeSchema(shape) }),
    edgeRaises('VALIDATION'),
  );

/** `@ValidQuery(shape)`: the query string, validated; unknown keys are rejected. Documents each key. */
export const ValidQuery = <S extends Shape>(shape: S, options?: ValidateOptions) =>
  documenting(
    Query(new ShapePipe(shape, options)),
    ...Object.entries(shape).map(([name, spec]) =>
      ApiQuery({ name, required: !spec.optional, schema: mergeSchemas(spec.checks.map((c) => c.schema)) }),
    ),
    edgeRaises('VALIDATION'),
  );
