import { beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../src/import/importer.js';
import type { Progress } from '../src/import/progress.js';
import { openSource } from '../src/import/source.js';
import { checksum } from '../src/import/verify.js';
import { useInstances } from './support/app.js';
import { runCli, type Target, useFreshTargets, versions } from './support/import-kit.js';
import { useOriginalDatabase } from './support/original-db.js';
import { DELETED, loadFixture, SOCIAL, STUDENT, TOP_CHARACTER_ID, TOP_ID } from './support/original-fixture.js';

// Issue 15: the original's MySQL database (on the local MariaDB) into a freshly migrated target.

const silent: Progress = {
  log: () => undefined,
  start: () => undefined,
  advance: () => undefined,
  end: () => undefined,
};

describe('import from the original database', () => {
  const original = useOriginalDatabase(loadFixture);
  const freshTarget = useFreshTargets();
  const instances = useInstances();
  let target: Target;
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    target = await freshTarget('import');
    first = await runCli(['--from', original.url], target.scratch.url);
  }, 60_000);

  it('prints the verification table with every refused row and its reason, and exits non-zero for them', () => {
    expect(first.out).toMatch(/^account\s+4\s+1\s+0\s+3\s+ok$/m);
    expect(first.out).toMatch(/^study_record\s+8\s+1\s+2\s+5\s+ok$/m);
    expect(first.out).toContain('points: source 1250, target 1250  ok');
    expect(first.out).toContain('running sessions: source 1, target records 1, target members 1  ok');
    expect(first.out).toContain("points 900 disagree with its last transaction record's balance 800");
    expect(first.out).toContain('study_record 5: ends (2024-02-10 09:00:00) before it starts (2024-02-10 10:00:00)');
    expect(first.out).toContain('study_record 7: orphan: member 4d5e6f70-0000-4000-8000-000000000009 does not exist');
    expect(first.out).toMatch(/^role\s+3\s+0\s+1\s+2\s+ok$/m);
    expect(first.out).toMatch(/^ {2}role 3: rejected by the target: value too long/m);
    expect(first.out).toContain('refused rows: 5');
    expect(first.code).toBe(1);
  });

  it('keeps ids, replaces the seeded catalogue, skips the deleted account and moves sequences past the ids', async () => {
    const q = async (text: string) => (await target.db.execute(text)).rows;
    expect(
      await q('select character_id as id, name, deleted_at is not null as gone from "character" order by 1'),
    ).toEqual([
      { id: 1, name: '병아리', gone: false },
      { id: 9, name: '사라진 용', gone: true },
      { id: TOP_CHARACTER_ID, name: '마지막 고양이', gone: false },
    ]);
    expect((await q('select item_id from item order by 1')).map((r) => r.item_id)).toEqual([1, 2, 3, 4]);
    expect(await q(`select account_id from account where account_id = '${DELETED.accountId}'`)).toEqual([]);
    expect(await q(`select count(*)::int as n from study_record where member_id = '${DELETED.memberId}'`)).toEqual([
      { n: 0 },
    ]);
    expect(await q(`select provider, social_id from account where account_id = '${SOCIAL.accountId}'`)).toEqual([
      { provider: 'google', social_id: '109876543210987654321' },
    ]);
    // A running session read on UTC: 2024-02-09 01:00:00 in the source is that instant.
    expect(await q(`select start_time::text as s from study_record where study_record_id = ${TOP_ID}`)).toEqual([
      { s: '2024-02-09 01:00:00+00' },
    ]);
    const next = await q(`select nextval(pg_get_serial_sequence('"character"', 'character_id'))::text as n`);
    expect(next).toEqual([{ n: String(TOP_CHARACTER_ID + 1) }]);
  });

  it('changes nothing on a second run: same checksum, no row rewritten', async () => {
    const before = await versions(target.db);
    const sumBefore = await checksum((text, params) => target.db.execute(text, params));
    const source = await openSource(original.url);
    try {
      const second = await runImport(source, target.db, { dryRun: false, zone: 'UTC', batchSize: 2, progress: silent });
      expect(second.checksum).toMatch(/^[0-9a-f]{32}$/);
      expect(second.checksum).toBe(sumBefore);
      expect(second.refused).toHaveLength(5);
      expect(second.tables.every((t) => t.ok)).toBe(true);
    } finally {
      await source.close();
    }
    expect(await versions(target.db)).toBe(before);
  }, 30_000);

  it('lets the student log in with the old password and answers the PWA as the original would', async () => {
    const { api } = await instances.start({ DATABASE_URL: target.scratch.url });
    const login = await api.post('/timer-api/auth/email/login', {
      json: { email: STUDENT.email, password: STUDENT.password },
    });
    expect(login.status).toBe(200);
    expect(login.body.data.account).toMatchObject({
      account_id: STUDENT.accountId,
      email: STUDENT.email,
      provider: 'email',
    });
    const token = login.body.data.access_token as string;
    const get = async (path: string) => (await api.get(path, { token })).body;
    const m = `/timer-api/members/${STUDENT.memberId}`;
    // The original's fields, as it sent them (later issues may add keys of their own).
    expect(await get('/timer-api/members/me')).toMatchObject({
      status: 'success',
      data: {
        member: {
          member_id: STUDENT.memberId,
          status_message: '오늘도 열공 🔥',
          image_url: 'https://img/chick.png',
          nickname: '김공부',
          point: 750,
          active_record_id: TOP_ID,
        },
      },
    });
    expect(await get(`${m}/study-categories`)).toEqual({
      status: 'success',
      data: {
        study_categories: [
          { study_category_id: '1', subject: '수학', color: '#000000' },
          { study_category_id: '3', subject: '국어', color: '#ff0000' },
        ],
      },
    });
    // Asia/Seoul days: 02-07 16:30Z and 02-08 14:00Z both start on 02-08; no session crosses
    // midnight here (we split those across days, where the original counted them on the first).
    expect(await get(`${m}/statistics?date=2024-02-08`)).toEqual({
      status: 'success',
      data: { date: '2024-02-08', totalSeconds: 6600 },
    });
    const heat = await get(`${m}/statistics/heat-map?start=2024-02-01&end=2024-02-29`);
    expect(heat.data).toEqual(
      expect.arrayContaining([
        { date: '2024-02-02', totalSeconds: 1800 },
        { date: '2024-02-08', totalSeconds: 6600 },
      ]),
    );
    expect(heat.data).toHaveLength(2);
    expect((await get(`${m}/statistics/monthly?year=2024&month=2`)).data).toMatchObject({
      month: 2,
      year: 2024,
      totalSeconds: 8400,
    });
    const streak = await get(`${m}/study-streak`);
    expect(streak.data).toMatchObject({
      study_streak_id: 1,
      palette: {
        palette_id: 1,
        name: '파랑',
        grade: 'Rare',
        light_color: '#aaaaff',
        normal_color: '#5555ff',
        dark_color: '#2222aa',
        darker_color: '#111155',
      },
    });
    const food = await get(`${m}/item-inventory?item_type=Food`);
    expect(food.data.item_inventory).toEqual(
      expect.arrayContaining([
        {
          item_inventory_id: '1',
          progress: 0,
          quantity: 1,
          item_type: 'Food',
          item: {
            item_id: 1,
            item_type: 'Food',
            name: '고기',
            description: 'C~A',
            cost: 200,
            required_study_time: 3600,
            image_url: 'https://img/meat.png',
            grade: 'C',
            is_hidden: false,
          },
        },
        { item_inventory_id: '4', progress: 1200, quantity: 1, item_type: 'Food' },
      ]),
    );
    expect(food.data.item_inventory).toHaveLength(2);
    const consumable = await get(`${m}/item-inventory?item_type=Consumable`);
    expect(consumable.data.item_inventory).toEqual([
      expect.objectContaining({ item_inventory_id: '2', quantity: 3, progress: null, item_type: 'Consumable' }),
    ]);
    const characters = await get(`${m}/character-inventory`);
    expect(characters.data.character_inventory).toEqual(
      expect.arrayContaining([
        {
          character_inventory_id: '1',
          quantity: 2,
          character: {
            character_id: 1,
            name: '병아리',
            description: '삐약',
            sell_price: 100,
            image_url: 'https://img/chick.png',
            grade: 'C',
          },
        },
        { character_inventory_id: '2', quantity: 1 },
      ]),
    );
    expect(characters.data.character_inventory).toHaveLength(2);
    // The legacy bcrypt hash was upgraded to Argon2id by that login.
    const { rows } = await target.db.execute(`select password from account where account_id = '${STUDENT.accountId}'`);
    expect(String(rows[0]!.password)).toMatch(/^\$argon2id\$/);
    const gone = await api.post('/timer-api/auth/email/login', {
      json: { email: 'gone@test.com', password: STUDENT.password },
    });
    expect(gone.status).toBe(404);
  }, 30_000);

  it('dry-run reports what the import would do and changes nothing', async () => {
    const fresh = await freshTarget('import_dry');
    const before = await versions(fresh.db);
    const dry = await runCli(['--from', original.url, '--dry-run'], fresh.scratch.url);
    expect(dry.out).toMatch(/^study_record\s+8\s+1\s+2\s+5\s+ok$/m);
    expect(dry.out).toContain('dry run: nothing was committed');
    expect(dry.out).toContain(first.out.match(/checksum: \w+/)![0]);
    expect(await versions(fresh.db)).toBe(before);
    const { rows } = await fresh.db.execute(
      `select to_regnamespace('monta_import') as s, (select count(*)::int from account) as n`,
    );
    expect(rows[0]).toEqual({ s: null, n: 0 });
  }, 30_000);

  it('reads the datetimes on --source-timezone', async () => {
    const seoul = await freshTarget('import_zone');
    const source = await openSource(original.url);
    try {
      await runImport(source, seoul.db, { dryRun: false, zone: 'Asia/Seoul', batchSize: 100, progress: silent });
      const { rows } = await seoul.db.execute(
        `select start_time::text as s from study_record where study_record_id = ${TOP_ID}`,
      );
      // 2024-02-09 01:00:00 on a Seoul wall clock is 2024-02-08 16:00 UTC.
      expect(rows).toEqual([{ s: '2024-02-08 16:00:00+00' }]);
    } finally {
      await source.close();
    }
  }, 30_000);

  it('refuses a target that already holds accounts of its own', async () => {
    const other = await freshTarget('import_refuse');
    await other.db.execute(`insert into account (email, password) values ('someone@test.com', 'x')`);
    const run = await runCli(['--from', original.url], other.scratch.url);
    expect(run.code).toBe(2);
    expect(run.out).toContain('the target already holds 1 accounts');
    const { rows } = await other.db.execute('select count(*)::int as n from member');
    expect(rows[0]).toEqual({ n: 0 });
  }, 30_000);
});
