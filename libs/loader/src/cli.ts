import { SOURCE_FILES } from '@olist/ingestion';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { pino, type DestinationStream, type Level } from 'pino';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import {
  DEFAULT_API_URL,
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_TOP_REASONS,
  loadDirectory,
  LoadOptionsError,
  messageOf,
  type LoadOptions,
} from './loader.js';
import { ProgressDisplay } from './progress.js';
import { renderJson, renderSummary } from './report.js';
import { isUuid } from './run-id.js';
import { exitCodeFor } from './summary.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  /** Test seam: passed through to `loadDirectory`. */
  readonly overrides?: Partial<LoadOptions>;
}

interface CliOptions {
  api: string;
  batchSize: number;
  maxBatchBytes: number;
  concurrency: number;
  only?: string[];
  runId?: string;
  json?: boolean;
  progress: boolean;
  retries: number;
  retryDelay: number;
  retryMaxDelay: number;
  timeout: number;
  apiKey?: string;
  topReasons: number;
  logLevel: string;
  waitQuality: number;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer.');
  return n;
};

const nonNegativeInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more.');
  return n;
};

const fileList = (value: string): string[] => {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !SOURCE_FILES.some((f) => f.name === n));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`unknown file name(s) ${unknown.join(', ') || '(none given)'}; known: ${SOURCE_FILES.map((f) => f.name).join(', ')}.`);
  }
  return names;
};

const uuid = (value: string): string => {
  if (!isUuid(value)) throw new InvalidArgumentError('must be a UUID.');
  return value.toLowerCase();
};

const LEVELS: ReadonlyArray<Level | 'silent'> = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const level = (value: string): string => {
  if (!LEVELS.includes(value as Level)) throw new InvalidArgumentError(`one of ${LEVELS.join(', ')}.`);
  return value;
};

const buildProgram = (io: CliIo): Command =>
  new Command()
    .name('olist-dw load')
    .description('Stream the nine Olist CSV files of DIR to the ingestion API, in dependency order, as one pipeline run.')
    .argument('<dir>', 'directory holding the Olist CSV files')
    .addOption(new Option('--api <url>', 'API base URL').env('OLIST_DW_API_URL').default(DEFAULT_API_URL))
    .addOption(new Option('--batch-size <n>', 'rows per batch').argParser(positiveInt).default(DEFAULT_BATCH_SIZE))
    .addOption(new Option('--max-batch-bytes <n>', 'approximate JSON bytes per batch (a 413 splits further)').argParser(positiveInt).default(DEFAULT_MAX_BATCH_BYTES))
    .addOption(new Option('--concurrency <n>', 'batches of one file in flight at once').argParser(positiveInt).default(DEFAULT_CONCURRENCY))
    .addOption(new Option('--only <files>', `comma-separated files to load (${SOURCE_FILES.map((f) => f.name).join(',')})`).argParser(fileList))
    .addOption(new Option('--run-id <uuid>', 'pipeline run id (default: derived from the files\u2019 content)').argParser(uuid))
    .option('--json', 'print the summary as JSON (implies --no-progress)')
    .option('--no-progress', 'no progress bars')
    .addOption(new Option('--retries <n>', 'attempts per request, the first included').argParser(positiveInt).default(DEFAULT_RETRY_POLICY.attempts))
    .addOption(new Option('--retry-delay <ms>', 'first retry delay, doubled each time').argParser(positiveInt).default(DEFAULT_RETRY_POLICY.baseDelayMs))
    .addOption(new Option('--retry-max-delay <ms>', 'cap on one retry delay').argParser(positiveInt).default(DEFAULT_RETRY_POLICY.maxDelayMs))
    .addOption(new Option('--timeout <ms>', 'timeout of one HTTP attempt').argParser(positiveInt).default(60_000))
    .addOption(new Option('--api-key <key>', 'sent as "Authorization: Bearer <key>"').env('OLIST_DW_API_KEY'))
    .addOption(new Option('--top-reasons <n>', 'rejection reasons listed per file').argParser(positiveInt).default(DEFAULT_TOP_REASONS))
    .addOption(new Option('--wait-quality <seconds>', 'after loading, wait this long for the run\u2019s quality outcome (0: do not wait)').argParser(nonNegativeInt).default(300))
    .addOption(new Option('--log-level <level>', 'pino log level (logs go to stderr)').env('LOG_LEVEL').argParser(level).default('info'))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

/** Runs the loader CLI; resolves to the process exit code (0 ok, 1 failure, 130 interrupted). */
export const runCli = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const program = buildProgram(io);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    throw e;
  }
  const opts = program.opts<CliOptions>();
  const dir = program.args[0]!;

  const showProgress = opts.progress && !opts.json && io.stdout.isTTY === true && io.stderr.isTTY === true;
  const display = showProgress ? new ProgressDisplay(io.stderr) : undefined;
  // While bars are drawn, log lines go above them instead of through them.
  const destination: DestinationStream = display ? { write: (line: string) => display.log(line) } : io.stderr;
  const logger = pino({ name: 'olist-loader', level: opts.logLevel }, destination);

  try {
    const summary = await loadDirectory({
      dir,
      apiUrl: opts.api,
      batchSize: opts.batchSize,
      maxBatchBytes: opts.maxBatchBytes,
      concurrency: opts.concurrency,
      only: opts.only,
      runId: opts.runId,
      retry: { attempts: opts.retries, baseDelayMs: opts.retryDelay, maxDelayMs: opts.retryMaxDelay },
      requestTimeoutMs: opts.timeout,
      apiKey: opts.apiKey,
      topReasons: opts.topReasons,
      qualityWaitMs: opts.waitQuality * 1000,
      signal: io.signal,
      logger,
      onProgress: display?.onProgress,
      ...io.overrides,
    });
    display?.stop();
    io.stdout.write(opts.json ? renderJson(summary) : renderSummary(summary));
    if (!opts.json && summary.error) io.stderr.write(`error: ${summary.error.message}\n`);
    return exitCodeFor(summary);
  } catch (e) {
    display?.stop();
    if (e instanceof LoadOptionsError) {
      io.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`error: ${messageOf(e)}\n`);
    return 1;
  }
};
