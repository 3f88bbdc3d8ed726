import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Db, openDatabase } from '../../src/database/client.js';
import { runMigrations } from '../../src/database/migrator.js';
import { seed } from '../../src/seeds/seed.js';
import { cleanups } from './cleanup.js';

/** One short session on the administrative database (create and drop databases, read versions). */
export async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database `<prefix>_<random>` on the admin URL's server, migrated and prepared (by default
 * seeded as a fresh install), and dropped by the clean-up however the run ends.
 */
export async function createScratchDatabase(
  adminUrl: string,
  prefix: string,
  prepare: (db: Db) => Promise<void> = (db) => seed(db, { production: false }),
): Promise<{ name: string; url: string }> {
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
    await prepare(database.db);
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
