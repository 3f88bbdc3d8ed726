import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { openDb } from './db.js';
import { createItem } from './factories.js';
import { type Client, client, type Reply, registerAndLogin } from './http.js';
import { useStarted } from './fixture.js';
import { freePort } from './net.js';
import { TcpProxy } from './tcp-proxy.js';

// The database fault suites: a load of real requests, the checks every answer must pass while the
// database misbehaves, the invariants the data must keep, and the service as a child process (an
// unhandled 'error' event there ends that process, which the suite then sees).

export type User = Awaited<ReturnType<typeof registerAndLogin>> & { categoryId: string };

/** The longest any request may take, whatever the fault (issue 9 item 3). */
export const REQUEST_BOUND_MS = 15_000;

export interface Tally {
  sent: number;
  ok: number;
  refusedByApp: number; // 4xx
  unavailable: number; // 503 with Retry-After
  unavailableIds: string[]; // their request ids, to find in the service's warn log
  serverErrors: string[]; // any other 5xx, with its body
  unreachable: string[]; // no HTTP answer at all (process gone, connection refused)
  slowestMs: number;
}

const emptyTally = (): Tally => ({
  sent: 0,
  ok: 0,
  refusedByApp: 0,
  unavailable: 0,
  unavailableIds: [],
  serverErrors: [],
  unreachable: [],
  slowestMs: 0,
});

/** Sorts one answer into the tally; a 503 must carry Retry-After and its code in the path's dialect. */
function record(tally: Tally, path: string, reply: Reply, ms: number): void {
  tally.slowestMs = Math.max(tally.slowestMs, ms);
  if (reply.status < 400) tally.ok += 1;
  else if (reply.status < 500) tally.refusedByApp += 1;
  else if (reply.status === 503 && isUnavailableAnswer(path, reply)) {
    tally.unavailable += 1;
    tally.unavailableIds.push(reply.headers.get('x-request-id') ?? '');
  } else tally.serverErrors.push(`${reply.status} ${path} ${reply.text}`);
}

/** A 503 as the service sends it for a database it can't use now (or the shop's BUSY). */
export function isUnavailableAnswer(path: string, reply: Reply): boolean {
  const retryAfter = Number(reply.headers.get('retry-after'));
  if (!(retryAfter >= 1)) return false;
  const body = reply.body as { status?: string; error?: string; message?: unknown; code?: string } | undefined;
  const text = UNAVAILABLE_TEXT[body?.code ?? ''];
  if (body?.status !== 'error' || text === undefined) return false;
  return path.startsWith('/v2/')
    ? body.error === 'SERVICE_UNAVAILABLE' && JSON.stringify(body.message) === JSON.stringify([text])
    : body.error === 'Service Unavailable' && body.message === text;
}

/** The 503 texts, written out: a wait ran out (BUSY, as the shop always said), or the connection failed. */
export const UNAVAILABLE_TEXT: Record<string, string> = {
  BUSY: '요청이 밀려 처리하지 못했습니다. 잠시 후 다시 시도해주세요.',
  DATABASE_UNAVAILABLE: '일시적으로 요청을 처리할 수 없습니다. 잠시 후 다시 시도해주세요.',
};

/** Members with 500 points and a category each, and a cheap consumable for them to buy. */
export async function prepareMembers(
  api: Client,
  db: pg.Pool,
  count: number,
): Promise<{ users: User[]; item: number }> {
  const item = await createItem(db, {
    type: 'Consumable',
    name: `fault item ${randomBytes(4).toString('hex')}`,
    description: 'fault suite item',
    cost: 1,
  });
  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    const u = await registerAndLogin(api);
    const created = await api.post(`/timer-api/members/${u.memberId}/study-categories`, {
      token: u.accessToken,
      json: { subject: `fault ${i}` },
    });
    users.push({ ...u, categoryId: created.body.data.category.study_category_id as string });
  }
  return { users, item };
}

