import { Module } from '@nestjs/common';
import { StatJobsController } from './stat-jobs.controller.js';
import { StatJobsRunner } from './stat-jobs.runner.js';

@Module({ controllers: [StatJobsController], providers: [StatJobsRunner], exports: [StatJobsRunner] })
export class StatJobsModule {}
