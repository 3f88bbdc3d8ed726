import { Msg, SpringMsg } from './messages.js';

export interface ApiErrorOptions {
  /** The Spring dialect's text when it differs (it is always sent as an array). */
  spring?: string | string[];
  /** A stable machine-readable code, sent as the extra `code` field. */
  code?: string;
  headers?: Record<string, string>;
}

/** A domain failure with its HTTP status; the exception filter renders it in the route's dialect. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string | string[],
    readonly options: ApiErrorOptions = {},
  ) {
    super(Array.isArray(messages) ? messages.join('; ') : messages);
  }

  static badRequest(message: string, code?: string) {
    return new ApiError(400, message, { code });
  }
  static validation(messages: string[]) {
    return new ApiError(400, messages, { code: 'VALIDATION', spring: SpringMsg.BAD_BODY });
  }
  static unauthenticated(message: string = Msg.INVALID_TOKEN) {
    return new ApiError(401, message, { code: 'UNAUTHENTICATED', spring: SpringMsg.UNAUTHORIZED });
  }
  static forbidden() {
    return new ApiError(403, Msg.FORBIDDEN, { code: 'FORBIDDEN', spring: SpringMsg.FORBIDDEN });
  }
  static notFound(message: string, code?: string) {
    return new ApiError(404, message, { code });
  }
  static conflict(message: string, code?: string) {
    return new ApiError(409, message, { code });
  }
  static unprocessable(message: string = Msg.SOCIAL_FAILED, code = 'PROVIDER_FAILED') {
    return new ApiError(422, message, { code });
  }
  static tooManyRequests(retryAfterSeconds: number) {
    return new ApiError(429, Msg.TOO_MANY_REQUESTS, {
      code: 'RATE_LIMITED',
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}
