import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/wire/api-error.js';
import { Msg } from '../common/wire/messages.js';
import { DATABASE, type Database } from '../database/client.js';
import { isUniqueViolation } from '../database/errors.js';
import { type CategoryRow, StudyCategoriesRepository } from './study-categories.repository.js';

/** Categories N16–N19; every id is checked against the path member (SPEC §2.1). */
@Injectable()
export class StudyCategoriesService {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    private readonly categories: StudyCategoriesRepository,
    private readonly clock: Clock,
  ) {}

  async create(memberId: string, subject: string): Promise<CategoryRow> {
    const created = await this.categories.insert(memberId, subject);
    if (!created) throw ApiError.badRequest(Msg.CATEGORY_EXISTS, 'CATEGORY_EXISTS');
    return created;
  }

  list(memberId: string): Promise<CategoryRow[]> {
    return this.categories.list(memberId);
  }

  /** Renames, or merges into the member's live category that already has the subject. */
  async rename(memberId: string, id: number, subject: string): Promise<void> {
    await this.database.db
      .transaction(async (tx) => {
        const category = await this.categories.findOwned(memberId, id, tx);
        if (!category) throw ApiError.notFound(Msg.CATEGORY_NOT_FOUND, 'CATEGORY_NOT_FOUND');
        if (category.subject === subject) throw ApiError.badRequest(Msg.NOTHING_TO_CHANGE, 'NOTHING_TO_CHANGE');
        const target = await this.categories.findBySubject(memberId, subject, tx);
        if (target) {
          await this.categories.moveRecords(memberId, id, target.studyCategoryId, tx);
          await this.categories.softDelete(id, this.clock.now(), tx);
        } else {
          await this.categories.rename(id, subject, tx);
        }
      })
      .catch((error: unknown) => {
        // A parallel create or rename took the subject first.
        if (isUniqueViolation(error)) throw ApiError.badRequest(Msg.CATEGORY_EXISTS, 'CATEGORY_EXISTS');
        throw error;
      });
  }

  async delete(memberId: string, id: number): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      const category = await this.categories.findOwned(memberId, id, tx);
      if (!category) throw ApiError.notFound(Msg.CATEGORY_NOT_FOUND, 'CATEGORY_NOT_FOUND');
      await this.categories.softDelete(id, this.clock.now(), tx);
    });
  }
}
