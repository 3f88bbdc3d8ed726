import { Int, LocalDateTime, Nullable, Obj, type Static, Type, Uuid } from '../common/wire/response-schema.js';
import { readSpring, says, spring, type SpringField, springBodySchema, springDateTime } from '../common/wire/spring.js';
import { type Check, is, partial } from '../common/wire/validation.js';
import type { MemberRow } from '../members/members.repository.js';
import {
  CharacterResponse,
  PaletteResponse,
  toCharacterResponse as toCatalogueCharacter,
  toPaletteResponse as toCataloguePalette,
} from '../catalogue/catalogue.dto.js';
import {
  type CharacterFields,
  type CharacterRow,
  ITEM_TYPES,
  type ItemFields,
  type ItemRow,
  type PaletteFields,
  type PaletteRow,
} from '../catalogue/catalogue.repository.js';

/** Every effect code of the original and its later versions has five digits. */
export const EFFECT_CODE_MAX = 99_999;
const COLOR = /^#[0-9A-Fa-f]{6}$/;
const UNUSABLE = '입력 값에 사용할 수 없는 문자가 포함되어 있습니다.';

// The admin bodies' fields, named as the Java DTOs' (the messages' names) and read from their
// snake_case keys. Each reports its first failure only: the original's required message, then what
// the column holds (length, then characters PostgreSQL can't store), then the field's format.

/** A string column of `max` characters; `subject` (the name with its particle) starts the length message. */
const text = (key: string, subject: string, max: number, ...format: Check[]): SpringField<string | null> => ({
  ...spring.text,
  key,
  checks: [is.maxLength(max, says(`${subject} ${max}자 이하로 입력해주세요.`)), is.storable(says(UNUSABLE)), ...format],
});
/** The original's @NotBlank / @NotNull: absent (or blank) is refused with its message, before any other check. */
const required = <T>(field: SpringField<T | null>, message: string): SpringField<T> => ({
  ...(field as SpringField<T>),
  optional: false,
  checks: [is.notNull(says(message)), ...field.checks],
});
/** An `int` column the game reads in a range; one message for both ends. */
const nonNegative = (key: string, message: string, max?: number): SpringField<number | null> => ({
  ...spring.integer,
  key,
  checks: [is.min(0, says(message)), ...(max === undefined ? [] : [is.max(max, says(message))])],
});
const color = (key: string, label: string) =>
  required(
    text(key, `${label}는`, 7, is.matches(COLOR, says(`${label}는 #RRGGBB 형식의 색상 코드여야 합니다.`))),
    `${label} 필수 입력 값 입니다.`,
  );
const imageUrl = () => required(text('image_url', '이미지 URL은', 255), '이미지 URL은 필수 입력 값 입니다.');

const ITEM = {
  itemType: required(
    text(
      'item_type',
      '아이템 타입은',
      20,
      is.oneOf(ITEM_TYPES, says('아이템 타입은 Food 또는 Consumable 이어야 합니다.')),
    ),
    '아이템 타입은 필수 입력 값 입니다.',
  ),
  name: required(text('name', '아이템 이름은', 100), '아이템 이름은 필수 입력 값 입니다.'),
  grade: text('grade', '아이템 등급은', 20),
  description: required(text('description', '아이템 설명은', 255), '아이템 설명은 필수 입력 값 입니다.'),
  imageUrl: imageUrl(),
  cost: nonNegative('cost', '아이템 가격은 0 이상이어야 합니다.'),
  requiredStudyTime: nonNegative('required_study_time', '필요 학습 시간은 0 이상이어야 합니다.'),
  effectCode: nonNegative('effect_code', `효과 코드는 0 이상 ${EFFECT_CODE_MAX} 이하여야 합니다.`, EFFECT_CODE_MAX),
  isHidden: required({ ...spring.boolean, key: 'is_hidden' }, 'hidden 여부 필수 입력 값 입니다.'),
};

const PALETTE = {
  name: required(text('name', '팔레트 이름은', 100), '팔레트 이름은 필수 입력 값 입니다.'),
  grade: required(text('grade', '팔레트 등급은', 20), '팔레트 등급은 필수 입력 값 입니다.'),
  lightColor: color('light_color', 'light color'),
  normalColor: color('normal_color', 'normal color'),
  darkColor: color('dark_color', 'dark color'),
  darkerColor: color('darker_color', 'darker color'),
};

const CHARACTER = {
  name: required(text('name', '캐릭터 이름은', 100), '캐릭터 이름은 필수 입력 값 입니다.'),
  description: required(text('description', '캐릭터 설명은', 255), '캐릭터 설명은 필수 입력 값 입니다.'),
  imageUrl: imageUrl(),
  grade: required(text('grade', '캐릭터 등급은', 20), '캐릭터 등급은 필수 입력 값 입니다.'),
  sellPrice: nonNegative('sell_price', '판매 가격은 0 이상이어야 합니다.'),
};

