import { check, is, optional } from '../common/wire/validation.js';
import { DecimalId, Instant, Int, Nullable, Obj, type Static, Type } from '../common/wire/response-schema.js';
import type { studyRecord } from '../database/schema.js';

const date = is.date();
const timezone = is.timeZone();
const intIn = (min: number, max: number) =>
  check(
    (v) => typeof v === 'string' && /^\d{1,4}$/.test(v) && Number(v) >= min && Number(v) <= max,
    (f) => `${f} must be an integer from ${min} to ${max}`,
    { type: 'integer', minimum: min, maximum: max },
  );

// The statistics routes accept unknown query keys, as the original's `@Query('x')` did.
export const DailyQuery = { date: optional<string>(date), timezone: optional<string>(timezone) };
export const MonthlyQuery = {
  year: optional<string>(intIn(1, 9999)),
  month: optional<string>(intIn(1, 12)),
  timezone: optional<string>(timezone),
};
export const HeatMapQuery = {
  start: optional<string>(date),
  end: optional<string>(date),
  timezone: optional<string>(timezone),
};
export const RecordsQuery = { date: optional<string>(date), timezone: optional<string>(timezone) };

const recordFields = {
  study_record_id: DecimalId,
  start_time: Instant,
  end_time: Instant,
  status: Nullable(Type.String()),
  study_category_id: Nullable(DecimalId),
  seconds: Int,
};
export const StudyRecordResponse = Obj(recordFields);
/** Issue 14: an uploaded session also says where it came from. */
export const UploadedRecordResponse = Obj({
  ...recordFields,
  source: Type.String(),
  client_id: Nullable(Type.String()),
});
export const DailyResponse = Obj({ date: Type.Optional(Type.String()), totalSeconds: Int });
export const MonthlyResponse = Obj({
  month: Nullable(Int),
  year: Nullable(Int),
  totalSeconds: Int,
  uniqueStudyDays: Int,
});
export const HeatMapResponse = Type.Array(Obj({ date: Type.String({ format: 'date' }), totalSeconds: Int }));
export const RecordsResponse = Obj({ study_records: Type.Array(StudyRecordResponse) });

/** An ended session; ids as decimal strings (Nest dialect), `seconds` the whole session's length. */
export function toStudyRecordResponse(r: typeof studyRecord.$inferSelect): Static<typeof StudyRecordResponse> {
  return {
    study_record_id: String(r.studyRecordId),
    start_time: r.startTime,
    end_time: r.endTime!,
    status: r.status,
    study_category_id: r.studyCategoryId === null ? null : String(r.studyCategoryId),
    seconds: Math.floor((r.endTime!.getTime() - r.startTime.getTime()) / 1000),
  };
}
