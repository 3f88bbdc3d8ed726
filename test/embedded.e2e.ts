import { randomUUID } from 'node:crypto';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listMigrations } from '../src/database/migrator.js';
import { client, login, registerAndLogin, uniqueEmail } from './support/http.js';
import { useTeardown } from './support/fixture.js';
import { freePort } from './support/net.js';

// The no-setup path: `npm start` with no configuration runs the built service on an embedded PGlite
// database under DATA_DIR (default ./data), migrated and seeded, guarded by a lock file.
const REPO = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(REPO, 'dist', 'main.js');
const TAGS = listMigrations().map((m) => m.tag);
const LOCK = 'monta.lock';

interface Server {
  child: ChildProcess;
  url: string;
  output(): { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

// Each test's processes and folders go when it ends (see useTeardown); the tests stop their servers
// themselves, since how a server exits is what they check.
const teardown = useTeardown();

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'monta-embedded-'));
  teardown.add(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `node dist/main.js` in `cwd` with nothing configured but the port (and DATA_DIR when given). */
async function spawnServer(cwd: string, dataDir?: string): Promise<Server> {
  const port = await freePort();
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', PORT: String(port), LOG_LEVEL: 'info' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  if (dataDir) env.DATA_DIR = dataDir;
  const child = spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  teardown.add(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exit;
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => ({ stdout, stderr }), exited };
}

/** Polls /health/ready until the server answers 200; fails early if the process dies. */
async function startServer(cwd: string, dataDir?: string): Promise<Server> {
  const server = await spawnServer(cwd, dataDir);
  let dead = false;
  void server.exited.then(() => (dead = true));
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`server exited during start:\n${server.output().stderr}\n${server.output().stdout}`);
    const ready = await fetch(`${server.url}/health/ready`).catch(() => undefined);
    if (ready?.status === 200) return server;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server not ready in time:\n${server.output().stderr}`);
}

async function stopServer(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

/** The pino lines the server wrote to stdout, parsed. */
function logs(server: Server): Record<string, any>[] {
  return server
    .output()
    .stdout.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

async function expectSeededUserLogsIn(url: string) {
  const api = client(url);
  const session = await login(api, 'user@test.com', 'qwer1234');
  expect(session.account.email).toBe('user@test.com');
  const me = await api.get('/timer-api/members/me', { token: session.access_token });
  expect(me.status).toBe(200);
  expect(me.body.data.member.point).toBe(10000);
}

describe('npm start with no configuration (embedded PGlite)', { timeout: 300_000 }, () => {
  it('uses ./data under the working directory: boots, migrates, seeds, logs in user@test.com', async () => {
    const cwd = tempDir();
    const dataDir = join(cwd, 'data');
    expect(existsSync(dataDir)).toBe(false);

    const server = await startServer(cwd);
    try {
      const ready = await client(server.url).get('/health/ready');
      expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'not configured' } });
      expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
      expect(readFileSync(join(dataDir, LOCK), 'utf8').trim()).toBe(String(server.child.pid));

      const lines = logs(server);
      expect(lines.find((l) => l.msg === 'migrations applied')?.applied).toEqual(TAGS);
      expect(lines.find((l) => l.msg === 'monta-server listening')?.database).toBe('embedded');
      await expectSeededUserLogsIn(server.url);
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
    expect(existsSync(join(dataDir, LOCK)), 'the lock is released on SIGTERM').toBe(false);
  });

  it('the shop on the embedded database: the seeded catalogue, and parallel purchases never overspend', async () => {
    const server = await startServer(tempDir());
    try {
      const api = client(server.url);
      const token = (await login(api, 'user@test.com', 'qwer1234')).access_token;
      const me = (await api.get('/timer-api/members/me', { token })).body.data.member;
      const foods = (await api.get('/timer-api/items?item_type=Food', { token })).body.data.items;
      expect(foods.map((f: { name: string }) => f.name)).toContain('당근');
      const consumables = (await api.get('/timer-api/items?item_type=Consumable', { token })).body.data.items;
      const ticket = consumables.find((i: { name: string }) => i.name === '팔레트 티켓');
      const affordable = Math.floor(me.point / ticket.cost);
      const replies = await Promise.all(
        Array.from({ length: affordable + 7 }, () =>
          api.post('/v2/shop/purchase', { token, json: { item_id: ticket.item_id, count: 1 } }),
        ),
      );
      expect(replies.filter((r) => r.status === 201)).toHaveLength(affordable);
      expect(replies.filter((r) => r.status === 400).map((r) => r.body.message)).toEqual(
        Array.from({ length: 7 }, () => ['point가 부족합니다.']),
      );
      const after = (await api.get('/timer-api/members/me', { token })).body.data.member;
      expect(after.point).toBe(me.point - affordable * ticket.cost);
      const stack = (await api.get(`/timer-api/members/${me.member_id}/item-inventory?item_type=Consumable`, { token }))
        .body.data.item_inventory;
      expect(stack.map((row: { quantity: number }) => row.quantity)).toEqual([affordable]);
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
  });

  it('offline sessions on the embedded database: one record per client_id, one of overlapping uploads', async () => {
    const server = await startServer(tempDir());
    try {
      const api = client(server.url);
      const token = (await login(api, 'user@test.com', 'qwer1234')).access_token;
      const me = (await api.get('/timer-api/members/me', { token })).body.data.member;
      const path = `/timer-api/members/${me.member_id}/study-records`;
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const body = (from: number, client_id = randomUUID()) => ({
        client_id,
        start_time: at(from),
        end_time: at(from - 30),
        status: 'Completed',
      });
      const same = body(300);
      const retries = await Promise.all(Array.from({ length: 8 }, () => api.post(path, { token, json: same })));
      expect(new Set(retries.map((r) => `${r.status} ${r.text}`)).size).toBe(1);
      expect(retries[0]!.status).toBe(200);
      // Eight different sessions that all overlap each other: one is stored.
      const overlapping = await Promise.all(
        Array.from({ length: 8 }, (_, i) => api.post(path, { token, json: body(120 + i) })),
      );
      expect(overlapping.filter((r) => r.status === 200)).toHaveLength(1);
      expect(overlapping.filter((r) => r.body.code === 'OFFLINE_OVERLAP')).toHaveLength(7);
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
  });

  it('creates a nested DATA_DIR that does not exist yet, and keeps data across a restart', async () => {
    const cwd = tempDir();
    const dataDir = join(cwd, 'a', 'b', 'data');
    const email = uniqueEmail('kept');
    let registered: Awaited<ReturnType<typeof registerAndLogin>>;

    const first = await startServer(cwd, dataDir);
    try {
      expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
      registered = await registerAndLogin(client(first.url), email, 'qwer1234');
      expect(registered.accountId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      expect(await stopServer(first)).toBe(0);
    }
    expect(logs(first).some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
    expect(logs(first).some((l) => l.level === 40 && /signing secrets unset/.test(String(l.msg)))).toBe(true);
    expect(existsSync(join(dataDir, LOCK))).toBe(false);
    expect(existsSync(join(cwd, 'data')), 'DATA_DIR is used instead of ./data').toBe(false);

    const second = await startServer(cwd, dataDir);
    try {
      expect(
        logs(second).some((l) => l.msg === 'migrations applied'),
        'nothing left to migrate',
      ).toBe(false);
      const api = client(second.url);
      // The secrets generated on the first boot were kept with the data: its tokens still work.
      expect((await api.get('/timer-api/members/me', { token: registered.accessToken })).status).toBe(200);
      expect((await api.post('/timer-api/auth/refresh', { token: registered.refreshToken })).status).toBe(200);
      const session = await login(api, email, 'qwer1234');
      expect(session.account.email).toBe(email.toLowerCase());
      const again = await api.post('/timer-api/auth/email/register', { json: { email, password: 'qwer1234' } });
      expect(again.status, 'the account survived the restart').toBe(400);
      await expectSeededUserLogsIn(second.url);
    } finally {
      expect(await stopServer(second)).toBe(0);
    }
    expect(existsSync(join(dataDir, LOCK))).toBe(false);
  });

  it('a second process on the same DATA_DIR refuses with a clear message and leaves the first alone', async () => {
    const cwd = tempDir();
    const dataDir = join(cwd, 'shared', 'data');
    const first = await startServer(cwd, dataDir);
    try {
      const second = await spawnServer(tempDir(), dataDir);
      expect(await second.exited).not.toBe(0);
      const { stderr } = second.output();
      expect(stderr).toContain(`The embedded database in ${dataDir} is in use by process ${first.child.pid}`);
      expect(stderr).toMatch(/DATA_DIR/);
      expect(stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace

      expect(readFileSync(join(dataDir, LOCK), 'utf8').trim()).toBe(String(first.child.pid));
      expect((await fetch(`${first.url}/health/ready`)).status).toBe(200);
      await expectSeededUserLogsIn(first.url);
      await registerAndLogin(client(first.url));
    } finally {
      expect(await stopServer(first)).toBe(0);
    }
    expect(existsSync(join(dataDir, LOCK))).toBe(false);
  });

  it('a lock file left by a process that is no longer running does not block start', async () => {
    const cwd = tempDir();
    const dataDir = join(cwd, 'data');
    mkdirSync(dataDir, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, LOCK), String(dead));

    const server = await startServer(cwd);
    try {
      expect(readFileSync(join(dataDir, LOCK), 'utf8').trim()).toBe(String(server.child.pid));
      await expectSeededUserLogsIn(server.url);
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
    expect(existsSync(join(dataDir, LOCK))).toBe(false);
  });

  it('after a crash (SIGKILL) the next start takes over the stale lock and still has the data', async () => {
    const cwd = tempDir();
    const dataDir = join(cwd, 'data');
    const email = uniqueEmail('crash');

    const crashed = await startServer(cwd);
    await registerAndLogin(client(crashed.url), email, 'qwer1234');
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(readFileSync(join(dataDir, LOCK), 'utf8').trim(), 'left behind').toBe(String(crashed.child.pid));

    const server = await startServer(cwd);
    try {
      const session = await login(client(server.url), email, 'qwer1234');
      expect(session.account.email).toBe(email.toLowerCase());
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
  });
});
