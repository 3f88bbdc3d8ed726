import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { AppModule } from './app.module.js';
import type { Clock } from './common/clock.js';
import { PinoNestLogger, serializeError } from './common/logging.js';
import { installHttpMetrics, registerInstanceMetrics } from './common/metrics-http.js';
import { Metrics } from './common/metrics.js';
import { logDestination } from './common/pretty-log.js';
import { closeConnectionsWhenClosing, ConnectionTracker, ShutdownState } from './common/shutdown.js';
import { SPRING_ROOTS } from './common/wire/dialect.js';
import { frameworkErrorBody } from './common/wire/exception.filter.js';
import { completeDocument } from './common/wire/openapi.js';
import type { Random } from './common/random.js';
import { openRedis } from './common/redis.js';
import { GroupsIoAdapter } from './study-groups/groups-io.adapter.js';
import type { Config, LoadedConfig } from './config/config.js';
import { resolveSecrets } from './config/secrets.js';
import { openDatabase, timeoutsOf } from './database/client.js';
import { migrateAtStart } from './database/migrator.js';
import { seed } from './seeds/seed.js';

export interface AppHandle {
  app: NestFastifyApplication;
  config: Config;
  logger: Logger;
  /** Listens on HOST:PORT (PORT 0 picks a free port) and returns the base URL. */
  listen(): Promise<string>;
  /** Readiness answers 503 from now on; everything else keeps serving (the drain before `close`). */
  beginShutdown(): void;
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  random?: Random;
  logger?: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
/** `static/` at the project root, from `src/` (tsx, tests) and from `dist/` (built service) alike. */
const STATIC_DIR = fileURLToPath(new URL('../static/', import.meta.url));

export function createLogger(config: LoadedConfig, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    serializers: { err: serializeError },
    // Nothing sensitive in logs: credentials and tokens are redacted wherever they appear.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.access_token',
        '*.refresh_token',
        '*.id_token',
        '*.code',
        '*.email',
      ],
      censor: '[redacted]',
    },
  };
  const target = destination ?? logDestination(config);
  return target ? pino(options, target) : pino(options);
}

/**
 * Builds the whole service: database (migrated; seeded when embedded), Redis when configured, and the
 * Nest application on Fastify with both wire dialects. `main.ts` and the tests both start it this way.
 */
