import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, useApp } from './support/app.js';
import { FakeOAuthProvider } from './support/fake-oauth-provider.js';
import { client, registerAndLogin, uniqueEmail } from './support/http.js';

// Issue 9 item 9: token answers are never cached, nothing is content-sniffed, /docs cannot be framed
// and runs under a CSP, and /docs can be switched off (off by default in production).
let provider: FakeOAuthProvider;

beforeAll(async () => {
  provider = await FakeOAuthProvider.start();
});
const app = useApp(() => ({ env: provider.env() }));
const { api } = app;
afterAll(async () => {
  await provider?.close();
});

const noStore = (headers: Headers) => ({
  cacheControl: headers.get('cache-control'),
  pragma: headers.get('pragma'),
});
const NO_STORE = { cacheControl: 'no-store', pragma: 'no-cache' };
const numericSub = () => `1${randomUUID().replace(/\D/g, '').slice(0, 20)}`;

describe('answers carrying tokens: Cache-Control no-store', () => {
  it('register, login and refresh', async () => {
    const email = uniqueEmail('nostore');
    const registered = await api.post('/timer-api/auth/email/register', { json: { email, password: 'qwer1234' } });
    expect(registered.status).toBe(200);
    expect(noStore(registered.headers)).toEqual(NO_STORE);
    const loggedIn = await api.post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
    expect(loggedIn.status).toBe(200);
    expect(noStore(loggedIn.headers)).toEqual(NO_STORE);
    const refreshed = await api.post('/timer-api/auth/refresh', { token: loggedIn.body.data.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(noStore(refreshed.headers)).toEqual(NO_STORE);
  });

  it('Google, Kakao and Naver sign-in', async () => {
    const replies = [
      await api.post('/timer-api/auth/google/login', {
        json: { code: provider.googleCode({ sub: numericSub(), email_verified: false }) },
      }),
      await api.post('/timer-api/auth/kakao/login', { json: { code: provider.kakaoCode({ sub: numericSub() }) } }),
      await api.post('/timer-api/auth/naver/login', { json: { code: provider.naverCode({ id: numericSub() }) } }),
    ];
    for (const r of replies) {
      expect(r.status, r.text).toBe(200);
      expect(r.body.data.access_token).toEqual(expect.any(String));
      expect(noStore(r.headers)).toEqual(NO_STORE);
    }
  });
});

describe('X-Content-Type-Options: nosniff on every answer', () => {
  it('success, errors of both dialects, unknown paths, undecodable paths, health, preflight and static files', async () => {
    const user = await registerAndLogin(api);
    const replies = [
      await api.get('/timer-api/members/me', { token: user.accessToken }),
      await api.get('/timer-api/members/me'),
      await api.post('/timer-api/auth/email/login', { json: { email: 'x' } }),
      await api.get('/timer-api/nope'),
      await api.get('/v2/nope'),
      await api.get('/timer-api/%ZZ'),
      await api.get('/health/live'),
      await api.call('OPTIONS', '/timer-api/members/me', {
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
      }),
      await api.get('/docs'),
      await api.get('/docs-json'),
    ];
    expect(replies.map((r) => r.headers.get('x-content-type-options'))).toEqual(replies.map(() => 'nosniff'));
    expect(replies.map((r) => r.status)).toEqual([200, 401, 400, 404, 404, 400, 200, 204, 200, 200]);
  });
});

describe('/docs', () => {
  it('has a CSP with frame-ancestors none that the page itself satisfies', async () => {
    const page = await api.get('/docs');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values] as const;
      }),
    );
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(page.headers.get('x-frame-options')).toBe('DENY');

    // script-src 'self': every script is a same-origin file (no inline code), and each one loads.
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body!.trim(), 'no inline script').toBe('');
      const src = /\bsrc="([^"]+)"/.exec(attributes!)?.[1];
      expect(src, 'a script with a src').toBeDefined();
      const url = new URL(src!, `${app.url}/docs`);
      expect(url.origin).toBe(app.url);
      const file = await fetch(url);
      expect(file.status, url.pathname).toBe(200);
      expect(file.headers.get('content-type')).toMatch(/javascript/);
      await file.arrayBuffer();
    }
    // The stylesheets it links are same-origin as well (style-src 'self', inline styles allowed).
    for (const [, href] of page.text.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/gi)) {
      const url = new URL(href!, `${app.url}/docs`);
      expect(url.origin).toBe(app.url);
      expect((await fetch(url)).status).toBe(200);
    }
    // The document the UI fetches is same-origin (connect-src 'self').
    const init = await api.get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.headers.get('content-security-policy')).toBe(csp);
  });

  it('DOCS_ENABLED=false: /docs and /docs-json answer 404 in the Nest dialect', async () => {
    const off = await startApp({ DOCS_ENABLED: 'false' });
    try {
      const offApi = client(off.url);
      for (const path of ['/docs', '/docs-json', '/docs/swagger-ui-init.js']) {
        const r = await offApi.get(path);
        expect({ status: r.status, body: r.body }).toEqual({
          status: 404,
          body: { status: 'error', error: 'Not Found', message: `Cannot GET ${path}` },
        });
      }
    } finally {
      await off.close();
    }
  });

  it('is off by default in production, on when DOCS_ENABLED=true', async () => {
    const secrets = {
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
    };
    const production = await startApp(secrets);
    try {
      expect((await client(production.url).get('/docs')).status).toBe(404);
    } finally {
      await production.close();
    }
    const opted = await startApp({ ...secrets, DOCS_ENABLED: 'true' });
    try {
      expect((await client(opted.url).get('/docs')).status).toBe(200);
    } finally {
      await opted.close();
    }
  });
});
