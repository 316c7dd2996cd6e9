import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadSettings, type Settings } from '@olist/config';
import { DuckDbDatabase, type DuckDbClient } from '@olist/duckdb';
import { createApiApp } from '../../apps/api/src/main.js';
import { DUCKDB, MART_REFRESH } from '@olist/projector';
import type { MartRefreshScheduler } from '@olist/analytics';
import type { EventStore } from '@olist/event-store';
import { EVENT_STORE } from '@olist/infrastructure';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { generateApiKey } from '@olist/security';

/** The real API (embedded mode: PGlite in a temp dir, DuckDB file, in-process projector) on a loopback port. */
export interface EmbeddedApi {
  readonly url: string;
  /** The temporary directory of its stores (PGlite, DuckDB, the master key file). */
  readonly dir: string;
  readonly app: NestExpressApplication;
  readonly settings: Settings;
  /** The bootstrap admin key of this API's database (admin: admitted everywhere). */
  readonly adminKey: string;
  /** `{ authorization: 'Bearer <adminKey>' }`, for requests made as the admin. */
  readonly headers: Readonly<Record<string, string>>;
  /** A fresh connection to the projector's DuckDB database. */
  duckdb(): Promise<DuckDbClient>;
  waitForProjector(): Promise<void>;
  /** Loads a directory as the admin and waits until everything is settled: the run's quality outcome, the projector, the marts. */
  loadAndSettle(dir: string, batchSize?: number): Promise<LoadSummary>;
  /** Every event id of the log, in log order, read straight from the store. */
  eventIds(): Promise<string[]>;
  /** Every event id, paged through `GET /v1/audit/events` in pages of `limit`. */
  auditedEventIds(limit?: number): Promise<string[]>;
  /** Polls `GET /v1/pipeline-runs/:runId` until the run is COMPLETED or FAILED (its quality checked); returns the run. */
  waitForRunOutcome(runId: string, timeoutMs?: number): Promise<RunView>;
  /** Stops the API; `keepFiles`: leaves its directory for the caller to inspect (and remove). */
  close(options?: { keepFiles?: boolean }): Promise<void>;
}

export const startEmbeddedApi = async (env: Record<string, string> = {}): Promise<EmbeddedApi> => {
  const dir = await mkdtemp(join(tmpdir(), 'olist-dw-e2e-'));
  const adminKey = env.OLIST_DW_ADMIN_KEY ?? generateApiKey();
  const settings = loadSettings({
    PGLITE_DIR: join(dir, 'pglite'), DUCKDB_PATH: join(dir, 'olist.duckdb'), LOG_LEVEL: 'error', OLIST_DW_ADMIN_KEY: adminKey,
    OLIST_DW_MASTER_KEY_FILE: join(dir, 'master.key'), ...env,
  });
  const headers = { authorization: `Bearer ${adminKey}` };
  const app = await createApiApp(settings);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dir,
    app,
    settings,
    adminKey,
    headers,
    duckdb: () => app.get<DuckDbDatabase>(DUCKDB).connect(),
    waitForProjector: async () => {
      const body = (await (await fetch(`${url}/v1/projections/status?waitMs=120000`, { headers })).json()) as { caughtUp?: boolean };
      if (!body.caughtUp) throw new Error(`projector did not catch up: ${JSON.stringify(body)}`);
    },
    waitForRunOutcome: (runId, timeoutMs) => waitForRunOutcome(url, runId, timeoutMs, headers),
    loadAndSettle: async (data, batchSize = 200) => {
      const load = await loadDirectory({ dir: data, apiUrl: url, apiKey: adminKey, batchSize, qualityWaitMs: 60_000 });
      if (!load.ok) throw new Error(`the load of ${data} failed: ${load.error?.message ?? JSON.stringify(load.totals)}`);
      await waitForRunOutcome(url, load.runId, 120_000, headers);
      const body = (await (await fetch(`${url}/v1/projections/status?waitMs=120000`, { headers })).json()) as { caughtUp?: boolean };
      if (!body.caughtUp) throw new Error(`projector did not catch up: ${JSON.stringify(body)}`);
      await app.get<MartRefreshScheduler>(MART_REFRESH).refreshNow();
      return load;
    },
    eventIds: async () => {
      const store = app.get<EventStore>(EVENT_STORE);
      const ids: string[] = [];
      for (let page = await store.readAll({ maxCount: 5000 }); page.events.length > 0; page = await store.readAll({ after: page.checkpoint, maxCount: 5000 })) {
        ids.push(...page.events.map((e) => e.id));
      }
      return ids;
    },
    auditedEventIds: async (limit = 100) => {
      const ids: string[] = [];
      for (let after = ''; ;) {
        const body = (await (await fetch(`${url}/v1/audit/events?limit=${limit}${after ? `&after=${after}` : ''}`, { headers })).json()) as {
          events: Array<{ eventId: string }>; next: string; more: boolean;
        };
        ids.push(...body.events.map((e) => e.eventId));
        if (!body.more && body.events.length < limit) return ids;
        after = body.next;
      }
    },
    close: async ({ keepFiles = false } = {}) => {
      await app.close();
      if (!keepFiles) await rm(dir, { recursive: true, force: true });
    },
  };
};

export interface RunView {
  readonly status: string;
  readonly outcome: 'SUCCESS' | 'WARN' | 'FAILED' | null;
  readonly quality_score: number | null;
  readonly quality: null | {
    readonly score: number;
    readonly outcome: string;
    readonly checks: ReadonlyArray<{ rule_id: string; severity: string; rows_checked: number; rows_failed: number; passed: boolean; samples: ReadonlyArray<Record<string, string | null>> }>;
  };
  readonly [column: string]: unknown;
}

export const waitForRunOutcome = async (apiUrl: string, runId: string, timeoutMs = 120_000, headers: Record<string, string> = {}): Promise<RunView> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${apiUrl}/v1/pipeline-runs/${runId}`, { headers });
    const body = res.ok ? ((await res.json()) as RunView) : undefined;
    // With its quality outcome: a run that failed, then resumed, reads as FAILED until the resumption is projected.
    if (body && (body.status === 'COMPLETED' || body.status === 'FAILED') && body.quality !== null) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end within ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

/** DuckDB SQL straight over the CSV files: the independent oracle for end-to-end checks. */
export const csvOracle = async (dir: string) => {
  const db = await DuckDbDatabase.open();
  const client = await db.connect();
  const csv = (file: string) => `read_csv('${join(dir, file)}', header = true, all_varchar = true, quote = '"', escape = '"')`;
  for (const [view, file] of [
    ['orders', 'olist_orders_dataset.csv'], ['items', 'olist_order_items_dataset.csv'], ['payments', 'olist_order_payments_dataset.csv'],
    ['reviews', 'olist_order_reviews_dataset.csv'], ['customers', 'olist_customers_dataset.csv'], ['products', 'olist_products_dataset.csv'],
    ['sellers', 'olist_sellers_dataset.csv'], ['geolocation', 'olist_geolocation_dataset.csv'],
  ] as const) {
    await client.run(`CREATE VIEW ${view} AS SELECT * FROM ${csv(file)}`);
  }
  return {
    one: async <T extends object>(sql: string): Promise<T> => (await client.query<T>(sql))[0]!,
    all: <T extends object>(sql: string): Promise<T[]> => client.query<T>(sql),
    close: () => db.close(),
  };
};
