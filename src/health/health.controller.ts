import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReturnsRaw } from '../common/wire/openapi.js';
import { WithoutDatabase } from '../common/wire/raises.js';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guards.js';
import { REDIS, type RedisClient } from '../common/redis.js';
import { ShutdownState } from '../common/shutdown.js';
import { RawResponse } from '../common/wire/success.interceptor.js';
import { DATABASE, type Database } from '../database/client.js';

type Check = 'up' | 'down' | 'not configured';

/** Liveness (the process answers) and readiness (its dependencies answer), for load balancers. */
const CHECK = { enum: ['up', 'down', 'not configured'] };
const READINESS = {
  type: 'object',
  properties: {
    status: { enum: ['ok', 'error'] },
    checks: {
      type: 'object',
      properties: { database: CHECK, redis: CHECK },
      required: ['database', 'redis'],
      additionalProperties: false,
    },
    draining: { const: true },
  },
  required: ['status'],
  additionalProperties: false,
};

@ApiTags('health')
@Controller('health')
@Public()
@WithoutDatabase() // readiness pings on its own connection and reports what it finds
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @RawResponse()
  @ReturnsRaw({
    'application/json': { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] },
  })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @RawResponse()
  @ReturnsRaw({ 'application/json': READINESS }, { '503': READINESS })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    // Shutting down: not ready, so the load balancer takes this instance out while it still serves.
    if (this.shutdown.draining) {
      reply.status(503);
      return { status: 'error', draining: true };
    }
    const [database, redis] = await Promise.all([this.checkDatabase(), this.checkRedis()]);
    const ok = database === 'up' && redis !== 'down';
    reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'error', checks: { database, redis } };
  }

  private async checkDatabase(): Promise<Check> {
    try {
      // On a connection of its own: a pool busy with slow requests is not a database that is down.
      await withTimeout(this.database.ping());
      return 'up';
    } catch {
      return 'down';
    }
  }

  private async checkRedis(): Promise<Check> {
    if (!this.redis) return 'not configured';
    try {
      return (await withTimeout(this.redis.ping())) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);
}
