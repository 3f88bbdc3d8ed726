import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AuthModule } from '../auth/auth.module.js';
import { Clock } from '../common/clock.js';
import { CONFIG, type Config } from '../config/config.js';
import { accountDeletionRoutes } from './account-deletion.routes.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { PageSigner } from './page-signer.js';

/** The account-deletion web page (issue 14, part 3), served by the service itself at /account/delete. */
@Module({
  imports: [AuthModule],
  providers: [AccountDeletionService],
})
export class AccountDeletionModule implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly service: AccountDeletionService,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    // Not awaited: awaiting boots Fastify's root context early, and every Nest route added after that
    // is built before Nest installs its error handler (body errors then left in Fastify's own format).
    // Fastify loads the plugin at ready, with the rest.
    void fastify.register(
      accountDeletionRoutes({
        service: this.service,
        signer: new PageSigner(this.config.AUTH_REFRESH_SECRET),
        clock: this.clock,
        ttlSeconds: this.config.ACCOUNT_DELETE_PROOF_TTL_SECONDS,
        retryAfterSeconds: this.config.DATABASE_RETRY_AFTER_SECONDS,
      }),
    );
  }
}
