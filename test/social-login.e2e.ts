import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { useDb } from './support/db.js';
import { FakeOAuthProvider, type IdTokenSpec } from './support/fake-oauth-provider.js';
import { registerAndLogin, uniqueEmail } from './support/http.js';
import { expectSocialSession, PROVIDER_FAILED, UUID } from './support/social-kit.js';

// N5, fixed for the PWA's redirect flow: Google sign-in against a local provider that really signs
// id_tokens.
const GOOGLE = '/timer-api/auth/google/login';
const provider = FakeOAuthProvider.use();
const app = useApp(() => ({ env: provider.env() }));
const { api } = app;
const db = useDb({ max: 2 });

const sub = () => `1${randomUUID().replace(/\D/g, '').slice(0, 20)}`;
const googleLogin = (spec: IdTokenSpec) => api.post(GOOGLE, { json: { code: provider.googleCode(spec) } });
const accountsOf = async (socialId: string) =>
  (await db.query('select account_id, email, provider from account where social_id = $1', [socialId])).rows;

describe('Google code flow (the PWA redirect flow)', () => {
  it('signs up a new identity: 200 with the exact session and account shape', async () => {
    const id = sub();
    const r = await googleLogin({ sub: id, email: 'Mixed.Case@Gmail.Example', email_verified: true });
    expect(r.status).toBe(200);
    expectSocialSession(r.body, { email: 'mixed.case@gmail.example', provider: 'google', social_id: id });
    expect(Object.keys(r.body.data)).toEqual(['access_token', 'refresh_token', 'expires_in', 'account']);
    const claims = decodeJwt(r.body.data.access_token);
    expect(claims.sub).toBe(r.body.data.account.account_id);
    expect(r.body.data.expires_in).toBeLessThanOrEqual(claims.exp! * 1000);
    expect(await accountsOf(id)).toEqual([
      { account_id: r.body.data.account.account_id, email: 'mixed.case@gmail.example', provider: 'google' },
    ]);
  });

  it('exchanges the code at the token endpoint with the configured redirect URI and client secret', async () => {
    const code = provider.googleCode({ sub: sub(), email: uniqueEmail('g'), email_verified: true });
    const r = await api.post(GOOGLE, { json: { code } });
    expect(r.status).toBe(200);
    const exchange = provider.exchangeOf(code)!;
    expect(exchange.method).toBe('POST');
    expect(exchange.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(exchange.form).toEqual({
      grant_type: 'authorization_code',
      code,
      client_id: 'fake-google-client.apps.googleusercontent.com',
      client_secret: 'fake-google-secret',
      redirect_uri: 'https://pwa.example.test/auth/login/callback/google',
    });
  });

  it('returns an access token that works on GET /members/me, and a refresh token that refreshes', async () => {
    const r = await googleLogin({ sub: sub(), email: uniqueEmail('g'), email_verified: true });
    expect(r.status).toBe(200);
    const me = await api.get('/timer-api/members/me', { token: r.body.data.access_token });
    expect(me.status).toBe(200);
    expect(me.body.status).toBe('success');
    expect(me.body.data.member.member_id).toMatch(UUID);
    const refreshed = await api.post('/timer-api/auth/refresh', { token: r.body.data.refresh_token, json: {} });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.data.access_token).sub).toBe(r.body.data.account.account_id);
  });

  it('signs the same identity in to the same account every time', async () => {
    const id = sub();
    const email = uniqueEmail('same');
    const first = await googleLogin({ sub: id, email, email_verified: true });
    const second = await googleLogin({ sub: id, email, email_verified: true });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.data.account.account_id).toBe(first.body.data.account.account_id);
    expect(await accountsOf(id)).toHaveLength(1);
  });

  it('accepts an identity without an e-mail and stores none', async () => {
    const id = sub();
    const r = await googleLogin({ sub: id });
    expect(r.status).toBe(200);
    expect(r.body.data.account).toMatchObject({ email: null, provider: 'google', social_id: id });
  });

  it('signs a verified e-mail equal to an e-mail account in to that account', async () => {
    const user = await registerAndLogin(api, uniqueEmail('linked'));
    const r = await googleLogin({ sub: sub(), email: user.email.toUpperCase(), email_verified: true });
    expect(r.status).toBe(200);
    expect(r.body.data.account).toMatchObject({
      account_id: user.accountId,
      email: user.email,
      provider: 'email',
      social_id: null,
    });
    const me = await api.get('/timer-api/members/me', { token: r.body.data.access_token });
    expect(me.body.data.member.member_id).toBe(user.memberId);
    // The password still works on the same account.
    const password = await api.post('/timer-api/auth/email/login', {
      json: { email: user.email, password: user.password },
    });
    expect(password.body.data.account.account_id).toBe(user.accountId);
  });

  it('refuses an unverified e-mail equal to an e-mail account: 422, nothing linked or created', async () => {
    const user = await registerAndLogin(api, uniqueEmail('victim'));
    const id = sub();
    const r = await googleLogin({ sub: id, email: user.email, email_verified: false });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(await accountsOf(id)).toEqual([]);
  });
});

