import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, events, groupsKit, ids, ISO_UTC, pwaList, waitFor } from './groups-kit.js';
import { login } from './http.js';
import { connected, type TestSocket } from './sockets.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INTERNAL_ERROR = { status: 'error', message: 'Internal server error' };
const sorted = (list: string[]) => [...list].sort();
const ack = (c: TestSocket, event: string, payload: unknown) => c.socket.timeout(10_000).emitWithAck(event, payload);

/**
 * Issue 4: live study groups through real socket.io clients against real servers (the socket events
 * of docs/routes.md; docs/decisions.md, Live study groups). Run against one instance with memory
 * state, and against two instances sharing Redis; `join(m, i)` uses instance `i` round robin, so
 * with two instances the clients are spread.
 */
export function studyGroupsSuite(name: string, cluster: () => Cluster) {
  describe(name, () => {
    const kit = groupsKit(cluster);
    afterEach(() => kit.cleanup());
    /** The other instance, when there are two. */
    const other = () => cluster().apps.length - 1;

    it('newMember goes to the room (joiner included) before groupInfo to the joiner: exact payloads', async () => {
      const a = await kit.member({ image_url: null });
      const b = await kit.member({ nickname: `bee-${randomUUID().slice(0, 6)}`, image_url: 'https://img.test/b.png' });
      const ja = await kit.join(a, 0);
      const aJoined = ja.client.all('newMember')[0]?.joinedAtUTC;
      expect(aJoined).toMatch(ISO_UTC);
      expect(ja.info.groupId).toMatch(UUID);
      expect(ja.client.received).toEqual([
        {
          event: 'newMember',
          payload: { member_id: a.memberId, image_url: null, nickname: a.nickname, joinedAtUTC: aJoined },
        },
        {
          event: 'groupInfo',
          payload: {
            groupId: ja.info.groupId,
            members: [{ member_id: a.memberId, image_url: '', nickname: a.nickname, joinedAtUTC: aJoined }],
          },
        },
      ]);

      // The token in the payload only (no handshake token), on the other instance.
      const jb = await kit.join(b, other(), { handshake: false });
      const bSelf = { member_id: b.memberId, image_url: 'https://img.test/b.png', nickname: b.nickname };
      const bJoined = jb.client.all('newMember')[0]?.joinedAtUTC;
      expect(bJoined).toMatch(ISO_UTC);
      expect(events(jb.client)).toEqual(['newMember', 'groupInfo']);
      expect(jb.client.all('newMember')).toEqual([{ ...bSelf, joinedAtUTC: bJoined }]);
      expect(jb.info.groupId).toBe(ja.info.groupId);
      expect([...jb.info.members].sort((x, y) => x.member_id.localeCompare(y.member_id))).toEqual(
        [
          { member_id: a.memberId, image_url: '', nickname: a.nickname, joinedAtUTC: aJoined },
          { ...bSelf, joinedAtUTC: bJoined },
        ].sort((x, y) => x.member_id.localeCompare(y.member_id)),
      );

      // The member already there hears newMember only, never another groupInfo.
      await kit.flush([ja.client, jb.client], a);
      expect(events(ja.client)).toEqual(['newMember', 'groupInfo', 'newMember']);
      expect(ja.client.all('newMember')[1]).toEqual({ ...bSelf, joinedAtUTC: bJoined });
      expect(events(jb.client)).toEqual(['newMember', 'groupInfo']);
    });

    it('the handshake token decides when present; a bad or expired one is refused at connect', async () => {
      const [a, b, c] = await Promise.all([kit.member(), kit.member(), kit.member()]);
      const ja = await kit.join(a, 0, { payload: {} });
      expect(ids(ja.info.members)).toEqual([a.memberId]);
      // b's handshake wins over c's token in the payload.
      const jb = await kit.join(b, other(), { payload: { jwtToken: c.accessToken } });
      expect(jb.client.all('newMember')[0].member_id).toBe(b.memberId);
      expect(ids(jb.info.members)).toEqual(sorted([a.memberId, b.memberId]));

      const now = Math.floor(Date.now() / 1000);
      const expired = await kit.accessToken(c, now - 60);
      for (const [i, token] of ['not-a-jwt', expired, a.accessToken.slice(0, -2)].entries()) {
        const s = kit.open(i, { token });
        await expect(connected(s)).rejects.toThrow('unauthorized');
        expect(s.received).toEqual([]);
      }
      // The same token, not yet expired, is accepted: expiry was the reason.
      const jc = await kit.join(c, 1, { payload: {} });
      const fresh = kit.open(0, { token: await kit.accessToken(c, now + 600) });
      await connected(fresh);
      expect(await kit.groupOf(c.memberId)).toBe(jc.info.groupId);
    });

    it('a refused joinGroup is answered by ack and exception {status, message}, then disconnected', async () => {
      const m = await kit.member();
      const expired = await kit.accessToken(m, Math.floor(Date.now() / 1000) - 60);
      const refused = { status: 'error', message: 'unauthorized' };
      for (const [i, payload] of [{ jwtToken: 'not-a-jwt' }, { jwtToken: expired }, {}].entries()) {
        const s = kit.open(i);
        await connected(s);
        expect(await ack(s, 'joinGroup', payload)).toEqual(refused);
        expect(await s.disconnected).toBe('io server disconnect');
        expect(s.received).toEqual([{ event: 'exception', payload: refused }]);
      }
      // Without an ack the event alone tells the PWA, before the disconnect.
      const s = kit.open(1);
      await connected(s);
      s.socket.emit('joinGroup', { jwtToken: 'not-a-jwt' });
      expect(await s.disconnected).toBe('io server disconnect');
      expect(s.received).toEqual([{ event: 'exception', payload: refused }]);
      expect(await kit.groupOf(m.memberId)).toBeUndefined();
    });

    it('40 members joining at once fill exactly 5 groups of 8; every client ends up seeing its 8', async () => {
      const members = await Promise.all(Array.from({ length: 40 }, () => kit.member()));
      const joined = await Promise.all(members.map((m, i) => kit.join(m, i)));
      const groups = new Map<string, number[]>();
      joined.forEach(({ info }, i) => groups.set(info.groupId, [...(groups.get(info.groupId) ?? []), i]));
      expect([...groups.values()].map((g) => g.length)).toEqual([8, 8, 8, 8, 8]);
      const memberIds = (g: number[]) => sorted(g.map((i) => members[i]!.memberId));
      for (const [i, { info }] of joined.entries()) {
        expect(ids(info.members)).toContain(members[i]!.memberId);
        expect(memberIds(groups.get(info.groupId)!)).toEqual(expect.arrayContaining(ids(info.members)));
      }
      for (const [groupId, g] of groups) {
        expect(ids(await kit.store().members(groupId))).toEqual(memberIds(g));
        await waitFor(
          () => g.every((i) => sorted(pwaList(joined[i]!.client)).join() === memberIds(g).join()),
          `every client of ${groupId} to list its 8 members`,
          15_000,
          () => ({ expected: memberIds(g), got: g.map((i) => joined[i]!.client.received) }),
        );
      }
      // Nothing more arrives: after a barrier through every instance the lists still hold exactly 8.
      await Promise.all(
        [...groups.values()].map((g) =>
          kit.flush(
            g.map((i) => joined[i]!.client),
            members[g[0]!]!,
          ),
        ),
      );
      for (const g of groups.values()) {
        for (const i of g) expect(sorted(pwaList(joined[i]!.client))).toEqual(memberIds(g));
      }
    });

    it('one member with three sockets holds one seat until the last socket leaves; memberLeft once', async () => {
      const [o, m, p] = await Promise.all([kit.member(), kit.member(), kit.member()]);
      const jo = await kit.join(o, 0);
      const ms = await Promise.all([0, 1, 2].map((i) => kit.join(m, i)));
      for (const { client, info } of ms) {
        expect(info.groupId).toBe(jo.info.groupId);
        expect(ids(info.members)).toEqual(sorted([o.memberId, m.memberId]));
        expect(events(client).indexOf('newMember')).toBeLessThan(events(client).indexOf('groupInfo'));
        expect(client.all('groupInfo')).toHaveLength(1);
        expect(client.all('newMember').every((n) => n.member_id === m.memberId)).toBe(true);
      }
      await kit.flush([jo.client], o);
      expect(jo.client.all('newMember').filter((n) => n.member_id === m.memberId)).toHaveLength(1);
      const jp = await kit.join(p, 1);
      expect(ids(jp.info.members)).toEqual(sorted([o.memberId, m.memberId, p.memberId]));

      // Two sockets gone: the seat stays (m's timer still reaches the group through every instance).
      await kit.closeAll([ms[0]!.client, ms[1]!.client]);
      await kit.flush([jo.client, jp.client], m);
      expect(jo.client.all('memberLeft')).toEqual([]);
      expect(await kit.groupOf(m.memberId)).toBe(jo.info.groupId);

      await kit.closeAll([ms[2]!.client]);
      expect(await jo.client.until('memberLeft')).toEqual({ memberId: m.memberId });
      await kit.flush([jo.client, jp.client], o);
      for (const c of [jo.client, jp.client]) expect(c.all('memberLeft')).toEqual([{ memberId: m.memberId }]);
      expect(await kit.groupOf(m.memberId)).toBeUndefined();
      expect(ids(await kit.store().members(jo.info.groupId))).toEqual(sorted([o.memberId, p.memberId]));
    });

    it('a disconnect is announced with memberLeft {memberId}; reconnecting takes a free seat again', async () => {
      const [o, m] = await Promise.all([kit.member(), kit.member()]);
      const jo = await kit.join(o, 0);
      const jm = await kit.join(m, other());
      expect(jm.info.groupId).toBe(jo.info.groupId);
      await kit.closeAll([jm.client]);
      expect(await jo.client.until('memberLeft')).toEqual({ memberId: m.memberId });
      expect(pwaList(jo.client)).toEqual([o.memberId]);

      const from = jo.client.received.length;
      const again = await kit.join(m, 0);
      expect(again.info.groupId).toBe(jo.info.groupId);
      expect(ids(again.info.members)).toEqual(sorted([o.memberId, m.memberId]));
      await jo.client.until<{ member_id: string }>('newMember', (n) => n.member_id === m.memberId, from);
      expect(sorted(pwaList(jo.client))).toEqual(sorted([o.memberId, m.memberId]));
    });

    it('an emptied group disappears: the next join opens a new group', async () => {
      const [a, b, c] = await Promise.all([kit.member(), kit.member(), kit.member()]);
      const ja = await kit.join(a, 0);
      const jb = await kit.join(b, other());
      expect(jb.info.groupId).toBe(ja.info.groupId);
      await kit.closeAll([ja.client, jb.client]);
      await kit.unseated([a.memberId, b.memberId]);
      expect(await kit.store().members(ja.info.groupId)).toEqual([]);
      const jc = await kit.join(c, 1);
      expect(jc.info.groupId).not.toBe(ja.info.groupId);
      expect(ids(jc.info.members)).toEqual([c.memberId]);
    });

    it('removeAllData by an admin disconnects every member and empties the groups', async () => {
      const members = await Promise.all([kit.member(), kit.member(), kit.member()]);
      const joined = await Promise.all(members.map((m, i) => kit.join(m, i)));
      joined.push(await kit.join(members[0]!, 1)); // a second socket of the first member
      const { access_token } = await login(kit.api(), 'admin@test.com');
      const admin = kit.open(other());
      await connected(admin);
      const gone = joined.map((j) => j.client.disconnected);
      expect(await ack(admin, 'removeAllData', { jwtToken: access_token })).toEqual({ status: 'success', removed: 3 });
      expect(await Promise.all(gone)).toEqual(joined.map(() => 'io server disconnect'));
      for (const m of members) expect(await kit.groupOf(m.memberId)).toBeUndefined();
      expect(await kit.store().members(joined[0]!.info.groupId)).toEqual([]);
      expect(admin.socket.connected).toBe(true);
      expect(admin.received).toEqual([]);

      const next = await kit.member();
      const jn = await kit.join(next, 0);
      expect(jn.info.groupId).not.toBe(joined[0]!.info.groupId);
      expect(ids(jn.info.members)).toEqual([next.memberId]);
    });

    it("removeAllData by a user (or a bad token) gets the original's exception and changes nothing", async () => {
      const [u, v] = await Promise.all([kit.member(), kit.member()]);
      const ju = await kit.join(u, 0);
      const jv = await kit.join(v, other());
      for (const jwtToken of [u.accessToken, 'not-a-jwt', undefined]) {
        expect(await ack(ju.client, 'removeAllData', { jwtToken })).toEqual(INTERNAL_ERROR);
      }
      expect(ju.client.all('exception')).toEqual([INTERNAL_ERROR, INTERNAL_ERROR, INTERNAL_ERROR]);
      expect(ju.client.socket.connected).toBe(true);
      await kit.flush([ju.client, jv.client], u);
      expect(await kit.groupOf(u.memberId)).toBe(ju.info.groupId);
      expect(jv.client.all('memberLeft')).toEqual([]);
      expect(ids(await kit.store().members(ju.info.groupId))).toEqual(sorted([u.memberId, v.memberId]));
    });

    it('memberStatus goes to the group on timer start and end, from any instance', async () => {
      const [o, m, outsider] = await Promise.all([kit.member(), kit.member(), kit.member()]);
      const jo = await kit.join(o, 0);
      const jm = await kit.join(m, other());
      // A member without a seat studies alone: nothing reaches the group.
      expect((await kit.api(0).post('/timer-api/study-timer/start', { token: outsider.accessToken })).status).toBe(200);
      const before = Date.now();
      expect((await kit.api(0).post('/timer-api/study-timer/start', { token: m.accessToken })).status).toBe(200);
      const after = Date.now();
      const started = await jo.client.until('memberStatus');
      expect(started).toEqual({ member_id: m.memberId, is_studying: true, start_time: expect.stringMatching(ISO_UTC) });
      expect(Date.parse(started.start_time)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(started.start_time)).toBeLessThanOrEqual(after);
      expect(await jm.client.until('memberStatus')).toEqual(started);

      const end = { token: m.accessToken, json: { status: 'Completed' } };
      expect((await kit.api(other()).post('/timer-api/study-timer/end', end)).status).toBe(200);
      const ended = { member_id: m.memberId, is_studying: false, start_time: null };
      expect(await jo.client.until('memberStatus', (s) => !s.is_studying)).toEqual(ended);
      expect(await jm.client.until('memberStatus', (s) => !s.is_studying)).toEqual(ended);
      expect(jo.client.all('memberStatus')).toEqual([started, ended]);
    });

    it('deleting the account evicts the member: memberLeft to the others, its sockets disconnected', async () => {
      const [o, m] = await Promise.all([kit.member(), kit.member()]);
      const jo = await kit.join(o, 0);
      const sockets = [(await kit.join(m, 0)).client, (await kit.join(m, other())).client];
      const gone = sockets.map((s) => s.disconnected);
      const deleted = await kit.api(other()).delete('/timer-api/auth/me', { token: m.accessToken });
      expect(deleted.status, deleted.text).toBe(200);
      expect(await jo.client.until('memberLeft')).toEqual({ memberId: m.memberId });
      expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
      expect(await kit.groupOf(m.memberId)).toBeUndefined();
      await kit.flush([jo.client], o);
      expect(jo.client.all('memberLeft')).toEqual([{ memberId: m.memberId }]);
      expect(pwaList(jo.client)).toEqual([o.memberId]);
    });
  });
}
