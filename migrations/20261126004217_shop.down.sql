DROP INDEX "character_name_live_unique";
--> statement-breakpoint
DROP INDEX "item_inventory_consumable_live_unique";