describe('Google id_token body', () => {
  it('signs in with an id_token instead of a code, without calling the token endpoint', async () => {
    const id = sub();
    const before = provider.requests('google-token').length;
    const idToken = await provider.idToken('google', {
      sub: id,
      email: 'Token.Body@Gmail.Example',
      email_verified: true,
    });
    const r = await api.post(GOOGLE, { json: { id_token: idToken } });
    expect(r.status).toBe(200);
    expect(r.body.data.account).toMatchObject({
      email: 'token.body@gmail.example',
      provider: 'google',
      social_id: id,
    });
    expect(provider.requests('google-token')).toHaveLength(before);
  });

  it('gives the same account to a code and an id_token of one identity', async () => {
    const id = sub();
    const viaCode = await googleLogin({ sub: id });
    const viaToken = await api.post(GOOGLE, { json: { id_token: await provider.idToken('google', { sub: id }) } });
    expect(viaCode.status).toBe(200);
    expect(viaToken.status).toBe(200);
    expect(viaToken.body.data.account.account_id).toBe(viaCode.body.data.account.account_id);
  });

  it('accepts the bare issuer `accounts.google.com` too', async () => {
    const idToken = await provider.idToken('google', { sub: sub(), iss: 'accounts.google.com' });
    expect((await api.post(GOOGLE, { json: { id_token: idToken } })).status).toBe(200);
  });
});

