import { Module } from '@nestjs/common';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import {
  AdminCharactersController,
  AdminItemsController,
  AdminMembersController,
  AdminPalettesController,
} from './admin.controller.js';
import { AdminService } from './admin.service.js';

@Module({
  imports: [CatalogueModule],
  controllers: [AdminItemsController, AdminPalettesController, AdminCharactersController, AdminMembersController],
  providers: [AdminService],
})
export class AdminModule {}
