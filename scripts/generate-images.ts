import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Grade } from '../src/shop/item-use.rules.js';
import { SEED_CHARACTERS, SEED_ITEMS } from '../src/seeds/catalogue.js';

// Draws the catalogue's images into `static/` (`npx tsx scripts/generate-images.ts`).
// The files are committed; a test checks that they match what this draws.

export const STATIC_ROOT = fileURLToPath(new URL('../static/', import.meta.url));

type Shape = 'blob' | 'round' | 'drop';
type Feature =
  | 'sprout'
  | 'fluff'
  | 'heart'
  | 'star'
  | 'sparkles'
  | 'ears'
  | 'tufts'
  | 'cap'
  | 'longEars'
  | 'spout'
  | 'tail'
  | 'horns'
  | 'flame'
  | 'pointyEars'
  | 'crown'
  | 'starry';

interface Look {
  body: string;
  shape: Shape;
  features: Feature[];
  /** Light eyes and mouth on a dark body. */
  dark?: boolean;
}

const LOOKS: Record<string, Look> = {
  'characters/mallang.svg': { body: '#9ED56B', shape: 'blob', features: ['sprout'] },
  'characters/monggeul.svg': { body: '#C9D3E3', shape: 'round', features: ['fluff'] },
  'characters/bangul.svg': { body: '#6EC6F0', shape: 'drop', features: [] },
  'characters/kongdak.svg': { body: '#F49A9A', shape: 'round', features: ['heart'] },
  'characters/banjjak.svg': { body: '#FFD166', shape: 'blob', features: ['star', 'sparkles'] },
  'characters/somsom.svg': { body: '#F7B2DC', shape: 'round', features: ['ears'] },
  'characters/saebyeok.svg': { body: '#8E7CC3', shape: 'round', features: ['tufts'] },
  'characters/dotori.svg': { body: '#D9A066', shape: 'round', features: ['cap'] },
  'characters/moon-rabbit.svg': { body: '#EEF0FA', shape: 'blob', features: ['longEars'] },
  'characters/cloud-whale.svg': { body: '#7FB3E8', shape: 'round', features: ['tail', 'spout'] },
  'characters/fire-dragon.svg': { body: '#F2704E', shape: 'blob', features: ['horns', 'flame'] },
  'characters/ice-fox.svg': { body: '#A5E4F0', shape: 'blob', features: ['pointyEars', 'sparkles'] },
  'characters/golden-monta.svg': { body: '#F5C542', shape: 'blob', features: ['crown', 'sparkles'] },
  'characters/cosmic-monta.svg': { body: '#3D3B8E', shape: 'round', features: ['starry', 'sparkles'], dark: true },
};

const GRADE_COLORS: Record<Grade, string> = {
  C: '#9AA5B1',
  B: '#4CAF50',
  A: '#3B82F6',
  'A+': '#6366F1',
  S: '#A855F7',
  'S+': '#EC4899',
  SS: '#F59E0B',
};

