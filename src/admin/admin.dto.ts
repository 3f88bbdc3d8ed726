import { apiError } from '../common/wire/api-error.js';
import type { JsonSchema } from '../common/wire/json-schema.js';
import { Int, LocalDateTime, Nullable, Obj, type Static, Type, Uuid } from '../common/wire/response-schema.js';
import {
  spring,
  springBodySchema,
  springBoolean,
  springDateTime,
  springInt,
  springInteger,
  springObject,
  springString,
} from '../common/wire/spring.js';
import { isWellFormedText } from '../common/wire/validation.js';
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

/** A string field: its JSON and Java names, the column's length and the texts of its checks. */
interface TextSpec {
  key: string;
  java: string;
  /** The field's name with its particle, to start the generated messages (`아이템 이름은`). */
  subject: string;
  max: number;
  /** The original's @NotBlank message; absent when the field is optional. */
  required?: string;
  format?: { test: (value: string) => boolean; message: string; schema: JsonSchema };
}

/** A numeric field: the range its column and the game accept, and the message outside it. */
interface NumberSpec {
  key: string;
  java: string;
  min: number;
  max?: number;
  message: string;
}

const text = (key: string, java: string, subject: string, max: number, required?: string): TextSpec => ({
  key,
  java,
  subject,
  max,
  required,
});
const color = (key: string, java: string, label: string): TextSpec => ({
  ...text(key, java, `${label}는`, 7, `${label} 필수 입력 값 입니다.`),
  format: {
    test: (v) => COLOR.test(v),
    message: `${label}는 #RRGGBB 형식의 색상 코드여야 합니다.`,
    schema: { pattern: COLOR.source },
  },
});
const IMAGE_URL = text('image_url', 'imageUrl', '이미지 URL은', 255, '이미지 URL은 필수 입력 값 입니다.');

const ITEM = {
  itemType: {
    ...text('item_type', 'itemType', '아이템 타입은', 20, '아이템 타입은 필수 입력 값 입니다.'),
    format: {
      test: (v: string) => (ITEM_TYPES as readonly string[]).includes(v),
      message: '아이템 타입은 Food 또는 Consumable 이어야 합니다.',
      schema: { enum: [...ITEM_TYPES] },
    },
  },
  name: text('name', 'name', '아이템 이름은', 100, '아이템 이름은 필수 입력 값 입니다.'),
  grade: text('grade', 'grade', '아이템 등급은', 20),
  description: text('description', 'description', '아이템 설명은', 255, '아이템 설명은 필수 입력 값 입니다.'),
  imageUrl: IMAGE_URL,
  cost: { key: 'cost', java: 'cost', min: 0, message: '아이템 가격은 0 이상이어야 합니다.' },
  requiredStudyTime: {
    key: 'required_study_time',
    java: 'requiredStudyTime',
    min: 0,
    message: '필요 학습 시간은 0 이상이어야 합니다.',
  },
  effectCode: {
    key: 'effect_code',
    java: 'effectCode',
    min: 0,
    max: EFFECT_CODE_MAX,
    message: `효과 코드는 0 이상 ${EFFECT_CODE_MAX} 이하여야 합니다.`,
  },
} satisfies Record<string, TextSpec | NumberSpec>;
const IS_HIDDEN_REQUIRED = 'isHidden : hidden 여부 필수 입력 값 입니다.';

const PALETTE = {
  name: text('name', 'name', '팔레트 이름은', 100, '팔레트 이름은 필수 입력 값 입니다.'),
  grade: text('grade', 'grade', '팔레트 등급은', 20, '팔레트 등급은 필수 입력 값 입니다.'),
  lightColor: color('light_color', 'lightColor', 'light color'),
  normalColor: color('normal_color', 'normalColor', 'normal color'),
  darkColor: color('dark_color', 'darkColor', 'dark color'),
  darkerColor: color('darker_color', 'darkerColor', 'darker color'),
};

