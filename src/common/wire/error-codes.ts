/**
 * Every error the service answers, by code: its HTTP status and its text in each dialect
 * (the original servers' strings, byte for byte). The PWA shows the texts as they are.
 *
 * - `nest` is the Nest dialect's message, `spring` the Spring one's (always sent as an array); a
 *   code with one of them only answers the same text in both dialects.
 * - `given`: the messages come with the call (validation failures list what failed).
 * - `wire`: the `code` field sent; the key when absent, no field at all when `null` (the original
 *   errors that had none). Two keys share a wire code where the originals gave one code two texts.
 * - `retryAfter`: the answer carries a `Retry-After` header; the call gives the seconds.
 * - `socket`: the study-group gateway's message for the same failure (`{status:'error',message}`, sent
 *   as the `exception` event and the ack). A code with only a socket text is no HTTP answer.
 */
export interface ErrorSpec {
  status: number;
  nest?: string;
  spring?: string;
  given?: true;
  wire?: string | null;
  retryAfter?: true;
  socket?: string;
}

// Texts two codes share (the same refusal under another status or wire code).
const CATEGORY_NOT_FOUND = '카테고리를 찾을 수 없습니다.';
const UNAVAILABLE = '일시적으로 요청을 처리할 수 없습니다. 잠시 후 다시 시도해주세요.';
const BAD_BODY = '입력한 필드 타입이 올바른지 확인해주세요.';
const SPRING_INTERNAL = '서버 오류 : 운영자에게 문의해주세요.';

