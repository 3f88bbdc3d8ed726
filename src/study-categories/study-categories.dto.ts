import { apiError } from '../common/wire/api-error.js';
import { field, is } from '../common/wire/validation.js';
import { DecimalId, Obj, type Static, Type, Uuid } from '../common/wire/response-schema.js';
import { LIMITS } from '../common/limits.js';
import type { CategoryRow } from './study-categories.repository.js';

export const SubjectBody = {
  subject: field<string>(is.notEmpty(), is.notBlank(), is.string(), is.maxLength(LIMITS.subject)),
};

export const CategoryResponse = Obj({ study_category_id: DecimalId, subject: Type.String(), color: Type.String() });
/** The create response also names the member, as the original's did. */
export const CreatedCategoryResponse = Obj({
  category: Obj({ ...CategoryResponse.properties, member: Obj({ member_id: Uuid }) }),
});

export function toCategoryResponse(c: CategoryRow): Static<typeof CategoryResponse> {
  return { study_category_id: String(c.studyCategoryId), subject: c.subject, color: c.color };
}

/** A path id that can't be a category (not a positive safe integer) is simply not found. */
export function parseCategoryId(text: string): number {
  const id = /^[1-9]\d{0,14}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw apiError('CATEGORY_NOT_FOUND');
  return id;
}
