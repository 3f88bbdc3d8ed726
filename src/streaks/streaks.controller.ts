import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MemberMustExist } from '../common/auth/auth.guards.js';
import { StreaksService } from './streaks.service.js';

@ApiTags('study streak')
@ApiBearerAuth()
@Controller('members/:member_id/study-streak')
export class StreaksController {
  constructor(private readonly streaks: StreaksService) {}

  /** N13: any signed-in member may read any existing member's streak, as the original. */
  @Get()
  @MemberMustExist()
  async read(@Param('member_id') memberId: string) {
    const { streak, palette, created, current } = await this.streaks.read(memberId);
    return {
      study_streak_id: streak.studyStreakId,
      longest_streak: streak.longestStreak,
      current_streak: current,
      ...(palette
        ? {
            palette: {
              palette_id: palette.paletteId,
              name: palette.name,
              grade: palette.grade,
              light_color: palette.lightColor,
              normal_color: palette.normalColor,
              dark_color: palette.darkColor,
              darker_color: palette.darkerColor,
            },
          }
        : {}),
      ...(created ? { member: { member_id: memberId } } : {}),
    };
  }
}
