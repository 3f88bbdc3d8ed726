import type { ArgumentsHost } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../config/config.js';
import { QueueWaitTimeout } from '../keyed-queue.js';
import { ApiError, apiError } from './api-error.js';
import { type ErrorCode, ERRORS, type ErrorSpec, listErrors, socketErrorBody } from './error-codes.js';
import { frameworkErrorBody, WireExceptionFilter } from './exception.filter.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What the filter answers for `exception` on `url`, through a reply that records it. */
function render(exception: unknown, url: string): Answer {
  const answer: Answer = { status: 0, headers: {}, body: undefined };
  const reply = {
    header(name: string, value: string) {
      answer.headers[name] = value;
      return reply;
    },
    status(status: number) {
      answer.status = status;
      return reply;
    },
    send(body: unknown) {
      answer.body = body;
      return reply;
    },
  };
  const request = { url, log: { warn: () => undefined, error: () => undefined } };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new WireExceptionFilter({ DATABASE_RETRY_AFTER_SECONDS: 7 } as Config).catch(exception, host);
  return answer;
}

const NEST = '/timer-api/members/me';
const SPRING = '/v2/shop/purchase';

describe('the error catalogue', () => {
  const entries = Object.entries(ERRORS) as [ErrorCode, ErrorSpec][];

  it('gives every code an error status and a text for each dialect, or has the call give it', () => {
    for (const [code, spec] of entries) {
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
      expect(spec.status, code).toBeLessThan(600);
      if (spec.given) continue;
      expect(spec.nest ?? spec.spring ?? spec.socket, code).toMatch(/\S/);
    }
    expect(entries.filter(([, spec]) => spec.given).map(([code]) => code)).toEqual(['VALIDATION', 'FIELD_CHECKS']);
  });

  it('answers one status and one text per wire code, except the keys that exist to differ', () => {
    // The originals gave these wire codes two meanings; every other wire code is one error.
    const shared = new Set(['ITEM_NOT_FOUND', 'CHARACTER_NOT_FOUND', 'CATEGORY_NOT_FOUND', 'VALIDATION']);
    const seen = new Map<string, ErrorCode>();
    for (const { code, wireCode } of listErrors()) {
      if (wireCode === null) continue;
      const earlier = seen.get(wireCode);
      if (earlier) expect(shared.has(wireCode), `${earlier} and ${code}`).toBe(true);
      seen.set(wireCode, code);
    }
  });

  it('lists every code with what the API document needs', () => {
    const list = listErrors();
    const socketOnly = entries.filter(([, spec]) => !spec.nest && !spec.spring && !spec.given).map(([code]) => code);
    expect(socketOnly).toEqual(['JOIN_TIMEOUT', 'TOO_MANY_CONNECTIONS']);
    expect(list.map((e) => e.code).sort()).toEqual(
      entries
        .map(([code]) => code)
        .filter((code) => !socketOnly.includes(code))
        .sort(),
    );
    expect(list.find((e) => e.code === 'ADMIN_ITEM_NOT_FOUND')).toEqual({
      code: 'ADMIN_ITEM_NOT_FOUND',
      status: 404,
      wireCode: 'ITEM_NOT_FOUND',
      nest: '존재하지 않는 아이템입니다.',
      spring: '존재하지 않는 아이템입니다.',
      given: false,
      retryAfter: false,
    });
    expect(list.find((e) => e.code === 'VALIDATION')).toMatchObject({ nest: null, given: true });
    expect(list.find((e) => e.code === 'MEMBER_MISSING')).toMatchObject({ wireCode: null, status: 404 });
    expect(list.find((e) => e.code === 'BUSY')).toMatchObject({ retryAfter: true, status: 503 });
  });

  it('keeps the error a typed ApiError with its status and texts', () => {
    const error = apiError('OFFLINE_CATEGORY_NOT_FOUND');
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      wireCode: 'CATEGORY_NOT_FOUND',
      messages: '카테고리를 찾을 수 없습니다.',
    });
  });
});

describe('the study-group gateway answers a code', () => {
  it('with its socket text', () => {
    expect(socketErrorBody('UNAUTHENTICATED')).toEqual({ status: 'error', message: 'unauthorized' });
    expect(socketErrorBody('GROUPS_UNAVAILABLE')).toEqual({ status: 'error', message: 'unavailable' });
    expect(socketErrorBody('FORBIDDEN')).toEqual({ status: 'error', message: 'Internal server error' });
    expect(socketErrorBody('JOIN_TIMEOUT')).toEqual({ status: 'error', message: 'join timeout' });
  });
});

