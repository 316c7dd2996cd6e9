import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentHashes, MART_TABLES, STAR_SCHEMA_TABLES } from '@olist/analytics';
import { SOURCE_FILES, type SourceFileName } from '@olist/ingestion';
import type { LoadSummary } from '@olist/loader';
import { CSV_VARIANTS } from '../support/csv-variants.js';
import { startEmbeddedApi } from '../support/embedded-api.js';

/** Real Olist rows (../shared/olist-sample, beside the repository); skipped when that directory is absent. */
const SAMPLE = fileURLToPath(new URL('../../../shared/olist-sample', import.meta.url));
const describeWithSample = existsSync(SAMPLE) ? describe : describe.skip;
if (!existsSync(SAMPLE)) console.warn(`skipping the file-variants end-to-end test: ${SAMPLE} not found`);

/** Each file of the real sample rewritten as one public copy or another writes it. */
const VARIANT_OF: Record<SourceFileName, string> = {
  categories: 'semicolons, Windows-1252',
  sellers: 'zip prefixes without their leading zero',
  products: 'headers spelled "length"',
  customers: 'headers in capitals, with blanks',
  geolocation: 'tabs, an index column (pandas)',
  orders: 'columns in reverse order',
  order_items: 'every field quoted',
  payments: 'semicolons, Windows-1252',
  reviews: 'columns in reverse order',
};

describeWithSample('end to end: the real sample, each file as a public copy writes it, loads as the original does', () => {
  let variants: string;
  beforeAll(async () => {
    variants = await mkdtemp(join(tmpdir(), 'olist-variants-'));
    for (const f of SOURCE_FILES) {
      const variant = CSV_VARIANTS.find((v) => v.name === VARIANT_OF[f.name])!;
      await writeFile(join(variants, f.fileName), variant.make(await readFile(join(SAMPLE, f.fileName), 'utf8')));
    }
  });
  afterAll(() => rm(variants, { recursive: true, force: true }));

  const loadInto = async (dir: string): Promise<{ summary: LoadSummary; hashes: Record<string, string> }> => {
    const api = await startEmbeddedApi();
    try {
      const summary = await api.loadAndSettle(dir);
      return { summary, hashes: await contentHashes(await api.duckdb(), [...STAR_SCHEMA_TABLES, ...MART_TABLES]) };
    } finally {
      await api.close();
    }
  };

  it('every row has the same outcome, and the star schema and marts are the same', async () => {
    const original = await loadInto(SAMPLE);
    const variant = await loadInto(variants);
    const counts = (s: LoadSummary) => s.files.map((f) => ({ file: f.file, rowsRead: f.rowsRead, accepted: f.accepted, duplicates: f.duplicates, rejected: f.rejected }));
    expect(counts(variant.summary)).toEqual(counts(original.summary));
    expect(variant.hashes).toEqual(original.hashes);
    // Each file said how it was read.
    const noticed = variant.summary.files.filter((f) => f.warnings.some((w) => w.startsWith('read as a variant of'))).map((f) => f.file);
    expect(noticed).toEqual(SOURCE_FILES.filter((f) => CSV_VARIANTS.find((v) => v.name === VARIANT_OF[f.name])!.layout).map((f) => f.name));
  }, 300_000);
});
