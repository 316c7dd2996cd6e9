import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { freePort } from './free-port.js';
import { createInterface } from 'node:readline';
import { projectorNodeFlags } from '@olist/config';
import { findUpwards } from '@olist/duckdb';

/** The built apps (`npm run build` first): the benchmark and the tests that need real separate processes run these. */
const DIST = resolve(dirname(findUpwards(import.meta.url, 'migrations')), 'dist');
export const API_MAIN = resolve(DIST, 'apps/api/src/main.js');
export const PROJECTOR_MAIN = resolve(DIST, 'apps/projector/src/main.js');
export const REBUILD_MAIN = resolve(DIST, 'tools/rebuild.js');
export const LOADER_MAIN = resolve(DIST, 'apps/loader/src/main.js');

export { freePort };

/** Node's flags for a built app, as `olist-dw` starts it (the projector's heap limit). */
export const nodeFlagsOf = (main: string, env: NodeJS.ProcessEnv): string[] => (main === PROJECTOR_MAIN ? projectorNodeFlags(env.NODE_OPTIONS) : []);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A pino log line of a child app. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly context?: string;
  /** When the test read it (performance.now()). */
  readonly at: number;
}

/**
 * One run of a built app as a child process: its stdout (pino JSON lines) is parsed and kept, and
 * appended with stderr to `logFile`.
 */
export class ChildApp {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly waiters = new Set<() => void>();
  private readonly log: WriteStream;

  constructor(
    readonly main: string,
    env: NodeJS.ProcessEnv,
    logFile: string,
    readonly child: ChildProcess = spawn(process.execPath, [...nodeFlagsOf(main, env), main], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    this.child.stderr!.pipe(this.log, { end: false });
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      this.log.write(`${text}\n`);
      try {
        const line = JSON.parse(text) as Omit<LogLine, 'at'>;
        if (typeof line.msg === 'string') this.lines.push({ ...line, at: performance.now() });
      } catch {
        // not a log line
      }
      for (const wake of this.waiters) wake();
    });
    this.exited = new Promise((res) => this.child.once('exit', (code, signal) => {
      for (const wake of this.waiters) wake();
      res({ code, signal });
    }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first line (already logged or to come) matching; rejects if the app exits first or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<LogLine> {
    return new Promise((res, rej) => {
      const check = () => {
        const line = this.lines.find((l) => pattern.test(l.msg));
        if (line) return done(() => res(line));
        if (!this.running) return done(() => rej(new Error(`${this.main} exited (${this.child.exitCode ?? this.child.signalCode}) before logging ${pattern}`)));
      };
      const timer = setTimeout(() => done(() => rej(new Error(`${this.main} did not log ${pattern} within ${timeoutMs} ms`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** SIGKILL: no shutdown hook runs. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
    this.log.end();
  }

  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs`. */
  async stop(graceMs = 60_000): Promise<void> {
    if (this.running) {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.kill('SIGTERM');
      await this.exited;
      clearTimeout(timer);
    }
    this.log.end();
  }
}

/** Starts the built API (on `port`, default a free one) and resolves once /health answers. */
export const startApiProcess = async (env: NodeJS.ProcessEnv, logFile: string, port?: number): Promise<{ app: ChildApp; url: string }> => {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = new ChildApp(API_MAIN, { ...env, PORT: String(port), HOST: '127.0.0.1' }, logFile);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (!app.running) throw new Error(`the API exited while starting; see ${logFile}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { app, url };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await app.kill();
  throw new Error(`the API did not become healthy within 120 s; see ${logFile}`);
};
