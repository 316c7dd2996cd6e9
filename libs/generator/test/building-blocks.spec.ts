import { BRAZILIAN_UFS } from '@olist/shared-kernel';
import { CATEGORIES, CITIES, Rng, Weighted } from '@olist/generator';
import { CoveringPicker } from '../src/catalog.js';
import { encodeField } from '../src/csv-writer.js';
import { splitPayments } from '../src/orders.js';
import { formatTimestamp, parseTimestamp, startOfDay } from '../src/time.js';

describe('Rng', () => {
  it('repeats a sequence for a seed and forks independent streams', () => {
    const a = Rng.of(42);
    const b = Rng.of(42);
    const xs = Array.from({ length: 50 }, () => a.u32());
    expect(Array.from({ length: 50 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => Rng.of(43).u32())).not.toEqual(xs);
    // Forking does not consume the parent.
    const c = Rng.of(42);
    c.fork('x').u32();
    expect(c.u32()).toBe(xs[0]);
    expect(Rng.of(42).fork('x').hex32()).not.toBe(Rng.of(42).fork('y').hex32());
  });

  it('draws ints in range, hex ids and weighted values', () => {
    const r = Rng.of('t');
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 7);
      expect(n >= 3 && n <= 7 && Number.isInteger(n)).toBe(true);
    }
    expect(r.hex32()).toMatch(/^[0-9a-f]{32}$/);
    const w = new Weighted([['a', 9], ['b', 1], ['never', 0]] as const);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 10_000; i++) counts[w.sample(r)]++;
    expect(counts.never).toBe(0);
    expect(counts.b / 10_000).toBeCloseTo(0.1, 1);
  });
});

describe('encodeField', () => {
  it('quotes by policy, and always when the value needs it', () => {
    expect(encodeField('06b8', 'digitStart')).toBe('"06b8"');
    expect(encodeField('b2b6', 'digitStart')).toBe('b2b6');
    expect(encodeField('01151', 'always')).toBe('"01151"');
    expect(encodeField('', 'always')).toBe('');
    expect(encodeField('sao paulo', 'minimal')).toBe('sao paulo');
    expect(encodeField('Lindo, igual à foto', 'minimal')).toBe('"Lindo, igual à foto"');
    expect(encodeField('erro "!"', 'minimal')).toBe('"erro ""!"""');
    expect(encodeField('a\r\nb', 'minimal')).toBe('"a\r\nb"');
  });
});

describe('CoveringPicker', () => {
  it('uses every item when there are enough draws, with a long tail', () => {
    const picker = new CoveringPicker(300, 1000, Rng.of(1));
    const counts = new Array<number>(300).fill(0);
    for (let i = 0; i < 1000; i++) counts[picker.pick()]!++;
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(Math.max(...counts)).toBeGreaterThan(5);
  });

  it('never picks outside the range when draws are short', () => {
    const picker = new CoveringPicker(10, 3, Rng.of(1));
    const picks = Array.from({ length: 6 }, () => picker.pick());
    expect(picks.every((p) => p >= 0 && p < 10)).toBe(true);
  });
});

describe('splitPayments', () => {
  it('splits a total exactly, every part positive', () => {
    const r = Rng.of(5);
    for (let i = 0; i < 500; i++) {
      const total = r.int(100, 500_000);
      const types = r.chance(0.5) ? (['credit_card', 'voucher', 'voucher'] as const) : (['voucher', 'voucher'] as const);
      const parts = splitPayments(types, total, r);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      expect(parts.every((p) => p >= 1)).toBe(true);
    }
  });
});

describe('time helpers', () => {
  it('formats and parses Olist timestamps as UTC', () => {
    const ms = Date.UTC(2017, 9, 2, 10, 56, 33);
    expect(formatTimestamp(ms)).toBe('2017-10-02 10:56:33');
    expect(parseTimestamp('2017-10-02 10:56:33')).toBe(ms);
    expect(formatTimestamp(startOfDay(ms))).toBe('2017-10-02 00:00:00');
  });
});

describe('reference data', () => {
  it('has the 71 categories with distinct names', () => {
    expect(CATEGORIES).toHaveLength(71);
    expect(new Set(CATEGORIES.map((c) => c.pt)).size).toBe(71);
    expect(CATEGORIES.every((c) => /^[a-z0-9_]+$/.test(c.pt) && /^[a-z0-9_]+$/.test(c.en))).toBe(true);
  });

  it('has cities in known states with non-overlapping 5-digit zip ranges inside Brazil', () => {
    const sorted = [...CITIES].sort((a, b) => a.zipFrom - b.zipFrom);
    sorted.forEach((c, i) => {
      expect(BRAZILIAN_UFS).toContain(c.state);
      expect(c.zipFrom >= 1000 && c.zipTo <= 99999 && c.zipFrom <= c.zipTo).toBe(true);
      if (i > 0) expect(c.zipFrom).toBeGreaterThan(sorted[i - 1]!.zipTo);
      expect(c.lat > -34 && c.lat < 5.3 && c.lng > -74 && c.lng < -34.7).toBe(true);
    });
    expect(new Set(CITIES.map((c) => c.state)).size).toBe(27);
  });
});
