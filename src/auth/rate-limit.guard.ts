import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '../config/config.js';
import { apiError } from '../common/wire/api-error.js';
import { edgeRaises } from '../common/wire/raises.js';
import { bearerToken } from './bearer.js';
import { TokenService } from './token.service.js';
import { RATE_LIMITER, type RateLimiter } from '../common/rate-limit/rate-limiter.js';

export type RateLimitKind = 'login' | 'register' | 'refresh' | 'social' | 'export';
const KIND = 'rate-limit:kind';
export const RateLimit = (kind: RateLimitKind) => applyDecorators(SetMetadata(KIND, kind), edgeRaises('RATE_LIMITED'));

/** Per-IP and per-account limits on the authentication routes; 429 with `Retry-After`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(CONFIG) private readonly config: Config,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.get<RateLimitKind | undefined>(KIND, context.getHandler());
    if (!kind) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // A logged-out PWA refreshes with no token before every request: that costs
    // nothing, answers 401 at once, and must not use up the budget of others behind the same IP.
    if (kind === 'refresh' && !bearerToken(request)) return true;
    const window = this.config.RATE_LIMIT_WINDOW_SECONDS;
    const perIp = this.perIp(kind);
    const checks: [string, number][] = perIp === undefined ? [] : [[`${kind}:ip:${request.ip}`, perIp]];
    const account = await this.accountKey(kind, request);
    if (account !== undefined) checks.push([`${kind}:account:${account}`, this.perAccount(kind)]);
    for (const [key, limit] of checks) {
      const result = await this.limiter.hit(key, limit, window);
      if (!result.allowed) throw apiError('RATE_LIMITED', { retryAfterSeconds: result.retryAfterSeconds });
    }
    return true;
  }

  /** The account's bucket: the e-mail for login and register, the verified `sub` for refresh. */
  private async accountKey(kind: RateLimitKind, request: FastifyRequest): Promise<string | undefined> {
    if (kind === 'login' || kind === 'register') {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 255) : undefined;
    }
    if (kind === 'refresh') {
      // Only a genuine token names a bucket, so nobody can spend another account's budget.
      return this.tokens.verifyRefresh(bearerToken(request)).then(
        (claims) => claims.sub,
        () => undefined,
      );
    }
    // Behind the access-token guard: the caller is authenticated, so the bucket is its own.
    if (kind === 'export') return (request as FastifyRequest & { caller?: { accountId: string } }).caller?.accountId;
    return undefined;
  }

  /** Undefined: no per-IP budget (an authenticated route limited per account only). */
  private perIp(kind: RateLimitKind): number | undefined {
    const c = this.config;
    if (kind === 'export') return undefined;
    return {
      login: c.RATE_LIMIT_LOGIN_PER_IP,
      register: c.RATE_LIMIT_REGISTER_PER_IP,
      refresh: c.RATE_LIMIT_REFRESH_PER_IP,
      social: c.RATE_LIMIT_SOCIAL_PER_IP,
    }[kind];
  }

  private perAccount(kind: RateLimitKind): number {
    if (kind === 'export') return this.config.RATE_LIMIT_EXPORT_PER_ACCOUNT;
    return kind === 'refresh' ? this.config.RATE_LIMIT_REFRESH_PER_ACCOUNT : this.config.RATE_LIMIT_LOGIN_PER_ACCOUNT;
  }
}