export async function createApp(loaded: LoadedConfig, overrides: AppOverrides = {}): Promise<AppHandle> {
  const logger = overrides.logger ?? createLogger(loaded);
  const database = await openDatabase({
    url: loaded.DATABASE_URL,
    dataDir: loaded.DATA_DIR,
    poolSize: loaded.DATABASE_POOL_SIZE,
    timeouts: timeoutsOf(loaded),
    onConnectionError: (error) => logger.warn({ err: error }, 'database connection lost; the pool replaces it'),
  });
  const redis = openRedis(loaded.REDIS_URL);
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  try {
    if (loaded.MIGRATE_ON_START) {
      const applied = await migrateAtStart(database, loaded.DATABASE_URL, loaded.DATABASE_CONNECT_TIMEOUT_MS);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    const config = await resolveSecrets(database.db, loaded, logger);
    // The embedded database is the no-setup default, so it starts ready to log in (migrated and seeded).
    if (database.kind === 'pglite') {
      await seed(database.db, { production: config.NODE_ENV === 'production', publicUrl: config.PUBLIC_URL });
    }

    const adapter = new FastifyAdapter({
      bodyLimit: config.BODY_LIMIT_BYTES,
      trustProxy: config.TRUST_PROXY,
      loggerInstance: logger,
      requestIdHeader: false,
      // A path Fastify can't decode (`%ZZ`) is answered before routing: in the path's dialect.
      // It runs before every hook, so it sets the request id and CORS headers itself.
      frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
        const status = (error as { statusCode?: number }).statusCode ?? 400;
        const origin = request.headers.origin;
        reply.header('x-request-id', request.id).header('vary', 'Origin').header('x-content-type-options', 'nosniff');
        if (origin && config.CORS_ORIGINS.includes(origin)) {
          reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true');
        }
        void reply.status(status).send(frameworkErrorBody(request.url, status));
      },
      logController: new LogController({ requestIdLogLabel: 'requestId' }),
      genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
        const given = request.headers['x-request-id'];
        return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      },
    });
    configureFastify(adapter.getInstance() as unknown as FastifyInstance, config);
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ config, database, redis, clock: overrides.clock, random: overrides.random }),
      adapter,
      { bodyParser: false, logger: new PinoNestLogger(logger) },
    );
    const io = new GroupsIoAdapter(app, config);
    app.useWebSocketAdapter(io);
    const metrics = app.get(Metrics).registry;
    installHttpMetrics(adapter.getInstance() as unknown as FastifyInstance, metrics, config.METRICS_TOKEN);
    registerInstanceMetrics(metrics, { database, redis, census: () => io.census() });
    const shutdown = app.get(ShutdownState);
    closeConnectionsWhenClosing(adapter.getInstance() as unknown as FastifyInstance, shutdown);
    const connections = new ConnectionTracker(app.getHttpServer());
    // Catalogue images: plain Fastify routes, so outside the API prefix and the token guard.
    app.useStaticAssets({
      root: STATIC_DIR,
      prefix: '/static/',
      wildcard: false, // a route per file present at boot: no listing, nothing outside the folder
      index: false,
      decorateReply: false,
      maxAge: 86_400_000,
      // @fastify/static 10 passes the Fastify reply, which Nest's older typing calls a response.
      setHeaders: (res) =>
        (res as unknown as FastifyReply).headers({
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        }),
    });
    app.setGlobalPrefix(config.API_PREFIX, {
      exclude: [
        { path: 'health/live', method: RequestMethod.GET },
        { path: 'health/ready', method: RequestMethod.GET },
        ...Object.values(SPRING_ROOTS)
          .flat()
          .map((path) => ({ path: `${path}{/*rest}`, method: RequestMethod.ALL })),
      ],
    });
    app.enableCors({
      origin: config.CORS_ORIGINS,
      credentials: true,
      methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
    });
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('monta-server')
        .setDescription(
          'The monta study-timer API: Nest dialect under /' +
            config.API_PREFIX +
            ', Spring dialect under ' +
            Object.keys(SPRING_ROOTS)
              .map((root) => `/${root}`)
              .join(', ') +
            '.',
        )
        .setOpenAPIVersion('3.1.0')
        .addBearerAuth()
        .build(),
    );
    completeDocument(document);
    // Off (404 like any unknown path) unless DOCS_ENABLED; the default is off in production.
    if (config.DOCS_ENABLED) SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
    await app.init();

    return {
      app,
      config,
      logger,
      async listen() {
        await app.listen({ port: config.PORT, host: config.HOST });
        const address = app.getHttpServer().address();
        const port = typeof address === 'object' && address ? address.port : config.PORT;
        return `http://127.0.0.1:${port}`;
      },
      beginShutdown() {
        shutdown.draining = true;
      },
      async close() {
        shutdown.draining = true;
        if (app.getHttpServer().listening) connections.stopListening(shutdown);
        // Nest's close: shutdown hooks, then socket.io (sockets told to reconnect elsewhere; its close
        // awaits the HTTP server's: every request in flight answered), then Fastify; the pool last.
        await app.close();
        await database.close();
        redis?.disconnect();
      },
    };
  } catch (error) {
    await database.close();
    redis?.disconnect();
    throw error;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const NOT_UTF8 = 'request body must be UTF-8 text';

function configureFastify(fastify: FastifyInstance, config: Config): void {
  // JSON as Express parsed it for the original: an empty body is no body, and a malformed one is a
  // 400 carrying JSON.parse's own message, as the original's body parser did.
  fastify.removeContentTypeParser(['application/json']);
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: config.BODY_LIMIT_BYTES },
    (_request, body, done) => {
      let text: string;
      try {
        // Strict: bytes that are not UTF-8 (an encoded lone surrogate among them) would become U+FFFD.
        text = strictUtf8.decode(body as Buffer).trim();
      } catch {
        return done(Object.assign(new Error(NOT_UTF8), { statusCode: 400 }), undefined);
      }
      if (text === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(Object.assign(new Error((error as Error).message), { statusCode: 400 }), undefined);
      }
    },
  );
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // onSend: it also runs for answers given by an earlier onRequest hook (a CORS preflight).
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    // Swagger UI loads only its own scripts (no inline ones) but styles itself inline; nobody may frame it.
    if (request.url === '/docs' || request.url.startsWith('/docs/') || request.url.startsWith('/docs?')) {
      reply.header('content-security-policy', DOCS_CSP).header('x-frame-options', 'DENY');
    }
    return payload;
  });
}
