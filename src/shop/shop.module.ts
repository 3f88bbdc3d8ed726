import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { PointsModule } from '../points/points.module.js';
import { StreaksModule } from '../streaks/streaks.module.js';
import { InventoryController } from './inventory.controller.js';
import { ShopController } from './shop.controller.js';
import { ShopService } from './shop.service.js';

@Module({
  imports: [CatalogueModule, InventoryModule, PointsModule, StreaksModule],
  controllers: [InventoryController, ShopController],
  providers: [ShopService],
})
export class ShopModule {}