/** The colour mixed toward black by `amount` (0–1). */
function shade(hex: string, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const channel = (shift: number) => Math.round(((n >> shift) & 0xff) * (1 - amount));
  return `#${[16, 8, 0].map((s) => channel(s).toString(16).padStart(2, '0')).join('')}`.toUpperCase();
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const svg = (title: string, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128" width="128" height="128" role="img">` +
  `<title>${escape(title)}</title>${body}</svg>\n`;

const BODIES: Record<Shape, (fill: string, stroke: string) => string> = {
  blob: (f, s) =>
    `<path d="M24 108C18 70 36 36 64 36C92 36 110 70 104 108Q64 116 24 108Z" fill="${f}" stroke="${s}" stroke-width="3"/>`,
  round: (f, s) => `<ellipse cx="64" cy="76" rx="42" ry="38" fill="${f}" stroke="${s}" stroke-width="3"/>`,
  drop: (f, s) =>
    `<path d="M64 24C84 52 106 70 104 90C102 110 84 114 64 114C44 114 26 110 24 90C22 70 44 52 64 24Z" fill="${f}" stroke="${s}" stroke-width="3"/>`,
};

const star = (x: number, y: number, r: number, fill: string) => {
  const points = Array.from({ length: 10 }, (_, i) => {
    const angle = (Math.PI / 5) * i - Math.PI / 2;
    const radius = i % 2 === 0 ? r : r * 0.45;
    return `${(x + radius * Math.cos(angle)).toFixed(1)},${(y + radius * Math.sin(angle)).toFixed(1)}`;
  });
  return `<polygon points="${points.join(' ')}" fill="${fill}"/>`;
};
const sparkle = (x: number, y: number, r: number) =>
  `<path d="M${x} ${y - r}Q${x} ${y} ${x + r} ${y}Q${x} ${y} ${x} ${y + r}Q${x} ${y} ${x - r} ${y}Q${x} ${y} ${x} ${y - r}Z" fill="#FFF3B0"/>`;

/** Features drawn behind the body, then in front of it. */
function features(look: Look, stroke: string): { back: string; front: string } {
  const f = look.body;
  const back: string[] = [];
  const front: string[] = [];
  for (const feature of look.features) {
    switch (feature) {
      case 'sprout':
        front.push(
          `<path d="M64 38V26" stroke="#4E8A2E" stroke-width="3"/><path d="M64 28C56 16 44 20 46 26C50 30 58 30 64 28Z" fill="#6DBE45"/><path d="M64 28C72 16 84 20 82 26C78 30 70 30 64 28Z" fill="#6DBE45"/>`,
        );
        break;
      case 'fluff':
        back.push(
          [
            [26, 70],
            [32, 52],
            [46, 42],
            [64, 38],
            [82, 42],
            [96, 52],
            [102, 70],
          ]
            .map(([x, y]) => `<circle cx="${x}" cy="${y}" r="13" fill="${f}" stroke="${stroke}" stroke-width="3"/>`)
            .join(''),
        );
        break;
      case 'heart':
        front.push(
          `<path d="M64 38V24" stroke="${stroke}" stroke-width="3"/><path d="M64 26C58 16 46 20 52 28L64 38L76 28C82 20 70 16 64 26Z" fill="#E94F64"/>`,
        );
        break;
      case 'star':
        front.push(`<path d="M64 36V22" stroke="${stroke}" stroke-width="3"/>${star(64, 16, 11, '#FFB703')}`);
        break;
      case 'sparkles':
        front.push(sparkle(18, 30, 7) + sparkle(112, 56, 6) + sparkle(22, 64, 4));
        break;
      case 'ears':
        back.push(
          `<circle cx="36" cy="44" r="14" fill="${f}" stroke="${stroke}" stroke-width="3"/><circle cx="92" cy="44" r="14" fill="${f}" stroke="${stroke}" stroke-width="3"/>`,
        );
        break;
      case 'tufts':
        back.push(`<path d="M30 60L28 28L54 44Z" fill="${stroke}"/><path d="M98 60L100 28L74 44Z" fill="${stroke}"/>`);
        front.push(
          `<ellipse cx="64" cy="92" rx="18" ry="14" fill="#D9CFF0"/><path d="M58 80L64 88L70 80Z" fill="#F2A541"/>`,
        );
        break;
      case 'cap':
        front.push(
          `<path d="M20 66Q24 28 64 28Q104 28 108 66Q64 56 20 66Z" fill="#7A4E2D"/><rect x="60" y="14" width="8" height="16" rx="3" fill="#5C3A1E"/>`,
        );
        break;
      case 'longEars':
        back.push(
          `<ellipse cx="48" cy="28" rx="9" ry="26" fill="${f}" stroke="${stroke}" stroke-width="3"/><ellipse cx="80" cy="28" rx="9" ry="26" fill="${f}" stroke="${stroke}" stroke-width="3"/>`,
          `<ellipse cx="48" cy="30" rx="4" ry="18" fill="#F7C6D4"/><ellipse cx="80" cy="30" rx="4" ry="18" fill="#F7C6D4"/>`,
        );
        break;
      case 'spout':
        front.push(
          `<path d="M64 38C64 28 58 20 50 18M64 38C64 28 70 20 78 18M64 38V16" stroke="#9AD8FF" stroke-width="4" fill="none" stroke-linecap="round"/>`,
        );
        break;
      case 'tail':
        back.push(`<path d="M100 80L122 62L118 92Z" fill="${f}" stroke="${stroke}" stroke-width="3"/>`);
        break;
      case 'horns':
        back.push(`<path d="M44 46L38 14L58 40Z" fill="#FFE08A"/><path d="M84 46L90 14L70 40Z" fill="#FFE08A"/>`);
        front.push(
          `<path d="M28 96L16 84L30 80Z" fill="${stroke}"/><path d="M100 96L112 84L98 80Z" fill="${stroke}"/>`,
        );
        break;
      case 'flame':
        front.push(`<path d="M64 42C52 32 60 18 64 8C68 18 76 32 64 42Z" fill="#FFB703"/>`);
        break;
      case 'pointyEars':
        back.push(
          `<path d="M28 64L32 16L60 42Z" fill="${f}" stroke="${stroke}" stroke-width="3"/><path d="M100 64L96 16L68 42Z" fill="${f}" stroke="${stroke}" stroke-width="3"/>`,
        );
        break;
      case 'crown':
        front.push(
          `<path d="M40 42L36 16L52 28L64 12L76 28L92 16L88 42Z" fill="#FFD23F" stroke="#C99700" stroke-width="2"/><circle cx="64" cy="32" r="4" fill="#E94F64"/>`,
        );
        break;
      case 'starry':
        front.push(
          [
            star(40, 56, 4, '#FFF3B0'),
            star(92, 62, 3, '#FFF3B0'),
            star(82, 100, 4, '#FFF3B0'),
            star(46, 102, 3, '#FFF3B0'),
          ].join(''),
        );
        break;
    }
  }
  return { back: back.join(''), front: front.join('') };
}

function character(name: string, grade: Grade, look: Look): string {
  const stroke = shade(look.body, 0.3);
  const ink = look.dark ? '#FFFFFF' : '#2B2B2B';
  const { back, front } = features(look, stroke);
  const face =
    `<circle cx="50" cy="74" r="6" fill="${ink}"/><circle cx="78" cy="74" r="6" fill="${ink}"/>` +
    `<circle cx="52" cy="72" r="2" fill="${look.dark ? '#3D3B8E' : '#FFFFFF'}"/><circle cx="80" cy="72" r="2" fill="${look.dark ? '#3D3B8E' : '#FFFFFF'}"/>` +
    `<ellipse cx="40" cy="86" rx="7" ry="4" fill="#FF8FA3" opacity=".6"/><ellipse cx="88" cy="86" rx="7" ry="4" fill="#FF8FA3" opacity=".6"/>` +
    `<path d="M58 84Q64 90 70 84" stroke="${ink}" stroke-width="3" fill="none" stroke-linecap="round"/>`;
  const badge =
    `<circle cx="106" cy="22" r="17" fill="${GRADE_COLORS[grade]}" stroke="#FFFFFF" stroke-width="3"/>` +
    `<text x="106" y="27.5" font-family="Arial, sans-serif" font-size="${grade.length > 1 ? 13 : 16}" font-weight="700" text-anchor="middle" fill="#FFFFFF">${escape(grade)}</text>`;
  const ground = `<ellipse cx="64" cy="114" rx="38" ry="6" fill="#000000" opacity=".12"/>`;
  return svg(`${name} (${grade})`, ground + back + BODIES[look.shape](look.body, stroke) + face + front + badge);
}

const plate = (fill: string) => `<circle cx="64" cy="64" r="60" fill="${fill}"/>`;

const ITEM_ART: Record<string, string> = {
  'items/carrot.svg':
    plate('#FFF1DC') +
    `<path d="M64 30C78 20 90 22 92 28C84 30 76 34 70 40Z" fill="#4CAF50"/><path d="M64 30C50 18 38 22 36 28C44 30 52 34 58 40Z" fill="#66BB6A"/>` +
    `<path d="M44 42Q64 34 84 42L68 110Q64 116 60 110Z" fill="#F28C28" stroke="#C96A12" stroke-width="3"/>` +
    `<path d="M52 58H62M58 74H68M60 90H66" stroke="#C96A12" stroke-width="3" stroke-linecap="round"/>`,
  'items/onion.svg':
    plate('#F6EEF8') +
    `<path d="M64 18V36M64 30L56 16M64 30L72 16" stroke="#6DBE45" stroke-width="4" stroke-linecap="round"/>` +
    `<path d="M64 34C96 52 102 96 64 108C26 96 32 52 64 34Z" fill="#B57EDC" stroke="#8A55B5" stroke-width="3"/>` +
    `<path d="M64 40C52 60 52 90 64 106M64 40C76 60 76 90 64 106" stroke="#8A55B5" stroke-width="2" fill="none"/>`,
  'items/tofu.svg':
    plate('#EEF4F8') +
    `<path d="M28 52L56 38L100 50L72 66Z" fill="#FFFFFF" stroke="#CFC6A8" stroke-width="3" stroke-linejoin="round"/>` +
    `<path d="M28 52V88L72 102V66Z" fill="#FFF8E1" stroke="#CFC6A8" stroke-width="3" stroke-linejoin="round"/>` +
    `<path d="M72 66V102L100 86V50Z" fill="#F3E9C6" stroke="#CFC6A8" stroke-width="3" stroke-linejoin="round"/>`,
  'items/meat.svg':
    plate('#FCEAE6') +
    `<path d="M78 78L98 98" stroke="#C9BFAE" stroke-width="13" stroke-linecap="round"/>` +
    `<circle cx="101" cy="93" r="8" fill="#FFFFFF" stroke="#C9BFAE" stroke-width="3"/>` +
    `<circle cx="93" cy="101" r="8" fill="#FFFFFF" stroke="#C9BFAE" stroke-width="3"/>` +
    `<path d="M78 78L98 98" stroke="#FFFFFF" stroke-width="8" stroke-linecap="round"/>` +
    `<ellipse cx="58" cy="58" rx="32" ry="26" transform="rotate(45 58 58)" fill="#B5653A" stroke="#8A4520" stroke-width="3"/>` +
    `<ellipse cx="52" cy="50" rx="12" ry="7" transform="rotate(45 52 50)" fill="#D98A5F"/>`,
  'items/salmon.svg':
    plate('#E6F3FB') +
    `<path d="M94 64L118 44V84Z" fill="#F28B6B" stroke="#C9603F" stroke-width="3" stroke-linejoin="round"/>` +
    `<ellipse cx="60" cy="64" rx="40" ry="24" fill="#F79A7A" stroke="#C9603F" stroke-width="3"/>` +
    `<path d="M50 46Q58 64 50 82M66 44Q74 64 66 84" stroke="#FFE1D6" stroke-width="3" fill="none"/>` +
    `<circle cx="34" cy="58" r="4" fill="#2B2B2B"/>`,
  'items/honey-pot.svg':
    plate('#FFF6D6') +
    `<path d="M36 50Q28 108 64 110Q100 108 92 50Z" fill="#E0A030" stroke="#B07818" stroke-width="3"/>` +
    `<rect x="32" y="38" width="64" height="14" rx="6" fill="#C98A22" stroke="#B07818" stroke-width="3"/>` +
    `<path d="M44 52V66Q48 74 52 66V52M70 52V60Q74 66 78 60V52" fill="#FFC83D"/>` +
    `<path d="M50 84H78" stroke="#FFE08A" stroke-width="4" stroke-linecap="round"/>`,
  'items/golden-apple.svg':
    plate('#FFF7E0') +
    `<path d="M64 38C52 28 28 32 28 62C28 92 48 110 64 102C80 110 100 92 100 62C100 32 76 28 64 38Z" fill="#F5C542" stroke="#C99700" stroke-width="3"/>` +
    `<path d="M64 38Q62 26 68 18" stroke="#7A4E2D" stroke-width="4" fill="none" stroke-linecap="round"/>` +
    `<path d="M68 26C76 14 92 16 90 22C84 28 74 28 68 26Z" fill="#6DBE45"/>` +
    `<ellipse cx="46" cy="56" rx="6" ry="10" fill="#FFF3B0" opacity=".8"/>` +
    sparkle(102, 30, 8),
  'items/palette-ticket.svg':
    plate('#EEF2FF') +
    `<path d="M18 40H110V56A8 8 0 0 0 110 72V88H18V72A8 8 0 0 0 18 56Z" fill="#FFFFFF" stroke="#6366F1" stroke-width="3"/>` +
    `<path d="M40 44V84" stroke="#6366F1" stroke-width="2" stroke-dasharray="4 4"/>` +
    ['#9BE9A8', '#40C463', '#30A14E', '#216E39']
      .map((color, i) => `<rect x="${50 + i * 14}" y="57" width="12" height="14" rx="3" fill="${color}"/>`)
      .join('') +
    star(29, 64, 7, '#F59E0B'),
};

/** Every catalogue image, by its path under `static/`. */
export function renderImages(): Map<string, string> {
  const images = new Map<string, string>();
  for (const c of SEED_CHARACTERS) {
    const look = LOOKS[c.image];
    if (!look) throw new Error(`no look for ${c.image}`);
    images.set(c.image, character(c.name, c.grade, look));
  }
  for (const i of SEED_ITEMS) {
    const art = ITEM_ART[i.image];
    if (!art) throw new Error(`no art for ${i.image}`);
    images.set(i.image, svg(i.name, art));
  }
  return images;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [path, text] of renderImages()) {
    const file = join(STATIC_ROOT, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  console.log(`Wrote ${renderImages().size} images under ${STATIC_ROOT}`);
}
