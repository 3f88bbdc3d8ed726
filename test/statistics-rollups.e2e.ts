import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../src/common/local-days.js';
import { StatJobs } from '../src/stat-jobs/stat-jobs.js';
import {
  addCategory,
  addMember,
  dayTotalDrift,
  openRollupWorld,
  rollupChecksum,
  type RollupWorld,
  useRollupWorld,
} from './support/rollups-kit.js';

// Issue 10, "Must show": rollup-based answers equal raw-based answers for random ranges, after any
// sequence of runs, with random sessions across midnights, DST changes, months and years, running
// sessions and late arrivals. Seeded: a failure prints its seed, and SEED=… replays it.

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = '2023-12-20';
const LAST = '2025-04-10';
const SPAN = daysBetween(FIRST, LAST);
const OTHER_ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'UTC'];

async function property(zone: string, seed: number) {
  const random = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const int = (n: number) => Math.floor(random() * n);
  const world: RollupWorld = await openRollupWorld(zone);
  const jobs = new StatJobs(world.jobs, zone);
  let checks = 0;
  try {
    const members: string[] = [];
    const categories = new Map<string, number[]>();
    for (let i = 0; i < 4; i++) {
      const m = await addMember(world);
      members.push(m);
      categories.set(m, [await addCategory(world, m, 'a'), await addCategory(world, m, 'b')]);
    }
    const day = () => addDays(FIRST, int(SPAN));
    const category = (m: string) => (random() < 0.2 ? null : pick(categories.get(m)!));
    const status = () => (random() < 0.5 ? 'Completed' : random() < 0.5 ? 'Incompleted' : null);
    /** An ended session: some cross one or two midnights, some end exactly at one, some last 0 s. */
    const addSession = async (m: string) => {
      const d = day();
      const kind = int(4);
      const startExpr =
        kind === 0
          ? `($2::timestamp at time zone $5) - make_interval(secs => $3)` // ends exactly at local midnight
          : `($2::timestamp at time zone $5) + make_interval(secs => $3)`;
      const seconds = kind === 0 ? 1 + random() * 20_000 : random() * 86_400;
      const length = kind === 0 ? seconds : kind === 1 ? 0 : random() < 0.8 ? random() * 10_000 : random() * 40 * 3600;
      await world.sql(
        `insert into study_record (member_id, study_category_id, start_time, end_time, status)
         select $1, $6, s, s + make_interval(secs => $4), $7 from (select ${startExpr} s) x`,
        [m, d, seconds, length, zone, category(m), status()],
      );
    };
    for (let i = 0; i < 120; i++) await addSession(pick(members));

    let now = new Date(`${addDays(FIRST, 20)}T12:00:00Z`);
    const check = async () => {
      if (!members.length) return;
      const m = pick(members);
      const from = addDays(FIRST, int(SPAN - 5));
      const to = addDays(from, Math.min(int(366), daysBetween(from, LAST)));
      const raw = await world.raw.dayTotals(m, from, to, zone);
      const got = await world.service.heatMap(m, from, to);
      if (process.env.DEBUG_ROLLUPS && JSON.stringify(got) !== JSON.stringify(raw)) {
        console.log(
          JSON.stringify({
            step: checks,
            from,
            to,
            state: await world.sql('select * from stat_state'),
            changes: await world.sql('select count(*) from stat_change where member_id = $1', [m]),
            got: got.slice(0, 60),
            raw: raw.slice(0, 60),
          }),
        );
      }
      expect(got, `heat-map ${from}..${to} seed ${seed}`).toEqual(raw);
      // The heat-map reads stat_month_days: it holds exactly the stat_daily rows summed per day.
      expect(await dayTotalDrift(world), `stat_month_days against stat_daily, seed ${seed}`).toBe(0);
      const other = pick(OTHER_ZONES);
      expect(await world.service.heatMap(m, from, to, other)).toEqual(await world.raw.dayTotals(m, from, to, other));
      const d = day();
      const [rawDay] = await world.raw.dayTotals(m, d, d, zone);
      expect(await world.service.daily(m, d), `daily ${d} seed ${seed}`).toBe(rawDay?.seconds ?? 0);
      const [y, mo] = day().split('-').map(Number) as [number, number];
      const first = `${y}-${String(mo).padStart(2, '0')}-01`;
      const rawMonth = await world.raw.dayTotals(m, first, addDays(addDays(first, 32).slice(0, 8) + '01', -1), zone);
      expect(await world.service.monthly(m, y, mo), `monthly ${first} seed ${seed}`).toEqual({
        totalSeconds: rawMonth.reduce((s, x) => s + x.seconds, 0),
        uniqueStudyDays: rawMonth.length,
      });
      checks += 1;
    };

    for (let step = 0; step < 45; step++) {
      const m = pick(members);
      const action = int(10);
      if (action === 0)
        await addSession(m); // a late arrival: its days may be covered already
      else if (action === 1) {
        // A running session, started days ago; it counts for nothing until it ends.
        await world.sql(`update study_record set deleted_at = now() where member_id = $1 and end_time is null`, [m]);
        await world.sql(
          `insert into study_record (member_id, start_time) values ($1, $2::timestamptz - make_interval(secs => $3))`,
          [m, now.toISOString(), random() * 40 * 3600],
        );
      } else if (action === 2) {
        // It ends now, after its first days were rolled up; no session ever lasts over 48 h (the
        // study timer caps them), so a long-forgotten one ends at its cap.
        await world.sql(
          `update study_record set end_time = least($2::timestamptz, start_time + make_interval(secs => $3)), status = 'Completed'
           where member_id = $1 and end_time is null and deleted_at is null`,
          [m, now.toISOString(), random() * 47 * 3600],
        );
      } else if (action === 3) {
        await world.sql(
          `update study_record set deleted_at = now() where study_record_id =
             (select study_record_id from study_record where member_id = $1 and deleted_at is null order by random() limit 1)`,
          [m],
        );
      } else if (action === 4) {
        const [a, b] = categories.get(m)!;
        await world.sql(
          `update study_record set study_category_id = $2 where member_id = $1 and study_category_id = $3`,
          [m, b, a],
        );
      } else if (action === 5 && members.length > 2 && random() < 0.3) {
        await world.sql('delete from account where account_id = (select account_id from member where member_id = $1)', [
          m,
        ]);
        members.splice(members.indexOf(m), 1);
      } else if (action === 6) {
        now = new Date(now.getTime() + int(40) * 86_400_000 + int(86_400_000));
        await jobs.daily(now);
      } else if (action === 7) await jobs.monthly(now);
      else if (action === 8) {
        const from = day();
        await jobs.backfill(from, addDays(from, int(90)), now);
      } else await jobs.daily(now);
      await check();
      await check();
    }
    // The rollups were really used: at the end they cover months, and a final run leaves nothing raw.
    await jobs.daily(new Date(`${LAST}T12:00:00Z`));
    await jobs.monthly(new Date(`${LAST}T12:00:00Z`));
    for (let i = 0; i < 10; i++) await check();
    const [state] = await world.sql<{ daily_from: string; monthly_from: string | null }>(
      `select daily_from::text, monthly_from::text from stat_state`,
    );
    expect(state?.daily_from).toBeTruthy();
    expect(state?.monthly_from).toBeTruthy();
    expect((await rollupChecksum(world)).rows).toBeGreaterThan(50);
    return { world, checks };
  } catch (error) {
    await world.close();
    throw error;
  }
}

