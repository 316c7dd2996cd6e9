/**
 * Generates Olist-shaped CSV files: `npm run generate -- --orders 5000 --seed 42 --out var/generated`.
 * Same orders + seed → byte-identical files. `--defects [rate]` injects rejections and quality findings
 * (spec §6) and lists them in `defects.json` next to the files.
 */
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { DEFAULT_DEFECT_RATE, generateDataset, type DatasetSummary } from '@olist/generator';

const nonNegativeInt = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
};

const rate = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a rate within 0..1 (e.g. 0.005)');
  return n;
};

const defectsReport = (summary: DatasetSummary): string[] => {
  const d = summary.defects;
  if (!d) return [];
  const kinds = Object.entries(d.byKind).map(([k, n]) => `${k}=${n}`).join(' ');
  return [
    `  defects: ${d.rejections} rejections, ${d.qualityFindings} quality findings → ${d.manifestPath}`,
    `    ${kinds}`,
  ];
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
    ...defectsReport(summary),
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
    .option('--defects [rate]', `inject defects of every kind (rejections and quality findings) at this share of eligible rows (default ${DEFAULT_DEFECT_RATE}) and write defects.json`, rate)
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .parse();
  const opts = program.opts<{ orders: number; seed: string; out: string; quirks: boolean; progress: boolean; defects?: boolean | number; json?: boolean }>();
  const seed = /^-?\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed;

  const bar = opts.progress && !opts.json && process.stderr.isTTY
    ? new SingleBar({ format: 'orders {bar} {value}/{total} {percentage}%', stream: process.stderr }, Presets.shades_classic)
    : undefined;
  bar?.start(opts.orders, 0);
  const started = performance.now();
  const summary = await generateDataset({
    orders: opts.orders,
    seed,
    outDir: opts.out,
    quirks: opts.quirks,
    ...(opts.defects === undefined || opts.defects === false ? {} : { defects: opts.defects === true ? true : { rate: opts.defects } }),
    onProgress: (done) => bar?.update(done),
  });
  bar?.stop();
  const ms = performance.now() - started;
  console.log(opts.json ? JSON.stringify({ ...summary, seconds: Number((ms / 1000).toFixed(2)) }, null, 2) : report(summary, ms));
};

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
