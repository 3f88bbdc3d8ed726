import { Injectable } from '@nestjs/common';
import { ADMIN_ROLE_ID, Authenticator } from '../auth/authenticator.js';
import { KeyBatcher } from '../common/key-batcher.js';
import { type MemberRow, MembersRepository } from '../members/members.repository.js';
import type { GroupMember } from './group-store.js';

export interface Identity {
  accountId: string;
  isAdmin: boolean;
}

/** Who a socket is: the same token check and live-account check as every HTTP request. */
@Injectable()
export class StudyGroupsService {
  constructor(
    private readonly authenticator: Authenticator,
    members: MembersRepository,
  ) {
    this.profiles = new KeyBatcher((ids) => members.findByAccounts(ids));
  }

  /** Joins arriving together (a crowd reconnecting) read their members in one query. */
  private readonly profiles: KeyBatcher<MemberRow>;

  async identify(token: unknown): Promise<Identity> {
    const { accountId, roleId } = await this.authenticator.authenticate(typeof token === 'string' ? token : undefined);
    return { accountId, isAdmin: roleId === ADMIN_ROLE_ID };
  }

  /** The member as the room shows them, read at each join so a new nickname shows. */
  async profile(accountId: string): Promise<Omit<GroupMember, 'joinedAtUTC'> | undefined> {
    const member = await this.profiles.get(accountId);
    return member && { member_id: member.memberId, image_url: member.imageUrl, nickname: member.nickname };
  }
}
