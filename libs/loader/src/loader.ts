import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SOURCE_FILES, type FileIngestionStats, type SourceFile, type SourceRow } from '@olist/ingestion';
import { pino, type Logger } from 'pino';
import { ApiClient, ApiError, ApiUnreachableError } from './api-client.js';
import { Batcher, splitBatch, TaskPool } from './batching.js';
import { inspectSourceFile, type CsvFormat } from './csv-format.js';
import { CsvSource } from './csv-source.js';
import type { RetryPolicy } from './retry.js';
import { hashSourceFile, isUuid, pipelineRunIdFor } from './run-id.js';
import { waitForRunQuality } from './quality.js';
import {
  FileTally,
  totalsOf,
  type FileCounts,
  type FileSummary,
  type LoadErrorCode,
  type LoadSummary,
} from './summary.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;
export const DEFAULT_CONCURRENCY = 2;
export const DEFAULT_TOP_REASONS = 5;

export interface LoadOptions {
  /** Directory holding the Olist CSV files (found by their usual file names). */
  readonly dir: string;
  readonly apiUrl?: string;
  /** The API key the requests carry (`Authorization: Bearer <key>`), a user with the loader role. */
  readonly apiKey?: string;
  /** Rows per batch (default 500). */
  readonly batchSize?: number;
  /** Approximate JSON bytes per batch (default 1 MiB); a 413 answer splits the batch further. */
  readonly maxBatchBytes?: number;
  /** Batches of one file in flight at once (default 2). Files are always loaded one after the other. */
  readonly concurrency?: number;
  /** Only these files (logical names: `orders`, `order_items`, …); still loaded in dependency order. */
  readonly only?: ReadonlyArray<string>;
  /** Pipeline run id; by default derived from the files' names and contents. */
  readonly runId?: string;
  readonly retry?: Partial<RetryPolicy>;
  /** Timeout of one HTTP attempt (default 60 s). */
  readonly requestTimeoutMs?: number;
  /** Extra HTTP headers (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** How many rejection reasons to keep per file (default 5). */
  readonly topReasons?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: LoadProgressEvent) => void;
  /** Default: pino at `warn` to stderr. */
  readonly logger?: Logger;
  /** Test seams for the HTTP client. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * After `/complete`, wait up to this long for the projector to check the run's quality and end it
   * (default 0: do not wait). The outcome is in the summary's `quality`.
   */
  readonly qualityWaitMs?: number;
}

export interface PlannedFile {
  readonly file: string;
  readonly fileName: string;
  readonly path: string;
  readonly bytes: number;
  readonly missing: boolean;
}

export type LoadProgressEvent =
  | { readonly type: 'plan'; readonly runId: string; readonly files: ReadonlyArray<PlannedFile> }
  | { readonly type: 'run-started'; readonly runId: string; readonly status: string }
  | { readonly type: 'file-started'; readonly file: string; readonly bytes: number }
  | {
      readonly type: 'file-progress';
      readonly file: string;
      readonly bytesRead: number;
      readonly bytes: number;
      readonly counts: Readonly<FileCounts>;
    }
  | { readonly type: 'file-finished'; readonly file: string; readonly summary: FileSummary }
  | { readonly type: 'retry'; readonly operation: string; readonly attempt: number; readonly delayMs: number; readonly message: string }
  | { readonly type: 'run-completed'; readonly runId: string; readonly status: string };

/** Problems with the options themselves (thrown, not reported in a summary). */
export class LoadOptionsError extends Error {
  override readonly name = 'LoadOptionsError';
}

interface Fatal {
  readonly code: LoadErrorCode;
  readonly message: string;
}

/**
 * Loads a directory of Olist CSV files into the API: one pipeline run, the files in dependency order,
 * each streamed and posted in batches, then `/complete` with per-file counts. Never throws for data,
 * file or API problems: they are in the returned summary (`ok`, `error`, per-file `status`).
 */
