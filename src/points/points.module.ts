import { Module } from '@nestjs/common';
import { PointsRepository } from './points.repository.js';

/** Points and their transaction records: moved by the shop and by the timer's rewards. */
@Module({
  providers: [PointsRepository],
  exports: [PointsRepository],
})
export class PointsModule {}
