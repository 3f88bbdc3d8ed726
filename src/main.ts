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
      handle.logger.info({ signal }, 'shutting down');
      handle.close().then(
        () => process.exit(0),
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
