import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE, type Database } from '../src/database/client.js';
import { useApp } from './support/app.js';
import { parseCsv } from './support/csv-parse.js';
import { useTeardown } from './support/fixture.js';
import { registerAndLogin } from './support/http.js';
import { useDb } from './support/db.js';

// The export is a stream: it stops cleanly when the reader goes, aborts (never ends as if complete)
// when the database fails mid-file, is capped in number, and works on the embedded database too.
const P = '/timer-api';
const RECORDS_QUERY = '%from "study_record" left join "study_category"%';

/** `count` ended one-minute sessions, an hour apart, written straight into the database. */
const seedSql = (memberId: string, count: number) =>
  `insert into study_record (member_id, start_time, end_time, status)
   select '${memberId}', t, t + interval '1 minute', 'Completed'
     from (select timestamptz '2020-01-01T00:00:00Z' + n * interval '1 hour' t from generate_series(1, ${count}) n) s`;

async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function openExport(url: string, memberId: string, token: string, query = '') {
  return fetch(`${url}${P}/members/${memberId}/export${query}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('export stream on PostgreSQL', () => {
  const db = useDb();
  const app = useApp({
    env: { EXPORT_BATCH_SIZE: '200', EXPORT_MAX_CONCURRENT: '1', RATE_LIMIT_EXPORT_PER_ACCOUNT: '100' },
  });
  const { api } = app;

  it('a database failure mid-file aborts the connection: the download fails, never a complete-looking file', async () => {
    const owner = await registerAndLogin(api);
    await db.query(seedSql(owner.memberId, 50_000));
    const response = await openExport(app.url, owner.memberId, owner.accessToken);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    // The export waits on its slow reader inside its snapshot: end that session from outside.
    const killed = await until(async () => {
      const r = await db.query(
        `select pg_terminate_backend(pid) ok from pg_stat_activity
          where datname = current_database() and state = 'idle in transaction' and query like $1`,
        [RECORDS_QUERY],
      );
      return r.rowCount ? r.rowCount : undefined;
    });
    expect(killed).toBe(1);
    const failure = await (async () => {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return undefined;
        text += decoder.decode(chunk.value, { stream: true });
      }
    })().catch((error: unknown) => error);
    expect(failure, 'the body must end in an error, not a clean end').toBeInstanceOf(Error);
    expect(text.endsWith(']}\n')).toBe(false);
    expect(() => JSON.parse(text)).toThrow();
    // The service is fine afterwards, and the next export is whole.
    const whole = await until(async () => {
      const r = await api.get(`${P}/members/${owner.memberId}/export?format=csv`, { token: owner.accessToken });
      return r.status === 200 ? r : undefined;
    });
    expect(parseCsv(whole.text.replace(/^\uFEFF/, ''))).toHaveLength(50_001);
  }, 90_000);

  it('one export at a time here: a second one is 503 with Retry-After until the first reader leaves', async () => {
    const owner = await registerAndLogin(api);
    await db.query(seedSql(owner.memberId, 30_000));
    const first = await openExport(app.url, owner.memberId, owner.accessToken);
    const reader = first.body!.getReader();
    await reader.read(); // started, then left unread: the server waits on backpressure
    const busy = await api.get(`${P}/members/${owner.memberId}/export`, { token: owner.accessToken });
    expect(busy.status).toBe(503);
    expect(busy.body).toMatchObject({ status: 'error', code: 'BUSY' });
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await reader.cancel(); // the reader goes: the export stops and gives its connection back
    const next = await until(async () => {
      const r = await api.get(`${P}/members/${owner.memberId}/export`, { token: owner.accessToken });
      return r.status === 200 ? r : undefined;
    });
    expect(next.body.study_records).toHaveLength(30_000);
    const leftover = await db.query(
      `select count(*)::int n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%' and query like $1`,
      [RECORDS_QUERY],
    );
    expect(leftover.rows[0].n).toBe(0);
  }, 90_000);
});

describe('export on the embedded database (PGlite)', () => {
  // The folder goes after the app closed (its teardown is registered first, so it runs last).
  const teardown = useTeardown();
  const app = useApp(
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'monta-export-'));
      teardown.add(async () => rmSync(dir, { recursive: true, force: true }));
      return { env: { DATABASE_URL: '', DATA_DIR: dir, EXPORT_BATCH_SIZE: '500' } };
    },
    { timeout: 120_000 },
  );
  const { api } = app;

  it('exports JSON and CSV, and a paused download does not hold the one connection from others', async () => {
    const owner = await registerAndLogin(api);
    const cat = await api.post(`${P}/members/${owner.memberId}/study-categories`, {
      token: owner.accessToken,
      json: { subject: '국어' },
    });
    const categoryId = cat.body.data.category.study_category_id as string;
    expect(
      (
        await api.post(`${P}/study-timer/start`, {
          token: owner.accessToken,
          json: { category_id: Number(categoryId) },
        })
      ).status,
    ).toBe(200);
    expect(
      (await api.post(`${P}/study-timer/end`, { token: owner.accessToken, json: { status: 'Completed' } })).status,
    ).toBe(200);
    const json = await api.get(`${P}/members/${owner.memberId}/export`, { token: owner.accessToken });
    expect(json.status).toBe(200);
    expect(json.body.study_records).toHaveLength(1);
    expect(json.body.study_records[0]).toMatchObject({ study_category_id: categoryId, status: 'Completed' });
    const csv = await api.get(`${P}/members/${owner.memberId}/export?format=csv`, { token: owner.accessToken });
    expect(parseCsv(csv.text.replace(/^\uFEFF/, ''))[1]![6]).toBe('국어');

    const database = app.handle.app.get<symbol, Database>(DATABASE);
    await database.execute(seedSql(owner.memberId, 30_000));
    const paused = await openExport(app.url, owner.memberId, owner.accessToken);
    const reader = paused.body!.getReader();
    await reader.read();
    const me = await api.get(`${P}/members/me`, { token: owner.accessToken });
    expect(me.status).toBe(200);
    await reader.cancel();
  }, 90_000);
});
