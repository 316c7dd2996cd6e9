import { decodeEsdbCheckpoint, encodeEsdbCheckpoint } from '../src/index.js';

describe('EventStoreDB checkpoints', () => {
  it('encode commit and prepare as zero-padded 20-digit parts, round-tripping u64 values', () => {
    const max = 2n ** 64n - 1n;
    expect(encodeEsdbCheckpoint({ commit: 1234n, prepare: 1200n })).toBe('00000000000000001234:00000000000000001200');
    expect(decodeEsdbCheckpoint(encodeEsdbCheckpoint({ commit: max, prepare: max }))).toEqual({ commit: max, prepare: max });
  });

  it('sort as strings in $all order (commit first, then prepare)', () => {
    const positions = [
      { commit: 10n, prepare: 10n },
      { commit: 9n, prepare: 9n },
      { commit: 100n, prepare: 40n },
      { commit: 100n, prepare: 100n },
      { commit: 1_000n, prepare: 1_000n },
    ];
    const encoded = positions.map(encodeEsdbCheckpoint);
    const byLog = [...positions].sort((a, b) => (a.commit === b.commit ? Number(a.prepare - b.prepare) : Number(a.commit - b.commit)));
    expect([...encoded].sort()).toEqual(byLog.map(encodeEsdbCheckpoint));
  });

  it('rejects malformed and negative positions', () => {
    expect(() => decodeEsdbCheckpoint('12:34')).toThrow(TypeError);
    expect(() => decodeEsdbCheckpoint('00000000000000000742:00000000000000001234x')).toThrow(TypeError);
    expect(() => encodeEsdbCheckpoint({ commit: -1n, prepare: 0n })).toThrow(RangeError);
  });
});
