import { Module } from '@nestjs/common';
import { StudyGroupsModule } from '../study-groups/study-groups.module.js';
import { RankingsController } from './rankings.controller.js';
import { RankingsRepository } from './rankings.repository.js';
import { RankingsService } from './rankings.service.js';

@Module({
  imports: [StudyGroupsModule],
  controllers: [RankingsController],
  providers: [RankingsService, RankingsRepository],
})
export class RankingsModule {}
