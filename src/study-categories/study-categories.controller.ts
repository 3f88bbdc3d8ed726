import { Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentOwner, MemberId, OwnerOnly } from '../auth/auth.guards.js';
import type { Owner } from '../auth/authenticator.js';
import { type Infer, ValidBody } from '../common/wire/validation.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { Obj, Type } from '../common/wire/response-schema.js';
import {
  CategoryResponse,
  CreatedCategoryResponse,
  parseCategoryId,
  SubjectBody,
  toCategoryResponse,
} from './study-categories.dto.js';
import { StudyCategoriesService } from './study-categories.service.js';

@ApiTags('study categories')
@ApiBearerAuth()
@OwnerOnly()
@Controller('members/:member_id/study-categories')
export class StudyCategoriesController {
  constructor(private readonly categories: StudyCategoriesService) {}

  @Post()
  @Returns(CreatedCategoryResponse)
  @Raises('CATEGORY_EXISTS')
  async create(@CurrentOwner() owner: Owner, @ValidBody(SubjectBody) body: Infer<typeof SubjectBody>) {
    const category = await this.categories.create(owner, body.subject);
    // The create response also names the member, as the original's did.
    return { category: { ...toCategoryResponse(category), member: { member_id: owner.memberId } } };
  }

  @Get()
  @Returns(Obj({ study_categories: Type.Array(CategoryResponse) }))
  async list(@MemberId() memberId: string) {
    return { study_categories: (await this.categories.list(memberId)).map(toCategoryResponse) };
  }

  @Patch(':study_category_id')
  @Returns(null)
  @Raises('CATEGORY_NOT_FOUND', 'NOTHING_TO_CHANGE', 'CATEGORY_EXISTS', 'CATEGORY_CHANGED')
  async rename(
    @CurrentOwner() owner: Owner,
    @Param('study_category_id') id: string,
    @ValidBody(SubjectBody) body: Infer<typeof SubjectBody>,
  ) {
    await this.categories.rename(owner, parseCategoryId(id), body.subject);
    return null;
  }

  @Delete(':study_category_id')
  @Returns(null)
  @Raises('CATEGORY_NOT_FOUND')
  async delete(@CurrentOwner() owner: Owner, @Param('study_category_id') id: string) {
    await this.categories.delete(owner, parseCategoryId(id));
    return null;
  }
}
