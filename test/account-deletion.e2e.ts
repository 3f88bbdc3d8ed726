import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { registerAndLogin } from './support/http.js';
import { openDb } from './support/db.js';

// /account/delete in Debian's chromium (playwright-core drives it; no browser is downloaded).
const P = '/timer-api';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('account deletion page in a real browser', () => {
  const app = useApp();
  const { api } = app;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl: string;
  let forged = '';

  beforeAll(async () => {
    // playwright-core starts chromium with a fresh temporary profile (--user-data-dir) of its own.
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
    // Another origin (localhost, another port) whose page posts a form to the service by itself.
    attacker = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(forged);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    // beforeAll may have failed before the server existed (no chromium): then there is nothing to wait for.
    if (attacker) await new Promise((resolve) => attacker.close(resolve));
  });

  const context = (acceptLanguage: string): Promise<BrowserContext> =>
    browser.newContext({ extraHTTPHeaders: { 'accept-language': acceptLanguage } });

  it('English: sign in, confirm, the account is gone and its tokens fail at once', async () => {
    const owner = await registerAndLogin(api);
    const ctx = await context('en-US,en;q=0.9');
    const page = await ctx.newPage();
    const first = await page.goto(`${app.url}/account/delete`);
    expect(first!.status()).toBe(200);
    const headers = first!.headers();
    expect(headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(headers['content-security-policy']).toMatch(/form-action 'self'/);
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-content-type-options']).toBe('nosniff');
    const [cookie] = await ctx.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/account/delete' });
    expect(await page.textContent('h1')).toBe('Delete your account');

    await page.fill('#email', owner.email);
    await page.fill('#password', owner.password);
    await Promise.all([page.waitForURL(`${app.url}/account/delete`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Delete for good?');
    expect(page.url()).toBe(`${app.url}/account/delete`); // nothing in the URL
    const html = await page.content();
    expect(html).not.toContain(owner.accessToken);
    expect(html).not.toContain(owner.refreshToken);
    expect(await api.get(`${P}/members/me`, { token: owner.accessToken })).toMatchObject({ status: 200 });

    await page.click('button.danger');
    await page.waitForSelector('text=Your account is deleted');
    expect((await api.get(`${P}/members/me`, { token: owner.accessToken })).status).toBe(401);
    expect((await api.post(`${P}/auth/refresh`, { token: owner.refreshToken, json: {} })).status).toBe(401);
    const login = await api.post(`${P}/auth/email/login`, { json: { email: owner.email, password: owner.password } });
    expect(login.status).toBe(404);
    await ctx.close();
  });

  it('Korean by Accept-Language; a wrong password shows an error page and deletes nothing', async () => {
    const owner = await registerAndLogin(api);
    const ctx = await context('ko-KR,ko;q=0.9,en;q=0.5');
    const page = await ctx.newPage();
    await page.goto(`${app.url}/account/delete`);
    expect(await page.textContent('h1')).toBe('계정 삭제');
    expect(await page.getAttribute('html', 'lang')).toBe('ko');
    await page.fill('#email', owner.email);
    await page.fill('#password', 'not-the-password');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    expect(response.status()).toBe(401);
    expect(await page.textContent('[role=alert]')).toBe('이메일 또는 비밀번호가 올바르지 않습니다.');
    expect(await page.locator('button.danger').count()).toBe(0);
    expect((await api.get(`${P}/members/me`, { token: owner.accessToken })).status).toBe(200);
    await ctx.close();
  });

  it('a forged cross-site form post is refused and changes nothing, even with a leaked token and proof', async () => {
    const owner = await registerAndLogin(api);
    const ctx = await context('en');
    const page = await ctx.newPage();
    await page.goto(`${app.url}/account/delete`);
    await page.fill('#email', owner.email);
    await page.fill('#password', owner.password);
    await Promise.all([page.waitForSelector('button.danger'), page.click('button[type=submit]')]);
    // The victim stands at the confirmation; the attacker even knows its hidden fields.
    const csrf = await page.inputValue('input[name=csrf]');
    const proof = await page.inputValue('input[name=proof]');
    forged =
      `<!doctype html><form id="f" method="post" action="${app.url}/account/delete">` +
      `<input name="step" value="confirm"><input name="csrf" value="${csrf}"><input name="proof" value="${proof}">` +
      '</form><script>document.getElementById("f").submit()</script>';
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${app.url}/account/delete` && r.request().method() === 'POST'),
      page.goto(attackerUrl),
    ]);
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('another site');
    expect((await api.get(`${P}/members/me`, { token: owner.accessToken })).status).toBe(200);
    await ctx.close();
  });
});

/** The page's hidden CSRF token and its session cookie, fetched as a browser would. */
async function openForm(url: string) {
  const r = await fetch(`${url}/account/delete`);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await r.text())![1]!;
  return { cookie, csrf };
}

function post(url: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${url}/account/delete`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en', cookie, ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

describe('account deletion page over plain HTTP', () => {
  const app = useApp({ env: { RATE_LIMIT_LOGIN_PER_ACCOUNT: '2' } });
  const { api } = app;

  it('shares the login budget per account: the third attempt is 429 with Retry-After', async () => {
    const owner = await registerAndLogin(api);
    const { cookie, csrf } = await openForm(app.url);
    const attempt = () => post(app.url, cookie, { step: 'sign-in', csrf, email: owner.email, password: 'wrong' });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The API login of that account is out of budget too: one bucket.
    const apiLogin = await api.post(`${P}/auth/email/login`, {
      json: { email: owner.email, password: owner.password },
    });
    expect(apiLogin.status).toBe(429);
  });

  it('refuses a post without the session cookie, with a token of another session, or from another origin', async () => {
    const owner = await registerAndLogin(api);
    const a = await openForm(app.url);
    const b = await openForm(app.url);
    const form = { step: 'sign-in', email: owner.email, password: owner.password };
    expect((await post(app.url, '', { ...form, csrf: a.csrf })).status).toBe(403);
    expect((await post(app.url, b.cookie, { ...form, csrf: a.csrf })).status).toBe(403);
    expect((await post(app.url, a.cookie, { ...form, csrf: a.csrf }, { origin: 'http://evil.test' })).status).toBe(403);
    const crossSite = { 'sec-fetch-site': 'cross-site' };
    expect((await post(app.url, a.cookie, { ...form, csrf: a.csrf }, crossSite)).status).toBe(403);
    expect((await post(app.url, a.cookie, { ...form, csrf: a.csrf })).status).toBe(200);
  });

  it('a social-only account is told to delete in the app; an API form post is still 415', async () => {
    const { cookie, csrf } = await openForm(app.url);
    const social = await post(app.url, cookie, { step: 'sign-in', csrf, email: 'nobody@test.com', password: 'x' });
    expect(social.status).toBe(401); // unknown e-mail: the same answer as a wrong password
    const db = openDb();
    const email = `social.${Date.now()}@test.com`;
    await db.query(
      `insert into account (email, password, provider, social_id, role_id) values ($1, null, 'google', $2, 2)`,
      [email, `g-${email}`],
    );
    await db.end();
    const refused = await post(app.url, cookie, { step: 'sign-in', csrf, email, password: 'x' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('delete the account in the settings');
    const api415 = await fetch(`${app.url}${P}/auth/email/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.c&password=x',
    });
    expect(api415.status).toBe(415);
  });
});
