import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { errorBodyOf } from '@olist/shared-kernel';
import { AdminClient } from './admin-client.js';

/** What `/v1/snapshot` says the file is a copy of. */
export interface SnapshotInfo {
  readonly takenAt: string;
  readonly checkpoint: string | null;
  readonly eventsProjected: number | null;
  readonly martRefresh: { readonly sequence: number; readonly refreshedAt: string } | null;
}

/** The API options of the commands that download a snapshot (`snapshot`, `export`). */
export const apiOptions = (program: Command): Command =>
  program
    .addOption(new Option('--api <url>', 'API base URL').env('OLIST_DW_API_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--api-key <key>', 'an API key of the analyst, auditor or admin role (default: OLIST_DW_API_KEY, else var/admin.key)'))
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar');

/**
 * Downloads `GET /v1/snapshot` into `file` (written beside it, then renamed: a reader never sees half a file),
 * with a progress bar on stderr unless `progress` is false.
 */
export const downloadSnapshot = async (
  options: { readonly api: string; readonly apiKey?: string; readonly progress: boolean },
  file: string,
): Promise<{ readonly bytes: number; readonly snapshot: SnapshotInfo }> => {
  const key = AdminClient.keyFrom(options.apiKey);
  let response: Response;
  try {
    response = await fetch(`${options.api.replace(/\/+$/, '')}/v1/snapshot`, { headers: { authorization: `Bearer ${key}` } });
  } catch (error) {
    throw new Error(`the API (${options.api}) cannot be reached: ${(error as Error).message}`);
  }
  if (!response.ok || !response.body) {
    const problem = errorBodyOf(await response.json().catch(() => undefined));
    throw new Error(problem ? `${problem.code}: ${problem.message}` : `HTTP ${response.status}`);
  }
  const total = Number(response.headers.get('content-length') ?? 0);
  const bar = options.progress && process.stderr.isTTY ? new SingleBar({ format: 'snapshot {bar} {percentage}% {value}/{total} bytes', stream: process.stderr }, Presets.shades_classic) : undefined;
  bar?.start(total, 0);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      bar?.update(bytes);
      done(null, chunk);
    },
  });
  const partial = `${file}.partial`;
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), count, createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    bar?.stop();
  }
  return { bytes, snapshot: JSON.parse(response.headers.get('x-snapshot') ?? 'null') as SnapshotInfo };
};