describe('the filter renders a code', () => {
  it('in the Nest dialect, with its code field when it has one', () => {
    expect(render(apiError('EMAIL_TAKEN'), NEST)).toEqual({
      status: 400,
      headers: {},
      body: {
        status: 'error',
        error: 'Bad Request',
        message: '이 이메일로 등록된 계정이 이미 존재합니다.',
        code: 'EMAIL_TAKEN',
      },
    });
    expect(render(apiError('MEMBER_MISSING'), NEST).body).toEqual({
      status: 'error',
      error: 'Not Found',
      message: '멤버가 존재하지 않습니다.',
    });
    expect(render(apiError('VALIDATION', { messages: ['email must be an email'] }), NEST).body).toEqual({
      status: 'error',
      error: 'Validation Error',
      message: ['email must be an email'],
      code: 'VALIDATION',
    });
    expect(render(apiError('RATE_LIMITED', { retryAfterSeconds: 3 }), NEST)).toEqual({
      status: 429,
      headers: { 'retry-after': '3' },
      body: {
        status: 'error',
        error: 'Too Many Requests',
        message: '요청이 너무 많습니다. 잠시 후 다시 시도해주세요.',
        code: 'RATE_LIMITED',
      },
    });
  });

  it('in the Spring dialect, with its Spring text as an array', () => {
    expect(render(apiError('UNAUTHENTICATED'), SPRING)).toEqual({
      status: 401,
      headers: {},
      body: {
        status: 'error',
        error: 'UNAUTHORIZED',
        message: ['인증되지 않은 사용자의 접근입니다.'],
        code: 'UNAUTHENTICATED',
      },
    });
    expect(render(apiError('FORBIDDEN'), '/v2/admin/items').body).toEqual({
      status: 'error',
      error: 'FORBIDDEN',
      message: ['해당 권한이 없습니다.'],
      code: 'FORBIDDEN',
    });
    expect(render(apiError('VALIDATION', { messages: ['count must be a number'] }), SPRING).body).toEqual({
      status: 'error',
      error: 'BAD_REQUEST',
      message: ['입력한 필드 타입이 올바른지 확인해주세요.'],
      code: 'VALIDATION',
    });
    expect(
      render(apiError('FIELD_CHECKS', { messages: ['name : 아이템 이름은 필수 입력 값 입니다.'] }), SPRING).body,
    ).toEqual({
      status: 'error',
      error: 'BAD_REQUEST',
      message: ['name : 아이템 이름은 필수 입력 값 입니다.'],
      code: 'VALIDATION',
    });
    expect(render(apiError('ADMIN_CHARACTER_NOT_FOUND'), '/v2/admin/characters/9').body).toEqual({
      status: 'error',
      error: 'BAD_REQUEST',
      message: ['캐릭터를 찾을 수 없습니다.'],
      code: 'CHARACTER_NOT_FOUND',
    });
    expect(render(apiError('NO_PALETTE'), '/v2/item-inventory/1')).toMatchObject({
      status: 500,
      body: {
        error: 'INTERNAL_SERVER_ERROR',
        message: ['서버 오류 : 팔레트 없음 (운영자에게 문의해주세요.)'],
        code: 'NO_PALETTE',
      },
    });
    expect(render(apiError('BAD_BODY'), SPRING).body).toEqual({
      status: 'error',
      error: 'BAD_REQUEST',
      message: ['입력한 필드 타입이 올바른지 확인해주세요.'],
    });
  });

  it('for the failures it decides itself: a bug, a busy database, a path it cannot decode', () => {
    expect(render(new Error('boom'), NEST).body).toEqual({
      status: 'error',
      error: 'Internal Server Error',
      message: '문제가 발생했습니다. 나중에 다시 시도해주세요.',
    });
    expect(render(new Error('boom'), SPRING).body).toEqual({
      status: 'error',
      error: 'INTERNAL_SERVER_ERROR',
      message: ['서버 오류 : 운영자에게 문의해주세요.'],
    });
    expect(render(new QueueWaitTimeout(10, 'test'), SPRING)).toEqual({
      status: 503,
      headers: { 'retry-after': '7' },
      body: {
        status: 'error',
        error: 'SERVICE_UNAVAILABLE',
        message: ['요청이 밀려 처리하지 못했습니다. 잠시 후 다시 시도해주세요.'],
        code: 'BUSY',
      },
    });
    expect(frameworkErrorBody('/timer-api/%ZZ', 400)).toEqual({
      status: 'error',
      error: 'Bad Request',
      message: '요청 경로가 올바르지 않습니다.',
    });
    expect(frameworkErrorBody('/v2/%ZZ', 400)).toEqual({
      status: 'error',
      error: 'BAD_REQUEST',
      message: ['요청 경로가 올바르지 않습니다.'],
    });
  });
});
