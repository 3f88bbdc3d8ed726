import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { Config } from '../config/config.js';

/**
 * socket.io on the default path with the HTTP CORS policy; with REDIS_URL, the Redis pub/sub adapter
 * carries room broadcasts between instances (group state itself lives in the group store).
 */
export class GroupsIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];
  private server?: Server;

  constructor(
    app: INestApplicationContext,
    private readonly config: Config,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      path: '/socket.io',
      // A transport that never opens the namespace is closed as soon as an idle socket would be.
      connectTimeout: Math.min(45_000, this.config.SOCKET_JOIN_TIMEOUT_SECONDS * 1000),
      cors: {
        origin: this.config.CORS_ORIGINS,
        credentials: true,
        allowedHeaders: ['Authorization', 'Content-Type'],
      },
    } as ServerOptions);
    this.server = server;
    if (this.config.REDIS_URL) {
      // Commands wait for Redis instead of failing: the adapter never handles their rejections, and an
      // unhandled one ends the process (Redis down at boot failed its SUBSCRIBEs). Publishes follow
      // successful group-store calls, so little can queue while Redis is away.
      const pub = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
      const sub = pub.duplicate();
      // Errors while Redis is away are expected; the clients reconnect and resubscribe on their own.
      for (const client of [pub, sub]) client.on('error', () => undefined);
      this.clients.push(pub, sub);
      // Its channels carry REDIS_KEY_PREFIX too: another deployment's broadcasts never reach these rooms.
      server.adapter(createAdapter(pub, sub, { key: `${this.config.REDIS_KEY_PREFIX}socket.io` }));
    }
    return server;
  }

  /** This instance's sockets, and the members and groups seated through them (for the metrics). */
  census(): { sockets: number; members: number; groups: number } {
    const members = new Set<string>();
    const groups = new Set<string>();
    for (const socket of this.server?.of('/').sockets.values() ?? []) {
      const data = socket.data as { memberId?: string; groupId?: string };
      if (!data.groupId || !data.memberId) continue;
      members.add(data.memberId);
      groups.add(data.groupId);
    }
    return { sockets: this.server?.of('/').sockets.size ?? 0, members: members.size, groups: groups.size };
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    for (const client of this.clients.splice(0)) client.disconnect();
  }
}
