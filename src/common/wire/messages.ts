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
} as const;

export const SpringMsg = {
  UNAUTHORIZED: '인증되지 않은 사용자의 접근입니다.',
  FORBIDDEN: '해당 권한이 없습니다.',
  BAD_BODY: '입력한 필드 타입이 올바른지 확인해주세요.',
  INTERNAL: '서버 오류 : 운영자에게 문의해주세요.',
} as const;
