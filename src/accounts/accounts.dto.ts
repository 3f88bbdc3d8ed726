import { AccountAdminResponse, EMAIL_CHECKS, NEW_PASSWORD_CHECKS, readEmail, toAccountMe } from '../auth/auth.dto.js';
import type { Static } from '../common/wire/response-schema.js';
import { type Check, field, optional, optionalNonNull } from '../common/wire/validation.js';
import type { AccountRow } from './accounts.repository.js';

const roleObject: Check = {
  test: (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).every((k) => k === 'role_id' || k === 'name') &&
    Number.isInteger((v as { role_id?: unknown }).role_id),
  message: (f) => `${f} must be an object with an integer role_id`,
  schema: {
    type: 'object',
    properties: { role_id: { type: 'integer' }, name: { type: 'string' } },
    required: ['role_id'],
    additionalProperties: false,
  },
};
export const CreateAccountBody = {
  email: { ...field<string>(...EMAIL_CHECKS), read: readEmail },
  password: field<string>(...NEW_PASSWORD_CHECKS),
  role: optional<{ role_id: number }>(roleObject),
};

// `null` is a value here, not an absent field: neither column may be cleared.
export const UpdateAccountBody = {
  email: { ...optionalNonNull<string>(...EMAIL_CHECKS), read: readEmail },
  password: optionalNonNull<string>(...NEW_PASSWORD_CHECKS),
  role: optional<{ role_id: number }>(roleObject),
};

/** The account as the admin routes show it (serialisation group `admin`: every timestamp). */
export function toAccountAdmin(a: AccountRow): Static<typeof AccountAdminResponse> {
  return { ...toAccountMe(a), updated_at: a.updatedAt, deleted_at: null };
}
