import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { errorBodyOf } from '@olist/shared-kernel';

/** The admin endpoints of the API (`/v1/admin/users`, `/v1/admin/keys`), as the CLI tools and the demo use them. */
export class AdminClient {
  constructor(
    private readonly apiUrl: string,
    private readonly adminKey: string,
  ) {}

  /** The admin key to use: the one given, else OLIST_DW_API_KEY (unless `fromEnv` is false), else the bootstrap key file (var/admin.key). */
  static keyFrom(given: string | undefined, keyFile = process.env.OLIST_DW_ADMIN_KEY_FILE ?? 'var/admin.key', fromEnv = true): string {
    const key = given ?? (fromEnv ? process.env.OLIST_DW_API_KEY : undefined) ?? (existsSync(resolve(keyFile)) ? readFileSync(resolve(keyFile), 'utf8').trim() : undefined);
    if (!key) throw new Error(`no admin key: pass --api-key, set OLIST_DW_API_KEY, or start the API once on an empty database (it writes ${keyFile})`);
    return key;
  }

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new Error(`the API (${this.apiUrl}) cannot be reached: ${(error as Error).message}`);
    }
    const payload = await response.json().catch(() => undefined);
    if (response.ok) return payload as T;
    const problem = errorBodyOf(payload);
    throw Object.assign(new Error(problem ? `${problem.code}: ${problem.message}` : `HTTP ${response.status}`), { code: problem?.code, status: response.status });
  }
}

export interface UserAnswer { readonly userId: string; readonly name: string; readonly role: string; readonly createdAt: string; readonly disabledAt: string | null }
export interface KeyAnswer {
  readonly keyId: string; readonly userName: string; readonly prefix: string; readonly description: string; readonly createdAt: string;
  readonly expiresAt: string | null; readonly revokedAt: string | null; readonly lastUsedAt: string | null; readonly key?: string;
}

/** Plain text columns for a terminal. */
export const columns = (head: string[], rows: string[][]): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
};

/** A command line over the admin endpoints (`npm run users`, `npm run keys`): the common options, the client, the printer. */
export const adminProgram = (name: string, description: string) => {
  const program = new Command(name).description(description);
  program
    .addOption(new Option('--api <url>', 'API base URL').env('OLIST_DW_API_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--api-key <key>', 'an admin API key (default: OLIST_DW_API_KEY, else var/admin.key)'))
    .option('--json', 'print JSON');
  return {
    program,
    client: () => new AdminClient(program.opts().api as string, AdminClient.keyFrom(program.opts().apiKey as string | undefined)),
    print: (value: unknown, text: () => string) => console.log(program.opts().json ? JSON.stringify(value, null, 2) : text()),
    run: () =>
      program.parseAsync().catch((error: Error) => {
        console.error(`${name}: ${error.message}`);
        process.exitCode = 1;
      }),
  };
};
