import { Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller, OwnerOnly } from '../auth/auth.guards.js';
import { type Infer, ValidBody } from '../common/wire/validation.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { toStudyRecordResponse, UploadedRecordResponse } from '../statistics/statistics.dto.js';
import { OfflineRecordsService } from './offline-records.service.js';
import { OfflineRecordBody } from './study-timer.dto.js';

@ApiTags('study timer')
@ApiBearerAuth()
@OwnerOnly()
@Controller('members/:member_id')
export class OfflineRecordsController {
  constructor(private readonly offline: OfflineRecordsService) {}

  /** M4 (issue 14): a session timed offline; the same `client_id` again answers the same record (200). */
  @Post('study-records')
  @Returns(UploadedRecordResponse)
  @Raises(
    'MEMBER_NOT_FOUND',
    'OFFLINE_END_BEFORE_START',
    'OFFLINE_IN_FUTURE',
    'OFFLINE_TOO_OLD',
    'OFFLINE_TOO_LONG',
    'OFFLINE_CATEGORY_NOT_FOUND',
    'OFFLINE_OVERLAP',
    'CLIENT_ID_REUSED',
  )
  async upload(@CurrentCaller() caller: Caller, @ValidBody(OfflineRecordBody) body: Infer<typeof OfflineRecordBody>) {
    const record = await this.offline.upload(caller.accountId, {
      clientId: body.client_id,
      startTime: body.start_time,
      endTime: body.end_time,
      status: body.status,
      categoryId: body.category_id,
    });
    return { ...toStudyRecordResponse(record), source: record.source, client_id: record.clientId };
  }
}
