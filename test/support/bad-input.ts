import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { expect } from 'vitest';
import type { Client, Reply } from './http.js';

// The tables of test/bad-input*.e2e.ts: what a bad request sends and the exact error it must get.

export const INVALID_TOKEN = '토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.';
export const FORBIDDEN_MESSAGE = '이 작업을 수행할 권한이 없습니다.';
export const TOO_LARGE_MESSAGE = '요청 본문이 너무 큽니다.';
export const SPRING_BAD_BODY = '입력한 필드 타입이 올바른지 확인해주세요.';
export const NOT_AN_OBJECT = 'request body must be a JSON object';

export interface Expected {
  status: number;
  body: Record<string, unknown>;
}

/** A request body: JSON (serialised), or a raw string with its own content type. */
export type Payload = { json: unknown } | { raw: string; contentType?: string } | Record<string, never>;

/** Who sends a row: a role the suite resolves to a token, or one of the bad credentials below. */
export type Auth = 'none' | 'self' | 'other' | 'admin' | { bad: BadToken };

export interface Row {
  name: string;
  payload: Payload;
  expected: Expected;
  /** The suite's default when absent. */
  auth?: Auth;
}

const nestError = (status: number, error: string, message: unknown, code?: string): Expected => ({
  status,
  body: code === undefined ? { status: 'error', error, message } : { status: 'error', error, message, code },
});

export const validation = (...message: string[]): Expected => nestError(400, 'Validation Error', message, 'VALIDATION');
export const badRequest = (message: string, code: string): Expected => nestError(400, 'Bad Request', message, code);
export const unauthenticated = nestError(401, 'Unauthorized', INVALID_TOKEN, 'UNAUTHENTICATED');
export const forbidden = nestError(403, 'Forbidden', FORBIDDEN_MESSAGE, 'FORBIDDEN');
export const tooLarge = nestError(413, 'Payload Too Large', TOO_LARGE_MESSAGE);
export const unsupportedMediaType = nestError(415, 'Unsupported Media Type', 'Unsupported Media Type');
export const notFound = (message: string, code?: string): Expected => nestError(404, 'Not Found', message, code);

/** The server answers a malformed body with JSON.parse's own text, as the original did, on this Node. */
export function malformed(raw: string): Expected {
  let message = '';
  try {
    JSON.parse(raw);
  } catch (error) {
    message = (error as Error).message;
  }
  if (message === '') throw new Error(`not malformed: ${raw}`);
  return nestError(400, 'Bad Request', message);
}

export const spring = (status: number, error: string, message: unknown[], code?: string): Expected => ({
  status,
  body: code === undefined ? { status: 'error', error, message } : { status: 'error', error, message, code },
});

/** Pads a body past the 100 kB limit. */
export const huge = (body: Record<string, unknown>) => JSON.stringify({ ...body, pad: 'x'.repeat(110 * 1024) });

/**
 * Rows every JSON-body route shares: malformed JSON, a JSON body that is not an object, a body over
 * the limit and bodies that are not JSON. `valid` is a body the route would accept, so the rows show
 * that the framing alone is refused.
 */
export function framingRows(valid: Record<string, unknown>): Row[] {
  const text = JSON.stringify(valid);
  return [
    ...['{"email":', "{'email':'a@test.com'}", '{"a":1,}', '{"a" 1}', 'nope'].map((raw) => ({
      name: `malformed JSON ${raw}`,
      payload: { raw },
      expected: malformed(raw),
    })),
    { name: 'a JSON array body', payload: { json: [valid] }, expected: validation(NOT_AN_OBJECT) },
    { name: 'a JSON string body', payload: { json: text }, expected: validation(NOT_AN_OBJECT) },
    { name: 'a JSON number body', payload: { json: 42 }, expected: validation(NOT_AN_OBJECT) },
    { name: 'a JSON boolean body', payload: { raw: 'true' }, expected: validation(NOT_AN_OBJECT) },
    { name: 'a body over 100 kB', payload: { raw: huge(valid) }, expected: tooLarge },
    {
      name: 'a text/plain body (JSON text, not JSON content)',
      payload: { raw: text, contentType: 'text/plain' },
      expected: validation(NOT_AN_OBJECT),
    },
    {
      name: 'a form-urlencoded body',
      payload: {
        raw: new URLSearchParams(valid as Record<string, string>).toString(),
        contentType: 'application/x-www-form-urlencoded',
      },
      expected: unsupportedMediaType,
    },
    {
      name: 'an application/octet-stream body',
      payload: { raw: text, contentType: 'application/octet-stream' },
      expected: unsupportedMediaType,
    },
  ];
}

