import type { SourceRow } from '@olist/ingestion';
import { Batcher, rowJsonBytes, splitBatch, TaskPool } from '../src/batching.js';

const row = (line: number, ...values: string[]): SourceRow => ({ line, values });

describe('Batcher', () => {
  it('cuts batches of the configured size and flushes the rest', () => {
    const b = new Batcher({ size: 3 });
    const out: number[][] = [];
    for (let i = 2; i <= 9; i++) {
      const batch = b.add(row(i, 'x'));
      if (batch) out.push(batch.map((r) => r.line));
    }
    const rest = b.flush();
    if (rest) out.push(rest.map((r) => r.line));
    expect(out).toEqual([[2, 3, 4], [5, 6, 7], [8, 9]]);
    expect(b.flush()).toBeUndefined();
  });

  it('also cuts a batch before it would pass the byte budget, keeping every row once and in order', () => {
    const big = 'x'.repeat(400);
    const b = new Batcher({ size: 100, maxBytes: 1000 });
    const batches: SourceRow[][] = [];
    for (let i = 0; i < 10; i++) {
      const batch = b.add(row(i, big));
      if (batch) batches.push(batch);
    }
    batches.push(b.flush()!);
    expect(batches.map((x) => x.length)).toEqual([2, 2, 2, 2, 2]);
    expect(batches.flat().map((r) => r.line)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const x of batches) expect(x.reduce((s, r) => s + rowJsonBytes(r), 0)).toBeLessThanOrEqual(1000);
  });

  it('lets a single row larger than the budget through alone', () => {
    const b = new Batcher({ size: 10, maxBytes: 50 });
    expect(b.add(row(1, 'a'))).toBeUndefined();
    expect(b.add(row(2, 'y'.repeat(200)))?.map((r) => r.line)).toEqual([1]);
    expect(b.add(row(3, 'b'))?.map((r) => r.line)).toEqual([2]);
    expect(b.flush()?.map((r) => r.line)).toEqual([3]);
  });

  it('sizes a row as its JSON (escapes and multi-byte characters included), a few bytes over at most', () => {
    for (const r of [row(12345, 'abc', '', 'são paulo', 'x'.repeat(100)), row(1), row(7, 'a "quoted"\r\nline', '\u0001')]) {
      const real = Buffer.byteLength(JSON.stringify(r)) + 1;
      expect(rowJsonBytes(r)).toBeGreaterThanOrEqual(real);
      expect(rowJsonBytes(r)).toBeLessThanOrEqual(real + 12);
    }
  });

  it('refuses a batch size below 1', () => {
    expect(() => new Batcher({ size: 0 })).toThrow(RangeError);
  });
});

describe('splitBatch', () => {
  it('halves a batch (first half larger when odd)', () => {
    expect(splitBatch([1, 2, 3, 4, 5])).toEqual([[1, 2, 3], [4, 5]]);
    expect(splitBatch([1, 2])).toEqual([[1], [2]]);
  });
});

describe('TaskPool', () => {
  const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('never runs more than its limit at once, and runs every task', async () => {
    const pool = new TaskPool(3);
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    for (let i = 0; i < 12; i++) {
      await pool.run(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await tick(1 + (i % 4));
        inFlight--;
        done.push(i);
      });
      expect(pool.inFlight).toBeLessThanOrEqual(3);
    }
    await pool.drain();
    expect(peak).toBe(3);
    expect(pool.maxInFlight).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  });

  it('makes the producer wait for a free slot (backpressure)', async () => {
    const pool = new TaskPool(1);
    let release!: () => void;
    await pool.run(() => new Promise<void>((r) => (release = r)));
    let second = false;
    const started = pool.run(async () => {
      second = true;
    });
    await tick(5);
    expect(second).toBe(false);
    release();
    await started;
    await pool.drain();
    expect(second).toBe(true);
  });

  it('rethrows a task failure on drain, after the others finished', async () => {
    const pool = new TaskPool(2);
    let finished = false;
    await pool.run(async () => {
      throw new Error('boom');
    });
    await pool.run(async () => {
      await tick(2);
      finished = true;
    });
    await expect(pool.drain()).rejects.toThrow('boom');
    expect(finished).toBe(true);
  });
});
