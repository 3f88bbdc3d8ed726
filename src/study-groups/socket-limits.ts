import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import { ERRORS } from '../common/wire/error-codes.js';

/**
 * The client's address as the HTTP routes see it: with TRUST_PROXY, the first `X-Forwarded-For` entry
 * (what Fastify's `request.ip` is with `trustProxy: true`); otherwise the peer address.
 */
export function clientIp(headers: IncomingHttpHeaders, peer: string | undefined, trustProxy: boolean): string {
  const forwarded = headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return trustProxy && first ? first : (peer ?? '');
}

/**
 * Open engine.io connections per client address on this instance, capped at SOCKET_MAX_PER_IP. Counted
 * at the transport, so a connection that never opens the namespace counts as well; in memory, because
 * the cap must hold while Redis is away, and each instance guards its own file descriptors.
 */
export class ConnectionsPerIp {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly trustProxy: boolean,
  ) {}

  /**
   * An address at the cap is refused at the handshake (403 `too many connections`), before any engine.io
   * socket exists; every connection admitted is counted until its transport closes.
   */
  attach(server: Server): void {
    server.engine.opts.allowRequest = (request, answer) => {
      const full = (this.open.get(this.ipOf(request)) ?? 0) >= this.max;
      answer(full ? ERRORS.TOO_MANY_CONNECTIONS.socket : null, !full);
    };
    server.engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', f: () => void): void }) => {
      const ip = this.ipOf(conn.request);
      this.open.set(ip, (this.open.get(ip) ?? 0) + 1);
      conn.once('close', () => {
        const left = (this.open.get(ip) ?? 1) - 1;
        if (left > 0) this.open.set(ip, left);
        else this.open.delete(ip);
      });
    });
  }

  private ipOf(request: IncomingMessage): string {
    return clientIp(request.headers, request.socket.remoteAddress, this.trustProxy);
  }
}

/** Per socket, a deadline to take a seat by (SOCKET_JOIN_TIMEOUT_SECONDS); a disconnect drops it. */
export class JoinDeadlines {
  private readonly timers = new Map<Socket, NodeJS.Timeout>();
  /** Sockets whose disconnect already clears their deadline: one listener each, however often they rejoin. */
  private readonly watched = new WeakSet<Socket>();

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
