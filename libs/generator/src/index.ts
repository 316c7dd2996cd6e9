export { generateDataset, KAGGLE_GEOLOCATION_PER_ORDER, PRODUCTS_PER_ORDER, SELLERS_PER_ORDER, MIN_SELLERS } from './generator.js';
export type { GenerateOptions, DatasetSummary, FileSummary } from './generator.js';
export {
  QUIRK_NAMES, DEFAULT_QUIRK_RATES, ALL_QUIRKS_ON, ALL_QUIRKS_OFF, resolveQuirks,
} from './quirks.js';
export type { QuirkName, QuirkToggles, QuirkRates, QuirkCounts } from './quirks.js';
export type {
  RowTransformer, AnyRowTransformer, TransformerFactory, TransformerContext, TransformResult,
} from './pipeline.js';
export type { RowOf, ColumnsOf } from './rows.js';
export { fileFormat, type FileFormat, type QuotePolicy } from './formats.js';
export { CATEGORIES, CITIES, type Category, type City } from './reference-data.js';
export { STATUS_WEIGHTS } from './orders.js';
export { BRAZIL_BOUNDS } from './geography.js';
export { Rng, Weighted } from './rng.js';
export {
  DEFECT_KINDS, REJECTION_KINDS, QUALITY_FINDING_KINDS, FINDING_RULES, DEFAULT_DEFECT_RATE, MANIFEST_FILE_NAME, defectClass,
} from './defects.js';
export type {
  DefectKind, RejectionKind, QualityFindingKind, DefectClass, DefectOptions, DefectRecord, DefectCounts, DefectManifest,
} from './defects.js';