export const ERRORS = {
  // Both dialects.
  INTERNAL: {
    status: 500,
    nest: '문제가 발생했습니다. 나중에 다시 시도해주세요.',
    spring: SPRING_INTERNAL,
    wire: null,
  },
  UNAUTHENTICATED: {
    status: 401,
    nest: '토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.',
    spring: '인증되지 않은 사용자의 접근입니다.',
    socket: 'unauthorized',
  },
  FORBIDDEN: {
    status: 403,
    nest: '이 작업을 수행할 권한이 없습니다.',
    spring: '해당 권한이 없습니다.',
    // The original's WS exception filter answered a refused `removeAllData` with its generic text.
    socket: 'Internal server error',
  },
  VALIDATION: { status: 400, given: true, spring: BAD_BODY },
  // What Jackson could not read (a wrong type, a missing body): one generic message.
  BAD_BODY: { status: 400, spring: BAD_BODY, wire: null },
  // Not in the original (it had no rate limits); same tone as the catalogue.
  RATE_LIMITED: { status: 429, nest: '요청이 너무 많습니다. 잠시 후 다시 시도해주세요.', retryAfter: true },
  PAYLOAD_TOO_LARGE: { status: 413, nest: '요청 본문이 너무 큽니다.', wire: null },
  BAD_URL: { status: 400, nest: '요청 경로가 올바르지 않습니다.', wire: null },
  // The database can't serve now (503): a bounded wait ran out, or the connection failed.
  BUSY: { status: 503, nest: '요청이 밀려 처리하지 못했습니다. 잠시 후 다시 시도해주세요.', retryAfter: true },
  DATABASE_UNAVAILABLE: { status: 503, nest: UNAVAILABLE, retryAfter: true },
  // The study-group store (Redis) can't serve now.
  GROUPS_UNAVAILABLE: { status: 503, nest: UNAVAILABLE, retryAfter: true, socket: 'unavailable' },

  // The study-group socket only: a socket without a seat after SOCKET_JOIN_TIMEOUT_SECONDS, and an
  // address at its connection cap (engine.io refuses that handshake with a 403 and this message).
  JOIN_TIMEOUT: { status: 408, socket: 'join timeout' },
  TOO_MANY_CONNECTIONS: { status: 403, socket: 'too many connections' },

  // Accounts, authentication, members (Nest).
  EMAIL_TAKEN: { status: 400, nest: '이 이메일로 등록된 계정이 이미 존재합니다.' },
  SOCIAL_ACCOUNT: { status: 400, nest: '간편 로그인 계정이 존재합니다.' },
  NOTHING_TO_CHANGE: { status: 400, nest: '변경할 내용이 없습니다.' },
  ROLE_NOT_FOUND: { status: 400, nest: 'role를 찾을 수 없습니다.' },
  WRONG_PASSWORD: { status: 401, nest: '비밀번호가 일치하지 않습니다.' },
  ACCOUNT_NOT_FOUND: { status: 404, nest: '계정을 찾을 수 없습니다.' },
  // The caller's account has no member row yet (the owner guard, and routes that need one).
  MEMBER_MISSING: { status: 404, nest: '멤버가 존재하지 않습니다.', wire: null },
  MEMBER_NOT_FOUND: { status: 404, nest: '사용자를 찾을 수 없습니다.' },
  PROVIDER_FAILED: { status: 422, nest: '작업에 실패했습니다. 다시 시도해주세요.' },

  // Study categories and the timer (Nest).
  CATEGORY_EXISTS: { status: 400, nest: '카테고리이(가) 이미 존재합니다.' },
  CATEGORY_NOT_FOUND: { status: 404, nest: CATEGORY_NOT_FOUND },
  CATEGORY_CHANGED: { status: 409, nest: '카테고리가 그사이 변경되었습니다. 목록을 새로 고친 뒤 다시 시도해주세요.' },
  TIMER_NOT_FOUND: { status: 404, nest: '진행중인 타이머를 찾을 수 없습니다.' },
  // Issue 14: offline sessions and retried requests, in the same tone. An upload's category is a field, so 400.
  OFFLINE_CATEGORY_NOT_FOUND: { status: 400, nest: CATEGORY_NOT_FOUND, wire: 'CATEGORY_NOT_FOUND' },
  OFFLINE_END_BEFORE_START: { status: 400, nest: '종료 시각은 시작 시각보다 뒤여야 합니다.' },
  OFFLINE_IN_FUTURE: { status: 400, nest: '아직 지나지 않은 시각의 공부 기록은 저장할 수 없습니다.' },
  OFFLINE_TOO_OLD: { status: 400, nest: '저장할 수 있는 기간이 지난 공부 기록입니다.' },
  OFFLINE_TOO_LONG: { status: 400, nest: '한 번에 기록할 수 있는 공부 시간을 초과했습니다.' },
  OFFLINE_OVERLAP: { status: 400, nest: '이미 기록된 공부 시간과 겹칩니다.' },
  CLIENT_ID_REUSED: { status: 409, nest: '같은 client_id로 다른 요청이 이미 처리되었습니다.' },

  // Issue 13: a room ranking asked for while not seated in a study room.
  NOT_IN_GROUP: { status: 404, nest: '참여 중인 스터디 그룹이 없습니다.' },
  // The operators' backfill on an instance that runs no statistics jobs.
  JOBS_DISABLED: { status: 503, nest: 'statistics jobs are not running on this instance', retryAfter: true },

  // The shop (S1–S3), in each handler's check order.
  ITEM_NOT_FOUND: { status: 404, spring: '존재하지 않는 Item 입니다.' },
  USER_NOT_FOUND: { status: 404, spring: '존재하지 않는 유저 입니다.' },
  COUNT_TOO_SMALL: { status: 400, spring: '수량을 1개 이상 선택해주세요.' },
  NOT_ENOUGH_POINTS: { status: 400, spring: 'point가 부족합니다.' },
  FOOD_CAP: { status: 400, spring: '음식은 최대 4개까지 보유할 수 있습니다.' },
  SELL_NOT_OWNED: { status: 404, spring: '보유하고 있는 캐릭터로 판매 요청해주세요.' },
  SELL_TOO_MANY: { status: 400, spring: 'Inventory에 소유한 수량을 초과하였습니다.' },
  CHARACTER_NOT_FOUND: { status: 404, spring: '존재하지 않는 캐릭터 입니다.' },
  ITEM_NOT_OWNED: { status: 404, spring: '소유하지 않은 item 입니다.' },
  NOTHING_TO_USE: { status: 400, spring: '사용할 수 있는 수량이 없습니다.' },
  STILL_GROWING: { status: 400, spring: '잔여 시간만큼 공부해야 사용할 수 있습니다.' },
  // The original's two spellings differ by the final period; the PWA shows whichever it gets.
  FOOD_EFFECT_MISSING: { status: 500, spring: '서버 오류 : 아이템 효과 없음 (운영자에게 문의해주세요)' },
  CONSUMABLE_EFFECT_MISSING: { status: 500, spring: '서버 오류 : 아이템 효과 없음 (운영자에게 문의해주세요.)' },
  // The generic server-error text, raised by the shop for an effect code that does nothing.
  EFFECT_MISSING: { status: 500, spring: SPRING_INTERNAL },
  NO_CHARACTER_OF_GRADE: { status: 500, spring: '서버 오류 : 해당 등급의 캐릭터 없음 (운영자에게 문의해주세요.)' },
  NO_PALETTE: { status: 500, spring: '서버 오류 : 팔레트 없음 (운영자에게 문의해주세요.)' },
  // Not in the original (our range checks); same tone as the catalogue.
  COUNT_TOO_LARGE: { status: 400, spring: '수량은 999개 이하로 선택해주세요.' },
  STACK_FULL: { status: 400, spring: '보유할 수 있는 수량을 초과하였습니다.' },
  POINTS_FULL: { status: 400, spring: '보유할 수 있는 포인트를 초과하였습니다.' },

  // The admin catalogue (WIRE-CONTRACT S5–S19): items and palettes answer 404, characters 400.
  ADMIN_ITEM_NOT_FOUND: { status: 404, spring: '존재하지 않는 아이템입니다.', wire: 'ITEM_NOT_FOUND' },
  PALETTE_NOT_FOUND: { status: 404, spring: '해당 팔레트를 찾을 수 없습니다.' },
  ADMIN_CHARACTER_NOT_FOUND: { status: 400, spring: '캐릭터를 찾을 수 없습니다.', wire: 'CHARACTER_NOT_FOUND' },
  CHARACTER_NAME_TAKEN: { status: 400, spring: '이미 사용중인 캐릭터 이름입니다. 다른 이름을 입력해주세요.' },
  // A Spring body's checks (readSpring, the admin bodies): `"<javaField> : <message>"` lines in both dialects.
  FIELD_CHECKS: { status: 400, given: true, wire: 'VALIDATION' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** What a call adds to its code: the failures it lists, the seconds of its `Retry-After`. */
export type ErrorDetails<C extends ErrorCode> = ((typeof ERRORS)[C] extends { given: true }
  ? { messages: string[] }
  : unknown) &
  ((typeof ERRORS)[C] extends { retryAfter: true } ? { retryAfterSeconds: number } : unknown);

/** The codes the study-group gateway answers with. */
export type SocketErrorCode = {
  [C in ErrorCode]: (typeof ERRORS)[C] extends { socket: string } ? C : never;
}[ErrorCode];

/** The gateway's answer to a failed request: the body of its `exception` event and of the ack. */
export function socketErrorBody(code: SocketErrorCode) {
  return { status: 'error', message: ERRORS[code].socket };
}

/** Whether the code is answered over HTTP (a socket-only code has no HTTP text). */
const isHttp = (spec: ErrorSpec) => spec.given === true || spec.nest !== undefined || spec.spring !== undefined;

/** One HTTP error, as the API document lists it. */
export interface ErrorListing {
  code: ErrorCode;
  status: number;
  /** The `code` field of the body, if it has one. */
  wireCode: string | null;
  nest: string | null;
  spring: string | null;
  given: boolean;
  retryAfter: boolean;
}

/** The HTTP errors of the catalogue as a list, for the API document (and anyone who needs to enumerate them). */
export function listErrors(): ErrorListing[] {
  const entries = Object.entries(ERRORS) as [ErrorCode, ErrorSpec][];
  return entries
    .filter(([, spec]) => isHttp(spec))
    .map(([code, spec]) => ({
      code,
      status: spec.status,
      wireCode: wireCodeOf(code),
      nest: spec.given ? null : (spec.nest ?? spec.spring ?? null),
      spring: spec.given && !spec.spring ? null : (spec.spring ?? spec.nest ?? null),
      given: spec.given === true,
      retryAfter: spec.retryAfter === true,
    }));
}

export function wireCodeOf(code: ErrorCode): string | null {
  const spec: ErrorSpec = ERRORS[code];
  return spec.wire === undefined ? code : spec.wire;
}
