import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.guards.js';
import { SpringBody, springPathId } from '../common/wire/spring.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { Int, Obj, Type } from '../common/wire/response-schema.js';
import {
  AdminCharacterResponse,
  AdminItemResponse,
  AdminMemberResponse,
  AdminPaletteResponse,
  CharacterCreateBody,
  CharacterPatchBody,
  ItemCreateBody,
  ItemPatchBody,
  PaletteCreateBody,
  PalettePatchBody,
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
  @Returns(Obj({ item_id: Int }))
  @Raises('FIELD_CHECKS')
  async create(@SpringBody(ItemCreateBody) body: unknown) {
    return { item_id: await this.admin.createItem(readItemCreate(body)) };
  }

  @Get()
  @Returns(Obj({ items: Type.Array(AdminItemResponse) }))
  async list() {
    return { items: (await this.admin.listItems()).map(toItemResponse) };
  }

  @Get(':id')
  @Returns(Obj({ item: AdminItemResponse }))
  @Raises('ADMIN_ITEM_NOT_FOUND')
  async get(@Param('id') id: string) {
    return { item: toItemResponse(await this.admin.getItem(springPathId(id))) };
  }

  @Patch(':id')
  @Returns(Obj({ item: AdminItemResponse }))
  @Raises('FIELD_CHECKS', 'ADMIN_ITEM_NOT_FOUND')
  async update(@Param('id') id: string, @SpringBody(ItemPatchBody) body: unknown) {
    return { item: toItemResponse(await this.admin.updateItem(springPathId(id), readItemPatch(body))) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Returns()
  @Raises('ADMIN_ITEM_NOT_FOUND')
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
  @Returns(Obj({ palettes: Type.Array(AdminPaletteResponse) }))
  async list() {
    return { palettes: (await this.admin.listPalettes()).map(toPaletteResponse) };
  }

  @Post()
  @HttpCode(201)
  @Returns(Obj({ palette_id: Int }))
  @Raises('FIELD_CHECKS')
  async create(@SpringBody(PaletteCreateBody) body: unknown) {
    return { palette_id: await this.admin.createPalette(readPaletteCreate(body)) };
  }

  @Patch(':id')
  @Returns(Obj({ palette: AdminPaletteResponse }))
  @Raises('FIELD_CHECKS', 'PALETTE_NOT_FOUND')
  async update(@Param('id') id: string, @SpringBody(PalettePatchBody) body: unknown) {
    return { palette: toPaletteResponse(await this.admin.updatePalette(springPathId(id), readPalettePatch(body))) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Returns()
  @Raises('PALETTE_NOT_FOUND')
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
  @Returns(Obj({ character_id: Int }))
  @Raises('FIELD_CHECKS', 'CHARACTER_NAME_TAKEN')
  async create(@SpringBody(CharacterCreateBody) body: unknown) {
    return { character_id: await this.admin.createCharacter(readCharacterCreate(body)) };
  }

  @Get()
  @Returns(Obj({ characters: Type.Array(AdminCharacterResponse) }))
  async list() {
    return { characters: (await this.admin.listCharacters()).map(toCharacterResponse) };
  }

  /** `getCharacterDto` is the original's key (a getter's name), kept for wire compatibility. */
  @Get(':id')
  @Returns(Obj({ getCharacterDto: AdminCharacterResponse }))
  @Raises('ADMIN_CHARACTER_NOT_FOUND')
  async get(@Param('id') id: string) {
    return { getCharacterDto: toCharacterResponse(await this.admin.getCharacter(springPathId(id))) };
  }

  @Patch(':id')
  @Returns(Obj({ getCharacterDto: AdminCharacterResponse }))
  @Raises('FIELD_CHECKS', 'ADMIN_CHARACTER_NOT_FOUND', 'CHARACTER_NAME_TAKEN')
  async update(@Param('id') id: string, @SpringBody(CharacterPatchBody) body: unknown) {
    const updated = await this.admin.updateCharacter(springPathId(id), readCharacterPatch(body));
    return { getCharacterDto: toCharacterResponse(updated) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Returns()
  @Raises('ADMIN_CHARACTER_NOT_FOUND')
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
  @Returns(Obj({ members: Type.Array(AdminMemberResponse) }))
  async list() {
    return { members: (await this.admin.listMembers()).map(toAdminMemberResponse) };
  }
}