export const BAD_TOKENS = [
  'no Authorization header',
  'a bare "Bearer"',
  'a Basic scheme',
  'a token that is not a JWT',
  'a token over 4096 characters',
  'an expired token',
  'an alg "none" token claiming Admin',
  'an HS512 token signed with the right secret',
  'a token signed with another secret',
  'a refresh token',
  'an access token',
] as const;
export type BadToken = (typeof BAD_TOKENS)[number];
/** Bad for routes that take an access token, and for the two that take a refresh token. */
export const BAD_ACCESS = BAD_TOKENS.filter((t) => t !== 'an access token');
export const BAD_REFRESH = BAD_TOKENS.filter((t) => t !== 'a refresh token');

const EXPIRED =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAwMDF9.c2lnbmF0dXJl';
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The Authorization header of each bad credential; the forged ones claim an existing admin account. */
export async function badAuthorizations(
  accessSecret: string,
  adminAccountId: string,
  session: { accessToken: string; refreshToken: string },
): Promise<Record<BadToken, string | undefined>> {
  const claims = { email: 'admin@test.com', role: { role_id: 1, name: 'Admin' } };
  const sign = (alg: string, secret: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setSubject(adminAccountId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return {
    'no Authorization header': undefined,
    'a bare "Bearer"': 'Bearer',
    'a Basic scheme': `Basic ${Buffer.from('admin@test.com:qwer1234').toString('base64')}`,
    'a token that is not a JWT': 'Bearer wrongToken',
    'a token over 4096 characters': `Bearer ${'a'.repeat(5000)}`,
    'an expired token': `Bearer ${EXPIRED}`,
    'an alg "none" token claiming Admin': `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, sub: adminAccountId, exp })}.`,
    'an HS512 token signed with the right secret': `Bearer ${await sign('HS512', accessSecret)}`,
    'a token signed with another secret': `Bearer ${await sign('HS256', `not-${accessSecret}-${randomUUID()}`)}`,
    'a refresh token': `Bearer ${session.refreshToken}`,
    'an access token': `Bearer ${session.accessToken}`,
  };
}

/** One row per bad credential, each with a body that is also invalid: authentication comes first. */
export const badTokenRows = (invalid: unknown, kinds: readonly BadToken[] = BAD_ACCESS): Row[] =>
  kinds.map((bad) => ({
    name: `${bad} with an invalid body → 401`,
    auth: { bad },
    payload: { json: invalid },
    expected: unauthenticated,
  }));

/** Sends one row's payload with the given Authorization header. */
export function send(api: Client, method: string, path: string, payload: Payload, authorization?: string) {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  if ('json' in payload) return api.call(method, path, { headers, json: payload.json });
  if ('raw' in payload) {
    if (payload.contentType) headers['content-type'] = payload.contentType;
    return api.call(method, path, { headers, raw: payload.raw });
  }
  return api.call(method, path, { headers });
}

/** The exact status and body, the envelope's key order, JSON content and never a 500. */
export function expectError(reply: Reply, expected: Expected): void {
  expect(reply.status).not.toBe(500);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect({ status: reply.status, body: reply.body }).toEqual(expected);
  const keys = ['status', 'error', 'message'];
  expect(Object.keys(reply.body)).toEqual('code' in expected.body ? [...keys, 'code'] : keys);
}
