import { ApiExtension, type OpenAPIObject } from '@nestjs/swagger';
import type { Static, TSchema } from '@sinclair/typebox';
import { dialectOf } from './dialect.js';
import type { JsonSchema } from './json-schema.js';
import { type Declared, errorResponses, RAISES } from './raises.js';

/** A parameter decorator that also documents its method (the OpenAPI decorators are method decorators). */
export function documenting(param: ParameterDecorator, ...docs: MethodDecorator[]): ParameterDecorator {
  return (target, key, index) => {
    param(target, key, index);
    const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (key !== undefined && descriptor) for (const doc of docs) doc(target, key, descriptor);
  };
}

const SUCCESS = 'x-success';
/** What a handler answers; the envelope and the status are the dialect's, added by `completeDocument`. */
type Success =
  | { kind: 'data'; schema: JsonSchema }
  | { kind: 'null' }
  | { kind: 'void' }
  | { kind: 'raw'; content: Record<string, JsonSchema>; status?: Record<string, JsonSchema> };

type Handler<R> = (...args: never[]) => R | Promise<R>;
/** A method decorator that accepts only handlers whose result the schema describes. */
type Typed<R> = <H extends Handler<R>>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<H>,
) => void;

/**
 * `@Returns(schema)`: the handler's result (the envelope's `data`), and the handler must return that
 * type. `@Returns(null)`: it returns null (`data: null`); `@Returns()`: nothing (`{status:"success"}`,
 * or no body with a 204).
 */
export function Returns(): Typed<void>;
export function Returns(schema: null): Typed<null>;
export function Returns<S extends TSchema>(schema: S): Typed<Static<S>>;
export function Returns(schema?: TSchema | null): Typed<unknown> {
  const success: Success =
    schema === undefined ? { kind: 'void' } : schema === null ? { kind: 'null' } : { kind: 'data', schema };
  return ApiExtension(SUCCESS, success) as Typed<unknown>;
}

/** `@ReturnsRaw(...)`: a route outside the envelope (health, the export file): the bodies by media type. */
export const ReturnsRaw = (content: Record<string, JsonSchema>, byStatus?: Record<string, JsonSchema>) =>
  ApiExtension(SUCCESS, { kind: 'raw', content, status: byStatus } satisfies Success);

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const envelope = (data?: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { status: { const: 'success' }, ...(data ? { data } : {}) },
  required: data ? ['status', 'data'] : ['status'],
  additionalProperties: false,
});

/** Path ids: uuids and decimal bigint ids in the Nest dialect; Java `long`s (digits) in the Spring one. */
function pathSchema(dialect: 'nest' | 'spring', name: string): JsonSchema {
  if (dialect === 'spring') return { type: 'integer', minimum: 0 };
  return name === 'member_id' || name === 'id'
    ? { type: 'string', format: 'uuid' }
    : { type: 'string', pattern: '^\\d+$' };
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface Operation {
  responses?: Record<string, unknown>;
  parameters?: Parameter[];
  requestBody?: unknown;
  security?: unknown[];
  [SUCCESS]?: Success;
  [RAISES]?: Declared;
}

/**
 * Writes each operation's responses from its `@Returns` and its path's dialect: the Nest dialect
 * answers 200 whatever the method (its interceptor forces it); the Spring dialect keeps the route's
 * status (201 for a create, 204 without a body). Errors: one response per status the route can
 * answer, with the exact bodies of its codes in its dialect (common/wire/raises.ts).
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const errorSchemas: Record<string, JsonSchema> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    const dialect = dialectOf(path);
    for (const [method, operation] of Object.entries(item) as [string, Operation][]) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      // Every `{name}` of the path, declared (guards read some without a handler parameter).
      const query = (operation.parameters ?? []).filter((p) => p.in !== 'path');
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const inPath = names.map((name) => ({ name, in: 'path', required: true, schema: pathSchema(dialect, name) }));
      operation.parameters = [...inPath, ...query];
      const success = operation[SUCCESS];
      const declared = operation[RAISES] ?? {};
      delete operation[SUCCESS];
      delete operation[RAISES];
      if (!success) continue; // left without a success response: the OpenAPI test names such routes
      const documented = Object.keys(operation.responses ?? {}).find((s) => s.startsWith('2')) ?? '200';
      const responses: Record<string, unknown> = {};
      if (success.kind === 'raw') {
        const content = Object.fromEntries(Object.entries(success.content).map(([type, schema]) => [type, { schema }]));
        responses['200'] = { description: 'OK', content };
        for (const [status, schema] of Object.entries(success.status ?? {}))
          responses[status] = { description: status, content: json(schema) };
      } else {
        const status = dialect === 'nest' ? '200' : documented;
        const data = success.kind === 'data' ? success.schema : success.kind === 'null' ? { type: 'null' } : undefined;
        responses[status] =
          status === '204' ? { description: 'No Content' } : { description: 'OK', content: json(envelope(data)) };
      }
      const facts = { dialect, method, pathParameters: names, secured: !!operation.security?.length, declared };
      for (const [status, response] of Object.entries(errorResponses(facts, errorSchemas))) {
        // A status a raw route answers itself too (none today) would need both bodies: refuse to hide one.
        if (responses[status]) throw new Error(`${method} ${path}: ${status} is both a success and an error`);
        responses[status] = response;
      }
      operation.responses = responses;
    }
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...errorSchemas } };
  return document;
}
