import { Module } from '@nestjs/common';
import { StudyCategoriesController } from './study-categories.controller.js';
import { StudyCategoriesRepository } from './study-categories.repository.js';
import { StudyCategoriesService } from './study-categories.service.js';

@Module({
  controllers: [StudyCategoriesController],
  providers: [StudyCategoriesService, StudyCategoriesRepository],
  exports: [StudyCategoriesRepository],
})
export class StudyCategoriesModule {}
