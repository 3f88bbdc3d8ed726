import { ApiExtension, type OpenAPIObject } from '@nestjs/swagger';
import { dialectOf } from './dialect.js';
import type { JsonSchema } from './json-schema.js';

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

/**
 * `@Returns(schema)`: the handler's result (the envelope's `data`). `@Returns(null)`: it returns
 * null (`data: null`); `@Returns()`: nothing (`{status:"success"}`, or no body with a 204).
 */
export const Returns = (schema?: JsonSchema | null): MethodDecorator =>
  ApiExtension(
    SUCCESS,
    schema === undefined ? { kind: 'void' } : schema === null ? { kind: 'null' } : { kind: 'data', schema },
  );

/** `@ReturnsRaw(...)`: a route outside the envelope (health, the export file): the bodies by media type. */
export const ReturnsRaw = (content: Record<string, JsonSchema>, byStatus?: Record<string, JsonSchema>) =>
  ApiExtension(SUCCESS, { kind: 'raw', content, status: byStatus } satisfies Success);

/** Both dialects' error bodies (WIRE-CONTRACT §1.4, §1.8); `code` is ours, sent where an error has one. */
export const ERROR_SCHEMAS: Record<'NestError' | 'SpringError', JsonSchema> = {
  NestError: {
    type: 'object',
    properties: {
      status: { const: 'error' },
      error: { type: 'string' },
      message: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      code: { type: 'string' },
    },
    required: ['status', 'error', 'message'],
    additionalProperties: false,
  },
  SpringError: {
    type: 'object',
    properties: {
      status: { const: 'error' },
      error: { type: 'string', pattern: '^[A-Z_]+$' },
      message: { type: 'array', items: { type: 'string' } },
      code: { type: 'string' },
    },
    required: ['status', 'error', 'message'],
    additionalProperties: false,
  },
};

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const envelope = (data?: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { status: { const: 'success' }, ...(data ? { data } : {}) },
  required: data ? ['status', 'data'] : ['status'],
  additionalProperties: false,
});

interface Operation {
  responses?: Record<string, unknown>;
  parameters?: unknown[];
  requestBody?: unknown;
  security?: unknown[];
  [SUCCESS]?: Success;
}

/**
 * Writes each operation's responses from its `@Returns` and its path's dialect: the Nest dialect
 * answers 200 whatever the method (its interceptor forces it); the Spring dialect keeps the route's
 * status (201 for a create, 204 without a body). Errors: the dialect's error body for 400 (where
 * there is input to refuse), 401 (where a token is needed) and any other status.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...ERROR_SCHEMAS } };
  for (const [path, item] of Object.entries(document.paths)) {
    const dialect = dialectOf(path);
    const error = { content: json({ $ref: `#/components/schemas/${dialect === 'nest' ? 'NestError' : 'SpringError'}` }) };
    for (const operation of Object.values(item) as Operation[]) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      const success = operation[SUCCESS];
      delete operation[SUCCESS];
      if (!success) continue; // left without a success response: the OpenAPI test names such routes
      const declared = Object.keys(operation.responses ?? {}).find((s) => s.startsWith('2')) ?? '200';
      const responses: Record<string, unknown> = {};
      if (success.kind === 'raw') {
        const content = Object.fromEntries(Object.entries(success.content).map(([type, schema]) => [type, { schema }]));
        responses['200'] = { description: 'OK', content };
        for (const [status, schema] of Object.entries(success.status ?? {}))
          responses[status] = { description: status, content: json(schema) };
      } else {
        const status = dialect === 'nest' ? '200' : declared;
        const data =
          success.kind === 'data' ? success.schema : success.kind === 'null' ? { type: 'null' } : undefined;
        responses[status] =
          status === '204' ? { description: 'No Content' } : { description: 'OK', content: json(envelope(data)) };
      }
      if (operation.parameters?.length || operation.requestBody) responses['400'] = { description: 'Bad Request', ...error };
      if (operation.security?.length) responses['401'] = { description: 'Unauthorized', ...error };
      responses.default = { description: 'Error', ...error };
      operation.responses = responses;
    }
  }
  return document;
}
