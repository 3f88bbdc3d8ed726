import { type Check, is, optional, optionalNonNull } from '../common/wire/validation.js';
import { DecimalId, Int, Nullable, Obj, type Static, Type, Uuid } from '../common/wire/response-schema.js';
import { LIMITS } from '../common/limits.js';
import type { MemberRow } from './members.repository.js';

const boolean: Check = {
  test: (v) => typeof v === 'boolean',
  message: (f) => `${f} must be a boolean value`,
  schema: { type: 'boolean' },
};

export const UpdateMemberBody = {
  // `null` is a value here: the column is NOT NULL, so it is refused instead of failing with 500.
  nickname: optionalNonNull<string>(is.notEmpty(), is.notBlank(), is.string(), is.maxLength(LIMITS.nickname)),
  image_url: optional<string | null>(is.string(), is.maxLength(LIMITS.imageUrl)),
  status_message: optionalNonNull<string>(is.string(), is.maxLength(LIMITS.statusMessage)),
  // Issue 13: leave (true) or rejoin (false) the overall ranking; the column is NOT NULL.
  ranking_opt_out: optionalNonNull<boolean>(boolean),
};

const memberFields = {
  member_id: Uuid,
  status_message: Type.String(),
  image_url: Nullable(Type.String()),
  nickname: Type.String(),
  point: Int,
  active_record_id: Nullable(DecimalId),
};
export const MemberResponse = Obj(memberFields);
export const OwnMemberResponse = Obj({ ...memberFields, ranking_opt_out: Type.Boolean() });
/** The creating call also carries the account id. */
export const MeResponse = Obj({
  member: Type.Union([OwnMemberResponse, Obj({ ...OwnMemberResponse.properties, account: Obj({ account_id: Uuid }) })]),
});

/** The member as N10 and N11 show it: no timestamps, `active_record_id` a decimal string or null. */
export function toMemberResponse(m: MemberRow): Static<typeof MemberResponse> {
  return {
    member_id: m.memberId,
    status_message: m.statusMessage,
    image_url: m.imageUrl,
    nickname: m.nickname,
    point: m.point,
    active_record_id: m.activeRecordId === null ? null : String(m.activeRecordId),
  };
}

/** N11 for the caller: the member plus the caller's own ranking setting (issue 13), which N10 doesn't list. */
export function toOwnMemberResponse(m: MemberRow): Static<typeof OwnMemberResponse> {
  return { ...toMemberResponse(m), ranking_opt_out: m.rankingOptOut };
}