describe('Google refusals: every provider failure is 422 PROVIDER_FAILED', () => {
  const refusedTokens: [string, () => IdTokenSpec][] = [
    ['a wrong aud', () => ({ sub: sub(), aud: 'someone-else.apps.googleusercontent.com' })],
    ['a wrong iss', () => ({ sub: sub(), iss: 'https://evil.example' })],
    ['an expired token', () => ({ sub: sub(), expiresInSeconds: -120 })],
    ['email_verified false', () => ({ sub: sub(), email: uniqueEmail('nv'), email_verified: false })],
    ['an e-mail without email_verified', () => ({ sub: sub(), email: uniqueEmail('nv') })],
    ['a key not in the JWKS', () => ({ sub: sub(), signWithForeignKey: true })],
    [
      'a key not in the JWKS claiming the real kid',
      () => ({ sub: sub(), signWithForeignKey: true, kid: provider.keyId('google') }),
    ],
  ];

  it.each(refusedTokens)('an id_token with %s, from the code exchange', async (_, spec) => {
    const s = spec();
    const r = await googleLogin(s);
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(await accountsOf(s.sub)).toEqual([]);
  });

  it.each(refusedTokens)('an id_token with %s, as the body', async (_, spec) => {
    const s = spec();
    const r = await api.post(GOOGLE, { json: { id_token: await provider.idToken('google', s) } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(await accountsOf(s.sub)).toEqual([]);
  });

  it('refuses an id_token signed with the Kakao key (valid elsewhere, not in the Google JWKS)', async () => {
    const forged = await provider.idToken('kakao', {
      sub: sub(),
      aud: provider.settings.google.clientId,
      iss: provider.settings.google.issuer,
    });
    const r = await api.post(GOOGLE, { json: { id_token: forged } });
    expect(r.body).toEqual(PROVIDER_FAILED);
  });

  it('refuses an unsigned (alg none) id_token and garbage', async () => {
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      sub: sub(),
      iss: provider.settings.google.issuer,
      aud: provider.settings.google.clientId,
      iat: now,
      exp: now + 3600,
    })}.`;
    for (const idToken of [unsigned, 'not-a-jwt']) {
      const r = await api.post(GOOGLE, { json: { id_token: idToken } });
      expect(r.status).toBe(422);
      expect(r.body).toEqual(PROVIDER_FAILED);
    }
  });

  it.each([
    ['400 invalid_grant', { kind: 'status', status: 400, body: { error: 'invalid_grant' } }],
    ['500', { kind: 'status', status: 500 }],
    ['503 with an HTML page', { kind: 'not-json', status: 503 }],
    ['200 with a body that is not JSON', { kind: 'not-json' }],
    ['200 without an id_token', { kind: 'json', body: { access_token: 'ya29.x', token_type: 'Bearer' } }],
    ['200 with a JSON array', { kind: 'json', body: [] }],
  ] as const)('the token endpoint answering %s', async (_, fault) => {
    const code = provider.faultyCode(fault);
    const r = await api.post(GOOGLE, { json: { code } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(provider.exchangeOf(code)).toBeDefined();
  });

  it('refuses an unknown code and a code used twice', async () => {
    const unknown = await api.post(GOOGLE, { json: { code: 'never-issued' } });
    expect(unknown.body).toEqual(PROVIDER_FAILED);
    const code = provider.googleCode({ sub: sub() });
    expect((await api.post(GOOGLE, { json: { code } })).status).toBe(200);
    const replay = await api.post(GOOGLE, { json: { code } });
    expect(replay.status).toBe(422);
    expect(replay.body).toEqual(PROVIDER_FAILED);
  });
});

describe('Google body validation', () => {
  it.each([
    ['no body', undefined, ['code should not be empty']],
    ['an empty object', {}, ['code should not be empty']],
    ['an empty code', { code: '' }, ['code should not be empty']],
    ['a null code', { code: null }, ['code should not be empty']],
    [
      'a code that is not a string',
      { code: 42 },
      ['code must be a string', 'code must be shorter than or equal to 2048 characters'],
    ],
    ['an unknown field', { code: 'x', state: 'y' }, ['property state should not exist']],
  ])('%s → 400 Validation Error with a message array', async (_, json, messages) => {
    const r = await api.post(GOOGLE, { json });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'error', error: 'Validation Error', message: messages, code: 'VALIDATION' });
  });

  it('an empty id_token → 400', async () => {
    const r = await api.post(GOOGLE, { json: { id_token: '' } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      status: 'error',
      error: 'Validation Error',
      message: ['id_token should not be empty'],
      code: 'VALIDATION',
    });
  });
});

describe('parallel first logins of one new identity', () => {
  it('ten codes for the same sub at once → all 200, one account (three identities side by side)', async () => {
    // With and without an e-mail: both unique indexes (e-mail, provider + social id) are raced.
    const identities = [
      { sub: sub(), email: uniqueEmail('rush'), email_verified: true },
      { sub: sub(), email: uniqueEmail('rush'), email_verified: true },
      { sub: sub() },
    ];
    const codes = identities.map((identity) => Array.from({ length: 10 }, () => provider.googleCode(identity)));
    provider.releaseTogether(codes.flat());
    const replies = await Promise.all(
      codes.map((batch) => Promise.all(batch.map((code) => api.post(GOOGLE, { json: { code } })))),
    );
    for (const [i, identity] of identities.entries()) {
      expect(replies[i].map((r) => r.status)).toEqual(Array(10).fill(200));
      const ids = new Set(replies[i].map((r) => r.body.data.account.account_id));
      expect(ids.size).toBe(1);
      expect(await accountsOf(identity.sub)).toEqual([
        { account_id: [...ids][0], email: identity.email ?? null, provider: 'google' },
      ]);
    }
  });
});
