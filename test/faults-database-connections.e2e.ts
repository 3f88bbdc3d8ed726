import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  expectInvariants,
  expectServedThrough,
  expectWarnedAbout,
  Load,
  report,
  useProxiedService,
} from './support/fault-kit.js';

// Connections lost under load (issue 9 items 1, 2): the built service runs as a child process behind
// a TCP proxy, so a crash (an unhandled 'error' event) ends that process and shows here. Its
// connections are the only ones cut: they carry an application name of their own, and the proxy
// is in front of them alone.

const APP_NAME = `monta_faults_${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const started = useProxiedService(6, APP_NAME);

/**
 * What both scenarios must show: the process up, connections in use among those lost (`cut`, more than
 * one per fault, and 503s), every answer served through, the 503s logged, recovery, and the data intact.
 */
async function expectSurvived(load: Load, scenario: string, fault: { faults: number } & Record<string, number>) {
  const { db, service, users, item } = started;
  const tally = await load.stop();
  const [, cut] = Object.entries(fault).find(([name]) => name !== 'faults')!;
  expect(service.alive()).toBe(true);
  expect(cut).toBeGreaterThan(fault.faults);
  expect(tally.unavailable, 'requests in flight were cut (503), not only idle connections').toBeGreaterThan(0);
  expectServedThrough(tally);
  expect(tally.ok).toBeGreaterThan(0);
  expectWarnedAbout(tally.unavailableIds, service.logs);
  await expectRecovered(load);
  await expectInvariants(db, users, item);
  report(scenario, {
    requests: tally.sent,
    ...fault,
    ok: tally.ok,
    refused4xx: tally.refusedByApp,
    unavailable503: tally.unavailable,
    other5xx: tally.serverErrors.length,
    unanswered: tally.unreachable.length,
    slowestMs: tally.slowestMs,
    dataLost: 0,
  });
}

/** After the faults: the same process answers every kind of request again, without a restart. */
async function expectRecovered(load: Load): Promise<void> {
  const { service } = started;
  expect(service.alive()).toBe(true);
  const after = await load.roundOfEach();
  expect(after.serverErrors).toEqual([]);
  expect(after.unavailable).toBe(0);
  expect(after.ok).toBeGreaterThan(0);
}

describe('connections lost under load', () => {
  it('backends terminated over and over mid-request (pg_terminate_backend): the process stays up, no 500, 503s in time, recovery, data intact', async () => {
    const { db, service, users, item } = started;
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
    await expectSurvived(load, 'terminate backends under load', { faults, backendsTerminated: terminated });
  });

  it('every connection cut at once through the proxy, repeatedly: the process stays up, no 500, recovery, data intact', async () => {
    const { proxy, service, users, item } = started;
    const load = new Load(service.url, users, item).start(10);
    let faults = 0;
    let cut = 0;
    for (let round = 0; round < 6; round++) {
      await sleep(600);
      cut += proxy.cutAll();
      faults += 1;
    }
    await expectSurvived(load, 'cut every connection under load', { faults, connectionsCut: cut });
  });
});
