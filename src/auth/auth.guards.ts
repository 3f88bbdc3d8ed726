import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { apiError } from '../common/wire/api-error.js';
import { edgeRaises } from '../common/wire/raises.js';
import { AuthCache } from './auth-cache.js';
import { ADMIN_ROLE_ID, Authenticator, type Identity, isUuid, type Owner } from './authenticator.js';
import { bearerToken } from './bearer.js';

/** What the guards learned about the caller. */
export interface Caller extends Identity {
  /** Set by the owner guard. */
  memberId?: string;
}

type AuthedRequest = FastifyRequest & { caller?: Caller };

const PUBLIC = 'auth:public';
const ADMIN = 'auth:admin';
/** No access token needed (the route may check another credential itself). */
export const Public = () => SetMetadata(PUBLIC, true);
/** Admins only: the live account's role must be Admin (role_id 1). */
export const AdminOnly = () => applyDecorators(SetMetadata(ADMIN, true), edgeRaises('FORBIDDEN'));

/**
 * Global guard: a valid access token (HS256, pinned) of an account that still exists, of its current
 * generation. Checking the live account on every request (through the cache, which every instance
 * drops before a change answers) is what makes a deleted account's tokens, or those from before a
 * password change, fail at once on every instance.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const caller = await this.authenticator.authenticate(bearerToken(request));
    request.caller = caller;
    if (this.reflector.getAllAndOverride<boolean>(ADMIN, targets) && caller.roleId !== ADMIN_ROLE_ID) {
      throw apiError('FORBIDDEN');
    }
    return true;
  }
}

/** `:member_id` must be the caller's member ("owner" in docs/routes.md, the original's PermissionsGuard). */
@Injectable()
export class OwnerGuard implements CanActivate {
  constructor(private readonly members: AuthCache) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest & { params: Record<string, string> }>();
    const caller = request.caller!;
    const memberId = await this.members.memberIdOf(caller.accountId);
    if (!memberId) throw apiError('MEMBER_MISSING');
    if (request.params.member_id !== memberId) throw apiError('FORBIDDEN');
    caller.memberId = memberId;
    return true;
  }
}

/** `:member_id` must be an existing member (any caller); otherwise 403 as the original. */
@Injectable()
export class MemberExistsGuard implements CanActivate {
  constructor(private readonly members: AuthCache) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { member_id: memberId } = context.switchToHttp().getRequest<{ params: Record<string, string> }>().params;
    if (!isUuid(memberId) || !(await this.members.memberExists(memberId))) throw apiError('FORBIDDEN');
    return true;
  }
}

export const OwnerOnly = () => applyDecorators(UseGuards(OwnerGuard), edgeRaises('MEMBER_MISSING', 'FORBIDDEN'));
export const MemberMustExist = () => applyDecorators(UseGuards(MemberExistsGuard), edgeRaises('FORBIDDEN'));

/** The authenticated caller, as the guards left it. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<AuthedRequest>().caller;
  if (!caller) throw apiError('UNAUTHENTICATED');
  return caller;
});

function ownerOf(context: ExecutionContext): Owner {
  const caller = context.switchToHttp().getRequest<AuthedRequest>().caller;
  // Only the owner guard sets the member id: reading it on a route without @OwnerOnly() is our bug,
  // so it fails as one (500, logged with the request id) instead of passing undefined on.
  if (!caller?.memberId) throw new Error('no member id on the request: the route lacks @OwnerOnly()');
  return { accountId: caller.accountId, memberId: caller.memberId };
}

/** The caller's own member id, on routes behind `@OwnerOnly()`. */
export const MemberId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string => ownerOf(context).memberId,
);

/** The caller's account and own member id, on routes behind `@OwnerOnly()`. */
export const CurrentOwner = createParamDecorator((_: unknown, context: ExecutionContext): Owner => ownerOf(context));
