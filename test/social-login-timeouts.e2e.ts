import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useApp, useInstances } from './support/app.js';
import { type Endpoint, type Fault, FakeOAuthProvider } from './support/fake-oauth-provider.js';
import { PROVIDER_FAILED } from './support/social-kit.js';

// Social login: a provider that hangs or whose key set is unavailable is a 422, never a 500 or a
// stuck request.
const HANG: Fault = { kind: 'hang' };

const sub = () => `1${randomUUID().replace(/\D/g, '').slice(0, 20)}`;

/** The service's settings for a provider: a short provider timeout. A fresh service has an empty JWKS cache. */
const settings = (provider: FakeOAuthProvider) => ({ ...provider.env(), SOCIAL_HTTP_TIMEOUT_MS: '300' });

describe('hanging provider endpoints (SOCIAL_HTTP_TIMEOUT_MS=300)', () => {
  const provider = FakeOAuthProvider.use();
  const { api } = useApp(() => ({ env: settings(provider) }));

  it.each([
    ['Google', '/timer-api/auth/google/login'],
    ['Kakao', '/timer-api/auth/kakao/login'],
    ['Naver', '/timer-api/auth/naver/login'],
  ])('%s token endpoint never answers → 422', async (_, path) => {
    const code = provider.faultyCode(HANG);
    const r = await api.post(path, { json: { code } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(provider.exchangeOf(code)).toBeDefined();
  });

  it('a token endpoint that sends its headers and then stalls mid-body → 422', async () => {
    const code = provider.faultyCode({ kind: 'stall' });
    const r = await api.post('/timer-api/auth/google/login', { json: { code } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(provider.exchangeOf(code)).toBeDefined();
  });

  it('Naver profile API never answers → 422', async () => {
    const before = provider.requests('naver-profile').length;
    const code = provider.naverCode({ id: 'hang', profileFault: HANG });
    const r = await api.post('/timer-api/auth/naver/login', { json: { code } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(PROVIDER_FAILED);
    expect(provider.requests('naver-profile')).toHaveLength(before + 1);
  });

  it('the service still signs in once the provider answers again', async () => {
    const r = await api.post('/timer-api/auth/google/login', { json: { code: provider.googleCode({ sub: sub() }) } });
    expect(r.status).toBe(200);
    expect(r.body.data.account.provider).toBe('google');
  });
});

describe('an unavailable key set (JWKS)', () => {
  const cases: [string, Endpoint, string, (p: FakeOAuthProvider) => string][] = [
    ['Google', 'google-jwks', '/timer-api/auth/google/login', (p) => p.googleCode({ sub: sub() })],
    ['Kakao', 'kakao-jwks', '/timer-api/auth/kakao/login', (p) => p.kakaoCode({ sub: sub() })],
  ];

  const instances = useInstances();

  it.each(cases)(
    '%s JWKS hanging, failing or garbled → 422; once it recovers → 200',
    async (_, jwks, path, newCode) => {
      const provider = await FakeOAuthProvider.start();
      onTestFinished(() => provider.close());
      const { api } = await instances.start(settings(provider));
      const faults: Fault[] = [
        HANG,
        { kind: 'status', status: 500 },
        { kind: 'not-json' },
        { kind: 'json', body: { keys: 'none' } },
      ];
      for (const fault of faults) {
        provider.breakEndpoint(jwks, fault);
        const before = provider.requests(jwks).length;
        const r = await api.post(path, { json: { code: newCode(provider) } });
        expect(r.status).toBe(422);
        expect(r.body).toEqual(PROVIDER_FAILED);
        expect(provider.requests(jwks).length).toBeGreaterThan(before);
      }
      provider.repair(jwks);
      const ok = await api.post(path, { json: { code: newCode(provider) } });
      expect(ok.status).toBe(200);
    },
  );
});
