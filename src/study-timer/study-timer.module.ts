import { Module } from '@nestjs/common';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { PointsRepository } from '../points/points.repository.js';
import { StreaksModule } from '../streaks/streaks.module.js';
import { StudyCategoriesModule } from '../study-categories/study-categories.module.js';
import { OfflineRecordsController } from './offline-records.controller.js';
import { OfflineRecordsService } from './offline-records.service.js';
import { StudyTimerController } from './study-timer.controller.js';
import { StudyTimerRepository } from './study-timer.repository.js';
import { StudyTimerService } from './study-timer.service.js';

@Module({
  imports: [StreaksModule, StudyCategoriesModule],
  controllers: [StudyTimerController, OfflineRecordsController],
  providers: [StudyTimerService, OfflineRecordsService, StudyTimerRepository, InventoryRepository, PointsRepository],
})
export class StudyTimerModule {}
