import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { GROUP_CAPACITY, type GroupMember, type GroupStore, socketRef } from '../src/study-groups/group-store.js';
import { MemoryGroupStore } from '../src/study-groups/memory-group-store.js';
import { RedisGroupStore } from '../src/study-groups/redis-group-store.js';
import { useTeardown } from './support/fixture.js';

// One contract, two stores: in memory (one instance) and Redis (two instances sharing it, each with
// its own connection). Issue 4: the cap of 8, one seat per member, stale sockets released.
const teardown = useTeardown();

/** A Redis store on a connection of its own, under `prefix`; both go when the test ends. */
function redisStore(prefix = `test:${randomUUID()}:`) {
  const redis = new Redis(inject('redisUrl'));
  const store = new RedisGroupStore(redis, prefix);
  teardown.add(async () => {
    // Leave nothing behind in the shared Redis: removeAll deletes every key a store made.
    await store.removeAll();
    redis.disconnect();
  });
  return { prefix, redis, store };
}

interface Setup {
  /** Two views of the same state (two instances); the memory store has one view twice. */
  stores: [GroupStore, GroupStore];
}

const setups: [string, () => Setup][] = [
  [
    'memory',
    () => {
      const store = new MemoryGroupStore();
      return { stores: [store, store] };
    },
  ],
  [
    'redis (two instances)',
    () => {
      const { prefix, store } = redisStore();
      return { stores: [store, redisStore(prefix).store] };
    },
  ],
];

const member = (id = randomUUID()): GroupMember => ({
  member_id: id,
  image_url: null,
  nickname: `n-${id.slice(0, 6)}`,
  joinedAtUTC: new Date().toISOString(),
});

