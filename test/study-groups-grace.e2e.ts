import type { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_STORE, type GroupStore } from '../src/study-groups/group-store.js';
import { StudyGroupGateway } from '../src/study-groups/study-group.gateway.js';
import { type TestApp, useApp, useApps, useInstances } from './support/app.js';
import { type Cluster, events, groupsKit, ids, type Member, pwaList, waitFor } from './support/groups-kit.js';
import type { TestSocket } from './support/sockets.js';
import { useOwnRedis } from './support/redis-server.js';

// GROUP_RECONNECT_GRACE_SECONDS > 0 (issue: "Leaving"): a member's seat outlives their last socket by
// the grace, so a reconnect keeps it; explicit leave and account deletion stay immediate; an instance
// that stops with members in grace does not leak their seats. Run on one in-memory instance and on two
// instances sharing Redis. The group keys have a fixed prefix, so, as the Redis suite does, this file
// runs its own redis-server (the one at 6379 is shared by other suites running in parallel).
const GRACE_S = 2;
const GRACE_MS = GRACE_S * 1000;
const GRACE = { GROUP_RECONNECT_GRACE_SECONDS: String(GRACE_S) };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const sorted = (list: string[]) => [...list].sort();
const ioOf = (app: TestApp) => (app.handle.app.get(StudyGroupGateway) as unknown as { server: Server }).server;
/** The grace timers an instance holds (white box: they must not pile up nor outlive the instance). */
const graceTimers = (app: TestApp) =>
  (app.handle.app.get(StudyGroupGateway) as unknown as { graceTimers: Map<string, unknown> }).graceTimers;

/**
 * The grace cases, for one instance (memory) or two (Redis). `join(m, i)` picks instance `i` round
 * robin, so `other()` is the second instance when there is one.
 */
