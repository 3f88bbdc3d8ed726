import type { CharacterRow, ItemRow, PaletteRow } from './catalogue.repository.js';

/** An item as N14 and N25 show it: `effect_code` and timestamps stay inside. */
export function toItemResponse(i: ItemRow) {
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
export function toPaletteResponse(p: PaletteRow) {
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
export function toSpringPaletteResponse(p: PaletteRow) {
  const { palette_id, grade, ...rest } = toPaletteResponse(p);
  return { palette_id, grade, ...rest };
}

/** A character as S4 lists it (key order as Spring's DTO); the admin adds its timestamps. */
export function toCharacterResponse(c: CharacterRow) {
  return {
    character_id: c.characterId,
    name: c.name,
    description: c.description,
    image_url: c.imageUrl,
    grade: c.grade,
    sell_price: c.sellPrice,
  };
}
