import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDatabase, DuckDbStorageError, isStorageFailure } from '../src/index.js';

/** DuckDB's messages as seen on a full tmpfs (test/e2e/disk-full.pg.spec.ts) and under a file-size limit. */
const WAL_FULL = 'TransactionContext Error: Failed to commit: Could not write file "/srv/dw/olist.duckdb.wal": No space left on device';
const CHECKPOINT_FULL =
  'TransactionContext Error: Failed to commit: Checkpoint failed for database "olist". The database has been invalidated. Original error: Could not write file "/srv/dw/olist.duckdb": No space left on device';
const INVALIDATED =
  'IO Error: Database "olist" has been invalidated because checkpointing failed. Detach and reattach it before using it again. Original error: Could not write file "/srv/dw/olist.duckdb": No space left on device';
const COMMITTED_THEN_FULL =
  'IO Error: Transaction COMMIT succeeded and is durable, but the autocheckpoint failed. Detach and reattach the database to recover. Checkpoint failed for database "olist". The database has been invalidated. Original error: Could not write file "/srv/dw/olist.duckdb": No space left on device';
const TOO_LARGE = 'TransactionContext Error: Failed to commit: Could not write file "/srv/dw/olist.duckdb.wal": File too large';

describe('DuckDB storage failures', () => {
  it('tells a failed write (full disk, file-size limit, invalidated database) from other errors, naming the file and the reason', () => {
    for (const message of [WAL_FULL, CHECKPOINT_FULL, INVALIDATED, COMMITTED_THEN_FULL, TOO_LARGE]) expect([message, isStorageFailure(new Error(message))]).toEqual([message, true]);
    for (const message of ['Constraint Error: Duplicate key "id: 1"', 'Catalog Error: Table with name x does not exist!', 'IO Error: Could not set lock on file "/srv/dw/olist.duckdb"']) {
      expect([message, isStorageFailure(new Error(message))]).toEqual([message, false]);
    }

    const wal = new DuckDbStorageError('/srv/dw/olist.duckdb', new Error(WAL_FULL));
    expect(wal.message).toBe(`DuckDB file /srv/dw/olist.duckdb: No space left on device (writing /srv/dw/olist.duckdb.wal). DuckDB: ${WAL_FULL}`);
    expect(wal).toMatchObject({ reason: 'No space left on device', file: '/srv/dw/olist.duckdb.wal', invalidated: false, committed: false });
    const file = new DuckDbStorageError('/srv/dw/olist.duckdb', new Error(CHECKPOINT_FULL));
    expect(file.message).toBe(`DuckDB file /srv/dw/olist.duckdb: No space left on device. DuckDB: ${CHECKPOINT_FULL}`);
    expect(file).toMatchObject({ reason: 'No space left on device', file: '/srv/dw/olist.duckdb', invalidated: true, committed: false });
    expect(new DuckDbStorageError('/srv/dw/olist.duckdb', new Error(COMMITTED_THEN_FULL))).toMatchObject({ invalidated: true, committed: true });
    expect(new DuckDbStorageError('/srv/dw/olist.duckdb', new Error(TOO_LARGE)).reason).toBe('File too large');
  });

  describe('a compactable database that DuckDB invalidated', () => {
    /** The rows of `facts`, read on a new connection. */
    const facts = async (db: DuckDbDatabase): Promise<unknown> => {
      const client = await db.connect();
      try {
        return await client.scalar('SELECT count(*) FROM facts');
      } finally {
        client.close();
      }
    };

    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'olist-invalidated-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is attached again on next use, with every committed row and open connections working', async () => {
      const file = join(dir, 'dw.duckdb');
      const db = await DuckDbDatabase.open(file, { compactable: true });
      const writer = await db.connect();
      const reader = await db.connect();
      try {
        await writer.run('CREATE TABLE facts AS SELECT range AS id FROM range(1000); CREATE TEMP TABLE staging (id BIGINT)');
        await writer.transaction((tx) => tx.run('INSERT INTO facts SELECT 1000 + range FROM range(500)'));
        // A checkpoint that fails the way a full disk makes it fail (DuckDB's own fault injection).
        await writer.run(`SET debug_checkpoint_abort = 'before_header'`);
        const failure = await writer.run('CHECKPOINT').catch((error: unknown) => error);
        await writer.run(`SET debug_checkpoint_abort = 'none'`);
        expect(DuckDbStorageError.is(failure)).toBe(true);
        expect(failure).toMatchObject({ invalidated: true, message: expect.stringMatching(new RegExp(`^DuckDB file ${file}: invalidated after a failed write\\. DuckDB: IO Error: Checkpoint failed`)) });

        // Next statements (any connection) first attach the file again.
        expect(await reader.scalar('SELECT count(*) FROM facts')).toBe(1500n);
        await writer.transaction(async (tx) => {
          await tx.run('INSERT INTO staging VALUES (1)'); // the connection's TEMP tables survive
          await tx.run('INSERT INTO facts SELECT id + 10000 FROM staging');
        });
        expect(await facts(db)).toBe(1501n);
      } finally {
        writer.close();
        reader.close();
        db.close();
      }
      const reopened = await DuckDbDatabase.open(file, { config: { access_mode: 'READ_ONLY' } });
      expect(await facts(reopened)).toBe(1501n);
      reopened.close();
    });

    it('a new connection finds it invalidated and attaches it again', async () => {
      const file = join(dir, 'dw.duckdb');
      const db = await DuckDbDatabase.open(file, { compactable: true });
      const control = await db.instance.connect(); // not through the client: nothing tells the database
      try {
        await control.run(`USE olist; CREATE TABLE facts AS SELECT range AS id FROM range(10); SET debug_checkpoint_abort = 'before_header'`);
        await expect(control.run('CHECKPOINT')).rejects.toThrow(/invalidated/);
        await control.run(`SET debug_checkpoint_abort = 'none'`);
        expect(await facts(db)).toBe(10n);
      } finally {
        control.closeSync();
        db.close();
      }
    });
  });
});
