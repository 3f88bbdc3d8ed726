import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectInvariants,
  prepareMembers,
  type ServiceProcess,
  startServiceProcess,
  type User,
} from './support/fault-kit.js';
import { client } from './support/http.js';
import { joinGroup } from './support/sockets.js';

// SIGTERM in the middle of a load on the built service: readiness turns 503 while requests still
// succeed (the drain), then new connections are refused, every request that got a connection is
// answered in full (writes held up by row locks past the moment listening stops among them), sockets
// are told to go, and the process exits 0 with the books intact. The load stops opening connections
// once readiness answers 503, as a load balancer does: a connection the kernel completes in the very
// instant the listening socket closes is reset by the kernel, never seen by the service.
const DRAIN_MS = 1_000;

interface Outcome {
  /** The connection was accepted (TCP connect completed). */
  connected: boolean;
  status?: number;
  error?: string;
  body?: string;
  at: number;
}

/** One request on a connection of its own (as nginx talks to an upstream), telling refused from broken. */
function send(base: string, method: string, path: string, token?: string, json?: unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { connected: false, at: Date.now() };
    const body = json === undefined ? undefined : JSON.stringify(json);
    const request = http.request(`${base}${path}`, {
      method,
      agent: false,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      timeout: 20_000,
    });
    request.on('socket', (socket) => socket.once('connect', () => (outcome.connected = true)));
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve({ ...outcome, status: response.statusCode, body: text }));
      response.on('error', (error) => resolve({ ...outcome, error: String(error) }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ...outcome, error: error.code ?? error.message }));
    request.end(body);
  });
}

let service: ServiceProcess;
let db: pg.Pool;
let users: User[];
let item: number;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: inject('databaseUrl'), max: 3 });
  service = await startServiceProcess({
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: `shutdown-${randomUUID()}:`,
    LOG_LEVEL: 'info',
    SHUTDOWN_DRAIN_SECONDS: String(DRAIN_MS / 1000),
    SHUTDOWN_GRACE_SECONDS: '20',
    DATABASE_LOCK_TIMEOUT_MS: '10000',
    DATABASE_STATEMENT_TIMEOUT_MS: '15000',
    DATABASE_QUERY_TIMEOUT_MS: '16000',
  });
  ({ users, item } = await prepareMembers(client(service.url), db, 8));
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await db?.end();
});

