import type { Database } from '../database/client.js';
import type { ImportContext } from './context.js';
import type { Source } from './source.js';
import { TABLES } from './tables.js';

export interface TableCount {
  table: string;
  source: number;
  /** Deleted as the original meant it (a deleted account and all its data, deleted inventories…). */
  skipped: number;
  refused: number;
  target: number;
  ok: boolean;
}

export interface RefusedRow {
  table: string;
  key: string;
  reason: string;
}

export interface Verification {
  tables: TableCount[];
  points: { source: number; target: number };
  running: { source: number; targetRecords: number; targetMembers: number };
  refused: RefusedRow[];
  /** md5 over every imported table, ordered by id: equal figures mean equal data. */
  checksum: string;
  /** Everything adds up and nothing was refused. */
  ok: boolean;
}

type Exec = Database['execute'];

export async function verify(source: Source, exec: Exec, ctx: ImportContext): Promise<Verification> {
  const tables: TableCount[] = [];
  for (const spec of TABLES) {
    const [all] = await source.query(`select count(*) as n from \`${spec.name}\``);
    const [skipped] = await source.query(`select count(*) as n from \`${spec.name}\` s where ${spec.skippedWhere}`);
    const refused = await count(exec, `select count(*) as n from monta_import.refused where table_name = $1`, [
      spec.name,
    ]);
    const target = await count(exec, `select count(*) as n from "${spec.name}"`);
    const expected = Number(all!.n) - Number(skipped!.n) - refused;
    tables.push({
      table: spec.name,
      source: Number(all!.n),
      skipped: Number(skipped!.n),
      refused,
      target,
      ok: target === expected,
    });
  }
  const kept = [...ctx.members.values()].filter((m) => m.status.kind === 'ok');
  const points = {
    source: kept.reduce((sum, m) => sum + m.point, 0),
    target: await count(exec, 'select coalesce(sum(point), 0) as n from member'),
  };
  const running = {
    source: kept.filter((m) => m.activeRecordId !== null).length,
    targetRecords: await count(
      exec,
      'select count(*) as n from study_record where end_time is null and deleted_at is null',
    ),
    targetMembers: await count(exec, 'select count(*) as n from member where active_record_id is not null'),
  };
  const { rows } = await exec(
    'select table_name, source_key, reason from monta_import.refused order by table_name, source_key',
  );
  const refused = rows.map((r) => ({
    table: String(r.table_name),
    key: String(r.source_key),
    reason: String(r.reason),
  }));
  const ok =
    tables.every((t) => t.ok) &&
    points.source === points.target &&
    running.source === running.targetRecords &&
    running.source === running.targetMembers &&
    refused.length === 0;
  return { tables, points, running, refused, checksum: await checksum(exec), ok };
}

async function count(exec: Exec, text: string, params?: unknown[]): Promise<number> {
  return Number((await exec(text, params)).rows[0]!.n);
}

/** One md5 over the imported tables' rows in id order (timestamps rendered in UTC). */
export async function checksum(exec: Exec): Promise<string> {
  // Only the imported columns: columns the service adds later (with their own defaults) don't count.
  const parts = TABLES.map((t) => {
    const row = `row(${t.columns.map((c) => `x."${c}"`).join(', ')})::text`;
    return `(select coalesce(md5(string_agg(${row}, '|' order by x."${t.columns[0]!}")), '') from "${t.name}" x)`;
  });
  await exec(`set time zone 'UTC'`);
  const { rows } = await exec(`select md5(${parts.join(' || ')}) as sum`);
  return String(rows[0]!.sum);
}

/** The verification as a plain-text table, for the terminal and the logs. */
export function formatVerification(v: Verification): string {
  const header = ['table', 'source', 'skipped', 'refused', 'target', ''];
  const body = v.tables.map((t) =>
    [t.table, t.source, t.skipped, t.refused, t.target, t.ok ? 'ok' : 'MISMATCH'].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), ...body.map(line)];
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISMATCH');
  out.push('');
  out.push(
    `points: source ${v.points.source}, target ${v.points.target}  ${mark(v.points.source === v.points.target)}`,
  );
  const r = v.running;
  out.push(
    `running sessions: source ${r.source}, target records ${r.targetRecords}, target members ${r.targetMembers}  ${mark(r.source === r.targetRecords && r.source === r.targetMembers)}`,
  );
  out.push(`refused rows: ${v.refused.length}`);
  for (const row of v.refused) out.push(`  ${row.table} ${row.key}: ${row.reason}`);
  out.push(`checksum: ${v.checksum}`);
  out.push(v.ok ? 'verification: everything adds up' : 'verification: FAILED (see above)');
  return out.join('\n');
}
