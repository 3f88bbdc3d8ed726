import { loadConfig } from '../config/config.js';
import { openDatabase } from './client.js';
import { revertMigrations, runMigrations } from './migrator.js';
import { seed } from './seeds/seed.js';

// `npm run migration:run | migration:revert [-- steps] | seed:run`, on DATABASE_URL or the embedded database.
const [command, arg] = process.argv.slice(2);
const config = loadConfig();
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
  if (command === 'run') {
    const applied = await runMigrations(database.db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply.');
  } else if (command === 'revert') {
    const reverted = await revertMigrations(database.db, Number(arg ?? 1));
    console.log(reverted.length ? `Reverted: ${reverted.join(', ')}` : 'Nothing to revert.');
  } else if (command === 'seed') {
    await runMigrations(database.db);
    await seed(database.db, { production: config.NODE_ENV === 'production' });
    console.log('Seeded.');
  } else {
    console.error('usage: cli.ts run | revert [steps] | seed');
    process.exitCode = 2;
  }
} finally {
  await database.close();
}
