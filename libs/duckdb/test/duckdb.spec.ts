import { mkdtempSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDbDatabase,
  MigrationError,
  appliedMigrations,
  decimalFromCentavos,
  loadMigrations,
  migrate,
  timestampFromIso,
  type DuckDbClient,
} from '../src/index.js';

describe('DuckDB plumbing', () => {
  let dir: string;
  let db: DuckDbDatabase;
  let client: DuckDbClient;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'olist-duckdb-'));
    db = await DuckDbDatabase.open(join(dir, 'nested', 'deeper', 'test.duckdb'));
    client = await db.connect();
  });
  afterEach(() => {
    client.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens an in-memory database too', async () => {
    const memory = await DuckDbDatabase.open(':memory:');
    const c = await memory.connect();
    expect(await c.scalar('SELECT 41 + 1')).toBe(42);
    expect(memory.path).toBe(':memory:');
    c.close();
    memory.close();
  });

  it('creates the file and its directory', () => {
    expect(existsSync(join(dir, 'nested', 'deeper', 'test.duckdb'))).toBe(true);
  });

  it('returns plain rows: bigint for 64-bit integers, exact decimal text, Date for timestamps, text for dates', async () => {
    const rows = await client.query(`
      SELECT 42::BIGINT AS big, 7::INTEGER AS int, 58.9::DECIMAL(18,2) AS money,
             TIMESTAMP '2017-10-02 10:56:33' AS ts, DATE '2017-10-02' AS d, 'x' AS s, NULL::VARCHAR AS n, true AS b`);
    expect(rows).toEqual([
      { big: 42n, int: 7, money: '58.90', ts: new Date('2017-10-02T10:56:33.000Z'), d: '2017-10-02', s: 'x', n: null, b: true },
    ]);
    expect(await client.scalar('SELECT $1::VARCHAR || $2::VARCHAR', ['a', 'b'])).toBe('ab');
    expect(await client.scalar('SELECT 1 WHERE false')).toBeUndefined();
  });

  it('commits a transaction, and rolls it back when the function throws', async () => {
    await client.run('CREATE TABLE t (i INTEGER)');
    await client.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (1)');
    });
    await expect(
      client.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (2)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await client.query('SELECT i FROM t')).toEqual([{ i: 1 }]);
    expect(client.inTransaction).toBe(false);
  });

  it('appends through the Appender inside the transaction: rows roll back with it', async () => {
    await client.run('CREATE TABLE t (id VARCHAR, n BIGINT, amount DECIMAL(18,2), ts TIMESTAMP)');
    await expect(
      client.transaction(async (tx) => {
        await tx.appendColumns('t', [['a', 'b'], [1n, 2n], [decimalFromCentavos(5890), decimalFromCentavos(1)], [timestampFromIso('2017-10-02T10:56:33.000Z'), null]]);
        expect(await tx.scalar('SELECT count(*) FROM t')).toBe(2n);
        throw new Error('crash');
      }),
    ).rejects.toThrow('crash');
    expect(await client.scalar('SELECT count(*) FROM t')).toBe(0n);

    await client.transaction(async (tx) => {
      await tx.appendRows('t', [['c', 3n, decimalFromCentavos(-12345), timestampFromIso('2018-01-01T00:00:00Z')]]);
    });
    expect(await client.query('SELECT * FROM t')).toEqual([
      { id: 'c', n: 3n, amount: '-123.45', ts: new Date('2018-01-01T00:00:00Z') },
    ]);
  });

  it('appends many rows (several data chunks) to a temp table', async () => {
    await client.run('CREATE TEMP TABLE s (k VARCHAR, v BIGINT)');
    const n = 5000;
    const keys = Array.from({ length: n }, (_, i) => `k${i}`);
    const values = Array.from({ length: n }, (_, i) => BigInt(i));
    expect(await client.appendColumns('s', [keys, values])).toBe(n);
    expect(await client.queryOne('SELECT count(*) AS c, sum(v) AS s, min(k) AS lo FROM s')).toEqual({ c: 5000n, s: 12497500n, lo: 'k0' });
    await expect(client.appendColumns('s', [keys])).rejects.toThrow(/1 columns given, the table has 2/);
  });

  describe('migrations', () => {
    let migrationsDir: string;
    beforeEach(() => {
      migrationsDir = join(dir, 'migrations');
      mkdirSync(migrationsDir);
      writeFileSync(join(migrationsDir, 'V001__first.sql'), 'CREATE SCHEMA s; CREATE TABLE s.a (i INTEGER);\n');
      writeFileSync(join(migrationsDir, 'V002__second.sql'), 'CREATE TABLE s.b (i INTEGER);\r\nINSERT INTO s.b VALUES (1);\n');
      writeFileSync(join(migrationsDir, 'README.md'), 'not a migration');
    });

    it('applies each file once, in order, and records it', async () => {
      const first = await migrate(client, migrationsDir);
      expect(first.applied.map((m) => m.file)).toEqual(['V001__first.sql', 'V002__second.sql']);
      expect(first.version).toBe(2);
      const again = await migrate(client, migrationsDir);
      expect(again.applied).toEqual([]);
      expect(again.version).toBe(2);
      expect(await client.scalar('SELECT count(*) FROM s.b')).toBe(1n);
      const applied = await appliedMigrations(client);
      expect(applied.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
        loadMigrations(migrationsDir).map(({ version, name, checksum }) => ({ version, name, checksum })),
      );

      writeFileSync(join(migrationsDir, 'V003__third.sql'), 'CREATE TABLE s.c (i INTEGER);');
      expect((await migrate(client, migrationsDir)).applied.map((m) => m.version)).toEqual([3]);
    });

    it('refuses to start when an applied file changed or disappeared', async () => {
      await migrate(client, migrationsDir);
      writeFileSync(join(migrationsDir, 'V002__second.sql'), 'CREATE TABLE s.b (i BIGINT);');
      await expect(migrate(client, migrationsDir)).rejects.toThrow(MigrationError);
      await expect(migrate(client, migrationsDir)).rejects.toThrow(/V002__second\.sql changed after it was applied/);
      rmSync(join(migrationsDir, 'V002__second.sql'));
      await expect(migrate(client, migrationsDir)).rejects.toThrow(/V2 \(second\) has no file/);
    });

    it('treats CRLF and LF versions of a file as the same migration', async () => {
      await migrate(client, migrationsDir);
      writeFileSync(join(migrationsDir, 'V002__second.sql'), 'CREATE TABLE s.b (i INTEGER);\nINSERT INTO s.b VALUES (1);\n');
      await expect(migrate(client, migrationsDir)).resolves.toEqual({ applied: [], version: 2 });
    });

    it('rolls a failing migration back entirely and records nothing', async () => {
      writeFileSync(join(migrationsDir, 'V003__broken.sql'), 'CREATE TABLE s.c (i INTEGER); SELECT * FROM nowhere;');
      await expect(migrate(client, migrationsDir)).rejects.toThrow();
      expect((await appliedMigrations(client)).map((m) => m.version)).toEqual([1, 2]);
      expect(await client.scalar(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'c'`)).toBe(0n);
    });

    it('refuses a pending migration older than the applied head', async () => {
      rmSync(join(migrationsDir, 'V001__first.sql'));
      writeFileSync(join(migrationsDir, 'V002__second.sql'), 'CREATE SCHEMA s; CREATE TABLE s.b (i INTEGER);');
      await migrate(client, migrationsDir);
      writeFileSync(join(migrationsDir, 'V001__first.sql'), 'CREATE TABLE s.a (i INTEGER);');
      await expect(migrate(client, migrationsDir)).rejects.toThrow(/older than the applied V2/);
    });
  });
});
