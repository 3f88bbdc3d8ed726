import { isUuid } from '../auth/authenticator.js';
import { type Check, field, is, optional } from '../common/wire/validation.js';

export const STATUSES = ['Completed', 'Incompleted'] as const;
export type SessionStatus = (typeof STATUSES)[number];

const nonNegativeSafeInteger: Check = {
  test: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  message: (f) => `${f} must be a non-negative integer`,
  schema: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
};

const uuid: Check = { test: isUuid, message: (f) => `${f} must be a UUID`, schema: { type: 'string', format: 'uuid' } };

// `2024-05-01T09:30:00+09:00`: an instant needs its offset (or Z); a local time would be a guess.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
/** An ISO 8601 date-time with an offset whose fields are in range (Date alone rolls 02-30 over). */
export function isInstant(value: unknown): value is string {
  const m = typeof value === 'string' ? INSTANT.exec(value) : null;
  if (!m) return false;
  const [year, month, day, hour, minute, second = 0, offH = 0, offM = 0] = m.slice(1).map((x) => Number(x ?? 0));
  const monthDays = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return (
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= monthDays &&
    hour! < 24 &&
    minute! < 60 &&
    second < 60 &&
    offH <= 18 &&
    offM < 60 &&
    year! >= 1970
  );
}
const instant: Check = {
  test: isInstant,
  message: (f) => `${f} must be a valid ISO 8601 date string with an offset`,
  schema: { type: 'string', format: 'date-time' },
};

const status = field<SessionStatus>(
  is.oneOf(STATUSES, (f) => `${f} must be one of the following values: ${STATUSES.join(', ')}`),
  is.string(),
);

/** `{"category_id": Number(id) | null}` as the PWA sends it; strings are refused (no conversion). */
export const StartBody = {
  category_id: optional<number | null>(is.number(), nonNegativeSafeInteger),
  // Issue 14: the app's idempotency key; the PWA sends none.
  client_id: optional<string>(uuid),
};

export const EndBody = {
  status,
  client_id: optional<string>(uuid),
};

/** Issue 14: a session the app timed while offline. */
export const OfflineRecordBody = {
  client_id: field<string>(uuid),
  start_time: field<string>(instant),
  end_time: field<string>(instant),
  status,
  category_id: optional<number | null>(is.number(), nonNegativeSafeInteger),
};
