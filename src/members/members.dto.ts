import { is, optional, optionalNonNull } from '../common/wire/validation.js';
import { LIMITS } from '../database/schema.js';
import type { MemberRow } from './members.repository.js';

export const UpdateMemberBody = {
  // `null` is a value here: the column is NOT NULL, so it is refused instead of failing (SPEC §2.6).
  nickname: optionalNonNull<string>(is.notEmpty(), is.notBlank(), is.string(), is.maxLength(LIMITS.nickname)),
  image_url: optional<string | null>(is.string(), is.maxLength(LIMITS.imageUrl)),
  status_message: optionalNonNull<string>(is.string(), is.maxLength(LIMITS.statusMessage)),
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
