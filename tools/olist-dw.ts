/**
 * `olist-dw <command>` (`npx olist-dw --help`): one entry for everything a loader, an analyst, an auditor or
 * an operator runs. Each command is the script its npm alias runs (`npm run demo` = `olist-dw demo`): the
 * arguments after the command are passed to it as they are, so `olist-dw load --help` shows the loader's own help.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { PROJECTOR_HEAP_LIMIT_MB, projectorNodeFlags } from '@olist/config';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Command → the built script it runs, and what it is for. */
export const COMMANDS: ReadonlyArray<{
  readonly name: string;
  readonly script: string;
  readonly description: string;
  /** Node's own flags for the script's process. */
  readonly nodeFlags?: () => ReadonlyArray<string>;
}> = [
  { name: 'demo', script: 'tools/demo.js', description: 'generate (or take --data DIR) Olist files and load them into the embedded stores, end to end' },
  { name: 'serve', script: 'apps/api/src/main.js', description: 'run the API (embedded by default: PGlite + DuckDB under var/, projector in-process; DATABASE_URL for server mode)' },
  { name: 'projector', script: 'apps/projector/src/main.js', description: `run the projector as its own process (server mode; a ${PROJECTOR_HEAP_LIMIT_MB} MB heap limit unless NODE_OPTIONS sets one)`, nodeFlags: () => projectorNodeFlags(process.env.NODE_OPTIONS) },
  { name: 'load', script: 'apps/loader/src/main.js', description: 'load a directory of the nine Olist CSV files through the API' },
  { name: 'generate', script: 'tools/generate.js', description: 'generate Olist-shaped CSV files (deterministic by seed)' },
  { name: 'rebuild', script: 'tools/rebuild.js', description: 'replay the event log into fresh read models and compare them with the live ones (or --to a past position)' },
  { name: 'export', script: 'tools/export.js', description: 'export the star schema and marts as Parquet or CSV files, from a consistent snapshot' },
  { name: 'snapshot', script: 'tools/snapshot.js', description: 'write a consistent read-only DuckDB copy of the star schema and marts (for Metabase, Superset, dbt-duckdb)' },
  { name: 'backup', script: 'tools/backup.js', description: 'back up the event log, the read-model database and the key store to a directory' },
  { name: 'restore', script: 'tools/restore.js', description: 'restore a backup into empty stores (then rebuild)' },
  { name: 'users', script: 'tools/users.js', description: 'manage users and their roles (admin key)' },
  { name: 'keys', script: 'tools/keys.js', description: 'create, list and revoke API keys (admin key)' },
  { name: 'erase', script: 'tools/erase.js', description: "erase a person's personal data (crypto-shredding; admin key)" },
  { name: 'lineage', script: 'tools/lineage.js', description: 'where a mart row came from: facts, events, source file and line' },
  { name: 'bench', script: 'tools/bench.js', description: 'the benchmark: floors, a peer, end to end, appends, rebuild, reads, memory' },
];

/** Runs `script` with `args` in a child Node process (with `nodeFlags`), passing signals on; resolves with its exit code. */
const runScript = (script: string, args: ReadonlyArray<string>, nodeFlags: ReadonlyArray<string> = []): Promise<number> =>
  new Promise((resolveCode) => {
    const child = spawn(process.execPath, [...nodeFlags, resolve(dist, script), ...args], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveCode(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });

export const olistDwProgram = (): Command => {
  const program = new Command('olist-dw')
    .description('olist-dw: an event-sourced data warehouse of the Olist e-commerce dataset')
    .addHelpText('after', '\nEach command has its own help: olist-dw <command> --help. Settings come from the environment (.env.example).');
  for (const command of COMMANDS) {
    program
      .command(command.name)
      .description(command.description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]')
      .action(async (args: string[]) => {
        process.exitCode = await runScript(command.script, args, command.nodeFlags?.());
      });
  }
  return program;
};
