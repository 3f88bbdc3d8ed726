import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { type Database, openDatabase } from '../src/database/client.js';
import { runMigrations } from '../src/database/migrator.js';
import {
  DEFAULT_PUBLIC_URL,
  expectedSellValue,
  SEED_CHARACTERS,
  SEED_ITEMS,
  SEED_PALETTES,
  SELL_PRICES,
  staticUrl,
} from '../src/seeds/catalogue.js';
import { renderImages, STATIC_ROOT } from '../scripts/generate-images.js';
import { seed } from '../src/seeds/seed.js';
import { FOOD_ODDS, type Grade, PALETTE_TICKET } from '../src/shop/item-use.rules.js';
import { useApp } from './support/app.js';
import { useDb } from './support/db.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-db.js';
import { freePort } from './support/net.js';

// The catalogue every install is seeded with, and the images the service serves under /static.
const GRADES: Grade[] = ['C', 'B', 'A', 'A+', 'S', 'S+', 'SS'];
const COLOR = /^#[0-9A-F]{6}$/;
const REPO = fileURLToPath(new URL('..', import.meta.url));

const app = useApp();
const db = useDb({ max: 2 });

/** The live rows of `table` named like the seeded ones. */
async function liveByName(table: 'item' | 'character' | 'palette', names: readonly string[]) {
  const { rows } = await db.query(`select * from ${table} where deleted_at is null and name = any($1)`, [names]);
  return rows as Record<string, any>[];
}

/** A request sent as is: fetch would resolve `..` segments before they reach the server. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The path of a seeded image URL, on the test server instead of the seeded origin. */
const onTestServer = (imageUrl: string) => app.url + new URL(imageUrl).pathname;

describe('the seeded catalogue', () => {
  it('has a live, listed Food for every effect code 10000–10006 and the palette ticket 20000 as a Consumable', async () => {
    const rows = await liveByName(
      'item',
      SEED_ITEMS.map((i) => i.name),
    );
    const foods = rows.filter((r) => r.item_type === 'Food');
    expect(foods.map((r) => r.effect_code).sort()).toEqual(Object.keys(FOOD_ODDS).map(Number).sort());
    for (const food of foods) {
      expect(food.is_hidden).toBe(false);
      expect(food.required_study_time).toBeGreaterThanOrEqual(3600);
      expect(food.required_study_time).toBeLessThanOrEqual(4 * 3600);
      expect(food.grade).toMatch(/^[ABCS+]+~[ABCS+]+$/);
      expect(food.description.length).toBeLessThanOrEqual(255);
    }
    const tickets = rows.filter((r) => r.effect_code === PALETTE_TICKET);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({
      item_type: 'Consumable',
      is_hidden: false,
      required_study_time: null,
      grade: null,
    });
  });

  it('better odds cost more and take longer, and no food resells for more than it costs on average', async () => {
    const foods = (
      await liveByName(
        'item',
        SEED_ITEMS.map((i) => i.name),
      )
    ).filter((r) => r.item_type === 'Food');
    const byValue = [...foods].sort((a, b) => expectedSellValue(a.effect_code) - expectedSellValue(b.effect_code));
    for (let i = 1; i < byValue.length; i++) {
      expect(byValue[i]!.cost).toBeGreaterThan(byValue[i - 1]!.cost);
      expect(byValue[i]!.required_study_time).toBeGreaterThanOrEqual(byValue[i - 1]!.required_study_time);
    }
    for (const food of foods) expect(expectedSellValue(food.effect_code)).toBeLessThan(food.cost);
    const cheapest = Math.min(...foods.map((f) => f.cost));
    expect(cheapest, 'a new member (500 points) can buy a food').toBeLessThanOrEqual(loadConfig({}).NEW_MEMBER_POINTS);
  });

  it('has at least two live characters of every grade, sell prices growing with the grade', async () => {
    const rows = await liveByName(
      'character',
      SEED_CHARACTERS.map((c) => c.name),
    );
    for (const grade of GRADES) {
      const ofGrade = rows.filter((r) => r.grade === grade);
      expect(ofGrade.length, grade).toBeGreaterThanOrEqual(2);
      for (const c of ofGrade) expect(c.sell_price).toBe(SELL_PRICES[grade]);
    }
    const prices = GRADES.map((g) => SELL_PRICES[g]);
    expect([...prices].sort((a, b) => a - b)).toEqual(prices);
  });

  it('has at least six palettes, each a ramp of valid colours from light to darker', async () => {
    const rows = await liveByName(
      'palette',
      SEED_PALETTES.map((p) => p.name),
    );
    expect(rows.length).toBeGreaterThanOrEqual(6);
    const luminance = (hex: string) => {
      const n = Number.parseInt(hex.slice(1), 16);
      return 0.2126 * ((n >> 16) & 0xff) + 0.7152 * ((n >> 8) & 0xff) + 0.0722 * (n & 0xff);
    };
    for (const p of rows) {
      const ramp = [p.light_color, p.normal_color, p.dark_color, p.darker_color] as string[];
      for (const color of ramp) expect(color).toMatch(COLOR);
      for (let i = 1; i < ramp.length; i++) expect(luminance(ramp[i]!), p.name).toBeLessThan(luminance(ramp[i - 1]!));
      expect(['Rare', 'Epic', 'Legendary']).toContain(p.grade);
    }
  });
});