const CHARACTER = {
  name: text('name', 'name', '캐릭터 이름은', 100, '캐릭터 이름은 필수 입력 값 입니다.'),
  description: text('description', 'description', '캐릭터 설명은', 255, '캐릭터 설명은 필수 입력 값 입니다.'),
  imageUrl: IMAGE_URL,
  grade: text('grade', 'grade', '캐릭터 등급은', 20, '캐릭터 등급은 필수 입력 값 입니다.'),
  sellPrice: { key: 'sell_price', java: 'sellPrice', min: 0, message: '판매 가격은 0 이상이어야 합니다.' },
} satisfies Record<string, TextSpec | NumberSpec>;

/** What a field accepts, as JSON Schema: written from the same spec its reader checks. */
function specSchema(spec: TextSpec | NumberSpec): JsonSchema {
  if ('subject' in spec) return { ...spring.string.schema, maxLength: spec.max, ...spec.format?.schema };
  return { ...spring.int.schema, minimum: spec.min, ...(spec.max === undefined ? {} : { maximum: spec.max }) };
}
/** A create's body (the fields with a required message are required) or a PATCH's (nothing is). */
function bodySchema(
  specs: Record<string, TextSpec | NumberSpec>,
  create: boolean,
  extra: Record<string, JsonSchema> = {},
) {
  const fields = Object.values(specs);
  return springBodySchema(
    { ...Object.fromEntries(fields.map((spec) => [spec.key, specSchema(spec)])), ...extra },
    create
      ? [...fields.flatMap((spec) => ('required' in spec && spec.required ? [spec.key] : [])), ...Object.keys(extra)]
      : [],
  );
}

/**
 * Collects the `"<javaField> : <message>"` failures of one body. Reading a value throws the generic
 * unreadable-body 400 at once (Jackson fails before bean validation runs); checks only collect.
 */
class Checks {
  readonly errors: string[] = [];
  constructor(readonly body: Record<string, unknown>) {}

  /** A create's string: blank is absent; a required one then fails with the original's message. */
  required(spec: TextSpec): string {
    const value = this.present(spec);
    if (value === undefined) this.errors.push(`${spec.java} : ${spec.required}`);
    return value ?? '';
  }

  /** An optional string, or a PATCH's: missing, null or blank is absent (keeps the old value). */
  optional(spec: TextSpec): string | undefined {
    return this.present(spec);
  }

  number(spec: NumberSpec, value: number | null): number | undefined {
    if (value === null) return undefined;
    if (value < spec.min || (spec.max !== undefined && value > spec.max))
      this.errors.push(`${spec.java} : ${spec.message}`);
    return value;
  }

  done(): void {
    if (this.errors.length > 0) throw apiError('FIELD_CHECKS', { messages: this.errors });
  }

  private present(spec: TextSpec): string | undefined {
    const value = springString(this.body[spec.key]);
    if (value === null || value.trim() === '') return undefined;
    // varchar(n) counts characters (code points), not UTF-16 units.
    if ([...value].length > spec.max)
      this.errors.push(`${spec.java} : ${spec.subject} ${spec.max}자 이하로 입력해주세요.`);
    // U+0000 and unpaired surrogates: neither survives a PostgreSQL text column unchanged.
    else if (value.includes('\u0000') || !isWellFormedText(value))
      this.errors.push(`${spec.java} : 입력 값에 사용할 수 없는 문자가 포함되어 있습니다.`);
    else if (spec.format && !spec.format.test(value)) this.errors.push(`${spec.java} : ${spec.format.message}`);
    return value;
  }
}

export const ItemCreateBody = bodySchema(ITEM, true, { is_hidden: spring.boolean.schema });
export const ItemPatchBody = bodySchema(ITEM, false, { is_hidden: spring.boolean.schema });
export const PaletteCreateBody = bodySchema(PALETTE, true);
export const PalettePatchBody = bodySchema(PALETTE, false);
export const CharacterCreateBody = bodySchema(CHARACTER, true);
export const CharacterPatchBody = bodySchema(CHARACTER, false);

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

