import { STATUS_CODES } from 'node:http';
import { ApiError } from './api-error.js';
import type { Dialect } from './dialect.js';
import { type ErrorCode, ERRORS } from './error-codes.js';

/** An error as the exception filter renders it, before the dialect shapes its body. */
export interface Failure {
  status: number;
  messages: string | string[];
  spring?: string | string[];
  code?: string;
  headers?: Record<string, string>;
}

export function fromApiError(error: ApiError): Failure {
  return {
    status: error.status,
    messages: error.messages,
    spring: error.springMessages,
    code: error.wireCode ?? undefined,
    headers: error.headers,
  };
}

/**
 * What Fastify refused before a handler ran (a body that is not JSON, not UTF-8, of another media
 * type): its own status and text in the Nest dialect, the one unreadable-body text in the Spring one.
 */
export function frameworkFailure(status: number, message: string): Failure {
  return { status, messages: message, spring: ERRORS.BAD_BODY.spring };
}

/** The body of a failure in the dialect of its path (docs/routes.md). */
export function errorBody(dialect: Dialect, failure: Failure) {
  return dialect === 'spring' ? springBody(failure) : nestBody(failure);
}

/** Any code, with whatever details a code may take (the body does not depend on them). */
const anyError = ApiError as new (
  code: ErrorCode,
  details: { messages: string[]; retryAfterSeconds: number },
) => ApiError;

/**
 * A catalogue code's status and body in a dialect, as the filter sends them; the messages of a code
 * whose messages come with the call (`given`) are left empty. The API document is written from this.
 */
export function catalogueBody(dialect: Dialect, code: ErrorCode) {
  const error = new anyError(code, { messages: [], retryAfterSeconds: 0 });
  return { status: error.status, body: errorBody(dialect, fromApiError(error)) };
}

function nestBody({ status, messages, code }: Failure) {
  let error = STATUS_CODES[status] ?? 'Error';
  let message = messages;
  if (status === 400 && Array.isArray(messages)) error = 'Validation Error';
  if (status === 401 && message === 'Unauthorized') message = ERRORS.UNAUTHENTICATED.nest;
  if (status === 403) message = ERRORS.FORBIDDEN.nest;
  if (status === 500) error = 'Internal Server Error';
  return code === undefined ? { status: 'error', error, message } : { status: 'error', error, message, code };
}

function springBody({ status, messages, spring, code }: Failure) {
  const text = spring ?? messages;
  const error = (STATUS_CODES[status] ?? 'Error').toUpperCase().replace(/[^A-Z]+/g, '_');
  const message = Array.isArray(text) ? text : [text];
  return code === undefined ? { status: 'error', error, message } : { status: 'error', error, message, code };
}
