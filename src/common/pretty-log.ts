import type { DestinationStream } from 'pino';
import type { LoadedConfig } from '../config/config.js';

type Format = 'pretty' | 'json';
interface Terminal {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** JSON for machines (the default), human lines for a developer watching a terminal. */
export function logFormatOf(
  config: Pick<LoadedConfig, 'LOG_FORMAT' | 'NODE_ENV'>,
  out: Pick<Terminal, 'isTTY'> = process.stdout,
): Format {
  if (config.LOG_FORMAT !== 'auto') return config.LOG_FORMAT;
  return config.NODE_ENV === 'development' && out.isTTY === true ? 'pretty' : 'json';
}

/**
 * Human lines through `prettyStream` (no worker thread, no dependency), or `undefined`: pino's own
 * fast JSON writer to stdout.
 */
export function logDestination(
  config: Pick<LoadedConfig, 'LOG_FORMAT' | 'NODE_ENV'>,
  out: Terminal = process.stdout,
): DestinationStream | undefined {
  return logFormatOf(config, out) === 'pretty' ? prettyStream(out, out.isTTY === true) : undefined;
}

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
};
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'context', 'requestId', 'err']);

/** `12:03:04.567 INFO  [Context] message key=value … (req-id)`, then an error's stack indented. */
export function prettyStream(out: Pick<Terminal, 'write'>, colour: boolean): DestinationStream {
  const paint = (code: string, text: string) => (colour ? `${code}${text}\x1b[0m` : text);
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const [name, code] = LEVELS[Number(entry.level)] ?? ['LOG  ', ''];
      const time = new Date(Number(entry.time)).toISOString().slice(11, 23);
      const parts = [paint('\x1b[90m', time), paint(code, name)];
      if (typeof entry.context === 'string') parts.push(paint('\x1b[33m', `[${entry.context}]`));
      if (entry.msg !== undefined) parts.push(String(entry.msg));
      for (const [key, value] of Object.entries(entry)) {
        if (!HIDDEN.has(key)) parts.push(paint('\x1b[90m', `${key}=${JSON.stringify(value)}`));
      }
      if (typeof entry.requestId === 'string') parts.push(paint('\x1b[90m', `(${entry.requestId})`));
      const err = entry.err as { stack?: string; message?: string } | undefined;
      const stack = err ? `\n    ${(err.stack ?? err.message ?? '').split('\n').join('\n    ')}` : '';
      out.write(`${parts.join(' ')}${stack}\n`);
    },
  };
}
