import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventData, RecordedEvent, Checkpoint } from '@olist/event-store';
import { createPgliteClient, type SqlClient } from '@olist/postgres';
import { deciderSpecification } from '../../shared-kernel/test/decider-specification.js';
import {
  DataKeyStore, ERASED, erasureDecider, isSealed, loadMasterKey, open, parseMasterKey, PersonalDataProtection, seal, WITHHELD, WrongMasterKeyError,
} from '../src/index.js';

describe('erasure decider', () => {
  const spec = deciderSpecification(erasureDecider);
  const erase = { type: 'EraseDataSubject' as const, subjectId: 'u1', keyIds: ['c2', 'c1'], reason: 'REQ-1', requestedAt: '2026-12-04T10:00:00.000Z' };
  it('erases a person once, naming their keys (sorted) and no personal data', () =>
    spec.given().when(erase).then({ type: 'PersonalDataErased', data: { subjectId: 'u1', keyIds: ['c1', 'c2'], reason: 'REQ-1', erasedAt: erase.requestedAt } }));
  it('changes nothing when asked again', () =>
    spec.given({ type: 'PersonalDataErased', data: { subjectId: 'u1', keyIds: ['c1'], reason: 'REQ-0', erasedAt: erase.requestedAt } }).when(erase).thenNothing());
  it('refuses a person of whom nothing is held', () => spec.given().when({ ...erase, keyIds: [] }).thenRejected(/no personal data is held/));
});

describe('field sealing (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const at = { streamId: 'customer-u1', eventType: 'CustomerRegistered', eventId: 'e1', field: 'city' };
  it('round-trips with a fresh IV each time; a value moved to another field, event or stream does not open', () => {
    const a = seal('são paulo', key, 'c1', at);
    const b = seal('são paulo', key, 'c1', at);
    expect(isSealed(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain('paulo');
    expect(open(a, key, at)).toBe('são paulo');
    for (const other of [{ ...at, field: 'state' }, { ...at, eventId: 'e2' }, { ...at, streamId: 'customer-u2' }, { ...at, eventType: 'CustomerAddressCorrected' }]) {
      expect(() => open(a, key, other)).toThrow(/does not authenticate/);
    }
    expect(() => open(a, randomBytes(32), at)).toThrow(/does not authenticate/);
  });
});

describe('master key', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'olist-master-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once into a 0600 file, read back after, and taken from the environment first', () => {
    const file = join(dir, 'nested', 'master.key');
    const first = loadMasterKey(undefined, file);
    expect(first.source).toBe('generated');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadMasterKey(undefined, file);
    expect(again).toMatchObject({ source: 'file' });
    expect(again.key.equals(first.key)).toBe(true);
    const hex = randomBytes(32).toString('hex');
    expect(loadMasterKey(hex, file).key.toString('hex')).toBe(hex);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.key.toString('base64'));
    expect(() => parseMasterKey('too short')).toThrow(/32 bytes/);
  });
});

