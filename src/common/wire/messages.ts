/** The original servers' user-facing strings (WIRE-CONTRACT §1.4, §1.8); the PWA shows them as they are. */
export const Msg = {
  INTERNAL: '문제가 발생했습니다. 나중에 다시 시도해주세요.',
  INVALID_TOKEN: '토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.',
  FORBIDDEN: '이 작업을 수행할 권한이 없습니다.',
  EMAIL_TAKEN: '이 이메일로 등록된 계정이 이미 존재합니다.',
  SOCIAL_ACCOUNT: '간편 로그인 계정이 존재합니다.',
  NOTHING_TO_CHANGE: '변경할 내용이 없습니다.',
  CATEGORY_EXISTS: '카테고리이(가) 이미 존재합니다.',
  ROLE_NOT_FOUND: 'role를 찾을 수 없습니다.',
  WRONG_PASSWORD: '비밀번호가 일치하지 않습니다.',
  ACCOUNT_NOT_FOUND: '계정을 찾을 수 없습니다.',
  MEMBER_MISSING: '멤버가 존재하지 않습니다.',
  USER_NOT_FOUND: '사용자를 찾을 수 없습니다.',
  TIMER_NOT_FOUND: '진행중인 타이머를 찾을 수 없습니다.',
  CATEGORY_NOT_FOUND: '카테고리를 찾을 수 없습니다.',
  SOCIAL_FAILED: '작업에 실패했습니다. 다시 시도해주세요.',
  // Not in the original (it had no rate limits); same tone as the catalogue.
  TOO_MANY_REQUESTS: '요청이 너무 많습니다. 잠시 후 다시 시도해주세요.',
  PAYLOAD_TOO_LARGE: '요청 본문이 너무 큽니다.',
  BAD_URL: '요청 경로가 올바르지 않습니다.',
  // The database can't serve now (503): a bounded wait ran out, or the connection failed.
  BUSY: '요청이 밀려 처리하지 못했습니다. 잠시 후 다시 시도해주세요.',
  UNAVAILABLE: '일시적으로 요청을 처리할 수 없습니다. 잠시 후 다시 시도해주세요.',
  CATEGORY_CHANGED: '카테고리가 그사이 변경되었습니다. 목록을 새로 고친 뒤 다시 시도해주세요.',
  // Issue 13: a room ranking asked for while not seated in a study room.
  NOT_IN_GROUP: '참여 중인 스터디 그룹이 없습니다.',
  // Issue 14: offline sessions and retried requests, in the same tone.
  OFFLINE_END_BEFORE_START: '종료 시각은 시작 시각보다 뒤여야 합니다.',
  OFFLINE_IN_FUTURE: '아직 지나지 않은 시각의 공부 기록은 저장할 수 없습니다.',
  OFFLINE_TOO_OLD: '저장할 수 있는 기간이 지난 공부 기록입니다.',
  OFFLINE_TOO_LONG: '한 번에 기록할 수 있는 공부 시간을 초과했습니다.',
  OFFLINE_OVERLAP: '이미 기록된 공부 시간과 겹칩니다.',
  CLIENT_ID_REUSED: '같은 client_id로 다른 요청이 이미 처리되었습니다.',
} as const;

export const SpringMsg = {
  UNAUTHORIZED: '인증되지 않은 사용자의 접근입니다.',
  FORBIDDEN: '해당 권한이 없습니다.',
  BAD_BODY: '입력한 필드 타입이 올바른지 확인해주세요.',
  INTERNAL: '서버 오류 : 운영자에게 문의해주세요.',
  // The same text, raised by the shop for an effect code that does nothing.
  EFFECT_MISSING: '서버 오류 : 운영자에게 문의해주세요.',
  // The shop (WIRE-CONTRACT §2.3 S1–S3), in each handler's check order.
  ITEM_NOT_FOUND: '존재하지 않는 Item 입니다.',
  USER_NOT_FOUND: '존재하지 않는 유저 입니다.',
  COUNT_TOO_SMALL: '수량을 1개 이상 선택해주세요.',
  NOT_ENOUGH_POINTS: 'point가 부족합니다.',
  FOOD_CAP: '음식은 최대 4개까지 보유할 수 있습니다.',
  SELL_NOT_OWNED: '보유하고 있는 캐릭터로 판매 요청해주세요.',
  SELL_TOO_MANY: 'Inventory에 소유한 수량을 초과하였습니다.',
  CHARACTER_NOT_FOUND: '존재하지 않는 캐릭터 입니다.',
  ITEM_NOT_OWNED: '소유하지 않은 item 입니다.',
  NOTHING_TO_USE: '사용할 수 있는 수량이 없습니다.',
  STILL_GROWING: '잔여 시간만큼 공부해야 사용할 수 있습니다.',
  // The original's two spellings differ by the final period; the PWA shows whichever it gets.
  FOOD_EFFECT_MISSING: '서버 오류 : 아이템 효과 없음 (운영자에게 문의해주세요)',
  CONSUMABLE_EFFECT_MISSING: '서버 오류 : 아이템 효과 없음 (운영자에게 문의해주세요.)',
  NO_CHARACTER_OF_GRADE: '서버 오류 : 해당 등급의 캐릭터 없음 (운영자에게 문의해주세요.)',
  // Not in the original (SPEC §2.9 range checks); same tone as the catalogue.
  COUNT_TOO_LARGE: '수량은 999개 이하로 선택해주세요.',
  STACK_FULL: '보유할 수 있는 수량을 초과하였습니다.',
  POINTS_FULL: '보유할 수 있는 포인트를 초과하였습니다.',
  BUSY: '요청이 밀려 처리하지 못했습니다. 잠시 후 다시 시도해주세요.',
  NO_PALETTE: '서버 오류 : 팔레트 없음 (운영자에게 문의해주세요.)',
} as const;
