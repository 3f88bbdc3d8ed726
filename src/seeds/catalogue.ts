import { eq, sql } from 'drizzle-orm';
import { FOOD_ODDS, type Grade, PALETTE_TICKET } from '../shop/item-use.rules.js';
import type { Db, Tx } from '../database/client.js';
import { character, item, palette } from '../database/schema.js';

// The shop catalogue every fresh install starts with. Images live in `static/` and are
// served by the service under /static; the generator (scripts/generate-images.ts) draws them.

const HOUR = 3600;
const LOCK_KEY = 7_305_462_112; // any constant; serialises catalogue seeders of several instances

export interface SeedItem {
  name: string;
  itemType: 'Food' | 'Consumable';
  description: string;
  requiredStudyTime: number | null;
  cost: number;
  grade: string | null;
  /** Path under /static. */
  image: string;
  effectCode: number;
}

export interface SeedCharacter {
  name: string;
  description: string;
  grade: Grade;
  image: string;
  sellPrice: number;
}

export interface SeedPalette {
  name: string;
  grade: 'Rare' | 'Epic' | 'Legendary';
  lightColor: string;
  normalColor: string;
  darkColor: string;
  darkerColor: string;
}

/** What a character of each grade sells for; a food's expected resale stays below its cost. */
export const SELL_PRICES: Readonly<Record<Grade, number>> = {
  C: 50,
  B: 100,
  A: 200,
  'A+': 450,
  S: 900,
  'S+': 1800,
  SS: 4500,
};

const odds = (code: number) => FOOD_ODDS[code]!;
const gradeRange = (code: number) => `${odds(code)[0]![0]}~${odds(code).at(-1)![0]}`;
const food = (code: number, name: string, file: string, cost: number, hours: number, blurb: string): SeedItem => ({
  name,
  itemType: 'Food',
  description: `${blurb} 공부 ${hours}시간 뒤에 사용할 수 있어요. 확률 ${odds(code)
    .map(([grade, percent]) => `${grade} ${percent}%`)
    .join(' · ')}`,
  requiredStudyTime: hours * HOUR,
  cost,
  grade: gradeRange(code),
  image: `items/${file}.svg`,
  effectCode: code,
});

export const SEED_ITEMS: readonly SeedItem[] = [
  food(10000, '당근', 'carrot', 200, 1, '아삭아삭 기본 먹이.'),
  food(10001, '양파', 'onion', 150, 1, '가장 저렴한 먹이.'),
  food(10002, '두부', 'tofu', 300, 1.5, '말랑한 단백질 먹이.'),
  food(10003, '고기', 'meat', 500, 2, '든든한 고기 먹이.'),
  food(10004, '연어', 'salmon', 900, 2.5, '기름진 연어 먹이.'),
  food(10005, '꿀단지', 'honey-pot', 1600, 3, '달콤한 꿀이 가득한 단지.'),
  food(10006, '황금사과', 'golden-apple', 3000, 4, '전설의 몬타를 부르는 사과.'),
  {
    name: '팔레트 티켓',
    itemType: 'Consumable',
    description: '잔디 색상 팔레트를 무작위로 바꿔요.',
    requiredStudyTime: null,
    cost: 300,
    grade: null,
    image: 'items/palette-ticket.svg',
    effectCode: PALETTE_TICKET,
  },
];

const creature = (grade: Grade, name: string, file: string, description: string): SeedCharacter => ({
  name,
  description,
  grade,
  image: `characters/${file}.svg`,
  sellPrice: SELL_PRICES[grade],
});

export const SEED_CHARACTERS: readonly SeedCharacter[] = [
  creature('C', '말랑이', 'mallang', '말랑말랑한 젤리 몸으로 책상 위를 굴러다녀요.'),
  creature('C', '몽글이', 'monggeul', '구름처럼 몽글몽글해요. 책장 넘기는 소리에 잠들어요.'),
  creature('B', '방울이', 'bangul', '물방울처럼 톡톡 튀어요. 집중할 때는 옆에서 조용히 기다려요.'),
  creature('B', '콩닥이', 'kongdak', '시험 전날이면 심장이 더 빨리 콩닥콩닥 뛰어요.'),
  creature('A', '반짝이', 'banjjak', '머리 위 별이 한 문제 풀 때마다 더 밝게 빛나요.'),
  creature('A', '솜솜이', 'somsom', '솜사탕 털을 가졌어요. 달콤한 쉬는 시간을 좋아해요.'),
  creature('A+', '새벽이', 'saebyeok', '새벽 공부를 함께하는 부엉이 친구예요.'),
  creature('A+', '도토리', 'dotori', '다람쥐에게서 도망친 도토리. 모자는 절대 벗지 않아요.'),
  creature('S', '달토끼', 'moon-rabbit', '달에서 내려온 토끼. 긴 귀로 잡념을 걸러내요.'),
  creature('S', '구름고래', 'cloud-whale', '하늘을 헤엄치는 작은 고래. 머리에서 무지개를 뿜어요.'),
  creature('S+', '불꽃용', 'fire-dragon', '열정이 불꽃으로 타오르는 아기 용이에요.'),
  creature('S+', '얼음여우', 'ice-fox', '차가운 머리로 어려운 문제도 척척 풀어요.'),
  creature('SS', '황금몬타', 'golden-monta', '전설로만 전해지는 황금빛 몬타. 만나면 합격한대요.'),
  creature('SS', '우주몬타', 'cosmic-monta', '별빛을 모아 만든 몬타. 밤새 공부한 사람에게만 나타나요.'),
];