describe('data keys and the protection (PGlite)', () => {
  let sql: SqlClient;
  let master: Buffer;
  beforeAll(async () => {
    sql = await createPgliteClient();
    master = randomBytes(32);
  });
  afterAll(() => sql.close());

  const recorded = (e: EventData, streamId: string): RecordedEvent => ({ ...e, streamId, revision: 0n, position: '0' as Checkpoint, recordedAt: new Date(0) });

  it('refuses a master key other than the first one used', async () => {
    await DataKeyStore.open(sql, master);
    await expect(DataKeyStore.open(sql, randomBytes(32))).rejects.toBeInstanceOf(WrongMasterKeyError);
  });

  it('seals personal fields on append, opens them on read, and reads them erased once the key is deleted', async () => {
    const protection = new PersonalDataProtection(await DataKeyStore.open(sql, master));
    const registered: EventData = {
      id: 'e-registered', type: 'CustomerRegistered', metadata: { personalDataKey: 'c1' },
      data: { customerUniqueId: 'u1', customerId: 'c1', zipPrefix: '01037', city: 'sao paulo', state: 'SP' },
    };
    const review: EventData = {
      id: 'e-review', type: 'ReviewSubmitted', metadata: { personalDataKey: 'c1' },
      data: { reviewId: 'r1', orderId: 'o1', score: 5, commentTitle: null, commentMessage: 'adorei', createdAt: '2018-01-01T00:00:00.000Z' },
    };
    const rejected: EventData = {
      id: 'e-rejected', type: 'RowRejected', metadata: {},
      data: { runId: 'run', file: 'customers', line: 7, raw: { customer_id: '', customer_city: 'campinas', customer_state: 'XX' }, reasons: ['x'] },
    };
    const other: EventData = { id: 'e-order', type: 'OrderPlaced', metadata: {}, data: { orderId: 'o1', customerId: 'c1' } };
    const [a, b, c, d] = await protection.sealAll([
      { streamId: 'customer-u1', expectedRevision: 'any', events: [registered] },
      { streamId: 'review-r1', expectedRevision: 'any', events: [review] },
      { streamId: 'pipeline_run-run', expectedRevision: 'any', events: [rejected] },
      { streamId: 'order-o1', expectedRevision: 'any', events: [other] },
    ]);
    const sealedRegistered = a!.events[0]!.data as Record<string, unknown>;
    expect([isSealed(sealedRegistered.zipPrefix), isSealed(sealedRegistered.city), isSealed(sealedRegistered.state), sealedRegistered.customerId]).toEqual([true, true, true, 'c1']);
    expect((b!.events[0]!.data as Record<string, unknown>).commentTitle).toBeNull();
    // A rejected row without its key column: its personal values are not kept at all.
    expect((c!.events[0]!.data as { raw: Record<string, string> }).raw).toEqual({ customer_id: '', customer_city: WITHHELD, customer_state: WITHHELD });
    expect(d!.events[0]).toBe(other);

    const opened = await protection.openAll([recorded(a!.events[0]!, 'customer-u1'), recorded(b!.events[0]!, 'review-r1')]);
    expect(opened.map((e) => e.data)).toEqual([registered.data, review.data]);

    expect(await protection.keys.erase('u1', ['c1'])).toBeGreaterThan(0);
    const erased = await protection.openAll([recorded(a!.events[0]!, 'customer-u1'), recorded(b!.events[0]!, 'review-r1')]);
    expect(erased[0]!.data).toMatchObject({ customerId: 'c1', zipPrefix: ERASED, city: ERASED, state: ERASED });
    expect(erased[1]!.data).toMatchObject({ score: 5, commentMessage: ERASED });
  });

  it('seals a text that looks sealed like any other, and reads a value that does not authenticate as erased', async () => {
    const protection = new PersonalDataProtection(await DataKeyStore.open(sql, master));
    const mimic = `pd1.${Buffer.from('c9').toString('base64url')}.${'A'.repeat(16)}.${'B'.repeat(30)}`;
    const review: EventData = {
      id: 'e-mimic', type: 'ReviewSubmitted', metadata: { personalDataKey: 'c9' },
      data: { reviewId: 'r9', orderId: 'o9', score: 1, commentTitle: mimic, commentMessage: 'ok', createdAt: '2018-01-01T00:00:00.000Z' },
    };
    const [sealed] = await protection.sealAll([{ streamId: 'review-r9', expectedRevision: 'any', events: [review] }]);
    const stored = sealed!.events[0]!;
    expect((stored.data as { commentTitle: string }).commentTitle).not.toBe(mimic);
    const [opened] = await protection.openAll([recorded(stored, 'review-r9')]);
    expect(opened!.data).toEqual(review.data);
    // Moved to another event, the same sealed value does not open.
    const [moved] = await protection.openAll([{ ...recorded(stored, 'review-r9'), id: 'e-other' }]);
    expect(moved!.data).toMatchObject({ commentTitle: ERASED, commentMessage: ERASED });
  });

  it('makes a new key of an erased person erased, and links a key made before its person was known', async () => {
    const keys = await DataKeyStore.open(sql, master);
    await keys.ensure([{ keyId: 'c-early' }]);
    expect((await keys.ring(['c-early'])).get('c-early')).not.toBe('erased');
    await keys.ensure([{ keyId: 'c-early', subjectId: 'u2' }, { keyId: 'c-unlinked' }]);
    expect(await keys.keyIdsOf('u2')).toEqual(['c-early']);
    await keys.erase('u2', ['c-early']);
    const ring = await keys.ensure([{ keyId: 'c-later', subjectId: 'u2' }, { keyId: 'c-other', subjectId: 'u3' }]);
    expect(ring.get('c-later')).toBe('erased');
    expect(ring.get('c-other')).not.toBe('erased');
    // A key made before its person was known, linked once that person is erased, is erased with them.
    expect((await keys.ring(['c-unlinked'])).get('c-unlinked')).not.toBe('erased');
    expect((await keys.ensure([{ keyId: 'c-unlinked', subjectId: 'u2' }])).get('c-unlinked')).toBe('erased');
    expect((await keys.ensure([{ keyId: 'c-other', subjectId: 'u3' }])).get('c-other')).not.toBe('erased');
    expect(await keys.isErased('u2')).toBe(true);
  });

  it('erases again what a restored key store brought back, from the log\'s erasures', async () => {
    const keys = await DataKeyStore.open(sql, master);
    await keys.ensure([{ keyId: 'c-restored', subjectId: 'u4' }]);
    expect(await keys.reconcile([{ subjectId: 'u4', keyIds: ['c-restored', 'c-gone'] }])).toBeGreaterThan(0);
    expect((await keys.ring(['c-restored', 'c-gone'])).get('c-restored')).toBe('erased');
    expect((await keys.ring(['c-gone'])).get('c-gone')).toBe('erased');
    expect(await keys.reconcile([{ subjectId: 'u4', keyIds: ['c-restored', 'c-gone'] }])).toBe(0);
  });
});
