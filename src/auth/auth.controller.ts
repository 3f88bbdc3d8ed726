import { applyDecorators, Controller, Delete, Header, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type Caller, CurrentCaller, Public } from './auth.guards.js';
import { bearerToken } from './bearer.js';
import { RateLimit } from './rate-limit.guard.js';
import { type Infer, ValidBody } from '../common/wire/validation.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import {
  CodeBody,
  GoogleBody,
  LoginBody,
  LoginResponse,
  RegisterBody,
  SessionResponse,
  toLoginResponse,
} from './auth.dto.js';
import { AuthService } from './auth.service.js';
import { SocialLoginService } from './social/social-login.service.js';
import { apiError } from '../common/wire/api-error.js';

/** Answers carrying tokens must not be kept by a browser or a proxy. */
const NoStore = () => applyDecorators(Header('Cache-Control', 'no-store'), Header('Pragma', 'no-cache'));

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly social: SocialLoginService,
  ) {}

  @Post('email/login')
  @Returns(LoginResponse)
  @Raises('ACCOUNT_NOT_FOUND', 'SOCIAL_ACCOUNT', 'WRONG_PASSWORD', 'UNAUTHENTICATED')
  @NoStore()
  @Public()
  @RateLimit('login')
  async login(@ValidBody(LoginBody) body: Infer<typeof LoginBody>) {
    const { session, account } = await this.auth.login(body.email, body.password);
    return toLoginResponse(session, account);
  }

  @Post('email/register')
  @Returns(LoginResponse)
  @Raises('EMAIL_TAKEN', 'UNAUTHENTICATED')
  @NoStore()
  @Public()
  @RateLimit('register')
  async register(@ValidBody(RegisterBody) body: Infer<typeof RegisterBody>) {
    const { session, account } = await this.auth.register(body.email, body.password);
    return toLoginResponse(session, account);
  }

  /** The refresh token is the bearer; the body is ignored (the PWA sends `{}`). */
  @Post('refresh')
  @Returns(SessionResponse)
  @Raises('UNAUTHENTICATED', 'ACCOUNT_NOT_FOUND')
  @NoStore()
  @Public()
  @RateLimit('refresh')
  @ApiBearerAuth()
  refresh(@Req() request: FastifyRequest) {
    return this.auth.refresh(bearerToken(request));
  }

  /** M1: revokes the chain of the refresh token given as the bearer. */
  @Post('logout')
  @Returns(null)
  @Raises('UNAUTHENTICATED')
  @Public()
  @ApiBearerAuth()
  async logout(@Req() request: FastifyRequest) {
    await this.auth.logout(bearerToken(request));
    return null;
  }

  @Delete('me')
  @Returns()
  @ApiBearerAuth()
  async deleteMe(@CurrentCaller() caller: Caller): Promise<void> {
    await this.auth.deleteAccount(caller.accountId);
  }

  @Post('google/login')
  @Returns(LoginResponse)
  @Raises('PROVIDER_FAILED', 'UNAUTHENTICATED')
  @NoStore()
  @Public()
  @RateLimit('social')
  async google(@ValidBody(GoogleBody) body: Infer<typeof GoogleBody>) {
    // `null` passes as absent (optional fields); with neither there is nothing to send to Google.
    if (!body.code && !body.id_token) throw apiError('VALIDATION', { messages: ['code should not be empty'] });
    const { session, account } = await this.auth.socialLogin(await this.social.google(body));
    return toLoginResponse(session, account);
  }

  @Post('kakao/login')
  @Returns(LoginResponse)
  @Raises('PROVIDER_FAILED', 'UNAUTHENTICATED')
  @NoStore()
  @Public()
  @RateLimit('social')
  async kakao(@ValidBody(CodeBody) body: Infer<typeof CodeBody>) {
    const { session, account } = await this.auth.socialLogin(await this.social.kakao(body.code));
    return toLoginResponse(session, account);
  }

  @Post('naver/login')
  @Returns(LoginResponse)
  @Raises('PROVIDER_FAILED', 'UNAUTHENTICATED')
  @NoStore()
  @Public()
  @RateLimit('social')
  async naver(@ValidBody(CodeBody) body: Infer<typeof CodeBody>) {
    const { session, account } = await this.auth.socialLogin(await this.social.naver(body.code));
    return toLoginResponse(session, account);
  }
}
