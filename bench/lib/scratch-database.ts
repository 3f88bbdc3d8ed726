import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../src/database/client.js';
import { runMigrations } from '../../src/database/migrator.js';
import { seed } from '../../src/seeds/seed.js';
import { cleanups } from './cleanup.js';
import { printMachine } from './report.js';
import { ADMIN_URL, withAdmin } from './settings.js';

/**
 * A fresh database `<prefix>_<random>` on the admin URL's server, migrated and seeded as a fresh
 * install, and dropped by the clean-up however the run ends.
 */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`create database ${name}`));
  cleanups.push(() =>
    withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: '' });
  try {
    await runMigrations(database.db);
    await seed(database.db, { production: false });
  } finally {
    await database.close();
  }
  return { name, url: url.toString() };
}

/** A client on the scratch database, closed by the clean-up. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

/** The start of a bench: the machine and the settings printed, then a scratch database and a client on it. */
export async function setUp(settings: string, prefix = 'monta_bench') {
  console.log('Machine');
  await printMachine(ADMIN_URL);
  console.log(`Settings: ${settings}`);
  const database = await createScratchDatabase(ADMIN_URL, prefix);
  return { database, client: await connect(database.url) };
}
