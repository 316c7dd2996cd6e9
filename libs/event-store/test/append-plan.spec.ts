import { randomUUID } from 'node:crypto';
import { IdempotencyConflictError, WrongExpectedVersionError, type AppendRequest, type Checkpoint } from '../src/index.js';
import { normaliseRequests, planAppend, type StoredEventRef } from '../src/postgres/append-plan.js';
import { encodePgCheckpoint } from '../src/postgres/checkpoint.js';

const ev = (id: string = randomUUID()) => ({ id, type: 'T', data: {}, metadata: {} });
const at = (revision: bigint): StoredEventRef => ({
  revision,
  position: encodePgCheckpoint({ transactionId: 100n, globalPosition: 10n + revision }) as Checkpoint,
});
const stored = (streamId: string, entries: Array<[string, bigint]>) =>
  new Map([[streamId, new Map(entries.map(([id, revision]) => [id, at(revision)]))]]);

describe('normaliseRequests', () => {
  it('lower-cases event ids', () => {
    const id = randomUUID();
    const [request] = normaliseRequests([{ streamId: 's-1', expectedRevision: 'any', events: [ev(id.toUpperCase())] }]);
    expect(request!.events[0]!.id).toBe(id);
  });

  it('rejects malformed input', () => {
    expect(() => normaliseRequests([{ streamId: '', expectedRevision: 'any', events: [] }])).toThrow(TypeError);
    expect(() => normaliseRequests([{ streamId: 's', expectedRevision: 'any', events: [ev('not-a-uuid')] }])).toThrow(/UUID/);
    expect(() => normaliseRequests([{ streamId: 's', expectedRevision: -1n, events: [] }])).toThrow(RangeError);
    expect(() => normaliseRequests([{ streamId: 's', expectedRevision: 'nope' as never, events: [] }])).toThrow(TypeError);
  });

  it('rejects an event id given twice for one stream, across requests too', () => {
    const e = ev();
    expect(() =>
      normaliseRequests([
        { streamId: 's', expectedRevision: 'any', events: [e] },
        { streamId: 's', expectedRevision: 'any', events: [e] },
      ]),
    ).toThrow(IdempotencyConflictError);
    expect(() =>
      normaliseRequests([
        { streamId: 's', expectedRevision: 'any', events: [e] },
        { streamId: 't', expectedRevision: 'any', events: [e] },
      ]),
    ).not.toThrow();
  });
});

describe('planAppend', () => {
  const request = (streamId: string, expectedRevision: AppendRequest['expectedRevision'], events = [ev()]): AppendRequest => ({
    streamId,
    expectedRevision,
    events,
  });

  it('assigns revisions after the current one and chains requests for one stream', () => {
    const plan = planAppend(
      [request('a', 2n, [ev(), ev()]), request('b', 'no_stream'), request('a', 4n)],
      new Map([['a', 2n]]),
      new Map(),
    );
    expect(plan.events.map((e) => [e.streamId, e.revision])).toEqual([
      ['a', 3n],
      ['a', 4n],
      ['b', 0n],
      ['a', 5n],
    ]);
    expect(plan.streams).toEqual(
      new Map([
        ['a', { previous: 2n, revision: 5n }],
        ['b', { previous: undefined, revision: 0n }],
      ]),
    );
  });

  it.each([
    ['no_stream', new Map([['s', 3n]]), 3n],
    ['stream_exists', new Map(), 'no_stream'],
    [1n, new Map(), 'no_stream'],
    [1n, new Map([['s', 3n]]), 3n],
  ] as const)('expected %s against %p fails with actual %s', (expected, current, actual) => {
    expect(() => planAppend([request('s', expected)], current, new Map())).toThrow(
      expect.objectContaining({ name: 'WrongExpectedVersionError', actual }) as unknown as Error,
    );
  });

  it('a later request is checked against the revision an earlier one left', () => {
    expect(() => planAppend([request('s', 'no_stream'), request('s', 'no_stream')], new Map(), new Map())).toThrow(
      WrongExpectedVersionError,
    );
  });

  it('returns the original result when all ids are stored consecutively where expected', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const refs = stored('s', [
      [a, 3n],
      [b, 4n],
    ]);
    for (const expected of [2n, 'any', 'stream_exists'] as const) {
      const plan = planAppend([request('s', expected, [ev(a), ev(b)])], new Map([['s', 9n]]), refs);
      expect(plan.events).toEqual([]);
      expect(plan.outcomes).toEqual([
        { kind: 'idempotent', result: { streamId: 's', nextExpectedRevision: 4n, position: at(4n).position, idempotent: true } },
      ]);
    }
  });

  it('reports ids stored elsewhere in the stream, out of order or partly: a stale writer gets WrongExpectedVersion, others a conflict', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const current = new Map([['s', 9n]]);
    const refs = stored('s', [
      [a, 3n],
      [b, 4n],
    ]);
    expect(() => planAppend([request('s', 5n, [ev(a), ev(b)])], current, refs)).toThrow(WrongExpectedVersionError);
    expect(() => planAppend([request('s', 'no_stream', [ev(a), ev(b)])], current, refs)).toThrow(WrongExpectedVersionError);
    expect(() => planAppend([request('s', 'no_stream', [ev(a), ev()])], current, refs)).toThrow(WrongExpectedVersionError);
    expect(() => planAppend([request('s', 9n, [ev(b), ev(a)])], current, refs)).toThrow(IdempotencyConflictError);
    expect(() => planAppend([request('s', 'any', [ev(b), ev(a)])], current, refs)).toThrow(IdempotencyConflictError);
    expect(() => planAppend([request('s', 'any', [ev(a), ev()])], current, refs)).toThrow(/1 of 2/);
  });
});
