import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../auth/auth.guards.js';
import { Returns } from '../common/wire/openapi.js';
import { Raises } from '../common/wire/raises.js';
import { Obj, Type } from '../common/wire/response-schema.js';
import { SpringBody, springPathId } from '../common/wire/spring.js';
import { CharacterResponse, toCharacterResponse } from '../catalogue/catalogue.dto.js';
import {
  PurchaseBody,
  readPurchase,
  readSale,
  SaleBody,
  toTransactionResponse,
  toUseResponse,
  TransactionResponse,
  UseResponse,
} from './shop.dto.js';
import { ShopService } from './shop.service.js';

/** The former Spring server's shop (S1–S4), in its dialect: numeric ids, 201 for purchase and sale. */
@ApiTags('shop (Spring dialect)')
@ApiBearerAuth()
@Controller()
export class ShopController {
  constructor(private readonly shop: ShopService) {}

  /** S1. */
  @Post('v2/shop/purchase')
  @HttpCode(201)
  @Returns(TransactionResponse)
  @Raises(
    'ITEM_NOT_FOUND',
    'USER_NOT_FOUND',
    'COUNT_TOO_SMALL',
    'COUNT_TOO_LARGE',
    'NOT_ENOUGH_POINTS',
    'FOOD_CAP',
    'STACK_FULL',
  )
  async purchase(@CurrentCaller() caller: Caller, @SpringBody(PurchaseBody) body: unknown) {
    const { itemId, count } = readPurchase(body);
    return toTransactionResponse(await this.shop.purchase(caller.accountId, itemId, count));
  }

  /** S2. */
  @Post('v2/shop/sell')
  @HttpCode(201)
  @Returns(TransactionResponse)
  @Raises(
    'COUNT_TOO_SMALL',
    'COUNT_TOO_LARGE',
    'USER_NOT_FOUND',
    'SELL_NOT_OWNED',
    'SELL_TOO_MANY',
    'CHARACTER_NOT_FOUND',
    'POINTS_FULL',
  )
  async sell(@CurrentCaller() caller: Caller, @SpringBody(SaleBody) body: unknown) {
    const { characterInventoryId, count } = readSale(body);
    return toTransactionResponse(await this.shop.sell(caller.accountId, characterInventoryId, count));
  }

  /** S3: no body; the path id is the Nest string id of N14. */
  @Post('v2/item-inventory/:item_inventory_id')
  @HttpCode(200)
  @Returns(UseResponse)
  @Raises(
    'USER_NOT_FOUND',
    'ITEM_NOT_OWNED',
    'NOTHING_TO_USE',
    'STILL_GROWING',
    'FOOD_EFFECT_MISSING',
    'CONSUMABLE_EFFECT_MISSING',
    'EFFECT_MISSING',
    'NO_CHARACTER_OF_GRADE',
    'NO_PALETTE',
  )
  async use(@CurrentCaller() caller: Caller, @Param('item_inventory_id') id: string) {
    return toUseResponse(await this.shop.use(caller.accountId, springPathId(id)));
  }

  /** S4: without a grade, nothing matches (as the original). */
  @Get('characters')
  @ApiQuery({ name: 'grade', required: false, schema: { type: 'string' } })
  @Returns(Obj({ characters: Type.Array(CharacterResponse) }))
  async characters(@Query('grade') grade: unknown) {
    // PostgreSQL text can't hold U+0000, so such a grade names no character (and must not reach the query).
    const named = typeof grade === 'string' && !grade.includes('\u0000');
    const characters = named ? await this.shop.charactersOfGrade(grade) : [];
    return { characters: characters.map(toCharacterResponse) };
  }
}
