/**
 * Generates Olist-shaped CSV files: `npm run generate -- --orders 5000 --seed 42 --out var/generated`.
 * Same orders + seed → byte-identical files.
 */
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { generateDataset, type DatasetSummary } from '@olist/generator';

const nonNegativeInt = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
};

const report = (summary: DatasetSummary, ms: number): string => {
  const lines = Object.values(summary.files).map(
    (f) => `  ${f.fileName.padEnd(40)} ${String(f.rows).padStart(10)} rows ${(f.bytes / 1_048_576).toFixed(2).padStart(9)} MiB`,
  );
  const quirks = Object.entries(summary.quirks)
    .filter(([, n]) => n > 0)
    .map(([q, n]) => `${q}=${n}`)
    .join(' ');
  return [
    `Generated ${summary.orders} orders (seed ${summary.seed}) in ${(ms / 1000).toFixed(2)} s → ${summary.outDir}`,
    ...lines,
    `  distinct: ${summary.distinct.customerUniqueIds} customers (unique), ${summary.distinct.products} products, ` +
      `${summary.distinct.sellers} sellers, ${summary.distinct.zipPrefixes} zip prefixes`,
    `  quirks: ${quirks || 'none'}`,
  ].join('\n');
};

const main = async (): Promise<void> => {
  const program = new Command()
    .name('generate')
    .description('Write the nine Olist CSV files (real names, headers and quirks), deterministic for a seed.')
    .option('--orders <n>', 'number of orders', nonNegativeInt, 5000)
    .option('--seed <s>', 'random seed (integer or text)', '42')
    .option('--out <dir>', 'output directory (created if missing)', 'var/generated')
    .option('--no-quirks', 'clean files: no real-data quirks (plain quoting, LF, no BOM, only delivered orders, ...)')
    .option('--no-progress', 'no progress bar')
    .parse();
  const opts = program.opts<{ orders: number; seed: string; out: string; quirks: boolean; progress: boolean }>();
  const seed = /^-?\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed;

  const bar = opts.progress && process.stderr.isTTY
    ? new SingleBar({ format: 'orders {bar} {value}/{total} {percentage}%', stream: process.stderr }, Presets.shades_classic)
    : undefined;
  bar?.start(opts.orders, 0);
  const started = performance.now();
  const summary = await generateDataset({
    orders: opts.orders,
    seed,
    outDir: opts.out,
    quirks: opts.quirks,
    onProgress: (done) => bar?.update(done),
  });
  bar?.stop();
  console.log(report(summary, performance.now() - started));
};

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
