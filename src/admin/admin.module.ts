import { Module } from '@nestjs/common';
import {
  AdminCharactersController,
  AdminItemsController,
  AdminMembersController,
  AdminPalettesController,
} from './admin.controller.js';
import { AdminRepository } from './admin.repository.js';
import { AdminService } from './admin.service.js';

@Module({
  controllers: [AdminItemsController, AdminPalettesController, AdminCharactersController, AdminMembersController],
  providers: [AdminService, AdminRepository],
})
export class AdminModule {}
