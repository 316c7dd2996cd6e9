import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MART_NAMES, type MartPage } from '@olist/analytics';
import { generateDataset } from '@olist/generator';
import { SOURCE_FILES } from '@olist/ingestion';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

/** Content hash of a mart page: its rows, each as JSON, sorted. */
const hashOf = (page: MartPage) => createHash('md5').update(page.rows.map((r) => JSON.stringify(r)).sort().join('\n')).digest('hex');

const martHashes = async (api: EmbeddedApi, query = ''): Promise<Record<string, string>> => {
  const hashes: Record<string, string> = {};
  for (const mart of MART_NAMES) {
    const response = await fetch(`${api.url}/v1/marts/${mart}?limit=100000${query}`, { headers: api.headers });
    expect([mart, response.status]).toEqual([mart, 200]);
    hashes[mart] = hashOf((await response.json()) as MartPage);
  }
  return hashes;
};

describe('time travel: the marts as of a past log position', () => {
  let work: string;
  const dirs = { a: '', extra: '', b: '' };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'olist-dw-time-travel-'));
    Object.assign(dirs, { a: join(work, 'a'), extra: join(work, 'extra'), b: join(work, 'b') });
    await generateDataset({ orders: 200, seed: 3, outDir: dirs.a });
    await generateDataset({ orders: 120, seed: 4, outDir: dirs.extra });
    // B: A's rows, three items of A corrected (price + 1.00), and the rows of more orders.
    await mkdir(dirs.b);
    for (const file of SOURCE_FILES) {
      const [header, ...rows] = (await readFile(join(dirs.a, file.fileName), 'utf8')).replace(/\r?\n$/, '').split(/\r?\n/);
      const extra = (await readFile(join(dirs.extra, file.fileName), 'utf8')).replace(/\r?\n$/, '').split(/\r?\n/).slice(1);
      if (file.name === 'order_items') {
        for (let i = 0; i < 3; i++) {
          const cells = rows[i]!.split(',');
          cells[5] = (Number(cells[5]) + 1).toFixed(2);
          rows[i] = cells.join(',');
        }
      }
      await writeFile(join(dirs.b, file.fileName), `${[header, ...rows, ...extra].join('\n')}\n`);
    }
  }, 120_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("reads every mart as it was when dataset A's run ended, after B moved the marts on, as a fresh load of A alone", async () => {
    let onlyA: Record<string, string>;
    const fresh = await startEmbeddedApi();
    try {
      await fresh.loadAndSettle(dirs.a);
      onlyA = await martHashes(fresh);
    } finally {
      await fresh.close();
    }

    const api = await startEmbeddedApi();
    try {
      const a = await api.loadAndSettle(dirs.a);
      const run = (await (await fetch(`${api.url}/v1/pipeline-runs/${a.runId}`, { headers: api.headers })).json()) as { endedAtPosition: string };
      const b = await api.loadAndSettle(dirs.b);
      expect(b.totals.accepted).toBeGreaterThan(0);
      const now = await martHashes(api);
      expect(now).not.toEqual(onlyA);
      expect(await martHashes(api, `&atPosition=${run.endedAtPosition}`)).toEqual(onlyA);
      const answer = await fetch(`${api.url}/v1/marts/monthly_revenue?atPosition=${run.endedAtPosition}`, { headers: api.headers });
      expect(answer.headers.get('x-mart-position')).toBe(run.endedAtPosition);
      expect(await martHashes(api)).toEqual(now); // the live marts were not touched
      const malformed = await fetch(`${api.url}/v1/marts/monthly_revenue?atPosition=12`, { headers: api.headers });
      expect([malformed.status, ((await malformed.json()) as { details: { parameter: string } }).details.parameter]).toEqual([400, 'atPosition']);
      const before = await fetch(`${api.url}/v1/marts/monthly_revenue?recordedAsOf=2001-01-01T00:00:00Z`, { headers: api.headers });
      expect([before.status, ((await before.json()) as { code: string }).code]).toEqual([404, 'AUDIT.BEFORE_THE_LOG']);
    } finally {
      await api.close();
    }
  }, 300_000);
});
