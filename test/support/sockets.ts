import { io, type Socket } from 'socket.io-client';

export interface Received {
  event: string;
  payload: unknown;
}

/** A real socket.io client that records every event it receives, in order. */
export interface TestSocket {
  socket: Socket;
  received: Received[];
  /** Resolves with the payload of the next `event` (or one already received after `since`). */
  next<T = any>(event: string, timeoutMs?: number): Promise<T>;
  close(): void;
}

export function connect(url: string, auth: Record<string, unknown> = {}): TestSocket {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  const received: Received[] = [];
  const waiters: { event: string; resolve: (p: unknown) => void }[] = [];
  socket.onAny((event: string, payload: unknown) => {
    received.push({ event, payload });
    const i = waiters.findIndex((w) => w.event === event);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(payload);
  });
  return {
    socket,
    received,
    next: <T>(event: string, timeoutMs = 5000) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          event,
          resolve: (p) => {
            clearTimeout(timer);
            resolve(p as T);
          },
        });
      }),
    close: () => socket.disconnect(),
  };
}

/** Connects, waits for the connection, emits joinGroup and waits for groupInfo. */
export async function joinGroup(url: string, token: string, opts: { handshake?: boolean } = {}) {
  const client = connect(url, opts.handshake === false ? {} : { token });
  await new Promise<void>((resolve, reject) => {
    client.socket.once('connect', () => resolve());
    client.socket.once('connect_error', reject);
  });
  const info = client.next<{ groupId: string; members: { member_id: string }[] }>('groupInfo');
  client.socket.emit('joinGroup', { jwtToken: token });
  return { client, info: await info };
}
