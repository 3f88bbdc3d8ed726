import { Int, Nullable, Obj, type Static, Type } from '../common/wire/response-schema.js';
import type { CharacterRow, ItemRow, PaletteRow } from './catalogue.repository.js';

const Text = Type.String();
export const ItemResponse = Obj({
  item_id: Int,
  item_type: Text,
  name: Text,
  description: Text,
  cost: Int,
  required_study_time: Nullable(Int),
  image_url: Text,
  grade: Nullable(Text),
  is_hidden: Type.Boolean(),
});
export const PaletteResponse = Obj({
  palette_id: Int,
  name: Text,
  grade: Text,
  light_color: Text,
  normal_color: Text,
  dark_color: Text,
  darker_color: Text,
});
export const CharacterResponse = Obj({
  character_id: Int,
  name: Text,
  description: Nullable(Text),
  image_url: Text,
  grade: Text,
  sell_price: Int,
});

/** An item as N14 and N25 show it: `effect_code` and timestamps stay inside. */
export function toItemResponse(i: ItemRow): Static<typeof ItemResponse> {
  return {
    item_id: i.itemId,
    item_type: i.itemType,
    name: i.name,
    description: i.description,
    cost: i.cost,
    required_study_time: i.requiredStudyTime,
    image_url: i.imageUrl,
    grade: i.grade,
    is_hidden: i.isHidden,
  };
}

/** A palette as the streak (N13) and the export show it; the admin adds its timestamps. */
export function toPaletteResponse(p: PaletteRow): Static<typeof PaletteResponse> {
  return {
    palette_id: p.paletteId,
    name: p.name,
    grade: p.grade,
    light_color: p.lightColor,
    normal_color: p.normalColor,
    dark_color: p.darkColor,
    darker_color: p.darkerColor,
  };
}

/** The same palette in the order S3's Spring DTO declares it: `grade` before `name`. */
export function toSpringPaletteResponse(p: PaletteRow): Static<typeof PaletteResponse> {
  const { palette_id, grade, ...rest } = toPaletteResponse(p);
  return { palette_id, grade, ...rest };
}

/** A character as S4 lists it (key order as Spring's DTO); the admin adds its timestamps. */
export function toCharacterResponse(c: CharacterRow): Static<typeof CharacterResponse> {
  return {
    character_id: c.characterId,
    name: c.name,
    description: c.description,
    image_url: c.imageUrl,
    grade: c.grade,
    sell_price: c.sellPrice,
  };
}
