import { Module } from '@nestjs/common';
import { InventoryRepository } from './inventory.repository.js';

/** The item and character inventories: written by the shop and by the end of a study session. */
@Module({
  providers: [InventoryRepository],
  exports: [InventoryRepository],
})
export class InventoryModule {}
