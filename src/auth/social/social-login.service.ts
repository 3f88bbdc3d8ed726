import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { Clock } from '../../common/clock.js';
import { type ApiError, apiError } from '../../common/wire/api-error.js';
import { CONFIG, type Config } from '../../config/config.js';
import type { SocialIdentity } from './social-provider.js';

type Jwks = ReturnType<typeof createRemoteJWKSet>;

/**
 * Google, Kakao and Naver sign-in against configurable endpoints. Every failure of a provider (a
 * refused code, a bad signature, a wrong `iss` or `aud`, an expired token, an unverified e-mail, a
 * timeout) is a 422 with the original's message, never a 500.
 */
@Injectable()
export class SocialLoginService {
  private readonly logger = new Logger(SocialLoginService.name);
  private readonly googleKeys: Jwks;
  private readonly kakaoKeys: Jwks;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly clock: Clock,
  ) {
    const options = { timeoutDuration: config.SOCIAL_HTTP_TIMEOUT_MS };
    this.googleKeys = createRemoteJWKSet(new URL(config.GOOGLE_JWKS_URL), options);
    this.kakaoKeys = createRemoteJWKSet(new URL(config.KAKAO_JWKS_URL), options);
  }

  /** The PWA's redirect-flow code, exchanged with the configured redirect URI; or an `id_token`. */
  async google(input: { code?: string; id_token?: string }): Promise<SocialIdentity> {
    const c = this.config;
    const idToken =
      input.id_token ??
      (
        await this.exchange('google', c.GOOGLE_TOKEN_URL, {
          grant_type: 'authorization_code',
          code: input.code!,
          client_id: c.GOOGLE_CLIENT_ID,
          client_secret: c.GOOGLE_CLIENT_SECRET,
          redirect_uri: c.GOOGLE_REDIRECT_URI,
        })
      ).id_token;
    const claims = await this.verifyIdToken('google', idToken, this.googleKeys, c.GOOGLE_ISSUERS, c.GOOGLE_CLIENT_ID);
    if (typeof claims.email === 'string' && claims.email_verified !== true) {
      throw this.fail('google', 'e-mail not verified');
    }
    return {
      provider: 'google',
      socialId: claims.sub!,
      email: typeof claims.email === 'string' ? claims.email.toLowerCase() : null,
      emailVerified: claims.email_verified === true,
    };
  }

  /** Kakao Login with OpenID Connect: the token response carries a signed `id_token`. */
  async kakao(code: string): Promise<SocialIdentity> {
    const c = this.config;
    const { id_token: idToken } = await this.exchange('kakao', c.KAKAO_TOKEN_URL, {
      grant_type: 'authorization_code',
      code,
      client_id: c.KAKAO_REST_API_KEY,
      client_secret: c.KAKAO_CLIENT_SECRET,
      redirect_uri: c.KAKAO_REDIRECT_URI,
    });
    const claims = await this.verifyIdToken('kakao', idToken, this.kakaoKeys, [c.KAKAO_ISSUER], c.KAKAO_REST_API_KEY);
    // Kakao's e-mail carries no verification claim, so it is neither stored nor linked (as the original).
    return { provider: 'kakao', socialId: claims.sub!, email: null, emailVerified: false };
  }

  /** Naver has no OpenID Connect: the access token reads the profile API. */
  async naver(code: string): Promise<SocialIdentity> {
    const c = this.config;
    const { access_token: accessToken } = await this.exchange('naver', c.NAVER_TOKEN_URL, {
      grant_type: 'authorization_code',
      code,
      client_id: c.NAVER_CLIENT_ID,
      client_secret: c.NAVER_CLIENT_SECRET,
      state: 'false',
    });
    if (typeof accessToken !== 'string' || accessToken === '') throw this.fail('naver', 'no access_token');
    const profile = (await this.request('naver', c.NAVER_PROFILE_URL, {
      headers: { authorization: `Bearer ${accessToken}` },
    })) as { resultcode?: string; response?: { id?: unknown } };
    const id = profile.response?.id;
    if (profile.resultcode !== '00' || typeof id !== 'string' || id === '' || id.length > 255) {
      throw this.fail('naver', 'unexpected profile response');
    }
    return { provider: 'naver', socialId: id, email: null, emailVerified: false };
  }

  private async exchange(provider: string, url: string, form: Record<string, string>) {
    const body = (await this.request(provider, url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams(form).toString(),
    })) as { id_token?: string; access_token?: string };
    return body;
  }

  private async request(provider: string, url: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.config.SOCIAL_HTTP_TIMEOUT_MS) });
    } catch (error) {
      throw this.fail(provider, `unreachable: ${(error as Error).name}`);
    }
    if (!response.ok) throw this.fail(provider, `answered ${response.status}`);
    try {
      return await response.json();
    } catch {
      throw this.fail(provider, 'answered a body that is not JSON');
    }
  }

  private async verifyIdToken(
    provider: string,
    token: unknown,
    keys: Jwks,
    issuer: string[],
    audience: string,
  ): Promise<JWTPayload> {
    if (typeof token !== 'string' || token === '') throw this.fail(provider, 'no id_token');
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience,
        algorithms: ['RS256', 'ES256'],
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 255) {
        throw new Error('bad sub');
      }
      return payload;
    } catch (error) {
      throw this.fail(provider, `id_token refused: ${(error as Error).message}`);
    }
  }

  private fail(provider: string, reason: string): ApiError {
    this.logger.warn({ provider, reason }, 'social login refused');
    return apiError('PROVIDER_FAILED');
  }
}
