import { Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminOnly, type Caller, CurrentCaller, CurrentOwner, OwnerOnly } from '../auth/auth.guards.js';
import type { Owner } from '../auth/authenticator.js';
import { type Infer, ValidBody } from '../common/wire/validation.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { Obj, Type } from '../common/wire/response-schema.js';
import { MemberResponse, MeResponse, toMemberResponse, toOwnMemberResponse, UpdateMemberBody } from './members.dto.js';
import { MembersService } from './members.service.js';

@ApiTags('members')
@ApiBearerAuth()
@Controller('members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @AdminOnly()
  @Returns(Obj({ members: Type.Array(MemberResponse) }))
  async list() {
    return { members: (await this.members.list()).map(toMemberResponse) };
  }

  @Get('me')
  @Returns(MeResponse)
  @Raises('UNAUTHENTICATED')
  async me(@CurrentCaller() caller: Caller) {
    const { member, created } = await this.members.me(caller.accountId);
    // The creating call also carries the account id, as the original's did.
    return {
      member: created
        ? { ...toOwnMemberResponse(member), account: { account_id: caller.accountId } }
        : toOwnMemberResponse(member),
    };
  }

  @Patch(':member_id')
  @Returns(null)
  @Raises('NOTHING_TO_CHANGE')
  @OwnerOnly()
  async update(@CurrentOwner() owner: Owner, @ValidBody(UpdateMemberBody) body: Infer<typeof UpdateMemberBody>) {
    await this.members.update(owner, body);
    return null;
  }
}
