import { join } from 'node:path';
import { ChildApp, freePort, PROJECTOR_MAIN, sleep, startApiProcess } from './child-apps.js';

export interface ServerSystemOptions {
  readonly dbUrl: string;
  /** Where the DuckDB file and the logs go. */
  readonly dir: string;
  readonly adminKey: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Server mode as deployed: the API and the projector as two processes of the built apps (`npm run build`
 * first) on a PostgreSQL server. The API can be killed and started again on the same port.
 */
export class ServerSystem {
  readonly duckdbPath: string;
  private apiLife = 0;

  private constructor(
    private readonly options: ServerSystemOptions,
    readonly apiPort: number,
    readonly projectorUrl: string,
    public api: ChildApp,
    readonly projector: ChildApp,
  ) {
    this.duckdbPath = join(options.dir, 'olist.duckdb');
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.adminKey}` };
  }

  static async start(options: ServerSystemOptions): Promise<ServerSystem> {
    const env = { ...process.env, ...options.env, DATABASE_URL: options.dbUrl, LOG_LEVEL: 'warn', OLIST_DW_ADMIN_KEY: options.adminKey };
    const projectorPort = await freePort();
    const projectorUrl = `http://127.0.0.1:${projectorPort}`;
    const projector = new ChildApp(PROJECTOR_MAIN, { ...env, DUCKDB_PATH: join(options.dir, 'olist.duckdb'), PROJECTOR_HOST: '127.0.0.1', PROJECTOR_PORT: String(projectorPort) }, join(options.dir, 'projector.log'));
    for (let i = 0; ; i++) {
      if (await fetch(`${projectorUrl}/health`).then((r) => r.ok, () => false)) break;
      if (i > 600 || !projector.running) throw new Error(`the projector did not start; see ${options.dir}/projector.log`);
      await sleep(200);
    }
    const apiPort = await freePort();
    const { app } = await startApiProcess(ServerSystem.apiEnv(env, projectorUrl), join(options.dir, 'api-1.log'), apiPort);
    const system = new ServerSystem(options, apiPort, projectorUrl, app, projector);
    system.apiLife = 1;
    return system;
  }

  private static apiEnv(env: NodeJS.ProcessEnv, projectorUrl: string): NodeJS.ProcessEnv {
    return { ...env, PROJECTOR: 'external', PROJECTOR_URL: projectorUrl };
  }

  /** SIGKILL of the API (no shutdown hook runs). */
  async killApi(): Promise<void> {
    await this.api.kill();
  }

  /** Starts the API again on its port; resolves once /health answers. */
  async startApi(): Promise<void> {
    const env = { ...process.env, ...this.options.env, DATABASE_URL: this.options.dbUrl, LOG_LEVEL: 'warn', OLIST_DW_ADMIN_KEY: this.options.adminKey };
    this.apiLife += 1;
    ({ app: this.api } = await startApiProcess(ServerSystem.apiEnv(env, this.projectorUrl), join(this.options.dir, `api-${this.apiLife}.log`), this.apiPort));
  }

  /** Waits until every projection has applied everything committed so far. */
  async caughtUp(timeoutMs = 180_000): Promise<void> {
    const response = await fetch(`${this.apiUrl}/v1/projections/status?waitMs=${timeoutMs}`, { headers: this.headers });
    const status = (await response.json()) as { caughtUp?: boolean; projections?: Array<{ name: string; lagEvents: number }> };
    if (status.caughtUp !== true) throw new Error(`projections not caught up: ${JSON.stringify(status)}`);
  }

  /** Graceful stop of both processes (the projector checkpoints its DuckDB file). */
  async stop(): Promise<void> {
    await this.api.stop();
    await this.projector.stop();
  }

  async kill(): Promise<void> {
    await this.api.kill();
    await this.projector.kill();
  }
}