const ramp = (
  name: string,
  grade: SeedPalette['grade'],
  [lightColor, normalColor, darkColor, darkerColor]: readonly [string, string, string, string],
): SeedPalette => ({ name, grade, lightColor, normalColor, darkColor, darkerColor });

// Heat-map ramps of one hue, from the lightest (a little study) to the darkest (a lot).
export const SEED_PALETTES: readonly SeedPalette[] = [
  ramp('새싹', 'Rare', ['#9BE9A8', '#40C463', '#30A14E', '#216E39']),
  ramp('바다', 'Rare', ['#BAE6FD', '#38BDF8', '#0284C7', '#075985']),
  ramp('라벤더', 'Rare', ['#DDD6FE', '#A78BFA', '#7C3AED', '#5B21B6']),
  ramp('벚꽃', 'Epic', ['#FBCFE8', '#F472B6', '#DB2777', '#9D174D']),
  ramp('노을', 'Epic', ['#FED7AA', '#FB923C', '#EA580C', '#9A3412']),
  ramp('민트', 'Epic', ['#99F6E4', '#2DD4BF', '#0D9488', '#115E59']),
  ramp('황금', 'Legendary', ['#FDE68A', '#FBBF24', '#D97706', '#92400E']),
  ramp('밤하늘', 'Legendary', ['#C7D2FE', '#818CF8', '#4F46E5', '#3730A3']),
];

/** The expected resale value of the character a food hatches into. */
export function expectedSellValue(effectCode: number): number {
  return odds(effectCode).reduce((sum, [grade, percent]) => sum + (SELL_PRICES[grade] * percent) / 100, 0);
}

/** Where image URLs point when the caller names no origin (as `PUBLIC_URL` defaults on port 4000). */
export const DEFAULT_PUBLIC_URL = 'http://localhost:4000';

/** The absolute URL of a file under /static; the PWA shows images from another origin. */
export const staticUrl = (publicUrl: string, path: string) => `${publicUrl.replace(/\/+$/, '')}/static/${path}`;

interface Live {
  id: number;
  imageUrl: string;
}

interface Origin {
  url: string;
  /** Move seeded image URLs found on another origin to this one. */
  rebase: boolean;
}

/**
 * Fills each catalogue table once: only while it has no row at all (deleted ones count), under one
 * advisory lock so that seeders starting together never both insert. After that the catalogue is
 * the admins': a row they renamed, re-coded or deleted is never brought back by a re-seed (the
 * embedded database re-seeds at every start), and what they changed stays. Given a `publicUrl`, a seeded image
 * URL that points at another origin (PUBLIC_URL changed since) is moved to it; a caller that doesn't
 * know the service's origin moves nothing.
 */
export async function seedCatalogue(db: Db, publicUrl?: string): Promise<void> {
  const origin = { url: publicUrl ?? DEFAULT_PUBLIC_URL, rebase: publicUrl !== undefined };
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
    await seedItems(tx, origin);
    await seedCharacters(tx, origin);
    await seedPalettes(tx);
  });
}

async function seedItems(tx: Tx, origin: Origin): Promise<void> {
  const rows = await tx
    .select({ id: item.itemId, effectCode: item.effectCode, name: item.name, imageUrl: item.imageUrl })
    .from(item);
  const existing = new Map<string, Live>(rows.map((r) => [`${r.effectCode}:${r.name}`, r]));
  for (const { image, ...values } of SEED_ITEMS) {
    const imageUrl = staticUrl(origin.url, image);
    const found = existing.get(`${values.effectCode}:${values.name}`);
    if (rows.length === 0) {
      await tx.insert(item).values({ ...values, imageUrl });
    } else if (found && origin.rebase && movedOrigin(found, imageUrl, image)) {
      await tx
        .update(item)
        .set({ imageUrl, updatedAt: sql`now()` })
        .where(eq(item.itemId, found.id));
    }
  }
}

async function seedCharacters(tx: Tx, origin: Origin): Promise<void> {
  const rows = await tx
    .select({ id: character.characterId, name: character.name, imageUrl: character.imageUrl })
    .from(character);
  const existing = new Map<string, Live>(rows.map((r) => [r.name, r]));
  for (const { image, ...values } of SEED_CHARACTERS) {
    const imageUrl = staticUrl(origin.url, image);
    const found = existing.get(values.name);
    // The partial unique index on live names also covers an admin creating the same name meanwhile.
    if (rows.length === 0) {
      await tx
        .insert(character)
        .values({ ...values, imageUrl })
        .onConflictDoNothing();
    } else if (found && origin.rebase && movedOrigin(found, imageUrl, image)) {
      await tx
        .update(character)
        .set({ imageUrl, updatedAt: sql`now()` })
        .where(eq(character.characterId, found.id));
    }
  }
}

async function seedPalettes(tx: Tx): Promise<void> {
  const [row] = await tx.select({ count: sql<number>`count(*)::int` }).from(palette);
  if (row!.count === 0) await tx.insert(palette).values([...SEED_PALETTES]);
}

/** The seeded image (the same file under /static) but served from an origin other than the current one. */
const movedOrigin = (found: Live, url: string, image: string) =>
  found.imageUrl !== url && found.imageUrl.endsWith(`/static/${image}`);
