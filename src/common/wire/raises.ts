import { STATUS_CODES } from 'node:http';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { DECORATORS } from '@nestjs/swagger';
import type { Dialect } from './dialect.js';
import { catalogueBody, errorBody, frameworkFailure } from './error-body.js';
import { type ErrorCode, ERRORS, type ErrorSpec } from './error-codes.js';
import type { JsonSchema } from './json-schema.js';

/**
 * Which errors a route answers, for the API document. Three sources, merged per operation:
 * - `@Raises(...)` on a handler (or its controller): what its own code and its services refuse with;
 * - the decorators that attach a guard, a pipe or a reader declare what that raises (`edgeRaises`), so
 *   a route can't get `@OwnerOnly()` or `@ValidBody(...)` without its codes;
 * - what the app does to every request, by rule in `ruleCodes` below (a token, a body, the database).
 */

/** The catalogue codes answered over HTTP (a socket-only code is no route's answer). */
export type HttpErrorCode = {
  [C in ErrorCode]: (typeof ERRORS)[C] extends { nest: string } | { spring: string } | { given: true } ? C : never;
}[ErrorCode];

export const RAISES = 'x-raises';
/** What the decorators left on a handler (read by `completeDocument`, then removed from the document). */
export interface Declared {
  handler?: ErrorCode[];
  edge?: ErrorCode[];
  /** The route answers without waiting on the database (no BUSY / DATABASE_UNAVAILABLE). */
  withoutDatabase?: true;
}

type Decorator = ClassDecorator & MethodDecorator;

function declare(add: (declared: Declared) => Declared): Decorator {
  const apply = (handler: object) => {
    const extensions = (Reflect.getMetadata(DECORATORS.API_EXTENSION, handler) ?? {}) as Record<string, unknown>;
    const declared = add({ ...((extensions[RAISES] as Declared | undefined) ?? {}) });
    Reflect.defineMetadata(DECORATORS.API_EXTENSION, { ...extensions, [RAISES]: declared }, handler);
  };
  return ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) return void apply(descriptor.value as object);
    // On a controller: each of its handlers (class decorators run after the methods').
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const value = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (typeof value === 'function' && Reflect.hasMetadata(METHOD_METADATA, value)) apply(value);
    }
  }) as Decorator;
}

const union = (before: ErrorCode[] | undefined, codes: readonly ErrorCode[]) => [
  ...new Set([...(before ?? []), ...codes]),
];

/** `@Raises('CATEGORY_NOT_FOUND', ...)`: the errors the handler and the services it calls answer with. */
export const Raises = (...codes: HttpErrorCode[]): Decorator =>
  declare((d) => ({ ...d, handler: union(d.handler, codes) }));

/** For a decorator that attaches a guard, pipe or reader: the errors that raises, on every route it is on. */
export const edgeRaises = (...codes: HttpErrorCode[]): Decorator =>
  declare((d) => ({ ...d, edge: union(d.edge, codes) }));

/** `@WithoutDatabase()`: the route never waits on the database, so it answers no BUSY / DATABASE_UNAVAILABLE. */
export const WithoutDatabase = (): Decorator => declare((d) => ({ ...d, withoutDatabase: true }));

/** One answer a route can give: a catalogue code, or a refusal of Fastify's before the handler. */
interface Answer {
  /** The code, or the name the document gives a framework refusal. */
  name: string;
  status: number;
  schema: JsonSchema;
  retryAfter: boolean;
}

/** The exact body of a catalogue code in a dialect; listed messages (`given`) as any list of texts. */
function codeAnswer(dialect: Dialect, code: ErrorCode): Answer {
  const spec: ErrorSpec = ERRORS[code];
  const { status, body } = catalogueBody(dialect, code);
  const given = spec.given === true && Array.isArray(body.message) && body.message.length === 0;
  return {
    name: code,
    status,
    schema: exactly(body, given ? { message: { type: 'array', items: { type: 'string' } } } : {}),
    retryAfter: spec.retryAfter === true,
  };
}

/** Fastify's refusal of a body: its own text in the Nest dialect, the one fixed text in the Spring one. */
function frameworkAnswer(dialect: Dialect, name: string, status: number): Answer {
  const body = errorBody(dialect, frameworkFailure(status, ''));
  return {
    name,
    status,
    schema: exactly(body, dialect === 'nest' ? { message: { type: 'string' } } : {}),
    retryAfter: false,
  };
}