function graceCases(cluster: () => Cluster, instances: number) {
  const kit = groupsKit(cluster);
  const joined: TestSocket[] = [];
  const other = () => cluster().apps.length - 1;

  async function join(m: Member, at: number | string = 0) {
    const j = await kit.join(m, at);
    joined.push(j.client);
    return j;
  }

  /** Closes `c` and waits until its instance handled the disconnect (the grace started); returns when. */
  async function drop(c: TestSocket, app?: TestApp) {
    const id = c.socket.id!;
    const started = Date.now(); // the server's grace timer starts after this
    c.close();
    const apps = app ? [app] : cluster().apps;
    await waitFor(() => apps.every((a) => !ioOf(a).of('/').sockets.has(id)), 'the server to drop the socket');
    return started;
  }

  /** `n` members seated in one group, one socket each, spread over the instances. */
  async function group(n: number) {
    const members = await Promise.all(Array.from({ length: n }, () => kit.member()));
    const js = [];
    for (const [i, m] of members.entries()) js.push(await join(m, i));
    const groupId = js[0]!.info.groupId;
    for (const j of js) expect(j.info.groupId).toBe(groupId);
    return { members, js, groupId, clients: js.map((j) => j.client) };
  }

  // Seats are given up explicitly, so a test does not wait out the grace of its sockets.
  afterEach(async () => {
    const open = joined.splice(0).filter((c) => c.socket.connected);
    await Promise.all(
      open.map((c) =>
        c.socket
          .timeout(10_000)
          .emitWithAck('leaveGroup')
          .catch(() => undefined),
      ),
    );
    await kit.cleanup();
  });

  const reconnects = (where: 'the same instance' | 'the other instance', at: () => number) =>
    it(`a member's only socket drops and the member rejoins within the grace, on ${where}: same seat, no memberLeft`, async () => {
      const { members, js, groupId, clients } = await group(3);
      const [o, p, x] = members as [Member, Member, Member];
      const xJoined = js[2]!.client.all('newMember')[0].joinedAtUTC;
      await kit.flush(clients, o);
      const from = clients.map((c) => c.received.length);

      const dropped = await drop(js[2]!.client);
      const again = await join(x, at());
      expect(Date.now() - dropped).toBeLessThan(GRACE_MS); // the rejoin did happen within the grace
      expect(again.info.groupId).toBe(groupId);
      expect(ids(again.info.members)).toEqual(sorted([o.memberId, p.memberId, x.memberId]));
      // The same seat: x's entry is the one from the first join.
      expect(again.info.members.find((m) => m.member_id === x.memberId)?.joinedAtUTC).toBe(xJoined);
      expect(events(again.client)).toEqual(['newMember', 'groupInfo']);
      expect(again.client.all('newMember')).toEqual([expect.objectContaining({ member_id: x.memberId })]);

      // Well after the grace of the dropped socket ran out: nobody heard anything, and x still sits there.
      await sleep(dropped + GRACE_MS + 600 - Date.now());
      const stay = [js[0]!.client, js[1]!.client, again.client];
      await kit.flush(stay, o);
      for (const [k, c] of [js[0]!.client, js[1]!.client].entries()) {
        expect(c.received.slice(from[k]).filter((r) => r.event !== 'memberStatus')).toEqual([]);
        expect(sorted(pwaList(c))).toEqual(sorted([o.memberId, p.memberId, x.memberId]));
      }
      expect(await kit.groupOf(x.memberId)).toBe(groupId);
      expect(ids(await kit.store().members(groupId))).toEqual(sorted([o.memberId, p.memberId, x.memberId]));
      expect(sorted(pwaList(again.client))).toEqual(sorted([o.memberId, p.memberId, x.memberId]));
    });

  reconnects('the same instance', () => 0);
  if (instances > 1) reconnects('the other instance', () => 1);

  it('nobody comes back: memberLeft once, after the grace and not before; the seat is free again', async () => {
    const { members, js, groupId, clients } = await group(8);
    const x = members[7]!;
    const others = clients.slice(0, 7);
    const [y, z] = await Promise.all([kit.member(), kit.member()]);

    const dropped = await drop(js[7]!.client);
    // Around half the grace: no memberLeft yet (after a barrier through every instance), and the
    // group is still full, so a 9th member gets a group of their own.
    await sleep(dropped + GRACE_MS * 0.4 - Date.now());
    await kit.flush(others, members[0]!);
    const jy = await join(y, other());
    expect(Date.now() - dropped).toBeLessThan(GRACE_MS); // these checks did run within the grace
    for (const c of others) expect(c.all('memberLeft')).toEqual([]);
    expect(await kit.groupOf(x.memberId)).toBe(groupId);
    expect(jy.info.groupId).not.toBe(groupId);
    expect(ids(jy.info.members)).toEqual([y.memberId]);

    // Then memberLeft {memberId}, to each of the others, exactly once.
    await Promise.all(others.map((c) => c.until('memberLeft', undefined, 0, GRACE_MS + 10_000)));
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(GRACE_MS - 100);
    await kit.flush(others, members[0]!);
    for (const c of others) {
      expect(c.all('memberLeft')).toEqual([{ memberId: x.memberId }]);
      expect(sorted(pwaList(c))).toEqual(sorted(members.slice(0, 7).map((m) => m.memberId)));
    }
    expect(jy.client.all('memberLeft')).toEqual([]);
    expect(await kit.groupOf(x.memberId)).toBeUndefined();

    // The seat is free: the next member fills the group that was full (the fullest open one).
    const jz = await join(z, 0);
    expect(jz.info.groupId).toBe(groupId);
    expect(jz.info.members).toHaveLength(8);
    expect(ids(jz.info.members)).not.toContain(x.memberId);
    // Grace timers go once run (they used to pile up for the life of the instance).
    await waitFor(
      () => cluster().apps.every((app) => graceTimers(app).size === 0),
      'no grace timer left',
      GRACE_MS + 5_000,
    );
  });

  it('leaveGroup is immediate even with a grace, also while another socket of the member is in grace', async () => {
    const { members, js, groupId } = await group(2);
    const [o, x] = members as [Member, Member];
    const second = await join(x, 0); // with two instances, not where the first socket is
    expect(second.info.groupId).toBe(groupId);

    const dropped = await drop(js[1]!.client); // x's first socket: in grace
    const asked = Date.now();
    expect(await second.client.socket.timeout(5_000).emitWithAck('leaveGroup')).toEqual({ status: 'success' });
    expect(await kit.groupOf(x.memberId)).toBeUndefined();
    expect(await js[0]!.client.until('memberLeft', undefined, 0, GRACE_MS / 2)).toEqual({ memberId: x.memberId });
    expect(Date.now() - asked).toBeLessThan(GRACE_MS / 2);
    expect(ids(await kit.store().members(groupId))).toEqual([o.memberId]);

    // The dropped socket's grace ends later without a second memberLeft; the socket that left is out
    // of the room (no memberStatus of the group reaches it).
    await sleep(dropped + GRACE_MS + 600 - Date.now());
    await kit.flush([js[0]!.client], o);
    expect(js[0]!.client.all('memberLeft')).toEqual([{ memberId: x.memberId }]);
    expect(pwaList(js[0]!.client)).toEqual([o.memberId]);
    expect(second.client.socket.connected).toBe(true);
    expect(second.client.all('memberStatus')).toEqual([]);
    expect(await kit.groupOf(x.memberId)).toBeUndefined();
  });

  it('deleting the account during the grace: the member leaves at once', async () => {
    const { members, js, groupId } = await group(2);
    const [o, x] = members as [Member, Member];

    const dropped = await drop(js[1]!.client);
    const asked = Date.now();
    // With two instances, the erasure is on the instance that does not hold x's grace.
    const deleted = await kit.api(0).delete('/timer-api/auth/me', { token: x.accessToken });
    expect(deleted.status, deleted.text).toBe(200);
    expect(await js[0]!.client.until('memberLeft', undefined, 0, GRACE_MS / 2)).toEqual({ memberId: x.memberId });
    expect(Date.now() - asked).toBeLessThan(GRACE_MS / 2);
    expect(await kit.groupOf(x.memberId)).toBeUndefined();
    expect(ids(await kit.store().members(groupId))).toEqual([o.memberId]);

    await sleep(dropped + GRACE_MS + 600 - Date.now());
    await kit.flush([js[0]!.client], o);
    expect(js[0]!.client.all('memberLeft')).toEqual([{ memberId: x.memberId }]);
    expect(pwaList(js[0]!.client)).toEqual([o.memberId]);
  });

  return { kit, join, drop };
}

