import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.guards.js';
import { springPathId } from '../common/wire/spring.js';
import {
  readCharacterCreate,
  readCharacterPatch,
  readItemCreate,
  readItemPatch,
  readPaletteCreate,
  readPalettePatch,
  toAdminMemberResponse,
  toCharacterResponse,
  toItemResponse,
  toPaletteResponse,
} from './admin.dto.js';
import { AdminService } from './admin.service.js';

// The former Spring server's admin catalogue (WIRE-CONTRACT S5–S19): its paths, statuses and envelopes.
// Bodies are read with Jackson's leniency (common/wire/spring.ts), so they arrive as `unknown`.

@ApiTags('admin catalogue (Spring)')
@ApiBearerAuth()
@AdminOnly()
@Controller('v2/admin/items')
export class AdminItemsController {
  constructor(private readonly admin: AdminService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    return { item_id: await this.admin.createItem(readItemCreate(body)) };
  }

  @Get()
  async list() {
    return { items: (await this.admin.listItems()).map(toItemResponse) };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return { item: toItemResponse(await this.admin.getItem(springPathId(id))) };
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    return { item: toItemResponse(await this.admin.updateItem(springPathId(id), readItemPatch(body))) };
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.admin.deleteItem(springPathId(id));
  }
}

@ApiTags('admin catalogue (Spring)')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/palettes')
export class AdminPalettesController {
  constructor(private readonly admin: AdminService) {}

  @Get()
  async list() {
    return { palettes: (await this.admin.listPalettes()).map(toPaletteResponse) };
  }

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    return { palette_id: await this.admin.createPalette(readPaletteCreate(body)) };
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    return { palette: toPaletteResponse(await this.admin.updatePalette(springPathId(id), readPalettePatch(body))) };
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.admin.deletePalette(springPathId(id));
  }
}

@ApiTags('admin catalogue (Spring)')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/characters')
export class AdminCharactersController {
  constructor(private readonly admin: AdminService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    return { character_id: await this.admin.createCharacter(readCharacterCreate(body)) };
  }

  @Get()
  async list() {
    return { characters: (await this.admin.listCharacters()).map(toCharacterResponse) };
  }

  /** `getCharacterDto` is the original's key (a getter's name), kept for wire compatibility. */
  @Get(':id')
  async get(@Param('id') id: string) {
    return { getCharacterDto: toCharacterResponse(await this.admin.getCharacter(springPathId(id))) };
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const updated = await this.admin.updateCharacter(springPathId(id), readCharacterPatch(body));
    return { getCharacterDto: toCharacterResponse(updated) };
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.admin.deleteCharacter(springPathId(id));
  }
}

@ApiTags('admin catalogue (Spring)')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/members')
export class AdminMembersController {
  constructor(private readonly admin: AdminService) {}

  @Get()
  async list() {
    return { members: (await this.admin.listMembers()).map(toAdminMemberResponse) };
  }
}
