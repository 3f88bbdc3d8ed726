import { apiError } from '../common/wire/api-error.js';
import { field, is } from '../common/wire/validation.js';
import { LIMITS } from '../common/limits.js';
import type { CategoryRow } from './study-categories.repository.js';

export const SubjectBody = {
  subject: field<string>(is.notEmpty(), is.notBlank(), is.string(), is.maxLength(LIMITS.subject)),
};

export function toCategoryResponse(c: CategoryRow) {
  return { study_category_id: String(c.studyCategoryId), subject: c.subject, color: c.color };
}

/** A path id that can't be a category (not a positive safe integer) is simply not found. */
export function parseCategoryId(text: string): number {
  const id = /^[1-9]\d{0,14}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw apiError('CATEGORY_NOT_FOUND');
  return id;
}
