import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateMigration } from 'drizzle-kit/api';
import { MIGRATIONS_DIR } from './migrator.js';

// `npm run migration:generate -- <name>`: drizzle-kit writes the `up`; the `down` is the same diff
// taken in reverse (current snapshot → previous snapshot). Review both before committing.
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run migration:generate -- <snake_case_name>');
  process.exit(2);
}

type Journal = { entries: { idx: number; tag: string }[] };
const readJournal = (): Journal => JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as Journal;
// drizzle-kit names a snapshot after the tag's prefix (a timestamp here).
const snapshot = (tag: string) =>
  JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/${tag.split('_')[0]}_snapshot.json`, 'utf8'));

const before = (() => {
  try {
    return readJournal().entries.length;
  } catch {
    return 0;
  }
})();
execFileSync('npx', ['drizzle-kit', 'generate', '--name', name], { stdio: 'inherit' });
const entries = readJournal().entries;
const latest = entries[entries.length - 1];
const downPath = latest && `${MIGRATIONS_DIR}/${latest.tag}.down.sql`;
if (!latest || (entries.length === before && existsSync(downPath!))) {
  console.log('No schema changes, no migration written.');
  process.exit(0);
}
const current = snapshot(latest.tag);
const previous =
  entries.length === 1
    ? {
        ...current,
        tables: {},
        enums: {},
        schemas: {},
        sequences: {},
        roles: {},
        policies: {},
        views: {},
        _meta: { schemas: {}, tables: {}, columns: {} },
      }
    : snapshot(entries[entries.length - 2]!.tag);
const statements = await generateMigration(current, previous);
writeFileSync(downPath!, statements.join('\n--> statement-breakpoint\n') + '\n');
console.log(`Wrote ${latest.tag}.sql and ${latest.tag}.down.sql; review the down before committing.`);
