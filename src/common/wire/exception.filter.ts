import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '../../config/config.js';
import { databaseUnavailability, type Unavailability } from '../../database/errors.js';
import { QueueWaitTimeout } from '../keyed-queue.js';
import { ApiError, apiError } from './api-error.js';
import { dialectOf } from './dialect.js';
import { errorBody, type Failure, frameworkFailure, fromApiError } from './error-body.js';

/** Every HTTP error leaves through here, once, in the dialect of its path (docs/routes.md). */
@Catch()
export class WireExceptionFilter implements ExceptionFilter {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const unavailable = unavailabilityOf(exception);
    const failure = unavailable
      ? unavailableFailure(unavailable, this.config.DATABASE_RETRY_AFTER_SECONDS)
      : toFailure(exception);
    if (unavailable || failure.status === 503) {
      // Expected under a failover or overload, and answered with a retry: not an error of ours.
      request.log.warn({ err: exception }, `database ${unavailable ?? 'busy'}`);
    } else if (failure.status >= 500) {
      request.log.error({ err: exception }, 'unhandled error');
    }
    for (const [name, value] of Object.entries(failure.headers ?? {})) reply.header(name, value);
    void reply.status(failure.status).send(errorBody(dialectOf(request.url), failure));
  }
}

/** Whether the exception is the database (or the wait for it) failing, rather than a bug or a refusal. */
function unavailabilityOf(exception: unknown): Unavailability | undefined {
  if (exception instanceof ApiError || exception instanceof HttpException) return undefined;
  if (exception instanceof QueueWaitTimeout) return 'busy';
  return databaseUnavailability(exception);
}

function unavailableFailure(why: Unavailability, retryAfterSeconds: number): Failure {
  return fromApiError(apiError(why === 'busy' ? 'BUSY' : 'DATABASE_UNAVAILABLE', { retryAfterSeconds }));
}

function toFailure(exception: unknown): Failure {
  if (exception instanceof ApiError) return fromApiError(exception);
  // Nest's Fastify adapter wraps Fastify's own 4xx errors in an HttpException; the original is the cause.
  const raw = exception instanceof HttpException && isFrameworkError(exception.cause) ? exception.cause : exception;
  if (isFrameworkError(raw)) {
    const statusCode = raw.statusCode;
    if (statusCode === 413) return fromApiError(apiError('PAYLOAD_TOO_LARGE'));
    return frameworkFailure(statusCode, String(raw.message));
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? (response as { message: string | string[] }).message
        : exception.message;
    return { status: exception.getStatus(), messages: message };
  }
  return fromApiError(apiError('INTERNAL'));
}

/** Errors raised by Fastify itself before a handler runs (body too large, bad media type, malformed JSON, …). */
function isFrameworkError(error: unknown): error is Error & { statusCode: number } {
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return error instanceof Error && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

/**
 * The body of an error raised before routing (Fastify's `frameworkErrors`: an undecodable path),
 * in the dialect of that path, without echoing the path back.
 */
export function frameworkErrorBody(url: string, status: number) {
  return errorBody(dialectOf(url), { ...fromApiError(apiError('BAD_URL')), status });
}
