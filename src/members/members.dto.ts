import { type Field, is, optional } from '../common/wire/validation.js';
import { LIMITS } from '../database/schema.js';
import type { MemberRow } from './members.repository.js';

export const UpdateMemberBody = {
  // `null` is a value here: the column is NOT NULL, so it is refused instead of failing (SPEC §2.6).
  nickname: {
    checks: [is.notEmpty(), is.string(), is.maxLength(LIMITS.nickname)],
    optional: true,
    nullIsValue: true,
  } as Field<string> & {
    optional: true;
  },
  image_url: optional<string | null>(is.string(), is.maxLength(LIMITS.imageUrl)),
  status_message: {
    checks: [is.string(), is.maxLength(LIMITS.statusMessage)],
    optional: true,
    nullIsValue: true,
  } as Field<string> & {
    optional: true;
  },
};

/** The member as N10 and N11 show it: no timestamps, `active_record_id` a decimal string or null. */
export function toMemberResponse(m: MemberRow) {
  return {
    member_id: m.memberId,
    status_message: m.statusMessage,
    image_url: m.imageUrl,
    nickname: m.nickname,
    point: m.point,
    active_record_id: m.activeRecordId === null ? null : String(m.activeRecordId),
  };
}
