import { Module } from '@nestjs/common';
import { RollupReader } from './rollup-reader.js';
import { StatisticsController } from './statistics.controller.js';
import { StatisticsRepository } from './statistics.repository.js';
import { StatisticsService } from './statistics.service.js';

@Module({
  controllers: [StatisticsController],
  providers: [StatisticsService, StatisticsRepository, RollupReader],
  exports: [StatisticsRepository],
})
export class StatisticsModule {}
