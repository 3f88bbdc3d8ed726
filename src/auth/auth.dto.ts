import type { AccountRow } from '../accounts/accounts.repository.js';
import { LIMITS } from '../common/limits.js';
import { type Field, field, is, optional } from '../common/wire/validation.js';

export const EMAIL_CHECKS = [is.notEmpty(), is.email(), is.maxLength(LIMITS.email)];
/** E-mails are trimmed and lower-cased before anything else. */
export const normalizeEmail = (value: string) => value.trim().toLowerCase();
const email: Field<string> = { checks: EMAIL_CHECKS, normalize: normalizeEmail };

/** Login accepts any non-empty password up to the limit, so older accounts keep working. */
export const LoginBody = {
  email,
  password: field<string>(is.notEmpty(), is.string(), is.maxLength(LIMITS.password)),
};

/** New passwords: 8–128 characters. */
export const NEW_PASSWORD_MIN = 8;
export const NEW_PASSWORD_CHECKS = [
  is.notEmpty(),
  is.string(),
  is.minLength(NEW_PASSWORD_MIN),
  is.maxLength(LIMITS.password),
];
export const RegisterBody = { email, password: field<string>(...NEW_PASSWORD_CHECKS) };

export const CodeBody = { code: field<string>(is.notEmpty(), is.notBlank(), is.string(), is.maxLength(2048)) };

/** The PWA sends `code`; an `id_token` from Google's own button is accepted too. */
export const GoogleBody = {
  code: optional<string>(is.notEmpty(), is.notBlank(), is.string(), is.maxLength(2048)),
  id_token: optional<string>(is.notEmpty(), is.notBlank(), is.string(), is.maxLength(8192)),
};

export interface Session {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** The account as login, register and social login show it (serialisation group `me`). */
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
