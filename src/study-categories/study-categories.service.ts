import { Injectable } from '@nestjs/common';
import type { Owner } from '../auth/authenticator.js';
import { Clock } from '../common/clock.js';
import { MemberQueue } from '../common/keyed-queue.js';
import { apiError } from '../common/wire/api-error.js';
import type { Tx } from '../database/client.js';
import { isUniqueViolation } from '../database/errors.js';
import { Transactions } from '../database/transactions.js';
import { MembersRepository } from '../members/members.repository.js';
import { decideRename } from './category-rules.js';
import { type CategoryRow, StudyCategoriesRepository } from './study-categories.repository.js';

/**
 * Categories N16–N19; every id is checked against the path member (another member's is 404). Each change takes
 * the member's turn in this process, then the member row lock, so changes of one member never
 * interleave on any number of instances.
 */
@Injectable()
export class StudyCategoriesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly categories: StudyCategoriesRepository,
    private readonly members: MembersRepository,
    private readonly clock: Clock,
    private readonly queue: MemberQueue,
  ) {}

  async create(owner: Owner, subject: string): Promise<CategoryRow> {
    const created = await this.locked(owner, (tx) => this.categories.insert(owner.memberId, subject, tx));
    if (!created) throw apiError('CATEGORY_EXISTS');
    return created;
  }

  list(memberId: string): Promise<CategoryRow[]> {
    return this.categories.list(memberId);
  }

  /**
   * Renames, or merges into the member's live category that already has the subject. Whether it
   * merges, and into which, is what the caller saw when the request arrived: if another change made
   * it mean something else meanwhile, it is refused instead of doing what the caller did not ask
   * for: 409 when the merge target went (the crosswise rename that merged first), 400 when the
   * subject was taken.
   */
  async rename(owner: Owner, id: number, subject: string): Promise<void> {
    const { memberId } = owner;
    const seen = (await this.categories.peekOwned(memberId, id))
      ? ((await this.categories.findBySubject(memberId, subject))?.studyCategoryId ?? null)
      : undefined;
    await this.locked(owner, async (tx) => {
      const category = await this.categories.findOwned(memberId, id, tx);
      const target = category && (await this.categories.findBySubject(memberId, subject, tx));
      const decision = decideRename({
        currentSubject: category?.subject,
        subject,
        seenTargetId: seen,
        targetId: target?.studyCategoryId ?? null,
      });
      switch (decision.kind) {
        case 'not-found':
          throw apiError('CATEGORY_NOT_FOUND');
        case 'nothing-to-change':
          throw apiError('NOTHING_TO_CHANGE');
        case 'subject-taken':
          // A plain rename whose subject was taken meanwhile answers as the taken subject always has.
          throw apiError('CATEGORY_EXISTS');
        case 'target-changed':
          throw apiError('CATEGORY_CHANGED');
        case 'merge':
          await this.categories.moveRecords(memberId, id, decision.into, tx);
          await this.categories.softDelete(id, this.clock.now(), tx);
          return;
        case 'rename':
          await this.categories.rename(id, subject, tx);
      }
    }).catch((error: unknown) => {
      // A category given that subject outside the member lock (none of ours) took it first.
      if (isUniqueViolation(error)) throw apiError('CATEGORY_EXISTS');
      throw error;
    });
  }

  async delete(owner: Owner, id: number): Promise<void> {
    await this.locked(owner, async (tx) => {
      const category = await this.categories.findOwned(owner.memberId, id, tx);
      if (!category) throw apiError('CATEGORY_NOT_FOUND');
      await this.categories.softDelete(id, this.clock.now(), tx);
    });
  }

  private locked<T>(owner: Owner, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.queue.run(owner.accountId, () =>
      this.transactions.run(async (tx) => {
        await this.members.lock({ memberId: owner.memberId }, tx);
        return work(tx);
      }),
    );
  }
}
