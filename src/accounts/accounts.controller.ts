import { Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.guards.js';
import { type Infer, ValidBody } from '../common/wire/validation.js';
import { AccountAdminResponse } from '../auth/auth.dto.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { Nullable } from '../common/wire/response-schema.js';
import { CreateAccountBody, toAccountAdmin, UpdateAccountBody } from './accounts.dto.js';
import { AccountsService } from './accounts.service.js';

@ApiTags('accounts (admin)')
@ApiBearerAuth()
@AdminOnly()
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @Returns(AccountAdminResponse)
  @Raises('EMAIL_TAKEN', 'ROLE_NOT_FOUND')
  async create(@ValidBody(CreateAccountBody) body: Infer<typeof CreateAccountBody>) {
    return toAccountAdmin(await this.accounts.create(body));
  }

  /** An unknown id answers `data: null`, as the original. */
  @Get(':id')
  @Returns(Nullable(AccountAdminResponse))
  async get(@Param('id') id: string) {
    const account = await this.accounts.get(id);
    return account && toAccountAdmin(account);
  }

  @Patch(':id')
  @Returns(AccountAdminResponse)
  @Raises('ACCOUNT_NOT_FOUND', 'EMAIL_TAKEN', 'ROLE_NOT_FOUND')
  async update(@Param('id') id: string, @ValidBody(UpdateAccountBody) body: Infer<typeof UpdateAccountBody>) {
    return toAccountAdmin(await this.accounts.update(id, body));
  }

  @Delete(':id')
  @Returns()
  async delete(@Param('id') id: string): Promise<void> {
    await this.accounts.delete(id);
  }
}
