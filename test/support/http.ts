import { randomUUID } from 'node:crypto';
import { assertErrorAnswerDocumented, checkingErrorAnswers } from './documented.js';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** A raw body string (sent as is); otherwise `json` is serialised. */
  raw?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

/**
 * A tiny HTTP client over fetch; every test talks to the real server through it. `base` may be read
 * at each call, for a client made before its server started.
 */
export function client(base: string | (() => string)) {
  const call = async <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const root = typeof base === 'string' ? base : base();
    const response = await fetch(root + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const reply = { status: response.status, headers: response.headers, body: parsed as T, text };
    if (checkingErrorAnswers && reply.status >= 400) await assertErrorAnswerDocumented(root, method, path, reply);
    return reply;
  };
  return {
    get: <T = any>(path: string, o?: RequestOptions) => call<T>('GET', path, o),
    post: <T = any>(path: string, o?: RequestOptions) => call<T>('POST', path, o),
    patch: <T = any>(path: string, o?: RequestOptions) => call<T>('PATCH', path, o),
    delete: <T = any>(path: string, o?: RequestOptions) => call<T>('DELETE', path, o),
    call,
  };
}

export type Client = ReturnType<typeof client>;

/** Factories: each test makes its own accounts, so tests don't depend on order. */
export const uniqueEmail = (tag = 'user') => `${tag}.${randomUUID().slice(0, 12)}@test.com`;

export async function registerAndLogin(api: Client, email = uniqueEmail(), password = 'qwer1234') {
  const registered = await api.post('/timer-api/auth/email/register', { json: { email, password } });
  if (registered.status !== 200) throw new Error(`register failed: ${registered.text}`);
  const me = await api.get('/timer-api/members/me', { token: registered.body.data.access_token });
  return {
    email,
    password,
    accountId: registered.body.data.account.account_id as string,
    accessToken: registered.body.data.access_token as string,
    refreshToken: registered.body.data.refresh_token as string,
    memberId: me.body.data.member.member_id as string,
  };
}

export async function login(api: Client, email: string, password = 'qwer1234') {
  const reply = await api.post('/timer-api/auth/email/login', { json: { email, password } });
  if (reply.status !== 200) throw new Error(`login failed: ${reply.text}`);
  return reply.body.data as { access_token: string; refresh_token: string; expires_in: number; account: any };
}
