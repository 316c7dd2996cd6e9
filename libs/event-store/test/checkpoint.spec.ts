import { decodePgCheckpoint, encodePgCheckpoint, PG_START_CHECKPOINT } from '../src/index.js';

describe('PostgreSQL checkpoints', () => {
  it('round-trip and sort as strings in (transaction id, position) order', () => {
    const positions = [
      { transactionId: 9n, globalPosition: 100n },
      { transactionId: 10n, globalPosition: 2n },
      { transactionId: 10n, globalPosition: 11n },
      { transactionId: 2n ** 64n - 1n, globalPosition: 2n ** 63n - 1n },
    ];
    const encoded = positions.map(encodePgCheckpoint);
    expect(encoded.map(decodePgCheckpoint)).toEqual(positions);
    expect([...encoded].reverse().sort()).toEqual(encoded);
    expect(encoded[1]).toBe('00000000000000000010:00000000000000000002');
    expect(PG_START_CHECKPOINT < encoded[0]!).toBe(true);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '10:2', '00000000000000000010-00000000000000000002', '{"commit":1}']) {
      expect(() => decodePgCheckpoint(bad)).toThrow(TypeError);
    }
    expect(() => encodePgCheckpoint({ transactionId: -1n, globalPosition: 0n })).toThrow(RangeError);
  });
});
