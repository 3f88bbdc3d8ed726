import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../database/client.js';
import type { RedisClient } from './redis.js';

export const METRICS_PATH = '/metrics';
/** The route label of a request no route matched: raw paths would make one series per probe. */
export const UNMATCHED_ROUTE = '(unmatched)';

export interface MetricsSources {
  database: Database;
  redis: RedisClient;
  /** This instance's sockets and what is seated through them. */
  census(): { sockets: number; members: number; groups: number };
}

const counted = new WeakSet<FastifyRequest>();

/**
 * The HTTP metrics (duration by route template, method and status; requests in flight) as Fastify
 * hooks, and `GET /metrics` as a plain Fastify route: outside the API prefix, the guards and the
 * envelope. Scrapes are not counted in the histogram, so an idle instance shows no traffic.
 */
export function installHttpMetrics(fastify: FastifyInstance, registry: Registry, token: string | undefined): void {
  const duration = new Histogram({
    name: 'monta_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status, from arrival to the last byte sent',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'monta_http_requests_in_flight',
    help: 'HTTP requests received and not answered yet',
    registers: [registry],
  });
  const aborted = new Counter({
    name: 'monta_http_requests_aborted_total',
    help: 'HTTP requests whose client went away before the answer',
    registers: [registry],
  });
  const settle = (request: FastifyRequest) => {
    if (!counted.delete(request)) return false;
    inFlight.dec();
    return true;
  };
  fastify.addHook('onRequest', async (request) => {
    if (request.url === METRICS_PATH) return;
    counted.add(request);
    inFlight.inc();
  });
  fastify.addHook('onRequestAbort', async (request) => {
    if (settle(request)) aborted.inc();
  });
  fastify.addHook('onResponse', async (request, reply) => {
    if (!settle(request)) return;
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    duration.observe({ route, method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  fastify.get(METRICS_PATH, async (request, reply) => {
    const given = request.headers.authorization;
    // Digests of equal length, compared in constant time: the token's length leaks nothing either.
    if (expected && !(typeof given === 'string' && timingSafeEqual(digest(given), expected))) {
      return reply.status(401).header('www-authenticate', 'Bearer').send({ status: 'error', message: 'unauthorized' });
    }
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Gauges read at scrape time: sockets and seats (this instance), the pool, Redis. */
export function registerInstanceMetrics(registry: Registry, sources: MetricsSources): void {
  new Gauge({
    name: 'monta_sockets_connected',
    help: 'socket.io connections to this instance',
    registers: [registry],
    collect() {
      this.set(sources.census().sockets);
    },
  });
  new Gauge({
    name: 'monta_group_members_seated',
    help: 'Members seated in a study group through a socket of this instance',
    registers: [registry],
    collect() {
      this.set(sources.census().members);
    },
  });
  new Gauge({
    name: 'monta_groups_active',
    help: 'Study groups with a member seated through this instance',
    registers: [registry],
    collect() {
      this.set(sources.census().groups);
    },
  });
  const stats = sources.database.poolStats?.bind(sources.database);
  // The embedded database (PGlite) has no pool: no pool series at all rather than made-up figures.
  if (stats) {
    new Gauge({
      name: 'monta_db_pool_connections',
      help: 'Pooled PostgreSQL connections by state (active: checked out by a request)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const s = stats();
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'active' }, s.total - s.idle);
      },
    });
    new Gauge({
      name: 'monta_db_pool_max',
      help: 'DATABASE_POOL_SIZE',
      registers: [registry],
      collect() {
        this.set(stats().max);
      },
    });
    new Gauge({
      name: 'monta_db_pool_waiting',
      help: 'Callers waiting for a pooled connection (bounded by DATABASE_CONNECT_TIMEOUT_MS)',
      registers: [registry],
      collect() {
        this.set(stats().waiting);
      },
    });
  }
  new Gauge({
    name: 'monta_redis_up',
    help: '1 when the Redis connection is ready, 0 when not; absent without REDIS_URL',
    registers: sources.redis ? [registry] : [],
    collect() {
      this.set(sources.redis?.status === 'ready' ? 1 : 0);
    },
  });
}
