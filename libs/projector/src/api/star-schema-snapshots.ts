import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { QuerySnapshot, SandboxQueryRunner } from '@olist/analytics';
import { QueryUnavailableError } from '@olist/analytics';
import { StreamableFile } from '@nestjs/common';
import { errorBodyOfAnswer, fetchProjector } from './projector-client.js';

/** A consistent copy of the star schema and marts (a DuckDB file of `core` and `mart`), as a download. */
export interface SnapshotDownload {
  readonly stream: Readable;
  readonly bytes: number | undefined;
  readonly snapshot: QuerySnapshot;
}

/** The port: the DuckDB owner's snapshot, in this process or in the projector process. */
export interface StarSchemaSnapshots {
  open(): Promise<SnapshotDownload>;
}

/** In the process that owns the DuckDB file: the ad-hoc queries' snapshot, leased until the download ends. */
export class LocalStarSchemaSnapshots implements StarSchemaSnapshots {
  constructor(private readonly runner: Pick<SandboxQueryRunner, 'leaseSnapshot'>) {}

  async open(): Promise<SnapshotDownload> {
    const lease = await this.runner.leaseSnapshot();
    try {
      const bytes = statSync(lease.file).size;
      const stream = createReadStream(lease.file);
      stream.once('close', () => lease.release());
      return { stream, bytes, snapshot: lease.snapshot };
    } catch (error) {
      lease.release();
      throw error;
    }
  }
}

const SNAPSHOT_HEADER = 'X-Snapshot';

/** From the projector process (PROJECTOR=external): its `/internal/v1/snapshot`. */
export class ProjectorStarSchemaSnapshots implements StarSchemaSnapshots {
  constructor(private readonly projectorUrl: string) {}

  async open(): Promise<SnapshotDownload> {
    const unreachable = (message: string) => new QueryUnavailableError(message);
    const answer = await fetchProjector(this.projectorUrl, '/internal/v1/snapshot', { timeoutMs: 600_000 }, unreachable);
    if (!answer.ok || !answer.body) {
      const body = await errorBodyOfAnswer(answer);
      throw new QueryUnavailableError(`the projector could not make a snapshot: ${body.code}: ${body.message}`);
    }
    const length = answer.headers.get('content-length');
    return {
      stream: Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream),
      bytes: length ? Number(length) : undefined,
      snapshot: JSON.parse(answer.headers.get(SNAPSHOT_HEADER) ?? 'null') as QuerySnapshot,
    };
  }
}

interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
}

/** The download as an HTTP answer: the file, with what it is a copy of in headers. */
export const snapshotAnswer = (download: SnapshotDownload, response: HeaderResponse): StreamableFile => {
  const { snapshot } = download;
  response.setHeader(SNAPSHOT_HEADER, JSON.stringify(snapshot));
  if (snapshot.checkpoint !== null) response.setHeader('X-Snapshot-Checkpoint', snapshot.checkpoint);
  response.setHeader('X-Snapshot-Taken-At', snapshot.takenAt);
  return new StreamableFile(download.stream, {
    type: 'application/vnd.duckdb',
    disposition: 'attachment; filename="olist-dw-snapshot.duckdb"',
    ...(download.bytes === undefined ? {} : { length: download.bytes }),
  });
};
