import { describe, expect, it } from 'vitest';
import { type TestApp, useApps } from './support/app.js';
import { useDb } from './support/db.js';
import { client, type Client, registerAndLogin, type Reply } from './support/http.js';

// Issue 9 item 5: category c1 "P" renamed to "Q" while c2 "Q" is renamed to "P", on two instances.
// Each change takes the member row lock first, so the second reads what the first left; a merge
// whose target went meanwhile is refused with 409 CATEGORY_CHANGED (what the caller asked for no
// longer exists), never a second merge. A live category always keeps every record.

const db = useDb();
const [one, two] = useApps(2, {
  // Lock waits longer than the 10 s the first test may poll for both renames to be waiting.
  env: {
    DATABASE_LOCK_TIMEOUT_MS: '15000',
    DATABASE_STATEMENT_TIMEOUT_MS: '15000',
    DATABASE_QUERY_TIMEOUT_MS: '16000',
  },
});

const CHANGED = {
  status: 'error',
  error: 'Conflict',
  message: '카테고리가 그사이 변경되었습니다. 목록을 새로 고친 뒤 다시 시도해주세요.',
  code: 'CATEGORY_CHANGED',
};

interface Setup {
  token: string;
  memberId: string;
  c1: string;
  c2: string;
}

/** A member with categories "P" (c1) and "Q" (c2), two records on each. */
async function setup(api: Client): Promise<Setup> {
  const u = await registerAndLogin(api);
  const create = async (subject: string) =>
    (
      await api.post(`/timer-api/members/${u.memberId}/study-categories`, {
        token: u.accessToken,
        json: { subject },
      })
    ).body.data.category.study_category_id as string;
  const c1 = await create('P');
  const c2 = await create('Q');
  await db.query(
    `insert into study_record (member_id, study_category_id, start_time, end_time, status)
     select $1, c, now() - interval '2 hours', now() - interval '1 hour', 'Completed'
       from unnest(array[$2, $2, $3, $3]::bigint[]) c`,
    [u.memberId, c1, c2],
  );
  return { token: u.accessToken, memberId: u.memberId, c1, c2 };
}

const rename = (app: TestApp, s: Setup, id: string, subject: string) =>
  client(app.url).patch(`/timer-api/members/${s.memberId}/study-categories/${id}`, {
    token: s.token,
    json: { subject },
  });

/** Exactly one of the two is live, and it holds all four records; none is on a deleted category. */
async function expectOneLiveWithEverything(s: Setup): Promise<string> {
  const live = await db.query(
    `select study_category_id::text id, subject from study_category
      where member_id = $1 and deleted_at is null order by study_category_id`,
    [s.memberId],
  );
  expect(live.rows).toHaveLength(1);
  const survivor = live.rows[0].id as string;
  const records = await db.query(
    `select study_category_id::text category from study_record where member_id = $1 and deleted_at is null`,
    [s.memberId],
  );
  expect(records.rows.map((r) => r.category)).toEqual([survivor, survivor, survivor, survivor]);
  return live.rows[0].subject as string;
}

describe('crosswise renames on two instances (issue 9 item 5)', () => {
  it('with both waiting on the member at once: one merge wins, the other gets 409 CATEGORY_CHANGED', async () => {
    const s = await setup(client(one.url));
    const holder = await db.connect();
    let replies: Reply[] = [];
    try {
      await holder.query('begin');
      await holder.query('select 1 from member where member_id = $1 for update', [s.memberId]);
      const pending = Promise.all([rename(one, s, s.c1, 'Q'), rename(two, s, s.c2, 'P')]);
      // Both have arrived (and seen P and Q live) and now wait for the member row.
      const holderPid = (await holder.query('select pg_backend_pid() pid')).rows[0].pid as number;
      // Everything waiting on the holder, directly or queued behind another waiter for the same row.
      const waiting = async () =>
        (
          await db.query(
            `with recursive blocked(pid) as (
               select pid from pg_stat_activity where $1 = any(pg_blocking_pids(pid))
               union
               select a.pid from pg_stat_activity a join blocked b on b.pid = any(pg_blocking_pids(a.pid)))
             select count(*)::int n from blocked`,
            [holderPid],
          )
        ).rows[0].n as number;
      // Bounded, but long enough for a loaded machine: committing early would let them run one after the other.
      const until = Date.now() + 10_000;
      while ((await waiting()) < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(await waiting(), 'both renames waiting on the member row').toBe(2);
      await holder.query('commit');
      replies = await pending;
    } finally {
      await holder.query('rollback'); // after a failure too, so the pooled connection holds nothing
      holder.release();
    }
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(replies.find((r) => r.status === 409)!.body).toEqual(CHANGED);
    await expectOneLiveWithEverything(s);
  });

  it('20 parallel trials: never both merged, records always on a live category, the loser refused clearly', async () => {
    const outcomes = { merged200and409: 0, sequential200and200: 0 };
    for (let trial = 0; trial < 20; trial++) {
      const s = await setup(client(one.url));
      const replies = await Promise.all([rename(one, s, s.c1, 'Q'), rename(two, s, s.c2, 'P')]);
      const statuses = replies.map((r) => r.status).sort();
      const subject = await expectOneLiveWithEverything(s);
      if (statuses[1] === 409) {
        // The usual race: both arrived before either ran.
        expect(statuses).toEqual([200, 409]);
        expect(replies.find((r) => r.status === 409)!.body).toEqual(CHANGED);
        outcomes.merged200and409 += 1;
      } else {
        // One ran before the other even arrived: a merge, then a plain rename of the survivor,
        // exactly as the two requests give one after the other.
        expect(statuses).toEqual([200, 200]);
        expect(['P', 'Q']).toContain(subject);
        outcomes.sequential200and200 += 1;
      }
    }
    console.info(`[faults] crosswise renames, 20 trials: ${JSON.stringify(outcomes)}`);
  });
});
