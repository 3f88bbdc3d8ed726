import { type Check, type Field, field, is, optional } from '../common/wire/validation.js';
import { LIMITS } from '../database/schema.js';
import type { AccountRow } from './accounts.repository.js';
import { NEW_PASSWORD_MIN } from '../auth/auth.dto.js';

const roleObject: Check = {
  test: (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).every((k) => k === 'role_id' || k === 'name') &&
    Number.isInteger((v as { role_id?: unknown }).role_id),
  message: (f) => `${f} must be an object with an integer role_id`,
};
const email: Field<string> = {
  checks: [is.notEmpty(), is.email(), is.maxLength(LIMITS.email)],
  normalize: (v) => v.trim().toLowerCase(),
};
const password = [is.notEmpty(), is.string(), is.minLength(NEW_PASSWORD_MIN), is.maxLength(LIMITS.password)];

export const CreateAccountBody = {
  email,
  password: field<string>(...password),
  role: optional<{ role_id: number }>(roleObject),
};

// `null` is a value here, not an absent field: neither column may be cleared (SPEC §2.6).
export const UpdateAccountBody = {
  email: { ...email, optional: true, nullIsValue: true } as Field<string> & { optional: true },
  password: { checks: password, optional: true, nullIsValue: true } as Field<string> & { optional: true },
  role: optional<{ role_id: number }>(roleObject),
};

/** The account as the admin routes show it (group `admin`: every timestamp, WIRE-CONTRACT §1.3). */
export function toAccountAdmin(a: AccountRow) {
  return {
    account_id: a.accountId,
    email: a.email,
    provider: a.provider,
    social_id: a.socialId,
    role: { role_id: a.role.roleId, name: a.role.name },
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    deleted_at: null,
  };
}
