export * from './rules/quality-rule.js';
export * from './rules/rule-set.js';
export * from './rules/rule-sql.js';
export * from './rules/quality-engine.js';
export * from './rules/score.js';
