export {
  loadDirectory,
  LoadOptionsError,
  DEFAULT_API_URL,
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_TOP_REASONS,
  type LoadOptions,
  type LoadProgressEvent,
  type PlannedFile,
} from './loader.js';
export {
  exitCodeFor,
  type FileCounts,
  type FileStatus,
  type FileSummary,
  type LoadErrorCode,
  type LoadSummary,
  type ReasonCount,
  type BatchFailure,
} from './summary.js';
export {
  ApiClient,
  ApiError,
  ApiUnreachableError,
  type ApiClientOptions,
} from './api-client.js';
export { CsvSource, type CsvRecord } from './csv-source.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export { hashSourceFile, pipelineRunIdFor } from './run-id.js';
export { renderJson, renderSummary } from './report.js';
export { runCli, type CliIo } from './cli.js';
export { ProgressDisplay } from './progress.js';
