import { Module } from '@nestjs/common';
import { REDIS, type RedisClient } from '../common/redis.js';
import { CONFIG, type Config } from '../config/config.js';
import { GROUP_STORE } from './group-store.js';
import { MemoryGroupStore } from './memory-group-store.js';
import { RedisGroupStore } from './redis-group-store.js';
import { StudyGroupGateway } from './study-group.gateway.js';
import { StudyGroupsService } from './study-groups.service.js';

@Module({
  providers: [
    StudyGroupGateway,
    StudyGroupsService,
    {
      provide: GROUP_STORE,
      inject: [REDIS, CONFIG],
      useFactory: (redis: RedisClient, config: Config) =>
        redis ? new RedisGroupStore(redis, `${config.REDIS_KEY_PREFIX}groups:`) : new MemoryGroupStore(),
    },
  ],
  // Rankings read the caller's room from the same store (issue 13).
  exports: [GROUP_STORE],
})
export class StudyGroupsModule {}
