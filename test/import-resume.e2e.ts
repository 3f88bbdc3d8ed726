import { expect, it } from 'vitest';
import { runCli, useFreshTargets } from './support/import-kit.js';
import { useOriginalDatabase } from './support/original-db.js';
import { loadBulk } from './support/original-fixture.js';

// Issue 15: an import killed mid-way (SIGKILL, no chance to clean up) resumes from its last
// committed batch and ends identical to an uninterrupted import.

const MEMBERS = 300;
const RECORDS = 6000;
const original = useOriginalDatabase((database) => loadBulk(database, MEMBERS, RECORDS));
const freshTarget = useFreshTargets();

it('resumes after a kill mid-way and ends identical to an uninterrupted import', async () => {
  const killed = await freshTarget('import_killed');
  const whole = await freshTarget('import_whole');
  let seen = 0;
  const interrupted = await runCli(['--from', original.url, '--batch-size', '50'], killed.scratch.url, (line, kill) => {
    const m = /^import: study_record (\d+)\/\d+$/.exec(line);
    if (m && Number(m[1]) >= 1000 && seen === 0) {
      seen = Number(m[1]);
      kill();
    }
  });
  expect(interrupted.signal).toBe('SIGKILL');
  const partial = await killed.db.execute('select count(*)::int as n from study_record');
  const n = partial.rows[0]!.n as number;
  // Killed between batches: some records are in, not all, and the watermark says how far.
  expect(n).toBeGreaterThanOrEqual(seen);
  expect(n).toBeLessThan(RECORDS);
  const mark = await killed.db.execute(`select last_key from monta_import.progress where table_name = 'study_record'`);
  expect(Number(mark.rows[0]!.last_key)).toBe(n);

  const resumed = await runCli(['--from', original.url, '--batch-size', '50'], killed.scratch.url);
  expect(resumed.out).toContain('resuming the interrupted import');
  expect(resumed.out).toMatch(new RegExp(`^import: study_record ${n}/${RECORDS} \\(resumed\\)$`, 'm'));
  expect(resumed.out).toContain('verification: everything adds up');
  expect(resumed.code).toBe(0);

  const uninterrupted = await runCli(['--from', original.url], whole.scratch.url);
  expect(uninterrupted.code).toBe(0);
  const sum = (out: string) => /checksum: (\w+)/.exec(out)![1];
  expect(sum(resumed.out)).toBe(sum(uninterrupted.out));
  expect(resumed.out).toMatch(new RegExp(`^study_record\\s+${RECORDS}\\s+0\\s+0\\s+${RECORDS}\\s+ok$`, 'm'));
}, 60_000);
