import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSourceFile, isUuid, pipelineRunIdFor } from '../src/run-id.js';

describe('pipeline run id', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loader-runid-'));
    await writeFile(join(dir, 'a.csv'), 'order_id\no1\n');
    await writeFile(join(dir, 'b.csv'), 'order_id\no1\n');
    await writeFile(join(dir, 'c.csv'), 'order_id\no2\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hashes a file by logical name and content, not by path', async () => {
    const a = await hashSourceFile('orders', join(dir, 'a.csv'));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashSourceFile('orders', join(dir, 'b.csv'))).toBe(a);
    expect(await hashSourceFile('orders', join(dir, 'c.csv'))).not.toBe(a);
    expect(await hashSourceFile('payments', join(dir, 'a.csv'))).not.toBe(a);
  });

  it('is a UUID that depends on every file, in order', () => {
    const id = pipelineRunIdFor([{ name: 'orders', sha256: 'aa' }, { name: 'order_items', sha256: 'bb' }]);
    expect(isUuid(id)).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5/); // name-based (v5)
    expect(pipelineRunIdFor([{ name: 'orders', sha256: 'aa' }, { name: 'order_items', sha256: 'bb' }])).toBe(id);
    expect(pipelineRunIdFor([{ name: 'order_items', sha256: 'bb' }, { name: 'orders', sha256: 'aa' }])).not.toBe(id);
    expect(pipelineRunIdFor([{ name: 'orders', sha256: 'aa' }, { name: 'order_items', sha256: 'bc' }])).not.toBe(id);
    expect(pipelineRunIdFor([{ name: 'orders', sha256: 'aa' }])).not.toBe(id);
  });
});
