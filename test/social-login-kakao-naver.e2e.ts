import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { useDb } from './support/db.js';
import { FakeOAuthProvider, type Fault, type IdTokenSpec } from './support/fake-oauth-provider.js';
import { uniqueEmail } from './support/http.js';
import { expectSocialSession, PROVIDER_FAILED, UUID } from './support/social-kit.js';

// X routes: Kakao (OpenID Connect id_token) and Naver (token + profile API) sign-in, which the PWA
// calls and the original lacked.
const KAKAO = '/timer-api/auth/kakao/login';
const NAVER = '/timer-api/auth/naver/login';
const provider = FakeOAuthProvider.use();
const app = useApp(() => ({ env: provider.env() }));
const { api } = app;
const db = useDb({ max: 2 });

const numericId = () => `${Date.now()}${randomUUID().replace(/\D/g, '').slice(0, 8)}`;
const accountsOf = async (provider: string, socialId: string) =>
  (await db.query('select account_id, email from account where provider = $1 and social_id = $2', [provider, socialId]))
    .rows;

describe('Kakao', () => {
  it('signs up with the id_token of the code exchange; no e-mail is stored', async () => {
    const id = numericId();
    const code = provider.kakaoCode({ sub: id, email: uniqueEmail('kakao'), email_verified: true });
    const r = await api.post(KAKAO, { json: { code } });
    expect(r.status).toBe(200);
    expectSocialSession(r.body, { email: null, provider: 'kakao', social_id: id });
    expect(await accountsOf('kakao', id)).toEqual([{ account_id: r.body.data.account.account_id, email: null }]);

    const me = await api.get('/timer-api/members/me', { token: r.body.data.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data.member.member_id).toMatch(UUID);
  });

  it('exchanges the code with the REST API key, client secret and configured redirect URI', async () => {
    const code = provider.kakaoCode({ sub: numericId() });
    expect((await api.post(KAKAO, { json: { code } })).status).toBe(200);
    const exchange = provider.exchangeOf(code)!;
    expect(exchange.path).toBe('/kakao/token');
    expect(exchange.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(exchange.form).toEqual({
      grant_type: 'authorization_code',
      code,
      client_id: 'fake-kakao-rest-api-key',
      client_secret: 'fake-kakao-secret',
      redirect_uri: 'https://pwa.example.test/auth/login/callback/kakao',
    });
  });

  it('signs the same identity in to the same account', async () => {
    const id = numericId();
    const first = await api.post(KAKAO, { json: { code: provider.kakaoCode({ sub: id }) } });
    const second = await api.post(KAKAO, { json: { code: provider.kakaoCode({ sub: id }) } });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.data.account.account_id).toBe(first.body.data.account.account_id);
  });

  it.each<[string, () => IdTokenSpec]>([
    ['a wrong aud (the Google client id)', () => ({ sub: numericId(), aud: provider.settings.google.clientId })],
    ['a wrong iss (Google)', () => ({ sub: numericId(), iss: 'https://accounts.google.com' })],
    ['an expired token', () => ({ sub: numericId(), expiresInSeconds: -120 })],
    ['a key not in the JWKS', () => ({ sub: numericId(), signWithForeignKey: true })],
    [
      'a foreign key claiming the real kid',
      () => ({ sub: numericId(), signWithForeignKey: true, kid: provider.keyId('kakao') }),
    ],
  ])('refuses an id_token with %s: 422, no account', async (_, spec) => {
    const s = spec();
    const r = await api.post(KAKAO, { json: { code: provider.kakaoCode(s) } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(await accountsOf('kakao', s.sub)).toEqual([]);
  });

  it.each<[string, Fault]>([
    ['401 invalid_client', { kind: 'status', status: 401, body: { error: 'invalid_client' } }],
    ['500', { kind: 'status', status: 500 }],
    ['a body that is not JSON', { kind: 'not-json' }],
    ['no id_token (OpenID Connect off)', { kind: 'json', body: { access_token: 'x', token_type: 'bearer' } }],
  ])('refuses when the token endpoint answers %s', async (_, fault) => {
    const code = provider.faultyCode(fault);
    const r = await api.post(KAKAO, { json: { code } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(provider.exchangeOf(code)).toBeDefined();
  });

  it('refuses a Google code (the token endpoint does not know it)', async () => {
    const r = await api.post(KAKAO, { json: { code: provider.googleCode({ sub: numericId() }) } });
    expect(r.body).toEqual(PROVIDER_FAILED);
  });
});

describe('Naver', () => {
  it('signs up with the profile id; no e-mail is stored', async () => {
    const id = `nv-${randomUUID()}`;
    const r = await api.post(NAVER, { json: { code: provider.naverCode({ id }) } });
    expect(r.status).toBe(200);
    expectSocialSession(r.body, { email: null, provider: 'naver', social_id: id });
    expect(await accountsOf('naver', id)).toEqual([{ account_id: r.body.data.account.account_id, email: null }]);
    const me = await api.get('/timer-api/members/me', { token: r.body.data.access_token });
    expect(me.status).toBe(200);
  });

  it('exchanges the code with the client secret and state, then reads the profile with the access token', async () => {
    const code = provider.naverCode({ id: `nv-${randomUUID()}` });
    const profileCalls = provider.requests('naver-profile').length;
    expect((await api.post(NAVER, { json: { code } })).status).toBe(200);
    expect(provider.exchangeOf(code)!.form).toEqual({
      grant_type: 'authorization_code',
      code,
      client_id: 'fake-naver-client-id',
      client_secret: 'fake-naver-secret',
      state: 'false',
    });
    const profile = provider.requests('naver-profile').slice(profileCalls);
    expect(profile).toHaveLength(1);
    expect(profile[0].method).toBe('GET');
    expect(profile[0].headers.authorization).toMatch(/^Bearer naver-access-[0-9a-f]{24}$/);
  });

  it('signs the same identity in to the same account', async () => {
    const id = `nv-${randomUUID()}`;
    const first = await api.post(NAVER, { json: { code: provider.naverCode({ id }) } });
    const second = await api.post(NAVER, { json: { code: provider.naverCode({ id }) } });
    expect(second.body.data.account.account_id).toBe(first.body.data.account.account_id);
  });

  it.each<[string, () => Parameters<FakeOAuthProvider['naverCode']>[0]]>([
    ["resultcode '024'", () => ({ profile: { resultcode: '024', message: 'Authentication failed' } })],
    [
      "resultcode '024' even with an id",
      () => ({ profile: { resultcode: '024', message: 'Authentication failed', response: { id: 'nv-x' } } }),
    ],
    ["resultcode '00' without an id", () => ({ profile: { resultcode: '00', message: 'success', response: {} } })],
    ['a numeric id', () => ({ profile: { resultcode: '00', message: 'success', response: { id: 12345 } } })],
    ['500', () => ({ id: 'x', profileFault: { kind: 'status', status: 500 } })],
    ['a body that is not JSON', () => ({ id: 'x', profileFault: { kind: 'not-json' } })],
  ])('refuses when the profile API answers %s', async (_, spec) => {
    const r = await api.post(NAVER, { json: { code: provider.naverCode(spec()) } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
  });

  it.each<[string, Fault]>([
    ['500', { kind: 'status', status: 500 }],
    ['400', { kind: 'status', status: 400, body: { error: 'invalid_request' } }],
    ['a body that is not JSON', { kind: 'not-json' }],
    ['200 with an error and no access_token', { kind: 'json', body: { error: 'invalid_grant' } }],
  ])('refuses when the token endpoint answers %s, without calling the profile API', async (_, fault) => {
    const profileCalls = provider.requests('naver-profile').length;
    const code = provider.faultyCode(fault);
    const r = await api.post(NAVER, { json: { code } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(provider.exchangeOf(code)).toBeDefined();
    expect(provider.requests('naver-profile')).toHaveLength(profileCalls);
  });

  it('refuses an unknown code (Naver answers 200 with an error)', async () => {
    const r = await api.post(NAVER, { json: { code: 'never-issued' } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
  });
});

describe('Kakao and Naver together', () => {
  it('the same id at two providers is two accounts', async () => {
    const id = numericId();
    const kakao = await api.post(KAKAO, { json: { code: provider.kakaoCode({ sub: id }) } });
    const naver = await api.post(NAVER, { json: { code: provider.naverCode({ id }) } });
    expect(kakao.body.data.account).toMatchObject({ provider: 'kakao', social_id: id });
    expect(naver.body.data.account).toMatchObject({ provider: 'naver', social_id: id });
    expect(naver.body.data.account.account_id).not.toBe(kakao.body.data.account.account_id);
  });

  it.each([KAKAO, NAVER])('%s: a missing or empty code → 400 Validation Error', async (path) => {
    const empty = await api.post(path, { json: { code: '' } });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({
      status: 'error',
      error: 'Validation Error',
      message: ['code should not be empty'],
      code: 'VALIDATION',
    });
    const missing = await api.post(path, { json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      status: 'error',
      error: 'Validation Error',
      message: [
        'code should not be empty',
        'code must be a string',
        'code must be shorter than or equal to 2048 characters',
      ],
      code: 'VALIDATION',
    });
  });

  it('ten parallel first Kakao logins and ten parallel first Naver logins → one account each', async () => {
    const id = numericId();
    const kakaoCodes = Array.from({ length: 10 }, () => provider.kakaoCode({ sub: id }));
    const naverCodes = Array.from({ length: 10 }, () => provider.naverCode({ id }));
    provider.releaseTogether(kakaoCodes);
    provider.releaseTogether(naverCodes);
    const replies = await Promise.all([
      ...kakaoCodes.map((code) => api.post(KAKAO, { json: { code } })),
      ...naverCodes.map((code) => api.post(NAVER, { json: { code } })),
    ]);
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    const kakaoIds = new Set(replies.slice(0, 10).map((r) => r.body.data.account.account_id));
    const naverIds = new Set(replies.slice(10).map((r) => r.body.data.account.account_id));
    expect(kakaoIds.size).toBe(1);
    expect(naverIds.size).toBe(1);
    expect(await accountsOf('kakao', id)).toHaveLength(1);
    expect(await accountsOf('naver', id)).toHaveLength(1);
  });
});
