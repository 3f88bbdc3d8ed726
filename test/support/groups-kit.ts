import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Server } from 'socket.io';
import { expect } from 'vitest';
import { GROUP_STORE, type GroupMember, type GroupStore } from '../../src/study-groups/group-store.js';
import { StudyGroupGateway } from '../../src/study-groups/study-group.gateway.js';
import type { TestApp } from './app.js';
import { client, registerAndLogin } from './http.js';
import { connect, connected, type TestSocket } from './sockets.js';

/** One or more instances of the service sharing their group state (memory: one; Redis: several). */
export interface Cluster {
  apps: TestApp[];
}

export interface Member {
  email: string;
  memberId: string;
  accountId: string;
  accessToken: string;
  nickname: string;
  imageUrl: string | null;
}

export interface GroupInfo {
  groupId: string;
  members: GroupMember[];
}

export const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Polls `check` until it holds; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
  state?: () => unknown,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await state?.())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The member list the PWA shows: `newMember` appends, the first `groupInfo` replaces, `memberLeft` removes. */
export function pwaList(c: TestSocket): string[] {
  let list: string[] = [];
  let replaced = false;
  for (const { event, payload } of c.received) {
    if (event === 'newMember') list.push(payload.member_id);
    if (event === 'groupInfo' && !replaced)
      [list, replaced] = [payload.members.map((m: GroupMember) => m.member_id), true];
    if (event === 'memberLeft') list = list.filter((id) => id !== payload.memberId);
  }
  return list;
}

export const ids = (members: { member_id: string }[]) => members.map((m) => m.member_id).sort();
export const events = (c: TestSocket, except = 'memberStatus') =>
  c.received.filter((r) => r.event !== except).map((r) => r.event);

/**
 * Factories and probes for the socket suites. Members and sockets made through the kit are tracked, and
 * `cleanup` closes the sockets and waits until every seat is given up, so each test starts with no groups.
 */
export function groupsKit(cluster: () => Cluster) {
  const sockets: TestSocket[] = [];
  const memberIds = new Set<string>();
  const url = (i: number) => cluster().apps[i % cluster().apps.length]!.url;
  const api = (i = 0) => client(url(i));
  const store = () => cluster().apps[0]!.handle.app.get<GroupStore>(GROUP_STORE);
  const io = (app: TestApp) => (app.handle.app.get(StudyGroupGateway) as unknown as { server: Server }).server;

  async function member(profile?: { nickname?: string; image_url?: string | null }): Promise<Member> {
    const u = await registerAndLogin(api());
    memberIds.add(u.memberId);
    if (profile) {
      const patched = await api().patch(`/timer-api/members/${u.memberId}`, { token: u.accessToken, json: profile });
      expect(patched.status, patched.text).toBe(200);
    }
    const me = (await api().get('/timer-api/members/me', { token: u.accessToken })).body.data.member;
    return { ...u, nickname: me.nickname, imageUrl: me.image_url };
  }

  /** A socket to instance `at` (an index into the cluster, round robin, or a base URL). */
  function open(at: number | string = 0, auth: Record<string, unknown> = {}): TestSocket {
    const c = connect(typeof at === 'string' ? at : url(at), auth);
    sockets.push(c);
    return c;
  }

  /** Connects to instance `at` (with the token at the handshake unless `handshake: false`) and joins. */
  async function join(m: Member, at: number | string = 0, opts: { handshake?: boolean; payload?: unknown } = {}) {
    const c = open(at, opts.handshake === false ? {} : { token: m.accessToken });
    await connected(c);
    const info = c.next<GroupInfo>('groupInfo');
    c.socket.emit('joinGroup', opts.payload ?? { jwtToken: m.accessToken });
    return { client: c, info: await info };
  }

  /** Closes the sockets and waits until no instance holds them any more (their disconnect was handled). */
  async function closeAll(clients: TestSocket[]) {
    const socketIds = clients.map((c) => c.socket.id!);
    clients.forEach((c) => c.close());
    await waitFor(
      () => cluster().apps.every((app) => socketIds.every((id) => !io(app).of('/').sockets.has(id))),
      'the servers to drop the closed sockets',
    );
  }

  /**
   * A barrier: every broadcast any instance made so far has reached `observers`. Each instance in turn
   * broadcasts a `memberStatus` of `flusher` (a timer start) to flusher's group; it arrives after the
   * instance's earlier broadcasts. It also proves that `flusher` still holds a seat in that group.
   */
  async function flush(observers: TestSocket[], flusher: Member) {
    for (const [i] of cluster().apps.entries()) {
      const from = observers.map((o) => o.received.length);
      const started = await api(i).post('/timer-api/study-timer/start', { token: flusher.accessToken });
      expect(started.status, started.text).toBe(200);
      await Promise.all(
        observers.map((o, k) =>
          o.until<{ member_id: string }>('memberStatus', (p) => p.member_id === flusher.memberId, from[k]),
        ),
      );
    }
  }

  const groupOf = (memberId: string) => store().groupOf(memberId);

  /** Waits until none of `members` holds a seat. */
  const unseated = (members: string[]) =>
    waitFor(
      async () => (await Promise.all(members.map(groupOf))).every((g) => g === undefined),
      'the seats to be given up',
    );

  async function cleanup() {
    sockets.splice(0).forEach((c) => c.close());
    await unseated([...memberIds]);
    memberIds.clear();
  }

  /** An access token signed with the service's secret, for `m`, expiring at `exp` (epoch seconds). */
  function accessToken(m: Member, exp: number) {
    const secret = createSecretKey(Buffer.from(cluster().apps[0]!.handle.config.AUTH_JWT_SECRET, 'utf8'));
    return new SignJWT({ email: null, role: { role_id: 2 } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(m.accountId)
      .setIssuedAt(exp - 900)
      .setExpirationTime(exp)
      .sign(secret);
  }

  return { url, api, member, open, join, closeAll, flush, groupOf, unseated, cleanup, accessToken, store };
}

export type GroupsKit = ReturnType<typeof groupsKit>;
