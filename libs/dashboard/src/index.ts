export * from './dashboard.module.js';
export { DashboardAssets } from './dashboard-assets.js';
