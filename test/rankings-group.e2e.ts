import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { actors } from './support/actors.js';
import { useApps, useInstances } from './support/app.js';
import { ManualClock } from './support/clock.js';
import { groupsKit, type Member } from './support/groups-kit.js';
import { client, registerAndLogin } from './support/http.js';
import { ownRedis } from './support/redis-server.js';

// scope=group reads the caller's live room from the group store that two instances share through
// Redis (a prefix of its own), and the overall ranking's snapshot: served until RANKING_SNAPSHOT_SECONDS
// old, then rebuilt behind the stale answer. Sessions are in 2017–2018, which no other suite touches.

const clock = new ManualClock();
const apps = useApps(2, {
  env: {
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `rankings-${randomUUID()}:`,
    RANKING_SNAPSHOT_SECONDS: '60',
  },
  clock,
});
const kit = groupsKit(() => ({ apps }));
const instances = useInstances();
afterEach(async () => {
  clock.reset();
  await kit.cleanup();
});

/** One ended session on instance `at`. */
const session = (m: Member, from: string, to: string, at = 0) => actors(kit.api(at), clock).session(m, from, to);

async function rankings(m: Member, query: Record<string, string>, at = 0) {
  const r = await kit.api(at).get(`/timer-api/rankings?${new URLSearchParams(query).toString()}`, {
    token: m.accessToken,
  });
  expect(r.status, r.text).toBe(200);
  return r.body.data as {
    total: number;
    ranking: { rank: number; member_id: string; seconds: number; nickname: string }[];
    me: { rank: number; seconds: number } | null;
  };
}

describe('GET /rankings?scope=group', () => {
  it('ranks the members of the caller’s room, seated through either instance, opted-out ones included', async () => {
    const [a, b, c, outsider] = await Promise.all([
      kit.member({ nickname: 'room-a' }),
      kit.member({ nickname: 'room-b' }),
      kit.member({ nickname: 'room-c' }),
      kit.member(),
    ]);
    await session(a, '2017-04-03T01:00:00Z', '2017-04-03T02:00:00Z', 0);
    await session(b, '2017-04-03T01:00:00Z', '2017-04-03T04:00:00Z', 1);
    await session(outsider, '2017-04-03T01:00:00Z', '2017-04-03T09:00:00Z', 1);
    // c is seated but studied nothing that day: not ranked. a leaves the overall ranking only.
    const optOut = await kit.api(1).patch(`/timer-api/members/${a.memberId}`, {
      token: a.accessToken,
      json: { ranking_opt_out: true },
    });
    expect(optOut.status).toBe(200);
    clock.reset();
    const joined = [await kit.join(a, 0), await kit.join(b, 1), await kit.join(c, 1)];
    expect(new Set(joined.map((j) => j.info.groupId)).size).toBe(1);

    for (const [viewer, at] of [
      [a, 1],
      [c, 0],
    ] as const) {
      const room = await rankings(viewer, { scope: 'group', date: '2017-04-03' }, at);
      expect(room.total).toBe(2);
      expect(room.ranking.map((r) => [r.rank, r.member_id, r.seconds, r.nickname])).toEqual([
        [1, b.memberId, 3 * 3600, 'room-b'],
        [2, a.memberId, 3600, 'room-a'],
      ]);
      expect(room.me).toEqual(viewer === a ? { rank: 2, seconds: 3600 } : null);
    }
    // The outsider has no seat: 404; overall, the opted-out a is missing and the outsider leads.
    const r = await kit.api(0).get('/timer-api/rankings?scope=group', { token: outsider.accessToken });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('NOT_IN_GROUP');
    const all = await rankings(c, { date: '2017-04-03' });
    expect(all.ranking.map((x) => x.member_id)).toEqual([outsider.memberId, b.memberId]);

    // Leaving the room ends the room ranking.
    await kit.closeAll([joined[2]!.client]);
    await kit.unseated([c.memberId]);
    const gone = await kit.api(1).get('/timer-api/rankings?scope=group', { token: c.accessToken });
    expect(gone.status).toBe(404);
  });
});

describe('GET /rankings?scope=all: the snapshot', () => {
  it('answers from a snapshot until it is RANKING_SNAPSHOT_SECONDS old, then rebuilds it behind a stale answer', async () => {
    const [a, b] = await Promise.all([kit.member(), kit.member()]);
    await session(a, '2018-08-08T01:00:00Z', '2018-08-08T02:00:00Z');
    clock.set('2018-08-09T00:00:00Z');
    expect((await rankings(a, { date: '2018-08-08' })).ranking.map((r) => r.member_id)).toEqual([a.memberId]);

    await session(b, '2018-08-08T03:00:00Z', '2018-08-08T05:00:00Z');
    clock.set('2018-08-09T00:00:59Z');
    // 59 s later: the snapshot still holds, b is not in it yet (nor b's own place).
    const cached = await rankings(b, { date: '2018-08-08' });
    expect(cached.ranking.map((r) => r.member_id)).toEqual([a.memberId]);
    expect(cached.me).toBeNull();
    // The other instance built its own snapshot just now: b is there.
    expect((await rankings(b, { date: '2018-08-08' }, 1)).me).toEqual({ rank: 1, seconds: 7200 });

    clock.set('2018-08-09T00:01:00Z');
    // 60 s: this answer is the stale one, and a rebuild starts; the next ones see b first.
    await rankings(b, { date: '2018-08-08' });
    let fresh = await rankings(b, { date: '2018-08-08' });
    for (let i = 0; i < 50 && fresh.me === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      fresh = await rankings(b, { date: '2018-08-08' });
    }
    expect(fresh.ranking.map((r) => [r.rank, r.member_id, r.seconds])).toEqual([
      [1, b.memberId, 7200],
      [2, a.memberId, 3600],
    ]);
    expect(fresh.me).toEqual({ rank: 1, seconds: 7200 });
  });
});

describe('OpenAPI', () => {
  it('documents GET /timer-api/rankings and its query', async () => {
    const doc = await client(apps[0]!.url).get('/docs-json');
    const get = doc.body.paths['/timer-api/rankings']?.get;
    expect(get).toBeDefined();
    expect(get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['date', 'limit', 'offset', 'period', 'scope', 'timezone'].sort(),
    );
  });
});

describe('GET /rankings?scope=group: Redis unreachable', () => {
  it('answers 503 with Retry-After (not 500), and scope=all still answers', async () => {
    const redis = await ownRedis();
    onTestFinished(() => redis.stop());
    await redis.start();
    const { api } = await instances.start({ REDIS_URL: redis.url, RANKING_SNAPSHOT_SECONDS: '0' });
    const u = await registerAndLogin(api);
    await redis.stop();
    const r = await api.get('/timer-api/rankings?scope=group', { token: u.accessToken });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('2');
    expect(r.body).toEqual({
      status: 'error',
      error: 'Service Unavailable',
      message: '일시적으로 요청을 처리할 수 없습니다. 잠시 후 다시 시도해주세요.',
      code: 'GROUPS_UNAVAILABLE',
    });
    const all = await api.get('/timer-api/rankings?date=2018-01-01', { token: u.accessToken });
    expect(all.status, all.text).toBe(200);
  });
});
