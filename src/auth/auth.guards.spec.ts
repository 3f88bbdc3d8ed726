import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import { type Caller, CurrentOwner, MemberId } from './auth.guards.js';

type Factory = (data: unknown, context: ExecutionContext) => unknown;

/** What Nest calls to fill the decorated parameter. */
function factoryOf(decorator: () => ParameterDecorator): Factory {
  class Probe {
    handler(_value: unknown): void {}
  }
  decorator()(Probe.prototype, 'handler', 0);
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handler') as Record<string, { factory: Factory }>;
  return Object.values(args)[0]!.factory;
}

const requestWith = (caller: Caller | undefined) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ caller }) }) }) as unknown as ExecutionContext;

const MEMBER = '6f1c2d4e-8a9b-4c3d-9e8f-7a6b5c4d3e2f';
const ACCOUNT = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';

describe('@MemberId() and @CurrentOwner()', () => {
  it('give the member the owner guard resolved', () => {
    const caller = { accountId: ACCOUNT, email: null, roleId: 2, memberId: MEMBER };
    expect(factoryOf(MemberId)(undefined, requestWith(caller))).toBe(MEMBER);
    expect(factoryOf(CurrentOwner)(undefined, requestWith(caller))).toEqual({ accountId: ACCOUNT, memberId: MEMBER });
  });

  it.each([
    ['an authenticated caller the owner guard did not see', { accountId: ACCOUNT, email: null, roleId: 2 }],
    ['no caller at all', undefined],
  ])('fail loudly for %s instead of giving undefined', (_, caller) => {
    for (const decorator of [MemberId, CurrentOwner]) {
      expect(() => factoryOf(decorator)(undefined, requestWith(caller))).toThrow(/lacks @OwnerOnly\(\)/);
    }
  });
});