/** Drops the absent fields, so a PATCH writes only what it was given. */
function given<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function readItemCreate(body: unknown): ItemFields {
  const c = new Checks(springObject(body));
  const isHidden = springBoolean(c.body.is_hidden);
  const fields: ItemFields = {
    itemType: c.required(ITEM.itemType),
    name: c.required(ITEM.name),
    grade: c.optional(ITEM.grade) ?? null,
    description: c.required(ITEM.description),
    imageUrl: c.required(ITEM.imageUrl),
    cost: c.number(ITEM.cost, springInt(c.body.cost)) ?? 0,
    requiredStudyTime: c.number(ITEM.requiredStudyTime, springInteger(c.body.required_study_time)) ?? null,
    effectCode: c.number(ITEM.effectCode, springInt(c.body.effect_code)) ?? 0,
    isHidden: isHidden ?? false,
  };
  if (isHidden === null) c.errors.push(IS_HIDDEN_REQUIRED);
  c.done();
  return fields;
}

export function readItemPatch(body: unknown): Partial<ItemFields> {
  const c = new Checks(springObject(body));
  const patch = given({
    itemType: c.optional(ITEM.itemType),
    name: c.optional(ITEM.name),
    grade: c.optional(ITEM.grade),
    description: c.optional(ITEM.description),
    imageUrl: c.optional(ITEM.imageUrl),
    cost: c.number(ITEM.cost, springInteger(c.body.cost)),
    requiredStudyTime: c.number(ITEM.requiredStudyTime, springInteger(c.body.required_study_time)),
    effectCode: c.number(ITEM.effectCode, springInteger(c.body.effect_code)),
    isHidden: springBoolean(c.body.is_hidden) ?? undefined,
  });
  c.done();
  return patch;
}

export function readPaletteCreate(body: unknown): PaletteFields {
  const c = new Checks(springObject(body));
  const fields: PaletteFields = {
    name: c.required(PALETTE.name),
    grade: c.required(PALETTE.grade),
    lightColor: c.required(PALETTE.lightColor),
    normalColor: c.required(PALETTE.normalColor),
    darkColor: c.required(PALETTE.darkColor),
    darkerColor: c.required(PALETTE.darkerColor),
  };
  c.done();
  return fields;
}

export function readPalettePatch(body: unknown): Partial<PaletteFields> {
  const c = new Checks(springObject(body));
  const patch = given({
    name: c.optional(PALETTE.name),
    grade: c.optional(PALETTE.grade),
    lightColor: c.optional(PALETTE.lightColor),
    normalColor: c.optional(PALETTE.normalColor),
    darkColor: c.optional(PALETTE.darkColor),
    darkerColor: c.optional(PALETTE.darkerColor),
  });
  c.done();
  return patch;
}

export function readCharacterCreate(body: unknown): CharacterFields {
  const c = new Checks(springObject(body));
  const fields: CharacterFields = {
    name: c.required(CHARACTER.name),
    description: c.required(CHARACTER.description),
    imageUrl: c.required(CHARACTER.imageUrl),
    grade: c.required(CHARACTER.grade),
    sellPrice: c.number(CHARACTER.sellPrice, springInt(c.body.sell_price)) ?? 0,
  };
  c.done();
  return fields;
}

export function readCharacterPatch(body: unknown): Partial<CharacterFields> {
  const c = new Checks(springObject(body));
  const patch = given({
    name: c.optional(CHARACTER.name),
    description: c.optional(CHARACTER.description),
    imageUrl: c.optional(CHARACTER.imageUrl),
    grade: c.optional(CHARACTER.grade),
    sellPrice: c.number(CHARACTER.sellPrice, springInteger(c.body.sell_price)),
  });
  c.done();
  return patch;
}

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
