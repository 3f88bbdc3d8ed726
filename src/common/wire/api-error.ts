import { type ErrorCode, type ErrorDetails, ERRORS, type ErrorSpec, wireCodeOf } from './error-codes.js';

/** The details a code needs are required; a code that needs none takes none. */
type DetailsArg<C extends ErrorCode> = keyof ErrorDetails<C> extends never ? [] : [details: ErrorDetails<C>];

/** A domain failure, by its catalogue code; the exception filter renders it in the route's dialect. */
export class ApiError<C extends ErrorCode = ErrorCode> extends Error {
  readonly status: number;
  /** The Nest dialect's message (the failures listed, for a validation error). */
  readonly messages: string | string[];
  /** The Spring dialect's message (sent as an array). */
  readonly springMessages: string | string[];
  /** The body's `code` field, if it has one. */
  readonly wireCode: string | null;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: C,
    ...[given]: DetailsArg<C>
  ) {
    const details: { messages?: string[]; retryAfterSeconds?: number } = given ?? {};
    const spec: ErrorSpec = ERRORS[code];
    const messages = spec.given ? (details.messages ?? []) : (spec.nest ?? spec.spring ?? '');
    super(Array.isArray(messages) ? messages.join('; ') : messages);
    this.status = spec.status;
    this.messages = messages;
    this.springMessages = spec.spring ?? messages;
    this.wireCode = wireCodeOf(code);
    this.headers = details.retryAfterSeconds === undefined ? {} : { 'retry-after': String(details.retryAfterSeconds) };
  }
}

/** The error of a catalogue code, with what the call adds: `throw apiError('ITEM_NOT_FOUND')`. */
export function apiError<C extends ErrorCode>(code: C, ...details: DetailsArg<C>): ApiError<C> {
  return new ApiError(code, ...details);
}
