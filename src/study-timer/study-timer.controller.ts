import { Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../auth/auth.guards.js';
import { type Infer, ValidBody } from '../common/wire/validation.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { EndBody, StartBody } from './study-timer.dto.js';
import { StudyTimerService } from './study-timer.service.js';

@ApiTags('study timer')
@ApiBearerAuth()
@Controller('study-timer')
export class StudyTimerController {
  constructor(private readonly timer: StudyTimerService) {}

  @Post('start')
  @Returns(null)
  @Raises('MEMBER_NOT_FOUND', 'CLIENT_ID_REUSED', 'CATEGORY_NOT_FOUND')
  async start(@CurrentCaller() caller: Caller, @ValidBody(StartBody) body: Infer<typeof StartBody>) {
    await this.timer.start(caller.accountId, body.category_id, body.client_id);
    return null;
  }

  @Post('end')
  @Returns(null)
  @Raises('MEMBER_NOT_FOUND', 'TIMER_NOT_FOUND')
  async end(@CurrentCaller() caller: Caller, @ValidBody(EndBody) body: Infer<typeof EndBody>) {
    await this.timer.end(caller.accountId, body.status, body.client_id);
    return null;
  }
}