describe('SIGTERM under load', () => {
  it('drains, refuses new connections, answers every accepted request and exits 0', async () => {
    const outcomes: Outcome[] = [];
    let balancerNoticed = false;
    const steps = (u: User): [string, string, unknown?][] => [
      ['POST', '/v2/shop/purchase', { item_id: item, count: 1 }],
      ['GET', '/timer-api/members/me'],
      ['POST', '/timer-api/study-timer/start', { category_id: Number(u.categoryId) }],
      ['POST', '/timer-api/study-timer/end', { status: 'Completed' }],
    ];
    const worker = async (w: number) => {
      for (let turn = w; !balancerNoticed; turn++) {
        const u = users[turn % users.length]!;
        const list = steps(u);
        const [method, path, json] = list[(turn * 3 + w) % list.length]!;
        const outcome = await send(service.url, method, path, u.accessToken, json);
        outcomes.push(outcome);
      }
    };
    const { client: socket } = await joinGroup(service.url, users[0]!.accessToken);
    const load = Array.from({ length: 10 }, (_, w) => worker(w));
    await new Promise((resolve) => setTimeout(resolve, 800));

    const exit = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    // The drain: not ready (the balancer polls readiness), still serving.
    for (;;) {
      const ready = await send(service.url, 'GET', '/health/ready');
      if (ready.status === 503) break;
      expect(ready.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const noticedAt = Date.now();
    expect(noticedAt - signalledAt).toBeLessThan(DRAIN_MS);
    balancerNoticed = true;
    const live = await send(service.url, 'GET', '/timer-api/members/me', users[1]!.accessToken);
    expect(live.status).toBe(200);

    // Writes held up by row locks from before listening stops until well after.
    const locker = await db.connect();
    await locker.query('begin');
    const [u2, u3] = [users[2]!, users[3]!];
    await locker.query('select 1 from member where member_id = any($1) for update', [[u2.memberId, u3.memberId]]);
    const message = `written while shutting down ${randomUUID().slice(0, 8)}`;
    const held = Promise.all([
      send(service.url, 'PATCH', `/timer-api/members/${u2.memberId}`, u2.accessToken, { status_message: message }),
      send(service.url, 'POST', '/v2/shop/purchase', u3.accessToken, { item_id: item, count: 1 }),
      send(service.url, 'POST', '/timer-api/study-timer/start', u2.accessToken, { category_id: Number(u2.categoryId) }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, signalledAt + DRAIN_MS + 600 - Date.now()));
    const late = await send(service.url, 'GET', '/health/live');
    await locker.query('commit');
    locker.release();

    const code = await exit;
    await Promise.all(load);
    const heldOutcomes = await held;
    const disconnectReason = await socket.disconnected;

    expect(late, 'a new connection once closing').toMatchObject({ connected: false, error: 'ECONNREFUSED' });
    for (const outcome of heldOutcomes) {
      expect(outcome, 'requests in flight when listening stopped').toMatchObject({ connected: true });
      expect(outcome.status, outcome.body).toBeLessThan(500);
    }
    expect(heldOutcomes[0]!.status).toBe(200);
    const stored = await db.query('select status_message from member where member_id = $1', [u2.memberId]);
    expect(stored.rows[0].status_message).toBe(message);
    expect(disconnectReason).toBe('transport close');

    const accepted = outcomes.filter((o) => o.connected);
    const broken = accepted.filter((o) => o.status === undefined || o.status >= 500);
    const afterSignal = accepted.filter((o) => o.at >= signalledAt && o.status !== undefined && o.status < 300);
    expect(outcomes.filter((o) => o.at > noticedAt)).toEqual([]);
    const refusedOnes = outcomes.filter((o) => !o.connected);
    expect(refusedOnes).toEqual([]);
    console.info(
      `[shutdown] sent ${outcomes.length}, accepted ${accepted.length}, 2xx after SIGTERM ${afterSignal.length}, ` +
        `refused ${refusedOnes.length}, broken ${broken.length}, exit ${code} after ${Date.now() - signalledAt} ms`,
    );
    expect(broken.map((o) => `${o.status ?? o.error} ${o.body ?? ''} at +${o.at - signalledAt} ms`)).toEqual([]);
    expect(afterSignal.length).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(service.logs.some((line) => line.includes('shut down cleanly'))).toBe(true);
    await expectInvariants(db, users, item);
  }, 60_000);
});

describe('SIGTERM with a request that outlasts the grace', () => {
  it('exits 1 with a log line once SHUTDOWN_GRACE_SECONDS ran out', async () => {
    const stuck = await startServiceProcess({
      DATABASE_URL: inject('databaseUrl'),
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_SECONDS: '0',
      SHUTDOWN_GRACE_SECONDS: '1',
      DATABASE_LOCK_TIMEOUT_MS: '10000',
      DATABASE_STATEMENT_TIMEOUT_MS: '15000',
      DATABASE_QUERY_TIMEOUT_MS: '16000',
    });
    const locker = await db.connect();
    try {
      const u = users[4]!;
      await locker.query('begin');
      await locker.query('select 1 from member where member_id = $1 for update', [u.memberId]);
      const held = send(stuck.url, 'PATCH', `/timer-api/members/${u.memberId}`, u.accessToken, { status_message: 'x' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exit = new Promise<number | null>((resolve) => stuck.child.once('exit', (code) => resolve(code)));
      const signalledAt = Date.now();
      stuck.child.kill('SIGTERM');
      expect(await exit).toBe(1);
      expect(Date.now() - signalledAt).toBeLessThan(5_000);
      expect(stuck.logs.some((line) => line.includes('shutdown grace ran out'))).toBe(true);
      expect((await held).status).toBeUndefined();
    } finally {
      await locker.query('rollback');
      locker.release();
      await stuck.stop();
    }
  }, 30_000);
});
