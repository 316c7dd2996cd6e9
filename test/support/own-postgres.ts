import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, sleep } from './child-apps.js';

/** The server binaries of the newest PostgreSQL installed (Debian's layout), or of PG_BIN. */
const pgBin = (): string => {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries found under /usr/lib/postgresql (set PG_BIN)');
  return join(root, versions[0]!, 'bin');
};

/** Runs as the `postgres` OS user when we are root: the server refuses to run as root. */
const asServerUser = (command: string, args: ReadonlyArray<string>): [string, string[]] =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];

export type StopMode = 'fast' | 'immediate';

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, its own port), so a test can
 * stop and restart the database under a running system without touching the shared cluster.
 */
export class OwnPostgres {
  private server: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async create(): Promise<OwnPostgres> {
    const bin = pgBin();
    const dir = await mkdtemp(join(tmpdir(), 'olist-dw-own-pg-'));
    await chmod(dir, 0o777);
    const data = join(dir, 'data');
    await mkdir(data);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', data]);
    const [cmd, args] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    execFileSync(cmd, args, { stdio: 'pipe' });
    const server = new OwnPostgres(dir, await freePort(), bin);
    await server.start();
    return server;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get running(): boolean {
    return this.server !== undefined && this.server.exitCode === null && this.server.signalCode === null;
  }

  /** Starts the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    const [cmd, args] = asServerUser(join(this.bin, 'postgres'), [
      '-D', join(this.dir, 'data'), '-p', String(this.port), '-h', '127.0.0.1', '-k', this.dir,
      '-c', 'fsync=off', '-c', 'autovacuum=off', '-c', 'max_connections=200', '-c', 'logging_collector=off',
    ]);
    const server = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    server.stderr!.on('data', (d) => (log = (log + String(d)).slice(-4000)));
    this.server = server;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!this.running) throw new Error(`PostgreSQL exited while starting:\n${log}`);
      const client = new pg.Client({ connectionString: this.url() });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 60 s:\n${log}`);
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(100);
    }
  }

  /**
   * Stops the server: `fast` is an orderly shutdown (sessions are terminated: 57P01), `immediate` a crash
   * (no checkpoint: the next start recovers from the WAL).
   */
  async stop(mode: StopMode): Promise<void> {
    const server = this.server;
    if (!server || !this.running) return;
    const exited = new Promise<void>((res) => server.once('exit', () => res()));
    const [cmd, args] = asServerUser(join(this.bin, 'pg_ctl'), ['stop', '-D', join(this.dir, 'data'), '-m', mode, '-w']);
    execFileSync(cmd, args, { stdio: 'pipe' });
    await exited;
  }

  async restart(mode: StopMode, downMs: number): Promise<void> {
    await this.stop(mode);
    await sleep(downMs);
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    await rm(this.dir, { recursive: true, force: true });
  }
}
