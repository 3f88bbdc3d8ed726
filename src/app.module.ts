import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AccountDeletionModule } from './account-deletion/account-deletion.module.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { AdminModule } from './admin/admin.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AccessTokenGuard } from './auth/auth.guards.js';
import { CommonModule, type Infrastructure } from './common/common.module.js';
import { RateLimitGuard } from './auth/rate-limit.guard.js';
import { WireExceptionFilter } from './common/wire/exception.filter.js';
import { SuccessInterceptor } from './common/wire/success.interceptor.js';
import { ExportModule } from './export/export.module.js';
import { HealthModule } from './health/health.module.js';
import { MembersModule } from './members/members.module.js';
import { RankingsModule } from './rankings/rankings.module.js';
import { ShopModule } from './shop/shop.module.js';
import { StatJobsModule } from './stat-jobs/stat-jobs.module.js';
import { StatisticsModule } from './statistics/statistics.module.js';
import { StreaksModule } from './streaks/streaks.module.js';
import { StudyGroupsModule } from './study-groups/study-groups.module.js';
import { StudyCategoriesModule } from './study-categories/study-categories.module.js';
import { StudyTimerModule } from './study-timer/study-timer.module.js';

@Module({})
export class AppModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CommonModule.forRoot(infra),
        AuthModule,
        AccountsModule,
        MembersModule,
        StudyCategoriesModule,
        StudyTimerModule,
        StreaksModule,
        StatisticsModule,
        StatJobsModule,
        RankingsModule,
        ShopModule,
        AdminModule,
        StudyGroupsModule,
        HealthModule,
        ExportModule,
        AccountDeletionModule,
      ],
      providers: [
        // Order matters: authentication first, then the rate limits of the auth routes.
        { provide: APP_GUARD, useClass: AccessTokenGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_INTERCEPTOR, useClass: SuccessInterceptor },
        { provide: APP_FILTER, useClass: WireExceptionFilter },
      ],
    };
  }
}
