/**
 * Shop purchases (issue 5): requests/s and latency of `POST /v2/shop/purchase` (one consumable, count 1)
 * with many members buying at once, beside one member's purchases all at once in the same run: each
 * purchase locks the buyer's member row so points never go negative, and the second phase shows what
 * that lock costs when one member's requests pile up. Prints figures, never asserts timing.
 *
 *   npm run bench:shop        (about a minute with the defaults)
 *
 * The bench's own consumable (10 points); BENCH_MEMBERS + 1 members with 10⁹ points each; a 3 s warm-up,
 * then phase 1: BENCH_MEMBERS virtual users, each buying as its own member, and phase 2:
 * BENCH_SINGLE_CONCURRENCY virtual users all buying as the remaining member. Then the ledger: every
 * member's points = start − its purchase records, the stack = the records, and every 201 received has its
 * record; more records only by the requests autocannon cut off at the end of a run, at most one per
 * connection (OK, or MISMATCH and exit code 1).
 *
 * Settings: BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (3), BENCH_MEMBERS (50),
 * BENCH_SINGLE_CONCURRENCY (50), BENCH_POOL_SIZE (10), BENCH_ADMIN_URL, BENCH_NODE_FLAGS.
 */
import type pg from 'pg';
import { runBench } from './lib/cleanup.js';
import { figures, FIGURES, measure, type MeasureSpec, runLoad } from './lib/http.js';
import { type BenchMember, insertMembers, signTokens } from './lib/members.js';
import { startMonta } from './lib/proc.js';
import { printTable } from './lib/report.js';
import { setUp } from './lib/scratch-database.js';
import { intSetting } from './lib/settings.js';

const settings = {
  seconds: intSetting('BENCH_SECONDS', 20, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 3, 0, 120),
  members: intSetting('BENCH_MEMBERS', 50, 1, 1000),
  singleConcurrency: intSetting('BENCH_SINGLE_CONCURRENCY', 50, 1, 1000),
  poolSize: intSetting('BENCH_POOL_SIZE', 10, 1, 200),
};
const ITEM_COST = 10;
const START_POINTS = 1_000_000_000; // enough for any run, far below int4's ceiling

async function main(): Promise<void> {
  const { database, client } = await setUp(
    `${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per phase; phase 1: ${settings.members} ` +
      `members, one virtual user each; phase 2: ${settings.singleConcurrency} virtual users, one member; pg pool ${settings.poolSize}`,
  );
  const item = await client.query<{ item_id: number }>(
    `insert into item (name, item_type, description, required_study_time, cost, grade, image_url, effect_code, is_hidden)
     values ('bench consumable', 'Consumable', 'bench item', null, $1, null, 'http://localhost/static/bench.svg', 20000, false)
     returning item_id`,
    [ITEM_COST],
  );
  const itemId = Number(item.rows[0].item_id);
  const members = await signTokens(await insertMembers(client, 'bench-shop', settings.members + 1));
  await client.query('update member set point = $1', [START_POINTS]);
  const exclude = new Set([(await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid]);
  const server = await startMonta(database.url, { DATABASE_POOL_SIZE: String(settings.poolSize) });

  const created = new Map<string, number>(); // answers 201 per member, warm-ups included
  // autocannon drops the connections in flight when a run ends: their purchases commit unanswered.
  const unanswered = new Map<string, number>(); // the most a member can have: one per connection and run
  const buy = (memberOf: (user: number) => BenchMember, concurrency: number, runs = 2): MeasureSpec => {
    for (let u = 0; u < concurrency; u++) {
      unanswered.set(memberOf(u).memberId, (unanswered.get(memberOf(u).memberId) ?? 0) + runs);
    }
    return {
      method: 'POST',
      path: '/v2/shop/purchase',
      body: JSON.stringify({ item_id: itemId, count: 1 }),
      expectStatus: 201,
      concurrency,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      tokenOf: (user) => memberOf(user).token,
      onAnswer: (user, status) => {
        const id = memberOf(user).memberId;
        if (status === 201) created.set(id, (created.get(id) ?? 0) + 1);
      },
    };
  };
  const crowd = members.slice(0, settings.members);
  const lone = members[settings.members];
  // V8 optimises the hot path during the first seconds; that should not land in the first phase.
  await runLoad({ ...buy((u) => crowd[u % crowd.length], 8, 1), baseUrl: server.url, seconds: 3 });
  const phases: [string, number, MeasureSpec][] = [
    ['1: each its own member', settings.members, buy((u) => crowd[u], settings.members)],
    ['2: all on one member', 1, buy(() => lone, settings.singleConcurrency)],
  ];
  const lines: string[][] = [];
  for (const [name, buyers, spec] of phases) {
    lines.push([name, String(buyers), ...figures(await measure(name, server, spec, { name: database.name, exclude }))]);
  }
  if (server.child.exitCode !== null) throw new Error(`monta-server exited during the run:\n${server.output()}`);

  console.log('\nResults (CPU per answer 201: monta-server, and the bench database’s backends but the bench’s own)');
  printTable(['phase', 'members', ...FIGURES], lines);
  await verify(client, members, itemId, created, unanswered);
}

/** The ledger of every member adds up, and matches what the bench was told. */
async function verify(
  client: pg.Client,
  members: BenchMember[],
  itemId: number,
  created: Map<string, number>,
  unanswered: Map<string, number>,
) {
  const rows = await client.query<{ member_id: string; point: number; spent: string; records: string; held: string }>(
    `select m.member_id, m.point,
            coalesce((select sum(t.amount) from transaction_record t where t.member_id = m.member_id and t.transaction_type = 'Purchase'), 0) as spent,
            (select count(*) from transaction_record t where t.member_id = m.member_id and t.transaction_type = 'Purchase') as records,
            coalesce((select sum(i.quantity) from item_inventory i
                      where i.member_id = m.member_id and i.item_id = $2 and i.deleted_at is null), 0) as held
     from member m where m.member_id = any($1::uuid[])`,
    [members.map((m) => m.memberId), itemId],
  );
  const problems = rows.rowCount === members.length ? [] : [`found ${rows.rowCount} of ${members.length} members`];
  let [purchases, cut] = [0, 0];
  for (const r of rows.rows) {
    const [records, spent, answers] = [Number(r.records), Number(r.spent), created.get(r.member_id) ?? 0];
    purchases += records;
    if (r.point !== START_POINTS - spent)
      problems.push(`member ${r.member_id}: ${r.point} points ≠ ${START_POINTS} − ${spent}`);
    if (spent !== records * ITEM_COST) problems.push(`member ${r.member_id}: ${spent} spent on ${records} records`);
    if (Number(r.held) !== records) problems.push(`member ${r.member_id}: ${r.held} held ≠ ${records} records`);
    cut += records - answers;
    if (records < answers || records - answers > (unanswered.get(r.member_id) ?? 0)) {
      problems.push(`member ${r.member_id}: ${records} records for ${answers} answers 201`);
    }
  }
  const verdict = problems.length === 0 ? 'OK' : `MISMATCH\n  - ${problems.slice(0, 20).join('\n  - ')}`;
  console.log(
    `\nLedger check (${members.length} members, ${purchases} purchase records, ${cut} of them cut off unanswered ` +
      `at the end of a run): points = start − records, stack = records, records ≥ answers 201: ${verdict}`,
  );
  if (problems.length > 0) process.exitCode = 1;
}

await runBench(main, 3 * (settings.warmupSeconds + settings.seconds + 2) + 240);