describe.each(setups)('%s group store', (_name, setup) => {
  it('40 members joining at once fill exactly 5 groups of 8', async () => {
    const { stores } = setup();
    const members = Array.from({ length: 40 }, () => member());
    const results = await Promise.all(
      members.map((m, i) => stores[i % 2]!.join(m, socketRef(`i${i % 2}`, `s${i}`), randomUUID())),
    );
    expect(results.every((r) => r.seated)).toBe(true);
    const sizes = new Map<string, number>();
    for (const r of results) sizes.set(r.groupId, (sizes.get(r.groupId) ?? 0) + 1);
    expect([...sizes.values()]).toEqual([8, 8, 8, 8, 8]);
    for (const groupId of sizes.keys()) expect(await stores[0].members(groupId)).toHaveLength(GROUP_CAPACITY);
    // Each join returns the group as it left it (read atomically): the 8 joins of a group saw 1, 2, … 8
    // members, each including the joiner, so a joiner is told only about those who came before.
    for (const groupId of sizes.keys()) {
      const seen = results.flatMap((r, i) => (r.groupId === groupId ? [{ r, m: members[i]! }] : []));
      expect(seen.map(({ r }) => r.members.length).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      for (const { r, m } of seen) expect(r.members).toContainEqual(m);
    }
  });

  it('fills the fullest open group first and makes a new one only when all are full', async () => {
    const { stores } = setup();
    const first = await stores[0].join(member(), socketRef('i0', 'a'), 'g1');
    const second = await stores[1].join(member(), socketRef('i1', 'b'), 'g2');
    expect([first.groupId, second.groupId]).toEqual(['g1', 'g1']);
    for (let i = 0; i < 6; i++) await stores[i % 2]!.join(member(), socketRef('i0', `c${i}`), 'gx');
    const ninth = await stores[0].join(member(), socketRef('i0', 'd'), 'g3');
    expect(ninth.groupId).toBe('g3');
    // A seat freed in g1 makes it the fullest open group again (7 > 1).
    const leaver = (await stores[0].members('g1'))[0]!;
    await stores[1].leaveMember(leaver.member_id);
    expect((await stores[0].join(member(), socketRef('i0', 'e'), 'g4')).groupId).toBe('g1');
  });

  it('one member with three sockets holds one seat until the last socket leaves', async () => {
    const { stores } = setup();
    const m = member();
    const sockets = [socketRef('i0', 'x'), socketRef('i1', 'y'), socketRef('i0', 'z')];
    const joins = await Promise.all(sockets.map((s, i) => stores[i % 2]!.join(m, s, randomUUID())));
    expect(joins.filter((j) => j.seated)).toHaveLength(1);
    expect(new Set(joins.map((j) => j.groupId)).size).toBe(1);
    const groupId = joins[0]!.groupId;
    expect(await stores[0].members(groupId)).toEqual([m]);
    expect(await stores[0].leaveSocket(m.member_id, sockets[0]!)).toEqual({ groupId, left: false, remaining: 1 });
    expect(await stores[1].leaveSocket(m.member_id, sockets[1]!)).toEqual({ groupId, left: false, remaining: 1 });
    expect(await stores[0].leaveSocket(m.member_id, sockets[2]!)).toEqual({ groupId, left: true, remaining: 0 });
    expect(await stores[0].groupOf(m.member_id)).toBeUndefined();
    expect(await stores[0].members(groupId)).toEqual([]);
    expect(await stores[0].leaveSocket(m.member_id, sockets[2]!)).toBeUndefined();
  });

  it('joining twice with one socket is idempotent', async () => {
    const { stores } = setup();
    const m = member();
    const a = await stores[0].join(m, socketRef('i0', 's'), 'g1');
    const b = await stores[1].join(m, socketRef('i0', 's'), 'g2');
    expect(a).toEqual({ groupId: 'g1', seated: true, members: [m] });
    expect(b).toEqual({ groupId: 'g1', seated: false, members: [m] });
    expect(await stores[0].leaveSocket(m.member_id, socketRef('i0', 's'))).toEqual({
      groupId: 'g1',
      left: true,
      remaining: 0,
    });
  });

  it('leaveMember gives up the seat whatever sockets remain; other members stay', async () => {
    const { stores } = setup();
    const [m1, m2] = [member(), member()];
    await stores[0].join(m1, socketRef('i0', 'a'), 'g');
    await stores[0].join(m1, socketRef('i1', 'b'), 'g');
    await stores[1].join(m2, socketRef('i1', 'c'), 'g');
    expect(await stores[1].leaveMember(m1.member_id)).toEqual({ groupId: 'g', left: true, remaining: 1 });
    expect(await stores[0].members('g')).toEqual([m2]);
    expect(await stores[0].leaveMember(m1.member_id)).toBeUndefined();
  });

  it('releases the sockets of a dead instance only', async () => {
    const { stores } = setup();
    const [onDead, onBoth, onLive] = [member(), member(), member()];
    await stores[0].join(onDead, socketRef('dead', '1'), 'g');
    await stores[0].join(onBoth, socketRef('dead', '2'), 'g');
    await stores[1].join(onBoth, socketRef('live', '3'), 'g');
    await stores[1].join(onLive, socketRef('live', '4'), 'g');
    const released = await stores[1].releaseInstance('dead');
    expect(released).toEqual([{ memberId: onDead.member_id, result: { groupId: 'g', left: true, remaining: 2 } }]);
    expect((await stores[0].members('g')).map((m) => m.member_id).sort()).toEqual(
      [onBoth.member_id, onLive.member_id].sort(),
    );
    expect(await stores[0].releaseInstance('dead')).toEqual([]);
  });

  it('a re-seat prefers the given group while it has a free seat; a seat already held wins', async () => {
    const { stores } = setup();
    await stores[0].join(member(), socketRef('i0', 'o'), 'open');
    const [x, y] = [member(), member()];
    expect((await stores[1].join(x, socketRef('i1', 'x'), 'new', 'back')).groupId).toBe('back');
    expect(await stores[0].join(x, socketRef('i0', 'x2'), 'new', 'open')).toMatchObject({
      groupId: 'back',
      seated: false,
    });
    for (let i = 1; i < GROUP_CAPACITY; i++) {
      expect((await stores[i % 2]!.join(member(), socketRef('i0', `f${i}`), 'new', 'back')).groupId).toBe('back');
    }
    // Full: the fullest open group instead, and the cap holds.
    expect((await stores[1].join(y, socketRef('i1', 'y'), 'new', 'back')).groupId).toBe('open');
    expect((await stores[0].members('back')).length).toBe(GROUP_CAPACITY);
  });

  it('removeAll empties every group and returns who was seated', async () => {
    const { stores } = setup();
    const ms = Array.from({ length: 10 }, () => member());
    for (const [i, m] of ms.entries()) await stores[i % 2]!.join(m, socketRef(`i${i % 2}`, `s${i}`), `g${i}`);
    const groups = new Set(await Promise.all(ms.map((m) => stores[0].groupOf(m.member_id))));
    expect(groups.size).toBe(2);
    expect((await stores[1].removeAll()).sort()).toEqual(ms.map((m) => m.member_id).sort());
    for (const g of groups) expect(await stores[0].members(g!)).toEqual([]);
    expect(await stores[0].groupOf(ms[0]!.member_id)).toBeUndefined();
    expect((await stores[0].join(member(), socketRef('i0', 'n'), 'fresh')).groupId).toBe('fresh');
  });
});

describe('redis group store, liveness', () => {
  it('an instance that stored sockets but never beat is still found stale, and only once', async () => {
    const { prefix, redis, store } = redisStore();
    const m = member();
    const before = Date.now();
    await store.join(m, socketRef('crashed-early', 's1'), 'g');
    await store.heartbeat('live', before + 60_000);
    expect(await store.takeStaleInstances(before + 10_000, 20_000)).toEqual([]);
    expect(await store.takeStaleInstances(Date.now() + 20_000, 20_000)).toEqual(['crashed-early']);
    expect(await store.takeStaleInstances(Date.now() + 20_000, 20_000)).toEqual([]);
    expect(await store.releaseInstance('crashed-early')).toEqual([
      { memberId: m.member_id, result: { groupId: 'g', left: true, remaining: 0 } },
    ]);
    await redis.del(`${prefix}instance:live:seen`);
  });

  it('heartbeat tells when the store forgot the instance: first beat, Redis emptied, or swept as dead', async () => {
    const { prefix, redis, store } = redisStore();
    const forgot = () => store.heartbeat('i', Date.now());
    expect(await forgot()).toBe(true);
    await store.join(member(), socketRef('i', 's'), 'g');
    expect(await forgot()).toBe(false);
    // What a restart of Redis without persistence leaves under this prefix: nothing.
    await redis.del(...(await redis.keys(`${prefix}*`)));
    expect(await forgot()).toBe(true);
    expect(await forgot()).toBe(false);
    await store.releaseInstance('i');
    expect(await forgot()).toBe(true);
    await redis.del(...(await redis.keys(`${prefix}*`)));
    // One process: nothing to forget.
    expect(await new MemoryGroupStore().heartbeat()).toBe(false);
  });
});
