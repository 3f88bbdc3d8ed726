import type { LoggerService } from '@nestjs/common';
import { type Logger, pino } from 'pino';

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController']);

/** Nest's own logs (and `new Logger(ctx)` in services) go to the same pino JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]) {
    // Nest's boot chatter (a line per module, controller, route and socket event) is for debugging.
    this.write(BOOT_CONTEXTS.has(params.at(-1) as string) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }

  // Nest passes the logger's context as the last parameter.
  private write(level: Level, message: unknown, params: unknown[]) {
    const context = typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const text = params.slice(0, context === undefined ? undefined : -1).find((p) => typeof p === 'string') as
      string | undefined;
    if (message instanceof Error) this.pino[level]({ context, err: message }, text ?? message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...message }, text);
    else this.pino[level]({ context }, String(message));
  }
}

/**
 * Errors as pino serializes them, less the values a failed query carries (Drizzle puts its
 * parameters, e-mails and hashes among them, into the error and its message).
 */
export function serializeError(error: unknown): Record<string, unknown> {
  const out = { ...pino.stdSerializers.err(error as Error) } as Record<string, unknown>;
  delete out.params;
  for (const key of ['message', 'stack']) {
    if (typeof out[key] === 'string')
      out[key] = (out[key] as string).replace(/\nparams: [^\n]*/g, '\nparams: [redacted]');
  }
  return out;
}
