import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../auth/auth.guards.js';
import { type Infer, ValidQuery } from '../common/wire/validation.js';
import { PERIODS } from './periods.js';
import { MAX_LIMIT, MAX_OFFSET, RankingsQuery, SCOPES, toRankingResponse } from './rankings.dto.js';
import { RankingsService } from './rankings.service.js';

@ApiTags('rankings')
@ApiBearerAuth()
@Controller('rankings')
export class RankingsController {
  constructor(private readonly rankings: RankingsService) {}

  @Get()
  @ApiOperation({
    summary: 'Who studied most in a local day, ISO week or month, overall or in the caller’s study room',
    description:
      'data: {period, start, end, timezone, total, ranking: [{rank, member_id, nickname, image_url, seconds, ' +
      'is_studying}], me: {rank, seconds} | null}. Ties share a rank and are ordered by member_id. The running ' +
      'session counts up to now. scope=all is served from a snapshot at most RANKING_SNAPSHOT_SECONDS old; ' +
      'scope=group is live and answers 404 when the caller is not seated in a room.',
  })
  @ApiQuery({ name: 'period', required: false, enum: PERIODS, description: 'default day' })
  @ApiQuery({ name: 'date', required: false, example: '2026-12-02', description: 'YYYY-MM-DD; default today' })
  @ApiQuery({ name: 'timezone', required: false, example: 'Asia/Seoul', description: 'default DEFAULT_TIMEZONE' })
  @ApiQuery({ name: 'scope', required: false, enum: SCOPES, description: 'default all' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 },
  })
  @ApiQuery({
    name: 'offset',
    required: false,
    schema: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
  })
  async ranking(@CurrentCaller() caller: Caller, @ValidQuery(RankingsQuery) q: Infer<typeof RankingsQuery>) {
    return toRankingResponse(await this.rankings.ranking(caller.accountId, q));
  }
}
