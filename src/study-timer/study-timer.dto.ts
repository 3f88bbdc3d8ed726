import { type Check, field, is, optional } from '../common/wire/validation.js';

export const STATUSES = ['Completed', 'Incompleted'] as const;
export type SessionStatus = (typeof STATUSES)[number];

const nonNegativeSafeInteger: Check = {
  test: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  message: (f) => `${f} must be a non-negative integer`,
};

/** `{"category_id": Number(id) | null}` as the PWA sends it; strings are refused (no conversion). */
export const StartBody = {
  category_id: optional<number | null>(is.number(), nonNegativeSafeInteger),
};

export const EndBody = {
  status: field<SessionStatus>(
    is.oneOf(STATUSES, (f) => `${f} must be one of the following values: ${STATUSES.join(', ')}`),
    is.string(),
  ),
};
