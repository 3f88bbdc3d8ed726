import { field, is } from '../common/wire/validation.js';
import { LIMITS } from '../database/schema.js';
import type { CategoryRow } from './study-categories.repository.js';

export const SubjectBody = {
  subject: field<string>(is.notEmpty(), is.string(), is.maxLength(LIMITS.subject)),
};

export function toCategoryResponse(c: CategoryRow) {
  return { study_category_id: String(c.studyCategoryId), subject: c.subject, color: c.color };
}