export const ItemCreateBody = springBodySchema(ITEM);
export const ItemPatchBody = springBodySchema(partial(ITEM));
export const PaletteCreateBody = springBodySchema(PALETTE);
export const PalettePatchBody = springBodySchema(partial(PALETTE));
export const CharacterCreateBody = springBodySchema(CHARACTER);
export const CharacterPatchBody = springBodySchema(partial(CHARACTER));

const Text = Type.String();
const stamps = { created_at: LocalDateTime, updated_at: LocalDateTime };
export const AdminItemResponse = Obj({
  item_id: Int,
  item_type: Text,
  name: Text,
  grade: Nullable(Text),
  description: Text,
  image_url: Text,
  cost: Int,
  required_study_time: Nullable(Int),
  effect_code: Int,
  is_hidden: Type.Boolean(),
  ...stamps,
});
// The catalogue's palette and character with their timestamps, as the mappers below build them.
export const AdminPaletteResponse = Obj({ ...PaletteResponse.properties, ...stamps });
export const AdminCharacterResponse = Obj({ ...CharacterResponse.properties, ...stamps });
export const AdminMemberResponse = Obj({
  member_id: Uuid,
  account_id: Uuid,
  nickname: Text,
  image_url: Nullable(Text),
  point: Int,
  status_message: Text,
  active_record_id: Nullable(Int),
  ...stamps,
});

/**
 * A PATCH writes only what it was given: a missing, `null` or blank value keeps the old one. One bad
 * value refuses the whole PATCH.
 */
function readPatch<S extends Record<string, SpringField>>(shape: S, body: unknown) {
  const read = readSpring(partial(shape), body);
  return Object.fromEntries(Object.entries(read).filter(([, v]) => v !== null)) as {
    [K in keyof S]?: NonNullable<(typeof read)[K]>;
  };
}

// Java `int`s: a missing number is 0 (0 passes every range here).
export function readItemCreate(body: unknown): ItemFields {
  const item = readSpring(ITEM, body);
  return { ...item, cost: item.cost ?? 0, effectCode: item.effectCode ?? 0 };
}
export const readItemPatch = (body: unknown): Partial<ItemFields> => readPatch(ITEM, body);

export const readPaletteCreate = (body: unknown): PaletteFields => readSpring(PALETTE, body);
export const readPalettePatch = (body: unknown): Partial<PaletteFields> => readPatch(PALETTE, body);

export function readCharacterCreate(body: unknown): CharacterFields {
  const character = readSpring(CHARACTER, body);
  return { ...character, sellPrice: character.sellPrice ?? 0 };
}
export const readCharacterPatch = (body: unknown): Partial<CharacterFields> => readPatch(CHARACTER, body);

export function toItemResponse(i: ItemRow): Static<typeof AdminItemResponse> {
  return {
    item_id: i.itemId,
    item_type: i.itemType,
    name: i.name,
    grade: i.grade,
    description: i.description,
    image_url: i.imageUrl,
    cost: i.cost,
    required_study_time: i.requiredStudyTime,
    effect_code: i.effectCode,
    is_hidden: i.isHidden,
    created_at: springDateTime(i.createdAt),
    updated_at: springDateTime(i.updatedAt),
  };
}

/** S10–S12: the catalogue's palette with its timestamps. */
export function toPaletteResponse(p: PaletteRow): Static<typeof AdminPaletteResponse> {
  return { ...toCataloguePalette(p), created_at: springDateTime(p.createdAt), updated_at: springDateTime(p.updatedAt) };
}

/** S13–S17: the catalogue's character with its timestamps. */
export function toCharacterResponse(ch: CharacterRow): Static<typeof AdminCharacterResponse> {
  return {
    ...toCatalogueCharacter(ch),
    created_at: springDateTime(ch.createdAt),
    updated_at: springDateTime(ch.updatedAt),
  };
}

/** S19: Spring's member, with `active_record_id` a number (Nest sends it as a string). */
export function toAdminMemberResponse(m: MemberRow): Static<typeof AdminMemberResponse> {
  return {
    member_id: m.memberId,
    account_id: m.accountId,
    nickname: m.nickname,
    image_url: m.imageUrl,
    point: m.point,
    status_message: m.statusMessage,
    active_record_id: m.activeRecordId,
    created_at: springDateTime(m.createdAt),
    updated_at: springDateTime(m.updatedAt),
  };
}
