import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { useApps } from './support/app.js';
import { groupsKit } from './support/groups-kit.js';
import { login } from './support/http.js';
import { connected, type TestSocket } from './support/sockets.js';

// A member's other sockets, on this instance and on another one sharing Redis: a leaveGroup through one
// socket unseats them all, and a password change closes every socket opened with the old tokens.
const JOIN_TIMEOUT = { status: 'error', message: 'join timeout' };
const apps = useApps(2, {
  // The shared Redis, under a prefix of this run's own: no other suite sees these groups.
  env: {
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `sessions-${randomBytes(4).toString('hex')}:`,
    SOCKET_JOIN_TIMEOUT_SECONDS: '2',
  },
});
const kit = groupsKit(() => ({ apps }));
afterEach(() => kit.cleanup());

/** Resolves with the reason, or 'still connected' after `ms`. */
const goneWithin = (c: TestSocket, ms: number) =>
  Promise.race([c.disconnected, new Promise<string>((resolve) => setTimeout(() => resolve('still connected'), ms))]);

/** A further socket of `m` on instance `at`, in the member's group already (no new seat). */
async function another(m: Awaited<ReturnType<typeof kit.member>>, at: number) {
  const c = kit.open(at, { token: m.accessToken });
  await connected(c);
  const info = c.next('groupInfo');
  c.socket.emit('joinGroup', { jwtToken: m.accessToken });
  await info;
  return c;
}

describe("a member's other sockets", () => {
  it('leaveGroup through one socket: every socket of the member, on both instances, waits for a join again', async () => {
    const [m, observer] = await Promise.all([kit.member(), kit.member()]);
    const watching = await kit.join(observer, 0);
    const a = await kit.join(m, 0);
    const sameInstance = await another(m, 0);
    const otherInstance = await another(m, 1);
    const left = watching.client.until<{ memberId: string }>('memberLeft', (p) => p.memberId === m.memberId);
    expect(await a.client.socket.timeout(5_000).emitWithAck('leaveGroup')).toEqual({ status: 'success' });
    await left;
    // None of them holds a seat any more, so each is let go at its join deadline, like the one that left.
    for (const c of [a.client, sameInstance, otherInstance]) {
      expect(await goneWithin(c, 6_000)).toBe('io server disconnect');
      expect(c.all('exception')).toEqual([JOIN_TIMEOUT]);
    }
    expect(watching.client.socket.connected).toBe(true);
  });
});

describe('a password change', () => {
  it("closes the account's seated sockets on both instances; its seat goes and the group hears memberLeft", async () => {
    const [m, observer] = await Promise.all([kit.member(), kit.member()]);
    const watching = await kit.join(observer, 0);
    const here = await kit.join(m, 0);
    const there = await another(m, 1);
    const left = watching.client.until<{ memberId: string }>('memberLeft', (p) => p.memberId === m.memberId);
    const admin = await login(kit.api(0), 'admin@test.com');
    const changed = await kit.api(0).patch(`/timer-api/accounts/${m.accountId}`, {
      token: admin.access_token,
      json: { password: 'another-password-1' },
    });
    expect(changed.status).toBe(200);
    expect(await goneWithin(here.client, 5_000)).toBe('io server disconnect');
    expect(await goneWithin(there, 5_000)).toBe('io server disconnect');
    await left;
    expect(await kit.groupOf(m.memberId)).toBeUndefined();
    expect(watching.client.socket.connected).toBe(true);
  });
});
