import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { PointsModule } from '../points/points.module.js';
import { StreaksModule } from '../streaks/streaks.module.js';
import { StudyCategoriesModule } from '../study-categories/study-categories.module.js';
import { OfflineRecordsController } from './offline-records.controller.js';
import { OfflineRecordsService } from './offline-records.service.js';
import { StudyTimerController } from './study-timer.controller.js';
import { StudyTimerRepository } from './study-timer.repository.js';
import { StudyTimerService } from './study-timer.service.js';

@Module({
  imports: [InventoryModule, PointsModule, StreaksModule, StudyCategoriesModule],
  controllers: [StudyTimerController, OfflineRecordsController],
  providers: [StudyTimerService, OfflineRecordsService, StudyTimerRepository],
})
export class StudyTimerModule {}
