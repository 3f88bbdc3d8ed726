import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP proxy in front of a real server (PostgreSQL here), to break the network in the ways a
 * failover or a hung database does, without touching the shared server itself:
 * `cutAll` resets every open connection at once; `hold` keeps connections open (new ones too) but
 * forwards no byte in either direction until `release`, as a database that stopped answering.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private held = false;
  private server?: Server;
  port = 0;
  /** Connections accepted since the start, and connections cut by `cutAll`. */
  accepted = 0;
  cut = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('proxy has no port');
    this.port = address.port;
    return this;
  }

  /** The given PostgreSQL URL, pointed at this proxy. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  get open(): number {
    return this.pairs.size;
  }

  /** Resets every open connection, both sides, at once. */
  cutAll(): number {
    const count = this.pairs.size;
    for (const pair of [...this.pairs]) pair.close(true);
    this.cut += count;
    return count;
  }

  hold(): void {
    this.held = true;
  }

  /** Forwards what was held, in order, and everything after it. */
  release(): void {
    this.held = false;
    for (const pair of this.pairs) pair.flush();
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) pair.close(true);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    const upstream = connect(this.targetPort, this.targetHost);
    const pair = new Pair(
      client,
      upstream,
      () => this.held,
      () => this.pairs.delete(pair),
    );
    this.pairs.add(pair);
  }
}

class Pair {
  private readonly toUpstream: Buffer[] = [];
  private readonly toClient: Buffer[] = [];
  private closed = false;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly isHeld: () => boolean,
    private readonly onClose: () => void,
  ) {
    client.on('data', (chunk: Buffer) => this.forward(chunk, this.toUpstream, upstream));
    upstream.on('data', (chunk: Buffer) => this.forward(chunk, this.toClient, client));
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.close(true));
      socket.on('close', () => this.close(false));
    }
  }

  flush(): void {
    for (const [queue, to] of [
      [this.toUpstream, this.upstream],
      [this.toClient, this.client],
    ] as const) {
      for (const chunk of queue.splice(0)) to.write(chunk);
    }
  }

  /** `reset` sends an RST (as a dropped network does); otherwise the other side gets a normal FIN. */
  close(reset: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    for (const socket of [this.client, this.upstream]) {
      if (reset) socket.resetAndDestroy();
      else socket.end();
    }
  }

  private forward(chunk: Buffer, queue: Buffer[], to: Socket): void {
    if (this.isHeld() || queue.length > 0) queue.push(chunk);
    else to.write(chunk);
  }
}
