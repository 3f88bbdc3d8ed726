import { Injectable } from '@nestjs/common';
import { apiError } from '../common/wire/api-error.js';
import { AuthCache } from './auth-cache.js';
import { TokenService } from './token.service.js';

export const ADMIN_ROLE_ID = 1;
export const USER_ROLE_ID = 2;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** Who the caller is, as an access token proves it. */
export interface Identity {
  accountId: string;
  email: string | null;
  /** The live role from the database, not the token's claim. */
  roleId: number;
}

/** The caller as the owner guard resolved it (`@CurrentOwner()`): its account and its own member. */
export interface Owner {
  accountId: string;
  memberId: string;
}

/**
 * The one check of an access token, for the HTTP guard and the socket handshake alike: valid and
 * unexpired, of an account that still exists, and of the account's current token generation (a
 * password change or a reused refresh chain bumps it). The role and the generation come from one
 * primary-key read, cached (`AuthCache`), so a deleted account's tokens fail at once everywhere.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly accounts: AuthCache,
  ) {}

  async authenticate(token: string | undefined): Promise<Identity> {
    const claims = await this.tokens.verifyAccess(token);
    if (!isUuid(claims.sub)) throw apiError('UNAUTHENTICATED');
    const access = await this.accounts.access(claims.sub);
    if (!access || access.tokenGeneration !== claims.gen) throw apiError('UNAUTHENTICATED');
    return { accountId: claims.sub, email: claims.email, roleId: access.roleId };
  }
}
