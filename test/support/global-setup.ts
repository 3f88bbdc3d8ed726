import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/database/client.js';
import { runMigrations } from '../../src/database/migrator.js';
import { seed } from '../../src/seeds/seed.js';

/** The PostgreSQL server the suites use; CI starts it (see .ci/run). */
export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminUrl: string;
    redisUrl: string;
  }
}

/**
 * A fresh database per run, migrated and seeded; dropped at the end. The service is also built once
 * (`dist/`), for the suites that start it or its CLI as a separate process, as production does.
 */
export default async function setup(project: TestProject) {
  await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  const name = `monta_test_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: '' });
  await runMigrations(database.db);
  await seed(database.db, { production: false });
  await database.close();
  project.provide('databaseUrl', url.toString());
  project.provide('adminUrl', ADMIN_URL);
  project.provide('redisUrl', REDIS_URL);

  return async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  };
}
