import { Global, Module } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { MembersRepository } from '../members/members.repository.js';
import { AuthCache } from './auth-cache.js';
import { AuthController } from './auth.controller.js';
import { MemberExistsGuard, OwnerGuard } from './auth.guards.js';
import { AuthService } from './auth.service.js';
import { Authenticator } from './authenticator.js';
import { PasswordService } from './password.service.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';
import { SocialLoginService } from './social/social-login.service.js';
import { TokenService } from './token.service.js';

// Global: every feature's controllers use the owner and member guards, and the socket handshake
// authenticates; the account and member repositories are here because the guards read them on
// every request (one instance, shared with the features that write those tables).
const shared = [
  TokenService,
  AccountsRepository,
  MembersRepository,
  AuthCache,
  Authenticator,
  OwnerGuard,
  MemberExistsGuard,
  AuthService,
  PasswordService,
];

/** Sign-in, tokens, and who the caller is (the access-token guard, the owner and member guards). */
@Global()
@Module({
  controllers: [AuthController],
  providers: [...shared, RefreshTokenRepository, SocialLoginService],
  exports: shared,
})
export class AuthModule {}