describe('catalogue images under /static', () => {
  it('every seeded image URL is absolute and served, with no token, as a cacheable SVG', async () => {
    const rows = [
      ...(await liveByName(
        'item',
        SEED_ITEMS.map((i) => i.name),
      )),
      ...(await liveByName(
        'character',
        SEED_CHARACTERS.map((c) => c.name),
      )),
    ];
    expect(rows).toHaveLength(SEED_ITEMS.length + SEED_CHARACTERS.length);
    for (const row of rows) {
      expect(row.image_url).toMatch(new RegExp(`^${DEFAULT_PUBLIC_URL}/static/(items|characters)/[a-z-]+\\.svg$`));
      const response = await fetch(onTestServer(row.image_url));
      expect(response.status, row.image_url).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toMatch(/^<svg /);
    }
  });

  it('the files in static/ are what the generator draws, one distinct image each', () => {
    const images = renderImages();
    expect(new Set(images.values()).size).toBe(images.size);
    for (const [path, text] of images) {
      expect(readFileSync(join(STATIC_ROOT, path), 'utf8'), `${path}: run generate-images.ts`).toBe(text);
      expect(text.length).toBeLessThan(4096);
    }
  });

  it('nothing outside the folder, no listing, and unknown files are 404', async () => {
    const secret = readFileSync(join(REPO, 'package.json'), 'utf8');
    const attempts = [
      '/static/../package.json',
      '/static/..%2fpackage.json',
      '/static/..%2Fpackage.json',
      '/static/%2e%2e/package.json',
      '/static/%2e%2e%2fpackage.json',
      '/static/characters/..%2f..%2fpackage.json',
      '/static/characters/%2e%2e%2f%2e%2e%2fpackage.json',
      '/static/..%5cpackage.json',
      '/static/characters/../../package.json',
      '/static/....//package.json',
      '/static/%252e%252e%252fpackage.json',
      '/static/',
      '/static',
      '/static/characters/',
      '/static/characters',
      '/static/characters/nobody.svg',
      '/static/characters/mallang.svg%00.json',
    ];
    for (const path of attempts) {
      const { status, body } = await rawGet(app.url, path);
      expect([400, 403, 404], path).toContain(status);
      expect(body).not.toContain('"name": "monta-server"');
      expect(body).not.toContain(secret.slice(0, 40));
      expect(body).not.toMatch(/mallang\.svg.*monggeul\.svg/s);
    }
  });
});

