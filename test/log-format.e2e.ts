import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { useTeardown } from './support/fixture.js';
import { freePort } from './support/net.js';

// The built service's log lines as an operator sees them: human ones on a development terminal (a
// real pseudo-terminal through `script`), JSON in a pipe or when LOG_FORMAT=json; Nest's route
// mapping stays out of `info` either way.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const teardown = useTeardown();

/** Starts the service, waits for its "listening" line, stops it; returns what it wrote. */
async function bootOutput(env: Record<string, string>, terminal: boolean): Promise<string> {
  const port = await freePort();
  const command = terminal ? 'script' : process.execPath;
  const args = terminal
    ? ['-qefc', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)}`, '/dev/null']
    : [MAIN];
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: inject('databaseUrl'),
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_SECONDS: '0',
      JOBS_ENABLED: 'false',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Stopping it is part of what the test checks; this only ends one a failed assertion left running.
  teardown.add(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  });
  const deadline = Date.now() + 25_000;
  while (!out.includes('monta-server listening') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const ready = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
  expect(ready?.status, out).toBe(200);
  // Under `script`, the service is script's child: it is signalled itself (script would kill it).
  const service = terminal
    ? Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim())
    : child.pid!;
  process.kill(service, 'SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  expect(child.exitCode, out).toBe(0);
  return out.replace(/\r/g, '');
}

const jsonLines = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg: string });

describe('log format', () => {
  it('writes human lines on a development terminal, without the route mapping', async () => {
    const out = await bootOutput({ NODE_ENV: 'development' }, true);
    const line = out.split('\n').find((l) => l.includes('monta-server listening'));
    expect(line, out).toBeDefined();
    // `12:03:04.567 INFO  monta-server listening url="…"`, coloured, never a JSON object.
    const plain = line!.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}monta-server listening url="http:\/\/127\.0\.0\.1:\d+"/);
    expect(line).toContain('\x1b[32m');
    expect(out).not.toContain('{"level"');
    expect(out).not.toContain('Mapped {');
  }, 40_000);

  it('writes JSON to a pipe, and on a terminal when LOG_FORMAT=json', async () => {
    for (const [env, terminal] of [
      [{ NODE_ENV: 'development' }, false],
      [{ NODE_ENV: 'development', LOG_FORMAT: 'json' }, true],
    ] as const) {
      const out = await bootOutput(env, terminal);
      const lines = jsonLines(out);
      expect(lines.some((l) => l.level === 30 && l.msg === 'monta-server listening')).toBe(true);
      expect(lines.filter((l) => l.level >= 30 && /Mapped \{/.test(l.msg))).toEqual([]);
    }
  }, 60_000);
});
