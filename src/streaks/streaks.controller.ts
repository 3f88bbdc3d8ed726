import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MemberMustExist } from '../auth/auth.guards.js';
import { StreakResponse, toStreakResponse } from './streaks.dto.js';
import { Returns } from '../common/wire/openapi.js';
import { StreaksService } from './streaks.service.js';

@ApiTags('study streak')
@ApiBearerAuth()
@Controller('members/:member_id/study-streak')
export class StreaksController {
  constructor(private readonly streaks: StreaksService) {}

  /** N13: any signed-in member may read any existing member's streak, as the original. */
  @Get()
  @Returns(StreakResponse)
  @MemberMustExist()
  async read(@Param('member_id') memberId: string) {
    const { streak, palette, created, current } = await this.streaks.read(memberId);
    return toStreakResponse(streak, current, palette, created ? memberId : undefined);
  }
}
