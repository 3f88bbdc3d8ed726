import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { CONFIG, type Config } from '../config/config.js';
import { Clock } from '../common/clock.js';
import { apiError } from '../common/wire/api-error.js';
import { BoundedCache } from '../common/bounded-cache.js';

export interface AccessClaims {
  sub: string;
  email: string | null;
  role: { role_id: number; name?: string };
  /** The account's token generation at signing (`gen`); tokens from before it was bumped are refused. */
  gen: number;
}

export interface RefreshClaims {
  sub: string;
  jti: string;
}

const ALGORITHM = 'HS256'; // pinned: a token with any other `alg` is refused

/** Signs and verifies the access and refresh JWTs (HS256), on the injectable clock. */
@Injectable()
export class TokenService {
  // Imported once: handing jose raw bytes would re-import the key on every sign and verify.
  private readonly accessKey: KeyObject;
  private readonly refreshKey: KeyObject;
  /**
   * Access tokens already verified, by SHA-256 digest (the token itself is not kept), until their `exp`.
   * A signature can't become invalid while the process runs (the key is fixed), so only the expiry is
   * checked again; it saves WebCrypto's HMAC and jose's parsing on every request of a client.
   */
  private readonly verified?: BoundedCache<AccessClaims>;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly clock: Clock,
  ) {
    this.accessKey = createSecretKey(Buffer.from(config.AUTH_JWT_SECRET, 'utf8'));
    this.refreshKey = createSecretKey(Buffer.from(config.AUTH_REFRESH_SECRET, 'utf8'));
    if (config.AUTH_CACHE_TTL_SECONDS > 0) this.verified = new BoundedCache(config.AUTH_CACHE_MAX_ENTRIES);
  }

  /**
   * `expires_in` is an absolute epoch-ms time the PWA refreshes at. It stays a safety margin
   * before the token's real `exp` (the original overshot it by up to a second).
   */
  async signAccess(claims: AccessClaims): Promise<{ token: string; expiresIn: number }> {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const ttl = this.config.AUTH_JWT_TOKEN_EXPIRES_IN;
    const exp = iat + ttl;
    const token = await new SignJWT({ email: claims.email, role: claims.role, gen: claims.gen })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.accessKey);
    const margin = Math.min(5000, Math.floor((ttl * 1000) / 10));
    return { token, expiresIn: exp * 1000 - margin };
  }

  async signRefresh(claims: RefreshClaims, expiresAt: Date): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(Math.floor(this.clock.now().getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.refreshKey);
  }

  async verifyAccess(token: string | undefined): Promise<AccessClaims> {
    const digest = this.verified && token && token.length <= 4096 ? TokenService.digest(token) : undefined;
    // jose's own rule: a token is expired once `exp` <= now in whole seconds, i.e. from exp × 1000 ms on.
    const known = digest && this.verified!.get(digest, this.clock.now().getTime());
    if (known) return known;
    const payload = await this.verify(token, this.accessKey);
    const role = payload.role as AccessClaims['role'] | undefined;
    if (typeof payload.sub !== 'string' || typeof role?.role_id !== 'number') throw apiError('UNAUTHENTICATED');
    // Tokens signed before generations existed count as generation 0.
    const gen = payload.gen ?? 0;
    if (!Number.isSafeInteger(gen)) throw apiError('UNAUTHENTICATED');
    const claims = { sub: payload.sub, email: (payload.email as string | null) ?? null, role, gen: gen as number };
    if (digest && typeof payload.exp === 'number' && payload.nbf === undefined) {
      this.verified!.set(digest, claims, payload.exp * 1000);
    }
    return claims;
  }

  async verifyRefresh(token: string | undefined): Promise<RefreshClaims> {
    const payload = await this.verify(token, this.refreshKey);
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') throw apiError('UNAUTHENTICATED');
    return { sub: payload.sub, jti: payload.jti };
  }

  /** Refresh tokens are stored as this digest only. */
  static digest(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  private async verify(token: string | undefined, key: KeyObject) {
    if (!token || token.length > 4096) throw apiError('UNAUTHENTICATED');
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        // jose accepts a token without `exp` as never expiring; ours always carry one.
        requiredClaims: ['exp'],
        currentDate: this.clock.now(),
      });
      return payload;
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError || error instanceof SyntaxError) {
        throw apiError('UNAUTHENTICATED');
      }
      throw error;
    }
  }
}
