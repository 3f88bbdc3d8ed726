import type { ExtendedError, Socket } from 'socket.io';

/**
 * The client's address as the HTTP routes see it: with TRUST_PROXY, the first `X-Forwarded-For` entry
 * (what Fastify's `request.ip` is with `trustProxy: true`); otherwise the peer address.
 */
export function clientIp(socket: Socket, trustProxy: boolean): string {
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return trustProxy && first ? first : socket.handshake.address;
}

/**
 * Open socket.io connections per client address on this instance, capped at SOCKET_MAX_PER_IP. Counted
 * in memory: the cap must hold while Redis is away, and each instance guards its own file descriptors.
 */
export class ConnectionsPerIp {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly trustProxy: boolean,
  ) {}

  /**
   * socket.io middleware, first and synchronous: a flood from one address costs no token check. A refused
   * transport is closed once the refusal is written, so it holds nothing either.
   */
  readonly middleware = (socket: Socket, next: (error?: ExtendedError) => void): void => {
    if (this.admit(socket)) return next();
    setImmediate(() => socket.conn.close());
    next(new Error('too many connections'));
  };

  /** Counts the socket until it or its transport closes; false (not counted) when the address is at the cap. */
  private admit(socket: Socket): boolean {
    const ip = clientIp(socket, this.trustProxy);
    const count = this.open.get(ip) ?? 0;
    if (count >= this.max) return false;
    this.open.set(ip, count + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left > 0) this.open.set(ip, left);
      else this.open.delete(ip);
    };
    // A socket refused by a later middleware never emits `disconnect`; its transport still closes.
    socket.once('disconnect', release);
    socket.conn.once('close', release);
    return true;
  }
}
  /** Sockets whose disconnect already clears their deadline: one listener each, however often they rejoin. */
  private readonly watched = new WeakSet<Socket>();

/** Per socket, a deadline to take a seat by (SOCKET_JOIN_TIMEOUT_SECONDS); a disconnect drops it. */
export class JoinDeadlines {
  private readonly timers = new Map<Socket, NodeJS.Timeout>();

  constructor(private readonly ms: number) {}

  /** (Re)starts the socket's deadline: `expired` runs unless `clear` comes first. */
  start(socket: Socket, expired: () => void): void {
    if (!this.watched.has(socket)) {
      this.watched.add(socket);
      socket.once('disconnect', () => this.clear(socket));
    }
    clearTimeout(this.timers.get(socket));
    const timer = setTimeout(() => {
      this.timers.delete(socket);
      expired();
    }, this.ms).unref();
    this.timers.set(socket, timer);
  }

  clear(socket: Socket): void {
    clearTimeout(this.timers.get(socket));
    this.timers.delete(socket);
  }

  clearAll(): void {
    this.timers.forEach(clearTimeout);
    this.timers.clear();
  }
}
