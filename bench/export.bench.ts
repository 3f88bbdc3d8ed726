/**
 * Export memory (issue 14): the server's resident memory while it streams one member's export, for
 * BENCH_SMALL and BENCH_LARGE study records (and as many Reward transactions), JSON and CSV, beside the
 * same server idle in the same run. Prints figures; never asserts timing.
 *
 *   npx tsx bench/export.bench.ts
 *
 *  1. a scratch database, monta-server; two members by SQL with their records and transactions
 *     (`insert … select … generate_series`), VACUUM (ANALYZE);
 *  2. the server's RSS sampled every 10 ms for 2 s idle, then during each export, which the bench reads
 *     to the end as a client would (bytes counted, not kept).
 *
 * Settings: BENCH_SMALL (2000), BENCH_LARGE (200000), BENCH_ADMIN_URL, BENCH_NODE_FLAGS (e.g.
 * `--max-old-space-size=96`: a V8 heap smaller than the 80 MB file, which an export that held its
 * file would not survive).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { runBench } from './lib/cleanup.js';
import { API, insertMembers, signTokens } from './lib/members.js';
import { startMonta } from './lib/proc.js';
import { fixed, mib, printMachine, printTable } from './lib/report.js';
import { ProcessSampler } from './lib/sample.js';
import { connect, createScratchDatabase } from './lib/scratch-database.js';
import { ADMIN_URL, intSetting } from './lib/settings.js';

const SIZES = {
  small: intSetting('BENCH_SMALL', 2000, 1, 10_000_000),
  large: intSetting('BENCH_LARGE', 200_000, 1, 10_000_000),
};

async function main(): Promise<void> {
  console.log('Machine');
  await printMachine(ADMIN_URL);
  const database = await createScratchDatabase(ADMIN_URL, 'monta_bench_export');
  const db = await connect(database.url);
  const [small, large] = await signTokens(await insertMembers(db, 'bench-export', 2));
  for (const [m, records] of [
    [small, SIZES.small],
    [large, SIZES.large],
  ] as const) {
    await db.query(
      `insert into study_record (member_id, start_time, end_time, status, source)
       select $1, t, t + interval '25 minutes', 'Completed', 'timer'
         from (select timestamptz '2000-01-01T00:00:00Z' + n * interval '1 hour' t from generate_series(1, $2::int) n) s`,
      [m.memberId, records],
    );
    await db.query(
      `insert into transaction_record (member_id, transaction_type, amount, count, balance_after_transaction, notes)
       select $1, 'Reward', 225, 25, 500 + n * 225, '공부 25분 보상' from generate_series(1, $2::int) n`,
      [m.memberId, records],
    );
  }
  await db.query('vacuum (analyze) study_record, transaction_record');
  const server = await startMonta(database.url);
  const pid = server.child.pid ?? 0;

  const mb = (bytes: number | undefined) => fixed(mib(bytes), 1);
  const idle = new ProcessSampler(pid, 10);
  idle.start();
  await sleep(2000);
  idle.stop();
  const rows = [
    ['(idle, 2 s)', '-', '-', '-', mb(idle.rssAtStart), mb(idle.peakRss), mb(idle.peakRss! - idle.rssAtStart!)],
  ];
  for (const [name, m] of [
    ['small', small],
    ['large', large],
  ] as const) {
    for (const format of ['json', 'csv']) {
      const sampler = new ProcessSampler(pid, 10);
      sampler.start();
      const started = performance.now();
      const response = await fetch(`${server.url}${API}/members/${m.memberId}/export?format=${format}`, {
        headers: { authorization: `Bearer ${m.token}` },
      });
      if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
      let bytes = 0;
      for await (const chunk of response.body!) bytes += (chunk as Uint8Array).byteLength;
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      sampler.stop();
      const rise = sampler.peakRss! - sampler.rssAtStart!;
      rows.push([
        `${name} ${format}`,
        String(SIZES[name]),
        String(bytes),
        seconds,
        mb(sampler.rssAtStart),
        mb(sampler.peakRss),
        mb(rise),
      ]);
      await sleep(500);
    }
  }
  console.log('');
  printTable(['export', 'records', 'bytes', 'seconds', 'RSS before MiB', 'peak RSS MiB', 'rise MiB'], rows);
}

await runBench(main, 900);
