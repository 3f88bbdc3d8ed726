import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Sends one inline command (e.g. `FLUSHALL`) and resolves with the first reply line. */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

/** One inline Redis command over a fresh TCP connection; resolves with the first reply line. */
function inlineCommand(port: number, line: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis on ${port}: no answer to ${line}`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.end();
      resolve(reply.slice(0, end));
    });
    socket.write(`${line}\r\n`);
  });
}

/**
 * Starts a private `redis-server` on 127.0.0.1:`port` (no persistence, nothing written to disk) as a
 * child process, so a benchmark never touches a Redis that others use. Resolves once it answers PING.
 */
export async function startRedis(options: {
  port: number;
  binary?: string;
  timeoutMs?: number;
}): Promise<RedisProcess> {
  const { port } = options;
  const child = spawn(
    options.binary ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '10000'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const handle: RedisProcess = {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    command: (line) => inlineCommand(port, line),
    async stop() {
      if (exited || spawnError) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`redis-server did not start: ${spawnError.message}`);
    if (exited) throw new Error(`redis-server exited during start-up:\n${tail}`);
    try {
      if ((await inlineCommand(port, 'PING', 500)) === '+PONG') return handle;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await handle.stop();
  throw new Error(`redis-server did not answer PING in time:\n${tail}`);
}
