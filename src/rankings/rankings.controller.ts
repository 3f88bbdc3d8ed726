import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../auth/auth.guards.js';
import { type Infer, ValidQuery } from '../common/wire/validation.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { RankingResponse, RankingsQuery, toRankingResponse } from './rankings.dto.js';
import { RankingsService } from './rankings.service.js';

@ApiTags('rankings')
@ApiBearerAuth()
@Controller('rankings')
export class RankingsController {
  constructor(private readonly rankings: RankingsService) {}

  @Get()
  @Returns(RankingResponse)
  @Raises('MEMBER_MISSING', 'NOT_IN_GROUP', 'GROUPS_UNAVAILABLE')
  @ApiOperation({
    summary: 'Who studied most in a local day, ISO week or month, overall or in the caller’s study room',
    description:
      'data: {period, start, end, timezone, total, ranking: [{rank, member_id, nickname, image_url, seconds, ' +
      'is_studying}], me: {rank, seconds} | null}. Ties share a rank and are ordered by member_id. The running ' +
      'session counts up to now. scope=all is served from a snapshot at most RANKING_SNAPSHOT_SECONDS old; ' +
      'scope=group is live and answers 404 when the caller is not seated in a room.',
  })
  async ranking(@CurrentCaller() caller: Caller, @ValidQuery(RankingsQuery) q: Infer<typeof RankingsQuery>) {
    return toRankingResponse(await this.rankings.ranking(caller.accountId, q));
  }
}
