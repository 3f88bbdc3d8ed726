/// <reference lib="es2024.string" />
import { Body, Injectable, type PipeTransform, Query } from '@nestjs/common';
import { apiError } from './api-error.js';

/**
 * A small validator that reproduces class-validator's messages and order as the original Nest
 * server produced them (class-validator): unknown properties first, then fields in declaration
 * order, every failing check of a field reported, in the order listed here.
 */
export interface Check {
  test(value: unknown): boolean;
  message(field: string): string;
}

export interface Field<T = unknown> {
  checks: Check[];
  /** `undefined` and `null` skip the checks (class-validator's @IsOptional). */
  optional?: boolean;
  /** With `optional`: `null` is a value and goes through the checks. */
  nullIsValue?: boolean;
  /** Applied to a string before the checks (e.g. trimming e-mails). */
  normalize?: (value: string) => string;
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
const check = (test: (v: unknown) => boolean, message: (f: string) => string): Check => ({ test, message });
/** No unpaired UTF-16 surrogate: a lone `\uD800` can't be stored as UTF-8 and would come back as U+FFFD. */
export const isWellFormedText = (v: string): boolean => v.isWellFormed();
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

export const is = {
  notEmpty: () =>
    check(
      (v) => v !== '' && v !== null && v !== undefined,
      (f) => `${f} should not be empty`,
    ),
  /** Some content beyond whitespace; `''` is left to `notEmpty`, so it isn't reported twice. */
  notBlank: () =>
    check(
      (v) => typeof v !== 'string' || v === '' || v.trim() !== '',
      (f) => `${f} should not be blank`,
    ),
  string: () =>
    check(
      (v) => typeof v === 'string',
      (f) => `${f} must be a string`,
    ),
  email: () =>
    check(
      (v) => typeof v === 'string' && v.length <= 254 && EMAIL.test(v),
      (f) => `${f} must be an email`,
    ),
  minLength: (n: number) =>
    check(
      (v) => typeof v === 'string' && characters(v) >= n,
      (f) => `${f} must be longer than or equal to ${n} characters`,
    ),
  maxLength: (n: number) =>
    check(
      (v) => typeof v === 'string' && characters(v) <= n,
      (f) => `${f} must be shorter than or equal to ${n} characters`,
    ),
  integer: () =>
    check(
      (v) => Number.isInteger(v),
      (f) => `${f} must be an integer number`,
    ),
  number: () =>
    check(
      (v) => typeof v === 'number' && Number.isFinite(v),
      (f) => `${f} must be a number conforming to the specified constraints`,
    ),
  min: (n: number) =>
    check(
      (v) => typeof v === 'number' && v >= n,
      (f) => `${f} must not be less than ${n}`,
    ),
  max: (n: number) =>
    check(
      (v) => typeof v === 'number' && v <= n,
      (f) => `${f} must not be greater than ${n}`,
    ),
  oneOf: (values: readonly string[], message: (f: string) => string) =>
    check((v) => typeof v === 'string' && values.includes(v), message),
};

export const field = <T>(...checks: Check[]): Field<T> => ({ checks });
export const optional = <T>(...checks: Check[]): Field<T> & { optional: true } => ({ checks, optional: true });
/** Optional, but `null` is a value and goes through the checks (a NOT NULL column refuses it with 400, not 500). */
export const optionalNonNull = <T>(...checks: Check[]): Field<T> & { optional: true } => ({
  checks,
  optional: true,
  nullIsValue: true,
});

export interface ValidateOptions {
  /** Unknown keys pass silently (the original's `@Query('x')` routes). */
  allowUnknown?: boolean;
}

export function validate<S extends Shape>(shape: S, input: unknown, options: ValidateOptions = {}): Infer<S> {
  const source: Record<string, unknown> =
    input === undefined || input === null ? {} : (input as Record<string, unknown>);
  if (typeof source !== 'object' || Array.isArray(source)) {
    throw apiError('VALIDATION', { messages: ['request body must be a JSON object'] });
  }
  const errors: string[] = [];
  for (const key of options.allowUnknown ? [] : Object.keys(source)) {
    if (!Object.hasOwn(shape, key)) errors.push(`property ${key} should not exist`);
  }
  const output: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(shape)) {
    let value = source[name];
    if (typeof value === 'string' && spec.normalize) value = spec.normalize(value);
    const skip = spec.optional && (value === undefined || (value === null && !spec.nullIsValue));
    if (!skip) {
      for (const c of spec.checks) if (!c.test(value)) errors.push(c.message(name));
      // PostgreSQL text can't hold U+0000: refuse it here rather than fail in the database.
      if (typeof value === 'string' && value.includes('\u0000'))
        errors.push(`${name} must not contain null characters`);
      if (typeof value === 'string' && !isWellFormedText(value))
        errors.push(`${name} must not contain unpaired surrogates`);
    }
    if (value !== undefined) output[name] = value;
  }
  if (errors.length > 0) throw apiError('VALIDATION', { messages: errors });
  return output as Infer<S>;
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

/** `@ValidBody(shape)`: the body, validated; unknown fields are rejected. */
export const ValidBody = <S extends Shape>(shape: S) => Body(new ShapePipe(shape));
/** `@ValidQuery(shape)`: the query string, validated; unknown keys are rejected. */
export const ValidQuery = <S extends Shape>(shape: S, options?: ValidateOptions) =>
  Query(new ShapePipe(shape, options));
