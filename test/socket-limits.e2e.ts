import type { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { StudyGroupGateway } from '../src/study-groups/study-group.gateway.js';
import { useApp, useInstances } from './support/app.js';
import { groupsKit, waitFor } from './support/groups-kit.js';
import { connect, connected, type TestSocket } from './support/sockets.js';

// Issue 9 item 8: sockets that never take a seat don't stay forever, and one address holds a bounded
// number of connections (SOCKET_JOIN_TIMEOUT_SECONDS, SOCKET_MAX_PER_IP).
const JOIN_TIMEOUT = { status: 'error', message: 'join timeout' };
const TOO_MANY = 'too many connections';

describe('sockets that never join are let go after SOCKET_JOIN_TIMEOUT_SECONDS', () => {
  const app = useApp({ env: { SOCKET_JOIN_TIMEOUT_SECONDS: '1' } });
  const kit = groupsKit(() => ({ apps: [app] }));
  afterEach(() => kit.cleanup());

  it('an anonymous socket, an authenticated idle one and one that left are disconnected; a seated one stays', async () => {
    const [seated, idle, leaver] = await Promise.all([kit.member(), kit.member(), kit.member()]);
    const opened = Date.now();
    const anonymous = kit.open();
    const authenticated = kit.open(0, { token: idle.accessToken });
    await Promise.all([connected(anonymous), connected(authenticated)]);
    const joined = await kit.join(seated);
    const left = await kit.join(leaver);
    expect(await left.client.socket.timeout(5_000).emitWithAck('leaveGroup')).toEqual({ status: 'success' });

    for (const gone of [anonymous, authenticated, left.client]) {
      expect(await gone.disconnected).toBe('io server disconnect');
      expect(gone.all('exception')).toEqual([JOIN_TIMEOUT]);
    }
    // Within the timeout and a margin, not at once.
    expect(Date.now() - opened).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - opened).toBeLessThan(5_000);

    // Well past the timeout the seated socket is still connected and still hears its group.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(joined.client.socket.connected).toBe(true);
    expect(joined.client.all('exception')).toEqual([]);
    await kit.flush([joined.client], seated);
  });
});

describe('a socket that leaves and joins again', () => {
  const app = useApp();
  const kit = groupsKit(() => ({ apps: [app] }));
  afterEach(() => kit.cleanup());

  it('keeps one disconnect listener however many times it cycles', async () => {
    const m = await kit.member();
    const { client } = await kit.join(m);
    const server = (app.handle.app.get(StudyGroupGateway) as unknown as { server: Server }).server;
    const listeners = () => server.of('/').sockets.get(client.socket.id!)!.listenerCount('disconnect');
    const cycle = async () => {
      expect(await client.socket.timeout(5_000).emitWithAck('leaveGroup')).toEqual({ status: 'success' });
      const info = client.next('groupInfo');
      client.socket.emit('joinGroup', { jwtToken: m.accessToken });
      await info;
    };
    await cycle();
    const afterOne = listeners();
    for (let i = 0; i < 19; i++) await cycle();
    expect(listeners()).toBe(afterOne);
  });
});

describe('connections per address are capped at SOCKET_MAX_PER_IP', () => {
  const instances = useInstances();
  const sockets: TestSocket[] = [];
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));

  /** A socket with the given `X-Forwarded-For` (websocket only: node clients may send headers there). */
  function open(url: string, forwardedFor?: string): TestSocket {
    const c = connect(url, {}, forwardedFor ? { 'x-forwarded-for': forwardedFor } : undefined);
    sockets.push(c);
    return c;
  }

  /** Refused at the engine.io handshake: the client sees a transport error (the reason is in the 403 body). */
  const refusal = (c: TestSocket) =>
    new Promise<string>((resolve, reject) => {
      c.socket.once('connect', () => reject(new Error('connected')));
      c.socket.once('connect_error', () => resolve(TOO_MANY));
    });

  /** A raw engine.io polling handshake, which never opens the namespace: its status and body. */
  const handshake = async (url: string) => {
    const r = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    return { status: r.status, body: await r.text() };
  };

  it('raw engine.io connections that never open the namespace count too: the fourth handshake is refused', async () => {
    const app = await instances.start({ SOCKET_MAX_PER_IP: '3' });
    for (let i = 0; i < 3; i++) expect((await handshake(app.url)).status).toBe(200);
    expect(await handshake(app.url)).toEqual({ status: 403, body: JSON.stringify({ code: 4, message: TOO_MANY }) });
    expect(await refusal(open(app.url))).toBe(TOO_MANY);
  });

  it('without TRUST_PROXY the peer address counts: the fourth of three is refused, whatever it forwards', async () => {
    const app = await instances.start({ SOCKET_MAX_PER_IP: '3' });
    const first = [open(app.url), open(app.url, '10.0.0.1'), open(app.url, '10.0.0.2')];
    await Promise.all(first.map(connected));
    expect(await refusal(open(app.url, '10.0.0.3'))).toBe(TOO_MANY);
    expect(await refusal(open(app.url))).toBe(TOO_MANY);
    // A closed connection frees its slot.
    first[0]!.close();
    await waitFor(async () => {
      const again = open(app.url);
      return connected(again).then(
        () => true,
        () => false,
      );
    }, 'a slot to be free again');
    expect(await refusal(open(app.url))).toBe(TOO_MANY);
  });

  it('with TRUST_PROXY each forwarded client address has its own budget', async () => {
    const app = await instances.start({ SOCKET_MAX_PER_IP: '2', TRUST_PROXY: 'true' });
    await Promise.all([open(app.url, '10.0.0.1'), open(app.url, '10.0.0.1, 192.168.0.9')].map(connected));
    expect(await refusal(open(app.url, '10.0.0.1'))).toBe(TOO_MANY);
    await Promise.all([open(app.url, '10.0.0.2'), open(app.url, '10.0.0.2')].map(connected));
    expect(await refusal(open(app.url, '10.0.0.2'))).toBe(TOO_MANY);
  });
});
