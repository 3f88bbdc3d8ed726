import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { PasswordService } from './password.service.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';
import { SocialLoginService } from './social/social-login.service.js';

@Module({
  controllers: [AuthController],
  providers: [AuthService, PasswordService, RefreshTokenRepository, SocialLoginService],
  exports: [AuthService, PasswordService],
})
export class AuthModule {}
