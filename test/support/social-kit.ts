import { expect } from 'vitest';

// What the social sign-in suites expect of the service, whatever the provider.

/** Every provider failure (refused token, provider down or garbled) answers this 422. */
export const PROVIDER_FAILED = {
  status: 'error',
  error: 'Unprocessable Entity',
  message: '작업에 실패했습니다. 다시 시도해주세요.',
  code: 'PROVIDER_FAILED',
};

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A social sign-in's body: the exact session, and the account's keys in the original's order. */
export function expectSocialSession(
  body: any,
  account: { provider: 'google' | 'kakao' | 'naver'; social_id: string; email: string | null },
) {
  expect(body).toEqual({
    status: 'success',
    data: {
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: expect.any(Number),
      account: {
        account_id: expect.stringMatching(UUID),
        email: account.email,
        provider: account.provider,
        social_id: account.social_id,
        role: { role_id: 2, name: 'User' },
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
    },
  });
  expect(Object.keys(body.data.account)).toEqual([
    'account_id',
    'email',
    'provider',
    'social_id',
    'role',
    'created_at',
  ]);
}
