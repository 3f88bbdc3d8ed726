import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { PointsRepository } from '../points/points.repository.js';
import { StreaksModule } from '../streaks/streaks.module.js';
import { InventoryController } from './inventory.controller.js';
import { ShopController } from './shop.controller.js';
import { ShopRepository } from './shop.repository.js';
import { ShopService } from './shop.service.js';

@Module({
  imports: [CatalogueModule, StreaksModule],
  controllers: [InventoryController, ShopController],
  providers: [ShopService, ShopRepository, PointsRepository],
})
export class ShopModule {}
