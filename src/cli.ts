import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { createAdmin } from './accounts/create-admin.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DatabaseLockedError, openDatabase } from './database/client.js';
import { revertMigrations, runMigrations } from './database/migrator.js';
import { seed } from './seeds/seed.js';

// `npm run migration:run | migration:revert [-- steps] | seed:run | admin:create -- <email>`,
// on DATABASE_URL or the embedded database.
const [command, arg] = process.argv.slice(2);
// A bad setting or a folder in use is a message for the operator, as in main.ts, not a stack trace.
const fail = (error: unknown): never => {
  if (error instanceof ConfigError || error instanceof DatabaseLockedError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
};
const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    return fail(error);
  }
})();
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR }).catch(fail);
try {
  if (command === 'run') {
    const applied = await runMigrations(database.db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply.');
  } else if (command === 'revert') {
    const steps = Number(arg ?? 1);
    if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a positive integer, not ${arg}`);
    const reverted = await revertMigrations(database.db, steps);
    console.log(reverted.length ? `Reverted: ${reverted.join(', ')}` : 'Nothing to revert.');
  } else if (command === 'seed') {
    await runMigrations(database.db);
    await seed(database.db, { production: config.NODE_ENV === 'production', publicUrl: config.PUBLIC_URL });
    console.log('Seeded.');
  } else if (command === 'admin' && arg) {
    // The password comes from MONTA_ADMIN_PASSWORD or is asked for; it is never an argument (shell history).
    const password = process.env.MONTA_ADMIN_PASSWORD ?? (await ask(`Password for ${arg}: `));
    await runMigrations(database.db);
    await seed(database.db, { production: true });
    console.log(`Admin ${await createAdmin(database, arg, password, config.AUTH_CACHE_TTL_SECONDS)}.`);
  } else {
    console.error('usage: cli.ts run | revert [steps] | seed | admin <email>');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`Failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}

/** Reads a line without echoing it (a password). */
async function ask(question: string): Promise<string> {
  process.stdout.write(question);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const prompt = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await prompt.question('');
  } finally {
    prompt.close();
    process.stdout.write('\n');
  }
}
