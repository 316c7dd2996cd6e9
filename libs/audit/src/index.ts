export * from './audit.module.js';
export * from './aggregates.js';
export * from './event-view.js';
