import 'reflect-metadata';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DatabaseLockedError } from './database/client.js';

try {
  const handle = await createApp(loadConfig());
  const url = await handle.listen();
  handle.logger.info({ url, database: handle.config.DATABASE_URL ? 'postgres' : 'embedded' }, 'monta-server listening');
  // Blue/green friendly: stop taking connections, finish in-flight requests, then release the database.
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      const { SHUTDOWN_DRAIN_SECONDS: drain, SHUTDOWN_GRACE_SECONDS: grace } = handle.config;
      handle.logger.info({ signal, drainSeconds: drain, graceSeconds: grace }, 'shutting down');
      // Past the grace, something hangs (a request, a socket, the pool): leave anyway, and say so.
      setTimeout(() => {
        handle.logger.error({ graceSeconds: grace }, 'shutdown grace ran out; exiting with work unfinished');
        process.exit(1);
      }, grace * 1000).unref();
      // Readiness answers 503 first and the instance keeps serving while the load balancer notices.
      handle.beginShutdown();
      const drained = new Promise((resolve) => setTimeout(resolve, drain * 1000));
      drained
        .then(() => handle.close())
        .then(
          () => {
            handle.logger.info('shut down cleanly');
            process.exit(0);
          },
          (error: unknown) => {
            handle.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof DatabaseLockedError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
