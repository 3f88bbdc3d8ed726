import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentOwner, OwnerOnly } from '../auth/auth.guards.js';
import type { Owner } from '../auth/authenticator.js';
import { RateLimit } from '../auth/rate-limit.guard.js';
import { ReturnsRaw } from '../common/wire/openapi.js';
import { RawResponse } from '../common/wire/success.interceptor.js';
import { type Infer, ValidQuery } from '../common/wire/validation.js';
import { CONFIG, type Config } from '../config/config.js';
import { ExportFileSchema, ExportQuery } from './export.dto.js';
import { ExportService } from './export.service.js';

@ApiTags('export')
@ApiBearerAuth()
@OwnerOnly()
@Controller('members/:member_id')
export class ExportController {
  constructor(
    private readonly exports: ExportService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** M3: a file, not an envelope: everything the service holds about the caller (JSON), or its sessions (CSV). */
  @Get('export')
  @RateLimit('export')
  @RawResponse()
  @ApiProduces('application/json', 'text/csv')
  @ReturnsRaw({ 'application/json': ExportFileSchema, 'text/csv': { type: 'string' } })
  async export(
    @CurrentOwner() owner: Owner,
    @ValidQuery(ExportQuery) q: Infer<typeof ExportQuery>,
    @Res({ passthrough: false }) reply: FastifyReply,
  ): Promise<void> {
    const tz = q.timezone ?? this.config.DEFAULT_TIMEZONE;
    const file = await this.exports.open(owner.accountId, owner.memberId, q.format ?? 'json', tz);
    await reply
      .status(200)
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('cache-control', 'no-store')
      .send(file.body);
  }
}
