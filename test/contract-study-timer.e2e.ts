import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { login } from './support/http.js';

// The original team's e2e suite, cases 18–21 (study-timer.e2e-spec.ts), against the seeded user.
const INVALID_TOKEN = '토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.';

let token: string;

const app = useApp();
const { api } = app;
beforeAll(async () => {
  token = (await login(api, 'user@test.com')).access_token;
});

describe('study timer (cases 18–21)', () => {
  it('18: start and end with an expired token → 401', async () => {
    for (const path of ['/timer-api/study-timer/start', '/timer-api/study-timer/end']) {
      const r = await api.post(path, { token: 'expiredToken', json: { status: 'Completed' } });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ status: 'error', error: 'Unauthorized', message: INVALID_TOKEN });
    }
  });

  it('19: end with {} → 400 Validation Error with an array message', async () => {
    const r = await api.post('/timer-api/study-timer/end', { token, json: {} });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('Validation Error');
    expect(r.body.message).toEqual([
      'status must be one of the following values: Completed, Incompleted',
      'status must be a string',
    ]);
  });

  it('20: start with no body → 200; active_record_id is then a string id', async () => {
    const r = await api.post('/timer-api/study-timer/start', { token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'success', data: null });
    const me = await api.get('/timer-api/members/me', { token });
    expect(me.body.data.member.active_record_id).toMatch(/^\d+$/);
  });

  it('21: end {status:"Completed"} → 200; active_record_id is then null', async () => {
    const r = await api.post('/timer-api/study-timer/end', { token, json: { status: 'Completed' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'success', data: null });
    const me = await api.get('/timer-api/members/me', { token });
    expect(me.body.data.member.active_record_id).toBeNull();
  });
});