/** Purchases, profile reads and writes, timer starts and ends from `workers` loops until stopped. */
export class Load {
  readonly tally = emptyTally();
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly base: string,
    private readonly users: User[],
    private readonly item: number,
  ) {}

  start(workers: number): this {
    this.running = true;
    this.loops = Array.from({ length: workers }, (_, w) => this.loop(w));
    return this;
  }

  async stop(): Promise<Tally> {
    this.running = false;
    await Promise.all(this.loops);
    return this.tally;
  }

  /** One request of each kind for every member, all expected to succeed (recovery). */
  async roundOfEach(): Promise<Tally> {
    const tally = emptyTally();
    for (const u of this.users) {
      for (const step of this.steps(u)) {
        const [path, reply, ms] = await this.send(u, step);
        record(tally, path, reply, ms);
      }
    }
    return tally;
  }

  private async loop(worker: number): Promise<void> {
    let turn = worker;
    while (this.running) {
      const u = this.users[turn % this.users.length]!;
      const steps = this.steps(u);
      const step = steps[(turn * 7 + worker) % steps.length]!;
      turn += 1;
      try {
        const [path, reply, ms] = await this.send(u, step);
        this.tally.sent += 1;
        record(this.tally, path, reply, ms);
      } catch (error) {
        this.tally.sent += 1;
        this.tally.unreachable.push(String((error as Error).cause ?? error));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  private steps(u: User): [string, string, unknown?][] {
    return [
      ['POST', '/v2/shop/purchase', { item_id: this.item, count: 1 }],
      ['GET', '/timer-api/members/me'],
      ['POST', '/timer-api/study-timer/start', { category_id: Number(u.categoryId) }],
      ['POST', '/timer-api/study-timer/end', { status: 'Completed' }],
      ['PATCH', `/timer-api/members/${u.memberId}`, { status_message: `at ${Date.now()}` }],
    ];
  }

  private async send(u: User, [method, path, json]: [string, string, unknown?]): Promise<[string, Reply, number]> {
    const started = Date.now();
    const response = await fetch(this.base + path, {
      method,
      headers: { authorization: `Bearer ${u.accessToken}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
      signal: AbortSignal.timeout(REQUEST_BOUND_MS + 5_000),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return [path, { status: response.status, headers: response.headers, body, text }, Date.now() - started];
  }
}

/** What every fault scenario must end with: nothing but 2xx, 4xx and proper 503s, all in time. */
export function expectServedThrough(tally: Tally): void {
  expect(tally.unreachable, 'requests with no HTTP answer (the process died?)').toEqual([]);
  expect(tally.serverErrors, '5xx other than a proper 503').toEqual([]);
  expect(tally.slowestMs).toBeLessThan(REQUEST_BOUND_MS);
}

/**
 * The data as the faults must leave it: at most one running timer per member and the member's
 * pointer on it, balances equal to the last transaction, purchases whole (points spent = items
 * held), and no record on a deleted category.
 */
export async function expectInvariants(db: pg.Pool, users: User[], item: number): Promise<void> {
  for (const u of users) {
    const running = await db.query(
      `select study_record_id::text id from study_record
        where member_id = $1 and end_time is null and deleted_at is null`,
      [u.memberId],
    );
    expect(running.rows.length).toBeLessThanOrEqual(1);
    const member = await db.query('select point, active_record_id::text active from member where member_id = $1', [
      u.memberId,
    ]);
    expect(member.rows[0].active).toBe(running.rows[0]?.id ?? null);
    const books = await db.query(
      `select
         (select balance_after_transaction from transaction_record where member_id = $1
           order by transaction_record_id desc limit 1) last_balance,
         (select coalesce(sum(case when transaction_type = 'Purchase' then -amount else amount end), 0)::int
            from transaction_record where member_id = $1) net,
         (select coalesce(sum(count), 0)::int from transaction_record
           where member_id = $1 and transaction_type = 'Purchase') bought,
         (select coalesce(sum(quantity), 0)::int from item_inventory
           where member_id = $1 and item_id = $2 and deleted_at is null) held`,
      [u.memberId, item],
    );
    const b = books.rows[0] as { last_balance: number | null; net: number; bought: number; held: number };
    if (b.last_balance !== null) expect(member.rows[0].point).toBe(b.last_balance);
    expect(member.rows[0].point).toBe(500 + b.net);
    expect(b.held).toBe(b.bought);
    const orphans = await db.query(
      `select count(*)::int n from study_record r join study_category c on c.study_category_id = r.study_category_id
        where r.member_id = $1 and c.deleted_at is not null`,
      [u.memberId],
    );
    expect(orphans.rows[0].n).toBe(0);
  }
}

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** The JSON log lines written so far. */
  logs: string[];
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * The built service (`node dist/main.js`, as production runs it) in a process of its own: an
 * unhandled 'error' event ends it, so "the process stays up" is observable, which it is not for an
 * app inside the test worker.
 */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_LOGIN_PER_IP: '100000',
      RATE_LIMIT_REGISTER_PER_IP: '100000',
      RATE_LIMIT_REFRESH_PER_IP: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    logs.push(...lines.filter(Boolean));
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!alive()) throw new Error(`service exited during start:\n${stderr}\n${logs.join('\n')}`);
    const live = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (live?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`service not ready in time:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    logs,
    alive,
    stop: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls until `check` passes or `ms` run out; returns how long it took. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check().catch(() => false)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not true within ${ms} ms`);
}

/** The run's figures, one line per scenario, for the notes (issue 9 "record figures"). */
export function report(scenario: string, figures: Record<string, number | string>): void {
  console.info(`[faults] ${scenario}: ${JSON.stringify(figures)}`);
}

/** Every 503 was logged at warn, with its request id (issue 9 item 2). */
export function expectWarnedAbout(requestIds: string[], logs: string[]): void {
  const warned = new Set(
    logs
      .map((line) => parseLine(line))
      .filter((l) => l.level === 40 && l.msg?.startsWith('database '))
      .map((l) => l.requestId),
  );
  expect(requestIds.filter((id) => !warned.has(id))).toEqual([]);
}

function parseLine(line: string): { level?: number; requestId?: string; msg?: string } {
  try {
    return JSON.parse(line) as { level?: number; requestId?: string; msg?: string };
  } catch {
    return {};
  }
}

/** The built service behind a TCP proxy to PostgreSQL (the test cuts or holds its connections), with members. */
export interface ProxiedService {
  /** The test's own connections, not through the proxy. */
  db: pg.Pool;
  proxy: TcpProxy;
  service: ServiceProcess;
  users: User[];
  item: number;
  close(): Promise<void>;
}

/** `applicationName` marks the service's connections, so `pg_terminate_backend` can find them alone. */
export async function startProxiedService(members: number, applicationName?: string): Promise<ProxiedService> {
  const db = openDb();
  const target = new URL(inject('databaseUrl'));
  const proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
  const url = new URL(proxy.urlFor(inject('databaseUrl')));
  if (applicationName) url.searchParams.set('application_name', applicationName);
  let service: ServiceProcess | undefined;
  const close = async () => {
    await service?.stop();
    await proxy.close();
    await db.end();
  };
  try {
    service = await startServiceProcess({
      DATABASE_URL: url.toString(),
      DATABASE_POOL_SIZE: '5',
      MIGRATE_ON_START: 'false',
    });
    const { users, item } = await prepareMembers(client(service.url), db, members);
    return { db, proxy, service, users, item, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The suite's proxied service: started in `beforeAll`, closed in `afterAll` (see `useStarted`). */
export function useProxiedService(members: number, applicationName?: string): ProxiedService {
  return useStarted(
    'useProxiedService',
    () => startProxiedService(members, applicationName),
    (started) => started.close(),
  );
}
