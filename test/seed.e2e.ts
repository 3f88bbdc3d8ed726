import { verify } from '@node-rs/argon2';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/database/client.js';
import { runMigrations } from '../src/database/migrator.js';
import { SEED_CHARACTERS, SEED_ITEMS, SEED_PALETTES } from '../src/seeds/catalogue.js';
import { seed } from '../src/seeds/seed.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-db.js';

// `npm run seed:run` and every embedded boot call seed(); a second run must change nothing.
const scratch: ScratchDatabase[] = [];
const open: Database[] = [];

async function migratedDatabase(): Promise<{ url: string; database: Database }> {
  const db = await createScratchDatabase('seed');
  scratch.push(db);
  const database = await openDatabase({ url: db.url, dataDir: '', poolSize: 5 });
  open.push(database);
  await runMigrations(database.db);
  return { url: db.url, database };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await Promise.all(scratch.splice(0).map((d) => d.drop()));
});

const SEEDED_TABLES = {
  role: 'role_id',
  account: 'account_id',
  member: 'member_id',
  study_streak: 'study_streak_id',
  item: 'item_id',
  character: 'character_id',
  palette: 'palette_id',
} as const;

/** Every row of every seeded table, every column (password hashes and timestamps included), as text. */
async function dump(database: Database): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const [table, key] of Object.entries(SEEDED_TABLES)) {
    const { rows } = await database.execute(`select to_jsonb(t)::text as row from ${table} t order by ${key}`);
    out[table] = rows.map((r) => JSON.parse(String(r.row)) as Record<string, unknown>);
  }
  return out;
}

interface SeededAccount {
  email: string;
  password: string;
  role_id: number;
  provider: string;
  social_id: string | null;
  nickname: string;
  point: number;
  streaks: number;
  current_streak: number;
  longest_streak: number;
}

async function seededAccounts(database: Database): Promise<SeededAccount[]> {
  const { rows } = await database.execute(
    `select a.email, a.password, a.role_id, a.provider, a.social_id, m.nickname, m.point,
            (select count(*)::int from study_streak s where s.member_id = m.member_id) as streaks,
            s.current_streak, s.longest_streak
     from account a
     join member m on m.account_id = a.account_id
     left join study_streak s on s.member_id = m.member_id
     order by a.email`,
  );
  return rows as unknown as SeededAccount[];
}

async function counts(database: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of Object.keys(SEEDED_TABLES)) {
    const { rows } = await database.execute(`select count(*)::int as n from ${table}`);
    out[table] = Number(rows[0]!.n);
  }
  return out;
}

// The catalogue is seeded in production too.
const CATALOGUE = { item: SEED_ITEMS.length, character: SEED_CHARACTERS.length, palette: SEED_PALETTES.length };
const ONE_OF_EACH = { role: 2, account: 2, member: 2, study_streak: 2, ...CATALOGUE };

describe('seed', () => {
  it('creates the roles and the two test accounts, each with a 10000-point member and a streak', async () => {
    const { database } = await migratedDatabase();
    await seed(database.db, { production: false });

    const { rows: roles } = await database.execute(`select role_id, name from role order by role_id`);
    expect(roles).toEqual([
      { role_id: 1, name: 'Admin' },
      { role_id: 2, name: 'User' },
    ]);
    const accounts = await seededAccounts(database);
    expect(accounts.map(({ password: _, ...rest }) => rest)).toEqual([
      {
        email: 'admin@test.com',
        role_id: 1,
        provider: 'email',
        social_id: null,
        nickname: 'admin',
        point: 10000,
        streaks: 1,
        current_streak: 0,
        longest_streak: 0,
      },
      {
        email: 'user@test.com',
        role_id: 2,
        provider: 'email',
        social_id: null,
        nickname: 'user',
        point: 10000,
        streaks: 1,
        current_streak: 0,
        longest_streak: 0,
      },
    ]);
    for (const a of accounts) {
      expect(a.password, 'stored as a hash, never in clear').toMatch(/^\$argon2id\$/);
      expect(await verify(a.password, 'qwer1234')).toBe(true);
      expect(await verify(a.password, 'qwer12345')).toBe(false);
    }
    expect(await counts(database)).toEqual(ONE_OF_EACH);
  });

  it('seeding twice changes nothing: every row of every seeded table is identical', async () => {
    const { database } = await migratedDatabase();
    await seed(database.db, { production: false });
    const first = await dump(database);
    expect(first.account).toHaveLength(2);

    await seed(database.db, { production: false });
    expect(await dump(database)).toEqual(first);
  });

  it('re-seeding keeps what users changed on the test accounts (points, password, nickname)', async () => {
    const { database } = await migratedDatabase();
    await seed(database.db, { production: false });
    await database.execute(`update member set point = 1234, nickname = 'renamed' where nickname = 'user'`);
    await database.execute(`update account set password = 'changed-hash' where email = 'user@test.com'`);
    await database.execute(`update study_streak set current_streak = 3, longest_streak = 5`);
    const changed = await dump(database);

    await seed(database.db, { production: false });
    expect(await dump(database)).toEqual(changed);
  });

  it('repairs a test account whose member and streak are missing, without touching the account', async () => {
    const { database } = await migratedDatabase();
    await seed(database.db, { production: false });
    const { rows } = await database.execute(`select account_id, password from account where email = 'user@test.com'`);
    await database.execute(`delete from member where account_id = $1`, [rows[0]!.account_id]);

    await seed(database.db, { production: false });
    expect(await counts(database)).toEqual(ONE_OF_EACH);
    const { rows: after } = await database.execute(
      `select a.account_id, a.password, m.point from account a join member m using (account_id)
       where a.email = 'user@test.com'`,
    );
    expect(after).toEqual([{ account_id: rows[0]!.account_id, password: rows[0]!.password, point: 10000 }]);
  });

  it('with production: true creates the roles and the catalogue but no test accounts, also when run twice', async () => {
    const { database } = await migratedDatabase();
    await seed(database.db, { production: true });
    await seed(database.db, { production: true });
    expect(await counts(database)).toEqual({ role: 2, account: 0, member: 0, study_streak: 0, ...CATALOGUE });
    const { rows } = await database.execute(`select role_id, name from role order by role_id`);
    expect(rows).toEqual([
      { role_id: 1, name: 'Admin' },
      { role_id: 2, name: 'User' },
    ]);
  });
});

describe('parallel seeding', () => {
  it('two seed() calls at once on one pool leave exactly one of each', async () => {
    const { database } = await migratedDatabase();
    await Promise.all([seed(database.db, { production: false }), seed(database.db, { production: false })]);
    expect(await counts(database)).toEqual(ONE_OF_EACH);
    expect((await seededAccounts(database)).map((a) => [a.email, a.point, a.streaks])).toEqual([
      ['admin@test.com', 10000, 1],
      ['user@test.com', 10000, 1],
    ]);
  });

  it('several instances seeding at once (separate pools, as separate processes) leave exactly one of each', async () => {
    const { url, database } = await migratedDatabase();
    const others = await Promise.all([1, 2, 3].map(() => openDatabase({ url, dataDir: '', poolSize: 2 })));
    open.push(...others);
    await Promise.all([database, ...others].map((d) => seed(d.db, { production: false })));
    expect(await counts(database)).toEqual(ONE_OF_EACH);
    const seeded = await dump(database);

    await Promise.all([database, ...others].map((d) => seed(d.db, { production: false })));
    expect(await dump(database)).toEqual(seeded);
  });
});
