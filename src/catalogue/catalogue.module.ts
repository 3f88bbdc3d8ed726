import { Module } from '@nestjs/common';
import { CatalogueRepository } from './catalogue.repository.js';

/** Items, palettes and characters: one owner of their SQL for the shop that reads and the admin that writes. */
@Module({
  providers: [CatalogueRepository],
  exports: [CatalogueRepository],
})
export class CatalogueModule {}
