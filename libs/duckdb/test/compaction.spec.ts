import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDatabase } from '../src/index.js';

/** A value's bytes in the database file (DuckDB keeps superseded blocks in the file until it is rewritten). */
const inFile = (file: string, text: string): boolean => readFileSync(file).includes(Buffer.from(text, 'utf8'));

/**
 * One secret per row group: each row group's column is rewritten into blocks of its own, so the superseded bytes
 * stay in the file unless DuckDB reuses every one of those blocks (with a single secret, CI once found it gone
 * before the compaction ran).
 */
const SECRETS = [0, 1, 2].map((group) => `zacariasopolis-unica-${group}`);
const anyInFile = (file: string): boolean => SECRETS.some((secret) => inFile(file, secret));

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
      INSERT INTO core.people SELECT 'p' || i, CASE WHEN i % 122880 = 7 THEN 'zacariasopolis-unica-' || (i // 122880)
        ELSE 'city' || (i % 700) END FROM range(300000) t(i);
      INSERT INTO core.people VALUES ('secret', 'the-last-city');
      CREATE TEMP TABLE scratch AS SELECT 1 AS x;
      CHECKPOINT;`);
    await writer.run(`UPDATE core.people SET city = '[erased]' WHERE city LIKE 'zacariasopolis-unica-%'`);
    await writer.run('CHECKPOINT');
    expect(anyInFile(file)).toBe(true); // old blocks are still in the file

    const during = reader.query(`SELECT count(*) AS n FROM core.people`); // waits for the swap or runs before it
    const { bytesBefore, bytesAfter } = await db.compact();
    expect(await during).toEqual([{ n: 300001n }]);
    expect(bytesBefore).toBeGreaterThan(0);
    expect(bytesAfter).toBeGreaterThan(0);
    expect(anyInFile(file)).toBe(false);

    expect(await reader.query(`SELECT DISTINCT city FROM core.people WHERE id IN ('p7', 'p122887', 'p245767')`)).toEqual([
      { city: '[erased]' },
    ]);
    expect(await reader.scalar(`SELECT city FROM core.people WHERE id = 'secret'`)).toBe('the-last-city');
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
    expect(await client.scalar(`SELECT count(*) FROM core.people`)).toBe(300002n);
    client.close();
    reopened.close();
  });

  it('is refused for a database not opened compactable', async () => {
    const db = await DuckDbDatabase.open(join(dir, 'plain.duckdb'));
    await expect(db.compact()).rejects.toThrow(/compactable/);
    db.close();
  });
});
