import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PostedBatch {
  readonly runId: string;
  readonly file: string;
  readonly header: string[];
  readonly rows: Array<{ line: number; values: string[] }>;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** An error answer as the API gives it: `{ code, message, details }` (docs/errors.md). */
export const errorReply = (status: number, code: string, message: string, details: Record<string, unknown> = {}): Reply => ({
  status,
  body: { code, message, details },
});

export interface FakeApiOptions {
  /** Return a reply to override the default handling of a request (e.g. a 503), or undefined. */
  readonly intercept?: (req: { method: string; path: string; body: unknown; count: number }) => Reply | undefined | Promise<Reply | undefined>;
  /** Reasons to reject a row for (besides a value count that does not match the header). */
  readonly reject?: (file: string, row: { line: number; values: string[] }, header: string[]) => string[] | undefined;
  /** What `GET /v1/pipeline-runs/:runId` says of a completed run (default: COMPLETED, SUCCESS, score 100, no check). */
  readonly completedRun?: Record<string, unknown>;
}

/**
 * A test double of the ingestion API (the contract in the loader's brief), on node:http: remembers
 * runs, answers rows it has seen before as duplicates, rejects rows whose value count is wrong.
 */
export class FakeApi {
  readonly requests: Array<{ method: string; path: string; body: unknown }> = [];
  readonly batches: PostedBatch[] = [];
  readonly completes: Array<{ runId: string; body: { files: Array<Record<string, unknown>> } }> = [];
  readonly runs = new Map<string, string>();
  private readonly seen = new Set<string>();
  private server!: Server;
  url = '';

  constructor(private readonly options: FakeApiOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Rows posted per file (all attempts that got a 200). */
  rowsOf(file: string): Array<{ line: number; values: string[] }> {
    return this.batches.filter((b) => b.file === file).flatMap((b) => b.rows);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    this.requests.push({ method, path, body });
    const send = (r: Reply): void => {
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body === undefined ? '' : JSON.stringify(r.body));
    };
    const override = await this.options.intercept?.({ method, path, body, count: this.requests.length });
    if (override) return send(override);

    if (method === 'GET' && path === '/health') return send({ status: 200, body: { status: 'ok' } });
    if (method === 'POST' && path === '/v1/pipeline-runs') {
      const { runId } = body as { runId: string; source: string };
      const status = this.runs.has(runId) ? 'already-started' : 'started';
      this.runs.set(runId, 'started');
      return send({ status: 201, body: { runId, status } });
    }
    let m = /^\/v1\/pipeline-runs\/([^/]+)\/files\/([^/]+)\/batches$/.exec(path);
    if (method === 'POST' && m) {
      const [runId, file] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      if (!this.runs.has(runId)) return send(errorReply(404, 'INGESTION.UNKNOWN_RUN', `pipeline run ${runId} was not started`, { runId }));
      const batch = body as { header: string[]; rows: Array<{ line: number; values: string[] }> };
      this.batches.push({ runId, file, header: batch.header, rows: batch.rows });
      let accepted = 0;
      let duplicates = 0;
      let rejected = 0;
      const results = batch.rows.map((row) => {
        const reasons = [
          ...(row.values.length !== batch.header.length ? [`expected ${batch.header.length} values, got ${row.values.length}`] : []),
          ...(this.options.reject?.(file, row, batch.header) ?? []),
        ];
        if (reasons.length > 0) {
          rejected++;
          return { line: row.line, outcome: 'rejected', reasons };
        }
        const key = `${file}\u0000${JSON.stringify(row.values)}`;
        if (this.seen.has(key)) {
          duplicates++;
          return { line: row.line, outcome: 'duplicate' };
        }
        this.seen.add(key);
        accepted++;
        return { line: row.line, outcome: 'accepted' };
      });
      return send({ status: 200, body: { file, accepted, duplicates, rejected, eventsAppended: accepted * 2, results } });
    }
    m = /^\/v1\/pipeline-runs\/([^/]+)\/complete$/.exec(path);
    if (method === 'POST' && m) {
      const runId = decodeURIComponent(m[1]!);
      if (!this.runs.has(runId)) return send(errorReply(404, 'INGESTION.UNKNOWN_RUN', `pipeline run ${runId} was not started`, { runId }));
      this.runs.set(runId, 'completed');
      this.completes.push({ runId, body: body as { files: Array<Record<string, unknown>> } });
      return send({ status: 200, body: { runId, status: 'loaded' } });
    }
    m = /^\/v1\/pipeline-runs\/([^/]+)$/.exec(path);
    if (method === 'GET' && m) {
      const runId = decodeURIComponent(m[1]!);
      const state = this.runs.get(runId);
      if (!state) return send(errorReply(404, 'OPERATIONS.UNKNOWN_RUN', `pipeline run ${runId} is unknown`, { runId }));
      if (state !== 'completed') return send({ status: 200, body: { run_id: runId, status: 'RUNNING', outcome: null, quality_score: null, error: null, quality: null } });
      return send({
        status: 200,
        body: this.options.completedRun ?? { run_id: runId, status: 'COMPLETED', outcome: 'SUCCESS', quality_score: 100, error: null, quality: { checks: [] } },
      });
    }
    return send(errorReply(404, 'REQUEST.NOT_FOUND', `Cannot ${method} ${path}`));
  }
}

/** A loopback port nobody listens on (for connection-refused tests). */
export const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};
