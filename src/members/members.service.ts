import { Inject, Injectable } from '@nestjs/common';
import type { Owner } from '../auth/authenticator.js';
import { MemberQueue } from '../common/keyed-queue.js';
import { Random } from '../common/random.js';
import { apiError } from '../common/wire/api-error.js';
import { CONFIG, type Config } from '../config/config.js';
import { isForeignKeyViolation } from '../database/errors.js';
import { Transactions } from '../database/transactions.js';
import { type MemberRow, MembersRepository } from './members.repository.js';

@Injectable()
export class MembersService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transactions: Transactions,
    private readonly members: MembersRepository,
    private readonly random: Random,
    private readonly queue: MemberQueue,
  ) {}

  /** The caller's member, created on first use with `NEW_MEMBER_POINTS` and a streak (N11). */
  async me(accountId: string): Promise<{ member: MemberRow; created: boolean }> {
    const existing = await this.members.findByAccount(accountId);
    if (existing) return { member: existing, created: false };
    const created = await this.transactions
      .run((tx) =>
        this.members.createWithStreak(
          { accountId, nickname: this.random.hex(20), point: this.config.NEW_MEMBER_POINTS },
          tx,
        ),
      )
      .catch((error: unknown) => {
        // The account was erased between the token check and this insert.
        if (isForeignKeyViolation(error)) throw apiError('UNAUTHENTICATED');
        throw error;
      });
    if (created) return { member: created, created: true };
    return { member: (await this.members.findByAccount(accountId))!, created: false };
  }

  /** The profile update writes the member row: it takes the member's turn like every other writer of it. */
  async update(
    owner: Owner,
    input: { nickname?: string; image_url?: string | null; status_message?: string; ranking_opt_out?: boolean },
  ): Promise<void> {
    if (
      input.nickname === undefined &&
      input.image_url === undefined &&
      input.status_message === undefined &&
      input.ranking_opt_out === undefined
    ) {
      throw apiError('NOTHING_TO_CHANGE');
    }
    await this.queue.run(owner.accountId, () =>
      this.members.update(owner.memberId, {
        nickname: input.nickname,
        imageUrl: input.image_url,
        statusMessage: input.status_message,
        rankingOptOut: input.ranking_opt_out,
      }),
    );
  }

  list(): Promise<MemberRow[]> {
    return this.members.listAll();
  }
}
