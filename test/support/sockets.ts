import { io, type Socket } from 'socket.io-client';

export interface Received {
  event: string;
  payload: any;
}

/** A real socket.io client that records every event it receives, in order. */
export interface TestSocket {
  socket: Socket;
  received: Received[];
  /** Resolves with the payload of the next `event` received after this call. */
  next<T = any>(event: string, timeoutMs?: number): Promise<T>;
  /** Resolves with the first `event` at index `from` or later (already received or still to come) that `match`es. */
  until<T = any>(event: string, match?: (payload: T) => boolean, from?: number, timeoutMs?: number): Promise<T>;
  /** Payloads of `event` received so far. */
  all<T = any>(event: string): T[];
  /** Resolves with the reason when the socket is disconnected. */
  disconnected: Promise<string>;
  close(): void;
}

/** `extraHeaders` go with the websocket upgrade (a node client may send them), e.g. `X-Forwarded-For`. */
export function connect(
  url: string,
  auth: Record<string, unknown> = {},
  extraHeaders?: Record<string, string>,
): TestSocket {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders });
  const received: Received[] = [];
  const waiters = new Set<(r: Received, index: number) => boolean>();
  socket.onAny((event: string, payload: unknown) => {
    received.push({ event, payload });
    for (const waiter of [...waiters]) if (waiter(received.at(-1)!, received.length - 1)) waiters.delete(waiter);
  });
  const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  const until = <T>(event: string, match: (p: T) => boolean = () => true, from = 0, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      const found = received.slice(from).find((r) => r.event === event && match(r.payload as T));
      if (found) return resolve(found.payload as T);
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching ${event} within ${timeoutMs} ms; received ${JSON.stringify(received)}`));
      }, timeoutMs);
      const waiter = (r: Received, index: number) => {
        if (index < from || r.event !== event || !match(r.payload as T)) return false;
        clearTimeout(timer);
        resolve(r.payload as T);
        return true;
      };
      waiters.add(waiter);
    });
  return {
    socket,
    received,
    next: (event, timeoutMs) => until(event, undefined, received.length, timeoutMs),
    until,
    all: <T>(event: string) => received.filter((r) => r.event === event).map((r) => r.payload as T),
    disconnected,
    close: () => socket.disconnect(),
  };
}

/** Resolves once connected; rejects with the `connect_error`. */
export function connected(client: TestSocket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (client.socket.connected) return resolve();
    client.socket.once('connect', () => resolve());
    client.socket.once('connect_error', reject);
  });
}

/** Connects, waits for the connection, emits joinGroup and waits for groupInfo. */
export async function joinGroup(url: string, token: string, opts: { handshake?: boolean } = {}) {
  const client = connect(url, opts.handshake === false ? {} : { token });
  await connected(client);
  const info = client.next<{ groupId: string; members: { member_id: string }[] }>('groupInfo');
  client.socket.emit('joinGroup', { jwtToken: token });
  return { client, info: await info };
}
