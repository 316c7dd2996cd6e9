import { Module } from '@nestjs/common';
import { DashboardAssets } from './dashboard-assets.js';
import { DashboardController } from './dashboard.controller.js';

/** The operators' and analysts' web page (`/dashboard`): static files only; its data comes from the JSON API with the reader's key. */
@Module({ controllers: [DashboardController], providers: [{ provide: DashboardAssets, useFactory: () => DashboardAssets.load() }] })
export class DashboardModule {}
