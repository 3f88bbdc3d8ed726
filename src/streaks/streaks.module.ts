import { Module } from '@nestjs/common';
import { StatisticsModule } from '../statistics/statistics.module.js';
import { StreaksController } from './streaks.controller.js';
import { StreaksRepository } from './streaks.repository.js';
import { StreaksService } from './streaks.service.js';

@Module({
  imports: [StatisticsModule],
  controllers: [StreaksController],
  providers: [StreaksService, StreaksRepository],
  exports: [StreaksService, StreaksRepository],
})
export class StreaksModule {}