describe('seeding the catalogue', () => {
  const scratch: ScratchDatabase[] = [];
  const open: Database[] = [];
  afterAll(async () => {
    await Promise.all(open.splice(0).map((d) => d.close()));
    await Promise.all(scratch.splice(0).map((d) => d.drop()));
  });
  async function migrated(): Promise<Database> {
    const s = await createScratchDatabase('catalogue');
    scratch.push(s);
    const database = await openDatabase({ url: s.url, dataDir: '', poolSize: 3 });
    open.push(database);
    await runMigrations(database.db);
    return database;
  }
  const imageUrls = async (database: Database) =>
    Object.fromEntries(
      (
        await database.execute(
          `select name, image_url from item union all select name, image_url from character order by name`,
        )
      ).rows.map((r) => [r.name, r.image_url]),
    );

  it('image URLs are built on PUBLIC_URL; a new PUBLIC_URL moves the seeded ones, not what an admin changed', async () => {
    const database = await migrated();
    await seed(database.db, { production: true, publicUrl: 'https://old.example.com' });
    const mallang = SEED_CHARACTERS.find((c) => c.name === '말랑이')!;
    expect((await imageUrls(database))['말랑이']).toBe(staticUrl('https://old.example.com', mallang.image));

    await database.execute(`update character set image_url = 'https://cdn.example.com/own.png' where name = '몽글이'`);
    await database.execute(`update item set cost = 777, description = '관리자 설명' where name = '당근'`);
    await seed(database.db, { production: true, publicUrl: 'https://api.example.com/monta' });

    // A caller that doesn't know the origin (the test setup, admin:create) moves nothing.
    await seed(database.db, { production: true });
    const urls = await imageUrls(database);
    expect(urls['말랑이']).toBe('https://api.example.com/monta/static/characters/mallang.svg');
    expect(urls['팔레트 티켓']).toBe('https://api.example.com/monta/static/items/palette-ticket.svg');
    expect(urls['몽글이']).toBe('https://cdn.example.com/own.png');
    const { rows } = await database.execute(`select cost, description from item where name = '당근'`);
    expect(rows).toEqual([{ cost: 777, description: '관리자 설명' }]);
    const { rows: counts } = await database.execute(
      `select (select count(*)::int from item) items, (select count(*)::int from character) characters`,
    );
    expect(counts).toEqual([{ items: SEED_ITEMS.length, characters: SEED_CHARACTERS.length }]);
  });

  it("the catalogue is the admins' once seeded: a deleted or renamed seeded row is not brought back", async () => {
    const database = await migrated();
    await seed(database.db, { production: true });
    for (const table of ['character', 'item', 'palette']) {
      await database.execute(`update ${table} set deleted_at = now() where name = any($1)`, [
        ['말랑이', '당근', '새싹'],
      ]);
    }
    await database.execute(`update character set name = '몽글이 2세' where name = '몽글이'`);
    await database.execute(`update item set name = '햇양파' where name = '양파'`);
    await database.execute(`update palette set name = '깊은 바다' where name = '바다'`);
    await seed(database.db, { production: true });
    const { rows } = await database.execute(
      `select name, deleted_at is null live from character where name in ('말랑이', '몽글이', '몽글이 2세')
       union all select name, deleted_at is null from item where name in ('당근', '양파', '햇양파')
       union all select name, deleted_at is null from palette where name in ('새싹', '바다', '깊은 바다')`,
    );
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    expect((rows as { name: string; live: boolean }[]).sort(byName)).toEqual(
      [
        { name: '말랑이', live: false },
        { name: '몽글이 2세', live: true },
        { name: '당근', live: false },
        { name: '햇양파', live: true },
        { name: '새싹', live: false },
        { name: '깊은 바다', live: true },
      ].sort(byName),
    );
  });

  it('PUBLIC_URL defaults to http://localhost:PORT and must be an http(s) URL without query', () => {
    expect(loadConfig({}).PUBLIC_URL).toBe(DEFAULT_PUBLIC_URL);
    expect(loadConfig({ PORT: '4011' }).PUBLIC_URL).toBe('http://localhost:4011');
    expect(loadConfig({ PUBLIC_URL: 'https://api.example.com/' }).PUBLIC_URL).toBe('https://api.example.com');
    for (const bad of ['ftp://x.example', 'not a url', 'https://x.example/?a=1', `https://${'a'.repeat(200)}.com`]) {
      expect(() => loadConfig({ PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL/);
    }
  });
});

describe('the built service on PGlite, started from another folder', { timeout: 300_000 }, () => {
  const dirs: string[] = [];
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves static/ from beside dist/, and seeds image URLs on PUBLIC_URL', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'monta-static-'));
    dirs.push(cwd);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: join(cwd, 'data'),
      PUBLIC_URL: base,
      LOG_LEVEL: 'silent',
    };
    child = spawn(process.execPath, [join(REPO, 'dist', 'main.js')], { cwd, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 240_000;
    while ((await fetch(`${base}/health/ready`).catch(() => undefined))?.status !== 200) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('the built service did not start');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const { image } of [...SEED_ITEMS, ...SEED_CHARACTERS]) {
      const response = await fetch(staticUrl(base, image));
      expect(response.status, image).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const database = await openDatabase({ dataDir: join(cwd, 'data') });
    try {
      const { rows } = await database.execute(`select image_url from item union all select image_url from character`);
      const expected = [...SEED_ITEMS, ...SEED_CHARACTERS].map((s) => staticUrl(base, s.image)).sort();
      expect(rows.map((r) => String(r.image_url)).sort()).toEqual(expected);
    } finally {
      await database.close();
    }
  });
});
