import { Injectable } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import { PasswordService } from '../auth/password.service.js';
import { isUuid, USER_ROLE_ID } from '../auth/authenticator.js';
import { apiError } from '../common/wire/api-error.js';
import { isUniqueViolation } from '../database/errors.js';
import { INT4_MAX } from '../common/limits.js';
import { type AccountRow, AccountsRepository } from './accounts.repository.js';

/** Admin account management (WIRE-CONTRACT N6–N9), with the inverted e-mail check fixed. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly passwords: PasswordService,
    private readonly auth: AuthService,
  ) {}

  async create(input: { email: string; password: string; role?: { role_id: number } }): Promise<AccountRow> {
    if (await this.accounts.findByEmail(input.email)) throw apiError('EMAIL_TAKEN');
    const roleId = input.role?.role_id ?? USER_ROLE_ID;
    await this.assertRole(roleId);
    const accountId = await this.accounts.insert({
      email: input.email,
      password: await this.passwords.hash(input.password),
      provider: 'email',
      socialId: null,
      roleId,
    });
    if (!accountId) throw apiError('EMAIL_TAKEN');
    return (await this.accounts.findById(accountId))!;
  }

  async get(accountId: string): Promise<AccountRow | null> {
    return (isUuid(accountId) && (await this.accounts.findById(accountId))) || null;
  }

  async update(
    accountId: string,
    input: { email?: string; password?: string; role?: { role_id: number } },
  ): Promise<AccountRow> {
    const current = await this.get(accountId);
    if (!current) throw apiError('ACCOUNT_NOT_FOUND');
    if (input.email !== undefined) {
      const holder = await this.accounts.findByEmail(input.email);
      if (holder && holder.accountId !== accountId) throw apiError('EMAIL_TAKEN');
    }
    if (input.role) await this.assertRole(input.role.role_id);
    try {
      // A new password ends the sessions and access tokens opened with the old one, atomically.
      await this.auth.updateAccount(accountId, {
        email: input.email,
        password: input.password === undefined ? undefined : await this.passwords.hash(input.password),
        roleId: input.role?.role_id,
      });
    } catch (error) {
      // The unique index caught a parallel change to the same e-mail.
      if (isUniqueViolation(error)) {
        throw apiError('EMAIL_TAKEN');
      }
      throw error;
    }
    return (await this.accounts.findById(accountId))!;
  }

  async delete(accountId: string): Promise<void> {
    if (isUuid(accountId)) await this.auth.deleteAccount(accountId);
  }

  private async assertRole(roleId: number): Promise<void> {
    // Outside the int4 column's range no role can exist (and PostgreSQL would refuse the parameter).
    if (roleId < 1 || roleId > INT4_MAX || !(await this.accounts.roleExists(roleId))) {
      throw apiError('ROLE_NOT_FOUND');
    }
  }
}
