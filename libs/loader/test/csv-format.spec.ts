import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceFile } from '@olist/ingestion';
import { decode, detectEncoding, inspectSourceFile } from '../src/csv-format.js';
import { CsvSource } from '../src/csv-source.js';
import { windows1252 } from '../../../test/support/csv-variants.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-format-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const file = async (name: string, bytes: Buffer | string): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
};

describe('the encoding of a source file', () => {
  it('is UTF-8 when the file is, even with a character cut by the 1 MiB read boundary', async () => {
    const path = await file('boundary.csv', Buffer.concat([Buffer.alloc((1 << 20) - 1, 'a'), Buffer.from('ã€😀\n')]));
    expect(await detectEncoding(path)).toBe('utf-8');
  });

  it('stays UTF-8 when a few bytes of a UTF-8 file are corrupt, and is Windows-1252 when no non-ASCII byte is UTF-8', async () => {
    expect(await detectEncoding(await file('corrupt.csv', Buffer.concat([Buffer.from('não, é, ótimo, ç\n'), Buffer.from([0xff, 0x0a])])))).toBe('utf-8');
    expect(await detectEncoding(await file('latin.csv', windows1252('não recebi “nada”, 10 €\n')))).toBe('windows-1252');
  });

  it('stays UTF-8 when corrupt lines hold far more odd bytes than its good lines hold characters: lines are counted, not bytes', async () => {
    const junk = Buffer.from(Array.from({ length: 2000 }, (_, i) => 0x80 + (i % 0x80)));
    const lines = [Buffer.from('id,cidade\n1,São Paulo\n2,Ribeirão Preto 🚚\n'), ...Array.from({ length: 15 }, () => Buffer.concat([Buffer.from('3,'), junk, Buffer.from('\r\n')]))];
    expect(await detectEncoding(await file('junk.csv', Buffer.concat(lines)))).toBe('utf-8');
    // More than ten corrupt lines to each good one: a file in another encoding.
    expect(await detectEncoding(await file('mostly-junk.csv', Buffer.concat([...lines, ...lines.slice(3), ...lines.slice(3)])))).toBe('windows-1252');
  });

  it('reads Windows-1252 where it differs from Latin-1', () => {
    expect(decode(windows1252('“Péssimo” – 10 € … Œuvre'), 'windows-1252')).toBe('“Péssimo” – 10 € … Œuvre');
  });

  it('streams a Windows-1252 file with semicolons as the same records', async () => {
    const path = await file('cp1252.csv', windows1252('a;b\r\n"não; “sim”";é\r\n'));
    const records = [];
    for await (const r of new CsvSource(path, { encoding: 'windows-1252', delimiter: ';', highWaterMark: 3 }).records()) records.push(r.values);
    expect(records).toEqual([['a', 'b'], ['não; “sim”', 'é']]);
  });
});

describe('inspecting a source file before loading it', () => {
  const categories = sourceFile('categories')!;
  const products = sourceFile('products')!;

  it('finds the delimiter under which the header names the file columns', async () => {
    for (const [delimiter, name] of [[',', 'comma'], [';', 'semicolon'], ['\t', 'tab'], ['|', 'vertical bar']] as const) {
      const path = await file(`d${name}.csv`, `product_category_name${delimiter}product_category_name_english\nartes${delimiter}art\n`);
      const inspection = await inspectSourceFile(categories, path);
      expect(inspection.ok && [inspection.format.delimiter, inspection.warnings]).toEqual([delimiter, delimiter === ',' ? [] : [`read as a variant of product_category_name_translation.csv: delimited by ${name}s`]]);
    }
  });

  it('refuses a header naming a column twice under two spellings', async () => {
    const header = 'product_id,product_category_name,product_name_lenght,product_name_length,product_description_lenght,product_photos_qty,product_weight_g,product_length_cm,product_height_cm,product_width_cm';
    const inspection = await inspectSourceFile(products, await file('twice.csv', `${header}\np1,artes,40,40,287,1,225,16,10,14\n`));
    expect(inspection).toEqual({ ok: false, problem: expect.stringMatching(/^olist_products_dataset\.csv: header: column product_name_lenght appears 2 times \("product_name_lenght", "product_name_length"\)/) });
  });

  it('warns about columns it does not use', async () => {
    const inspection = await inspectSourceFile(categories, await file('extra.csv', ',product_category_name,product_category_name_english,note\n0,artes,art,x\n'));
    expect(inspection.ok && inspection.warnings[0]).toBe('columns "", "note" not used: ignored');
  });
});