/** A schema that accepts only this body, but for the fields given their own schema. */
function exactly(body: Record<string, unknown>, loose: Record<string, JsonSchema>): JsonSchema {
  const properties = Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key, loose[key] ?? { const: value }]),
  );
  return { type: 'object', properties, required: Object.keys(body), additionalProperties: false };
}

/** What the rules need to know of an operation. */
export interface OperationFacts {
  dialect: Dialect;
  method: string;
  /** Names of the path's `{parameters}`. */
  pathParameters: string[];
  /** Whether the route needs a token (it declares a security requirement). */
  secured: boolean;
  declared: Declared;
}

const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The errors every route answers by how the app is built, whatever its handler does:
 * - INTERNAL: a bug (the filter's answer to anything unexpected);
 * - BUSY / DATABASE_UNAVAILABLE: the database (or the member queue) could not serve in time;
 * - UNAUTHENTICATED: the access-token guard, where a token is needed;
 * - a request body (the methods Fastify reads one for, whether or not the handler reads it): too
 *   large, not JSON or not UTF-8 (400), of another media type (415);
 * - a path with parameters: undecodable (BAD_URL); a Spring path id is a Java `long` (BAD_BODY).
 */
function ruleAnswers(facts: OperationFacts): Answer[] {
  const codes: ErrorCode[] = ['INTERNAL'];
  if (!facts.declared.withoutDatabase) codes.push('BUSY', 'DATABASE_UNAVAILABLE');
  if (facts.secured) codes.push('UNAUTHENTICATED');
  if (facts.pathParameters.length) codes.push('BAD_URL');
  if (facts.pathParameters.length && facts.dialect === 'spring') codes.push('BAD_BODY');
  const framework: Answer[] = [];
  if (BODY_METHODS.has(facts.method)) {
    codes.push('PAYLOAD_TOO_LARGE');
    framework.push(frameworkAnswer(facts.dialect, 'UNREADABLE_BODY', 400));
    framework.push(frameworkAnswer(facts.dialect, 'UNSUPPORTED_MEDIA_TYPE', 415));
  }
  return [...codes.map((code) => codeAnswer(facts.dialect, code)), ...framework];
}

/** Every code the route can answer: its own, its guards' and readers', and the rules'. */
export function answersOf(facts: OperationFacts): Answer[] {
  const declared = [...(facts.declared.handler ?? []), ...(facts.declared.edge ?? [])];
  const answers = [...declared.map((code) => codeAnswer(facts.dialect, code)), ...ruleAnswers(facts)];
  const seen = new Set<string>();
  return answers.filter((a) => !seen.has(a.name) && seen.add(a.name));
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

/**
 * The error responses of an operation, one per status: the exact bodies of the codes it can answer
 * there (`anyOf`, each a component named after its code), and `Retry-After` where they carry it.
 */
export function errorResponses(facts: OperationFacts, components: Record<string, JsonSchema>) {
  const byStatus = new Map<number, Answer[]>();
  for (const answer of answersOf(facts)) byStatus.set(answer.status, [...(byStatus.get(answer.status) ?? []), answer]);
  const responses: Record<string, unknown> = {};
  const prefix = facts.dialect === 'nest' ? 'NestError' : 'SpringError';
  for (const [status, answers] of [...byStatus].sort(([a], [b]) => a - b)) {
    const refs = answers.map((answer) => {
      const name = `${prefix}.${answer.name}`;
      components[name] = { title: answer.name, ...answer.schema };
      return { $ref: `#/components/schemas/${name}` };
    });
    const retrying = answers.filter((a) => a.retryAfter).length;
    const names = answers.map((a) => a.name).join(', ');
    responses[String(status)] = {
      description: `${STATUS_CODES[status] ?? 'Error'}: ${names}`,
      ...(retrying
        ? {
            headers: {
              'Retry-After': {
                description: 'Seconds to wait before trying again.',
                required: retrying === answers.length,
                schema: { type: 'integer', minimum: 0 },
              },
            },
          }
        : {}),
      content: json(refs.length === 1 ? refs[0]! : { anyOf: refs }),
    };
  }
  return responses;
}
