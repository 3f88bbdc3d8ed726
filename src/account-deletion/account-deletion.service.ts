import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { AuthService } from '../auth/auth.service.js';
import { PasswordService } from '../auth/password.service.js';
import { RATE_LIMITER, type RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { CONFIG, type Config } from '../config/config.js';

export type SignInOutcome =
  | { ok: true; accountId: string; generation: number; email: string }
  | { ok: false; reason: 'wrong' | 'social' }
  | { ok: false; reason: 'limited'; retryAfterSeconds: number };

/** The web page's sign-in and erasure: the login's own checks and budgets, then `DELETE /auth/me`'s erasure. */
@Injectable()
export class AccountDeletionService {
  private decoy?: Promise<string>;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly accounts: AccountsRepository,
    private readonly passwords: PasswordService,
    private readonly auth: AuthService,
  ) {}

  /** The login budgets (same buckets as `POST /auth/email/login`): per IP, then per e-mail. */
  async limit(ip: string, email?: string): Promise<number | undefined> {
    const window = this.config.RATE_LIMIT_WINDOW_SECONDS;
    const checks: [string, number][] = [[`login:ip:${ip}`, this.config.RATE_LIMIT_LOGIN_PER_IP]];
    if (email !== undefined) checks.push([`login:account:${email}`, this.config.RATE_LIMIT_LOGIN_PER_ACCOUNT]);
    for (const [key, max] of checks) {
      const hit = await this.limiter.hit(key, max, window);
      if (!hit.allowed) return hit.retryAfterSeconds;
    }
    return undefined;
  }

  async signIn(ip: string, rawEmail: string, password: string): Promise<SignInOutcome> {
    const email = rawEmail.trim().toLowerCase().slice(0, 255);
    const retryAfterSeconds = await this.limit(ip, email);
    if (retryAfterSeconds !== undefined) return { ok: false, reason: 'limited', retryAfterSeconds };
    const account = email && password ? await this.accounts.findByEmail(email) : undefined;
    if (!account) {
      // As long as a real check, so the answer's timing doesn't tell which e-mails have an account.
      await this.passwords.verify(await this.decoyHash(), password);
      return { ok: false, reason: 'wrong' };
    }
    if (account.provider !== 'email') return { ok: false, reason: 'social' };
    if (!account.password || !(await this.passwords.verify(account.password, password))) {
      return { ok: false, reason: 'wrong' };
    }
    return {
      ok: true,
      accountId: account.accountId,
      generation: account.tokenGeneration,
      email: account.email ?? email,
    };
  }

  /**
   * Erases the account the proof names, unless its credentials changed since the sign-in (a new
   * password bumps the generation). False when there is nothing (any longer) to erase.
   */
  async erase(accountId: string, generation: number): Promise<boolean> {
    const access = await this.accounts.findAccess(accountId);
    if (!access || access.tokenGeneration !== generation) return false;
    return this.auth.deleteAccount(accountId);
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= this.passwords.hash(randomBytes(18).toString('base64url'));
    return this.decoy;
  }
}
