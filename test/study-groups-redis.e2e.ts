import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { useApps } from './support/app.js';
import { groupsKit, ids, pwaList, waitFor } from './support/groups-kit.js';
import { connected } from './support/sockets.js';
import { studyGroupsSuite } from './support/study-groups-suite.js';
import { freePort } from './support/net.js';
import { exited, useOwnRedis } from './support/redis-server.js';

// Two instances sharing Redis, clients spread over both. The groups live under a fixed key prefix, so
// this file runs its own redis-server (other suites share the one at 6379); that also lets it stop
// and restart Redis under the running service.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
// Called before the instances' fixture, so Redis stops after they closed.
const redis = useOwnRedis();
const redisUrl = () => redis.url;
const stopRedis = () => redis.stop();
const apps = useApps(2, () => ({ env: { REDIS_URL: redisUrl() } }));

studyGroupsSuite('study groups: two instances sharing Redis', () => ({ apps }));

describe('study groups: two instances sharing Redis, failures', () => {
  const kit = groupsKit(() => ({ apps }));
  afterEach(() => kit.cleanup());

  /** Every group's clients list exactly its members, after a barrier through both instances. */
  async function expectGroupsOf8(joined: Awaited<ReturnType<typeof kit.join>>[], memberIds: string[]) {
    const groups = new Map<string, number[]>();
    joined.forEach(({ info }, i) => groups.set(info.groupId, [...(groups.get(info.groupId) ?? []), i]));
    expect([...groups.values()].map((g) => g.length)).toEqual(Array.from({ length: joined.length / 8 }, () => 8));
    for (const [groupId, g] of groups) {
      const expected = g.map((i) => memberIds[i]!).sort();
      expect(ids(await kit.store().members(groupId))).toEqual(expected);
      const clients = g.map((i) => joined[i]!.client);
      await waitFor(() => clients.every((c) => [...pwaList(c)].sort().join() === expected.join()), 'every list');
    }
    return groups;
  }

  it('Redis restarted during a run: the service recovers without a restart, no group exceeds 8', async () => {
    // Accounts first: registration rate limits live in Redis too.
    const early = await Promise.all(Array.from({ length: 5 }, () => kit.member()));
    const late = await Promise.all(Array.from({ length: 11 }, () => kit.member()));
    const old = await Promise.all(early.map((m, i) => kit.join(m, i)));

    await stopRedis();
    // While Redis is away a join is refused with an exception (not a hang), then disconnected.
    const refused = kit.open(1);
    await connected(refused);
    const reply = await refused.socket.timeout(10_000).emitWithAck('joinGroup', { jwtToken: late[0]!.accessToken });
    expect(reply).toEqual({ status: 'error', message: 'unavailable' });
    expect(await refused.disconnected).toBe('io server disconnect');

    await redis.start();
    // Both instances reconnect on their own: readiness answers, and each instance's adapter has its
    // pattern subscription (room broadcasts) back.
    const probe = new Redis(redisUrl());
    const subscribed = async () => (String(await probe.client('LIST')).match(/ psub=1 /g) ?? []).length;
    try {
      await waitFor(
        async () => {
          const ready = await Promise.all(apps.map((a) => fetch(`${a.url}/health/ready`).then((r) => r.status)));
          return ready.every((s) => s === 200) && (await subscribed()) === apps.length;
        },
        'both instances to reconnect to Redis',
        15_000,
        async () => ({ subscribed: await subscribed() }),
      );
    } finally {
      probe.disconnect();
    }

    // Redis kept nothing: each instance seats its connected members again, in their group (issue 9).
    const oldGroup = old[0]!.info.groupId;
    await waitFor(
      async () => (await Promise.all(early.map((m) => kit.groupOf(m.memberId)))).every((g) => g === oldGroup),
      'the early members to be re-seated',
      15_000,
    );

    // 11 new joins across both instances: 3 fill the old group, 8 make a new one; none exceeds 8.
    const joined = [...old, ...(await Promise.all(late.map((m, i) => kit.join(m, i))))];
    const groups = await expectGroupsOf8(
      joined,
      [...early, ...late].map((m) => m.memberId),
    );
    expect([...groups.keys()]).toContain(oldGroup);

    // The seats are real again: closing the old sockets gives them up, and only the old group hears it.
    await kit.closeAll(old.map((j) => j.client));
    const stayed = groups.get(oldGroup)!.filter((i) => i >= old.length);
    await waitFor(
      () => stayed.every((i) => joined[i]!.client.all('memberLeft').length === early.length),
      'the old group to hear the leaves',
    );
    for (const [groupId, g] of groups) {
      if (groupId === oldGroup) continue;
      await kit.flush(
        g.map((i) => joined[i]!.client),
        late[g[0]! - old.length]!,
      );
      for (const i of g) expect(joined[i]!.client.all('memberLeft')).toEqual([]);
    }
  }, 90_000);

  it('a crashed instance is found by heartbeat: its members leave their groups with memberLeft', async () => {
    const instancePort = await freePort();
    const crashing = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(instancePort),
        LOG_LEVEL: 'silent',
        DATABASE_URL: inject('databaseUrl'),
        DATABASE_POOL_SIZE: '2',
        MIGRATE_ON_START: 'false',
        REDIS_URL: redisUrl(),
      },
      stdio: 'ignore',
    });
    try {
      const url = `http://127.0.0.1:${instancePort}`;
      await waitFor(
        async () => (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200,
        'the third instance to start',
        60_000,
      );
      const [o, x, y] = await Promise.all([kit.member(), kit.member(), kit.member()]);
      const jo = await kit.join(o, 0);
      const jx = await kit.join(x, url);
      expect(jx.info.groupId).toBe(jo.info.groupId);
      await jo.client.until<{ member_id: string }>('newMember', (n) => n.member_id === x.memberId);

      crashing.kill('SIGKILL'); // no shutdown hook runs: x's seat stays until a live instance sweeps
      await exited(crashing);
      expect(await jx.client.disconnected).toBe('transport close');
      // Stale after 20 s without a heartbeat; the live instances look every 5 s.
      const probe = new Redis(redisUrl());
      try {
        await waitFor(
          () => jo.client.all('memberLeft').length > 0,
          "x's seat to be released",
          45_000,
          async () => ({
            now: Date.now(),
            alive: await probe.zrange('monta:groups:instances:alive', 0, -1, 'WITHSCORES'),
            keys: await probe.keys('monta:groups:instance*'),
          }),
        );
      } finally {
        probe.disconnect();
      }
      expect(jo.client.all('memberLeft')).toEqual([{ memberId: x.memberId }]);
      expect(await kit.groupOf(x.memberId)).toBeUndefined();
      expect(pwaList(jo.client)).toEqual([o.memberId]);

      const jy = await kit.join(y, 1);
      expect(jy.info.groupId).toBe(jo.info.groupId);
      expect(ids(jy.info.members)).toEqual([o.memberId, y.memberId].sort());
    } finally {
      crashing.kill('SIGKILL');
      await exited(crashing);
    }
  }, 120_000);
});
