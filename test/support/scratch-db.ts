import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../src/database/client.js';

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminUrl') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An empty PostgreSQL database of its own, for suites that migrate or seed from scratch. */
export async function createScratchDatabase(tag = 'scratch'): Promise<ScratchDatabase> {
  const name = `monta_${tag}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(inject('adminUrl'));
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export type SchemaFingerprint = Record<string, string[]>;

const BOOKKEEPING = 'monta_migrations';

// Every query yields one text line per object; the bookkeeping table is left out on purpose.
const SECTIONS: Record<string, string> = {
  relations: `
    select c.relname || ' kind=' || c.relkind::text || ' persistence=' || c.relpersistence::text || ' rls=' || c.relrowsecurity
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relname not like '${BOOKKEEPING}%'`,
  columns: `
    select c.relname || '.' || a.attname
      || ' #' || row_number() over (partition by c.oid order by a.attnum)
      || ' ' || format_type(a.atttypid, a.atttypmod)
      || case when a.attnotnull then ' not null' else ' null' end
      || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
      || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
      || ' collation=' || case when a.attcollation = 0 then '-' else a.attcollation::regcollation::text end
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
      and a.attnum > 0 and not a.attisdropped and c.relname <> '${BOOKKEEPING}'`,
  constraints: `
    select rel.relname || ' ' || con.conname || ' ' || con.contype::text || ' ' || pg_get_constraintdef(con.oid, true)
      || ' deferrable=' || con.condeferrable || ' deferred=' || con.condeferred || ' valid=' || con.convalidated
    from pg_constraint con
    join pg_namespace n on n.oid = con.connamespace
    left join pg_class rel on rel.oid = con.conrelid
    where n.nspname = 'public' and coalesce(rel.relname, '') <> '${BOOKKEEPING}'`,
  indexes: `
    select tablename || ' ' || indexname || ' ' || indexdef
    from pg_indexes where schemaname = 'public' and tablename <> '${BOOKKEEPING}'`,
  sequences: `
    select c.relname || ' ' || format_type(s.seqtypid, null) || ' start=' || s.seqstart || ' min=' || s.seqmin
      || ' max=' || s.seqmax || ' increment=' || s.seqincrement || ' cycle=' || s.seqcycle || ' cache=' || s.seqcache
      || ' owned_by=' || coalesce(owner.relname || '.' || a.attname || ' (' || dep.deptype::text || ')', '-')
    from pg_sequence s
    join pg_class c on c.oid = s.seqrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_depend dep on dep.classid = 'pg_class'::regclass and dep.objid = c.oid
      and dep.refclassid = 'pg_class'::regclass and dep.deptype in ('a', 'i')
    left join pg_class owner on owner.oid = dep.refobjid
    left join pg_attribute a on a.attrelid = dep.refobjid and a.attnum = dep.refobjsubid
    where n.nspname = 'public'`,
  types: `
    select t.typname || ' ' || t.typtype::text || ' ' || coalesce(
      (select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid),
      format_type(t.typbasetype, t.typtypmod))
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'public' and t.typtype in ('e', 'd')`,
  views: `select viewname || ' ' || definition from pg_views where schemaname = 'public'`,
  functions: `
    select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(pg_get_functiondef(p.oid))
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.prokind in ('f', 'p')`,
  triggers: `
    select pg_get_triggerdef(t.oid)
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and not t.tgisinternal`,
  policies: `select tablename || ' ' || policyname || ' ' || cmd || ' ' || coalesce(qual, '-') from pg_policies where schemaname = 'public'`,
  extensions: `select extname || ' ' || extversion from pg_extension where extname <> 'plpgsql'`,
};

/** What the migrations control in the public schema, as sorted lines per kind of object. */
export async function schemaFingerprint(database: Database): Promise<SchemaFingerprint> {
  const fingerprint: SchemaFingerprint = {};
  for (const [section, query] of Object.entries(SECTIONS)) {
    const { rows } = await database.execute(`select line from (${query}) as f(line) order by line`);
    fingerprint[section] = rows.map((r) => String(r.line));
  }
  return fingerprint;
}

/** Every relation (tables, indexes, sequences, views) in the public schema, bookkeeping included. */
export async function publicRelations(database: Database): Promise<string[]> {
  const { rows } = await database.execute(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' order by c.relname`,
  );
  return rows.map((r) => String(r.relname));
}

export async function appliedTags(database: Database): Promise<string[]> {
  const { rows } = await database.execute(`select tag from ${BOOKKEEPING} order by tag`);
  return rows.map((r) => String(r.tag));
}
