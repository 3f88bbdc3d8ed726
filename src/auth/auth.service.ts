import { Inject, Injectable, Logger } from '@nestjs/common';
import { type AccountRow, AccountsRepository } from '../accounts/accounts.repository.js';
import { AuthCache } from './auth-cache.js';
import { USER_ROLE_ID } from './authenticator.js';
import { TokenService } from './token.service.js';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/events.js';
import { Random } from '../common/random.js';
import { apiError } from '../common/wire/api-error.js';
import { CONFIG, type Config } from '../config/config.js';
import type { Tx } from '../database/client.js';
import { Transactions } from '../database/transactions.js';
import type { Session } from './auth.dto.js';
import { PasswordService } from './password.service.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';
import { decideRefresh } from './refresh-rules.js';
import type { SocialIdentity } from './social/social-provider.js';

/** E-mail and social sign-in, refresh rotation (docs/decisions.md, Authentication), logout and account erasure. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transactions: Transactions,
    private readonly accounts: AccountsRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly events: EventBus,
    private readonly cache: AuthCache,
  ) {}

  async login(email: string, password: string): Promise<{ session: Session; account: AccountRow }> {
    const account = await this.accounts.findByEmail(email);
    if (!account) throw apiError('ACCOUNT_NOT_FOUND');
    if (account.provider !== 'email') throw apiError('SOCIAL_ACCOUNT');
    if (!account.password || !(await this.passwords.verify(account.password, password))) {
      throw apiError('WRONG_PASSWORD');
    }
    let verified = account;
    if (this.passwords.needsUpgrade(account.password)) {
      const upgraded = await this.passwords.hash(password);
      await this.accounts.update(account.accountId, { password: upgraded });
      verified = { ...account, password: upgraded };
    }
    return { session: await this.startSession(verified, undefined, undefined, password), account };
  }

  async register(email: string, password: string): Promise<{ session: Session; account: AccountRow }> {
    if (await this.accounts.findByEmail(email)) throw apiError('EMAIL_TAKEN');
    const accountId = await this.accounts.insert({
      email,
      password: await this.passwords.hash(password),
      provider: 'email',
      socialId: null,
      roleId: USER_ROLE_ID,
    });
    // A parallel registration of the same e-mail won the unique index.
    if (!accountId) throw apiError('EMAIL_TAKEN');
    const account = (await this.accounts.findById(accountId))!;
    return { session: await this.startSession(account), account };
  }

  /** Finds or creates the account of a verified provider identity (N5, X1, X2 in docs/routes.md). */
  async socialLogin(identity: SocialIdentity): Promise<{ session: Session; account: AccountRow }> {
    const account = (await this.findSocialAccount(identity)) ?? (await this.createSocialAccount(identity));
    return { session: await this.startSession(account), account };
  }

  /**
   * Rotation with a reuse window (the decision is `decideRefresh`): a token reused after the window
   * leaked, so the whole chain is revoked and the account's access tokens end.
   * Everything on one chain runs under that chain's lock, so no new token can slip into a chain while
   * it is being revoked, and under the account's credentials lock, so none can slip past a password
   * change either (it waits for a rotation in flight, or the rotation waits and then finds its token revoked).
   */
  async refresh(token: string | undefined): Promise<Session> {
    await this.tokens.verifyRefresh(token);
    const hash = TokenService.digest(token!);
    const found = await this.refreshTokens.findByHash(hash);
    if (!found) throw apiError('UNAUTHENTICATED');
    const outcome = await this.transactions.run(async (tx) => {
      await this.refreshTokens.lockChain(found.chainId, tx);
      await this.accounts.lockCredentials(found.accountId, 'update', tx);
      // Read again under both locks: a password change or a revocation that committed meanwhile shows here.
      const row = await this.refreshTokens.findByHash(hash, tx);
      const now = this.clock.now();
      const decision = decideRefresh(row, now, this.config.REFRESH_REUSE_WINDOW_SECONDS);
      if (!row || decision.kind === 'reject') throw apiError('UNAUTHENTICATED');
      const account = await this.accounts.findById(row.accountId, tx);
      if (!account) throw apiError('ACCOUNT_NOT_FOUND');
      if (decision.kind === 'rotate') {
        if (decision.firstUse) await this.refreshTokens.markRotated(row.refreshTokenId, now, tx);
        return { session: await this.startSession(account, row.chainId, tx) };
      }
      await this.refreshTokens.revokeChain(row.chainId, now, tx);
      await this.accounts.bumpTokenGeneration(account.accountId, tx);
      return { revoked: { accountId: account.accountId, chainId: row.chainId } };
    });
    if (outcome.session) return outcome.session;
    this.logger.warn(outcome.revoked, 'refresh token reused; chain revoked');
    await this.cache.invalidate({ accountIds: [outcome.revoked.accountId] });
    this.events.publish('account.credentials-ended', { accountId: outcome.revoked.accountId });
    throw apiError('UNAUTHENTICATED');
  }

  /** Revokes the chain of the presented refresh token. */
  async logout(token: string | undefined): Promise<void> {
    await this.tokens.verifyRefresh(token);
    const hash = TokenService.digest(token!);
    const found = await this.refreshTokens.findByHash(hash);
    if (!found || found.revokedAt) throw apiError('UNAUTHENTICATED');
    await this.transactions.run(async (tx) => {
      await this.refreshTokens.lockChain(found.chainId, tx);
      await this.refreshTokens.revokeChain(found.chainId, this.clock.now(), tx);
    });
  }

  /**
   * Applies an account change. A new password also ends every session and every access token of the
   * account in the same transaction; its row lock is the one refresh and sign-in take, so whatever
   * they issue either commits first (and is revoked here) or waits and sees the change.
   */
  async updateAccount(
    accountId: string,
    patch: { email?: string; password?: string; roleId?: number },
  ): Promise<boolean> {
    const changed =
      patch.password === undefined
        ? await this.accounts.update(accountId, patch)
        : await this.transactions.run(async (tx) => {
            if (!(await this.accounts.update(accountId, patch, tx))) return false;
            await this.accounts.bumpTokenGeneration(accountId, tx);
            await this.refreshTokens.revokeAccount(accountId, this.clock.now(), tx);
            return true;
          });
    // A new role or generation holds on every instance before this answers.
    if (changed && (patch.password !== undefined || patch.roleId !== undefined)) {
      await this.cache.invalidate({ accountIds: [accountId] });
    }
    if (changed && patch.password !== undefined) this.events.publish('account.credentials-ended', { accountId });
    return changed;
  }

  /** Erases the account and everything it owns; its tokens stop working at once (N4, N9). */
  async deleteAccount(accountId: string): Promise<boolean> {
    const deleted = await this.accounts.delete(accountId);
    if (!deleted) return false;
    // Every instance forgets the account (and its member) before the erasure answers.
    await this.cache.invalidate({ accountIds: [accountId], memberIds: deleted.memberId ? [deleted.memberId] : [] });
    this.events.publish('account.deleted', { accountId, memberId: deleted.memberId });
    return true;
  }

  /**
   * A new chain (sign-in) is stored under the credentials lock, and only if the password it was checked
   * against is still current: a password change that commits meanwhile refuses it. A generation bumped
   * for another reason (a reused chain elsewhere) does not: the tokens carry the generation as locked.
   * `password`, when given, still signs in after a hash upgrade of the same password (a parallel login).
   */
  private async startSession(account: AccountRow, chainId?: string, tx?: Tx, password?: string): Promise<Session> {
    if (!tx) {
      return this.transactions.run(async (inner) => {
        const locked = await this.accounts.lockCredentials(account.accountId, 'share', inner);
        if (!locked) throw apiError('UNAUTHENTICATED');
        if (locked.password !== account.password) {
          const same = password && locked.password && (await this.passwords.verify(locked.password, password));
          if (!same) throw apiError('UNAUTHENTICATED');
        }
        return this.startSession({ ...account, ...locked }, chainId, inner);
      });
    }
    const { token: accessToken, expiresIn } = await this.tokens.signAccess({
      sub: account.accountId,
      email: account.email,
      role: { role_id: account.role.roleId, name: account.role.name },
      gen: account.tokenGeneration,
    });
    const refreshTokenId = this.random.uuid();
    const expiresAt = new Date(this.clock.now().getTime() + this.config.AUTH_REFRESH_TOKEN_EXPIRES_IN * 1000);
    const refreshToken = await this.tokens.signRefresh({ sub: account.accountId, jti: refreshTokenId }, expiresAt);
    await this.refreshTokens.insert(
      {
        refreshTokenId,
        accountId: account.accountId,
        chainId: chainId ?? this.random.uuid(),
        tokenHash: TokenService.digest(refreshToken),
        expiresAt,
      },
      tx,
    );
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn };
  }

  private async findSocialAccount(identity: SocialIdentity): Promise<AccountRow | undefined> {
    const linked = await this.accounts.findBySocial(identity.provider, identity.socialId);
    if (linked) return linked;
    // A verified e-mail that matches an existing account signs in to it.
    return identity.email && identity.emailVerified ? this.accounts.findByEmail(identity.email) : undefined;
  }

  private async createSocialAccount(identity: SocialIdentity): Promise<AccountRow> {
    const email = identity.emailVerified ? identity.email : null;
    const accountId = await this.accounts.insert({
      email,
      password: null,
      provider: identity.provider,
      socialId: identity.socialId,
      roleId: USER_ROLE_ID,
    });
    if (accountId) return (await this.accounts.findById(accountId))!;
    // Lost a race with a parallel first login of the same identity (or e-mail): use the winner.
    const winner = await this.findSocialAccount(identity);
    if (!winner) throw apiError('PROVIDER_FAILED');
    return winner;
  }
}
