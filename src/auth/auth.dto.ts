import type { AccountRow } from '../accounts/accounts.repository.js';
import { LIMITS } from '../common/limits.js';
import { type Field, field, is, optional } from '../common/wire/validation.js';
import { Instant, Int, Nullable, Obj, type Static, Type, Uuid } from '../common/wire/response-schema.js';

export const EMAIL_CHECKS = [is.notEmpty(), is.email(), is.maxLength(LIMITS.email)];
/** E-mails are trimmed and lower-cased before anything else. */
export const readEmail = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const email: Field<string> = { checks: EMAIL_CHECKS, read: readEmail };

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

/** `expires_in`: the access token's end, epoch milliseconds, as the original sent it. */
export const SessionResponse = Obj({ access_token: Type.String(), refresh_token: Type.String(), expires_in: Int });
export type Session = Static<typeof SessionResponse>;

const accountMeFields = {
  account_id: Uuid,
  email: Nullable(Type.String()),
  provider: Type.String(),
  social_id: Nullable(Type.String()),
  role: Obj({ role_id: Int, name: Type.String() }),
  created_at: Instant,
};
export const AccountMeResponse = Obj(accountMeFields);
/** The admin group adds the other timestamps (the `/accounts` routes). */
export const AccountAdminResponse = Obj({ ...accountMeFields, updated_at: Instant, deleted_at: Type.Null() });
export const LoginResponse = Obj({ ...SessionResponse.properties, account: AccountMeResponse });

/** The account as login, register and social login show it (serialisation group `me`). */
export function toAccountMe(a: AccountRow): Static<typeof AccountMeResponse> {
  return {
    account_id: a.accountId,
    email: a.email,
    provider: a.provider,
    social_id: a.socialId,
    role: { role_id: a.role.roleId, name: a.role.name },
    created_at: a.createdAt,
  };
}

export const toLoginResponse = (session: Session, a: AccountRow): Static<typeof LoginResponse> => ({
  ...session,
  account: toAccountMe(a),
});
