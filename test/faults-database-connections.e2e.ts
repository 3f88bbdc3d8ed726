import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectInvariants,
  expectServedThrough,
  expectWarnedAbout,
  Load,
  prepareMembers,
  report,
  type ServiceProcess,
  startServiceProcess,
  type User,
} from './support/fault-kit.js';
import { client } from './support/http.js';
import { TcpProxy } from './support/tcp-proxy.js';

// Connections lost under load (issue 9 items 1, 2): the built service runs as a child process behind
// a TCP proxy, so a crash (an unhandled 'error' event) ends that process and shows here. Its
// connections are the only ones cut: they carry an application name of their own, and the proxy
// is in front of them alone.

const APP_NAME = `monta_faults_${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let db: pg.Pool;
let proxy: TcpProxy;
let service: ServiceProcess;
let users: User[];
let item: number;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: inject('databaseUrl'), max: 3 });
  const target = new URL(inject('databaseUrl'));
  proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
  const url = new URL(proxy.urlFor(inject('databaseUrl')));
  url.searchParams.set('application_name', APP_NAME);
  service = await startServiceProcess({
    DATABASE_URL: url.toString(),
    DATABASE_POOL_SIZE: '5',
    MIGRATE_ON_START: 'false',
  });
  ({ users, item } = await prepareMembers(client(service.url), db, 6));
});
afterAll(async () => {
  await service?.stop();
  await proxy?.close();
  await db?.end();
});

/** After the faults: the same process answers every kind of request again, without a restart. */
async function expectRecovered(load: Load): Promise<void> {
  expect(service.alive()).toBe(true);
  const after = await load.roundOfEach();
  expect(after.serverErrors).toEqual([]);
  expect(after.unavailable).toBe(0);
  expect(after.ok).toBeGreaterThan(0);
}

describe('connections lost under load', () => {
  it('backends terminated over and over mid-request (pg_terminate_backend): the process stays up, no 500, 503s in time, recovery, data intact', async () => {
    const load = new Load(service.url, users, item).start(10);
    let faults = 0;
    let terminated = 0;
    for (let round = 0; round < 12; round++) {
      await sleep(300);
      const r = await db.query(
        `select count(pg_terminate_backend(pid))::int n from pg_stat_activity
          where datname = current_database() and application_name = $1`,
        [APP_NAME],
      );
      faults += 1;
      terminated += r.rows[0].n as number;
    }
    const tally = await load.stop();

    expect(service.alive()).toBe(true);
    expect(terminated).toBeGreaterThan(faults);
    expect(tally.unavailable, 'requests in flight were cut (503), not only idle connections').toBeGreaterThan(0);
    expectServedThrough(tally);
    expect(tally.ok).toBeGreaterThan(0);
    expectWarnedAbout(tally.unavailableIds, service.logs);
    await expectRecovered(load);
    await expectInvariants(db, users, item);
    report('terminate backends under load', {
      requests: tally.sent,
      faults,
      backendsTerminated: terminated,
      ok: tally.ok,
      refused4xx: tally.refusedByApp,
      unavailable503: tally.unavailable,
      other5xx: tally.serverErrors.length,
      unanswered: tally.unreachable.length,
      slowestMs: tally.slowestMs,
      dataLost: 0,
    });
  });

  it('every connection cut at once through the proxy, repeatedly: the process stays up, no 500, recovery, data intact', async () => {
    const load = new Load(service.url, users, item).start(10);
    let faults = 0;
    let cut = 0;
    for (let round = 0; round < 6; round++) {
      await sleep(600);
      cut += proxy.cutAll();
      faults += 1;
    }
    const tally = await load.stop();

    expect(service.alive()).toBe(true);
    expect(cut).toBeGreaterThan(faults);
    expect(tally.unavailable, 'requests in flight were cut (503), not only idle connections').toBeGreaterThan(0);
    expectServedThrough(tally);
    expect(tally.ok).toBeGreaterThan(0);
    expectWarnedAbout(tally.unavailableIds, service.logs);
    await expectRecovered(load);
    await expectInvariants(db, users, item);
    report('cut every connection under load', {
      requests: tally.sent,
      faults,
      connectionsCut: cut,
      ok: tally.ok,
      refused4xx: tally.refusedByApp,
      unavailable503: tally.unavailable,
      other5xx: tally.serverErrors.length,
      unanswered: tally.unreachable.length,
      slowestMs: tally.slowestMs,
      dataLost: 0,
    });
  });
});
