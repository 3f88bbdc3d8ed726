import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MemberId, OwnerOnly } from '../auth/auth.guards.js';
import { type Infer, ValidQuery } from '../common/wire/validation.js';
import { Returns } from '../common/wire/openapi.js';
import {
  DailyQuery,
  DailyResponse,
  HeatMapQuery,
  HeatMapResponse,
  MonthlyQuery,
  MonthlyResponse,
  RecordsQuery,
  RecordsResponse,
  toStudyRecordResponse,
} from './statistics.dto.js';
import { StatisticsService } from './statistics.service.js';

const lenient = { allowUnknown: true };

@ApiTags('statistics')
@ApiBearerAuth()
@OwnerOnly()
@Controller('members/:member_id')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  /** N20: `date` is echoed; without it there is no day and the total is 0, as the original. */
  @Get('statistics')
  @Returns(DailyResponse)
  async daily(@MemberId() memberId: string, @ValidQuery(DailyQuery, lenient) q: Infer<typeof DailyQuery>) {
    if (q.date === undefined) return { totalSeconds: 0 };
    return { date: q.date, totalSeconds: await this.statistics.daily(memberId, q.date, q.timezone) };
  }

  /** N21: missing `year` or `month` echo null with zero totals, as the original. */
  @Get('statistics/monthly')
  @Returns(MonthlyResponse)
  async monthly(@MemberId() memberId: string, @ValidQuery(MonthlyQuery, lenient) q: Infer<typeof MonthlyQuery>) {
    const year = q.year === undefined ? null : Number(q.year);
    const month = q.month === undefined ? null : Number(q.month);
    if (year === null || month === null) return { month, year, totalSeconds: 0, uniqueStudyDays: 0 };
    return { month, year, ...(await this.statistics.monthly(memberId, year, month, q.timezone)) };
  }

  /** N22 and its alias: non-zero days only, sorted by date; empty without a range. */
  @Get(['statistics/heat-map', 'statistic/heat-map'])
  @Returns(HeatMapResponse)
  async heatMap(@MemberId() memberId: string, @ValidQuery(HeatMapQuery, lenient) q: Infer<typeof HeatMapQuery>) {
    if (q.start === undefined || q.end === undefined) return [];
    const days = await this.statistics.heatMap(memberId, q.start, q.end, q.timezone);
    return days.map((d) => ({ date: d.date, totalSeconds: d.seconds }));
  }

  /** X3: the ended sessions that overlap that local day. */
  @Get('study-records')
  @Returns(RecordsResponse)
  async records(@MemberId() memberId: string, @ValidQuery(RecordsQuery, lenient) q: Infer<typeof RecordsQuery>) {
    if (q.date === undefined) return { study_records: [] };
    const rows = await this.statistics.records(memberId, q.date, q.timezone);
    return { study_records: rows.map(toStudyRecordResponse) };
  }
}
