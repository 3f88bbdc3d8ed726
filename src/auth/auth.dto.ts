import type { AccountRow } from '../accounts/accounts.repository.js';
import { LIMITS } from '../database/schema.js';
import { type Field, field, is, optional } from '../common/wire/validation.js';

const email: Field<string> = {
  checks: [is.notEmpty(), is.email(), is.maxLength(LIMITS.email)],
  normalize: (value) => value.trim().toLowerCase(),
};

/** Login accepts any non-empty password up to the limit, so older accounts keep working (SPEC §2.5). */
export const LoginBody = {
  email,
  password: field<string>(is.notEmpty(), is.string(), is.maxLength(LIMITS.password)),
};

/** New passwords: 8–128 characters. */
export const NEW_PASSWORD_MIN = 8;
export const RegisterBody = {
  email,
  password: field<string>(is.notEmpty(), is.string(), is.minLength(NEW_PASSWORD_MIN), is.maxLength(LIMITS.password)),
};

export const CodeBody = { code: field<string>(is.notEmpty(), is.string(), is.maxLength(2048)) };

/** The PWA sends `code`; an `id_token` from Google's own button is accepted too (SPEC §2.4). */
export const GoogleBody = {
  code: optional<string>(is.notEmpty(), is.string(), is.maxLength(2048)),
  id_token: optional<string>(is.notEmpty(), is.string(), is.maxLength(8192)),
};

export interface Session {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** The account as login, register and social login show it (group `me`, WIRE-CONTRACT §1.3). */
export function toAccountMe(a: AccountRow) {
  return {
    account_id: a.accountId,
    email: a.email,
    provider: a.provider,
    social_id: a.socialId,
    role: { role_id: a.role.roleId, name: a.role.name },
    created_at: a.createdAt,
  };
}

export const toLoginResponse = (session: Session, a: AccountRow) => ({ ...session, account: toAccountMe(a) });