describe('statistics rollups equal the raw answers (issue 10)', () => {
  const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);

  it.each(['Asia/Seoul', 'America/New_York'])(
    `random sessions and runs, DEFAULT_TIMEZONE %s (seed ${seed})`,
    async (zone) => {
      const result = await property(zone, seed + zone.length);
      expect(result.checks).toBeGreaterThan(80);
      await result.world.close();
    },
    120_000,
  );

  describe('with runs done', () => {
    const world = useRollupWorld('Asia/Seoul');

    it('the routes read the rollups: a rollup row changed behind their back shows in the answer', async () => {
      const w = world;
      const m = await addMember(w);
      await w.sql(
        `insert into study_record (member_id, start_time, end_time, status) values ($1, '2024-05-01T01:00:00Z', '2024-05-01T02:00:00Z', 'Completed')`,
        [m],
      );
      await new StatJobs(w.jobs, 'Asia/Seoul').daily(new Date('2024-06-10T00:00:00Z'));
      expect(await w.service.daily(m, '2024-05-01')).toBe(3600);
      await w.sql('update stat_daily set micros = micros + 5000000 where member_id = $1', [m]);
      await w.sql(
        `update stat_month_days set seconds = array(select v + 5 * sign(v)::int from unnest(seconds) with ordinality u(v, k) order by k)
         where member_id = $1`,
        [m],
      );
      expect(await w.service.daily(m, '2024-05-01')).toBe(3605);
      expect(await w.service.daily(m, '2024-05-01', 'UTC')).toBe(3600); // another zone reads raw
    });

    it('a re-run writes identical rows (checksum)', async () => {
      const w = world;
      const jobs = new StatJobs(w.jobs, 'Asia/Seoul');
      const m = await addMember(w);
      for (let i = 0; i < 30; i++) {
        await w.sql(
          `insert into study_record (member_id, start_time, end_time, status)
           values ($1, '2024-03-01T10:00:00Z'::timestamptz + make_interval(hours => $2), '2024-03-01T10:00:00Z'::timestamptz + make_interval(hours => $2 + 3), 'Completed')`,
          [m, i * 17],
        );
      }
      await jobs.backfill('2024-01-01', '2024-06-30', new Date('2024-07-02T00:00:00Z'));
      const first = await rollupChecksum(w);
      await jobs.backfill('2024-01-01', '2024-06-30', new Date('2024-07-02T00:00:00Z'));
      await jobs.monthly(new Date('2024-07-02T00:00:00Z'));
      expect(await rollupChecksum(w)).toEqual(first);
      expect(first.rows).toBeGreaterThan(20);
    });
  });
});