describe('reconnect grace: one instance, memory store', () => {
  const app = useApp({ env: GRACE });
  const instances = useInstances();

  graceCases(() => ({ apps: [app] }), 1);

  it('an instance stopping with a member in grace keeps no seat and no timer', async () => {
    const stopping = await instances.start(GRACE);
    const kit = groupsKit(() => ({ apps: [stopping] }));
    const [o, x] = await Promise.all([kit.member(), kit.member()]);
    const jo = await kit.join(o);
    const jx = await kit.join(x);
    expect(jx.info.groupId).toBe(jo.info.groupId);
    const id = jx.client.socket.id!;
    jx.client.close();
    await waitFor(() => !ioOf(stopping).of('/').sockets.has(id), 'the server to drop the socket');
    expect(graceTimers(stopping).size).toBe(1);

    await stopping.close();
    expect(await jo.client.disconnected).toBe('transport close');
    const store = stopping.handle.app.get<GroupStore>(GROUP_STORE);
    expect(await store.groupOf(x.memberId)).toBeUndefined();
    expect(await store.groupOf(o.memberId)).toBeUndefined();
    expect(await store.members(jo.info.groupId)).toEqual([]);
    // Neither x's grace nor the disconnects the shutdown itself caused leave a timer behind.
    expect(graceTimers(stopping).size).toBe(0);
  });
});

describe('reconnect grace: two instances sharing Redis', () => {
  // Called before the instances' fixture, so Redis stops after they closed.
  const redis = useOwnRedis();
  const redisUrl = () => redis.url;
  const apps = useApps(2, () => ({ env: { REDIS_URL: redisUrl(), ...GRACE } }));
  const instances = useInstances();

  const { kit, join, drop } = graceCases(() => ({ apps }), 2);

  it('an instance stopping with a member in grace: the seat is freed, memberLeft once, nothing leaks', async () => {
    const stopping = await instances.start({ REDIS_URL: redisUrl(), ...GRACE }, { captureLogs: true });
    const [o, p, x, q, y] = await Promise.all(Array.from({ length: 5 }, () => kit.member()));
    const jo = await join(o, 0);
    const jp = await join(p, 1);
    const jx = await join(x, stopping.url);
    const jq = await join(q, stopping.url); // still connected when the instance stops
    for (const j of [jx, jq]) expect(j.info.groupId).toBe(jo.info.groupId);
    await kit.flush([jo.client, jp.client], o);

    const dropped = await drop(jx.client, stopping);
    expect(graceTimers(stopping).size).toBe(1);
    expect(await kit.groupOf(x.memberId)).toBe(jo.info.groupId);
    await stopping.close();
    expect(Date.now() - dropped).toBeLessThan(GRACE_MS);

    expect(await jq.client.disconnected).toBe('transport close');
    // The stopping instance gave both seats up (a crash would leave them to the heartbeat sweep).
    const left = (c: TestSocket) => sorted(c.all<{ memberId: string }>('memberLeft').map((l) => l.memberId));
    const gone = sorted([x.memberId, q.memberId]);
    await waitFor(() => [jo.client, jp.client].every((c) => left(c).join() === gone.join()), 'memberLeft for x and q');
    for (const m of [x, q]) expect(await kit.groupOf(m.memberId)).toBeUndefined();
    expect(ids(await kit.store().members(jo.info.groupId))).toEqual(sorted([o.memberId, p.memberId]));
    // No timer outlives the instance: neither x's grace nor one for q's disconnect at shutdown.
    expect(graceTimers(stopping).size).toBe(0);

    // Past the grace: still one memberLeft each, no store call from the stopped instance, and a seat
    // is taken by the next member.
    await sleep(dropped + GRACE_MS + 600 - Date.now());
    await kit.flush([jo.client, jp.client], o);
    for (const c of [jo.client, jp.client]) {
      expect(left(c)).toEqual(gone);
      expect(sorted(pwaList(c))).toEqual(sorted([o.memberId, p.memberId]));
    }
    expect(stopping.logs.filter((line) => line.includes('group store unavailable'))).toEqual([]);
    const jy = await join(y, 1);
    expect(jy.info.groupId).toBe(jo.info.groupId);
    expect(ids(jy.info.members)).toEqual(sorted([o.memberId, p.memberId, y.memberId]));
  });
});
