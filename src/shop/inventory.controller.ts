import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MemberId, OwnerOnly } from '../auth/auth.guards.js';
import { type Infer, ValidQuery } from '../common/wire/validation.js';
import { Returns } from '../common/wire/openapi.js';
import { Obj, Type } from '../common/wire/response-schema.js';
import { ItemResponse, toItemResponse } from '../catalogue/catalogue.dto.js';
import {
  CharacterInventoryResponse,
  ItemInventoryResponse,
  ItemTypeQuery,
  toCharacterInventoryResponse,
  toItemInventoryResponse,
} from './shop.dto.js';
import { ShopService } from './shop.service.js';

/** N14, N15 and N25 in the Nest dialect: bigint ids as strings, no timestamps. */
@ApiTags('items and inventories')
@ApiBearerAuth()
@Controller()
export class InventoryController {
  constructor(private readonly shop: ShopService) {}

  /** N25: any signed-in member; hidden and deleted items are not offered. */
  @Get('items')
  @Returns(Obj({ items: Type.Array(ItemResponse) }))
  async items(@ValidQuery(ItemTypeQuery) query: Infer<typeof ItemTypeQuery>) {
    return { items: (await this.shop.listedItems(query.item_type)).map(toItemResponse) };
  }

  /** N14. */
  @Get('members/:member_id/item-inventory')
  @OwnerOnly()
  @Returns(Obj({ item_inventory: Type.Array(ItemInventoryResponse) }))
  async itemInventory(@MemberId() memberId: string, @ValidQuery(ItemTypeQuery) query: Infer<typeof ItemTypeQuery>) {
    const rows = await this.shop.itemInventory(memberId, query.item_type);
    return { item_inventory: rows.map(toItemInventoryResponse) };
  }

  /** N15. */
  @Get('members/:member_id/character-inventory')
  @OwnerOnly()
  @Returns(Obj({ character_inventory: Type.Array(CharacterInventoryResponse) }))
  async characterInventory(@MemberId() memberId: string) {
    const rows = await this.shop.characterInventory(memberId);
    return { character_inventory: rows.map(toCharacterInventoryResponse) };
  }
}
