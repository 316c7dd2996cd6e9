import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDatabase } from '../src/index.js';

/** A value's bytes in the database file (DuckDB keeps superseded blocks in the file until it is rewritten). */
const inFile = (file: string, text: string): boolean => readFileSync(file).includes(Buffer.from(text, 'utf8'));

describe('DuckDbDatabase.compact (a compactable database)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'olist-compact-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites the file without the bytes of updated values, keeping schema, comments, macros and open connections', async () => {
    const file = join(dir, 'live.duckdb');
    const db = await DuckDbDatabase.open(file, { compactable: true });
    const writer = await db.connect();
    const reader = await db.connect();
    await writer.run(`CREATE SCHEMA core; CREATE MACRO core.twice(x) AS x * 2;
      CREATE TABLE core.people (id VARCHAR PRIMARY KEY, city VARCHAR);
      COMMENT ON TABLE core.people IS 'people';
      INSERT INTO core.people SELECT 'p' || i, 'city' || (i % 700) FROM range(100000) t(i);
      INSERT INTO core.people VALUES ('secret', 'zacariasopolis-unica');
      CREATE TEMP TABLE scratch AS SELECT 1 AS x;
      CHECKPOINT;`);
    await writer.run(`UPDATE core.people SET city = '[erased]' WHERE id = 'secret'`);
    await writer.run('CHECKPOINT');
    expect(inFile(file, 'zacariasopolis-unica')).toBe(true); // the old block is still in the file

    const during = reader.query(`SELECT count(*) AS n FROM core.people`); // waits for the swap or runs before it
    const { bytesBefore, bytesAfter } = await db.compact();
    expect(await during).toEqual([{ n: 100001n }]);
    expect(bytesBefore).toBeGreaterThan(0);
    expect(bytesAfter).toBeGreaterThan(0);
    expect(inFile(file, 'zacariasopolis-unica')).toBe(false);

    expect(await reader.query(`SELECT city FROM core.people WHERE id = 'secret'`)).toEqual([{ city: '[erased]' }]);
    expect(await writer.scalar(`SELECT core.twice(21)`)).toBe(42);
    expect(await writer.scalar(`SELECT comment FROM duckdb_tables() WHERE table_name = 'people'`)).toBe('people');
    expect(await writer.scalar(`SELECT x FROM scratch`)).toBe(1);
    await writer.transaction(async (tx) => tx.run(`INSERT INTO core.people VALUES ('after', 'x')`));
    await expect(writer.run(`INSERT INTO core.people VALUES ('after', 'y')`)).rejects.toThrow(/[Cc]onstraint/);
    writer.close();
    reader.close();
    db.close();

    const reopened = await DuckDbDatabase.open(file);
    const client = await reopened.connect();
    expect(await client.scalar(`SELECT count(*) FROM core.people`)).toBe(100002n);
    client.close();
    reopened.close();
  });

  it('is refused for a database not opened compactable', async () => {
    const db = await DuckDbDatabase.open(join(dir, 'plain.duckdb'));
    await expect(db.compact()).rejects.toThrow(/compactable/);
    db.close();
  });
});
