import { describe, expect, it } from 'vitest';
import {
  eventually,
  expectInvariants,
  expectServedThrough,
  expectWarnedAbout,
  Load,
  REQUEST_BOUND_MS,
  report,
  useProxiedService,
} from './support/fault-kit.js';

// A database that accepts connections but stops answering (issue 9 item 3): the proxy keeps every
// connection open and forwards nothing. With the shipped default timeouts, every request gets its
// 503 well within 15 s, readiness says so, and once the database answers again the same process
// serves again by itself. The service runs as a child process (see faults-database-connections).

const started = useProxiedService(4);

describe('a database that stops answering', () => {
  it('answers 503 with Retry-After within 15 s (default timeouts), readiness goes down, and it recovers by itself', async () => {
    const { db, proxy, service, users, item } = started;
    const load = new Load(service.url, users, item).start(8);
    await new Promise((resolve) => setTimeout(resolve, 500)); // connections open and in use
    proxy.hold();
    const heldAt = Date.now();
    // Readiness notices within its own bound; liveness is unaffected.
    const downAfter = await eventually(async () => (await fetch(`${service.url}/health/ready`)).status === 503, 5_000);
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    // Long enough for every kind of wait to run out (acquire, connect, client-side query timeout).
    await new Promise((resolve) => setTimeout(resolve, 9_000));
    const duringHold = { ...load.tally, sent: load.tally.sent };
    proxy.release();
    const releasedAt = Date.now();
    const upAfter = await eventually(async () => (await fetch(`${service.url}/health/ready`)).status === 200, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const tally = await load.stop();

    expect(service.alive()).toBe(true);
    expectServedThrough(tally); // every request answered, in under REQUEST_BOUND_MS
    expect(duringHold.unavailable).toBeGreaterThan(0);
    expectWarnedAbout(tally.unavailableIds, service.logs);
    const after = await load.roundOfEach();
    expect(after.serverErrors).toEqual([]);
    expect(after.unavailable).toBe(0);
    await expectInvariants(db, users, item);
    report('database stops answering (proxy holds bytes)', {
      requests: tally.sent,
      faults: 1,
      heldMs: releasedAt - heldAt,
      readyDownAfterMs: downAfter,
      readyUpAfterReleaseMs: upAfter,
      ok: tally.ok,
      refused4xx: tally.refusedByApp,
      unavailable503: tally.unavailable,
      other5xx: tally.serverErrors.length,
      unanswered: tally.unreachable.length,
      slowestMs: tally.slowestMs,
      boundMs: REQUEST_BOUND_MS,
      dataLost: 0,
    });
  });
});