export const loadDirectory = async (options: LoadOptions): Promise<LoadSummary> => {
  const started = performance.now();
  const dir = resolve(options.dir);
  const batchSize = positiveInt(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batch size');
  const concurrency = positiveInt(options.concurrency ?? DEFAULT_CONCURRENCY, 'concurrency');
  const maxBatchBytes = positiveInt(options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES, 'max batch bytes');
  const topReasons = options.topReasons ?? DEFAULT_TOP_REASONS;
  const log = options.logger ?? pino({ name: 'olist-loader', level: 'warn' }, process.stderr);
  const emit = (event: LoadProgressEvent): void => {
    try {
      options.onProgress?.(event);
    } catch (e) {
      log.warn({ err: messageOf(e), event: event.type }, 'onProgress hook failed');
    }
  };
  const selected = selectFiles(options.only);
  if (options.runId !== undefined && !isUuid(options.runId)) throw new LoadOptionsError(`run id must be a UUID, got "${options.runId}"`);

  // Plan: which files are there, and the run id.
  const tallies = new Map<string, FileTally>();
  const planned: PlannedFile[] = [];
  const missingFiles: string[] = [];
  for (const file of selected) {
    const path = join(dir, file.fileName);
    const tally = new FileTally(file, path);
    tallies.set(file.name, tally);
    const size = await fileSize(path);
    if (size === undefined) {
      tally.summary.status = 'missing';
      tally.summary.error = `not found: ${path}`;
      missingFiles.push(file.fileName);
    }
    tally.summary.bytes = size ?? 0;
    planned.push({ file: file.name, fileName: file.fileName, path, bytes: size ?? 0, missing: size === undefined });
  }
  const present = selected.filter((f) => tallies.get(f.name)?.summary.status !== 'missing');
  if (missingFiles.length > 0) log.warn({ dir, missingFiles }, 'source files missing');

  // Every file is inspected before anything is posted: one that cannot be loaded as a whole stops the load here.
  const formats = new Map<string, CsvFormat>();
  for (const file of present) {
    const s = tallies.get(file.name)!.summary;
    try {
      const inspection = await inspectSourceFile(file, s.path, options.signal);
      if (inspection.ok) {
        formats.set(file.name, inspection.format);
        for (const warning of inspection.warnings) {
          s.warnings.push(warning);
          log.warn({ file: file.name }, warning);
        }
      } else {
        s.status = 'invalid';
        s.error = inspection.problem;
      }
    } catch (e) {
      if (options.signal?.aborted) break;
      s.status = 'read-error';
      s.error = `cannot read ${s.path}: ${messageOf(e)}`;
    }
  }

  let runId = options.runId;
  if (runId === undefined) {
    const hashes: Array<{ name: string; sha256: string }> = [];
    for (const file of present) {
      const tally = tallies.get(file.name)!;
      try {
        hashes.push({ name: file.name, sha256: await hashSourceFile(file.name, tally.summary.path, options.signal) });
      } catch (e) {
        if (options.signal?.aborted) break;
        tally.summary.status = 'read-error';
        tally.summary.error = `cannot read ${tally.summary.path}: ${messageOf(e)}`;
      }
    }
    runId = pipelineRunIdFor(hashes);
  }
  const toLoad = present.filter((f) => tallies.get(f.name)?.summary.status === 'not-loaded');
  emit({ type: 'plan', runId, files: planned });

  const client = new ApiClient({
    baseUrl: options.apiUrl ?? DEFAULT_API_URL,
    retry: options.retry,
    timeoutMs: options.requestTimeoutMs,
    headers: { ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
    signal: options.signal,
    fetch: options.fetch,
    sleep: options.sleep,
    onRetry: (r) => {
      log.warn({ operation: r.operation, attempt: r.attempt, delayMs: r.delayMs, err: r.error.message }, 'retrying');
      emit({ type: 'retry', operation: r.operation, attempt: r.attempt, delayMs: r.delayMs, message: r.error.message });
    },
  });

  const summary: LoadSummary = {
    runId,
    apiUrl: client.baseUrl,
    source: dir,
    runStatus: null,
    completed: false,
    missingFiles,
    files: [],
    totals: totalsOf([], 0),
    ok: false,
  };
  const finish = (fatal?: Fatal): LoadSummary => {
    summary.files = [...tallies.values()].map((t) => t.summary);
    summary.totals = totalsOf(summary.files, Math.round(performance.now() - started));
    if (fatal) summary.error = { code: fatal.code, message: fatal.message };
    summary.ok =
      !summary.error &&
      summary.completed &&
      summary.files.every((f) => f.status === 'loaded' && f.failed === 0);
    return summary;
  };
  /** The fatal error for a failed run start/complete call. */
  const fatalFor = (e: unknown, code: LoadErrorCode): Fatal =>
    options.signal?.aborted
      ? { code: 'ABORTED', message: `aborted: ${messageOf(options.signal.reason)}` }
      : (fatalOf(e) ?? { code, message: messageOf(e) });

  if (present.length === 0) {
    const message = `no source files found in ${dir} (expected ${selected.map((f) => f.fileName).join(', ')})`;
    log.error({ dir }, message);
    return finish({ code: 'NO_FILES', message });
  }
  const refused = [...tallies.values()].filter((t) => t.summary.status !== 'not-loaded').map((t) => t.summary.error!);
  if (refused.length > 0) {
    const message = `nothing loaded: ${refused.join('; ')}`;
    log.error({ dir }, message);
    return finish({ code: 'BAD_FILES', message });
  }

  // Start the run.
  try {
    const res = await client.startRun(runId, dir);
    summary.runStatus = typeof res?.status === 'string' ? res.status : 'started';
    log.info({ runId, status: summary.runStatus }, 'pipeline run started');
    emit({ type: 'run-started', runId, status: summary.runStatus });
  } catch (e) {
    return finish(fatalFor(e, 'RUN_START_FAILED'));
  }

  // Load the files, one after the other, in dependency order.
  let fatal: Fatal | undefined;
  for (const file of toLoad) {
    const tally = tallies.get(file.name)!;
    if (fatal) break;
    fatal = await loadFile({ file, format: formats.get(file.name), tally, runId, client, batchSize, maxBatchBytes, concurrency, log, emit, signal: options.signal });
    tally.finish(topReasons);
    if (fatal) tally.summary.status = 'aborted';
    log.info(
      { file: file.name, status: tally.summary.status, rowsRead: tally.summary.rowsRead, accepted: tally.summary.accepted, rejected: tally.summary.rejected, failed: tally.summary.failed },
      'file finished',
    );
    emit({ type: 'file-finished', file: file.name, summary: tally.summary });
  }
  if (fatal) {
    // Record the interruption in the run's history, when the API can still hear it.
    if (fatal.code !== 'API_UNREACHABLE' && fatal.code !== 'API_UNAUTHORIZED') {
      await client.failRun(runId, fatal.message).catch((e: unknown) => log.warn({ err: messageOf(e) }, 'could not mark the run failed'));
    }
    return finish(fatal);
  }

  // Complete the run with what each file gave.
  const completions: FileIngestionStats[] = toLoad.map((f) => {
    const s = tallies.get(f.name)!.summary;
    return { file: s.file, rowsRead: s.rowsRead, accepted: s.accepted, duplicates: s.duplicates, rejected: s.rejected, eventsAppended: s.eventsAppended, ...(s.failed > 0 ? { failed: s.failed } : {}) };
  });
  try {
    const res = await client.completeRun(runId, completions);
    summary.completed = true;
    const status = typeof res?.status === 'string' ? res.status : 'completed';
    log.info({ runId, status }, 'pipeline run loaded');
    emit({ type: 'run-completed', runId, status });
  } catch (e) {
    return finish(fatalFor(e, 'RUN_COMPLETE_FAILED'));
  }
  if ((options.qualityWaitMs ?? 0) > 0) {
    try {
      summary.quality = await waitForRunQuality(client, runId, { timeoutMs: options.qualityWaitMs!, signal: options.signal });
      log.info({ runId, status: summary.quality.status, outcome: summary.quality.outcome, score: summary.quality.score }, 'pipeline run quality');
    } catch (e) {
      log.warn({ err: messageOf(e) }, 'could not read the run\'s quality outcome');
    }
  }
  return finish();
};

interface FileLoad {
  readonly file: SourceFile;
  /** As inspected; absent only when the load was cancelled during the inspection. */
  readonly format?: CsvFormat;
  readonly tally: FileTally;
  readonly runId: string;
  readonly client: ApiClient;
  readonly batchSize: number;
  readonly maxBatchBytes: number;
  readonly concurrency: number;
  readonly log: Logger;
  readonly emit: (event: LoadProgressEvent) => void;
  readonly signal?: AbortSignal;
}

/** Streams one file and posts its batches; returns a fatal error that must stop the whole load, if any. */
const loadFile = async (ctx: FileLoad): Promise<Fatal | undefined> => {
  const { file, tally, runId, client, log, emit, signal } = ctx;
  const s = tally.summary;
  const t0 = performance.now();
  const source = new CsvSource(s.path, { signal, encoding: ctx.format?.encoding, delimiter: ctx.format?.delimiter });
  const pool = new TaskPool(ctx.concurrency);
  const batcher = new Batcher<SourceRow>({ size: ctx.batchSize, maxBytes: ctx.maxBatchBytes });
  let header: string[] | undefined;
  let fatal: Fatal | undefined;
  /** After a 404 (unknown run or file) the rest of the file is read and counted, not posted. */
  let stopPosting = false;

  emit({ type: 'file-started', file: file.name, bytes: s.bytes });
  const progress = (): void =>
    emit({ type: 'file-progress', file: file.name, bytesRead: source.bytesRead, bytes: s.bytes, counts: { ...s } });

  const post = async (rows: SourceRow[]): Promise<void> => {
    if (fatal || stopPosting) {
      tally.addFailure(rows, fatal ? `not posted: ${fatal.message}` : 'not posted after an earlier 404');
      return;
    }
    try {
      const res = await client.postBatch(runId, file.name, { header: header!, rows });
      const problem = tally.addResponse(rows, res);
      if (problem) {
        s.warnings.push(problem);
        log.warn({ file: file.name, line: rows[0]?.line }, problem);
      }
    } catch (e) {
      if (signal?.aborted) {
        fatal ??= { code: 'ABORTED', message: `aborted: ${messageOf(signal.reason)}` };
        tally.addFailure(rows, 'aborted');
        return;
      }
      if (e instanceof ApiError && e.status === 413 && rows.length > 1) {
        const [a, b] = splitBatch(rows);
        log.warn({ file: file.name, rows: rows.length }, 'batch too large (413): splitting it');
        await post(a);
        await post(b);
        return;
      }
      const f = fatalOf(e);
      if (f) fatal ??= f;
      if (e instanceof ApiError && e.status === 404) stopPosting = true;
      const status = e instanceof ApiError ? e.status : undefined;
      tally.addFailure(rows, messageOf(e), status);
      log.error({ file: file.name, line: rows[0]?.line, rows: rows.length, err: messageOf(e) }, 'batch failed');
    } finally {
      progress();
    }
  };

  try {
    for await (const record of source.records()) {
      if (header === undefined) {
        header = record.values;
        continue;
      }
      s.rowsRead++;
      // A record with defects is posted too: the API records its rejection, naming each value's column.
      const batch = batcher.add(record);
      if (batch) await pool.run(() => post(batch));
      if (fatal) break;
    }
    if (header === undefined) {
      s.status = 'read-error';
      s.error = `empty file (no header): ${s.path}`;
    }
  } catch (e) {
    if (signal?.aborted) fatal ??= { code: 'ABORTED', message: `aborted: ${messageOf(signal.reason)}` };
    else {
      s.status = 'read-error';
      s.error = `cannot read ${s.path} (after ${s.rowsRead} rows): ${messageOf(e)}`;
      log.error({ file: file.name, err: messageOf(e) }, 'read error');
    }
  }
  // Rows read before a read error are posted too; after a fatal error they count as failed.
  const rest = batcher.flush();
  if (rest) await pool.run(() => post(rest));
  await pool.drain();
  s.blankLines = source.blankLines;
  s.durationMs = Math.round(performance.now() - t0);
  progress();
  return fatal;
};

/** Errors that make going on pointless: the API is gone, or refuses us. */
const fatalOf = (e: unknown): Fatal | undefined => {
  if (e instanceof ApiUnreachableError) return { code: 'API_UNREACHABLE', message: e.message };
  if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
    return { code: 'API_UNAUTHORIZED', message: `the API refused the loader: ${e.message}` };
  }
  return undefined;
};

const selectFiles = (only: ReadonlyArray<string> | undefined): SourceFile[] => {
  if (only === undefined || only.length === 0) return [...SOURCE_FILES];
  const names = only.map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !SOURCE_FILES.some((f) => f.name === n));
  if (unknown.length > 0) {
    throw new LoadOptionsError(`unknown file name(s): ${unknown.join(', ')} (known: ${SOURCE_FILES.map((f) => f.name).join(', ')})`);
  }
  return SOURCE_FILES.filter((f) => names.includes(f.name));
};

const fileSize = async (path: string): Promise<number | undefined> => {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
};

const positiveInt = (n: number, what: string): number => {
  if (!Number.isInteger(n) || n < 1) throw new LoadOptionsError(`${what} must be a positive integer, got ${n}`);
  return n;
};

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
