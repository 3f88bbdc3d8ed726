import { Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller, OwnerOnly } from '../auth/auth.guards.js';
import { type Infer, ValidBody } from '../common/wire/validation.js';
import { parseCategoryId, SubjectBody, toCategoryResponse } from './study-categories.dto.js';
import { type Owner, StudyCategoriesService } from './study-categories.service.js';

@ApiTags('study categories')
@ApiBearerAuth()
@OwnerOnly()
@Controller('members/:member_id/study-categories')
export class StudyCategoriesController {
  constructor(private readonly categories: StudyCategoriesService) {}

  @Post()
  async create(@CurrentCaller() caller: Caller, @ValidBody(SubjectBody) body: Infer<typeof SubjectBody>) {
    const category = await this.categories.create(ownerOf(caller), body.subject);
    // The create response also names the member, as the original's did.
    return { category: { ...toCategoryResponse(category), member: { member_id: caller.memberId } } };
  }

  @Get()
  async list(@CurrentCaller() caller: Caller) {
    return { study_categories: (await this.categories.list(caller.memberId!)).map(toCategoryResponse) };
  }

  @Patch(':study_category_id')
  async rename(
    @CurrentCaller() caller: Caller,
    @Param('study_category_id') id: string,
    @ValidBody(SubjectBody) body: Infer<typeof SubjectBody>,
  ) {
    await this.categories.rename(ownerOf(caller), parseCategoryId(id), body.subject);
    return null;
  }

  @Delete(':study_category_id')
  async delete(@CurrentCaller() caller: Caller, @Param('study_category_id') id: string) {
    await this.categories.delete(ownerOf(caller), parseCategoryId(id));
    return null;
  }
}

/** The owner guard has set the member id on every route here. */
const ownerOf = (caller: Caller): Owner => ({ accountId: caller.accountId, memberId: caller.memberId! });
