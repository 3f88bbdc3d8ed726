import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { CONFIG, type Config } from '../../config/config.js';
import { ApiError } from '../wire/api-error.js';
import { bearerToken } from '../auth/bearer.js';
import type { RateLimiter } from './rate-limiter.js';

export type RateLimitKind = 'login' | 'register' | 'refresh' | 'social';
export const RATE_LIMITER = Symbol('RATE_LIMITER');
const KIND = 'rate-limit:kind';
export const RateLimit = (kind: RateLimitKind) => SetMetadata(KIND, kind);

/** Per-IP and per-account limits on the authentication routes; 429 with `Retry-After`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.get<RateLimitKind | undefined>(KIND, context.getHandler());
    if (!kind) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const window = this.config.RATE_LIMIT_WINDOW_SECONDS;
    const checks: [string, number][] = [[`${kind}:ip:${request.ip}`, this.perIp(kind)]];
    const account = accountKey(kind, request);
    if (account !== undefined) checks.push([`${kind}:account:${account}`, this.perAccount(kind)]);
    for (const [key, limit] of checks) {
      const result = await this.limiter.hit(key, limit, window);
      if (!result.allowed) throw ApiError.tooManyRequests(result.retryAfterSeconds);
    }
    return true;
  }

  private perIp(kind: RateLimitKind): number {
    const c = this.config;
    return {
      login: c.RATE_LIMIT_LOGIN_PER_IP,
      register: c.RATE_LIMIT_REGISTER_PER_IP,
      refresh: c.RATE_LIMIT_REFRESH_PER_IP,
      social: c.RATE_LIMIT_SOCIAL_PER_IP,
    }[kind];
  }

  private perAccount(kind: RateLimitKind): number {
    return kind === 'refresh' ? this.config.RATE_LIMIT_REFRESH_PER_ACCOUNT : this.config.RATE_LIMIT_LOGIN_PER_ACCOUNT;
  }
}

function accountKey(kind: RateLimitKind, request: FastifyRequest): string | undefined {
  if (kind === 'login' || kind === 'register') {
    const email = (request.body as { email?: unknown } | undefined)?.email;
    return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 255) : undefined;
  }
  if (kind === 'refresh') {
    const token = bearerToken(request);
    if (!token) return undefined;
    try {
      const sub = decodeJwt(token).sub; // only a bucket name; the handler verifies the signature
      return typeof sub === 'string' ? sub.slice(0, 64) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
